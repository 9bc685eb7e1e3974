#!/usr/bin/env bash
# gpucollect.sh - slurm/tcemu-gpu-collect.py without a GPU: --help, its own
# --self-test (shape arithmetic against the shipped H100 profile's FLOPs),
# the shapes and file format --dry-run prints for a job (read directly and
# through `tcemu show --json`) and for the standard sweep, the job parser on
# every shipped job, bad usage (exit 2), and the refusal where there is no
# torch or no CUDA device: exit 1, one line on stderr, no file written.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-gpucollect
rm -rf "$out"
mkdir -p "$out"
py=(python3 slurm/tcemu-gpu-collect.py)
check_echo=0

check "--help documents --job, --sweep and --dry-run (exit 0)" sh -c "
    $(printf '%q ' "${py[@]}") --help >'$out/help' &&
    grep -q -- '--job FILE' '$out/help' && grep -q -- '--sweep standard' '$out/help' &&
    grep -q -- '--dry-run' '$out/help' && grep -q 'Exit status' '$out/help'"
check "--self-test passes" sh -c "$(printf '%q ' "${py[@]}") --self-test | grep -qx 'tcemu-gpu-collect: self-test ok'"

# Llama-3 70B at TP 8 (the job's CP 2 halves the sequence: m = 4096).
check "dry run of llama3-70b at TP 8 (exit 0)" sh -c "
    $(printf '%q ' "${py[@]}") --job jobs/llama3-70b.cfg --tp 8 --dry-run >'$out/70b.cfg'"
check "qkv, proj, fc1 (SwiGLU), fc2 shapes of the TP-8 shard" sh -c "
    grep -q 'qkv *m=4096 *n=1280 *k=8192 *bf16' '$out/70b.cfg' &&
    grep -q 'attn_proj *m=4096 *n=8192 *k=1024 ' '$out/70b.cfg' &&
    grep -q 'fc1 *m=4096 *n=7168 *k=8192 ' '$out/70b.cfg' &&
    grep -q 'fc2 *m=4096 *n=8192 *k=3584 ' '$out/70b.cfg'"
check "dry run names its layer check: the job's layer in bf16, 20 s" grep -qx \
    '# layer check planned: llama3-70b-tp8 bf16, 20.0 s back to back' "$out/70b.cfg"
check "attention row: 8 query heads, 1 KV head, s 4096, causal" grep -q \
    'micro_batch_size = 1; num_attention_heads = 8; num_query_groups = 1; kv_channels = 128;' "$out/70b.cfg"
check "file format: calibration.compute as tcemu's schema has it" python3 - "$out/70b.cfg" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
assert t.count("calibration = {") == 1 and "\n  compute = {\n" in t
assert re.search(r'^  date = ".*";$', t, re.M)
for k in ("device", "driver", "software", "date", "measured_by", "method"):
    assert re.search(r"^    %s = \".*\";$" % k, t, re.M), k
for k in ("framework", "framework_version", "fp8_recipe"):
    assert re.search(r"^      %s = \".*\";$" % k, t, re.M), k
for k in ("flash_attention", "cuda_graphs"):
    assert re.search(r"^      %s = (true|false);$" % k, t, re.M), k
num = r"[0-9.e+-]+"
rows = re.findall(r'\{ m = (\d+); n = (\d+); k = (\d+); dtype = "(bf16|fp8)"; '
                  r'fwd_s = %s; dgrad_s = %s; wgrad_s = %s; \}' % (num, num, num), t)
assert len(rows) == 7, len(rows)              # 4 projections + 3 squares
att = re.findall(r"seq_length = 4096; causal = true; window_size = 0; "
                 r"forward_s = %s; forward_backward_s = %s; \}" % (num, num), t)
