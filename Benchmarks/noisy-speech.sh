#!/usr/bin/env bash
# Training with coloured noise (docs/pipelines.md): trains Pipelines/noisy-speech.yaml (the
# quickstart's spoken CNN, once on clean clips and once with `add_color_noise`), makes a noisy copy of
# the test voices' clips with `percept augment` (Pipelines/augment/speech-noise.yaml: every clip,
# any colour, 0–10 dB SNR), scores both models with `percept evaluate` on the clean and the noisy
# test clips, and prints model × (clean, noisy) accuracy.
#
#   Benchmarks/noisy-speech.sh            # from anywhere; needs ../shared/data/spoken-digits
#   PERCEPT=/path/to/percept OUT=/tmp/ns COPIES=3 NOISE_SEED=2026 Benchmarks/noisy-speech.sh
#
# OUT (default runs/noisy-speech) is overwritten. A few minutes on 2 cores with a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
percept=${PERCEPT:-.build/release/percept}
out=${OUT:-runs/noisy-speech}
copies=${COPIES:-3}          # noisy variants per test clip
noise_seed=${NOISE_SEED:-2026}
split=Pipelines/data/spoken-digits-split.csv
[[ -x $percept ]] || { echo "noisy-speech.sh: no $percept: run 'swift build -c release' or set PERCEPT" >&2; exit 2; }

# The split manifest is committed; rewriting it checks it still matches the data's manifest.
Pipelines/data/spoken-digits-split.sh
"$percept" run Pipelines/noisy-speech.yaml --out "$out" --force --quiet

# The test clips (the manifest's `split` column says which), clean as a manifest of absolute paths,
# noisy as class folders: one `percept augment` call per digit, each with its own seed.
awk -F, -v root="$PWD/Pipelines/data/" 'NR == 1 { print "path,label"; next } $NF == "test" { print root $1 "," $2 }' \
    "$split" > "$out/test-clean.csv"
rm -rf "$out/test-noisy"
for d in $(awk -F, 'NR > 1 { print $2 }' "$out/test-clean.csv" | sort -u); do
    mapfile -t clips < <(awk -F, -v d="$d" 'NR > 1 && $2 == d { print $1 }' "$out/test-clean.csv")
    "$percept" augment "${clips[@]}" -o "$out/test-noisy/$d" --config Pipelines/augment/speech-noise.yaml \
        --copies "$copies" --seed $((noise_seed + d)) > /dev/null
    rm -f "$out/test-noisy/$d"/*_sheet.png
done

accuracy() { "$percept" evaluate "$1" "$2" | awk '$1 == "accuracy" { printf "%.1f %%", 100 * $2 }'; }
n_clean=$(($(wc -l < "$out/test-clean.csv") - 1))
n_noisy=$(find "$out/test-noisy" -name '*.wav' | wc -l)
echo
printf '%-10s  %-22s  %s\n' model "clean test ($n_clean clips)" "noisy test ($n_noisy clips, 0-10 dB SNR)"
for m in clean coloured; do
    ckpt=$out/models/$m/model.safetensors
    printf '%-10s  %-22s  %s\n' "$m" "$(accuracy "$ckpt" "$out/test-clean.csv")" "$(accuracy "$ckpt" "$out/test-noisy")"
done
