#!/usr/bin/env python3
"""Writes the scikit-learn reference numbers that PCATests and TSNETests compare against.

Pinned versions (the ones the committed fixtures were made with):
    scikit-learn==1.9.1  numpy==2.4.6  scipy==1.17.1

Run it in a virtual environment outside the repository, e.g.
    python3 -m venv /work/venv-proj
    /work/venv-proj/bin/pip install scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1
    /work/venv-proj/bin/python Tests/PerceptPipelineTests/Fixtures/make_projection_fixtures.py

Data: the first rows of scikit-learn's bundled 8x8 digits (UCI optical digits, 64 features, values
0..16, exact in float32), the same images as shared/data/sklearn-digits.

Outputs, next to this script in projection/:
    digits200_x.npy              float32 [200, 64]   input rows
    digits200_y.npy              int64 [200]         their digits
    pca_tall_transform.npy       float64 [200, 2]    PCA(2, svd_solver="full").fit_transform (float64 input)
    pca_tall_components.npy      float64 [2, 64]     components_ (sign: svd_flip on the rows of Vt)
    pca_tall_ratio.npy           float64 [2]         explained_variance_ratio_
    pca_wide_*.npy               the same for the first 40 rows (D > N: Percept takes the Gram path)
    tsne_p.npy                   float64 [80, 80]    squareform(_joint_probabilities(D, 20, 0)) for the
                                                     first 80 rows, D = pairwise_distances(X, squared=True)
    trust.npy                    float64 [1]         trustworthiness(X200, pca_tall_transform, n_neighbors=5)
"""
import os

import numpy as np
from scipy.spatial.distance import squareform
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities
from sklearn.metrics import pairwise_distances

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "projection")
os.makedirs(out, exist_ok=True)


def save(name, a):
    np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(a))


digits = load_digits()
x = digits.data[:200].astype(np.float32)
save("digits200_x", x)
save("digits200_y", digits.target[:200].astype(np.int64))

for name, rows in (("tall", 200), ("wide", 40)):
    pca = PCA(n_components=2, svd_solver="full")
    t = pca.fit_transform(x[:rows].astype(np.float64))
    save(f"pca_{name}_transform", t)
    save(f"pca_{name}_components", pca.components_)
    save(f"pca_{name}_ratio", pca.explained_variance_ratio_)

d = pairwise_distances(x[:80], squared=True)
save("tsne_p", squareform(_joint_probabilities(d, 20.0, 0)))

emb = np.load(os.path.join(out, "pca_tall_transform.npy"))
save("trust", np.array([trustworthiness(x, emb, n_neighbors=5)]))
