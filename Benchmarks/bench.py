#!/usr/bin/env python3
"""Driver of `make bench`: Percept against its references, alternately, with pinned threads.

    bench.py --percept-bench PATH [--only SUBSTR] [--threads "1 2"] [--reps 3] [--doc docs/benchmarks.md]

For every enabled workload and thread count it runs, `reps` times in alternation, Percept's side
(percept-bench, a child process) and each reference (reference.py in the bench venv, a child
process). Each child warms up once and times `iters` iterations itself; the table quotes the median
over all of them, the peak RSS of the child (getrusage through wait4), and the page faults and the
kernel's share of the CPU time of one iteration. Process-level rows (`process=True`) time a whole
command per iteration (`percept extract`, `percept run`, a reference script), or the reference's
read + compute + save in its warm process; they get a table of their own. The machine's ceilings
(OpenBLAS sgemm, memory copy) are measured in the same run, and each Percept figure is shown as a
fraction of the ceiling that bounds it.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Every workload, in table order. unit "ms" is time per iteration (lower is better); "items/s" is
# throughput (higher is better). ceiling: which machine ceiling bounds Percept's figure. process: a
# process-level row (the whole `percept` command as a user runs it), shown in the second table.
WORKLOADS = [
    dict(name="logmel", audio_s=600, what="log-mel, 600 s at 16 kHz (n_fft 512, hop 160, 64 mels, dB)",
         refs=["librosa", "torchaudio"], unit="ms", ceiling="sgemm", iters=5, ref_iters=3),
    dict(name="mfcc", audio_s=600, what="MFCC (20) of the same 600 s", refs=["librosa", "torchaudio"],
         unit="ms", ceiling="sgemm", iters=5, ref_iters=3),
    dict(name="logmel-stream", audio_s=3600, what="log-mel (no top_db) of a one-hour 16 kHz WAV file read and computed in 1 s blocks: "
         "AudioReader + StreamingExtractor vs librosa.stream (block_length 100 frames) with a log-mel per block; "
         "peak RSS is the point", refs=["librosa"], unit="ms", ceiling="sgemm", iters=2, ref_iters=1),
    dict(name="extract-logmel-600s", audio_s=600, what="`percept extract melspectrogram speech600.wav -o out.npy` (the logmel "
         "row's parameters) as a whole process vs soundfile read + librosa log-mel + np.save in a warm Python process "
         "(imports not timed)", refs=["librosa"], unit="ms", ceiling=None, iters=5, ref_iters=5, process=True),
    dict(name="extract-png-4096", what="`percept extract sobel --mode magnitude image4096.png -o out.npy` (8-bit gray 4096² PNG) "
         "as a whole process vs cv2.imread + /255 + cv2.Sobel gx, gy (CV_32F) + cv2.magnitude + np.save in a warm Python "
         "process (imports not timed)", refs=["opencv"], unit="ms", ceiling=None, iters=5, ref_iters=5, process=True),
    dict(name="extract-dir", audio_s=2000, what="2,000 one-second WAVs → .npy log-mel: the whole `percept extract` directory-mode process vs "
         "a Python loop of soundfile + librosa with the mel basis cached (imports not timed)",
         refs=["librosa-loop"], unit="files/s", ceiling=None, iters=2, ref_iters=2, process=True),
    dict(name="sobel", what="Sobel gx + gy + magnitude, 4096² float32", refs=["opencv"],
         unit="ms", ceiling="copy", iters=5, ref_iters=5),
    dict(name="pyramid", what="5 × pyrDown from 4096² float32", refs=["opencv"],
         unit="ms", ceiling="copy", iters=5, ref_iters=5),
    dict(name="hog-mnist", what="HoG of 10,000 × 28×28 (ppc 7, cpb 2, L2-Hys)", refs=["opencv", "skimage"],
         unit="images/s", ceiling=None, iters=3, ref_iters=1),
    dict(name="hog-dir", what="1,000 128×64 8-bit PNG windows → .npy HoG (ppc 8, cpb 2, L2-Hys) over the outputs of an earlier run: "
         "the whole `percept extract hog` directory-mode process vs a Python loop of cv2.imread + HOGDescriptor.compute + "
         "np.save (imports not timed); fs-floor-*: the file-system work alone (see the notes under the process-level table)",
         refs=["opencv-loop", "fs-floor-plain", "fs-floor-percept"], unit="files/s", ceiling=None, iters=3, ref_iters=3,
         process=True),
    dict(name="hog-dir-fresh", what="the same into an output folder emptied before each run (untimed), both sides",
         refs=["opencv-loop", "fs-floor-plain", "fs-floor-percept"], unit="files/s", ceiling=None, iters=3, ref_iters=3,
         process=True),
    dict(name="hog-person", what="HoG of 1,000 × 128×64 (ppc 8, cpb 2, L2-Hys)", refs=["opencv", "skimage"],
         unit="images/s", ceiling=None, iters=3, ref_iters=1),
    dict(name="augment-image", what="10,000 × 28×28: flip, pad-crop, brightness/contrast, noise",
         refs=["albumentations"], unit="images/s", ceiling=None, iters=3, ref_iters=1),
    dict(name="augment-audio", audio_s=2000, what="2,000 × 1 s: gain, noise at SNR, time shift",
         refs=["audiomentations"], unit="clips/s", ceiling=None, iters=3, ref_iters=1),
    dict(name="cnn-train-28", what="LeNet-like CNN training, 2,000 × 1×28×28, batch 64, Adam", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="cnn-train-bn", what="the same LeNet-like training with BatchNorm2d after each conv (nn.BatchNorm2d on "
         "the PyTorch side), 2,000 × 1×28×28, batch 64, Adam", refs=["torch"], unit="samples/s", ceiling="sgemm",
         iters=2, ref_iters=2),
    dict(name="cnn-infer-28", what="LeNet-like CNN inference, 2,000 × 1×28×28, batch 256", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="cnn-train-spec", what="LeNet-like CNN training, 256 × 1×64×101, batch 64, Adam", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="cnn-infer-spec", what="LeNet-like CNN inference, 512 × 1×64×101, batch 256", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="lstm-train", what="LSTM 40→128 + dense 10, 1,024 × 100 frames, batch 32, Adam", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="gru-train", what="GRU 40→128 + dense 10, 1,024 × 100 frames, batch 32, Adam", refs=["torch"],
         unit="samples/s", ceiling="sgemm", iters=2, ref_iters=2),
    dict(name="mnist-e2e", what="`percept run Pipelines/mnist-cnn.yaml` as a process (decode the IDX files, train 5 epochs "
         "with validation, evaluate, write the run folder) vs Benchmarks/mnist_e2e.py doing the same in PyTorch (numpy decoding, "
         "same net, Adam + StepLR, channels_last), imports included", refs=["torch"], unit="s", ceiling=None, iters=1, ref_iters=1, reps=1, process=True),
    dict(name="spoken-e2e-first", what="the quickstart's spoken CNN on the 400 spoken-digit WAVs split by voice, 15 epochs, feature "
         "cache empty: `percept run` vs Benchmarks/spoken_e2e.py (soundfile + librosa + audiomentations + PyTorch)",
         refs=["librosa-torch"], unit="s", ceiling=None, iters=1, ref_iters=1, reps=1, process=True),
    dict(name="spoken-e2e-cached", what="the same with the feature cache warm (Percept: runs/.cache; the script: its .npz of decoded clips)",
         refs=["librosa-torch"], unit="s", ceiling=None, iters=1, ref_iters=1, reps=1, process=True),
]

# Workloads whose Percept side has not landed yet, and why: the one list to edit when a feature
# lands (and its percept-bench workload is added). Skipped rows are still printed, with the reason.
PENDING = {}

# Bumped with every change to reference.py's gen_inputs, so stale inputs are regenerated.
INPUTS_VERSION = "inputs v5"

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "PERCEPT_NUM_THREADS", "BENCH_THREADS")


# --isa avx2: what the NN rows would be on a CPU without AVX-512, on this one: Percept's GEMM
# kernels and PyTorch's (ATen's dispatch and oneDNN's JIT) are both capped at AVX2 + FMA.
ISA_ENV = {
    "avx2": {"PERCEPT_NN_KERNEL": "avx2", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
}
ISA = ""


def child(cmd, threads, log):
    """Runs one benchmark process with pinned threads; returns (its JSON record, peak RSS in MiB)."""
    env = dict(os.environ)
    env.update({k: str(threads) for k in THREAD_ENV})
    env.update(ISA_ENV.get(ISA, {}))
    with tempfile.TemporaryFile("w+") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=log, env=env, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(Path(str(c)).name for c in cmd[:4])} exited {p.returncode} (see out/bench/bench.log)")
    record = json.loads(text.strip().splitlines()[-1])
    return record, usage.ru_maxrss / 1024   # Linux reports KiB


def cpu_busy(interval=0.5):
    """Fraction of all CPUs busy over `interval` seconds, from /proc/stat (0 when unreadable)."""
    def sample():
        try:
            f = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        idle = f[3] + (f[4] if len(f) > 4 else 0)
        return sum(f), idle
    a = sample()
    time.sleep(interval)
    b = sample()
    if not a or not b or b[0] == a[0]:
        return 0.0
    return 1 - (b[1] - a[1]) / (b[0] - a[0])


def wait_for_quiet(max_wait, threshold=0.15):
    """On a shared machine, waits (at most `max_wait` s) until other processes leave the CPUs
    mostly idle; returns the busy fraction seen last, which the doc reports."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        time.sleep(1.0)
        busy = cpu_busy()
    return busy


