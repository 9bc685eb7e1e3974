#!/usr/bin/env bash
# stackfit.sh - tcemu calibrate --from-log (no mpirun, no GPU): the fixture
# Megatron-LM logs (three global batch sizes of one slice run) give a
# stack overhead that validates; a projection with it at the logs' layout
# comes back to the logs' measured median; another stack or an unspecified
# one is said in an assumption line and in JSON; a job without a stack
# says so once; refusals (one microbatch count, the model slower than the
# run, another model) exit with their status and a clear line; -c's links
# are carried into the output.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-stackfit
rm -rf "$out"
mkdir -p "$out"
fx=tests/fixtures/megatron-logs
logs="$fx/llama3-8b-gbs32.log $fx/llama3-8b-gbs64.log $fx/llama3-8b-gbs128.log"
job=$fx/llama3-8b-slice.cfg
topo=topologies/aws-p5.cfg

check "--from-log --help documents it" sh -c "
    '$TCEMU' calibrate --from-log --help | grep -q 'usage: tcemu calibrate --from-log FILE... -t TOPOLOGY -j JOB'"
check "calibrate --help names --from-log" sh -c "
    '$TCEMU' calibrate --help | grep -q -- '--from-log FILE... -t TOPOLOGY -j JOB'"
check "no -j exits 2" status_is 2 "$TCEMU" calibrate --from-log -t $topo $fx/llama3-8b-gbs32.log -o "$out/none.cfg"

check "three logs (m = 4, 8, 16): exit 0" sh -c "
    '$TCEMU' calibrate --from-log $logs -t $topo -j $job -o '$out/so.cfg' \
        --json '$out/so.json' >'$out/so.out' 2>'$out/so.err'"
check "the calibration validates and carries stack_overhead" sh -c "
    '$TCEMU' validate '$out/so.cfg' >/dev/null &&
    grep -q 'stack_overhead = {' '$out/so.cfg' && grep -q 'points = 3L;' '$out/so.cfg' &&
    grep -q 'framework_version = \"core_r0.14.0\";' '$out/so.cfg' &&
    grep -q 'attention_backend = \"auto\";' '$out/so.cfg' && ! grep -q 'links' '$out/so.cfg'"
check "stdout: the points (warm-up left out) and the fit, all comment lines or data rows" sh -c "
    grep -q '^# stack overhead, measured: .* s per iteration .* s per microbatch' '$out/so.out' &&
    grep -q '^# fit: measured - projected = a + b m over 3 points, 3 microbatch counts (m 4 to 16)' '$out/so.out' &&
    test \$(grep -c '^ .* 17  *3 .*llama3-8b-gbs' '$out/so.out') -eq 3"
check "JSON: tcemu.calibrate_log/1, three points, a and b positive, fitted = measured within 0.5%" python3 - "$out/so.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.calibrate_log/1", d["schema"]
assert [p["microbatches"] for p in d["points"]] == [4, 8, 16]
assert d["per_iteration_s"] > 0 and d["per_microbatch_s"] > 0
for p in d["points"]:
    assert abs(p["fitted_s"] - p["measured_s"]) < 0.005 * p["measured_s"], p
assert d["stack"]["framework"] == "Megatron-LM" and d["stack"]["flash_attention"] is True
PYEOF

# the projection at the logs' layout (global batch 64, m = 8) gives back
# the log's measured median, its stack overhead in its own column
check "project --calibration at the logs' layout = the GBS 64 log's median within 0.5%" sh -c "
    '$TCEMU' project -t $topo -j $job --calibration '$out/so.cfg' --json - >'$out/p.json' &&
    python3 - '$out/p.json' '$out/so.json' <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
r = p['results'][0]
meas = [q['measured_s'] for q in f['points'] if q['global_batch_size'] == 64][0]
assert abs(r['iteration_s'] - meas) < 0.005 * meas, (r['iteration_s'], meas)
so = r['breakdown_s']['stack_overhead']
assert abs(so - (f['per_iteration_s'] + 8 * f['per_microbatch_s'])) < 1e-9, so
st = p['stack']
assert st['job_stack']['specified'] is True and st['stack_overhead']['job_stack_differences'] == 0
assert st['stack_overhead']['points'] == 3 and st['compute_table_differences'] >= 1
PYEOF"
check "human: the stack(s) column and the assumption lines" sh -c "
    '$TCEMU' project -t $topo -j $job --calibration '$out/so.cfg' >'$out/p.txt' &&
    grep -q 'stack(s)' '$out/p.txt' &&
    grep -q '^# assumption: stack: the job runs Megatron-LM core_r0.14.0, fused attention (backend auto), no CUDA graphs, no FP8' '$out/p.txt' &&
    grep -q '^# assumption: stack overhead, measured: .* per iteration .* per microbatch' '$out/p.txt' &&
    grep -q '^# assumption: stack overhead: fitted under .*: the job.s stack\$' '$out/p.txt' &&
    grep -q '^# assumption: stack: the compute table was measured under another stack than the job.s (job / table: framework Megatron-LM / PyTorch' '$out/p.txt'"

# another stack: the same job with CUDA graphs and FP8
sed -e 's/cuda_graphs = false;/cuda_graphs = true;/' -e 's/fp8_recipe = "";/fp8_recipe = "tensorwise";/' $job >"$out/other-stack.cfg"
check "a job on another stack: the mismatch is an assumption line and in JSON, applied as measured" sh -c "
    '$TCEMU' project -t $topo -j '$out/other-stack.cfg' --calibration '$out/so.cfg' >'$out/o.txt' &&
    grep -q '^# assumption: stack overhead: fitted under .*: NOT the job.s stack: applied as measured; refit under the job.s stack (job / fit: cuda_graphs yes / no, fp8_recipe \"tensorwise\" / \"\")' '$out/o.txt' &&
    '$TCEMU' project -t $topo -j '$out/other-stack.cfg' --calibration '$out/so.cfg' --json - |
    python3 -c 'import json,sys; s=json.load(sys.stdin)[\"stack\"][\"stack_overhead\"]; assert s[\"job_stack_differences\"] == 2, s'"
