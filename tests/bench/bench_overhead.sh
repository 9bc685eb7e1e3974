#!/usr/bin/env bash
# Timing overhead of `tcemu bench`: its all-reduce time against a bare
# MPI_Allreduce loop (tests/bench/bare_allreduce.c) timed the same way, on
# the same ranks, at 1 MiB and above.  The two are run alternately REPS
# times per size; the script prints both medians and their ratio and fails
# (exit 3) when a ratio leaves [1 - TOL, 1 + TOL] (TOL default 0.05).
#   NP=2 REPS=7 ITERS=50 tests/bench/bench_overhead.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TCEMU=${TCEMU:-bin/tcemu}
BUILD_ROOT=${BUILD_ROOT:-build}
BARE=${BARE:-$BUILD_ROOT/rel/bench/bare_allreduce}
NP=${NP:-2}
REPS=${REPS:-7}
ITERS=${ITERS:-50}
WARMUP=${WARMUP:-5}
TOL=${TOL:-0.05}
SIZES=${SIZES:-"1Mi 4Mi 16Mi"}
[ -x "$BARE" ] || { echo "bench_overhead: $BARE missing (make bench-bins)" >&2; exit 2; }
mpi() { timeout -k 5 120 mpirun --oversubscribe -np "$NP" "$@"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
minimum() { sort -g | head -n 1; }
echo "# tcemu bench overhead vs bare MPI_Allreduce loop: np=$NP reps=$REPS iters=$ITERS warmup=$WARMUP"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other load makes the figures noisy)"
echo "# verdict on the ratio of medians; minimum times shown for reference"
echo "#    $(printf '%-10s %14s %14s %8s %14s %14s %8s' size tcemu_med_us bare_med_us ratio tcemu_min_us bare_min_us ratio)"
status=0
for s in $SIZES; do
    t_file=$(mktemp) b_file=$(mktemp)
    for r in $(seq "$REPS"); do
        mpi "$TCEMU" bench -c allreduce -b "$s" -e "$s" -n "$ITERS" -w "$WARMUP" 2>/dev/null |
            awk '!/^#/ && $1=="allreduce" {print $5}' >>"$t_file"
        mpi "$BARE" "$s" "$ITERS" "$WARMUP" 2>/dev/null | awk '{print $2}' >>"$b_file"
    done
    tm=$(median <"$t_file") bm=$(median <"$b_file")
    tn=$(minimum <"$t_file") bn=$(minimum <"$b_file")
    rm -f "$t_file" "$b_file"
    if [ -z "$tm" ] || [ -z "$bm" ]; then
        echo "ERR  $s: no measurement"; status=1; continue
    fi
    ratio=$(awk -v a="$tm" -v b="$bm" 'BEGIN {printf "%.4f", a / b}')
    ratio_min=$(awk -v a="$tn" -v b="$bn" 'BEGIN {printf "%.4f", a / b}')
    verdict=$(awk -v r="$ratio" -v t="$TOL" 'BEGIN {print (r <= 1 + t && r >= 1 - t) ? "ok" : "ERR"}')
    printf '%-4s %-10s %14.2f %14.2f %8s %14.2f %14.2f %8s\n' "$verdict" "$s" \
        "$tm" "$bm" "$ratio" "$tn" "$bn" "$ratio_min"
    [ "$verdict" = ok ] || status=3
done
exit $status
