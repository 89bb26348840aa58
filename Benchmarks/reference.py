#!/usr/bin/env python3
"""The reference side of `make bench`, and the generator of its inputs.

    reference.py gen-inputs DIR
    reference.py WORKLOAD --lib LIB --inputs DIR --iters N

A workload run loads its inputs (untimed), runs once to warm up, then `iters` timed times and
prints one JSON line in the same format as percept-bench: {"workload", "side", "threads",
"times" (seconds per iteration), "items", "flops", "bytes", "shape", "checksum", and per iteration
"minflt", "majflt", "user", "sys" (page faults and CPU seconds of this process during the iteration,
or of the timed child process for whole-script workloads), "proc_rss_mib" (whole-script workloads:
the child's peak RSS)}.

Thread counts come from the environment set by bench.py before Python starts (OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS, MKL_NUM_THREADS) plus BENCH_THREADS, which pins torch and OpenCV here.
"""
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SR = 16000


# ---------------------------------------------------------------------------------------------
# Inputs: generated once, deterministically (fixed seeds, sorted sample files), from Samples/.
# ---------------------------------------------------------------------------------------------

def _idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def _idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)


def gen_inputs(out):
    import cv2
    import soundfile as sf

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261123)

    # Speech: the 40 spoken-digit samples, each copy with its own gain and a little noise.
    clips = [sf.read(p, dtype="float32")[0] for p in sorted((ROOT / "Samples/spoken").rglob("*.wav"))]
    clips = [c if c.ndim == 1 else c.mean(axis=1) for c in clips]
    clips = [np.pad(c, (0, max(0, SR - len(c))))[:SR] for c in clips]

    def variant(i):
        c = clips[i % len(clips)] * rng.uniform(0.3, 1.0)
        return np.clip(c + rng.normal(0, 0.003, SR), -1, 1).astype(np.float32)

    speech = np.concatenate([variant(i) for i in range(600)])
    np.save(out / "speech600.npy", speech)
    sf.write(out / "speech600.wav", speech, SR, subtype="PCM_16")   # for `percept extract` on one long file
    # One hour (the 600 s six times) as a 16-bit WAV file, for the streaming workload.
    sf.write(out / "speech3600.wav", np.tile(speech, 6), SR, subtype="PCM_16")

    clip_dir = out / "clips"
    clip_dir.mkdir(exist_ok=True)
    many = np.stack([variant(i) for i in range(2000)])
    for i, c in enumerate(many):
        sf.write(clip_dir / f"{i:04d}.wav", c, SR, subtype="PCM_16")
    # The same clips as read back from the 16-bit files, for the waveform augmentation chain.
    np.save(out / "clips2000.npy", np.round(many * 32767).clip(-32768, 32767).astype(np.float32) / 32768)

    # One big gray picture: camera.png upscaled to 4096² plus fine noise, in [0, 1].
    cam = cv2.imread(str(ROOT / "Samples/images/camera.png"), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255
    big = cv2.resize(cam, (4096, 4096), interpolation=cv2.INTER_CUBIC) + rng.normal(0, 0.01, (4096, 4096))
    np.save(out / "image4096.npy", np.clip(big, 0, 1).astype(np.float32))
    cv2.imwrite(str(out / "image4096.png"), (np.clip(big, 0, 1) * 255 + 0.5).astype(np.uint8))

    # 10,000 MNIST digits (the 2,000 sample digits, five times), 0…1.
    digits = _idx_images(ROOT / "Samples/mnist/train-images-idx3-ubyte.gz")
    labels = _idx_labels(ROOT / "Samples/mnist/train-labels-idx1-ubyte.gz")
    np.save(out / "digits10000.npy", (np.tile(digits, (5, 1, 1)).astype(np.float32) / 255))
    np.save(out / "digits2000.npy", digits.astype(np.float32)[:, None] / 255)
    np.save(out / "labels2000.npy", labels.astype(np.float32))

    # 1,000 pedestrian-window-sized (128×64) crops of the sample photographs, gray, 0…1.
    photos = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255
              for p in sorted((ROOT / "Samples/images").glob("*.png"))]
    crops = []
    for i in range(1000):
        p = photos[i % len(photos)]
        y, x = rng.integers(0, p.shape[0] - 128), rng.integers(0, p.shape[1] - 64)
        crops.append(p[y:y + 128, x:x + 64])
    np.save(out / "windows1000.npy", np.stack(crops))
    # The same windows as 8-bit PNG files, for the HoG directory-mode workloads.
    png_dir = out / "window-pngs"
    png_dir.mkdir(exist_ok=True)
    for i, im in enumerate(crops):
        cv2.imwrite(str(png_dir / f"{i:04d}.png"), (im * 255 + 0.5).astype(np.uint8))

    # Log-mel-shaped inputs for the CNN and sequences for the LSTM (their values do not change the cost).
    spec, spec_labels = rng.normal(0, 1, (512, 1, 64, 101)).astype(np.float32), rng.integers(0, 10, 512)
    np.save(out / "spec512.npy", spec)
    np.save(out / "spec512-labels.npy", spec_labels.astype(np.float32))
    np.save(out / "spec256.npy", spec[:256])   # training costs ~15 ms a sample: 256 samples keep the run short
    np.save(out / "spec256-labels.npy", spec_labels[:256].astype(np.float32))
    np.save(out / "seq1024.npy", rng.normal(0, 1, (1024, 100, 40)).astype(np.float32))
    np.save(out / "seq1024-labels.npy", rng.integers(0, 10, 1024).astype(np.float32))
    (out / "READY").write_text("inputs v5\n")   # bench.py's INPUTS_VERSION


