#!/usr/bin/env python3
"""Data-parallel training on one machine: `percept run` of the MNIST pipeline as one process against
`mpirun -np 2 percept run` (docs/scale-out.md), alternating, each a whole process. Prints one JSON
object: per configuration the median wall time, training samples/s (train samples x epochs /
train_seconds from metrics.json) and, for the MPI runs, the median time of one gradient sum as rank 0
reports it (waiting for the slower rank included); and the time of one MPI_Allreduce alone for
several sizes (Benchmarks/allreduce.c, built with mpicc), with the latency + bytes / bandwidth fit
that docs/scale-out.md's cost model uses. Needs Open MPI and a release build of percept with it
(make deps; make release).

    python3 Benchmarks/mpi_bench.py --percept .build/release/percept --reps 3
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = "Pipelines/mnist-cnn.yaml"


def run(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"mpi_bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return wall, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--percept", default=str(ROOT / ".build/release/percept"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--per-class", type=int, default=1000, help="training images per class (MNIST has ~6,000)")
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    mpirun = shutil.which("mpirun")
    if not mpirun:
        sys.exit("mpi_bench: mpirun not found (apt-get install openmpi-bin libopenmpi-dev; make release)")
    common = [PIPELINE, "--set", f"+data.mnist.max_per_class={a.per_class}", "--set", f"models.cnn.train.epochs={a.epochs}", "--force"]
    # Both configurations use both cores: one process with 2 threads, or 2 ranks with 1 thread each.
    configs = {
        "1 process x 2 threads": ([a.percept, "run"], "2"),
        "2 ranks x 1 thread (mpirun -np 2)": ([mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2", a.percept, "run"], "1"),
    }
    results = {k: {"wall": [], "samples_per_s": [], "sum_ms": []} for k in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(a.reps):
            for name, (prefix, threads) in configs.items():
                out = os.path.join(tmp, "run")
                env = dict(os.environ, PERCEPT_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
                wall, err = run(prefix + common + ["--out", out], env)
                m = json.load(open(os.path.join(out, "metrics.json")))["models"]["cnn"]
                samples = m["samples"]["train"] * m["epochs"]
                results[name]["wall"].append(wall)
                results[name]["samples_per_s"].append(samples / m["train_seconds"])
                s = re.search(r"each sum of ([\d,]+) gradients .*: median ([\d.]+) ms, ([\d.]+) %", err)
                if s:
                    results[name]["sum_ms"].append(float(s.group(2)))
                    results[name]["floats"] = int(s.group(1).replace(",", ""))
                    results[name].setdefault("sum_share", []).append(float(s.group(3)))
    allreduce = measure_allreduce(mpirun)
    summary = {}
    for name, r in results.items():
        summary[name] = {
            "wall_s": statistics.median(r["wall"]),
            "samples_per_s": statistics.median(r["samples_per_s"]),
        }
        if r["sum_ms"]:
            summary[name]["sum_ms"] = statistics.median(r["sum_ms"])
            summary[name]["sum_share_percent"] = statistics.median(r["sum_share"])
            summary[name]["floats"] = r["floats"]
    print(json.dumps({"pipeline": PIPELINE, "per_class": a.per_class, "epochs": a.epochs, "reps": a.reps, "results": summary,
                      "allreduce": allreduce}, indent=1))


SIZES = [1_000, 10_000, 100_000, 454_922, 1_000_000, 4_000_000]


def measure_allreduce(mpirun):
    """Median ms of one 2-rank MPI_Allreduce per size, and the least-squares fit t = a + bytes / bw
    over sizes up to 1M floats."""
    exe = ROOT / "out/bench/allreduce"
    exe.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mpicc", "-O2", str(ROOT / "Benchmarks/allreduce.c"), "-o", str(exe)], check=True)
    p = subprocess.run([mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2", str(exe)] + [str(n) for n in SIZES],
                       capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    # The fit covers the gradient sizes of Percept's pipelines (up to 1M floats, 4 MB); past the
    # last-level cache the copy slows down, which the 4M row shows on its own.
    fitted = [r for r in rows if r["floats"] <= 1_000_000]
    xs = [4.0 * r["floats"] for r in fitted]
    ys = [r["median_ms"] / 1e3 for r in fitted]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return {"sizes": rows, "latency_us": max(0.0, (my - slope * mx)) * 1e6, "bandwidth_gb_s": 1 / slope / 1e9}


if __name__ == "__main__":
    main()