def median(xs):
    return statistics.median(xs) if xs else float("nan")


class Side:
    """Everything measured for one side of one (workload, threads) row."""

    def __init__(self):
        self.times, self.rss, self.record = [], 0.0, None
        self.faults, self.major, self.user, self.sys = [], [], [], []

    def add(self, record, rss):
        self.times += record["times"]
        # A whole-process iteration reports its process's peak; else the child's (inputs, warm-up included).
        self.rss = max(self.rss, max(record.get("proc_rss_mib") or [rss]))
        self.record = record
        n = len(record["times"])
        mi, ma = record.get("minflt") or [0] * n, record.get("majflt") or [0] * n
        self.faults += [a + b for a, b in zip(mi, ma)]
        self.major += ma
        self.user += record.get("user") or []
        self.sys += record.get("sys") or []

    def faults_cell(self):
        """Median page faults (minor + major) of one iteration, with the major ones when there are any."""
        if not self.faults:
            return "—"
        f, m = median(self.faults), median(self.major)
        return count(f) + (f" ({count(m)} major)" if m >= 1 else "")

    def cpu_cell(self):
        """Median CPU time (user + system, all threads) of one iteration and the kernel's share of
        it over all iterations: less disturbed than the wall time by other load on a shared machine."""
        cpu = [u + s for u, s in zip(self.user, self.sys)]
        if not cpu or sum(cpu) <= 0:
            return "—"
        c = median(cpu)
        return f"{fmt(c * 1e3) + ' ms' if c < 10 else fmt(c) + ' s'} ({100 * sum(self.sys) / sum(cpu):.0f} % kernel)"

    def value(self, unit):
        t = median(self.times)
        if unit in ("ms",):
            return t * 1e3
        if unit == "s":
            return t
        return self.record["items"] / t   # throughput units

    def rate(self, key):
        """Per-second rate of the record's flops or bytes at the median time."""
        return self.record[key] / median(self.times) if self.record and self.record.get(key) else 0.0


