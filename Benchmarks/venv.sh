#!/usr/bin/env bash
# Creates (once) the Python venv that holds the reference libraries for `make bench`.
# Usage: Benchmarks/venv.sh DIR   — prints nothing when DIR is already complete.
# The build and the tests never need this venv.
set -euo pipefail
dir=${1:?usage: venv.sh DIR}
stamp="$dir/.percept-bench-ready"
[ -f "$stamp" ] && exit 0

echo "bench: creating the reference venv in $dir (first run only; torch pulls several GB)" >&2
# Debian splits venv/ensurepip into python3-venv.
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  else
    echo "bench: python3 cannot create venvs; install it with: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  if [ -f "$dir/pyvenv.cfg" ]; then
    rm -rf "$dir"   # a half-made venv from an interrupted first run
  else
    echo "bench: $dir exists and is not a venv; refusing to touch it" >&2
    exit 1
  fi
fi
python3 -m venv "$dir"
pip="$dir/bin/pip"
"$pip" install -q --upgrade pip >&2
# torch, torchaudio and torchvision must come from the same release: mismatched builds refuse to load.
# 2.11.0 is the newest release for which all three are published.
"$pip" install -q \
  numpy scipy librosa soundfile scikit-image opencv-contrib-python-headless \
  "torch==2.11.0" "torchaudio==2.11.0" "torchvision==0.26.0" \
  audiomentations pydantic PyYAML stringzilla simsimd >&2
# albumentations/albucore require opencv-python-headless, which would overwrite the contrib build's cv2
# (the plain wheel lacks HOGDescriptor); their other dependencies are installed above.
"$pip" install -q --no-deps "albumentations==2.0.8" "albucore==0.0.24" >&2
"$dir/bin/python" - <<'PY' >&2
import cv2, librosa, skimage, torch, torchaudio, torchvision, albumentations, audiomentations, soundfile
assert hasattr(cv2, "HOGDescriptor"), "cv2 lacks HOGDescriptor"
print("bench venv: torch", torch.__version__, "torchaudio", torchaudio.__version__, "cv2", cv2.__version__,
      "librosa", librosa.__version__, "skimage", skimage.__version__, "albumentations", albumentations.__version__)
PY
touch "$stamp"
