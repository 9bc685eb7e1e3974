#!/usr/bin/env bash
# tcemu run on 2, 4 and 8 ranks: the issue's "done when" command with the
# JSON through python3 (every field), 1F1B and interleaved schedules, MoE
# all-to-all with routing skew, context parallelism, byte scaling, chunking
# of counts (test-only TCEMU_TEST_MAX_COUNT), a hung op caught by the
# watchdog, the exit status of every way a run ends (README's table), and
# the errors every rank must agree on (exit 2).  Fault injection runs the
# test build ($BUILD_ROOT/hooks/tcemu, `make test-hooks`).
source "$(dirname "$0")/lib.bash"

TOPO=topologies/workstation.cfg
TINY=jobs/tiny.cfg
FIX=tests/fixtures/emu
FAST="--time-scale 0.05 --iterations 2 --warmup 1 --timeout 30"

# check_json FILE PYTHON-EXPRESSIONS...: every field of tcemu.run/2.
check_json() {
    python3 - "$SCRATCH/out" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.run/2", d["schema"]
for k in ("tcemu_version", "mpi_library", "command", "ranks", "nodes", "hosts",
          "topology", "job", "layout", "iterations", "warmup", "time_scale",
          "byte_scale", "iteration_s", "slowest_rank", "ops",
          "routing_skew"):
    assert k in d, "missing " + k
for k in ("min", "avg", "max"):
    assert d["iteration_s"][k] > 0, d["iteration_s"]
it = d["iteration_s"]
assert it["min"] <= it["avg"] <= it["max"], it
assert 0 <= d["slowest_rank"]["rank"] < d["ranks"]
assert d["slowest_rank"]["host"]
assert len(d["hosts"]) == d["ranks"]
assert d["ops"], "no ops"
for op in d["ops"]:
    for k in ("name", "kind", "group", "bytes", "count", "measured_s",
              "modelled_s", "algbw_gbytes_per_s", "busbw_gbytes_per_s"):
        assert k in op, (k, op)
    m = op["measured_s"]
    assert 0 <= m["min"] <= m["avg"] <= m["max"], op
    assert op["modelled_s"] is None and op["kind"] == "wait" or op["modelled_s"] >= 0, op
    assert op["count"] > 0, op
    if op["kind"] not in ("compute", "send", "wait"):
        assert op["bytes"] > 0, op
        alg = op["bytes"] / m["avg"] / 1e9
        assert abs(op["algbw_gbytes_per_s"] - alg) <= 1e-6 * alg, op
for expr in sys.argv[2:]:
    assert eval(expr, {"d": d, "ops": d["ops"]}), expr
PY
}

# The issue's "done when": 8 ranks, 2 virtual nodes of 4, JSON on stdout.
mpi 8 run -t $TOPO -j $TINY --ranks-per-node 4 --json - --timeout 60
check "tiny on 8 ranks: exit 0" rc_is 0
check "tiny: JSON with every field" check_json \
    'd["ranks"] == 8 and d["nodes"] == 2 and d["ranks_per_node"] == 4' \
    'd["complete"] is True and d["iterations"] == 3' \
    'd["layout"]["tp"] == 2 and d["layout"]["pp"] == 2 and d["layout"]["dp"] == 2' \
    'd["layout"]["schedule"] == "1f1b" and d["byte_scale"] == 1' \
    '{o["group"] for o in ops} >= {"tp", "pp", "dp"}' \
    'any(o["kind"] == "compute" and o["measured_s"]["avg"] >= 0.9 * o["modelled_s"] for o in ops)' \
    'any(o["name"] == "grad_reduce_wait" and o["modelled_s"] == d["modelled_breakdown_s"]["dp_exposed"] for o in ops)' \
    '{c["class"] for c in d["classes"]} >= {"compute", "tp", "dp", "pp+wait", "optimizer"}' \
    'd["modelled_iteration_s"] > 0 and abs(sum(d["modelled_breakdown_s"].values()) - d["modelled_iteration_s"]) <= 1e-6 * d["modelled_iteration_s"]'
check "tiny: measured vs modelled table on stderr" err_has "modeled"
cp "$SCRATCH/out" "$SCRATCH/tiny.json"

# --trace (Chrome trace-event JSON: a track per rank, a slice per op) and
# --csv (the per-op table) beside --json, on 8 ranks with pp 2.
mpi 8 run -t $TOPO -j $TINY --ranks-per-node 4 $FAST --json "$SCRATCH/t.json" \
    --trace "$SCRATCH/trace.json" --csv "$SCRATCH/ops.csv"