# ---------------------------------------------------------------------------------------------
# Workloads: each returns a body to time; the body returns a dict of what one iteration did.
# ---------------------------------------------------------------------------------------------

def _librosa_spectral(d, mfcc):
    import librosa
    y = np.load(d / "speech600.npy")

    def body():
        if mfcc:
            out = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20, n_fft=512, hop_length=160, n_mels=64)
        else:
            s = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=160, n_mels=64, power=2.0)
            out = librosa.power_to_db(s, ref=1.0, top_db=80.0)
        return dict(items=1, out=out)
    return body


def _librosa_stream(d):
    """An hour-long WAV in 1 s blocks (100 frames) through librosa.stream, log-mel per block."""
    import librosa
    path = d / "speech3600.wav"
    basis = librosa.filters.mel(sr=SR, n_fft=512, n_mels=64)

    def body():
        frames, total = 0, 0.0
        for block in librosa.stream(path, block_length=100, frame_length=512, hop_length=160, dtype=np.float32):
            s = np.abs(librosa.stft(block, n_fft=512, hop_length=160, center=False)) ** 2
            db = librosa.power_to_db(basis @ s, ref=1.0, top_db=None)
            frames += db.shape[1]
            total += float(db.sum())
        return dict(items=1, shape=[64, frames])
    return body


def _torchaudio_spectral(d, mfcc):
    import torch
    import torchaudio.transforms as T
    y = torch.from_numpy(np.load(d / "speech600.npy"))
    melkw = dict(n_fft=512, hop_length=160, n_mels=64, power=2.0, norm="slaney", mel_scale="slaney",
                 pad_mode="constant")
    if mfcc:
        f = T.MFCC(sample_rate=SR, n_mfcc=20, melkwargs=melkw)
    else:
        mel, db = T.MelSpectrogram(sample_rate=SR, **melkw), T.AmplitudeToDB("power", top_db=80.0)
        f = lambda x: db(mel(x))  # noqa: E731

    def body():
        with torch.inference_mode():
            return dict(items=1, out=f(y).numpy())
    return body


def _extract_dir_python(d):
    """2,000 files → .npy the way a Python user writes it: soundfile + librosa, mel basis cached."""
    import librosa
    import soundfile as sf
    files = sorted((d / "clips").glob("*.wav"))
    out = d.parent / "extract-python"
    out.mkdir(parents=True, exist_ok=True)
    basis = librosa.filters.mel(sr=SR, n_fft=512, n_mels=64)

    def body():
        for f in files:
            y, _ = sf.read(f, dtype="float32")
            s = np.abs(librosa.stft(y, n_fft=512, hop_length=160)) ** 2
            np.save(out / (f.stem + ".npy"), librosa.power_to_db(basis @ s, ref=1.0, top_db=80.0))
        return dict(items=len(files), shape=[len(files)])
    return body


def _fresh_folder(out):
    """The untimed reset of a fresh-folder row: `out` removed and made again, empty."""
    def reset():
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
    return reset


