"""Reference outputs for PerceptAugment's phase-vocoder stages (librosa 0.11).

Run with the reference venv:  /work/venv-ref/bin/python generate.py
Writes small float32 .npy files beside this script; the tests never need Python.
"""
import librosa
import numpy as np

sr = 16000
t = np.arange(8000) / sr
# Three steady tones with an onset and a decay: energy in several bins, so the phase advance
# matters. No chirp or noise: where a bin's phase is undefined (near-zero magnitude) and its
# energy arrives later, FFT rounding (FFTW vs pocketfft, ~1e-5) makes the accumulated phase
# differ by whole radians between any two implementations, librosa in float32 vs float64 too.
# A sin² envelope: no abrupt start or end, whose broadband energy would land in such bins.
env = np.sin(np.pi * t / t[-1]) ** 2
y = (env * (0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t)
            + 0.1 * np.sin(2 * np.pi * 2900 * t + 1))).astype(np.float32)
np.save("pv_input.npy", y)
np.save("time_stretch_1.25.npy", librosa.effects.time_stretch(y, rate=1.25).astype(np.float32))
np.save("time_stretch_0.8.npy", librosa.effects.time_stretch(y, rate=0.8).astype(np.float32))
np.save("pitch_shift_3.npy", librosa.effects.pitch_shift(y, sr=sr, n_steps=3).astype(np.float32))
np.save("pitch_shift_-5.npy", librosa.effects.pitch_shift(y, sr=sr, n_steps=-5).astype(np.float32))

# Rotation against cv2.warpAffine (what albumentations' Rotate calls), bilinear. OpenCV
# quantises sample positions to 1/32 pixel, so the tests allow for that.
import cv2

rng = np.random.default_rng(7)
img = cv2.GaussianBlur(rng.random((24, 32)).astype(np.float32), (0, 0), 1.5)
np.save("rotate_input.npy", img)
for angle, border, name in [(17.5, cv2.BORDER_CONSTANT, "constant"), (-33.0, cv2.BORDER_REFLECT_101, "reflect_101")]:
    m = cv2.getRotationMatrix2D(((32 - 1) / 2, (24 - 1) / 2), angle, 1.0)
    out = cv2.warpAffine(img, m, (32, 24), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)
    np.save(f"rotate_{name}.npy", out.astype(np.float32))

# Hue shift as albumentations' ColorJitter does it for float images (adjust_hue_torchvision:
# RGB → HSV with cv2.cvtColor, hue + factor·360 mod 360, back to RGB). Saturated and pale colours,
# black, white and grays, so every HSV sector and the s = 0 and v = 0 cases are hit.
hue_img = rng.random((12, 10, 3)).astype(np.float32)
hue_img[0, :3] = [[0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5]]
hue_img[1, :6] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]]
np.save("hue_input.npy", np.ascontiguousarray(hue_img.transpose(2, 0, 1)))   # [C, H, W], as Percept's samples
for factor, name in [(0.1, "0.1"), (-0.3, "-0.3"), (0.5, "0.5")]:
    hsv = cv2.cvtColor(hue_img, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = np.mod(hsv[..., 0] + factor * 360, 360)
    out = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    np.save(f"hue_{name}.npy", np.ascontiguousarray(out.transpose(2, 0, 1)).astype(np.float32))
