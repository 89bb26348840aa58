#!/usr/bin/env python3
"""Reference fixtures for PerceptAudioTests, computed with librosa 0.11 / scipy.

    /work/venv-ref/bin/python Tests/PerceptAudioTests/Fixtures/generate.py

Writes small float32 .npy files next to this script and cases.json, which lists every case:
its kind, parameters, input and expected files, and the tolerance. References are computed in
float64; as in ../shared/checks, tol = max(contract, 4 x |float32 pipeline - float64 reference|)
with contract = 1e-4 x max(1, max|ref|) for linear outputs and 1e-3 dB for dB outputs.
Deterministic (seeded generators); the tests need no Python.
"""
import json
import os
import warnings

import librosa
import numpy as np
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.filterwarnings("ignore", category=UserWarning)
rng = np.random.default_rng(20261123)
cases = []


def save(name, arr):
    np.save(os.path.join(HERE, name), np.ascontiguousarray(np.asarray(arr, dtype=np.float32)))
    return name


def signal(name, sr, n, kind="mix"):
    t = np.arange(n) / sr
    if kind == "mix":
        y = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * (sr / 7) * t + 0.3)
        y += 0.05 * rng.standard_normal(n)
        y *= np.linspace(0.2, 1.0, n)
    elif kind == "chirp":
        y = 0.8 * scipy.signal.chirp(t, f0=50, t1=max(t[-1], 1e-3), f1=sr * 0.45)
    else:
        y = 0.3 * rng.standard_normal(n)
    y = y.astype(np.float32)
    save(name, y)
    return y


def tol_linear(ref64, ref32):
    contract = 1e-4 * max(1.0, float(np.max(np.abs(ref64)))) if ref64.size else 1e-4
    disc = float(np.max(np.abs(ref64 - ref32))) if ref64.size else 0.0
    return max(contract, 4 * disc)


def tol_db(ref64, ref32):
    disc = float(np.max(np.abs(ref64 - ref32))) if ref64.size else 0.0
    return max(1e-3, 4 * disc)


def add(**kw):
    cases.append(kw)


# ---------------------------------------------------------------- windows
for win in ["hann", "hamming", "blackman", "boxcar"]:
    for n in [1, 7, 400, 401]:
        for periodic in [True, False]:
            w = scipy.signal.get_window(win, n, fftbins=periodic)
            name = f"win_{win}_{n}_{'p' if periodic else 's'}.npy"
            add(kind="window", id=name[:-4], window=win, length=n, periodic=periodic, expected=save(name, w),
                tol=1e-6)

# ---------------------------------------------------------------- signals
sig = {
    "mix_16k_4001": (16000, signal("in_mix_16k_4001.npy", 16000, 4001)),
    "chirp_8k_2999": (8000, signal("in_chirp_8k_2999.npy", 8000, 2999, "chirp")),
    "noise_44k_3000": (44100, signal("in_noise_44k_3000.npy", 44100, 3000, "noise")),
    "mix_48k_5003": (48000, signal("in_mix_48k_5003.npy", 48000, 5003)),
    "short_300": (16000, signal("in_short_300.npy", 16000, 300, "noise")),
    "tiny_5": (16000, signal("in_tiny_5.npy", 16000, 5, "noise")),
    "one_1": (16000, signal("in_one_1.npy", 16000, 1, "noise")),
}


def stft_ref(y, power, **kw):
    S64 = np.abs(librosa.stft(y.astype(np.float64), **kw)) ** power
    win = kw.pop("window", "hann")
    wl = kw.get("win_length") or kw.get("n_fft", 2048)
    w32 = scipy.signal.get_window(win, wl, fftbins=True).astype(np.float32)
    S32 = np.abs(librosa.stft(y.astype(np.float32), window=w32, **kw)) ** power
    return S64, S32


