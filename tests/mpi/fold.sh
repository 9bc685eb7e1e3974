#!/usr/bin/env bash
# fold.sh - MoE Parallel Folding on real ranks (repro, issue 11): `tcemu
# run` of tests/fixtures/emu/moe-fold.cfg (TP 2, DP 4, EP 8 with expert
# tensor parallel size 1: each EP group spans TP and DP ranks) on 8 ranks.
# The runtime builds its EP and EDP communicators from layout.h's colours
# and keys, so the all-to-alls run over all 8 ranks; the same job without
# expert_tensor_parallel_size is refused (EP 8 does not divide DP 4).
source "$(dirname "$0")/lib.bash"
FIX=tests/fixtures/emu/moe-fold.cfg
mpi 8 run -t topologies/workstation.cfg -j "$FIX" --ranks-per-node 4 \
    --iterations 2 --warmup 1 --time-scale 0.05 --timeout 30 --json -
check "folded EP: run exits 0" rc_is 0
check "folded EP: layout TP 2, DP 4, EP 8; the EP all-to-alls ran in groups of 8 (bus factor 7/8), measured" python3 - "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = d["layout"]
assert (l["tp"], l["dp"], l["ep"]) == (2, 4, 8), l
ep = [o for o in d["ops"] if o["group"] == "ep"]
assert ep, "no EP ops"
for o in ep:
    assert o["ranks"] == 8, o
    assert o["measured_s"]["avg"] > 0 and o["modelled_s"] > 0, o
    # nccl-tests' all-to-all bus factor (n - 1) / n: a group of 8
    assert abs(o["busbw_gbytes_per_s"] / o["algbw_gbytes_per_s"] - 7 / 8) < 1e-9, o
PY
sed '/expert_tensor_parallel_size/d' "$FIX" >"$SCRATCH/legacy.cfg"
check "EP inside DP: the same job without expert_tensor_parallel_size is refused (exit 2)" \
    sh -c "'$TCEMU' validate '$SCRATCH/legacy.cfg' >/dev/null 2>&1; [ \$? -eq 2 ]"
finish
