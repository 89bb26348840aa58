#!/usr/bin/env python3
"""Writes the PerceptVision test fixtures (small float32 .npy files) next to this script.

Run with the reference venv (numpy, OpenCV, scikit-image):
    /work/venv-ref/bin/python Tests/PerceptVisionTests/Fixtures/generate.py
Deterministic: seeded inputs; every reference is the library call the Swift code mirrors.
"""
import os

import cv2
import numpy as np
from skimage.feature import _hoghistogram, hog
from skimage.feature._hog import _hog_channel_gradient

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261123)


def save(name, a):
    np.save(os.path.join(HERE, name + ".npy"), np.ascontiguousarray(a, dtype=np.float32))


def smooth_image(h, w):
    """Random blobs plus a bright rectangle and noise: edges in every direction."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = 0.3 + 0.2 * np.sin(xx / 3.1 + yy / 4.7) + 0.15 * np.cos(xx * yy / 57.0)
    img[h // 4: h // 2, w // 3: (2 * w) // 3] += 0.3
    img += 0.05 * rng.standard_normal((h, w))
    return np.clip(img, 0, 1).astype(np.float32)


BORDERS = {
    "reflect101": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}

# --- convolution, Sobel, Scharr -------------------------------------------------------------
img = smooth_image(23, 31)                      # odd sizes, H != W
save("img_23x31", img)
kernel = rng.uniform(-1, 1, (3, 5)).astype(np.float32)   # asymmetric, non-square
save("kernel_3x5", kernel)
for name, b in BORDERS.items():
    save(f"sobel_gx_{name}", cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=b))
    save(f"sobel_gy_{name}", cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=b))
    # filter2D is a correlation with the anchor at the kernel centre
    save(f"filter2d_{name}", cv2.filter2D(img, cv2.CV_32F, kernel, borderType=b))
save("scharr_gx", cv2.Scharr(img, cv2.CV_32F, 1, 0, borderType=cv2.BORDER_REFLECT_101))
save("scharr_gy", cv2.Scharr(img, cv2.CV_32F, 0, 1, borderType=cv2.BORDER_REFLECT_101))
tiny = rng.uniform(0, 1, (2, 3)).astype(np.float32)        # smaller than the kernel radius
save("tiny_2x3", tiny)
save("sobel_gx_tiny_reflect", cv2.Sobel(tiny, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT))
save("sobel_gy_tiny_reflect101", cv2.Sobel(tiny, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101))

# --- Gaussian ------------------------------------------------------------------------------
for ks, sigma in [(5, 1.1), (7, 0.0), (3, 0.0), (9, 2.5)]:
    save(f"gauss_kernel_{ks}_{sigma}", cv2.getGaussianKernel(ks, sigma, cv2.CV_64F)[:, 0])
save("gauss_blur_sigma1.3", cv2.GaussianBlur(img, (0, 0), 1.3, borderType=cv2.BORDER_REFLECT_101))
save("gauss_blur_k5", cv2.GaussianBlur(img, (5, 5), 0, borderType=cv2.BORDER_REFLECT_101))

# --- resize --------------------------------------------------------------------------------
save("resize_linear_17x12", cv2.resize(img, (12, 17), interpolation=cv2.INTER_LINEAR))
save("resize_linear_50x45", cv2.resize(img, (45, 50), interpolation=cv2.INTER_LINEAR))
img40 = smooth_image(40, 36)
save("img_40x36", img40)
save("resize_area_20x18", cv2.resize(img40, (18, 20), interpolation=cv2.INTER_AREA))
save("resize_area_15x11", cv2.resize(img40, (11, 15), interpolation=cv2.INTER_AREA))
save("resize_area_55x47", cv2.resize(img40, (47, 55), interpolation=cv2.INTER_AREA))

# --- pyramids ------------------------------------------------------------------------------
pyr_in = smooth_image(37, 29)
save("img_37x29", pyr_in)
level = pyr_in
for i in range(1, 4):
    level = cv2.pyrDown(level)
    save(f"pyrdown_37x29_level{i}", level)
for name in ["reflect", "replicate"]:
    save(f"pyrdown_37x29_{name}", cv2.pyrDown(pyr_in, borderType=BORDERS[name]))
g1 = cv2.pyrDown(pyr_in)
save("pyrup_19x15_to_37x29", cv2.pyrUp(g1, dstsize=(29, 37)))
save("pyrup_19x15_to_38x30", cv2.pyrUp(g1, dstsize=(30, 38)))
save("pyrup_19x15_to_39x31", cv2.pyrUp(g1, dstsize=(31, 39)))

# --- HoG -----------------------------------------------------------------------------------
hog_in = smooth_image(35, 43)                   # odd sizes: 35 // 6 = 5 cell rows, 43 // 5 = 8 cell cols
save("img_35x43", hog_in)
for norm in ["L1", "L1-sqrt", "L2", "L2-Hys"]:
    for ts in [False, True]:
        v = hog(hog_in, orientations=7, pixels_per_cell=(6, 5), cells_per_block=(2, 3),
                block_norm=norm, transform_sqrt=ts, feature_vector=True)
        save(f"hog_35x43_{norm}_{'sqrt' if ts else 'plain'}", v)
save("hog_35x43_default", hog(hog_in))
g_row, g_col = _hog_channel_gradient(hog_in)
save("hog_grad_row_35x43", g_row)
save("hog_grad_col_35x43", g_col)
# unnormalised cell histograms straight from skimage's Cython kernel
hist = np.zeros((35 // 6, 43 // 5, 7))
_hoghistogram.hog_histograms(g_col.astype(float), g_row.astype(float), 5, 6, 43, 35,
                             43 // 5, 35 // 6, 7, hist)
save("hog_cells_35x43", hist)
_, vis = hog(hog_in, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), visualize=True)
save("hog_vis_35x43", vis)
# colour: per pixel the channel with the largest gradient magnitude
rgb = np.stack([smooth_image(30, 26) for _ in range(3)], axis=-1)
save("img_rgb_3x30x26", np.moveaxis(rgb, -1, 0))
save("hog_rgb_30x26", hog(rgb, pixels_per_cell=(6, 6), cells_per_block=(2, 2), channel_axis=-1))

# Trap: axis-aligned gradients at 90 and 180 degrees land on bin edges for 6 orientations.
axis = np.zeros((12, 12), np.float32)
axis[6:, :] = 0.5          # horizontal edge: gradient straight down the rows (90 degrees)
axis[:, 8:] += 0.25        # vertical edge: along the columns (0 degrees)
axis[2:4, 2:4] = 0.75      # small square: both signs of both axes (0/180 and -90/90)
save("img_axis_12x12", axis)
hist = np.zeros((4, 4, 6))
gr, gc = _hog_channel_gradient(axis)
_hoghistogram.hog_histograms(gc.astype(float), gr.astype(float), 3, 3, 12, 12, 4, 4, 6, hist)
save("hog_cells_axis_12x12", hist)

# Trap: cells accumulate in float32. A huge first gradient swallows the later small ones.
big = np.zeros((6, 6), np.float32)
big[1, 2] = 2.0 ** 26      # gradient at (1,1) is 2^26 and comes first in its cell's sum
big[3:5, 3:5] = 1.0        # small gradients (1) later in the same cell
save("img_float32_sum_6x6", big)
hist = np.zeros((1, 1, 9))
gr, gc = _hog_channel_gradient(big)
_hoghistogram.hog_histograms(gc.astype(float), gr.astype(float), 6, 6, 6, 6, 1, 1, 9, hist)
save("hog_cells_float32_sum_6x6", hist)

# Trap: 8-bit levels make |g_row| == |g_col| (45°, 135°) common; with 4 and 8 bins those are bin
# edges, and scikit-image's float64 atan2 decides the bin.
quant = (rng.integers(0, 4, (16, 16)) * 64 / 255.0).astype(np.float32)
save("img_quantized_16x16", quant)
gr, gc = _hog_channel_gradient(quant)
for n in [4, 8]:
    hist = np.zeros((4, 4, n))
    _hoghistogram.hog_histograms(gc.astype(float), gr.astype(float), 4, 4, 16, 16, 4, 4, n, hist)
    save(f"hog_cells_quantized_16x16_o{n}", hist)

# Trap: angles a hair from 180°. atan2(1e-20, -1) rounds to exactly 180° → 0 after mod → bin 0;
# atan2(-1e-20, 1) mod 180 rounds to 180.0, which lies in no bin at all: the pixel is dropped.
tiny = np.zeros((4, 5), np.float32)
tiny[1, 0] = 1.0           # pixel (1, 1): g_col = 0 - 1 = -1, g_row = 1e-20 - 0
tiny[2, 1] = 1e-20
tiny[2, 2] = 0.0           # pixel (2, 3): g_col = 1 - 0 = 1, g_row = 0 - 1e-20
tiny[2, 4] = 1.0
tiny[1, 3] = 1e-20
save("img_near180_4x5", tiny)
hist = np.zeros((1, 1, 9))
gr, gc = _hog_channel_gradient(tiny)
_hoghistogram.hog_histograms(gc.astype(float), gr.astype(float), 5, 4, 5, 4, 1, 1, 9, hist)
save("hog_cells_near180_4x5", hist)

# Lines: one row and one column (every vertical / horizontal neighbour comes from the border rule).
row = rng.uniform(0, 1, (1, 7)).astype(np.float32)
col = rng.uniform(0, 1, (5, 1)).astype(np.float32)
save("line_1x7", row)
save("line_5x1", col)
for name, b in BORDERS.items():
    for tag, a in [("1x7", row), ("5x1", col)]:
        save(f"sobel_gx_{tag}_{name}", cv2.Sobel(a, cv2.CV_32F, 1, 0, ksize=3, borderType=b))
        save(f"sobel_gy_{tag}_{name}", cv2.Sobel(a, cv2.CV_32F, 0, 1, ksize=3, borderType=b))
