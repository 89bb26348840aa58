#!/usr/bin/env python3
"""The PyTorch side of the `mnist-e2e` row of `make bench`: what `percept run Pipelines/mnist-cnn.yaml`
does, end to end as one process, written as a PyTorch user would.

    mnist_e2e.py [--data ../shared/data/mnist] [--out DIR] [--epochs 5] [--threads N] [--seed 7]

Decodes the four IDX .gz files with numpy (pixels / 255, [N, 1, 28, 28] float32), holds out a seeded
stratified 10 % of the training set for validation (each class gives max(1, round(0.1 × count))),
trains the LeNet-like CNN of Pipelines/quickstart.yaml (conv 32 k5 p2, relu, maxpool 2, conv 64 k5,
relu, maxpool 2, flatten, dense 128, relu, dense 10; PyTorch's default initialisation) with Adam
(lr 0.001), batch 64 and cross-entropy in channels_last, evaluates on the validation split every
epoch and on the test set at the end, and writes DIR/model.pt, DIR/history.csv and DIR/metrics.json
(the fields of the pipeline's metrics.json). The bench times the whole process; the last stdout
line is one JSON summary. Threads: --threads, else BENCH_THREADS, else torch's default.
"""
import argparse
import csv
import gzip
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
START = time.perf_counter()


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


def lenet(classes):
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, classes))


def evaluate(model, x, y, classes, batch=1000):
    """(mean loss, accuracy, confusion[true][predicted])."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total, confusion = 0.0, np.zeros((classes, classes), np.int64)
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = x[i:i + batch].contiguous(memory_format=torch.channels_last)
            out = model(xb)
            total += loss_fn(out, y[i:i + batch]).item()
            np.add.at(confusion, (y[i:i + batch].numpy(), out.argmax(1).numpy()), 1)
    return total / len(x), np.trace(confusion) / len(x), confusion


def macro_f1(confusion):
    tp = np.diag(confusion).astype(np.float64)
    precision = np.divide(tp, confusion.sum(0), out=np.zeros_like(tp), where=confusion.sum(0) > 0)
    recall = np.divide(tp, confusion.sum(1), out=np.zeros_like(tp), where=confusion.sum(1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(tp), where=precision + recall > 0)
    return float(f1.mean())


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
    xv, yv = tensors(images[va], labels[va])
    xt, yt = tensors(test_images, test_labels)

    model = lenet(classes).to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    train_start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.from_numpy(rng.permutation(len(x)))
        seen, loss_sum, correct = 0, 0.0, 0
        for i in range(0, len(x), a.batch_size):
            b = order[i:i + a.batch_size]
            xb, yb = x[b].contiguous(memory_format=torch.channels_last), y[b]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            seen += len(b)
            loss_sum += loss.item() * len(b)
            correct += (out.argmax(1) == yb).sum().item()
        val_loss, val_acc, _ = evaluate(model, xv, yv, classes)
        row = dict(epoch=epoch, loss=loss_sum / seen, accuracy=correct / seen, val_loss=val_loss,
                   val_accuracy=val_acc, lr=0.001, seconds=time.perf_counter() - t0)
        history.append(row)
        print(f"epoch {epoch}/{a.epochs}: loss {row['loss']:.4f} acc {row['accuracy']:.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.4f} ({row['seconds']:.1f} s)", flush=True)
    train_seconds = time.perf_counter() - train_start
    test_loss, test_acc, confusion = evaluate(model, xt, yt, classes)

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out / "model.pt")
    with open(out / "history.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]) if history else ["epoch"])
        w.writeheader()
        w.writerows(history)
    metrics = {"pipeline": "mnist-cnn", "models": {"mnist_cnn": {
        "test_accuracy": float(test_acc), "test_loss": float(test_loss), "macro_f1": macro_f1(confusion),
        "epochs": a.epochs, "train_seconds": train_seconds, "params": params,
        "classes": [str(c) for c in range(classes)], "confusion": confusion.tolist()}}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps({"workload": "mnist-e2e", "side": "pytorch", "threads": torch.get_num_threads(),
                      "seconds": time.perf_counter() - START, "train_seconds": train_seconds,
                      "test_accuracy": float(test_acc), "params": params}))


if __name__ == "__main__":
    main()
