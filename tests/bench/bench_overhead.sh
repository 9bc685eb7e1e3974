#!/usr/bin/env bash
# Timing overhead of `tcemu bench`: its out-of-place all-reduce time (-a 3,
# the slowest rank, as the bare loop reports; -c 0, no check) against a bare
# MPI_Allreduce loop (tests/bench/bare_allreduce.c) timed the same way, on
# the same ranks, at 1 MiB and above.  For each size the two run alternately
# REPS times (a pair per repetition).  Printed per size: the medians of each
# and their ratio, the median of the per-pair ratios (a paired comparison:
# load from other processes that drifts over seconds hits both members of a
# pair alike), its distribution-free 95% confidence interval (order
# statistics k and n + 1 - k of the sorted pair ratios, k the largest with
# P(Binomial(n, 1/2) < k) <= 0.025), and the ratio of the minimum times.
# The verdict is on that interval: exit 3 when it lies wholly outside
# [1 - TOL, 1 + TOL] (TOL default 0.05) for any size, i.e. when the
# overhead is beyond TOL with 95% confidence; a median a little past TOL
# inside a wide interval is the shared machine's noise (two runs of 21
# pairs at 4 MiB: paired medians 0.978 and 1.028), printed, not failed.
#   NP=2 REPS=15 ITERS=100 tests/bench/bench_overhead.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TCEMU=${TCEMU:-bin/tcemu}
BUILD_ROOT=${BUILD_ROOT:-build}
BARE=${BARE:-$BUILD_ROOT/rel/bench/bare_allreduce}
NP=${NP:-2}
REPS=${REPS:-15}
ITERS=${ITERS:-100}
WARMUP=${WARMUP:-5}
TOL=${TOL:-0.05}
SIZES=${SIZES:-"1M 4M 16M"}  # nccl-tests sizes: 1024^n
[ -x "$BARE" ] || { echo "bench_overhead: $BARE missing (make bench-bins)" >&2; exit 2; }
mpi() { timeout -k 5 120 mpirun --oversubscribe -np "$NP" "$@"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
minimum() { sort -g | head -n 1; }
echo "# tcemu bench overhead vs bare MPI_Allreduce loop: np=$NP reps=$REPS iters=$ITERS warmup=$WARMUP"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other load makes the figures noisy)"
echo "# times in us (slowest rank's mean per operation); verdict on the paired median ratio"
echo "#    $(printf '%-6s %12s %12s %7s %7s %15s %12s %12s %7s' size tcemu_med bare_med ratio paired 'paired_95%_ci' tcemu_min bare_min ratio)"
# ci_k N: the order statistic k of a distribution-free 95% interval for
# the median of N values (1 when N is too small for one: the extremes)
ci_k() {
    awk -v n="$1" 'BEGIN {
        k = 1; p = 0.5 ^ n; c = p                  # c = P(X <= k - 1)
        for (j = 1; j < n; j++) {
            p = p * (n - j + 1) / j; if (c + p > 0.025) break
            c += p; k = j + 1
        }
        print k }'
}
status=0
for s in $SIZES; do
    pairs=$(mktemp)
    for r in $(seq "$REPS"); do
        t=$(mpi "$TCEMU" bench --collectives allreduce -b "$s" -e "$s" -n "$ITERS" \
                -w "$WARMUP" -a 3 -c 0 2>/dev/null |
            awk '!/^#/ && $1=="allreduce" {print $7}')
        b=$(mpi "$BARE" "$s" "$ITERS" "$WARMUP" 2>/dev/null | awk '{print $2}')
        [ -n "$t" ] && [ -n "$b" ] && echo "$t $b" >>"$pairs"
    done
    if [ ! -s "$pairs" ]; then
        echo "ERR  $s: no measurement"; status=1; rm -f "$pairs"; continue
    fi
    tm=$(awk '{print $1}' "$pairs" | median) bm=$(awk '{print $2}' "$pairs" | median)
    tn=$(awk '{print $1}' "$pairs" | minimum) bn=$(awk '{print $2}' "$pairs" | minimum)
    paired=$(awk '{printf "%.6f\n", $1 / $2}' "$pairs" | median)
    n=$(wc -l <"$pairs")
    k=$(ci_k "$n")
    lo=$(awk '{printf "%.6f\n", $1 / $2}' "$pairs" | sort -g | sed -n "${k}p")
    hi=$(awk '{printf "%.6f\n", $1 / $2}' "$pairs" | sort -g | sed -n "$((n + 1 - k))p")
    rm -f "$pairs"
    ratio=$(awk -v a="$tm" -v b="$bm" 'BEGIN {printf "%.4f", a / b}')
    ratio_min=$(awk -v a="$tn" -v b="$bn" 'BEGIN {printf "%.4f", a / b}')
    verdict=$(awk -v l="$lo" -v h="$hi" -v t="$TOL" 'BEGIN {print (l > 1 + t || h < 1 - t) ? "ERR" : "ok"}')
    printf '%-4s %-6s %12.2f %12.2f %7.4f %7.4f %7.4f-%-7.4f %12.2f %12.2f %7.4f\n' "$verdict" "$s" \
        "$tm" "$bm" "$ratio" "$paired" "$lo" "$hi" "$tn" "$bn" "$ratio_min"
    [ "$verdict" = ok ] || status=3
done
exit $status
