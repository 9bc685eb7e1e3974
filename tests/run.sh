#!/usr/bin/env bash
# Run every test of tcemu: unit tests (plain and sanitized), MPI integration
# tests (tests/mpi/*.sh), end-to-end scripts (tests/e2e/*.sh).  Prints the
# exact command and ok/ERR per test, a closing "N passed, N failed" line, and
# exits non-zero when any test failed; at the end, each failed test with its
# failed checks (its ERR lines, two lines before each).  TCE_TESTS=REGEX runs a subset.
# Tests use $TCEMU (default bin/tcemu) and $BUILD_ROOT (default build).
# Each test runs under a timeout (TCE_TEST_TIMEOUT seconds, default 600).
set -u
cd "$(dirname "$0")/.." || exit 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
pattern=${TCE_TESTS:-.}
limit=${TCE_TEST_TIMEOUT:-600}
build_root=${BUILD_ROOT:-build}
export TCEMU=${TCEMU:-bin/tcemu}
logs=$build_root/test-logs
mkdir -p "$logs"
passed=0 failed=0 failures=() failure_logs=()

run_one() {
    local name=$1; shift
    local log="$logs/$(echo "$name" | tr '/ ' '__').log"
    local t0=$SECONDS rc=0
    case $name in
    *slurm*) echo "# note: as root this test installs slurm-wlm and munge if missing (apt-get) and starts slurmctld, slurmd and munged in private network namespaces; they are stopped at its end" ;;
    *cluster* | *slice*) echo "# note: as root this test creates private network namespaces, a bridge and shaped veth links; they are removed at its end" ;;
    esac
    echo "# run: $*"
    timeout -k 10 "$limit" "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "ok   $name ($((SECONDS - t0)) s)"
        passed=$((passed + 1))
    else
        echo "ERR  $name (exit $rc after $((SECONDS - t0)) s; log $log)"
        sed 's/^/    | /' "$log" | tail -n 40
        failed=$((failed + 1))
        failures+=("$name")
        failure_logs+=("$log")
    fi
}

for t in "$build_root"/rel/tests/test_* "$build_root"/san/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d) continue ;; esac
    # a binary left from a test source that no longer exists is not a test
    [ -f "tests/unit/$(basename "$t").c" ] || continue
    echo "$t" | grep -Eq -- "$pattern" || continue
    run_one "$t" "$t"
done
for t in tests/mpi/*.sh tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    echo "$t" | grep -Eq -- "$pattern" || continue
    run_one "$t" bash "$t"
done

# every golden command again under AddressSanitizer + UndefinedBehavior-
# Sanitizer (-fno-sanitize-recover: any overflow or leak fails)
san=$build_root/san/tcemu
if [ -x "$san" ] && echo "tests/e2e/golden.sh-san" | grep -Eq -- "$pattern"; then
    run_one "tests/e2e/golden.sh under ASan+UBSan" env TCEMU="$san" bash tests/e2e/golden.sh
fi

# The failed checks again, last: a log that keeps only the end of this
# output (a CI summary) still names them.
if [ "$failed" -gt 0 ]; then
    for i in "${!failures[@]}"; do
        echo "# failed: ${failures[$i]}"
        grep -B 2 -E '^(ERR|not ok|\[ +(FAILED|ERROR) +\])' "${failure_logs[$i]}" | head -n 20 | sed 's/^/#   /'
    done
fi
echo "# total time: $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
