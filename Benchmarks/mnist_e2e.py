#!/usr/bin/env python3
"""The PyTorch side of the `mnist-e2e` row of `make bench`: what `percept run Pipelines/mnist-cnn.yaml`
does, end to end as one process, written as a PyTorch user would.

    mnist_e2e.py [--data ../shared/data/mnist] [--out DIR] [--epochs 5] [--threads N] [--seed 7]

Decodes the four IDX .gz files with numpy (pixels / 255, [N, 1, 28, 28] float32), holds out a seeded
stratified 10 % of the training set for validation (each class gives max(1, round(0.1 × count))),
trains the LeNet-like CNN of Pipelines/mnist-cnn.yaml (conv 32 k5 p2, relu, maxpool 2, conv 64 k5 same,
relu, maxpool 2, flatten, dense 128, relu, dense 10; PyTorch's default initialisation) with Adam
(lr 0.001, halved every epoch), batch 64 and cross-entropy in channels_last, evaluates on the validation split every
epoch and on the test set at the end, and writes DIR/model.pt, DIR/history.csv and DIR/metrics.json
(the fields of the pipeline's metrics.json). The bench times the whole process; the last stdout
line is one JSON summary. Threads: --threads, else BENCH_THREADS, else torch's default.
"""
import argparse
import gzip
import json
import os
import time
from pathlib import Path

START = time.perf_counter()

import numpy as np  # noqa: E402  (imports are part of the process being timed, as for the pipeline)
import torch  # noqa: E402

from e2e_common import evaluate, fit, lenet, write_run  # noqa: E402

HERE = Path(__file__).resolve().parent


def idx(path):
    """An IDX file (gzip) as a numpy array of its declared shape (uint8 data only, as MNIST's)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def stratified_split(labels, fraction, rng):
    """Indices (train, held_out): each class gives max(1, round(fraction × its count)) samples."""
    train, held = [], []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rng.shuffle(members)
        k = max(1, int(round(fraction * len(members))))
        held.append(members[:k])
        train.append(members[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(HERE.parent.parent / "shared/data/mnist"))
    ap.add_argument("--out", default="runs/mnist-e2e-pytorch")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "0")))
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    d = Path(a.data)
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    missing = [f for f in files if not (d / f).is_file()]
    if missing:
        raise SystemExit(f"{d}: missing {', '.join(missing)}")
    images, labels, test_images, test_labels = (idx(d / f) for f in files)
    classes = int(labels.max()) + 1

    def tensors(imgs, labs):
        x = torch.from_numpy(imgs.astype(np.float32) / 255).unsqueeze(1)
        return x, torch.from_numpy(labs.astype(np.int64))

    tr, va = stratified_split(labels, 0.1, rng)
    x, y = tensors(images[tr], labels[tr])
    validation = tensors(images[va], labels[va])
    test = tensors(test_images, test_labels)

    def batches(epoch):
        order = torch.from_numpy(rng.permutation(len(x)))
        for i in range(0, len(x), a.batch_size):
            b = order[i:i + a.batch_size]
            yield x[b], y[b]

    model = lenet((1, 28, 28), classes, second_padding="same")   # as Pipelines/mnist-cnn.yaml
    history, train_seconds = fit(model, batches, validation, classes, a.epochs, step_gamma=0.5)
    m = write_run(a.out, "mnist-cnn", "mnist_cnn", model, history, evaluate(model, *test, classes),
                  [str(c) for c in range(classes)], train_seconds)
    print(json.dumps({"workload": "mnist-e2e", "side": "pytorch", "threads": torch.get_num_threads(),
                      "seconds": time.perf_counter() - START, "train_seconds": train_seconds,
                      "test_accuracy": m["test_accuracy"], "params": m["params"]}))


if __name__ == "__main__":
    main()