assert len(att) == 1, att
assert re.search(r"^    elementwise_gbytes_per_s = %s;$" % num, t, re.M)
assert re.search(r"^    launch_gap_us = %s;$" % num, t, re.M)
assert t.endswith("  };\n};\n")
PYEOF
if [ -x "$TCEMU" ] && "$TCEMU" validate --keys calibration 2>/dev/null | grep -q '^calibration.compute.gemms'; then
    # with times filled in (forward < forward+backward), what the collector
    # writes is a calibration file tcemu accepts
    for a in "--sweep standard" "--job jobs/llama3-70b.cfg --tp 8" "--job jobs/deepseek-v3.cfg --tp 8"; do
        check "tcemu validate accepts the collector's file ($a)" sh -c "
            $(printf '%q ' "${py[@]}") $a --dry-run |
            sed 's/forward_backward_s = 0\.000000e+00/forward_backward_s = 3.0e-03/; s/0\.000000e+00/1.000000e-03/g' >'$out/filled.cfg' &&
            '$TCEMU' validate '$out/filled.cfg' >/dev/null"
    done
else
    echo "# this tcemu has no calibration.compute schema yet: the collector's file is checked by format only"
fi
check "--micro-batch 2 doubles m" sh -c "
    $(printf '%q ' "${py[@]}") --job jobs/llama3-70b.cfg --tp 8 --micro-batch 2 --dry-run |
    grep -q 'qkv *m=8192 *n=1280 '"
if [ -x "$TCEMU" ]; then
    check "the job read through 'tcemu show --json' gives the same plan" bash -c "
        diff <($(printf '%q ' "${py[@]}") --job jobs/llama3-8b.cfg --tp 1 --dry-run) \
             <($(printf '%q ' "${py[@]}") --job jobs/llama3-8b.cfg --tp 1 --dry-run --tcemu '$TCEMU')"
fi
check "standard sweep: the profile's cases, fp8 rows, MoE experts, squares" sh -c "
    $(printf '%q ' "${py[@]}") --sweep standard --dry-run >'$out/sweep.cfg' &&
    grep -q 'gemm llama3-405b-tp4 *fc1 *m=8192 *n=26624 *k=16384 *bf16' '$out/sweep.cfg' &&
    grep -q 'gemm llama3-70b-tp8 *fc1 *m=8192 *n=7168 *k=8192 *fp8' '$out/sweep.cfg' &&
    grep -q 'gemm gpt3-175b-tp8-mb4 *qkv *m=8192 *n=4608 *k=12288 *bf16' '$out/sweep.cfg' &&
    grep -q 'gemm moe-expert *expert_fc2_m128 *m=128 *n=7168 *k=2048 ' '$out/sweep.cfg' &&
    grep -q 'gemm square *gemm256 *m=256 ' '$out/sweep.cfg' &&
    test \$(grep -c 'num_attention_heads = ' '$out/sweep.cfg') -eq 7"
check "every shipped job parses into a model (pure functions, no torch)" python3 - <<'PYEOF'
import glob, importlib.util
spec = importlib.util.spec_from_file_location("gc", "slurm/tcemu-gpu-collect.py")
gc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gc)
for path in sorted(glob.glob("jobs/*.cfg")):
    keys = gc.parse_job_text(open(path).read(), path)
    m = gc.model_from_job(keys, path)
    assert m["hidden"] > 0 and m["seq"] > 0 and m["heads"] > 0, path
m = gc.model_from_job(gc.parse_job_text(open("jobs/gpt3-175b.cfg").read()))
s = gc.layer_shapes(m, 8)
assert [g[1:] for g in s["gemms"]] == [(2048, 4608, 12288), (2048, 12288, 1536),
                                      (2048, 6144, 12288), (2048, 12288, 6144)]
assert abs(gc.gemm_flops(2048, 4608, 12288) - 2.31928e11) / 2.31928e11 < 1e-5
PYEOF

check "--job without --tp exits 2" status_is 2 "${py[@]}" --job jobs/llama3-70b.cfg
check "--tp that does not divide the heads exits 2 with the reason" sh -c "
    $(printf '%q ' "${py[@]}") --job jobs/llama3-70b.cfg --tp 3 --dry-run 2>'$out/tp3.err';
    test \$? -eq 2 && grep -qx 'tcemu-gpu-collect: error: --tp 3 does not divide num_attention_heads 64' '$out/tp3.err'"
