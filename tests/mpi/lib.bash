# Shared helpers of the MPI integration tests (sourced, not run).
# Every mpirun is bounded by a timeout; every check prints ok/ERR; the
# calling script ends with `finish`, which exits non-zero if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
TCEMU=${TCEMU:-bin/tcemu}
BUILD_ROOT=${BUILD_ROOT:-build}
# The test build with the fault injection (TCEMU_TEST_*) compiled in
# (`make test-hooks`); bin/tcemu, the installed one, has none.
HOOKS=${TCEMU_HOOKS:-$BUILD_ROOT/hooks/tcemu}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tcemu-mpi.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
FAILS=0
CHECKS=0

# mpi NP ARGS...: run tcemu on NP ranks; stdout in $SCRATCH/out, stderr in
# $SCRATCH/err, exit status in $RC.
mpi() {
    local np=$1; shift
    echo "# mpirun --oversubscribe -np $np $TCEMU $*"
    timeout -k 5 "${MPI_TIMEOUT:-60}" mpirun --oversubscribe -np "$np" \
        "$TCEMU" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
    RC=$?
}

# mpi_hooks NP ARGS...: mpi with the test build (fault injection).
mpi_hooks() {
    if [ ! -x "$HOOKS" ]; then
        echo "ERR  $HOOKS missing: build it with make test-hooks"
        FAILS=$((FAILS + 1))
        RC=255
        return
    fi
    TCEMU=$HOOKS mpi "$@"
}

# mpi_signal NP SIGNAL TARGET DELAY ARGS...: start tcemu on NP ranks, wait
# until its stdout has a line matching $WAIT_FOR (default: the header's
# '# byte scale'), then DELAY seconds, then send SIGNAL to TARGET: "mpirun",
# "rank" (one rank process, the first child of mpirun) or "all" (every rank,
# as srun does at a time limit).  Bounded: mpirun is killed after 60 s.
mpi_signal() {
    local np=$1 sig=$2 target=$3 delay=$4 pid i ranks
    shift 4
    echo "# mpirun --oversubscribe -np $np $TCEMU $* & (SIG$sig to $target after ${delay}s)"
    mpirun --oversubscribe -np "$np" "$TCEMU" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" &
    pid=$!
    for i in $(seq 1 240); do
        grep -q -- "${WAIT_FOR:-^# byte scale}" "$SCRATCH/out" "$SCRATCH/err" 2>/dev/null && break
        sleep 0.25
    done
    sleep "$delay"
    ranks=$(pgrep -P "$pid" | sort -n)
    case $target in
    mpirun) kill -s "$sig" "$pid" ;;
    rank) kill -s "$sig" "$(echo "$ranks" | head -n 1)" ;;
    all) for i in $ranks; do kill -s "$sig" "$i"; done ;;
    esac
    SIGNAL_AT=$(date +%s)
    for i in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && { echo "# still running after 60 s: killing $pid"; kill -KILL "$pid"; }
    wait "$pid"
    RC=$?
    ENDED_IN=$(( $(date +%s) - SIGNAL_AT ))
}

check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    CHECKS=$((CHECKS + 1))
    if "$@"; then
        echo "ok   $what"
    else
        echo "ERR  $what"
        FAILS=$((FAILS + 1))
        echo "    | stdout:"; sed 's/^/    | /' "$SCRATCH/out" | tail -n 25
        echo "    | stderr:"; sed 's/^/    | /' "$SCRATCH/err" | tail -n 15
    fi
}

rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$SCRATCH/out"; }
err_has() { grep -q -- "$1" "$SCRATCH/err"; }

finish() {
    echo "# $CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}
