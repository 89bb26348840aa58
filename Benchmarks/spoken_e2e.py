#!/usr/bin/env python3
"""The librosa + PyTorch side of the `spoken-e2e` row of `make bench`: the quickstart's spoken
pipeline (Pipelines/quickstart.yaml, `spoken_cnn`) over the spoken-digits manifest, end to end as one
process, written as a librosa / PyTorch user would.

    spoken_e2e.py [--data ../shared/data/spoken-digits] [--out DIR] [--epochs 15] [--threads N]
                  [--seed 7] [--cache FILE.npz]

Reads manifest.csv (`file`, `digit`, `voice`) and splits it by voice, seeded, so test voices are
unseen: 20 % of the voices for test, 10 % for validation (at least one each), the rest train.
Each clip: librosa.load at 16 kHz (resampled when its rate differs), librosa.util.fix_length to
16000 samples. Training samples, drawn afresh every epoch: audiomentations AddGaussianSNR
(5–30 dB, p 0.5) on the waveform, librosa.feature.melspectrogram (n_fft 512, hop 160, n_mels 64)
→ librosa.power_to_db (ref 1, top_db 80), then torchaudio TimeMasking(10) with probability 0.5.
Validation and test samples skip the random stages. The CNN is quickstart.yaml's (conv 32 k5 p2,
relu, maxpool 2, conv 64 k5, relu, maxpool 2, flatten, dense 128, relu, dense 10), Adam lr 0.001,
batch 16, cross-entropy, channels_last, validation every epoch, test at the end. Writes DIR/model.pt,
DIR/history.csv and DIR/metrics.json; the last stdout line is one JSON summary.

With --cache FILE.npz the deterministic part (decode + fix_length) is saved on the first run and
read back on later ones, like the pipeline's on-disk cache (the `cached` column of the bench row).
"""
import argparse
import csv
import json
import os
import random
import time
from pathlib import Path

import numpy as np

START = time.perf_counter()

import librosa  # noqa: E402  (imports are part of the process being timed, as for the pipeline)
import torch  # noqa: E402
import torchaudio  # noqa: E402
from audiomentations import AddGaussianSNR  # noqa: E402
from torch import nn  # noqa: E402

HERE = Path(__file__).resolve().parent
SR, LENGTH = 16000, 16000


def voice_split(voices, rng, test=0.2, validation=0.1):
    """Voices for (train, validation, test): seeded, each held-out split at least one voice."""
    names = sorted(set(voices))
    rng.shuffle(names)
    nt = max(1, int(round(test * len(names))))
    nv = max(1, int(round(validation * len(names))))
    return set(names[nt + nv:]), set(names[nt:nt + nv]), set(names[:nt])


def lenet(input_shape, classes):
    body = nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    with torch.no_grad():
        flat = body(torch.zeros(1, *input_shape)).shape[1]
    return nn.Sequential(*body, nn.Linear(flat, 128), nn.ReLU(), nn.Linear(128, classes))


def logmel(y):
    m = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=160, n_mels=64)
    return librosa.power_to_db(m, ref=1.0, top_db=80.0)[None].astype(np.float32)