def higher_is_better(unit):
    return unit not in ("ms", "s")


def count(x):
    """A count in a few characters: 812, 41.2k, 3.1M."""
    if x >= 1e6:
        return f"{x / 1e6:.1f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def fmt(x, digits=3):
    if x != x:
        return "—"
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def machine():
    model, cores = "unknown", os.cpu_count()
    try:
        info = {}
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            k, _, v = line.partition(":")
            info.setdefault(k.strip(), v.strip())
        flags = info.get("flags", "").split()
        isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
        model = (f"{info.get('model name', 'unknown')} (family {info.get('cpu family', '?')}, "
                 f"model {info.get('model', '?')}, {isa}, {info.get('cache size', '?')} cache)")
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gib = float("nan")
    return f"{model}, {cores} cores, {mem_gib:.1f} GiB memory, {platform.system()} {platform.release()}"


def versions(python):
    code = ("import importlib.metadata as m\n"
            "names=['numpy','librosa','torch','torchaudio','opencv-contrib-python-headless','scikit-image',"
            "'albumentations','audiomentations']\n"
            "print(', '.join(f'{n} {m.version(n)}' for n in names))")
    try:
        return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def swift_version():
    try:
        out = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout
        return out.splitlines()[0].strip() if out else "unknown"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--percept-bench", required=True, help="path of the release percept-bench binary")
    ap.add_argument("--inputs", default=str(ROOT / "out/bench/inputs"))
    ap.add_argument("--only", default="", help="run only workloads whose name contains this (or one of these, comma-separated)")
    ap.add_argument("--threads", default="1 2")
    ap.add_argument("--reps", type=int, default=3, help="alternations of Percept and the references")
    ap.add_argument("--doc", default="", help="also write the table as this Markdown file")
    ap.add_argument("--command", default="make bench", help="the command line quoted in the doc")
    ap.add_argument("--note", default="", help="a remark on the conditions of this run, quoted in the doc")
    ap.add_argument("--quiet-wait", type=float, default=10,
                    help="before each alternation, wait up to this many seconds for the CPUs to be idle "
                         "(at most 30 times this over the whole run)")
    ap.add_argument("--isa", default="", choices=["", *ISA_ENV],
                    help="cap Percept's and PyTorch's NN kernels at this ISA (avx2: a CPU without AVX-512)")
    a = ap.parse_args()
    global ISA
    ISA = a.isa

    python = sys.executable
    threads = [int(t) for t in a.threads.split()]
    bench = str(Path(a.percept_bench).resolve())
    ref = str(HERE / "reference.py")
    outdir = ROOT / "out/bench"
    outdir.mkdir(parents=True, exist_ok=True)
    log = open(outdir / "bench.log", "w")
    parts = [p for p in a.only.split(",") if p] or [""]
    selected = [w for w in WORKLOADS if any(p in w["name"] for p in parts)]
    # Data-parallel training under mpirun (Benchmarks/mpi_bench.py): its own table, after the rows.
    run_mpi = any(p in MPI_ROW for p in parts)
    if not selected and not run_mpi:
        sys.exit(f"bench: no workload matches '{a.only}'; known: {', '.join(w['name'] for w in WORKLOADS)}, {MPI_ROW}")

    ready = Path(a.inputs) / "READY"
    if not ready.exists() or ready.read_text().strip() != INPUTS_VERSION:
        print(f"bench: generating inputs in {a.inputs}", file=sys.stderr)
        subprocess.run([python, ref, "gen-inputs", a.inputs], check=True, cwd=ROOT)

    started = datetime.datetime.now().astimezone()
    t_start = time.monotonic()
    ceilings = {}

    def measure_ceilings():
        """Best of 7 runs, kept across calls: measured before and after the workloads, so a busy
        moment at either end does not lower the ceiling."""
        for t in threads:
            for name in ("sgemm", "copy"):
                rec, _ = child([bench, f"ceiling-{name}", "--iters", "7"], t, log)
                key = "flops" if name == "sgemm" else "bytes"
                best = rec[key] / min(rec["times"]) / 1e9
                ceilings[(name, t)] = max(best, ceilings.get((name, t), 0.0))
            print(f"bench: ceilings at {t} thread(s): sgemm {ceilings[('sgemm', t)]:.0f} GFLOP/s, "
                  f"copy traffic {ceilings[('copy', t)]:.1f} GB/s", file=sys.stderr)

    measure_ceilings()
    rows, busy = [], []
    quiet_budget = 30 * a.quiet_wait
    for w in selected:
        if w["name"] in PENDING:
            rows.append(dict(w=w, skipped=PENDING[w["name"]]))
            continue
        for t in threads:
            sides = {"percept": Side(), **{r: Side() for r in w["refs"]}}
            print(f"bench: {w['name']} at {t} thread(s) ({(time.monotonic() - t_start) / 60:.1f} min in)", file=sys.stderr)
            try:
                for _ in range(w.get("reps", a.reps)):
                    t0 = time.monotonic()
                    busy.append(wait_for_quiet(min(a.quiet_wait, max(0.0, quiet_budget))))
                    quiet_budget -= time.monotonic() - t0
                    rec, rss = child([bench, w["name"], "--inputs", a.inputs, "--iters", str(w["iters"])], t, log)
                    sides["percept"].add(rec, rss)
                    for r in w["refs"]:
                        rec, rss = child([python, ref, w["name"], "--lib", r, "--inputs", a.inputs,
                                          "--iters", str(w["ref_iters"])], t, log)
                        sides[r].add(rec, rss)
            except (RuntimeError, ValueError, KeyError) as e:   # one broken row must not lose the others
                print(f"bench: {w['name']} failed: {e}", file=sys.stderr)
                rows.append(dict(w=w, skipped=f"failed: {e}"))
                break
            rows.append(dict(w=w, threads=t, sides=sides))
    measure_ceilings()
    mpi_lines = mpi_table(a.reps) if run_mpi else []
    elapsed = time.monotonic() - t_start

    lines = table(rows, ceilings, process=False)
    proc_lines = table(rows, ceilings, process=True)
    if lines:
        print("\n".join(lines))
    if proc_lines:
        print(("\n" if lines else "") + "Process level (whole commands):\n" + "\n".join(proc_lines))
    rt_lines = realtime(rows)
    if rt_lines:
        print("\nRealtime factors (seconds of audio per second):\n" + "\n".join(rt_lines))
    if mpi_lines:
        print("\nData-parallel training (mpirun):\n" + "\n".join(mpi_lines))
    results = [dict(workload=r["w"]["name"], skipped=r["skipped"]) if "skipped" in r else
               dict(workload=r["w"]["name"], threads=r["threads"], unit=r["w"]["unit"],
                    sides={k: dict(times=s.times, rss_mib=s.rss, faults=s.faults, major_faults=s.major, user_s=s.user,
                                   sys_s=s.sys, record=s.record) for k, s in r["sides"].items()})
               for r in rows]
    (outdir / "results.json").write_text(json.dumps(dict(
        date=started.isoformat(), machine=machine(), busy_before_reps=busy,
        ceilings={f"{k}@{t}": v for (k, t), v in ceilings.items()}, rows=results), indent=1))
    if a.doc:
        write_doc(Path(a.doc), lines, proc_lines, ceilings, threads, started, elapsed, a, python, busy, rt_lines, mpi_lines)
        print(f"bench: wrote {a.doc}", file=sys.stderr)


