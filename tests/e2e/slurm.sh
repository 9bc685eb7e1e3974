#!/usr/bin/env bash
# slurm.sh - a real multi-node Slurm on this machine, and every slurm/ script
# submitted to it with sbatch.
#
# Installs slurm-wlm and munge when missing (apt-get; services are kept from
# starting during the install), brings up two namespace hosts
# (tests/cluster/netns-cluster.sh), starts a private munged, slurmctld in the
# root namespace and one slurmd per host (own network, UTS and mount
# namespaces, fresh tmpfs on /tmp and /dev/shm), then submits
# slurm/tcemu-run.sbatch, slurm/tcemu-calibrate.sbatch and
# slurm/tcemu-sweep.sbatch (a two-task array), checks exit codes, JSON (real
# parser), ranks on both nodes and the allow-listed environment, and runs a
# job into its time limit to check that its results are written, marked
# incomplete, with exit 5; a rank killed with SIGKILL gives the documented
# 137 under srun.  Stops exactly the daemons it started (by pid) and removes what
# it created.  Without root it says "skipped" and why, and exits 0.
#
# TCE_SLURM_KEEP=1 leaves the work directory for reading.
source "$(dirname "$0")/lib.bash"
absolute_paths
check_echo=0
cluster=$root/tests/cluster/netns-cluster.sh
export TCE_CLUSTER_NAME=tcs TCE_CLUSTER_SUBNET=10.77.2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The test nodes overstate their CPUs (all share this machine's cores), so
# Open MPI cannot tell it is oversubscribed: make idle ranks yield instead
# of spinning (the jobs inherit this environment through sbatch).
export OMPI_MCA_mpi_yield_when_idle=1
nodes=2
pids=()
work=""

skip() { echo "slurm.sh: skipped: $*"; exit 0; }
log() { echo "# $*"; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, Slurm and munge daemons)"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "ip netns unavailable"
command -v nsenter >/dev/null && command -v unshare >/dev/null || skip "nsenter/unshare unavailable"
command -v python3 >/dev/null || skip "python3 unavailable (JSON checks)"
[ -x "$TCEMU" ] || { echo "slurm.sh: error: $TCEMU not built"; exit 1; }

netns_lock slurm.sh

install_packages() {
    local missing="" p
    for p in slurmctld slurmd sbatch munged; do
        command -v "$p" >/dev/null || missing=1
    done
    [ -z "$missing" ] && return 0
    log "installing slurm-wlm and munge (apt-get; may take a minute)"
    # Keep the packages' init scripts from starting daemons we would not own.
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    fi
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge; } >"$build/slurm-apt.log" 2>&1
    local rc=$?
    [ -n "$made_policy" ] && rm -f "$policy"
    [ $rc -eq 0 ] || { echo "slurm.sh: error: apt-get install failed (log $build/slurm-apt.log)"; tail -5 "$build/slurm-apt.log"; exit 1; }
}

cleanup() {
    local pid i
    # Our daemons only, by the pids we recorded: TERM, wait, then KILL.
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for i in $(seq 1 50); do
        local alive=""
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    # Job steps left in the hosts die with the namespaces.
    "$cluster" down
    if [ -n "$work" ] && [ -d "$work" ]; then
        if [ -n "${TCE_SLURM_KEEP:-}" ]; then echo "# kept $work"; else rm -rf "$work"; fi
    fi
}

mkdir -p "$build"
install_packages

trap cleanup EXIT
trap 'exit 1' INT TERM
"$cluster" down
"$cluster" up "$nodes" || exit 1

