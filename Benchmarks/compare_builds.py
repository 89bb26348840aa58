#!/usr/bin/env python3
"""Two percept-bench builds against each other on the kernel rows of `make bench`, alternately.

    compare_builds.py --before PATH --after PATH [--inputs out/bench/inputs] [--only SUBSTR]
                      [--threads "1 2"] [--reps 3] [--md FILE] [--quiet-wait 10]

For every kernel workload of bench.py's table (not the process-level rows, not the ceilings) and
every thread count, runs `percept-bench NAME --inputs DIR --iters N` from each build `reps` times,
alternating which build goes first (before, after, after, before, ...) so that a drift in the
machine's load hits both sides alike. Each run is a fresh process with the threads pinned as
bench.py pins them. The table quotes the median of all timed iterations per side and the speed of
`after` relative to `before` (above 1: after is faster), and whether both builds' checksums agree.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402  (the workload table and the bench's conventions: one source of truth)


def knows(names, workload):
    """Whether `workload` is among the usage text's names, which pads or cuts each to 18 characters."""
    return any(n == workload or (len(n) == 18 and workload.startswith(n)) for n in names)


def known_workloads(binary):
    """The workload names a percept-bench binary knows: its usage text lists them (exit 2)."""
    p = subprocess.run([binary], capture_output=True, text=True)
    lines = p.stderr.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == "workloads:"), None)
    if start is None:
        sys.exit(f"compare: {binary} printed no workload list (is it percept-bench?)")
    return {l.split()[0] for l in lines[start + 1:] if l.strip()}


def run_once(side, binary, name, inputs, iters, threads):
    """One fresh percept-bench process with pinned threads; returns its JSON record.
    Raises RuntimeError with the last line of its stderr (a missing input file says so there)."""
    env = dict(os.environ)
    env.update({k: str(threads) for k in bench.THREAD_ENV})
    p = subprocess.run([binary, name, "--inputs", inputs, "--iters", str(iters)],
                       capture_output=True, text=True, env=env, cwd=bench.ROOT)
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the {side} build's {name} exited {p.returncode}: {last}")
    return json.loads(p.stdout.strip().splitlines()[-1])


class Side:
    """The timed iterations and checksums of one build for one (workload, threads) row."""

    def __init__(self):
        self.times, self.checksums, self.items = [], [], 0

    def add(self, record):
        self.times += record["times"]
        self.checksums.append(record.get("checksum"))
        self.items = record["items"]

    def value(self, unit):
        """The row's figure, as bench.py shows it: ms per iteration, or items per second."""
        t = bench.median(self.times)
        if unit == "ms":
            return t * 1e3
        if unit == "s":
            return t
        return self.items / t


def checksums_cell(before, after):
    """'yes' when every run of both builds gave the same checksum; else 'no' with the values."""
    values = set(before.checksums) | set(after.checksums)
    if len(values) == 1 and None not in values:
        return "yes"
    b, a = sorted(set(before.checksums), key=str), sorted(set(after.checksums), key=str)
    return f"no (before {', '.join(map(str, b))}; after {', '.join(map(str, a))})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="percept-bench of the earlier code")
    ap.add_argument("--after", required=True, help="percept-bench of the later code")
    ap.add_argument("--inputs", default=str(bench.ROOT / "out/bench/inputs"),
                    help="the inputs `make bench` generated (bench.py gen-inputs)")
    ap.add_argument("--only", default="", help="only workloads whose name contains this (or one of these, comma-separated)")
    ap.add_argument("--threads", default="1 2")
    ap.add_argument("--reps", type=int, default=3, help="alternations of the two builds per row")
    ap.add_argument("--md", default="", help="also write the table to this Markdown file")
    ap.add_argument("--quiet-wait", type=float, default=10,
                    help="before each alternation, wait up to this many seconds for the CPUs to be idle "
                         "(at most 30 times this over the whole run), as bench.py does")
    a = ap.parse_args()

    builds = {"before": str(Path(a.before).resolve()), "after": str(Path(a.after).resolve())}
    inputs = str(Path(a.inputs).resolve())
    threads = [int(t) for t in a.threads.split()]
    ready = Path(inputs) / "READY"
    if not ready.exists() or ready.read_text().strip() != bench.INPUTS_VERSION:
        sys.exit(f"compare: {inputs} does not hold '{bench.INPUTS_VERSION}' inputs; `make bench` (or "
                 f"reference.py gen-inputs {inputs} in the bench venv) generates them")
    parts = [p for p in a.only.split(",") if p] or [""]
    kernels = [w for w in bench.WORKLOADS if not w.get("process")]
    selected = [w for w in kernels if any(p in w["name"] for p in parts)]
    if not selected:
        sys.exit(f"compare: no kernel workload matches '{a.only}'; known: {', '.join(w['name'] for w in kernels)}")
    known = {k: known_workloads(b) for k, b in builds.items()}

    lines = ["| workload | threads | before median | after median | unit | after/before speed | checksums equal |",
             "|---|---|---|---|---|---|---|"]
    quiet_budget = 30 * a.quiet_wait
    t_start = time.monotonic()
    for w in selected:
        name, unit = w["name"], w["unit"]
        missing = [k for k in builds if not knows(known[k], name)]
        if missing:
            reason = f"the {' and '.join(missing)} binary does not know this workload"
            print(f"compare: skipping {name}: {reason}", file=sys.stderr)
            lines.append(f"| {name} | — | — | — | {unit} | skipped: {reason} | — |")
            continue
        for t in threads:
            print(f"compare: {name} at {t} thread(s) ({(time.monotonic() - t_start) / 60:.1f} min in)", file=sys.stderr)
            sides = {"before": Side(), "after": Side()}
            try:
                for rep in range(a.reps):
                    t0 = time.monotonic()
                    bench.wait_for_quiet(min(a.quiet_wait, max(0.0, quiet_budget)))
                    quiet_budget -= time.monotonic() - t0
                    order = ("before", "after") if rep % 2 == 0 else ("after", "before")
                    for k in order:
                        sides[k].add(run_once(k, builds[k], name, inputs, w["iters"], t))
            except (RuntimeError, ValueError, KeyError) as e:   # one broken row must not lose the others
                print(f"compare: {name} failed: {e}", file=sys.stderr)
                lines.append(f"| {name} | {t} | — | — | {unit} | failed: {e} | — |")
                continue
            b, af = sides["before"].value(unit), sides["after"].value(unit)
            speed = af / b if bench.higher_is_better(unit) else b / af
            lines.append(f"| {name} | {t} | {bench.fmt(b)} | {bench.fmt(af)} | {unit} | {speed:.2f}× | "
                         f"{checksums_cell(sides['before'], sides['after'])} |")
    print(f"compare: {(time.monotonic() - t_start) / 60:.1f} min", file=sys.stderr)
    print("\n".join(lines))
    if a.md:
        Path(a.md).write_text(f"before: {builds['before']}\nafter: {builds['after']}\n"
                              f"threads {a.threads}, {a.reps} alternation(s), medians of all timed iterations\n\n"
                              + "\n".join(lines) + "\n")
        print(f"compare: wrote {a.md}", file=sys.stderr)


if __name__ == "__main__":
    main()
