# Shared helpers of the MPI integration tests (sourced, not run).
# Every mpirun is bounded by a timeout; every check prints ok/ERR; the
# calling script ends with `finish`, which exits non-zero if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
TCEMU=${TCEMU:-bin/tcemu}
BUILD_ROOT=${BUILD_ROOT:-build}
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