def _hog_dir_python(d, fresh):
    """1,000 PNG windows → .npy HoG the way a Python user writes it: cv2.imread + HOGDescriptor +
    np.save, over the earlier outputs or (`fresh`) into an emptied folder."""
    import cv2
    files = sorted((d / "window-pngs").glob("*.png"))
    out = d.parent / ("hog-dir-fresh-python" if fresh else "hog-dir-python")
    out.mkdir(parents=True, exist_ok=True)
    hog = cv2.HOGDescriptor((64, 128), (16, 16), (8, 8), (8, 8), 9)

    def body():
        for f in files:
            np.save(out / (f.stem + ".npy"), hog.compute(cv2.imread(str(f), cv2.IMREAD_GRAYSCALE)))
        return dict(items=len(files), shape=[len(files)])
    if fresh:
        body.reset = _fresh_folder(out)
    return body


def _fs_floor(d, fresh, protocol):
    """The file-system work alone of the HoG folder rows, in a warm Python loop: read each of the
    1,000 PNGs and write a file of the size of its .npy output (HoG of 128×64: 3,780 float32 + the
    128-byte header), with no decoding or computing, in one side's way of writing:
    `plain` is np.save's (open with O_TRUNC, write, close); `percept` is `percept extract`'s
    (Sources/PerceptIO/AtomicWriter.swift): a complete temporary file renamed over a new name, and
    over an existing output the previous output's inode (the spare) overwritten in place and swapped
    in with renameat2(RENAME_EXCHANGE). `fresh` empties the folder before each run (untimed)."""
    import ctypes
    files = sorted((d / "window-pngs").glob("*.png"))
    out = d.parent / f"fs-floor-{protocol}{'-fresh' if fresh else ''}"
    out.mkdir(parents=True, exist_ok=True)
    payload = bytes(128 + 4 * 3780)
    renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    at_fdcwd, rename_exchange = -100, 2
    spare = str(out / ".spare.tmp")

    def write_percept(target):
        exists = os.path.exists(target)
        tmp = spare if exists and os.path.exists(spare) else str(out / f".{os.path.basename(target)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o644)   # the spare is overwritten, never truncated to zero
        os.write(fd, payload)
        os.close(fd)
        if exists and renameat2(at_fdcwd, tmp.encode(), at_fdcwd, target.encode(), rename_exchange) == 0:
            if tmp != spare:
                os.rename(tmp, spare)   # the first swap of a run: its old output becomes the spare
            return
        os.rename(tmp, target)

    def body():
        for f in files:
            with open(f, "rb") as src:
                src.read()
            target = str(out / (f.stem + ".npy"))
            if protocol == "percept":
                write_percept(target)
            else:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, payload)
                os.close(fd)
        if os.path.exists(spare):
            os.unlink(spare)   # as the writer's finish() at the end of a run
        return dict(items=len(files), shape=[len(files)])
    if fresh:
        body.reset = _fresh_folder(out)
    return body


def _librosa_extract_long(d):
    """`percept extract melspectrogram` of the 600 s WAV as a warm Python process does it:
    soundfile read + librosa log-mel (the logmel row's parameters) + np.save."""
    import librosa
    import soundfile as sf
    path, out = d / "speech600.wav", d.parent / "extract-logmel-librosa.npy"

    def body():
        y, _ = sf.read(path, dtype="float32")
        s = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=160, n_mels=64, power=2.0)
        np.save(out, librosa.power_to_db(s, ref=1.0, top_db=80.0))
        return dict(items=1, npy=out)
    return body


def _opencv_extract_png(d):
    """`percept extract sobel --mode magnitude` of the 4096² PNG in a warm Python process:
    cv2.imread + /255 + Sobel gx, gy (CV_32F, ksize 3, reflect-101) + cv2.magnitude + np.save."""
    import cv2
    path, out = str(d / "image4096.png"), d.parent / "extract-png-opencv.npy"

    def body():
        img = cv2.imread(path, cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255
        gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101)
        gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101)
        np.save(out, cv2.magnitude(gx, gy))
        return dict(items=1, npy=out)
    return body


def _opencv_sobel(d):
    import cv2
    img = np.load(d / "image4096.npy")

    def body():
        gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
        return dict(items=1, out=cv2.magnitude(gx, gy), bytes=4 * img.size * 4)
    return body


