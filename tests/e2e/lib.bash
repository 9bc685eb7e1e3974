# lib.bash - what the end-to-end scripts share (sourced, not run): the
# repository root as working directory ($root), TCEMU, the failure count
# ($fails) with check (ok/ERR per case), status_is, absolute paths for
# scripts that leave the tree, and the lock that runs one namespace test at
# a time.  A script sources it, sets what it needs, and ends with
# [ "$fails" -eq 0 ].
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
root=$PWD
TCEMU=${TCEMU:-bin/tcemu}
fails=0
check_echo=1

# check NAME CMD...: print "# CMD" (unless check_echo=0), run CMD, then
# "ok   NAME" or "ERR  NAME"; a failure counts in $fails.
check() {
    local what=$1; shift
    [ "$check_echo" -eq 0 ] || echo "# $*"
    if "$@"; then echo "ok   $what"; else echo "ERR  $what"; fails=$((fails + 1)); fi
}

# status_is N CMD...: CMD exits with status N (its output in $out/status.out
# and $out/status.err; $out is the script's scratch directory).
status_is() {
    local want=$1; shift
    "$@" >"$out/status.out" 2>"$out/status.err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "exit $got, want $want"; cat "$out/status.err"; return 1; }
}

# absolute_paths: TCEMU and build (BUILD_ROOT, default build) as absolute
# paths, for commands run from other directories or inside namespaces.
absolute_paths() {
    case $TCEMU in /*) ;; *) TCEMU=$root/$TCEMU ;; esac
    build=${BUILD_ROOT:-build}
    case $build in /*) ;; *) build=$root/$build ;; esac
}

# netns_lock NAME: one namespace test at a time on this machine (cluster.sh,
# slurm.sh, slice.sh): a second run started meanwhile (another developer's
# make check) would tear down this one's hosts, or share its ports.  Waits
# for the lock (fd 9, held until the script ends), at most 500 s.
netns_lock() {
    local lockdir=/run/lock
    [ -d "$lockdir" ] || lockdir=/tmp
    exec 9>"$lockdir/tcemu-netns-tests.lock"
    if command -v flock >/dev/null && ! flock -w 500 9; then
        echo "$1: error: another namespace test held $lockdir/tcemu-netns-tests.lock for 500 s"
        exit 1
    fi
}

# runto FILE CMD...: print the command, run it with its output in FILE.
runto() { local f=$1; shift; echo "# $* >$f"; "$@" >"$f" 2>&1; }

# slice_up NAME: the start the slice tests share (slice.sh, slice4.sh):
# skip (the script's skip) without root, ip netns, unshare or python3; fail
# without $TCEMU; take the namespace lock; a fresh $out; 4 hosts of
# $cluster up at $rate Mbit/s, taken down when the script exits.
slice_up() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (creates network namespaces)"
    command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "ip netns unavailable"
    command -v unshare >/dev/null || skip "unshare (util-linux) unavailable"
    command -v python3 >/dev/null || skip "python3 unavailable (JSON checks)"
    [ -x "$TCEMU" ] || { echo "$1: error: $TCEMU not built"; exit 1; }
    netns_lock "$1"
    trap '"$cluster" down' EXIT
    rm -rf "$out"
    mkdir -p "$out"
    "$cluster" down
    check "cluster: 4 hosts, $rate Mbit/s links" "$cluster" up 4 --rate-mbit "$rate" || exit 1
}