check "a missing job file exits 2" status_is 2 "${py[@]}" --job "$out/none.cfg" --tp 1 --dry-run
check "an unknown sweep exits 2" status_is 2 "${py[@]}" --sweep nosuch --dry-run

# Refusal: no torch here, or a torch that sees no CUDA device.
refuses() {  # refuses WANT-LINE [env...]: exit 1, exactly WANT on stderr, no file
    local want=$1; shift
    env "$@" "${py[@]}" --sweep standard -o "$out/refused.cfg" >"$out/ref.out" 2>"$out/ref.err"
    local rc=$?
    [ "$rc" -eq 1 ] || { echo "exit $rc, want 1"; cat "$out/ref.err"; return 1; }
    [ "$(wc -l <"$out/ref.err")" -eq 1 ] || { echo "stderr not one line:"; cat "$out/ref.err"; return 1; }
    [ "$(cat "$out/ref.err")" = "$want" ] || { echo "got: $(cat "$out/ref.err")"; return 1; }
    [ ! -e "$out/refused.cfg" ] || { echo "a file was written"; return 1; }
}
if ! python3 -c 'import torch' 2>/dev/null; then
    check "no torch: exit 1, one line, nothing written" refuses \
        "tcemu-gpu-collect: error: PyTorch is not installed (import torch failed: No module named 'torch')"
elif ! python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    check "no CUDA device: exit 1, one line, nothing written" refuses \
        "tcemu-gpu-collect: error: no CUDA device (torch.cuda.is_available() is false)"
else
    echo "# a CUDA device is present: the real refusal is not reachable here"
fi
mkdir -p "$out/faketorch/torch"
cat >"$out/faketorch/torch/__init__.py" <<'PYEOF'
class cuda:
    @staticmethod
    def is_available():
        return False
PYEOF
check "a torch without CUDA: exit 1, one line, nothing written" refuses \
    "tcemu-gpu-collect: error: no CUDA device (torch.cuda.is_available() is false)" \
    PYTHONPATH="$out/faketorch"

# The GPU path's plumbing, run against a stand-in torch whose kernels do
# nothing and whose CUDA events always read 1 ms: every kernel kind is
# called, the file is written whole and in the schema's format.  (What it
# measures on a real GPU is in the report of issue 10, not here.)
mkdir -p "$out/stubtorch/torch"
cat >"$out/stubtorch/torch/__init__.py" <<'PYEOF'
"""A stand-in for PyTorch: just enough API for tcemu-gpu-collect.py."""
import contextlib, os, types
__version__ = "0.0-stub"
# STUB_EVENT_MS: what every CUDA event pair reads (default 1 ms);
# STUB_CAPTURE_FAIL=1: CUDA graph capture raises, as for an op that cannot
# be captured
_EVENT_MS = float(os.environ.get("STUB_EVENT_MS", "1.0"))
bfloat16, float32, float8_e4m3fn = "bf16", "f32", "f8"
calls = {}
def _count(name):
    calls[name] = calls.get(name, 0) + 1
class Tensor:
    def __init__(self, *shape, **kw):
        self.shape = shape
    def t(self): return Tensor(*reversed(self.shape))
    def to(self, dtype): return self
    def add_(self, x): _count("add_"); return self
    def __mul__(self, o): _count("mul"); return self
def _make(*shape, **kw):
    if len(shape) == 1 and isinstance(shape[0], tuple):
        shape = shape[0]
    return Tensor(*shape)
randn = zeros = ones = _make
def empty_like(x): return Tensor(*x.shape)
def matmul(a, b): _count("matmul"); return Tensor(a.shape[0], b.shape[-1])
def add(a, b, out=None): _count("add"); return out
def _scaled_mm(a, b, **kw): _count("_scaled_mm"); return Tensor()
no_grad = contextlib.nullcontext
class _Event:
    def __init__(self, enable_timing=False): pass
    def record(self): pass
    def synchronize(self): pass
    def elapsed_time(self, other): return _EVENT_MS
