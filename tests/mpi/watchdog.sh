#!/usr/bin/env bash
# A deliberately hung operation (test-only TCEMU_TEST_HANG: one rank sleeps
# instead of joining) is caught by the --timeout watchdog: exit 4, and a
# message naming the operation, the group and the rank; well before the
# outer timeout.
source "$(dirname "$0")/lib.bash"

start=$(date +%s)
TCEMU_TEST_HANG=alltoall:2 mpi_hooks 4 bench -c allreduce,alltoall -b 1K -e 1K \
    --timeout 1
took=$(( $(date +%s) - start ))
check "bench hang: exit 4" rc_is 4
check "bench hang: names op, group, rank" \
    err_has "rank 2 (.*): error: watchdog: operation 'alltoall 1024 B' in group 'world'"
check "bench hang: ended within 15 s (took ${took} s)" [ "$took" -le 15 ]
check "bench hang: allreduce before it completed" out_has "^  allreduce"

# Without the injection the same command completes.
mpi 4 bench -c allreduce,alltoall -b 1K -e 1K --timeout 10
check "no hang: exit 0" rc_is 0
finish
