# tcemu-lib.sh - shared by the slurm/*.sbatch scripts (sourced, not run).
# shellcheck shell=bash
#
# Finds the tcemu binary and the launcher, runs tcemu so that a job reaching
# its time limit still leaves its results (marked incomplete), and adds the
# Slurm provenance (job id, array id, node list, an allow-listed environment)
# to the JSON tcemu wrote.
#
# Time limits: the scripts ask for --signal=B:USR1@120, so 120 s before the
# limit Slurm sends SIGUSR1 to the batch shell only.  tce_launch traps it (and
# SIGTERM) and forwards SIGUSR1 to the launcher (srun and mpirun both pass it
# on to every rank); tcemu then finishes the iteration it is in and writes
# its JSON with "complete": false.  If tcemu wrote nothing, tce_annotate
# still writes a JSON that says what ran and that it is incomplete.
#
# The signal can come at any time: Slurm checks its warnings every 30 s and
# sends one up to 30 s early (slurmctld's send_job_warn_signal), so a short
# job can get it as it starts.  The scripts record a signal from their
# first line (tce_stop_trap), and once asked to stop, tce_launch sends
# SIGUSR1 to the launcher once tcemu says every rank takes it (its
# --ready-file; a rank or launcher still starting would die of it: exit
# 138), and again every 3 s until it exits: srun drops a signal that comes
# before its tasks exist (launch_fwd_signal: "local_job_list does not exist
# yet"), and a repeat costs nothing, as tcemu's handler only sets a flag.
#
# Environment (all optional):
#   TCEMU           the tcemu binary (default: tcemu on PATH, else
#                   $SLURM_SUBMIT_DIR/bin/tcemu)
#   TCEMU_LAUNCHER  srun | mpirun (default: srun --mpi=pmix when this Slurm
#                   has the pmix plugin, else mpirun)
#   TCEMU_MPIRUN_ARGS  extra mpirun arguments (e.g. "--mca btl_tcp_if_include
#                   10.0.0.0/8")
#   TCEMU_GPU_COLLECT  auto (default: run the compute collector when
#                   nvidia-smi finds GPUs) | 0 (never)
#   TCEMU_GPU_COLLECT_ARGS  its shape arguments (default "--sweep
#                   standard"; e.g. "--job jobs/llama3-70b.cfg --tp 8")

tce_log() { echo "tcemu-slurm: $*" >&2; }

# The directory of the submitted script (sbatch runs a spooled copy).
tce_script_dir() {
    local cmd=""
    if [ -n "${SLURM_JOB_ID:-}" ] && command -v scontrol >/dev/null; then
        cmd=$(scontrol show job -o "$SLURM_JOB_ID" 2>/dev/null |
              tr ' ' '\n' | sed -n 's/^Command=//p' | head -n 1)
    fi
    if [ -n "$cmd" ] && [ -f "$cmd" ]; then dirname "$cmd"; else echo "${SLURM_SUBMIT_DIR:-.}/slurm"; fi
}