def evaluate(model, x, y, classes, batch=64):
    """(mean loss, accuracy, confusion[true][predicted])."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total, confusion = 0.0, np.zeros((classes, classes), np.int64)
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch].contiguous(memory_format=torch.channels_last))
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
    ap.add_argument("--data", default=str(HERE.parent.parent / "shared/data/spoken-digits"))
    ap.add_argument("--out", default="runs/spoken-e2e-pytorch")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "0")))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", help="an .npz holding the decoded, fixed-length clips (written when absent)")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)   # audiomentations draws from numpy's global generator
    rng = np.random.default_rng(a.seed)

    root = Path(a.data)
    with open(root / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    classes = sorted({r["digit"] for r in rows}, key=int)
    label = {c: i for i, c in enumerate(classes)}
    train_v, val_v, test_v = voice_split([r["voice"] for r in rows], rng)

    t_load = time.perf_counter()
    if a.cache and Path(a.cache).is_file():
        clips = np.load(a.cache)["clips"]
        source = "cache"
    else:
        clips = np.stack([librosa.util.fix_length(librosa.load(root / r["file"], sr=SR, mono=True)[0], size=LENGTH)
                          for r in rows]).astype(np.float32)
        source = "decoded"
        if a.cache:
            tmp = Path(a.cache + ".tmp.npz")
            np.savez(tmp, clips=clips)
            os.replace(tmp, a.cache)   # atomic, as the pipeline's cache
    load_seconds = time.perf_counter() - t_load
    labels = np.array([label[r["digit"]] for r in rows], np.int64)
    voices = np.array([r["voice"] for r in rows])
    tr = np.flatnonzero(np.isin(voices, list(train_v)))
    va = np.flatnonzero(np.isin(voices, list(val_v)))
    te = np.flatnonzero(np.isin(voices, list(test_v)))

    # Evaluation samples skip the random stages: their log-mels are computed once.
    def fixed(ix):
        return torch.from_numpy(np.stack([logmel(clips[i]) for i in ix])), torch.from_numpy(labels[ix])

    xv, yv = fixed(va)
    xt, yt = fixed(te)
    noise = AddGaussianSNR(min_snr_db=5.0, max_snr_db=30.0, p=0.5)
    mask = torchaudio.transforms.TimeMasking(time_mask_param=10)

    def train_sample(i):
        y = noise(samples=clips[i], sample_rate=SR)
        m = torch.from_numpy(logmel(y))
        if random.random() < 0.5:
            m = mask(m)
        return m

    model = lenet(tuple(xv.shape[1:]), len(classes)).to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    train_start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = tr[rng.permutation(len(tr))]
        seen, loss_sum, correct = 0, 0.0, 0
        for s in range(0, len(order), a.batch_size):
            b = order[s:s + a.batch_size]
            xb = torch.stack([train_sample(i) for i in b]).contiguous(memory_format=torch.channels_last)
            yb = torch.from_numpy(labels[b])
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            seen += len(b)
            loss_sum += loss.item() * len(b)
            correct += (out.argmax(1) == yb).sum().item()
        val_loss, val_acc, _ = evaluate(model, xv, yv, len(classes))
        row = dict(epoch=epoch, loss=loss_sum / seen, accuracy=correct / seen, val_loss=val_loss,
                   val_accuracy=val_acc, lr=0.001, seconds=time.perf_counter() - t0)
        history.append(row)
        print(f"epoch {epoch}/{a.epochs}: loss {row['loss']:.4f} acc {row['accuracy']:.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.4f} ({row['seconds']:.1f} s)", flush=True)
    train_seconds = time.perf_counter() - train_start
    test_loss, test_acc, confusion = evaluate(model, xt, yt, len(classes))

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out / "model.pt")
    with open(out / "history.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]) if history else ["epoch"])
        w.writeheader()
        w.writerows(history)
    metrics = {"pipeline": "spoken-digits-cnn", "models": {"spoken_cnn": {
        "test_accuracy": float(test_acc), "test_loss": float(test_loss), "macro_f1": macro_f1(confusion),
        "epochs": a.epochs, "train_seconds": train_seconds, "params": params, "classes": classes,
        "confusion": confusion.tolist(), "test_voices": sorted(test_v), "validation_voices": sorted(val_v)}}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps({"workload": "spoken-e2e", "side": "librosa+pytorch", "threads": torch.get_num_threads(),
                      "seconds": time.perf_counter() - START, "load_seconds": load_seconds, "clips_from": source,
                      "train_seconds": train_seconds, "test_accuracy": float(test_acc),
                      "samples": {"train": len(tr), "validation": len(va), "test": len(te)}, "params": params}))


if __name__ == "__main__":
    main()
