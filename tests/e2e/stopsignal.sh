#!/usr/bin/env bash
# stopsignal.sh - a time-limit signal that reaches a slurm/ batch script at
# any moment is passed on to the ranks and stops them cleanly (exit 5,
# partial results marked incomplete), never lost and never fatal.
#
# Slurm sends --signal=B:USR1@T up to 30 s early, so a short job can get it
# while its launcher or ranks are still starting: a launcher or rank that has
# no handler yet dies of it (exit 138), and srun drops a signal that comes
# before its tasks exist.  Here slurm/tcemu-run.sbatch runs outside Slurm
# (mpirun, 4 real ranks) and gets SIGUSR1 at three moments: as it launches,
# 1 s later, and during the measured iterations.  Then tcemu-lib.sh's
# tce_launch alone, with a stand-in launcher that drops SIGUSR1 for its
# first 2 s as srun does: the signal is repeated until it is taken.
source "$(dirname "$0")/lib.bash"
absolute_paths
check_echo=0
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
[ -x "$TCEMU" ] || { echo "stopsignal.sh: error: $TCEMU not built"; exit 1; }
command -v mpirun >/dev/null || { echo "stopsignal.sh: skipped: no mpirun"; exit 0; }
command -v python3 >/dev/null || { echo "stopsignal.sh: skipped: no python3"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0

# start_script DIR: tcemu-run.sbatch in the background (4 ranks, a run
# long enough that only the signal ends it); its pid in $script_pid.
start_script() {
    mkdir -p "$1"
    env -u SLURM_JOB_ID SLURM_NTASKS=4 TCEMU="$TCEMU" TCEMU_LAUNCHER=mpirun \
        TCEMU_MPIRUN_ARGS="-n 4" bash "$root/slurm/tcemu-run.sbatch" \
        "$root/topologies/workstation.cfg" "$root/jobs/tiny.cfg" "$1" \
        -- --iterations 1000000 --time-scale 0.2 >"$1/log" 2>&1 &
    script_pid=$!
}

# wait_line DIR REGEX: until the script's log has a matching line (60 s).
wait_line() {
    local i
    for i in $(seq 1 1200); do
        grep -Eq -- "$2" "$1/log" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# finish DIR: wait for the script (60 s at most, then SIGKILL) and write
# its exit status to DIR/rc.
finish() {
    local guard rc
    (sleep 60 && kill -KILL "$script_pid" 2>/dev/null) &
    guard=$!
    wait "$script_pid"
    rc=$?
    kill "$guard" 2>/dev/null
    wait "$guard" 2>/dev/null
    echo "$rc" >"$1/rc"
}

# stopped_cleanly DIR: exit 5, the JSON incomplete, stopped by SIGUSR1
# (tcemu's and the script's record), the ready file gone.
stopped_cleanly() {
    local rc
    rc=$(cat "$1/rc")
    [ "$rc" = 5 ] || { echo "    | exit $rc, want 5"; sed 's/^/    | /' "$1/log" | tail -n 15; return 1; }
    python3 - "$1/tcemu-run-local.json" <<'PYEOF' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
ok = (d["complete"] is False and d.get("stopped_by_signal") == 10
      and d["slurm"]["signal"] == "USR1")
if not ok:
    print("    | complete %r, stopped_by_signal %r, script's signal %r"
          % (d["complete"], d.get("stopped_by_signal"), d["slurm"]["signal"]))
sys.exit(0 if ok else 1)
PYEOF
    [ ! -e "$1/tcemu-run-local.ready" ] || { echo "    | ready file left"; return 1; }
}

# 1. As the script launches (after its log line, before or while mpirun
# starts): three times, as the moment varies.
for n in 1 2 3; do
    d=$out/launch$n
    start_script "$d"
    wait_line "$d" '^tcemu-slurm: job ' && kill -USR1 "$script_pid"
    finish "$d"
    check "signal as the launcher starts ($n): exit 5, partial results marked incomplete" stopped_cleanly "$d"
done

# 2. One second later: mpirun up, the ranks starting or in their warm-up.
d=$out/second
start_script "$d"
wait_line "$d" '^tcemu-slurm: job ' && sleep 1 && kill -USR1 "$script_pid"
finish "$d"
check "signal 1 s after the launch: exit 5, partial results marked incomplete" stopped_cleanly "$d"

# 3. During the measured iterations (--progress is off: rank 0's table
# header comes after the warm-up); tcemu measured at least one.
d=$out/measuring
start_script "$d"
wait_line "$d" '^# byte scale' && sleep 3 && kill -USR1 "$script_pid"
finish "$d"
check "signal while measuring: exit 5, partial results marked incomplete" stopped_cleanly "$d"
check "signal while measuring: iterations measured before the stop" python3 -c "
import json, sys
sys.exit(not json.load(open('$d/tcemu-run-local.json'))['iterations_measured'] >= 1)"

# 4. tce_launch with a stand-in launcher that writes the ready file and has
# a SIGUSR1 handler but drops the signal for its first 2 s (srun before its
# tasks exist), then exits 5 on it: one signal at 0.5 s must still stop it
# (by the repeat).
d=$out/dropped
mkdir -p "$d"
cat >"$d/launcher" <<'EOF'
#!/usr/bin/env bash
trap ':' USR1
: >"$1"
end=$((SECONDS + 2))
while [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
trap 'exit 5' USR1
while :; do sleep 0.1; done
EOF
chmod +x "$d/launcher"
bash -c '. "$1/slurm/tcemu-lib.sh"; tce_stop_trap
         tce_launch "$2/ready" "$2/launcher" "$2/ready"
         echo "rc=$TCE_RC signal=$TCE_SIGNALLED"; jobs -p | wc -l' \
    sh "$root" "$d" >"$d/log" 2>&1 &
script_pid=$!
sleep 0.5
kill -USR1 "$script_pid"
finish "$d"
check "a signal the launcher drops at first is repeated until taken (exit 5)" \
    grep -qx 'rc=5 signal=USR1' "$d/log"
check "no repeater left behind" sh -c "tail -n 1 '$d/log' | grep -qx 0"

# 5. No signal: tce_launch returns the command's status, TCE_SIGNALLED
# stays empty, the ready file is removed.
d=$out/plain
mkdir -p "$d"
bash -c '. "$1/slurm/tcemu-lib.sh"; tce_stop_trap
         tce_launch "$2/ready" sh -c ": >\"\$0\"; exit 3" "$2/ready"
         echo "rc=$TCE_RC signal=[$TCE_SIGNALLED]"' sh "$root" "$d" >"$d/log" 2>&1
check "no signal: the command's status, no signal recorded" grep -qx 'rc=3 signal=\[\]' "$d/log"
check "no signal: the ready file removed" test ! -e "$d/ready"

echo "# stopsignal.sh: $fails failed"
[ "$fails" -eq 0 ]
