#!/usr/bin/env bash
# Writes Pipelines/data/spoken-digits-split.csv: the spoken-digits manifest with a `split` column
# that puts two whole voices in test, one in validation and the other seven in train, so the test
# clips are known by name (Benchmarks/noisy-speech.sh makes a noisy copy of exactly those).
# Paths are rewritten relative to the new CSV. Run from the repository root; needs
# ../shared/data/spoken-digits. Deterministic: the same manifest gives the same file.
set -euo pipefail
src=../shared/data/spoken-digits/manifest.csv
out=Pipelines/data/spoken-digits-split.csv
test_voices="en+f3 en-gb-scotland+m4"
validation_voices="en-us+m3"
[[ -f $src ]] || { echo "spoken-digits-split.sh: $src not found (run from the repository root)" >&2; exit 2; }
awk -F, -v OFS=, -v test="$test_voices" -v val="$validation_voices" '
  BEGIN { n = split(test, t, " "); for (i = 1; i <= n; i++) T[t[i]] = 1
          n = split(val, v, " "); for (i = 1; i <= n; i++) V[v[i]] = 1 }
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "voice") vc = i; print $0, "split"; next }
  { s = ($vc in T) ? "test" : ($vc in V) ? "validation" : "train"
    $1 = "../../../shared/data/spoken-digits/" $1; print $0, s; seen[s]++ }
  END { if (!vc || !seen["test"] || !seen["validation"]) { print "spoken-digits-split.sh: voice column or voices missing" > "/dev/stderr"; exit 2 } }
' "$src" > "$out.tmp"
mv "$out.tmp" "$out"
