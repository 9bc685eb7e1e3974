#!/usr/bin/env bash
# Run the libFuzzer harnesses built by `make fuzz-bins` for SECONDS each
# (default 60), from the repository root, each on its own corpus under
# $FUZZ_ROOT (seeded from the shipped topologies and jobs and the good and
# bad fixtures, from the reference tables, or from a few number strings).
# Prints libFuzzer's last status line per harness (executions, coverage);
# exits non-zero when a harness finds a crash, a leak, a timeout or a
# sanitizer report (the reproducer is left in $FUZZ_ROOT).
set -u
cd "$(dirname "$0")/../.." || exit 2
seconds=${1:-60}
root=${FUZZ_ROOT:-build/fuzz}
status=0
for h in config numbers tables; do
    bin=$root/fuzz_$h
    [ -x "$bin" ] || { echo "# fuzz: $bin not built (make fuzz-bins)"; exit 2; }
    corpus=$root/corpus-$h
    mkdir -p "$corpus"
    if [ "$h" = config ]; then
        cp topologies/*.cfg jobs/*.cfg tests/fixtures/good/*.cfg tests/fixtures/bad/*.cfg "$corpus"/ 2>/dev/null
    elif [ "$h" = tables ]; then
        # the shipped reference tables, each cut to its header and a few rows
        for f in tests/fixtures/reference/*.csv; do
            grep -v '^#' "$f" | head -n 4 >"$corpus/$(basename "$f")"
        done
    else
        i=0
        for s in 8 1024:65536:x2 8:64:+8 8,16,24 256M 4G 1.5e3 -7 9223372036854775807 1:1099511627776:x1099511627776; do
            printf '%s' "$s" >"$corpus/seed$i"; i=$((i + 1))
        done
    fi
    log=$root/fuzz_$h.log
    echo "# fuzz: $bin for $seconds s (log $log)"
    LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0 \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$root/crash-$h-" "$corpus" >"$log" 2>&1
    rc=$?
    grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log"
    if [ "$rc" -ne 0 ]; then
        echo "# fuzz: fuzz_$h FAILED (exit $rc)"; grep -m 20 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log"
        status=1
    fi
done
exit $status