check "trace and csv: exit 0" rc_is 0
check "trace: every rank a named track, every op a slice" python3 - \
    "$SCRATCH/t.json" "$SCRATCH/trace.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
ev = t["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in ev
         if e.get("ph") == "M" and e.get("name") == "thread_name"}
assert sorted(names) == list(range(8)), names
assert all(names[r].startswith("rank %d (" % r) for r in names), names
x = [e for e in ev if e.get("ph") == "X"]
assert {e["tid"] for e in x} == set(range(8)), "a rank without slices"
for e in x:
    assert e["dur"] >= 0 and e["ts"] >= 0, e
    for k in ("phase", "kind", "group"):
        assert k in e["args"], e
    if e["cat"] not in ("compute", "wait"):
        assert e["args"]["bytes"] > 0 and e["cat"] == e["args"]["group"], e
want = {(o["list"], o["name"]) for o in d["ops"]}
have = {(e["args"]["phase"], e["name"]) for e in x}
assert want <= have, sorted(want - have)
# both pipeline stages' lists: embedding on stage 0, head on stage 1
assert {e["args"]["phase"] for e in x} >= {"embed_fwd", "head_fwd", "p2p_fwd"}
assert any(e["cat"] == "pp" for e in x) and any(e["cat"] == "tp" for e in x)
PY
check "csv: schema column, one row per op of the JSON" python3 - \
    "$SCRATCH/t.json" "$SCRATCH/ops.csv" <<'PY'
import csv, json, math, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert rows and all(r["schema"] == "tcemu.run.ops/1" for r in rows)
assert len(rows) == len(d["ops"]), (len(rows), len(d["ops"]))
for r, o in zip(rows, d["ops"]):
    assert (r["list"], r["op"], r["kind"], r["group"]) == \
        (o["list"], o["name"], o["kind"], o["group"]), (r, o)
    assert abs(float(r["measured_avg_s"]) - o["measured_s"]["avg"]) <= 1e-8 * o["measured_s"]["avg"] + 1e-12
    if o["bytes"] is None:
        assert math.isnan(float(r["bytes"]))
PY
check "progress: none when stderr is not a terminal" sh -c "! grep -q 'iteration 1/' '$SCRATCH/err'"
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 $FAST --progress
check "--progress: one line per iteration on stderr" sh -c "
    grep -q '^tcemu: warm-up iteration 1/1: ' '$SCRATCH/err' &&
    [ \$(grep -c '^tcemu: measured iteration [12]/2: .* s (rank 0, measured)' '$SCRATCH/err') -eq 2 ]"
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 $FAST --trace "$SCRATCH/no/dir/t.json"
check "unwritable --trace: exit 1 before the emulation" rc_is 1
check "unwritable --trace: names the path" err_has "cannot write $SCRATCH/no/dir/t.json"

# A calibration file replaces the topology's link parameters in the model
# (the fixture's scale_up link is faster than workstation.cfg's).
mpi 8 run -t $TOPO -j $TINY --ranks-per-node 4 \
    -c tests/fixtures/good/calibration.cfg $FAST --json -
check "calibrated: exit 0" rc_is 0
check "calibrated: modelled TP time uses the fitted link" python3 - \
    "$SCRATCH/tiny.json" "$SCRATCH/out" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))
assert a["calibration"] is None
assert c["calibration"] == "tests/fixtures/good/calibration.cfg"
m = lambda d: [o["modelled_s"] for o in d["ops"]
               if o["list"] == "dense_fwd" and o["name"] == "tp_ag_attn"][0]
assert 0 < m(c) < m(a), (m(c), m(a))
PY
mpi 2 run -t $TOPO -j $TINY --gpus 2 -c tests/fixtures/emu/none.cfg $FAST
check "missing calibration file: exit 2" rc_is 2

# 1F1B on 4 ranks with --gpus re-deriving DP (tp 2, pp 2, dp 1).
mpi 4 run -t $TOPO -j $TINY --gpus 4 $FAST --json -
check "tiny --gpus 4: exit 0" rc_is 0
check "tiny --gpus 4: dp 1, 8 microbatches" check_json \
    'd["layout"]["dp"] == 1 and d["layout"]["microbatches"] == 8' \
    'not any(o["group"] == "dp" for o in ops)'

