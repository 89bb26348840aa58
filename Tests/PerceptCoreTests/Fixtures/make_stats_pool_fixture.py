#!/usr/bin/env python3
"""Writes stats_pool.json, the numpy reference that StatsPoolStageTests compares `stats_pool` with.

Pinned version (the one the committed fixture was made with): numpy==2.4.6

Run it in a virtual environment outside the repository, e.g.
    python3 -m venv /work/venv-fx && /work/venv-fx/bin/pip install numpy==2.4.6
    /work/venv-fx/bin/python Tests/PerceptCoreTests/Fixtures/make_stats_pool_fixture.py

The input is a float32 array [C, F, T], rows on very different scales (a large offset, as MFCC
coefficient 0 has, and a negative one). The expected output is what a librosa user writes,
np.concatenate([x.mean(axis=-1).ravel(), x.std(axis=-1).ravel(), ...]) in the order of `stats`,
computed on the float32 values in float64 (as the stage accumulates) and rounded once to float32.
Numbers are written with repr(), so every float32 survives the trip through JSON exactly.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(15)
c, f, t = 2, 3, 7
x = rng.normal(size=(c, f, t)).astype(np.float32)
x[0, 0] += np.float32(1000)   # a large offset: a one-pass variance would lose it
x[1, 2] *= np.float32(-40)
x = x.astype(np.float32)
x64 = x.astype(np.float64)
ops = {"mean": lambda a: a.mean(axis=-1), "std": lambda a: a.std(axis=-1),   # np.std: ddof=0
       "max": lambda a: a.max(axis=-1), "min": lambda a: a.min(axis=-1)}
cases = []
for stats in (["mean", "std"], ["max", "min", "mean"], ["std"], ["mean", "std", "max", "min"]):
    out = np.concatenate([ops[s](x64).ravel() for s in stats]).astype(np.float32)
    cases.append({"stats": stats, "expected": [float(v) for v in out]})
fixture = {"shape": [c, f, t], "input": [float(v) for v in x.ravel()], "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stats_pool.json"), "w") as fh:
    json.dump(fixture, fh, indent=1)
    fh.write("\n")
