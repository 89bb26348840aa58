#!/usr/bin/env bash
# Runs each fuzz target for SECONDS seconds (make fuzz SECONDS=N [FUZZ_TARGETS="npy png"]).
# Corpora grow in Fuzz/corpus/<target> (seeded from Fuzz/Seeds/<target>); findings are written to
# Fuzz/artifacts/. Stops at the first finding with exit 1, unless KEEP_GOING=1, which runs
# libFuzzer in fork mode and counts crashes, timeouts and out-of-memory inputs instead.
set -u
BIN=${BIN:-Fuzz/.build/release/percept-fuzz}
SECS=${1:-60}
TARGETS=${FUZZ_TARGETS:-$("$BIN" --list | awk '{print $1}')}
KEEP_GOING=${KEEP_GOING:-0}
# A trap prints Swift's backtrace; libFuzzer's own report and the saved input are what matter.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer cannot follow Swift's tagged object pointers (String, enum payloads), so every
# global initialised on first use reads as a leak; leaks are not checked (docs/reliability.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
mkdir -p Fuzz/artifacts

status=0
summary=()
for t in $TARGETS; do
    corpus=Fuzz/corpus/$t
    mkdir -p "$corpus"
    log=Fuzz/artifacts/$t.log
    # -timeout: one input taking 10 s is a finding; -rss_limit_mb: libFuzzer's default, stated.
    flags=(-max_total_time="$SECS" -timeout=10 -detect_leaks=0 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="Fuzz/artifacts/$t-")
    [ "$KEEP_GOING" = 1 ] && flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    echo "== $t: ${SECS}s"
    "$BIN" --target="$t" "${flags[@]}" "$corpus" "Fuzz/Seeds/$t" >"$log" 2>&1
    rc=$?
    if [ "$KEEP_GOING" = 1 ]; then
        # Fork mode: the parent's last status line has the totals.
        line=$(grep -E '^#[0-9]+: cov' "$log" | tail -1)
        execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$line")
        found=$(grep -oE 'oom/timeout/crash: [0-9/]+' <<<"$line")
        summary+=("$t: ${execs:-0} executions, ${found:-oom/timeout/crash: ?}")
        grep -q 'oom/timeout/crash: 0/0/0' <<<"$line" || status=1
    else
        execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
        if [ $rc -ne 0 ]; then
            echo "$t: FINDING (exit $rc); libFuzzer's report:"
            grep -E '^==[0-9]+==|ERROR|Fatal error|out-of-memory|timeout|Test unit written' "$log" | head -20
            summary+=("$t: FINDING after ${execs:-?} executions (log $log)")
            status=1
            break
        fi
        summary+=("$t: ${execs:-?} executions, no finding")
    fi
    echo "${summary[-1]}"
done
echo "== fuzz summary ($(date -u +%Y-%m-%d), ${SECS}s per target)"
printf '  %s\n' "${summary[@]}"
exit $status