# Overlapped DP all-reduce (no distributed optimizer): 8 ranks, dp 4; then
# 2 ranks (tp 2 only, no DP) with --gpus 2.
mpi 8 run -t $TOPO -j $FIX/dp.cfg --ranks-per-node 4 $FAST --json -
check "dp: exit 0" rc_is 0
check "dp: overlapped gradient all-reduce" check_json \
    'd["layout"]["dp"] == 4' \
    'any(o["name"] == "dp_ar_grads" and o["kind"] == "all_reduce" and o["overlap"] == "backward" for o in ops)'
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 $FAST --json -
check "dp --gpus 2: exit 0" rc_is 0
check "dp --gpus 2: pp 1, dp 1, no p2p" check_json \
    'd["layout"]["pp"] == 1 and d["layout"]["dp"] == 1' \
    'not any(o["group"] in ("pp", "dp") for o in ops)'

# Interleaved schedule (pp 2, 2 virtual stages).
mpi 8 run -t $TOPO -j $FIX/interleaved.cfg --ranks-per-node 4 $FAST --json -
check "interleaved: exit 0" rc_is 0
check "interleaved: schedule and p2p per virtual stage" check_json \
    'd["layout"]["schedule"] == "interleaved" and d["layout"]["vpp"] == 2' \
    '[o["count"] for o in ops if o["name"] == "pp_send_act"] == [8]' \
    'any(o["group"] == "tp" and o["overlap"] == "compute" for o in ops)'

# MoE: EP all-to-all with a routing skew; EDP groups.
mpi 8 run -t $TOPO -j $FIX/moe.cfg --ranks-per-node 4 --routing-skew 1 \
    $FAST --json -
check "moe: exit 0" rc_is 0
check "moe: all-to-all in ep groups, edp reductions" check_json \
    'd["routing_skew"] == 1' \
    'sum(o["kind"] == "all_to_all" and o["group"] == "ep" for o in ops) == 4' \
    'any(o["group"] == "edp" for o in ops)'
mpi 8 run -t $TOPO -j $FIX/moe.cfg --routing-skew 1.5 $FAST
check "moe: skew above ep-1 is exit 2" rc_is 2
check "moe: skew message" err_has "routing-skew 1.5"

# MoE, issue 11: token drop padded to capacity 1.25: every rank sends
# 1.25 x its routed copies (256 tokens x top-2 x 256 x 2 B x 1.25), in
# equal splits whatever --routing-skew asks.
mpi 8 run -t $TOPO -j $FIX/moe-drop.cfg --ranks-per-node 4 --routing-skew 1 \
    $FAST --json -
check "moe token drop: exit 0" rc_is 0
check "moe token drop: capacity-sized all-to-alls, no skew carried" check_json \
    'd["routing_skew"] == 1 and d["routing_skew_carried"] == 0' \
    '{o["bytes"] for o in ops if o["group"] == "ep"} == {327680}' \
    'sum(o["kind"] == "all_to_all" and o["group"] == "ep" for o in ops) == 4'
check "moe token drop: said in the table" err_has "^# routing skew: 1 asked, 0 carried"

# MoE, issue 11: node-deduplicated (flex) dispatch over EP 8 on 2 virtual
# nodes: one FP8 copy per destination node over ep_inter (256 tokens x 256
# x 1.03125 B x 1.5 expected nodes), k BF16/FP8 copies over ep_intra,
# combine in BF16 the other way round; measured beside modelled.
mpi 8 run -t $TOPO -j $FIX/moe-flex.cfg --ranks-per-node 4 $FAST --json -
check "moe flex: exit 0" rc_is 0
check "moe flex: dispatch and combine legs, measured and modelled" check_json \
    '{o["bytes"] for o in ops if o["name"] == "ep_dispatch_inter"} == {101376}' \
    '{o["bytes"] for o in ops if o["name"] == "ep_dispatch_intra"} == {135168}' \
    '{o["bytes"] for o in ops if o["name"] == "ep_combine_inter"} == {196608}' \
    'all(o["modelled_s"] > 0 and o["measured_s"]["avg"] > 0 for o in ops if o["group"] in ("ep_inter", "ep_intra"))' \
    'sum(o["kind"] == "all_to_all" and o["group"] == "ep_inter" for o in ops) == 4' \
    'sum(o["kind"] == "all_to_all" and o["group"] == "ep_intra" for o in ops) == 4' \
    'not any(o["group"] == "ep" for o in ops)'

# Context parallelism.
mpi 8 run -t $TOPO -j $FIX/cp.cfg --ranks-per-node 4 $FAST --json -
check "cp: exit 0" rc_is 0
check "cp: cp group exchanges" check_json \
    'd["layout"]["cp"] == 2' \
    'any(o["group"] == "cp" and o["overlap"] == "attention" for o in ops)'