def _opencv_pyramid(d):
    import cv2
    img = np.load(d / "image4096.npy")

    def body():
        x, nbytes = img, 0
        for _ in range(5):
            y = cv2.pyrDown(x)
            nbytes += 4 * (x.size + y.size)
            x = y
        return dict(items=1, out=x, bytes=nbytes)
    return body


def _hog_cv(d, name, win, cell):
    import cv2
    imgs = (np.load(d / name) * 255 + 0.5).astype(np.uint8)   # HOGDescriptor takes 8-bit images
    h, w = win
    hog = cv2.HOGDescriptor((w, h), (2 * cell, 2 * cell), (cell, cell), (cell, cell), 9)

    def body():
        out = np.stack([hog.compute(im) for im in imgs])
        return dict(items=len(imgs), out=out, bytes=4 * (imgs.size + out.size))
    return body


def _hog_skimage(d, name, cell):
    from skimage.feature import hog
    imgs = np.load(d / name)

    def body():
        out = np.stack([hog(im, orientations=9, pixels_per_cell=(cell, cell), cells_per_block=(2, 2),
                            block_norm="L2-Hys") for im in imgs])
        return dict(items=len(imgs), out=out, bytes=4 * (imgs.size + out.size))
    return body


def _albumentations(d):
    import albumentations as A
    import cv2
    imgs = np.load(d / "digits10000.npy")[..., None]   # HWC float32
    chain = A.Compose([
        A.HorizontalFlip(p=0.5),
        A.PadIfNeeded(min_height=32, min_width=32, border_mode=cv2.BORDER_REFLECT_101),
        A.RandomCrop(height=28, width=28),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=1.0),
        A.GaussNoise(std_range=(0.02, 0.1), p=1.0),
    ], seed=0)

    def body():
        out = np.stack([chain(image=im)["image"] for im in imgs])
        return dict(items=len(imgs), out=out)
    return body


def _audiomentations(d):
    import audiomentations as am
    clips = np.load(d / "clips2000.npy")
    chain = am.Compose([
        am.Gain(min_gain_db=-6.0, max_gain_db=6.0, p=1.0),
        am.AddGaussianSNR(min_snr_db=10.0, max_snr_db=30.0, p=1.0),
        am.Shift(min_shift=-0.2, max_shift=0.2, shift_unit="fraction", rollover=True, p=1.0),
    ])
    np.random.seed(0)

    def body():
        out = np.stack([chain(samples=c, sample_rate=SR) for c in clips])
        return dict(items=len(clips), out=out)
    return body


# --- PyTorch: the LeNet-like net of the engine issue, in its fastest CPU form (channels_last). ---

def lenet(in_hw, bn=False):
    """bn: nn.BatchNorm2d after each convolution (the cnn-train-bn row)."""
    import torch.nn as nn
    h, w = in_hw
    norm = (lambda c: [nn.BatchNorm2d(c)]) if bn else (lambda c: [])
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding="same"), *norm(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding="same"), *norm(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * (h // 2 // 2) * (w // 2 // 2), 128), nn.ReLU(), nn.Linear(128, 10))


def lenet_flops(in_hw):
    """Forward FLOPs per sample (2 per multiply-add) of the conv and dense layers."""
    h, w = in_hw
    c1 = 2 * 32 * 1 * 25 * h * w
    h2, w2 = h // 2, w // 2
    c2 = 2 * 64 * 32 * 25 * h2 * w2
    d = 2 * (64 * (h2 // 2) * (w2 // 2) * 128 + 128 * 10)
    return c1 + c2 + d


def _torch_cnn(d, x_name, y_name, train, batch, bn=False):
    import torch
    torch.manual_seed(0)
    x = torch.from_numpy(np.load(d / x_name)).contiguous(memory_format=torch.channels_last)
    y = torch.from_numpy(np.load(d / y_name)).long()
    hw = tuple(x.shape[2:])
    model = lenet(hw, bn).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    fwd = lenet_flops(hw)

    def body():
        total = 0.0
        if train:
            model.train()
            for s in range(0, n, batch):   # the last, partial batch too, as Percept's trainer does
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x[s:s + batch]), y[s:s + batch])
                loss.backward()
                opt.step()
                total += float(loss.detach())
            return dict(items=n, flops=3 * fwd * n, checksum=total)
        model.eval()
        with torch.inference_mode():
            for s in range(0, n, batch):
                total += float(model(x[s:s + batch]).sum())
        return dict(items=n, flops=fwd * n, checksum=total)
    return body


def _torch_recurrent(d, cell):
    """One recurrent layer (hidden 128) and a linear head on the last state; batch 32, Adam."""
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    x = torch.from_numpy(np.load(d / "seq1024.npy"))
    y = torch.from_numpy(np.load(d / "seq1024-labels.npy")).long()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = cell(40, 128, batch_first=True)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch, (n, frames, features) = 32, x.shape
    gates = 3 if cell is nn.GRU else 4
    flops = 3 * 2 * gates * 128 * (features + 128) * frames * n   # as percept-bench counts them

    def body():
        total = 0.0
        for s in range(0, n, batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[s:s + batch]), y[s:s + batch])
            loss.backward()
            opt.step()
            total += float(loss.detach())
        return dict(items=n, flops=flops, checksum=total)
    return body


def _script(name, extra, cache=None, fresh=False):
    """A whole reference script as one timed process (imports, decoding, training, evaluation and
    writes included), as `percept run` is timed: Benchmarks/NAME with BENCH_THREADS threads.
    `cache` names an .npz of decoded clips: removed before every run (`fresh`) or warmed once."""
    def prepare(d):
        out = d.parent / f"{name.removesuffix('.py')}-pytorch"
        cache_path = d.parent / cache if cache else None
        cmd = [sys.executable, str(HERE / name), "--threads", str(THREADS), "--out", str(out)] + extra
        if cache_path:
            cmd += ["--cache", str(cache_path)]
            if not fresh:
                subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)   # warm the cache

        def body():   # one whole process: no warm-up run (see run()); time and usage are the child's
            return dict(items=1, shape=[1], proc=spawn_timed(cmd))
        body.warm_up = False
        if cache_path and fresh:
            body.reset = lambda: cache_path.unlink(missing_ok=True)
        return body
    return prepare


