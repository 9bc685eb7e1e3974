#!/usr/bin/env bash
# run.sh - the benchmarks behind `make bench` (speed targets, not timed
# tests): bench_project (projections per second of llama3-405b-size plans
# on one core: floor 100,000, target 1,000,000; cost at ~1,000 vs ~100,000
# GPUs), then every other tests/bench/*.sh (each benchmark adds its own
# script).  Prints each command and its output; exits non-zero if any
# failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export TCEMU=${TCEMU:-bin/tcemu}
build=${BUILD_ROOT:-build}/rel/bench
status=0

echo "# run: $build/bench_project"
"$build/bench_project" > "$build/bench_project.out"
rc=$?
cat "$build/bench_project.out"
rate=$(sed -n 's/^projections_per_s: //p' "$build/bench_project.out")
if [ "$rc" -ne 0 ]; then
    echo "ERR  bench_project (exit $rc)"; status=1
elif [ -z "$rate" ] || [ "$rate" -lt 100000 ]; then
    echo "ERR  projections_per_s ${rate:-missing} < 100000 (floor)"; status=1
elif [ "$rate" -lt 1000000 ]; then
    echo "# projections_per_s $rate: above the 100,000 floor, below the 1,000,000 target"
else
    echo "# projections_per_s $rate: meets the 1,000,000 target"
fi

for b in tests/bench/*.sh; do
    [ "$b" = tests/bench/run.sh ] && continue
    echo "# run: bash $b"
    bash "$b" || { echo "ERR  $b"; status=1; }
done
exit $status