# Byte scaling: buffers limited to 1 MiB, one reported factor.
mpi 8 run -t $TOPO -j $TINY --ranks-per-node 4 --max-buffer 1Mi $FAST --json -
check "byte scaling: exit 0" rc_is 0
check "byte scaling: one factor applied to every message" check_json \
    '0 < d["byte_scale"] < 0.1' \
    'all(abs(o["bytes"] - max(4, o["real_bytes"] * d["byte_scale"])) <= 8 for o in ops if o["bytes"] is not None)'
check "byte scaling: said in the table" err_has "^# byte scale: 0\\."

# Chunking: at most 1000 elements per MPI call (test-only limit).
TCEMU_TEST_MAX_COUNT=1000 mpi_hooks 8 run -t $TOPO -j $TINY --ranks-per-node 4 \
    $FAST --json -
check "chunked counts: exit 0" rc_is 0
check "chunked counts: same bytes, one execution per bucket" check_json \
    'd["byte_scale"] == 1' \
    '[o["count"] for o in ops if o["name"] == "dp_rs_grads"] == [1]'

# A hung op (rank 3 never joins its TP all-gather) ends the run: exit 4.
TCEMU_TEST_HANG=tp_ag_attn:3 mpi_hooks 8 run -t $TOPO -j $TINY --ranks-per-node 4 \
    --time-scale 0.05 --timeout 2
check "run hang: exit 4" rc_is 4
check "run hang: names op, group and rank" \
    err_has "rank 3 (.*): error: watchdog: operation 'dense_fwd.tp_ag_attn' in group 'tp'"

# An MPI error on one rank in the middle of the walk (test-only
# TCEMU_TEST_FAIL) ends the whole job: exit 1, naming the op, no hang.
TCEMU_TEST_FAIL=dp_rs_grads:5 mpi_hooks 8 run -t $TOPO -j $TINY --ranks-per-node 4 \
    --time-scale 0.05
check "mid-run MPI error: exit 1" rc_is 1
check "mid-run MPI error: names rank and op" \
    err_has "rank 5 (.*): error: iter_end.dp_rs_grads (group dp)"

# A time limit (Slurm's --signal=B:USR1@T, here timeout -s USR1 to mpirun,
# which forwards it): the run finishes its iteration and writes what it
# has, marked incomplete.
echo "# timeout -s USR1 5 mpirun -np 8 $TCEMU run ... --iterations 1000"
timeout --preserve-status -s USR1 -k 60 5 mpirun --oversubscribe -np 8 \
    "$TCEMU" run -t $TOPO -j $TINY --ranks-per-node 4 --time-scale 0.2 \
    --iterations 1000 --timeout 30 --json - >"$SCRATCH/out" 2>"$SCRATCH/err"
RC=$?
check "SIGUSR1: exit 5 (stopped, partial results written)" rc_is 5
check "SIGUSR1: JSON marked incomplete" check_json \
    'd["complete"] is False and d["stopped_by_signal"] == 10' \
    '1 <= d["iterations"] == d["iterations_measured"] < d["iterations_requested"] == 1000'
check "SIGUSR1: said in the table" err_has "^# INCOMPLETE: stopped by signal 10"
check "SIGUSR1: said on stderr with the exit status" \
    err_has "tcemu: stopped by signal 10 after .* partial results written, marked incomplete (exit 5)"

# Exit statuses under mpirun (README's table): a signal during warm-up, a
# SIGTERM to one rank (as srun and a time limit send to every task), a
# SIGTERM to mpirun (Open MPI aborts the job: its 1), a killed rank
# (Open MPI reports 128 + 9).
J=$SCRATCH/stop.json
STOPRUN=(run -t $TOPO -j $FIX/dp.cfg --gpus 2 --time-scale 0.2 --timeout 30 --json "$J")
mpi_signal 2 USR1 mpirun 0.5 "${STOPRUN[@]}" --warmup 100000
check "USR1 in warm-up: exit 5" rc_is 5
check "USR1 in warm-up: JSON says no iteration was measured" python3 -c "
import json, sys
d = json.load(open('$J'))
assert d['complete'] is False and d['stopped_by_signal'] == 10, d
assert d['iterations_measured'] == 0 and d['iteration_s'] is None, d
assert d['slowest_rank'] is None and d['ops'] == [], d"
check "USR1 in warm-up: the table says none measured" \
    out_has "^# iteration time (s, max over ranks): none measured"