class _Stream:
    def wait_stream(self, other): pass
class CUDAGraph:
    def replay(self): _count("graph_replay")
@contextlib.contextmanager
def _graph(g):
    if os.environ.get("STUB_CAPTURE_FAIL") == "1":
        raise RuntimeError("stub: operation not permitted when stream is capturing")
    _count("graph_capture")
    yield
cuda = types.SimpleNamespace(
    is_available=lambda: True, device_count=lambda: 1,
    set_device=lambda d: None, get_device_capability=lambda: (9, 0),
    get_device_name=lambda: "Stub GPU", Event=_Event,
    empty_cache=lambda: None, Stream=_Stream, CUDAGraph=CUDAGraph,
    graph=_graph, stream=lambda s: contextlib.nullcontext(),
    current_stream=lambda: _Stream())
backends = types.SimpleNamespace(
    cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=True),
                               flash_sdp_enabled=lambda: True),
    cudnn=types.SimpleNamespace(version=lambda: 90000))
version = types.SimpleNamespace(cuda="0.0")
def _op(name):
    def f(*a, **kw):
        _count(name)
        return Tensor()
    return f
nn = types.SimpleNamespace(functional=types.SimpleNamespace(
    scaled_dot_product_attention=_op("sdpa"), rms_norm=_op("rms_norm"),
    layer_norm=_op("layer_norm"), silu=_op("silu"), gelu=_op("gelu")))
autograd = types.SimpleNamespace(grad=_op("grad"))
PYEOF
check "GPU path against a stand-in torch: every kernel kind, the whole file" sh -c "
    PATH=/usr/bin:/bin PYTHONPATH='$out/stubtorch' $(printf '%q ' "${py[@]}") --sweep standard --repeats 2 --warmup 1 \
        --sample-ms 0.001 --soak-s 0 --soak-max-s 5 --layer-check-s 0.3 -o '$out/stub.cfg' --json '$out/stub.json' 2>'$out/stub.err' &&
    python3 - '$out/stub.cfg' '$out/stub.json' <<'PYEOF'
import json, re, sys
t = open(sys.argv[1]).read()
d = json.load(open(sys.argv[2]))
assert 'device = \"Stub GPU\";' in t and 'framework_version = \"0.0-stub\";' in t
rows = re.findall(r'dtype = \"(bf16|fp8)\"; fwd_s = 1.000000e-03; dgrad_s = 1.000000e-03; wgrad_s = 1.000000e-03;', t)
assert len(rows) == 56 and rows.count('fp8') == 10, (len(rows), rows.count('fp8'))
assert len(re.findall('forward_backward_s = 1.000000e-03;', t)) == 7
assert re.search(r'launch_gap_us = [0-9.e+-]+;', t) and 'fp8_recipe = \"e4m3' in t
# the table's element-wise pair is fitted over the 14 forward norm and activation rows;
# the host's eager launch (1 ms in the stand-in) and the bare add are comment lines
assert len(d['elementwise_fit_points']) == 14 and d['eager_launch_us'] == 1000.0
assert '1000.00 us a launch (not in the table' in t and 'element-wise peak: c = a + b' in t
assert d['schema'] == 'tcemu.gpu-collect/1' and len(d['gemms']) == 168
assert len([n for n in d['notes'] if re.match(r'\S+ norm ', n)]) == 7
assert len([n for n in d['notes'] if re.match(r'\S+ act ', n)]) == 7
# kernels replayed as CUDA graphs, the launch gap eager (the host's cost is what it times)
s = d['samples']
assert all(v['method'] == 'graph' for k, v in s.items() if k != 'launch gap'), s
assert s['launch gap']['method'] == 'eager' and not s['launch gap']['host_bound']
assert d['burst_tflops'] > 0 and 'sustained/burst' in t
# FP8 rows carry the method's known limit (their clock), as a comment line
assert '# fp8 rows: each timed alone after the bf16 soak;' in t, 'fp8 clock note'
# the layer checks: per dtype the heaviest case with every row, replayed as one graph
lc = d['layer_checks']
assert [(c['case'], c['dtype']) for c in lc] == [('llama3-405b-tp4', 'bf16'), ('llama3-70b-tp8', 'fp8')], lc
assert all(abs(c['rows_s'] - 0.013) < 1e-9 and c['layer_s'] > 0 and c['windows'] >= 1 for c in lc), lc
assert len(re.findall(r'^# layer check llama3-(405b-tp4 bf16|70b-tp8 fp8): its GEMMs .* the rows say 13.000 ms', t, re.M)) == 2
PYEOF"
if [ -x "$TCEMU" ]; then
    # (the stand-in's events read 1 ms for every call: a backward longer than the forward in its place)
    check "tcemu validate accepts the GPU path's file (method within the schema's 127 bytes)" sh -c "
        sed 's/forward_backward_s = 1.000000e-03/forward_backward_s = 3.0e-03/' '$out/stub.cfg' >'$out/stub-ok.cfg' &&
        '$TCEMU' validate '$out/stub-ok.cfg' >/dev/null"
