#!/usr/bin/env bash
# `make bench`: Percept against librosa, torchaudio, OpenCV, scikit-image, albumentations,
# audiomentations and PyTorch in one run; prints the table and, for a full run, writes
# docs/benchmarks.md. Environment:
#   ONLY=hog               run only workloads whose name contains "hog" (ONLY=cnn,lstm: either; docs are then left alone;
#                          ONLY=mpi-train: 1 process vs mpirun -np 2, Benchmarks/mpi_bench.py)
#   BENCH_VENV=DIR         reference venv (default .venv-bench, created on first use)
#   BENCH_THREADS="1 2"    thread counts;  BENCH_REPS=3  alternations per row
#   BENCH_SCRATCH=.build   SwiftPM scratch path of the release build
#   BENCH_NOTE="..."       a remark on the run's conditions, quoted in docs/benchmarks.md
#   BENCH_QUIET_WAIT=10    seconds to wait, before each alternation, for other load to go away (30× that in all)
#   BENCH_ISA=avx2         cap Percept's and PyTorch's NN kernels at AVX2 (a CPU without AVX-512)
#   BENCH_DOC=FILE         write the Markdown table to FILE even for an ONLY= run (a full run writes
#                          docs/benchmarks.md, or docs/benchmarks-ISA.md with BENCH_ISA)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
ARCH_FLAGS=${ARCH_FLAGS:--Xcc -march=x86-64-v3 --static-swift-stdlib}   # as `make release` builds percept
SCRATCH=${BENCH_SCRATCH:-.build}
VENV=${BENCH_VENV:-.venv-bench}

if [ -n "${BENCH_VENV:-}" ] && [ -x "$VENV/bin/python" ]; then
  : # a venv named by the caller is used as it is
elif ! bash Benchmarks/venv.sh "$VENV"; then
  echo "bench: could not create the reference venv in $VENV (is python3-venv installed? apt-get install python3-venv)" >&2
  exit 1
fi

# percept-bench is Percept's side; percept itself runs the directory-mode workload.
# shellcheck disable=SC2086  # ARCH_FLAGS holds several words on purpose
"$SWIFT" build -c release $ARCH_FLAGS --scratch-path "$SCRATCH" --product percept-bench >&2
if ! "$SWIFT" build -c release $ARCH_FLAGS --scratch-path "$SCRATCH" --product percept >&2; then
  echo "bench: warning: the percept CLI did not build; the directory-mode workload will fail" >&2
fi

doc=()
if [ -n "${BENCH_DOC:-}" ]; then doc=(--doc "$BENCH_DOC")
elif [ -z "${ONLY:-}" ]; then doc=(--doc "docs/benchmarks${BENCH_ISA:+-$BENCH_ISA}.md"); fi
isa=()
if [ -n "${BENCH_ISA:-}" ]; then isa=(--isa "$BENCH_ISA"); fi
exec "$VENV/bin/python" Benchmarks/bench.py \
  --percept-bench "$SCRATCH/release/percept-bench" \
  --only "${ONLY:-}" --threads "${BENCH_THREADS:-1 2}" --reps "${BENCH_REPS:-3}" \
  --quiet-wait "${BENCH_QUIET_WAIT:-10}" --command "make bench${BENCH_ISA:+ BENCH_ISA=$BENCH_ISA}${ONLY:+ ONLY=$ONLY}" \
  --note "${BENCH_NOTE:-}" "${isa[@]}" "${doc[@]}"