def table(rows, ceilings, process):
    """The Markdown table of the kernel rows (`process` False) or of the process-level rows."""
    cols = ["workload", "threads", "Percept", "reference", "reference median", "Percept / ref", "unit",
            "Percept peak RSS", "ref peak RSS", "page faults / run: Percept", "ref", "CPU time / run: Percept", "ref"]
    if not process:
        cols.append("Percept vs ceiling")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        w = r["w"]
        if bool(w.get("process")) != process:
            continue
        if "skipped" in r:
            cells = [w["name"], "—", "skipped", ", ".join(w["refs"]), "—", "—", w["unit"]] + ["—"] * (len(cols) - 8) + [r["skipped"]]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        t, sides, unit = r["threads"], r["sides"], w["unit"]
        p = sides["percept"]
        pv = p.value(unit)
        ceiling = "—"
        if w["ceiling"] == "sgemm" and p.rate("flops"):
            g = p.rate("flops") / 1e9
            ceiling = f"{g:.1f} GFLOP/s = {100 * g / ceilings[('sgemm', t)]:.0f}% of sgemm"
        elif w["ceiling"] == "copy" and p.rate("bytes"):
            g = p.rate("bytes") / 1e9
            ceiling = f"{g:.1f} GB/s = {100 * g / ceilings[('copy', t)]:.0f}% of copy"
        refs = [(k, v) for k, v in sides.items() if k != "percept"]
        main_ref = next(((k, v) for k, v in refs if not k.startswith("fs-floor")), None)
        for i, (name, s) in enumerate(refs):
            rv = s.value(unit)
            ratio = f"**{pv / rv if higher_is_better(unit) else rv / pv:.2f}×**"
            if name.startswith("fs-floor") and main_ref:
                # The file-system work alone, in one side's way of writing: its share of that side's time.
                side, v = ("Percept", pv) if name == "fs-floor-percept" else (main_ref[0], main_ref[1].value(unit))
                ratio = f"floor = {100 * (v / rv if higher_is_better(unit) else rv / v):.0f} % of {side}'s time"
            extra = f" (acc {s.record['accuracy']:.4f})" if s.record and "accuracy" in s.record else ""
            ps, rs = p.record.get("shape") or [], s.record.get("shape") or []
            # Layouts differ (HWC vs CHW, a channel axis of 1); the sizes must not.
            if ps and rs and sorted(int(v) for v in ps if v != 1) != sorted(int(v) for v in rs if v != 1):
                extra += f" ⚠ output shape {rs} vs Percept's {ps}"
            first = i == 0
            cells = [w["name"] if first else "", str(t), fmt(pv) if first else "〃", name, fmt(rv) + extra, ratio, unit,
                     f"{p.rss:.0f} MiB" if first else "〃", f"{s.rss:.0f} MiB", p.faults_cell() if first else "〃",
                     s.faults_cell(), p.cpu_cell() if first else "〃", s.cpu_cell()]
            if not process:
                cells.append(ceiling if first else "")
            lines.append("| " + " | ".join(cells) + " |")
    return lines if len(lines) > 2 else []


