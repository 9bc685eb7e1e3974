#!/usr/bin/env bash
# sync.sh - the MoE dispatcher's host-device sync on real ranks (sync, issue
# 11): `tcemu run` of tests/fixtures/emu/moe.cfg at TP 2 with TP
# communication overlap, EP 2, on 4 ranks.  The forward's moe_permute is
# the op where Megatron-Core's dispatcher copies its token counts to the
# CPU and waits (hostsync.h): the emulator completes the communication the
# list posted under compute before it, so in the trace every overlapped TP
# op of a forward MoE layer ends before that layer's moe_permute starts;
# the JSON marks the op (host_sync) in the forward only.
source "$(dirname "$0")/lib.bash"
sed -e 's/tensor_model_parallel_size = 1;/tensor_model_parallel_size = 2;/' \
    -e 's/pipeline_model_parallel_size = 2;/pipeline_model_parallel_size = 1;/' \
    -e 's/num_gpus = 8;/num_gpus = 4;/' \
    -e "s/hidden_size = 256;/hidden_size = 1024;/" \
    -e "s/seq_length = 256;/seq_length = 1024;/" \
    -e 's/precision = "bf16";/precision = "bf16";\n  tp_comm_overlap = true;/' \
    tests/fixtures/emu/moe.cfg >"$SCRATCH/moe-sync.cfg"
mpi 4 run -t topologies/workstation.cfg -j "$SCRATCH/moe-sync.cfg" \
    --iterations 2 --warmup 1 --time-scale 0.01 --timeout 30 \
    --trace "$SCRATCH/trace.json" --json -
check "sync: run exits 0" rc_is 0
check "sync: moe_permute is the host sync in the forward, not in the backward" python3 - "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
syncs = [(o["list"], o["name"]) for o in d["ops"] if o["host_sync"]]
assert syncs == [("moe_fwd", "moe_permute")], syncs
PY
check "sync: every overlapped TP op of a forward MoE layer ends before its moe_permute starts, on every rank" python3 - "$SCRATCH/trace.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = [e for e in d["traceEvents"] if e.get("ph") == "X" and e.get("pid") == 1]
ranks = sorted({e["tid"] for e in ev})
assert len(ranks) == 4, ranks
seen = 0
for t in ranks:
    xs = sorted((e for e in ev if e["tid"] == t), key=lambda e: e["ts"])
    posted = []
    for e in xs:
        a = e.get("args", {})
        if a.get("phase") != "moe_fwd":
            continue
        if a.get("overlapped") and a.get("group") == "tp":
            posted.append(e)
        elif e["name"] == "moe_permute":
            for p in posted:
                assert p["ts"] + p["dur"] <= e["ts"] + 1.0, (t, p, e)
            seen += len(posted)
            posted = []
        elif e["name"] == "bda_mlp":
            posted = []
assert seen >= 4 * 2, seen
PY
finish