fi
# Where capture fails, the launches are eager and the rows still written
# (the stand-in's GPU takes 1 ms a call, far longer than the host's loop).
check "capture fails: eager launches, the reason kept, every row written" sh -c "
    PATH=/usr/bin:/bin STUB_CAPTURE_FAIL=1 PYTHONPATH='$out/stubtorch' $(printf '%q ' "${py[@]}") --sweep standard --repeats 2 --warmup 1 \
        --sample-ms 0.001 --soak-s 0 --soak-max-s 5 --layer-check-s 0.3 -o '$out/stub-eager.cfg' --json '$out/stub-eager.json' 2>'$out/stub-eager.err' &&
    python3 - '$out/stub-eager.cfg' '$out/stub-eager.json' <<'PYEOF'
import json, re, sys
t = open(sys.argv[1]).read()
d = json.load(open(sys.argv[2]))
assert len(re.findall(r'fwd_s = 1.000000e-03;', t)) == 56 and 'not written' not in t
s = d['samples']
assert all(v['method'] == 'eager' and v['why_eager'].startswith('capture failed: stub') and not v['host_bound']
           for k, v in s.items() if k != 'launch gap'), s
# a layer that cannot be captured is not run, and the file says why
assert d['layer_checks'] == [] and len(re.findall(r'^# layer check \S+ \S+: not run \(stub: operation not permitted', t, re.M)) == 2
PYEOF"
# --eager on a GPU that waits for the host (the stand-in's events read 1 ns
# a call, its host takes longer to issue each): every kernel is host-bound;
# with --job, its 6 GEMM shapes and its attention are dropped, each said on
# stderr, and with nothing left to write the collector refuses: exit 1, its
# one error line last, no file (tcemu would reject a table without rows).
check "--eager, every kernel host-bound: each said, exit 1, nothing written" sh -c "
    PATH=/usr/bin:/bin STUB_EVENT_MS=0.000001 PYTHONPATH='$out/stubtorch' $(printf '%q ' "${py[@]}") --job jobs/llama3-8b.cfg --tp 1 --eager \
        --repeats 2 --warmup 0 --sample-ms 0.001 --soak-s 0 --soak-max-s 5 -o '$out/stub-host.cfg' 2>'$out/stub-host.err';
    test \$? -eq 1 && test ! -e '$out/stub-host.cfg' &&
    test \$(grep -c 'host-bound (eager launches), not written' '$out/stub-host.err') -eq 7 &&
    tail -n 1 '$out/stub-host.err' | grep -qx 'tcemu-gpu-collect: error: every kernel timed the host, not the GPU (host-bound eager launches): nothing to write (run without --eager)'"

