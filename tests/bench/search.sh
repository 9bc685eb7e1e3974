#!/usr/bin/env bash
# search.sh - run the layout-search benchmark (tests/bench/bench_search.c):
# prints candidates_per_s, projections_per_s and search_s (target < 5 s) for
# llama3-405b on aws-p5.  Part of `make bench`, not of `make check`.
set -u
cd "$(dirname "$0")/../.." || exit 2
bin=${BUILD_ROOT:-build}/rel/bench/bench_search
[ -x "$bin" ] || { echo "search.sh: $bin not built (make bench-bins)"; exit 1; }
"$bin" topologies/aws-p5.cfg jobs/llama3-405b.cfg