def spawn_timed(cmd):
    """Runs `cmd` (stdout discarded) and reaps it with wait4: its wall time, page faults, CPU
    seconds and peak RSS, as percept-bench's spawnTimed reports the Percept side's."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, u = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise subprocess.CalledProcessError(p.returncode, cmd)
    return dict(seconds=seconds, minflt=u.ru_minflt, majflt=u.ru_majflt, user=u.ru_utime, sys=u.ru_stime,
                rss_mib=u.ru_maxrss / 1024)


# (workload, library) → factory(inputs dir) → body
REFERENCES = {
    ("logmel", "librosa"): lambda d: _librosa_spectral(d, mfcc=False),
    ("logmel", "torchaudio"): lambda d: _torchaudio_spectral(d, mfcc=False),
    ("mfcc", "librosa"): lambda d: _librosa_spectral(d, mfcc=True),
    ("mfcc", "torchaudio"): lambda d: _torchaudio_spectral(d, mfcc=True),
    ("extract-logmel-600s", "librosa"): _librosa_extract_long,
    ("extract-png-4096", "opencv"): _opencv_extract_png,
    ("extract-dir", "librosa-loop"): _extract_dir_python,
    ("logmel-stream", "librosa"): _librosa_stream,
    ("hog-dir", "opencv-loop"): lambda d: _hog_dir_python(d, fresh=False),
    ("hog-dir", "fs-floor-plain"): lambda d: _fs_floor(d, fresh=False, protocol="plain"),
    ("hog-dir", "fs-floor-percept"): lambda d: _fs_floor(d, fresh=False, protocol="percept"),
    ("hog-dir-fresh", "opencv-loop"): lambda d: _hog_dir_python(d, fresh=True),
    ("hog-dir-fresh", "fs-floor-plain"): lambda d: _fs_floor(d, fresh=True, protocol="plain"),
    ("hog-dir-fresh", "fs-floor-percept"): lambda d: _fs_floor(d, fresh=True, protocol="percept"),
    ("sobel", "opencv"): _opencv_sobel,
    ("pyramid", "opencv"): _opencv_pyramid,
    ("hog-mnist", "opencv"): lambda d: _hog_cv(d, "digits10000.npy", (28, 28), 7),
    ("hog-mnist", "skimage"): lambda d: _hog_skimage(d, "digits10000.npy", 7),
    ("hog-person", "opencv"): lambda d: _hog_cv(d, "windows1000.npy", (128, 64), 8),
    ("hog-person", "skimage"): lambda d: _hog_skimage(d, "windows1000.npy", 8),
    ("augment-image", "albumentations"): _albumentations,
    ("augment-audio", "audiomentations"): _audiomentations,
    ("cnn-train-28", "torch"): lambda d: _torch_cnn(d, "digits2000.npy", "labels2000.npy", True, 64),
    ("cnn-train-bn", "torch"): lambda d: _torch_cnn(d, "digits2000.npy", "labels2000.npy", True, 64, bn=True),
    ("cnn-infer-28", "torch"): lambda d: _torch_cnn(d, "digits2000.npy", "labels2000.npy", False, 256),
    ("cnn-train-spec", "torch"): lambda d: _torch_cnn(d, "spec256.npy", "spec256-labels.npy", True, 64),
    ("cnn-infer-spec", "torch"): lambda d: _torch_cnn(d, "spec512.npy", "spec512-labels.npy", False, 256),
    ("lstm-train", "torch"): lambda d: _torch_recurrent(d, __import__("torch").nn.LSTM),
    ("gru-train", "torch"): lambda d: _torch_recurrent(d, __import__("torch").nn.GRU),
    ("mnist-e2e", "torch"): _script("mnist_e2e.py", []),
    ("spoken-e2e-first", "librosa-torch"): _script("spoken_e2e.py", [], cache="spoken-e2e-cache.npz", fresh=True),
    ("spoken-e2e-cached", "librosa-torch"): _script("spoken_e2e.py", [], cache="spoken-e2e-cache-warm.npz"),
}


def pin_threads():
    """Pins the libraries that size their own pools (BLAS/OpenMP are pinned by the environment)."""
    mods = sys.modules
    if "torch" in mods:
        mods["torch"].set_num_threads(THREADS)
        try:
            mods["torch"].set_num_interop_threads(1)
        except RuntimeError:   # already set once parallel work has started
            pass
    if "cv2" in mods:
        mods["cv2"].setNumThreads(THREADS)


def run(workload, lib, inputs, iters):
    key = (workload, lib)
    if key not in REFERENCES:
        sys.exit(f"reference.py: no reference '{lib}' for workload '{workload}'")
    body = REFERENCES[key](Path(inputs))
    pin_threads()
    reset = getattr(body, "reset", lambda: None)   # untimed, before every run (fresh-folder rows)
    info = {}
    if getattr(body, "warm_up", True):
        reset()
        info = body()
    times, usage = [], []
    for _ in range(iters):
        reset()
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        info = body()
        t1 = time.perf_counter()
        u1 = resource.getrusage(resource.RUSAGE_SELF)
        proc = info.pop("proc", None)   # a whole child process: its own time and usage
        usage.append(proc or dict(minflt=u1.ru_minflt - u0.ru_minflt, majflt=u1.ru_majflt - u0.ru_majflt,
                                  user=u1.ru_utime - u0.ru_utime, sys=u1.ru_stime - u0.ru_stime))
        times.append(proc["seconds"] if proc else t1 - t0)
    out = info.pop("out", None)
    if out is not None:
        info.setdefault("shape", list(np.shape(out)))
        info.setdefault("checksum", float(np.sum(out, dtype=np.float64)))
    npy = info.pop("npy", None)   # an output file: its shape, read after the timed runs
    if npy is not None:
        info.setdefault("shape", list(np.load(npy, mmap_mode="r").shape))
    record = dict(workload=workload, side=lib, threads=THREADS, times=times, items=info.get("items", 1),
                  flops=info.get("flops", 0.0), bytes=info.get("bytes", 0.0), shape=info.get("shape", []),
                  checksum=info.get("checksum", 0.0))
    for k in ("minflt", "majflt", "user", "sys"):
        record[k] = [u[k] for u in usage]
    if all("rss_mib" in u for u in usage):
        record["proc_rss_mib"] = [u["rss_mib"] for u in usage]
    if "accuracy" in info:
        record["accuracy"] = info["accuracy"]
    print(json.dumps(record))


def main(argv):
    if len(argv) >= 2 and argv[0] == "gen-inputs":
        gen_inputs(argv[1])
        return
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--inputs", default=str(ROOT / "out/bench/inputs"))
    ap.add_argument("--iters", type=int, default=3)
    a = ap.parse_args(argv)
    run(a.workload, a.lib, a.inputs, max(1, a.iters))


if __name__ == "__main__":
    main(sys.argv[1:])