# The collector's own file from a real GPU: one NVIDIA H200 SXM (700 W),
# PyTorch 2.11, --sweep standard, 2026-11-29, shipped as the compute table of
# topologies/aws-p5e.cfg (README, Measured compute).  tcemu reads it as written (the first such run's file did not
# validate: its method line ran past the schema's 127 bytes); its large BF16
# GEMMs, timed at the clock the GPU holds after the soak, agree within 3%
# with the shipped H100 table's at its sustained ratio (same GH100 die, same
# 700 W cap, same PyTorch and cuBLAS: the H200's larger, faster HBM does not
# bind a large GEMM), an independent check of that ratio (0.964, from a 90 s
# layer run on the H100).
H200=topologies/compute/h200-sxm-141gb-pytorch2.11.cfg
if [ -x "$TCEMU" ]; then
    check "the collector's file from a real H200 validates" sh -c "'$TCEMU' validate '$H200' >/dev/null"
    check "H200 sustained large-GEMM rate within 3% of the H100 table's" sh -c "
        '$TCEMU' project -t topologies/dgx-h100.cfg -j jobs/llama3-8b.cfg >'$out/h100-table.txt' &&
        '$TCEMU' project -t topologies/dgx-h100.cfg -j jobs/llama3-8b.cfg --calibration '$H200' >'$out/h200-table.txt' &&
        python3 - '$out/h100-table.txt' '$out/h200-table.txt' <<'PYEOF'
import re, sys
def bf16(path):
    m = re.search(r'large-GEMM efficiency, BF16 ([0-9.]+) and FP8 ([0-9.]+) of the peak', open(path).read())
    assert m, path
    return float(m.group(1)), float(m.group(2))
h100, h200 = bf16(sys.argv[1]), bf16(sys.argv[2])
assert 0.60 < h100[0] < 0.75 and abs(h200[0] / h100[0] - 1) < 0.03, (h100, h200)
print('# BF16 large-GEMM efficiency: H100 table %.3f, H200 collector %.3f; FP8 %.3f, %.3f' % (h100[0], h200[0], h100[1], h200[1]))
PYEOF"
    # The method against a training-like load on the same H200: one Llama-3
    # 405B TP8 layer shard (its 4 GEMMs, 3 passes each, and causal GQA
    # attention forward and backward, nothing else) replayed for 60 s
    # (tests/fixtures/reference/h200-sustained-405b-tp8-layer.csv).  tcemu,
    # pricing that layer's GEMMs and attention from the collector's rows
    # (timed after a GEMM soak), must land within 3% of the layer's
    # sustained time; rows timed at the boost clock would be ~15% fast.
    sed 's/recompute_granularity = "full";/recompute_granularity = "none";/' \
        jobs/llama3-405b.cfg >"$out/405b-norc.cfg"
    # (topologies/aws-p5e.cfg runs on this table: the check goes through it)
    check "the collector's rows price a sustained 405B TP8 layer on that H200 within 3%" sh -c "
        '$TCEMU' project -t topologies/aws-p5e.cfg -j '$out/405b-norc.cfg' --ops --json '$out/h200-405b.json' >/dev/null &&
        python3 - '$out/h200-405b.json' tests/fixtures/reference/h200-sustained-405b-tp8-layer.csv <<'PYEOF'