check "a job without a stack says so once, and the overhead is applied unchecked" sh -c "
    '$TCEMU' project -t $topo -j jobs/llama3-70b.cfg --calibration '$out/so.cfg' >'$out/u.txt' &&
    test \$(grep -c 'the job does not say which training stack it runs' '$out/u.txt') -eq 1 &&
    grep -q 'stack overhead: fitted under .*: the job.s stack is unspecified: applied unchecked' '$out/u.txt'"
check "no calibration: the stack column is 0.000" sh -c "
    '$TCEMU' project -t $topo -j $job --json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"results\"][0][\"breakdown_s\"][\"stack_overhead\"] == 0 and d[\"stack\"][\"stack_overhead\"] is None'"

# refusals
check "one microbatch count exits 2 and says why" sh -c "
    '$TCEMU' calibrate --from-log $fx/llama3-8b-gbs64.log -t $topo -j $job -o '$out/one.cfg' 2>'$out/one.err';
    test \$? -eq 2 && grep -q 'the logs ran 1 distinct microbatch count (m = 8)' '$out/one.err' && test ! -e '$out/one.cfg'"
sed 's/num_layers = 32;/num_layers = 16;/' $job >"$out/half.cfg"
check "a log of another model (num_layers) exits 2 citing its arguments block" sh -c "
    '$TCEMU' calibrate --from-log $logs -t $topo -j '$out/half.cfg' -o '$out/neg.cfg' 2>'$out/neg.err';
    test \$? -eq 2 && grep -q '^$fx/llama3-8b-gbs32.log:2: error: the log ran num_layers 32, the job .*half.cfg has 16' '$out/neg.err'"
# a run faster than the model: the same logs with every time x 0.8
for g in 32 64 128; do
    python3 - "$fx/llama3-8b-gbs$g.log" "$out/fast$g.log" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"elapsed time per iteration \(ms\): ([0-9.]+)",
           lambda m: "elapsed time per iteration (ms): %.1f" % (float(m.group(1)) * 0.8), t)
open(sys.argv[2], "w").write(t)
PYEOF
done
check "a run faster than the model exits 3: negative beyond the noise, refused" sh -c "
    '$TCEMU' calibrate --from-log '$out/fast32.log' '$out/fast64.log' '$out/fast128.log' -t $topo -j $job \
        -o '$out/fast.cfg' 2>'$out/fast.err';
    test \$? -eq 3 && grep -q 'the model is slower than the logs' '$out/fast.err' && test ! -e '$out/fast.cfg'"
check "a log without iteration lines exits 2 citing the file" sh -c "
    '$TCEMU' calibrate --from-log $job $fx/llama3-8b-gbs64.log -t $topo -j $job -o '$out/x.cfg' 2>'$out/x.err';
    test \$? -eq 2 && grep -q '^$job: error: no Megatron-LM iteration line' '$out/x.err'"
check "a malformed iteration line exits 2 citing its line" sh -c "
    sed '60s/(ms): [0-9.]*/(ms): soon/' $fx/llama3-8b-gbs64.log >'$out/bad.log';
    '$TCEMU' calibrate --from-log '$out/bad.log' $fx/llama3-8b-gbs32.log -t $topo -j $job -o '$out/x.cfg' 2>'$out/bad.err';
    test \$? -eq 2 && grep -q \"^$out/bad.log:60: error: elapsed time per iteration (ms): not a number: 'soon'\" '$out/bad.err'"

check "a layout that does not fit exits 2 citing the log" sh -c "
    sed 's/tensor_model_parallel_size ...................... 2/tensor_model_parallel_size ...................... 3/' \
        $fx/llama3-8b-gbs32.log >'$out/tp3.log';
    '$TCEMU' calibrate --from-log '$out/tp3.log' $fx/llama3-8b-gbs64.log -t $topo -j $job -o '$out/x.cfg' 2>'$out/tp3.err';
    test \$? -eq 2 && grep -q \"^$out/tp3.log:56: error: the layout this log ran: --gpus 16: tensor x pipeline\" '$out/tp3.err'"

# -c: links (and a compute table) measured on the slice travel into the output
check "-c: the input calibration's links (nccl-tests, H100 2 x 8) are carried over beside stack_overhead" sh -c "
    '$TCEMU' calibrate --from-nccl-tests tests/fixtures/nccl-tests/all_reduce_perf-h100-2x8.txt -o '$out/nccl.cfg' >/dev/null &&
    '$TCEMU' calibrate --from-log $logs -t $topo -j $job -c '$out/nccl.cfg' \
        -o '$out/both.cfg' >/dev/null 2>&1 &&
    '$TCEMU' validate '$out/both.cfg' >/dev/null &&
    grep -q 'links = (' '$out/both.cfg' && grep -q 'path = \"nccl_device\";' '$out/both.cfg' &&
    grep -q 'stack_overhead = {' '$out/both.cfg'"
check "-o - writes the calibration on stdout, the fit on stderr" sh -c "
    '$TCEMU' calibrate --from-log $logs -t $topo -j $job -o - 2>'$out/so2.err' | grep -q 'per_microbatch_s' &&
    grep -q '^# stack overhead, measured' '$out/so2.err'"

[ "$fails" -eq 0 ]