stft_cases = [
    ("mix_16k_4001", dict(n_fft=512, hop_length=160), 2),
    ("mix_16k_4001", dict(n_fft=400, hop_length=160, win_length=320, window="hamming"), 2),
    ("mix_16k_4001", dict(n_fft=301, hop_length=77, pad_mode="reflect"), 1),
    ("mix_16k_4001", dict(n_fft=512, hop_length=400, pad_mode="reflect"), 2),
    ("mix_16k_4001", dict(n_fft=512, hop_length=500, pad_mode="symmetric"), 2),
    ("mix_16k_4001", dict(n_fft=256, hop_length=256, pad_mode="edge", window="blackman"), 1.5),
    ("mix_16k_4001", dict(n_fft=1024, hop_length=256, center=False), 1),
    ("mix_16k_4001", dict(n_fft=2048), 2),
    ("chirp_8k_2999", dict(n_fft=256, hop_length=80, window="boxcar"), 2),
    ("chirp_8k_2999", dict(n_fft=255, hop_length=64, center=False, win_length=200), 2),
    ("noise_44k_3000", dict(n_fft=1024, hop_length=441, pad_mode="reflect"), 2),
    ("mix_48k_5003", dict(n_fft=960, hop_length=480, win_length=720), 1),
    ("short_300", dict(n_fft=512, hop_length=128), 2),
    ("short_300", dict(n_fft=512, hop_length=128, pad_mode="reflect"), 2),
    ("short_300", dict(n_fft=1024, pad_mode="reflect"), 2),
    ("short_300", dict(n_fft=300, hop_length=1, center=False), 2),
    ("tiny_5", dict(n_fft=64, hop_length=16), 2),
    ("tiny_5", dict(n_fft=64, hop_length=16, pad_mode="reflect"), 2),
    ("tiny_5", dict(n_fft=16, hop_length=3, pad_mode="symmetric"), 2),
    ("one_1", dict(n_fft=32, hop_length=8, pad_mode="reflect"), 1),
    ("one_1", dict(n_fft=33, hop_length=8), 1),
    ("mix_16k_4001", dict(n_fft=256, hop_length=600, pad_mode="reflect"), 2),
    ("short_300", dict(n_fft=128, hop_length=200), 2),
    ("short_300", dict(n_fft=64, hop_length=290, pad_mode="symmetric"), 2),
]
for i, (s, kw, power) in enumerate(stft_cases):
    sr, y = sig[s]
    S64, S32 = stft_ref(y, power, **dict(kw))
    name = f"stft_{i:02d}.npy"
    add(kind="stft", id=f"stft_{i:02d}_{s}", input=f"in_{s}.npy", power=power,
        n_fft=kw["n_fft"], hop_length=kw.get("hop_length"), win_length=kw.get("win_length"),
        window=kw.get("window", "hann"), center=kw.get("center", True), pad_mode=kw.get("pad_mode", "constant"),
        expected=save(name, S64), tol=tol_linear(S64, S32))

# complex STFT and inverse STFT
for i, (s, kw, length) in enumerate([
    ("mix_16k_4001", dict(n_fft=512, hop_length=128), None),
    ("chirp_8k_2999", dict(n_fft=400, hop_length=100, win_length=300, window="hamming"), 2999),
    ("chirp_8k_2999", dict(n_fft=256, hop_length=64, center=False), None),
    ("short_300", dict(n_fft=128, hop_length=32, pad_mode="reflect"), 300),
]):
    sr, y = sig[s]
    D = librosa.stft(y.astype(np.float64), **kw)
    ikw = {k: v for k, v in kw.items() if k != "pad_mode"}
    yi = librosa.istft(D, length=length, **ikw)
    yi32 = librosa.istft(D.astype(np.complex64), length=length, **ikw)
    add(kind="istft", id=f"istft_{i}_{s}", input=f"in_{s}.npy", n_fft=kw["n_fft"], hop_length=kw["hop_length"],
        win_length=kw.get("win_length"), window=kw.get("window", "hann"), center=kw.get("center", True),
        pad_mode=kw.get("pad_mode", "constant"), length=length,
        real=save(f"stft_re_{i}.npy", D.real), imag=save(f"stft_im_{i}.npy", D.imag),
        expected=save(f"istft_{i}.npy", yi), tol=tol_linear(yi, yi32))

# ---------------------------------------------------------------- mel filterbanks
mel_cases = [
    dict(sr=16000, n_fft=512, n_mels=64),
    dict(sr=22050, n_fft=1024, n_mels=64),
    dict(sr=8000, n_fft=256, n_mels=40, fmin=100.0, fmax=3800.0),
    dict(sr=44100, n_fft=512, n_mels=40, htk=True),
    dict(sr=48000, n_fft=480, n_mels=48, htk=True, norm=None),
    dict(sr=16000, n_fft=401, n_mels=32, norm=None, fmin=30.0),
    dict(sr=8000, n_fft=128, n_mels=64),  # empty filters
]
for i, kw in enumerate(mel_cases):
    M = librosa.filters.mel(dtype=np.float64, **kw)
    M32 = librosa.filters.mel(dtype=np.float32, **kw)
    norm = kw.get("norm", "slaney")
    add(kind="melbank", id=f"melbank_{i}", sr=kw["sr"], n_fft=kw["n_fft"], n_mels=kw["n_mels"],
        fmin=kw.get("fmin", 0.0), fmax=kw.get("fmax"), htk=kw.get("htk", False),
        norm="none" if norm is None else norm, empty=bool(np.any(M.max(axis=1) == 0)),
        expected=save(f"melbank_{i}.npy", M), tol=tol_linear(M, M32))


