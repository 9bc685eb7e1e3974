#!/usr/bin/env bash
# project_instructions.sh - instructions per projection of bench_project's
# workload (llama3-405b on aws-p5, GPU count changing every call), counted
# by valgrind --tool=callgrind: (instructions of N projections - those of
# 0) / N, so loading the files does not count; for one-shot tce_project()
# with a compute cache (tce_project_cached), and for a sweep through one
# tce_projector.  A figure that does not depend
# on the machine's load, next to bench_project's timed rates.  Skipped
# (exit 0) when valgrind is not installed.
#   N=12000 tests/bench/project_instructions.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH=${BENCH:-${BUILD_ROOT:-build}/rel/bench/bench_project}
N=${N:-12000}
[ -x "$BENCH" ] || { echo "project_instructions: $BENCH missing (make bench-bins)" >&2; exit 2; }
if ! command -v valgrind >/dev/null 2>&1; then
    echo "# instructions_per_projection: skipped (no valgrind)"
    exit 0
fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# total MODE COUNT: instructions of the whole run
total() {
    timeout 120 valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1.$2" \
        "$BENCH" -p "$1" -n "$2" >/dev/null 2>&1 || return 1
    sed -n 's/^summary: //p' "$dir/cg.$1.$2"
}
base=$(total 0 0) || { echo "ERR  callgrind run failed" >&2; exit 1; }
for mode in 0 2 1; do
    all=$(total "$mode" "$N") || { echo "ERR  callgrind run failed" >&2; exit 1; }
    what="one-shot tce_project()"
    [ "$mode" = 2 ] && what="one-shot tce_project_cached(), one compute cache"
    [ "$mode" = 1 ] && what="sweep through one tce_projector"
    echo "# instructions_per_projection: $(( (all - base) / N )) ($what, callgrind, $N projections)"
done
