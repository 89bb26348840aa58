"""Hostile inputs of issue #16, each a few bytes to a few kB, for HostileInputTests.

Run from this folder in a venv with numpy==2.4.6 and soundfile==0.14.0 (libsndfile's FLAC
encoder; not needed by the tests):  python make_hostile.py
"""
import gzip
import io
import random
import struct

import numpy as np
import soundfile as sf


def wav(name, sr, data, fmt=1, bits=16):
    ba = bits // 8
    hdr = (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
           + struct.pack("<IHHIIHH", 16, fmt, 1, sr, sr * ba, ba, bits)
           + b"data" + struct.pack("<I", len(data)))
    open(name, "wb").write(hdr + data)


# IDX whose three dimensions are 0xffffffff: their product overflows 64 bits.
open("huge-dims.idx", "wb").write(b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3)
# 33-byte gzip of an IDX header claiming 16 GB of images and no data.
open("claims-16gb.idx.gz", "wb").write(gzip.compress(b"\x00\x00\x08\x03" + struct.pack(">III", 16_000_000_000 // 784, 28, 28), mtime=0))
# .npz of one 4-float member whose local and central headers claim ~4 GB.
buf = io.BytesIO()
np.savez(buf, a=np.zeros(4, np.float32))
b = bytearray(buf.getvalue())
cd, lh = b.find(b"PK\x01\x02"), b.find(b"PK\x03\x04")
for off in (cd + 20, cd + 24, lh + 18, lh + 22):
    struct.pack_into("<I", b, off, 0xFFFFFFF0)
open("claims-4gb.npz", "wb").write(b)
# FLAC of one second whose STREAMINFO claims 2·10⁹ samples (8 GB as float32).
x = (np.sin(np.arange(16000) * 0.05) * 0.3).astype(np.float32)
flac = io.BytesIO()
sf.write(flac, x, 16000, format="FLAC")
b = bytearray(flac.getvalue())
v = int.from_bytes(b[18:26], "big")
b[18:26] = ((v & ~((1 << 36) - 1)) | 2_000_000_000).to_bytes(8, "big")
open("claims-2e9.flac", "wb").write(b)
# WAV whose header says 1 Hz: `--sr 1536000` would ask for 6 GB.
wav("sr1.wav", 1, b"\x00\x01" * 1000)
# Float WAV with samples near 3e37: the power spectrogram overflows float32.
wav("huge-float.wav", 16000, struct.pack("<f", 3e37) * 2048, fmt=3, bits=32)
# Bytes libsndfile probes as MPEG layer 3: libmpg123 prints its complaints on stderr.
random.seed(1)
frame = b"\xff\xfb\x90\x64" + bytes(random.getrandbits(8) for _ in range(413))
open("mpeg-garbage.wav", "wb").write(frame * 3 + bytes(random.getrandbits(8) for _ in range(500)))