import json, re, statistics, sys
ops = json.load(open(sys.argv[1]))['ops']['rows']
rows = [r for r in ops if r['list'] in ('dense_fwd', 'dense_bwd') and r['kind'] == 'compute' and r['flops'] > 0]
assert len(rows) == 10 and all(r['source'] == 'table' for r in rows), [(r['op'], r['source']) for r in rows]
priced = sum(r['time_s'] for r in rows)
text = open(sys.argv[2]).read()
gflop = float(re.search(r'causal attention half: ([0-9.]+) GFLOP a step', text).group(1))
body = text.split('# nvidia-smi')[0]
wins = [float(l.split(',')[1]) for l in body.splitlines() if l[:1].isdigit() and float(l.split(',')[0]) >= 30.0]
measured = gflop / statistics.median(wins) / 1e3  # s
assert len(wins) > 50 and abs(priced / measured - 1) < 0.03, (priced, measured)
print('# 405B TP8 layer GEMMs + attention on the H200: tcemu from the collector %.2f ms, measured sustained %.2f ms (%+.1f%%)' % (priced * 1e3, measured * 1e3, 100 * (priced / measured - 1)))
PYEOF"
    check "the H200 file: graph replays, a burst and a sustained rate, the element-wise fit" sh -c "
        grep -q '^    method = \"tcemu-gpu-collect.py 1 on .*CUDA graph replays\";' '$H200' &&
        grep -q '^# burst before the soak: .*sustained/burst 0\.[0-9]' '$H200' &&
        grep -q '^# elementwise_gbytes_per_s and launch_gap_us: least squares over 14 forward norm and activation rows' '$H200' &&
        ! grep -q 'not written, host-bound' '$H200'"
fi

# slurm/tcemu-calibrate.sbatch's hook (tce_gpu_collect in tcemu-lib.sh),
# outside Slurm: skipped cleanly without GPUs, off, or after a signal; with
# GPUs (a stand-in nvidia-smi) it runs the collector, whose failure is
# logged and recorded, never fatal.
mkdir -p "$out/gpu"
cat >"$out/gpu/nvidia-smi" <<'SHEOF'
#!/bin/sh
echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-00000000-0000-0000-0000-000000000000)"
SHEOF
chmod +x "$out/gpu/nvidia-smi"
if ! PATH=/usr/bin:/bin command -v nvidia-smi >/dev/null 2>&1; then
    check "hook without nvidia-smi: one skip line, nothing run" sh -c "
        env -u SLURM_JOB_ID PATH=/usr/bin:/bin bash -c '. slurm/tcemu-lib.sh; tce_gpu_collect \"\$0\"; echo \"rc=[\$TCE_GPU_RC]\"' '$out/compute' >'$out/hook.out' 2>'$out/hook.err' &&
        grep -qx 'rc=\[\]' '$out/hook.out' &&
        grep -qx 'tcemu-slurm: no GPUs here (nvidia-smi absent or lists none): compute collector skipped' '$out/hook.err' &&
        test \$(wc -l <'$out/hook.err') -eq 1"
fi
check "hook with TCEMU_GPU_COLLECT=0: not run" sh -c "
    env -u SLURM_JOB_ID TCEMU_GPU_COLLECT=0 PATH='$out/gpu':\$PATH bash -c '. slurm/tcemu-lib.sh; tce_gpu_collect x; echo \"rc=[\$TCE_GPU_RC]\"' 2>/dev/null |
    grep -qx 'rc=\[\]'"
check "hook after a signal: not run" sh -c "
    env -u SLURM_JOB_ID TCE_SIGNALLED=USR1 PATH='$out/gpu':\$PATH bash -c '. slurm/tcemu-lib.sh; tce_gpu_collect x; echo \"rc=[\$TCE_GPU_RC]\"' 2>&1 |
    grep -q 'stopped by SIGUSR1: compute collector not run'"
check "hook with GPUs but a torch without CUDA: collector's line, warning, exit recorded, no file" sh -c "
    env -u SLURM_JOB_ID PATH='$out/gpu':\$PATH PYTHONPATH='$out/faketorch' \
        bash -c '. slurm/tcemu-lib.sh; tce_gpu_collect \"\$0\"; echo \"rc=[\$TCE_GPU_RC]\"' '$out/compute' >'$out/hook.out' 2>'$out/hook.err';
    grep -qx 'rc=\[1\]' '$out/hook.out' &&
    grep -qx 'tcemu-gpu-collect: error: no CUDA device (torch.cuda.is_available() is false)' '$out/hook.err' &&
    grep -q 'warning: the compute collector failed (exit 1' '$out/hook.err' &&
    ! ls '$out'/compute-* >/dev/null 2>&1"
echo "# gpucollect.sh: $fails failed"
[ "$fails" -eq 0 ]