rm -f "$J"
mpi_signal 2 TERM rank 3 "${STOPRUN[@]}" --iterations 100000
check "SIGTERM to one rank: exit 5" rc_is 5
check "SIGTERM to one rank: JSON incomplete, stopped by 15" python3 -c "
import json, sys
d = json.load(open('$J'))
assert d['complete'] is False and d['stopped_by_signal'] == 15 and d['iterations_measured'] >= 1, d"
rm -f "$J"
mpi_signal 2 TERM all 1 "${STOPRUN[@]}" --iterations 100000
check "SIGTERM to every rank (srun's way): exit 5" rc_is 5
mpi_signal 2 TERM mpirun 1 "${STOPRUN[@]}" --iterations 100000
check "SIGTERM to mpirun: Open MPI aborts the job, exit 1" rc_is 1
check "SIGTERM to mpirun: ended within 10 s (took ${ENDED_IN} s)" [ "$ENDED_IN" -le 10 ]
mpi_signal 2 KILL rank 1 "${STOPRUN[@]}" --iterations 100000
check "killed rank: mpirun exits 137 (128 + SIGKILL)" rc_is 137
check "killed rank: the job ended within 10 s (took ${ENDED_IN} s)" [ "$ENDED_IN" -le 10 ]

# --ready-file: rank 0 writes it once every rank takes a stop signal (the
# slurm/ scripts forward one only then), as result files are written: a
# directory is refused, by every rank at once.
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 --iterations 1 --ready-file "$SCRATCH/ready"
check "--ready-file: written, naming the ranks" \
    sh -c "[ $RC -eq 0 ] && grep -qx 'ready: 2 ranks take SIGUSR1/SIGTERM as a stop' '$SCRATCH/ready'"
mkdir -p "$SCRATCH/ready.d"
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 --iterations 1 --ready-file "$SCRATCH/ready.d"
check "--ready-file on a directory: exit 1, the directory kept" \
    sh -c "[ $RC -eq 1 ] && [ -d '$SCRATCH/ready.d' ]"
check "--ready-file on a directory: names the path" err_has "$SCRATCH/ready.d"

# A result path that cannot be written fails before the emulation, naming
# the user's path (not a temporary file).
start=$(date +%s)
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 --iterations 1000 --json "$SCRATCH/no/such/dir/r.json"
check "unwritable --json: exit 1 at once ($(( $(date +%s) - start )) s)" \
    [ "$RC" -eq 1 -a $(( $(date +%s) - start )) -le 20 ]
check "unwritable --json: names the user's path" err_has "cannot write $SCRATCH/no/such/dir/r.json: No such file"
check "unwritable --json: no emulation started" sh -c "! grep -q '^# byte scale' '$SCRATCH/out'"
mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 --json ''
check "--json '': exit 2" rc_is 2

# The installed binary has no fault injection: the hook's variable is
# ignored (the run completes) and its name is not in the binary.
TCEMU_TEST_FAIL=optimizer:1 mpi_hooks 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 $FAST
check "test build: TCEMU_TEST_FAIL=optimizer:1 fails the run (exit 1)" rc_is 1
TCEMU_TEST_FAIL=optimizer:1 mpi 2 run -t $TOPO -j $FIX/dp.cfg --gpus 2 $FAST
check "bin/tcemu ignores TCEMU_TEST_FAIL: exit 0" rc_is 0
check "bin/tcemu has no TCEMU_TEST_ names" sh -c "! grep -q TCEMU_TEST_ '$TCEMU'"

# Errors all ranks agree on: one message, exit 2.
mpi 4 run -t $TOPO -j $TINY $FAST
check "world size != num_gpus: exit 2" rc_is 2
check "world size != num_gpus: message" err_has "parallel.num_gpus is 8 but 4 MPI ranks"
mpi 2 run -t $TOPO -j $TINY --gpus 4 $FAST
check "--gpus != world size: exit 2" rc_is 2
mpi 2 run -t $TOPO -j tests/fixtures/emu/missing.cfg $FAST
check "missing job file: exit 2" rc_is 2
check "missing job file: one message" \
    [ "$(grep -c 'missing.cfg' "$SCRATCH/err")" -eq 1 ]
# A plain srun without PMI: singletons of world size 1 under SLURM_NTASKS 2.
echo "# SLURM_JOB_ID=1 SLURM_NTASKS=2 $TCEMU run -t $TOPO -j $FIX/dp.cfg --gpus 1"
SLURM_JOB_ID=1 SLURM_NTASKS=2 timeout -k 5 60 "$TCEMU" run -t $TOPO \
    -j $FIX/dp.cfg --gpus 1 $FAST >"$SCRATCH/out" 2>"$SCRATCH/err"
RC=$?
check "singleton under SLURM_NTASKS 2: exit 2" rc_is 2
check "singleton: message" err_has "differs from SLURM_NTASKS 2"
mpi 2 run -t $TOPO
check "missing -j: exit 2" rc_is 2
finish