# ---------------------------------------------------------------- mel spectrogram / dB / MFCC
def mel_pipeline(y, sr, kw, db=None, mfcc=None):
    """Float64 reference and float32 pipeline of melspectrogram (+ power_to_db) (+ mfcc)."""
    out = []
    for dt in (np.float64, np.float32):
        k = dict(kw)
        win = k.pop("window", "hann")
        wl = k.get("win_length") or k.get("n_fft", 2048)
        w = scipy.signal.get_window(win, wl, fftbins=True).astype(dt) if dt == np.float32 else win
        htk, norm = k.pop("htk", False), k.pop("norm", "slaney")
        fmin, fmax, n_mels = k.pop("fmin", 0.0), k.pop("fmax", None), k.pop("n_mels", 128)
        n_fft = k.get("n_fft", 2048)
        power = k.pop("power", 2.0)
        S = np.abs(librosa.stft(y.astype(dt), window=w, **k)) ** power
        mb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=dt)
        M = mb @ S
        if db is not None or mfcc is not None:
            M = librosa.power_to_db(M, ref=1.0, amin=1e-10, top_db=(db or {}).get("top_db", 80.0))
        if mfcc is not None:
            M = librosa.feature.mfcc(S=M, n_mfcc=mfcc.get("n_mfcc", 20), dct_type=mfcc.get("dct_type", 2),
                                     norm=mfcc.get("norm", "ortho"), lifter=mfcc.get("lifter", 0))
        out.append(M)
    return out


def check_against_librosa(y, sr, kw, db, mfcc, ref):
    """The hand-written float64 chain must equal librosa's own call (guards the fixture script)."""
    k = dict(kw)
    if "norm" in k:
        k["norm"] = k["norm"]
    if mfcc is None:
        M = librosa.feature.melspectrogram(y=y.astype(np.float64), sr=sr, **k)
        if db is not None:
            M = librosa.power_to_db(M, ref=1.0, amin=1e-10, top_db=db.get("top_db", 80.0))
    else:
        k["mel_norm"] = k.pop("norm", "slaney")
        M = librosa.feature.mfcc(y=y.astype(np.float64), sr=sr, n_mfcc=mfcc.get("n_mfcc", 20),
                                 dct_type=mfcc.get("dct_type", 2), norm=mfcc.get("norm", "ortho"),
                                 lifter=mfcc.get("lifter", 0), **k)
    assert M.shape == ref.shape and np.allclose(M, ref, rtol=1e-5, atol=1e-4), "fixture chain differs from librosa"


