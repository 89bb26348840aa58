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

START = time.perf_counter()

import librosa  # noqa: E402  (imports are part of the process being timed, as for the pipeline)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchaudio  # noqa: E402
from audiomentations import AddGaussianSNR  # noqa: E402

from e2e_common import evaluate, fit, lenet, write_run  # noqa: E402

HERE = Path(__file__).resolve().parent
SR, LENGTH = 16000, 16000


def voice_split(voices, rng, test=0.2, validation=0.1):
    """Voices for (train, validation, test): seeded, each held-out split at least one voice."""
    names = sorted(set(voices))
    rng.shuffle(names)
    nt = max(1, int(round(test * len(names))))
    nv = max(1, int(round(validation * len(names))))
    return set(names[nt + nv:]), set(names[nt:nt + nv]), set(names[:nt])


def logmel(y):
    m = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=160, n_mels=64)
    return librosa.power_to_db(m, ref=1.0, top_db=80.0)[None].astype(np.float32)


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
    tr, va, te = (np.flatnonzero(np.isin(voices, sorted(v))) for v in (train_v, val_v, test_v))

    # Evaluation samples skip the random stages: their log-mels are computed once.
    def fixed(ix):
        return torch.from_numpy(np.stack([logmel(clips[i]) for i in ix])), torch.from_numpy(labels[ix])

    validation, test = fixed(va), fixed(te)
    noise = AddGaussianSNR(min_snr_db=5.0, max_snr_db=30.0, p=0.5)
    mask = torchaudio.transforms.TimeMasking(time_mask_param=10)

    def train_sample(i):
        m = torch.from_numpy(logmel(noise(samples=clips[i], sample_rate=SR)))
        return mask(m) if random.random() < 0.5 else m

    def batches(epoch):
        order = tr[rng.permutation(len(tr))]
        for s in range(0, len(order), a.batch_size):
            b = order[s:s + a.batch_size]
            yield torch.stack([train_sample(i) for i in b]), torch.from_numpy(labels[b])

    model = lenet(tuple(validation[0].shape[1:]), len(classes))
    history, train_seconds = fit(model, batches, validation, len(classes), a.epochs)
    m = write_run(a.out, "spoken-digits-cnn", "spoken_cnn", model, history, evaluate(model, *test, len(classes), batch=64),
                  classes, train_seconds, test_voices=sorted(test_v), validation_voices=sorted(val_v))
    print(json.dumps({"workload": "spoken-e2e", "side": "librosa+pytorch", "threads": torch.get_num_threads(),
                      "seconds": time.perf_counter() - START, "load_seconds": load_seconds, "clips_from": source,
                      "train_seconds": train_seconds, "test_accuracy": m["test_accuracy"],
                      "samples": {"train": len(tr), "validation": len(va), "test": len(te)}, "params": m["params"]}))


if __name__ == "__main__":
    main()