tce_find_tcemu() {
    if [ -n "${TCEMU:-}" ]; then
        case $TCEMU in /*) ;; *) TCEMU=${SLURM_SUBMIT_DIR:-$PWD}/$TCEMU ;; esac
    elif command -v tcemu >/dev/null; then
        TCEMU=$(command -v tcemu)
    else
        TCEMU=${SLURM_SUBMIT_DIR:-$PWD}/bin/tcemu
    fi
    [ -x "$TCEMU" ] || { tce_log "error: tcemu not found at $TCEMU (set TCEMU=)"; return 2; }
    export TCEMU
}

# Fill the array LAUNCH with the launcher command line.
tce_pick_launcher() {
    local l=${TCEMU_LAUNCHER:-}
    if [ -z "$l" ]; then
        if srun --mpi=list 2>&1 | grep -q pmix; then l=srun; else l=mpirun; fi
    fi
    # mpirun reads the allocation from Slurm itself; --bind-to none as
    # ranks mostly wait.  Ranks on other nodes inherit the environment of
    # the srun step that started Open MPI's daemons (SLURM_NTASKS = node
    # count there): -x passes the job's own value to every rank.  Word
    # splitting of TCEMU_MPIRUN_ARGS is wanted.
    # shellcheck disable=SC2206
    case $l in
        srun) LAUNCH=(srun --mpi=pmix --kill-on-bad-exit=1) ;;
        mpirun) LAUNCH=(mpirun --bind-to none -x SLURM_NTASKS ${TCEMU_MPIRUN_ARGS:-}) ;;
        *) tce_log "error: TCEMU_LAUNCHER must be srun or mpirun (got '$l')"; return 2 ;;
    esac
    TCEMU_LAUNCHER=$l
    export TCEMU_LAUNCHER
}

# tce_stop_trap: record SIGUSR1 and SIGTERM in TCE_SIGNALLED (the signal's
# name) instead of dying of them, so that a signal before tce_launch is kept
# for it.  The scripts' first line sets the same traps inline (the library
# is not read yet); tce_launch sets them again when it returns.
tce_stop_trap() {
    trap 'TCE_SIGNALLED=USR1' USR1
    trap 'TCE_SIGNALLED=TERM' TERM
}

# tce_stop_asked NAME PID READY: a stop signal NAME came while the launcher
# PID runs: log it, and ask the launcher to stop as soon as the file READY
# exists (the launcher is then past its own start, as it started the
# ranks), then every 3 s until it exits (one repeater, in TCE_REPEATER).
tce_stop_asked() {
    TCE_SIGNALLED=$1
    case $1 in
    USR1) tce_log "SIGUSR1 (time limit near): asking tcemu to finish the current iteration and write what it has" ;;
    *) tce_log "SIG$1: asking tcemu to stop and write what it has" ;;
    esac
    [ -n "$TCE_REPEATER" ] && return 0
    (
        trap - USR1 TERM
        while kill -0 "$2" 2>/dev/null; do
            if [ -e "$3" ]; then
                kill -USR1 "$2" 2>/dev/null
                sleep 3
            else
                sleep 0.2
            fi
        done
    ) &
    TCE_REPEATER=$!
}

# tce_launch READY CMD...: run the command in the background, forward
# SIGUSR1 and SIGTERM to it (a signal recorded by tce_stop_trap before it
# started, too) once it has written the file READY (tcemu's --ready-file:
# every rank takes the signal; rank 0 writes it, beside the results), wait
# for it even across signals; sets TCE_RC and TCE_SIGNALLED (the signal's
# name, or empty).  READY is removed before and after.
tce_launch() {
    local ready=$1 pid
    shift
    TCE_SIGNALLED=${TCE_SIGNALLED:-}
    TCE_REPEATER=""
    rm -f "$ready"
    "$@" &
    pid=$!
    trap 'tce_stop_asked USR1 '"$pid"' "$ready"' USR1
    trap 'tce_stop_asked TERM '"$pid"' "$ready"' TERM
    [ -n "$TCE_SIGNALLED" ] && tce_stop_asked "$TCE_SIGNALLED" "$pid" "$ready"
    TCE_RC=0
    while :; do
        wait "$pid"
        TCE_RC=$?
        # wait returns >128 when a trapped signal interrupted it; the child
        # may still be running then.
        kill -0 "$pid" 2>/dev/null || break
    done
    if [ -n "$TCE_REPEATER" ]; then
        kill "$TCE_REPEATER" 2>/dev/null
        wait "$TCE_REPEATER" 2>/dev/null
    fi
    rm -f "$ready"
    tce_stop_trap
    return 0
}

# tce_gpu_collect PREFIX: when this node has GPUs (nvidia-smi lists one),
# run slurm/tcemu-gpu-collect.py once per node of the allocation (srun, one
# task per node; directly outside Slurm), each writing PREFIX-HOST.cfg.
# Sets TCE_GPU_RC: "" when skipped (no GPUs, TCEMU_GPU_COLLECT=0, or a
# signal already cut the job short), else the collector's exit status
# (the largest over the nodes).  Never fails the caller: the link
# calibration stands on its own.
tce_gpu_collect() {
    local prefix=$1 dir gargs
    TCE_GPU_RC=""
    dir=$(dirname "${BASH_SOURCE[0]}")
    if [ -n "${TCE_SIGNALLED:-}" ]; then
        tce_log "stopped by SIG$TCE_SIGNALLED: compute collector not run"
        return 0
    fi
    if [ "${TCEMU_GPU_COLLECT:-auto}" = 0 ]; then
        tce_log "TCEMU_GPU_COLLECT=0: compute collector not run"
        return 0
    fi
    if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
        tce_log "no GPUs here (nvidia-smi absent or lists none): compute collector skipped"
        return 0
    fi
    # Word splitting of TCEMU_GPU_COLLECT_ARGS is wanted.
    read -r -a gargs <<<"${TCEMU_GPU_COLLECT_ARGS:---sweep standard}"
    tce_log "GPUs found: timing the compute with $dir/tcemu-gpu-collect.py ${gargs[*]} on each node"
    if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null 2>&1; then
        # shellcheck disable=SC2016  # $(hostname) expands on each node
        srun --nodes="${SLURM_JOB_NUM_NODES:-1}" --ntasks-per-node=1 --kill-on-bad-exit=0 \
            bash -c 'p=$1; shift; exec python3 "$@" -o "$p-$(hostname -s).cfg"' collect \
            "$prefix" "$dir/tcemu-gpu-collect.py" "${gargs[@]}"
    else
        python3 "$dir/tcemu-gpu-collect.py" "${gargs[@]}" -o "$prefix-$(hostname -s).cfg"
    fi
    TCE_GPU_RC=$?
    if [ "$TCE_GPU_RC" -ne 0 ]; then
        tce_log "warning: the compute collector failed (exit $TCE_GPU_RC; its reason is above); the link calibration stands"
    else
        tce_log "wrote $prefix-HOST.cfg (compute, one per node)"
    fi
    return 0
}

# tce_annotate JSON KIND EXIT_STATUS [key=value...]: add a "slurm" object
# (job and array ids, node list, allow-listed environment) to the JSON tcemu
# wrote, mark it incomplete when a signal cut the run short, and create a
# minimal incomplete document if tcemu wrote none.  Atomic (temp + rename).
tce_annotate() {
    local json=$1 kind=$2 status=$3
    shift 3
    TCE_SIGNALLED=${TCE_SIGNALLED:-} python3 - "$json" "$kind" "$status" "$@" <<'PYEOF'
import json, os, re, sys
path, kind, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
extra = dict(a.split("=", 1) for a in sys.argv[4:])
doc, note = None, None
try:
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict):
        doc, note = None, "tcemu output is not a JSON object"
except FileNotFoundError:
    note = "tcemu wrote no JSON"
except ValueError as e:
    note = "tcemu JSON unreadable: %s" % e
if doc is None:
    # the schema tcemu itself writes for this command
    versions = {"run": 2, "bench": 3, "calibrate": 2}
    doc = {"schema": "tcemu.%s/%d" % (kind, versions.get(kind, 1)),
           "complete": False}
signalled = os.environ.get("TCE_SIGNALLED", "")
# A signal or a failure makes the run incomplete whatever tcemu said; a
# clean exit keeps tcemu's own verdict.
if signalled or status != 0:
    doc["complete"] = False
elif "complete" not in doc:
    doc["complete"] = True
# Allow-list: Slurm's and Open MPI's own variables, never the whole
# environment; values that look like secrets are dropped anyway.
allow = re.compile(r"^(SLURM|OMPI|PMIX)_[A-Za-z0-9_]+$")
secret = re.compile(r"(TOKEN|SECRET|PASSWORD|KEY|CRED)", re.I)
env = {k: v for k, v in sorted(os.environ.items())
       if allow.match(k) and not secret.search(k)}
g = os.environ.get
doc["slurm"] = {
    "job_id": g("SLURM_JOB_ID"),
    "array_job_id": g("SLURM_ARRAY_JOB_ID"),
    "array_task_id": g("SLURM_ARRAY_TASK_ID"),
    "job_name": g("SLURM_JOB_NAME"),
    "node_list": g("SLURM_JOB_NODELIST"),
    "nodes": g("SLURM_JOB_NUM_NODES"),
    "ntasks": g("SLURM_NTASKS"),
    "partition": g("SLURM_JOB_PARTITION"),
    "launcher": g("TCEMU_LAUNCHER"),
    "exit_status": status,
    "signal": signalled or None,
    "environment": env,
}
doc["slurm"].update(extra)
if note:
    doc["slurm"]["note"] = note
# Safe write: a temporary file created exclusively (O_EXCL, no link
# followed) beside the target, fsync'ed and renamed over it; an existing
# device or FIFO is written in place, never replaced.
import stat, tempfile
umask = os.umask(0)
os.umask(umask)
text = json.dumps(doc, indent=1) + "\n"
try:
    st = os.stat(path)
except FileNotFoundError:
    st = None
if st is not None and not stat.S_ISREG(st.st_mode):
    with open(path, "w") as f:
        f.write(text)
else:
    real = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(prefix=".tcemu-", suffix=".tmp",
                               dir=os.path.dirname(real) or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, real)
    except BaseException:
        os.unlink(tmp)
        raise
PYEOF
}