def realtime(rows):
    """Seconds of audio processed per second, for the rows whose workload has `audio_s` (the audio
    one iteration covers), each side at its median time."""
    lines = ["| workload | threads | Percept | references |", "|---|---|---|---|"]
    for r in rows:
        audio = r["w"].get("audio_s")
        if "skipped" in r or not audio:
            continue
        rt = {k: audio / median(s.times) for k, s in r["sides"].items()}
        refs = ", ".join(f"{k} {fmt(v)}×" for k, v in rt.items() if k != "percept")
        lines.append(f"| {r['w']['name']} | {r['threads']} | {fmt(rt['percept'])}× | {refs} |")
    return lines if len(lines) > 2 else []


MPI_ROW = "mpi-train"


def mpi_table(reps):
    """`mpirun -np 2 percept run` against one process on the MNIST pipeline, and one MPI_Allreduce
    alone (Benchmarks/mpi_bench.py), as Markdown lines; one line saying why when it cannot run."""
    print(f"bench: {MPI_ROW}: 1 process vs mpirun -np 2 (Benchmarks/mpi_bench.py)", file=sys.stderr)
    if not shutil.which("mpirun") or not shutil.which("mpicc"):
        return ["(skipped: Open MPI is not installed; `make deps` installs it)"]
    p = subprocess.run([sys.executable, str(HERE / "mpi_bench.py"), "--reps", str(reps)], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        return [f"(failed: {(p.stderr.strip().splitlines() or ['no message'])[-1]})"]
    d = json.loads(p.stdout)
    out = [f"`percept run {d['pipeline']}` on {d['per_class']:,} images a class, {d['epochs']} epoch, whole processes, "
           f"{d['reps']} alternation(s) (medians):", "",
           "| run | training samples/s | wall s | one gradient sum in training (waiting included) | share of training time |",
           "|---|---|---|---|---|"]
    for name, r in d["results"].items():
        out.append(f"| {name} | {r['samples_per_s']:,.0f} | {r['wall_s']:.2f} | "
                   f"{str(r['sum_ms']) + ' ms' if 'sum_ms' in r else '—'} | {str(r['sum_share_percent']) + ' %' if 'sum_share_percent' in r else '—'} |")
    ar = d["allreduce"]
    sizes = ", ".join(f"{s['floats']:,} floats {s['median_ms']} ms" for s in ar["sizes"])
    out += ["", f"One MPI_Allreduce alone between 2 ranks (Benchmarks/allreduce.c, median of 50 after a barrier): {sizes}; "
                f"fit up to 1M floats: latency {ar['latency_us']:.1f} µs, bandwidth {ar['bandwidth_gb_s']:.1f} GB/s "
                "(docs/scale-out.md's cost model)."]
    return out


def write_doc(path, lines, proc_lines, ceilings, threads, started, elapsed, a, python, busy, rt_lines, mpi_lines=()):
    ceil_lines = ["| threads | sgemm (OpenBLAS, 1024³) | memory copy of 256 MB: traffic (read + write) |",
                  "|---|---|---|"]
    for t in threads:
        c = ceilings[('copy', t)]
        ceil_lines.append(f"| {t} | {ceilings[('sgemm', t)]:.0f} GFLOP/s | {c:.1f} GB/s ({c / 2:.1f} GB/s copied) |")
    descr = ["| workload | what |", "|---|---|"] + [f"| {w['name']} | {w['what']} |" for w in WORKLOADS]
    text = f"""# Benchmarks

Written by `{a.command}` (Benchmarks/bench.py) on {started:%Y-%m-%d %H:%M %Z}; the run took {elapsed / 60:.1f} min.

- Machine: {machine()}.{chr(10) + "- Conditions: " + a.note if a.note else ""}
- Percept: release build (`swift build -c release -Xcc -march=x86-64-v3 --static-swift-stdlib`, as `make release`), {swift_version()}.{chr(10) + "- ISA cap: " + a.isa + " — Percept's NN kernels (PERCEPT_NN_KERNEL) and PyTorch's (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA) limited to AVX2 + FMA, as on a CPU without AVX-512; the other rows are unaffected by the cap" if a.isa else ""}
- References: {versions(python)}.
- Method: each row alternates Percept and its references {a.reps} times, each in a fresh process
  that loads its inputs (untimed), runs once to warm up and then times several iterations; the
  table quotes the **median** of all timed iterations. Thread counts are pinned through
  `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`, `PERCEPT_NUM_THREADS`,
  `torch.set_num_threads` and `cv2.setNumThreads`. Inputs are generated once, deterministically, from
  Samples/ into out/bench/inputs. Peak RSS is the child process's `ru_maxrss` (wait4); page faults
  (minor + major) and CPU time (user + system, all threads, with the kernel's share) are those of one
  timed iteration, from `getrusage` before and after it, or from wait4 for a whole process. The
  CPU time is the figure least disturbed by other load on the machine; the ratio is of wall times.
- **Percept / ref** is Percept's speed over the reference's: above 1 means Percept is faster
  (time ratio for ms rows, throughput ratio for per-second rows).
- The machine is shared (2 vCPUs, other builds may run at the same time): expect ±30 % between runs,
  and read the 2-thread rows as "what a second core adds when it is free". Before each alternation
  the driver waits (up to {a.quiet_wait:.0f} s each, {30 * a.quiet_wait:.0f} s in all) for the CPUs to be idle; other processes kept them
  {100 * median(busy) if busy else 0:.0f} % busy at the median of those moments (worst {100 * max(busy, default=0):.0f} %).

## Ceilings (measured in the same run, before and after the workloads; best of 14)

{chr(10).join(ceil_lines)}

"Percept vs ceiling": GFLOP/s of the workload (FLOPs counted per the model in percept-bench:
2.5·N·log2 N per FFT, multiply-adds × 2 for mel, DCT, convolutions and dense layers, × 3 for a training
step) over sgemm's, or the memory traffic of the workload (input read + outputs written, GB/s) over
the traffic of a plain copy. Inputs that stay in cache (the small pyramid levels) can exceed 100 %.
The sgemm ceiling is what OpenBLAS's sgemm reaches on 1024³, not the FMA peak of the core, and the
FLOP counts include the zero-padding taps of 'same' convolutions: hand-written kernels that skip
those taps or beat OpenBLAS's packing can show more than 100 %.

## Results: kernels in a warm process

{chr(10).join(lines)}

## Results: process level (whole commands, as a user runs them)

{chr(10).join(proc_lines)}

Each Percept iteration here is one whole `percept` process (start, read, compute, write, exit),
spawned by percept-bench and reaped with wait4: its time runs from the spawn to the reap, and its
page faults, CPU times and peak RSS are that process's own. The reference side of the `extract-*`
and `hog-dir*` rows is the same work in a Python process that has already imported its libraries
and run once (imports not timed, its page faults counted from `getrusage` around each run); its
peak RSS is the whole Python process's, interpreter and libraries included, so compare the page
faults rather than the RSS between the two sides of those rows. The `*-e2e*` rows time whole
processes on both sides (`percept run` against the reference script, imports included), both
reaped with wait4.

- `extract-logmel-600s` and `extract-png-4096` write their output over the previous run's
  (`percept extract` replaces it atomically, `np.save` truncates and rewrites). The bound on the
  log-mel command's peak RSS, 1.5 × (input samples as float32 + output) = 1.5 × (36.6 + 14.6) MiB =
  77 MiB (9,600,000 samples in, 64 × 60,001 float32 out), is to be read against its "Percept peak
  RSS", which includes the binary and its libraries.
- `hog-dir` runs over the outputs of the previous run (a re-run over a data set), `hog-dir-fresh`
  into a folder emptied before every run (untimed), both sides alike. How much of each side's time
  is the file system: the `fs-floor-*` lines do only the file-system work of the row in a warm
  Python loop — read every PNG, write a file of the size of its .npy output, without decoding or
  computing — in each side's way of writing: `fs-floor-plain` as np.save does (open with O_TRUNC,
  write, close), `fs-floor-percept` as `percept extract` does (Sources/PerceptIO/AtomicWriter.swift:
  a temporary file renamed over a new name; over an existing output the previous output's inode
  overwritten in place and swapped in with RENAME_EXCHANGE). The share shown is the floor's time over
  that side's; it is an upper estimate (the loop's own interpreter time is in it, the user part of
  its CPU time), and `percept extract` spreads its writes over its worker threads. The kernel's share
  of each side's CPU time says the same from the other end (page faults, reads, writes and inode
  work are kernel time).

## Realtime factors

Seconds of audio processed per second of wall time (each side at its median), for the audio rows:

{chr(10).join(rt_lines)}

{"## Data-parallel training: one process against `mpirun -np 2`" + chr(10) + chr(10) + chr(10).join(mpi_lines) + chr(10) + chr(10) if mpi_lines else ""}## Workloads

{chr(10).join(descr)}

The directory-mode rows (extract-dir, hog-dir, hog-dir-fresh) time whole processes writing into an output folder
that persists between iterations, as a re-run over a data set does: the Python loop overwrites its
files in place (not atomically), `percept extract` replaces each one atomically and reuses the replaced
files' inodes (Sources/PerceptIO/AtomicWriter.swift). Into a fresh folder both sides must create every
inode, which on this machine's journal-less ext4 costs more the more files were deleted in the last
minutes (each allocation scans them), so fresh-folder timings here say more about the filesystem than
about either side; the fs-floor lines of hog-dir-fresh measure that cost.

Reproduce: `make bench` (all) or `make bench ONLY=hog` (names containing "hog"); `BENCH_REPS`,
`BENCH_THREADS` and `BENCH_VENV` override the alternations, the thread counts and the venv.
The first run creates the reference venv `.venv-bench/` (several GB, mostly PyTorch's wheels).
"""
    path.write_text(text)


if __name__ == "__main__":
    main()