# Everything we create lives here: outside /tmp, which every slurmd gets
# fresh (and the job outputs must be visible from the root namespace).
work=$(mktemp -d /var/tmp/tcemu-slurm.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/etc" "$work/ctld" "$work/log" "$work/munge" "$work/out"
for i in $(seq 1 $nodes); do mkdir -p "$work/spool/node$i"; done
# Jobs see their host's own /tmp (a fresh tmpfs per slurmd), so a checkout
# under /tmp would be invisible to them: submit from a copy of what the jobs
# need, as a site installation would be.
site=$work/site
mkdir -p "$site/bin"
cp -r slurm topologies jobs "$site/"
cp "$TCEMU" "$site/bin/tcemu"
TCEMU=$site/bin/tcemu
export TCEMU


# munge: a private daemon with its own key and socket.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$work/munge"
chmod 600 "$work/munge/munge.key"
munged -F --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
    --seed-file="$work/munge/munged.seed" >"$work/log/munged.stdout" 2>&1 9>&- &
pids+=($!)

host=$(hostname)
mpi_default=none
ls /usr/lib/*/slurm*/mpi_pmix.so >/dev/null 2>&1 && mpi_default=pmix
cat >"$work/etc/slurm.conf" <<EOF
# slurm.conf written by tests/e2e/slurm.sh for a test cluster of namespaces
ClusterName=tcemutest
SlurmctldHost=$host($TCE_CLUSTER_SUBNET.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/ctld/slurmctld.pid
SlurmdPidFile=$work/spool/%n/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=$mpi_default
ReturnToService=2
KillWait=5
MinJobAge=600
OverTimeLimit=0
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
MessageTimeout=20
MailProg=/bin/true
EOF
for i in $(seq 1 $nodes); do
    echo "NodeName=node$i NodeAddr=$TCE_CLUSTER_SUBNET.$((10 + i)) CPUs=4 RealMemory=1024 State=UNKNOWN" >>"$work/etc/slurm.conf"
done
echo "PartitionName=test Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP" >>"$work/etc/slurm.conf"
export SLURM_CONF=$work/etc/slurm.conf

for i in $(seq 1 50); do [ -S "$work/munge/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.stdout" 2>&1 9>&- &
pids+=($!)
for i in $(seq 1 $nodes); do
    # nsenter (not ip netns exec, which remounts /sys and hides the cgroup
    # tree); own hostname; fresh /tmp and /dev/shm so PMIx and Open MPI
    # directories of the two nodes do not collide.
    nsenter --net=/run/netns/$TCE_CLUSTER_NAME-node$i unshare --uts --mount --propagation private \
        sh -c 'hostname "$1" && mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /dev/shm &&
               exec slurmd -D -N "$1" -f "$2"' sh "node$i" "$SLURM_CONF" \
        >"$work/log/slurmd-node$i.stdout" 2>&1 9>&- &
    pids+=($!)
done

up=""
for i in $(seq 1 60); do
    if [ "$(sinfo -h -N -o '%N %T' 2>/dev/null | grep -c ' idle$')" -eq $nodes ]; then up=1; break; fi
    sleep 0.5
done
sinfo -N -o '%N %T %c' 2>&1 | sed 's/^/    | /'
if [ -z "$up" ]; then
    echo "ERR  slurm cluster did not come up"
    tail -n 20 "$work"/log/*.log "$work"/log/*.stdout 2>/dev/null | sed 's/^/    | /'
    exit 1
fi
echo "ok   slurm: slurmctld and $nodes slurmd up (MpiDefault=$mpi_default)"

# submit NAME SBATCH-ARGS...: prints the job id.
submit() {
    local out
    out=$(cd "$site" && sbatch --parsable "$@" 2>&1) || { echo "sbatch failed: $out" >&2; return 1; }
    echo "${out%%;*}"
}

# wait_jobs SECONDS ID...: wait until none of the jobs (or array) is pending
# or running.
wait_jobs() {
    local limit=$1 t=0
    shift
    local q
    while [ "$t" -lt $((limit * 2)) ]; do
        # squeue failing means slurmctld is gone: an error, not "finished".
        q=$(squeue -h -j "$(IFS=,; echo "$*")" 2>&1) || {
            echo "squeue failed: $q" >&2
            return 1
        }
        [ -z "$q" ] && return 0
        sleep 0.5
        t=$((t + 1))
    done
    echo "timed out after ${limit}s waiting for jobs $*" >&2
    scancel "$@" 2>/dev/null
    return 1
}

# job_field ID FIELD: a field of `scontrol show job`.
job_field() {
    scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# check_json FILE COMPLETE(true|false) KIND: parse and check a result.
check_json() {
    python3 - "$@" <<'PYEOF'
import json, sys
path, complete, kind = sys.argv[1], sys.argv[2] == "true", sys.argv[3]
d = json.load(open(path))
s = d["slurm"]
errs = []
if d.get("complete") is not complete:
    errs.append("complete is %r, want %r" % (d.get("complete"), complete))
if not str(d.get("schema", "")).startswith("tcemu.%s/" % kind):
    errs.append("schema %r" % d.get("schema"))
if not s.get("job_id") or not s.get("node_list"):
    errs.append("job id / node list missing")
env = s.get("environment", {})
bad = [k for k in env if not k.startswith(("SLURM_", "OMPI_", "PMIX_"))]
if bad:
    errs.append("environment not allow-listed: %s" % bad[:5])
if "SLURM_JOB_ID" not in env:
    errs.append("SLURM_JOB_ID not in environment")
for k in ("PATH", "HOME", "SLURM_CONF_NOT_A_VAR"):
    if k in env:
        errs.append("%s leaked" % k)
hosts = d.get("hosts")
if isinstance(hosts, list):
    hosts = [h.get("host") if isinstance(h, dict) else h for h in hosts]
if hosts is not None and kind != "calibrate" and complete:
    if len(set(hosts)) < 2:
        errs.append("ranks on %d host(s): %s" % (len(set(hosts)), sorted(set(hosts))))
for e in errs:
    print("    | %s: %s" % (path, e))
sys.exit(1 if errs else 0)
PYEOF
}

out=$work/out
# 3 minutes, and a warning 1 s before the limit instead of the scripts'
# 120 s (which Slurm would send 30 to 60 s in): only the time-limit and
# early-stop jobs below are meant to be stopped, however slow this machine.
small=(--nodes=2 --ntasks-per-node=2 --time=3 --signal=B:USR1@1)

# 1. tcemu-run.sbatch, no arguments but the output dir (defaults: tiny.cfg on
# workstation.cfg), with srun --mpi=pmix (or mpirun when no pmix).
run_id=$(submit "${small[@]}" -o "$out/run-%j.out" slurm/tcemu-run.sbatch \
    topologies/workstation.cfg jobs/tiny.cfg "$out/run" -- --iterations 3)
# 2. the same through mpirun.
mpi_id=$(TCEMU_LAUNCHER=mpirun TCEMU_MPIRUN_ARGS="--mca btl self,vader,tcp" \
    submit "${small[@]}" -o "$out/mpirun-%j.out" slurm/tcemu-run.sbatch \
    topologies/workstation.cfg jobs/tiny.cfg "$out/mpirun" -- --iterations 3)
# 3. calibrate.
cal_id=$(submit "${small[@]}" -o "$out/cal-%j.out" slurm/tcemu-calibrate.sbatch \
    topologies/workstation.cfg "$out/cal" -- -e 4Mi -n 10 -w 2)
# 4. a two-task sweep array: one topology x two jobs.
sweep_id=$(submit "${small[@]}" --array=0-1 -o "$out/sweep-%A_%a.out" slurm/tcemu-sweep.sbatch \
    topologies/workstation.cfg jobs/tiny.cfg,jobs/tiny.cfg "$out/sweep" -- --iterations 2)
# 5. into the time limit: 1 minute, SIGUSR1 15 s before it.  Slurm looks
# at its warnings every 30 s and sends one once the time left is under the
# warning + 30 s (slurmctld's send_job_warn_signal): here at the first look
# 15 s or more into the job, so between 15 and 45 s, after the warm-up and
# before the limit, wherever the job starts in slurmctld's 30-s cycle (a
# warning of 45 s came anywhere from the job's first second).  The two
# time-limit jobs take one node each, so they run side by side.
tl_id=$(submit --nodes=1 --ntasks-per-node=4 --time=1 --signal=B:USR1@15 \
    -o "$out/tl-%j.out" slurm/tcemu-run.sbatch \
    topologies/workstation.cfg jobs/tiny.cfg "$out/tl" -- --iterations 1000000)
# 6. calibrate into the time limit: tcemu's own partial results.
tlc_id=$(submit --nodes=1 --ntasks-per-node=2 --time=1 --signal=B:USR1@15 \
    -o "$out/tlc-%j.out" slurm/tcemu-calibrate.sbatch \
    topologies/workstation.cfg "$out/tlc" -- -e 64Mi -f 2 -n 40 -r 15)
# 7. a stop signal as the job launches tcemu, before srun has tasks to
# forward it to (srun drops such a signal): the script passes it on once
# the ranks can take it.  Slurm's own warning would come only 149 s in
# (after the check below would have failed), so only the early signal can
# stop it.
early_id=$(submit "${small[@]}" -o "$out/early-%j.out" slurm/tcemu-run.sbatch \
    topologies/workstation.cfg jobs/tiny.cfg "$out/early" -- --iterations 1000000)
log "submitted: run $run_id, mpirun $mpi_id, calibrate $cal_id, sweep $sweep_id, time-limit $tl_id and $tlc_id, early stop $early_id"
for id in "$run_id" "$mpi_id" "$cal_id" "$sweep_id" "$tl_id" "$tlc_id" "$early_id"; do
    [ -n "$id" ] || { echo "ERR  sbatch"; exit 1; }
done
# The early stop: SIGUSR1 to the batch script as soon as it logs its launch
# line (its first line has set the trap by then; a signal in the few
# milliseconds before bash reads that line would still end the script).
early_sent=""
for i in $(seq 1 3000); do
    if grep -q '^tcemu-slurm: job ' "$out/early-$early_id.out" 2>/dev/null; then
        scancel --signal=USR1 --batch "$early_id" && early_sent=1
        break
    fi
    state=$(job_field "$early_id" JobState)
    [ "$state" = PENDING ] || [ "$state" = RUNNING ] || break
    sleep 0.1
done
check "early stop: SIGUSR1 sent as the job launched tcemu" test -n "$early_sent"
# 8. a rank killed (SIGKILL, as the out-of-memory killer does) under srun:
# the exit status the README documents (128 + 9, srun's), no hang.  The
# job's ranks run in this PID namespace: found by their output path and a
# command line that starts with tcemu (srun's names it too; killing srun
# instead is not the case the README documents).
kill_id=$(submit "${small[@]}" -o "$out/kill-%j.out" \
    slurm/tcemu-run.sbatch topologies/workstation.cfg jobs/tiny.cfg \
    "$out/killed" -- --iterations 1000000 --time-scale 0.2)
killed_pid=""
# Queued behind every job above (each takes both nodes): up to 300 s for
# its turn, then up to 60 s for its ranks to start.
for i in $(seq 1 600); do
    [ "$(job_field "$kill_id" JobState)" = PENDING ] || break
    sleep 0.5
done
for i in $(seq 1 120); do
    grep -q '^# byte scale' "$out/kill-$kill_id.out" 2>/dev/null && break
    sleep 0.5
done
sleep 2
killed_pid=$(pgrep -f "^$TCEMU run .*$out/killed/" | head -n 1)
if [ -n "$killed_pid" ]; then
    log "SIGKILL to rank process $killed_pid of job $kill_id"
    kill -KILL "$killed_pid"
fi
check "killed rank: found a rank of job $kill_id to kill" test -n "$killed_pid"
check "all jobs finished within 200 s" wait_jobs 200 "$run_id" "$mpi_id" "$cal_id" "$sweep_id" "$tl_id" "$tlc_id" "$early_id" "$kill_id"
log "killed-rank job: $(job_field "$kill_id" JobState) $(job_field "$kill_id" ExitCode)"
check "killed rank under srun: the job exits 137 (128 + SIGKILL)" \
    test "$(job_field "$kill_id" ExitCode)" = "137:0"
for f in "$out"/*.out; do echo "# $f"; sed 's/^/    | /' "$f" | tail -n 15; done

for id in "$run_id" "$mpi_id" "$cal_id"; do
    check "job $id: COMPLETED, exit 0:0" \
        test "$(job_field "$id" JobState) $(job_field "$id" ExitCode)" = "COMPLETED 0:0"
done
check "run (srun): JSON complete, on 2 nodes, environment allow-listed" \
    check_json "$out/run/tcemu-run-$run_id.json" true run
check "run (mpirun): JSON complete, on 2 nodes" \
    check_json "$out/mpirun/tcemu-run-$mpi_id.json" true run
check "run: launcher recorded (srun, mpirun)" python3 -c "
import json, sys
a = json.load(open('$out/run/tcemu-run-$run_id.json'))['slurm']['launcher']
b = json.load(open('$out/mpirun/tcemu-run-$mpi_id.json'))['slurm']['launcher']
sys.exit(not (a in ('srun', 'mpirun') and b == 'mpirun'))"
check "run log names both nodes" \
    sh -c "grep -q node1 '$out/run-$run_id.out' && grep -q node2 '$out/run-$run_id.out'"
check "calibrate: calibration file written" test -s "$out/cal/calibration-$cal_id.cfg"
check "calibrate: JSON complete" check_json "$out/cal/tcemu-calibrate-$cal_id.json" true calibrate
for t in 0 1; do
    check "sweep task $t: COMPLETED 0:0" \
        test "$(job_field "${sweep_id}_$t" JobState) $(job_field "${sweep_id}_$t" ExitCode)" = "COMPLETED 0:0"
    check "sweep task $t: %A_%a JSON with array ids" sh -c "
        f='$out/sweep/tcemu-sweep-${sweep_id}_$t.json'
        python3 -c \"import json,sys; s=json.load(open('\$f'))['slurm']; sys.exit(not (s['array_job_id']=='$sweep_id' and s['array_task_id']=='$t' and s['pair_index']=='$t'))\"" 
done
check "sweep: outputs named %A_%a" test -s "$out/sweep-${sweep_id}_1.out"
early_json=$out/early/tcemu-run-$early_id.json
check "early stop: tcemu run exits 5, its JSON marked incomplete, stopped by SIGUSR1" \
    python3 -c "
import json, sys
d = json.load(open('$early_json'))
sys.exit(not (d['complete'] is False and d.get('stopped_by_signal') == 10
              and d['slurm']['signal'] == 'USR1'))"
check "early stop: exit 5:0" test "$(job_field "$early_id" ExitCode)" = "5:0"
# The signal not lost: the job ended long before Slurm's own warning.
check "early stop: the job ended within 60 s of its start" python3 -c "
import datetime, sys
f = lambda s: datetime.datetime.fromisoformat(s)
sys.exit(not (f('$(job_field "$early_id" EndTime)') - f('$(job_field "$early_id" StartTime)')).total_seconds() < 60)"
tl_json=$out/tl/tcemu-run-$tl_id.json
check "time limit: JSON written, marked incomplete" check_json "$tl_json" false run
check "time limit: the script caught SIGUSR1" \
    python3 -c "import json,sys; sys.exit(json.load(open('$tl_json'))['slurm']['signal'] != 'USR1')"
# tcemu's own partial results (tcemu run stops at an iteration boundary on
# SIGUSR1 and writes what it measured).
check "time limit: tcemu wrote its own partial results (iterations > 0)" \
    python3 -c "import json,sys; d=json.load(open('$tl_json')); sys.exit(not (d.get('schema') == 'tcemu.run/2' and (d.get('iterations', 0) or 0) > 0 and d.get('stopped_by_signal') == 10))"
check "time limit: tcemu run exits 5 (stopped, partial results written)" \
    test "$(job_field "$tl_id" ExitCode)" = "5:0"
check "time limit: tcemu run's JSON says how many iterations were measured" \
    python3 -c "import json,sys; d=json.load(open('$tl_json')); sys.exit(not d['iterations_measured'] >= 1)"
check "time limit: tcemu calibrate exits 5" \
    test "$(job_field "$tlc_id" ExitCode)" = "5:0"
tlc_json=$out/tlc/tcemu-calibrate-$tlc_id.json
check "time limit: tcemu calibrate wrote its own partial results, marked incomplete" \
    python3 -c "
import json, sys
d = json.load(open('$tlc_json'))
ok = (d.get('schema') == 'tcemu.calibrate/2' and d['complete'] is False
      and d.get('stopped_by_signal') == 10 and d['slurm']['signal'] == 'USR1'
      and any(c['points'] for l in d['links'] for c in l['collectives']))
sys.exit(0 if ok else 1)"

# Stop and remove everything now, and check that nothing is left.
started=("${pids[@]}")
kept_work=$work
cleanup >/dev/null 2>&1
trap - EXIT
pids=()
check "cleanup: every daemon we started is gone" \
    sh -c "for p in ${started[*]}; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
check "cleanup: no namespace or interface left" \
    sh -c "! ip netns list | grep -q '^tcs-' && ! ip -o link show | grep -q ': tcs-'"
[ -n "${TCE_SLURM_KEEP:-}" ] || check "cleanup: work directory removed" test ! -e "$kept_work"

log "slurm.sh: $fails failed"
[ "$fails" -eq 0 ]
