#!/usr/bin/env bash
# Measured compute tables end to end: aws-p5 states that its compute comes
# from the shipped H100 table (device, date) in an assumption line and in
# JSON; a topology without one says "curve"; a calibration whose table was
# measured under another stack says so and is used; --ops prints every op
# of one microbatch with its source (human and JSON, parsed by a real JSON
# parser); a table file that does not load cites its file and line.
source "$(dirname "$0")/lib.bash"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
P5=topologies/aws-p5.cfg
J=jobs/llama3-70b.cfg

"$TCEMU" project -t $P5 -j $J >"$out/p5.txt"
check "aws-p5: compute from the measured H100 table (device, date)" \
    grep -q '^# assumption: compute: measured table (NVIDIA H100 80GB HBM3 .*, 2026-11-28; PyTorch 2.11.0+cu130' "$out/p5.txt"
check "aws-p5: names the table file" \
    grep -q "^# assumption: compute table: the topology's compute_calibration compute/h100-sxm5-80gb-pytorch2.11.cfg" "$out/p5.txt"
"$TCEMU" project -t topologies/aws-p4d.cfg -j $J >"$out/p4d.txt"
check "aws-p4d: compute from the curve" \
    grep -q '^# assumption: compute: the topology.s curve (no measured compute table)' "$out/p4d.txt"

"$TCEMU" project -t $P5 -j $J --json - >"$out/p5.json"
check "JSON: compute object with source, device, date and stack" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["compute"]
assert c["source"] == "table", c
assert c["device"].startswith("NVIDIA H100") and c["date"] == "2026-11-28", c
assert c["stack"]["framework"] == "PyTorch" and c["stack"]["flash_attention"] is True, c
' "$out/p5.json"

# a calibration carrying a table measured under another stack
sed -e 's/framework_version = "2.11.0+cu130";/framework_version = "2.4.0";/' \
    -e 's/flash_attention = true;/flash_attention = false;/' \
    topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg >"$out/other-stack.cfg"
"$TCEMU" project -t $P5 -j $J --calibration "$out/other-stack.cfg" >"$out/other.txt"
check "calibration of another stack: said so, and used" sh -c "
    grep -q '^# assumption: compute: the calibration.s table was measured under another stack than the topology.s (calibration / topology: framework_version 2.4.0 / 2.11.0+cu130, fused attention no / yes): the calibration.s is used' '$out/other.txt' &&
    grep -q '^# assumption: compute table: calibration file $out/other-stack.cfg' '$out/other.txt'"

"$TCEMU" project -t topologies/aws-p4d.cfg -j $J \
    --calibration topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg >"$out/p4d-h100.txt"
check "an H100 table on A100s: warned (faster than the peak), links not called measured" sh -c "
    grep -q '^# assumption: compute: WARNING: the table.s GEMMs run faster (769 TFLOP/s) than this topology.s peak (312 TFLOP/s)' '$out/p4d-h100.txt' &&
    grep -q '^# assumption: link parameters: datasheet' '$out/p4d-h100.txt'"

"$TCEMU" project -t $P5 -j $J --ops >"$out/ops.txt"
check "--ops: header with table and curve counts" \
    grep -qE '^# ops: one microbatch on stage 0 at [0-9]+ GPUs .*; [0-9]+ compute ops from a measured table, [0-9]+ from the curve' "$out/ops.txt"
check "--ops: fc1 from the table, TP collectives from the links" sh -c "
    grep -qE '^  dense_fwd +fc1 +compute .* table' '$out/ops.txt' &&
    grep -qE '^  dense_fwd +tp_ag_attn +all_gather .* links' '$out/ops.txt'"
check "--ops: per-microbatch and per-layer totals" \
    grep -qE '^# compute per microbatch on this stage: [0-9.]+ ms; one dense layer forward\+backward: [0-9.]+ ms' "$out/ops.txt"
"$TCEMU" project -t $P5 -j $J --ops --json - >"$out/ops.json"
check "--ops --json: ops rows with time, FLOPs, bytes, efficiency, source" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["ops"]
rows = o["rows"]
assert o["table_ops"] > 0 and len(rows) > 20, o
srcs = {r["source"] for r in rows}
# the llama3-70b ops (its CP 2 attention as per-step kernels too) all have
# table shapes; the curve ops are checked on DeepSeek-V3 below
assert {"table (interpolated)", "table (bandwidth)", "links"} <= srcs, srcs
for r in rows:
    assert r["time_s"] > 0 and r["efficiency"] >= 0 and r["source"], r
fc1 = [r for r in rows if r["op"] == "fc1" and r["list"] == "dense_fwd"][0]
assert fc1["gemm"]["k"] == 8192 and fc1["flops"] > 0, fc1
assert abs(o["compute_s"] - sum(r["time_s"] * r["per_microbatch"] for r in rows if r["kind"] == "compute")) < 1e-9 * o["compute_s"]
' "$out/ops.json"

"$TCEMU" project -t $P5 -j jobs/deepseek-v3.cfg --ops --json - >"$out/ops-mla.json"
check "--ops --json: MLA attention (no table shape) from the curve, beside table ops" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["ops"]["rows"]
curve = {r["op"] for r in rows if r["source"] == "curve"}
assert "attn_core" in curve, curve
assert any(r["source"].startswith("table") for r in rows), rows
' "$out/ops-mla.json"

# a topology naming a table that does not load: the table's file:line, then
# the key's line in the topology
sed 's#compute_calibration = "compute/h100-sxm5-80gb-pytorch2.11.cfg";#compute_calibration = "bad.cfg";#' $P5 >"$out/p5-bad.cfg"
sed 's/num_query_groups = 1;/num_query_groups = 3;/' topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg >"$out/bad.cfg"
check "bad table named by a topology: exit 2, file:line of the row and of the key" sh -c "
    '$TCEMU' project -t '$out/p5-bad.cfg' -j $J >/dev/null 2>'$out/bad.err'; [ \$? -eq 2 ] &&
    grep -qE '^$out/bad.cfg:[0-9]+: error: calibration.compute.attention\[[0-9]\]: attention row: num_query_groups \(3\) must divide' '$out/bad.err' &&
    grep -qE '^$out/p5-bad.cfg:[0-9]+: error: accelerator.compute_calibration: cannot load the compute table' '$out/bad.err'"
echo "# compute.sh: $fails failed"
[ "$fails" -eq 0 ]