feature_cases = [
    ("mix_16k_4001", dict(n_fft=512, hop_length=160, n_mels=64), None, None),
    ("mix_16k_4001", dict(n_fft=512, hop_length=160, n_mels=64), dict(top_db=80.0), None),
    ("mix_16k_4001", dict(n_fft=1024, hop_length=200, n_mels=32, fmin=100.0, fmax=4000.0), dict(top_db=50.0), None),
    ("chirp_8k_2999", dict(n_fft=256, hop_length=80, n_mels=40, htk=True, norm=None), None, None),
    ("noise_44k_3000", dict(n_fft=2048, hop_length=512, n_mels=128, pad_mode="reflect", window="hamming"), dict(top_db=80.0), None),
    ("mix_48k_5003", dict(n_fft=960, hop_length=480, n_mels=48, center=False, power=1.0), None, None),
    ("short_300", dict(n_fft=512, hop_length=128, n_mels=40), dict(top_db=80.0), None),
    ("mix_16k_4001", dict(n_fft=512, hop_length=160, n_mels=40), None, dict(n_mfcc=13)),
    ("mix_16k_4001", dict(n_fft=400, hop_length=128, n_mels=40), None, dict(n_mfcc=13, lifter=22)),
    ("chirp_8k_2999", dict(n_fft=256, hop_length=64, n_mels=32, htk=True), None, dict(n_mfcc=24, norm=None)),
    ("noise_44k_3000", dict(n_fft=1024, hop_length=256, n_mels=64), None, dict(n_mfcc=16, dct_type=3)),
    ("mix_48k_5003", dict(n_fft=1024, hop_length=512, n_mels=40), None, dict(n_mfcc=20, dct_type=1)),
    ("mix_48k_5003", dict(n_fft=1024, hop_length=512, n_mels=40), None, dict(n_mfcc=20, dct_type=3, norm=None)),
    ("tiny_5", dict(n_fft=64, hop_length=16, n_mels=8), None, dict(n_mfcc=8)),
]
for i, (s, kw, db, mfcc) in enumerate(feature_cases):
    sr, y = sig[s]
    R64, R32 = mel_pipeline(y, sr, kw, db, mfcc)
    check_against_librosa(y, sr, kw, db, mfcc, R64)
    kind = "mfcc" if mfcc is not None else ("logmel" if db is not None else "mel")
    tol = tol_db(R64, R32) if kind == "logmel" else tol_linear(R64, R32)
    case = dict(kind=kind, id=f"{kind}_{i:02d}_{s}", input=f"in_{s}.npy", sr=sr,
                n_fft=kw["n_fft"], hop_length=kw.get("hop_length"), win_length=kw.get("win_length"),
                window=kw.get("window", "hann"), center=kw.get("center", True),
                pad_mode=kw.get("pad_mode", "constant"), power=kw.get("power", 2.0),
                n_mels=kw.get("n_mels", 128), fmin=kw.get("fmin", 0.0), fmax=kw.get("fmax"),
                htk=kw.get("htk", False), norm="none" if kw.get("norm", "slaney") is None else "slaney",
                top_db=(db or {}).get("top_db", 80.0) if (db or mfcc) is not None else None,
                expected=save(f"{kind}_{i:02d}.npy", R64), tol=tol)
    if mfcc is not None:
        case.update(n_mfcc=mfcc.get("n_mfcc", 20), dct_type=mfcc.get("dct_type", 2),
                    dct_norm="none" if mfcc.get("norm", "ortho") is None else "ortho", lifter=mfcc.get("lifter", 0))
    add(**case)

# ---------------------------------------------------------------- dB conversions on their own
P = (np.abs(rng.standard_normal((6, 50))) ** 4 * 1e-3).astype(np.float32)
P[0, :5] = 0
save("db_in.npy", P)
for i, (fn, kw) in enumerate([
    ("power", dict(ref=1.0, amin=1e-10, top_db=80.0)),
    ("power", dict(ref=1.0, amin=1e-10, top_db=None)),
    ("power", dict(ref=0.5, amin=1e-6, top_db=40.0)),
    ("power", dict(ref="max", amin=1e-10, top_db=60.0)),
    ("amplitude", dict(ref=1.0, amin=1e-5, top_db=80.0)),
    ("amplitude", dict(ref="max", amin=1e-5, top_db=None)),
]):
    k = dict(kw)
    if k["ref"] == "max":
        k["ref"] = np.max
    f = librosa.power_to_db if fn == "power" else librosa.amplitude_to_db
    R = f(P.astype(np.float64), **k)
    R32 = f(P, **k)
    add(kind="db", id=f"db_{i}_{fn}", input="db_in.npy", scale=fn, ref=kw["ref"], amin=kw["amin"],
        top_db=kw["top_db"], expected=save(f"db_{i}.npy", R), tol=tol_db(R, R32))

# ---------------------------------------------------------------- deltas
C = rng.standard_normal((5, 23)).cumsum(axis=1).astype(np.float32)
save("delta_in.npy", C)
for i, (width, order) in enumerate([(9, 1), (9, 2), (5, 1), (3, 1), (7, 3), (23, 2)]):
    R = librosa.feature.delta(C.astype(np.float64), width=width, order=order)
    add(kind="delta", id=f"delta_{i}_w{width}_o{order}", input="delta_in.npy", width=width, order=order,
        expected=save(f"delta_{i}.npy", R), tol=tol_linear(R, R))

with open(os.path.join(HERE, "cases.json"), "w") as f:
    json.dump(cases, f, indent=1)
total = sum(os.path.getsize(os.path.join(HERE, p)) for p in os.listdir(HERE) if p.endswith(".npy"))
print(f"{len(cases)} cases, {total / 1024:.0f} KiB of .npy")
