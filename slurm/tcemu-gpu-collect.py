#!/usr/bin/env python3
"""tcemu-gpu-collect - time a training step's kernels on this GPU and write
a tcemu calibration file with a `compute` section.

  tcemu-gpu-collect.py --job jobs/llama3-70b.cfg --tp 8 -o compute.cfg
  tcemu-gpu-collect.py --sweep standard -o compute-h100.cfg --json c.json
  tcemu-gpu-collect.py --job jobs/llama3-8b.cfg --tp 1 --dry-run
  tcemu-gpu-collect.py --self-test

What it times, on the local accelerator (device 0, or --device), with
PyTorch and nothing else:
  * GEMMs of one transformer layer's shard at the job's tensor-parallel
    size: qkv, attention projection, fc1 (SwiGLU: two halves in one GEMM),
    fc2; forward x@w, dgrad g@w.T and wgrad x.T@g; bf16, and fp8 (e4m3,
    torch._scaled_mm, per-tensor scales) where the device has it (compute
    capability 8.9 and up) and the job or sweep asks for it; MoE expert
    GEMMs for MoE jobs; square GEMMs (the table's backbone);
  * causal flash attention (torch scaled_dot_product_attention, GQA),
    forward and forward+backward;
  * RMSNorm/LayerNorm and the activation (SwiGLU or tanh-GeLU), forward and
    forward+backward (written as comment lines: the calibration schema has
    element-wise bandwidth, not per-op rows, for them);
  * element-wise bandwidth and per-kernel time fitted over those norm and
    activation rows; a bare c = a + b (1 GiB bf16 tensors: read 2, write
    1) and the host's cost per eager launch (back-to-back launches of a
    one-element kernel), both as comment lines.

How (the way a training step runs them, not one kernel alone): first a soak
of large bf16 GEMMs until the throughput of three successive one-second
windows agrees within 1% (at least --soak-s seconds; a short burst at the
boost clock overstates sustained throughput, by 3.6% on an H100 SXM5 and
19% on an H200 SXM, 791 against 664 TFLOP/s, 1,980 -> 1,470 MHz at its
700 W cap); then each
kernel is launched back to back, captured once as a CUDA graph and the
graph replayed between two CUDA events for at least --sample-ms per
sample, after --warmup untimed calls, and the median of --repeats samples
is kept.  Each job shape is thus timed at the clock the GPU holds under
load, and the time is the GPU's: an eager torch call costs the host 10-30
us on x86, longer than a small GEMM runs, and eager back-to-back launches
of such a kernel time the host (the GPU waits).  Where capture fails, or
with --eager, the launches are eager, and a kernel whose GPU time is within
10% of the host's time to issue it is not written (a comment says so).
The launch gap alone is timed eagerly: the host's cost is what it measures.
Then a layer check (--layer-check-s, 0 = off): per dtype written, the
heaviest case whose rows are all there runs as one layer (its GEMMs' three
passes and its attention forward and backward, one CUDA graph) back to back
that long, and its step time (the median window of the second half) is
written beside what the rows say: a table whose rows are not the rates a
training layer holds says so in its own file.
Measured against a training-like load on one H200: tcemu, pricing a Llama-3
405B TP8 layer shard's GEMMs and attention from this collector's rows, gave
30.82 ms against the 31.06 the layer held back to back (-0.8%).  A known
limit, written into the file beside FP8 rows: FP8 GEMMs timed alone hold a
lower SM clock (1,305-1,350 MHz there) than a training layer does (about
1,470 MHz for BF16 and FP8 layers alike).
nvidia-smi's SM clock, power and temperature are recorded before and after
when nvidia-smi is there.

Shapes: --job FILE --tp N [--micro-batch B] reads the tcemu job file's few
keys (model.*, training.micro_batch_size, parallel.context_parallel_size);
with --tcemu BIN it asks `tcemu show --json` instead (needs --topology).
m (tokens of one microbatch on one CP rank) = micro_batch x seq_length / CP.
--sweep standard: the cases of the shipped H100 profile (Llama-3 8B TP1,
70B TP8, 405B TP8 and TP4, GPT-3 175B TP8 at micro-batch 1 and 4, the
Megatron SC21 18B at TP8), DeepSeek-V3 expert shapes, square GEMMs 256 ..
8192, fp8 for the 70B TP8 shard and the squares.

Output (libconfig; tcemu's calibration.compute schema, what `tcemu
project --calibration` and a topology's accelerator.compute_calibration
read):
  calibration = { date; compute = {
    device; driver; software; date; measured_by; method;
    stack = { framework = "PyTorch"; framework_version; flash_attention;
              cuda_graphs = false; fp8_recipe; };
    elementwise_gbytes_per_s;   (1e9 bytes per second) and
    launch_gap_us;              least squares t = kernels x gap + bytes /
                                bandwidth over the forward norm and
                                activation rows, as tcemu's shipped H100
                                table (the stack's element-wise kernels,
                                not a bare copy: that and the host's eager
                                launch cost are comment lines)
    sustained_ratio = 1.0;      (timed after the soak, at the sustained
                                clock: no burst-to-sustained correction)
    gemms = ( { m; n; k; dtype; fwd_s; dgrad_s; wgrad_s; }, ... );
        m, n, k: the FORWARD shape of the projection (x is m x k, w is
        k x n; 2mnk FLOPs per pass); fwd x@w, dgrad g@w.T, wgrad x.T@g;
        dtype "bf16" | "fp8"
    attention = ( { micro_batch_size; num_attention_heads;
                    num_query_groups; kv_channels; seq_length; causal;
                    window_size; forward_s; forward_backward_s; }, ... );
        heads and query groups of the TP shard; window_size 0 = none
  }; };
Comment lines: the soak, nvidia-smi readings, the element-wise fit, the
norm and activation rows, the layer checks.
Written to a temporary file and renamed; --json FILE also writes every
sample and the layer checks.  Nothing is written with --dry-run (it prints
the kernels, their shapes, the layer checks it would run and the file it
would write, with zero times) or --self-test (it checks the shape
arithmetic against the shipped profile's FLOP counts).

Exit status: 0 ok; 1 no torch, no CUDA device, or a kernel failed (one line
on stderr, "tcemu-gpu-collect: error: ..."); 2 bad usage or job file.
"""

import argparse
import datetime
import getpass
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PROG = "tcemu-gpu-collect"
VERSION = "1"
PASSES = ("fwd", "dgrad", "wgrad")
# A known limit of the method, written beside FP8 rows (measured on one H200
# SXM at 700 W, tests/fixtures/reference/h200-sustained-405b-tp8-layer.csv)
FP8_CLOCK_NOTE = (
    "fp8 rows: each timed alone after the bf16 soak; a load of FP8 GEMMs "
    "alone holds a lower SM clock than a training layer does (one H200: "
    "1,305-1,350 MHz, against 1,425-1,515 for BF16 GEMMs and for a BF16 or "
    "FP8 layer), so these rows may read a few per cent slow")


class UsageError(Exception):
    """Bad arguments or job file: exit 2."""


class RuntimeFailure(Exception):
    """No torch, no device, a kernel failed: exit 1."""


# --------------------------------------------------------------------------
# Job description (pure)

JOB_KEYS = {
    "model.hidden_size": int,
    "model.ffn_hidden_size": int,
    "model.num_attention_heads": int,
    "model.num_query_groups": int,
    "model.kv_channels": int,
    "model.seq_length": int,
    "model.swiglu": bool,
    "model.num_experts": int,
    "model.moe_router_topk": int,
    "model.moe_ffn_hidden_size": int,
    "training.micro_batch_size": int,
    "training.precision": str,
    "parallel.context_parallel_size": int,
    "parallel.expert_model_parallel_size": int,
    "parallel.sequence_parallel": bool,
}


def strip_comments(text):
    """libconfig comments (#, //, /* */) removed, strings kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_job_text(text, path="job"):
    """The JOB_KEYS found in a tcemu job file (group.key -> value)."""
    body = strip_comments(text)
    if "@include" in body:
        raise UsageError("%s: @include is not followed here; pass --tcemu "
                         "BIN to read the job through tcemu" % path)
    found, stack = {}, []
    for tok in re.finditer(r'([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*("(?:[^"\\]|'
                           r'\\.)*"|[^;{}]+);|(\})|([A-Za-z_][A-Za-z0-9_]*)'
                           r'\s*[=:]\s*\{', body):
        if tok.group(3):
            if stack:
                stack.pop()
            continue
        if tok.group(4):
            stack.append(tok.group(4))
            continue
        key, val = tok.group(1), tok.group(2).strip()
        full = ".".join(stack + [key])
        if full not in JOB_KEYS:
            continue
        kind = JOB_KEYS[full]
        try:
            if kind is bool:
                if val not in ("true", "false"):
                    raise ValueError(val)
                found[full] = val == "true"
            elif kind is int:
                found[full] = int(val.rstrip("Ll"), 0)
            else:
                found[full] = json.loads(val) if val.startswith('"') else val
        except ValueError:
            raise UsageError("%s: %s = %s is not a %s" %
                             (path, full, val, kind.__name__))
    return found


def job_from_settings(settings):
    """JOB_KEYS from `tcemu show --json` (its job.settings object)."""
    return {k: settings[k]["value"] for k in JOB_KEYS if k in settings}


def model_from_job(keys, path="job"):
    """A plain model dict with defaults as tcemu applies them."""
    need = ("model.hidden_size", "model.ffn_hidden_size",
            "model.num_attention_heads", "model.seq_length")
    missing = [k for k in need if k not in keys]
    if missing:
        raise UsageError("%s: missing %s" % (path, ", ".join(missing)))
    h = keys["model.hidden_size"]
    heads = keys["model.num_attention_heads"]
    return {
        "hidden": h,
        "ffn": keys["model.ffn_hidden_size"],
        "heads": heads,
        "kv_heads": keys.get("model.num_query_groups", heads),
        "head_dim": keys.get("model.kv_channels", h // heads),
        "seq": keys["model.seq_length"],
        "swiglu": keys.get("model.swiglu", False),
        "micro_batch": keys.get("training.micro_batch_size", 1),
        "cp": keys.get("parallel.context_parallel_size", 1),
        "ep": keys.get("parallel.expert_model_parallel_size", 1),
        "experts": keys.get("model.num_experts", 0),
        "topk": keys.get("model.moe_router_topk", 2),
        "moe_ffn": keys.get("model.moe_ffn_hidden_size",
                            keys["model.ffn_hidden_size"]),
        "fp8": keys.get("training.precision", "bf16") == "fp8",
        "sequence_parallel": keys.get("parallel.sequence_parallel", False),
    }


def check_tp(model, tp):
    """The divisibility rules a TP shard needs; raises UsageError."""
    if tp < 1:
        raise UsageError("--tp must be at least 1 (got %d)" % tp)
    for what, v in (("num_attention_heads", model["heads"]),
                    ("ffn_hidden_size", model["ffn"])):
        if v % tp:
            raise UsageError("--tp %d does not divide %s %d" % (tp, what, v))
    if model["kv_heads"] % tp and tp % model["kv_heads"]:
        raise UsageError("--tp %d and num_query_groups %d: neither divides "
                         "the other" % (tp, model["kv_heads"]))
    if model["seq"] % model["cp"]:
        raise UsageError("context_parallel_size %d does not divide "
                         "seq_length %d" % (model["cp"], model["seq"]))


# --------------------------------------------------------------------------
# Shape selection (pure)

def layer_shapes(model, tp, name="job"):
    """Kernels of one layer shard: a dict with gemms (name, m, n, k),
    attention, norm and activation shapes."""
    check_tp(model, tp)
    h, d = model["hidden"], model["head_dim"]
    m = model["micro_batch"] * model["seq"] // model["cp"]
    q_heads = model["heads"] // tp
    kv = max(1, model["kv_heads"] // tp)
    ffn_out = (2 if model["swiglu"] else 1) * model["ffn"] // tp
    gemms = [
        ("qkv", m, (q_heads + 2 * kv) * d, h),
        ("attn_proj", m, h, q_heads * d),
        ("fc1", m, ffn_out, h),
        ("fc2", m, h, model["ffn"] // tp),
    ]
    if model["experts"]:
        # tokens an expert sees: the EP group's tokens x top-k over experts
        per = model["ep"] * m * model["topk"] // model["experts"]
        mf = (2 if model["swiglu"] else 1) * model["moe_ffn"]
        gemms += [("expert_fc1", max(per, 1), mf, h),
                  ("expert_fc2", max(per, 1), h, model["moe_ffn"])]
    rows = m // tp if model["sequence_parallel"] else m
    return {
        "case": name,
        "gemms": gemms,
        "attention": {"batch": model["micro_batch"], "heads": q_heads,
                      "kv_heads": kv, "head_dim": d,
                      "seq": model["seq"] // model["cp"], "causal": True,
                      "window": 0},
        "norm": {"rows": rows, "cols": h,
                 "kind": "rms_norm" if model["swiglu"] else "layer_norm"},
        "act": {"rows": m, "cols": model["ffn"] // tp,
                "kind": "swiglu" if model["swiglu"] else "gelu_tanh"},
        "fp8": model["fp8"],
    }


def _dense(h, ffn, heads, kv, seq, swiglu, mb=1):
    return {"hidden": h, "ffn": ffn, "heads": heads, "kv_heads": kv,
            "head_dim": h // heads, "seq": seq, "swiglu": swiglu,
            "micro_batch": mb, "cp": 1, "ep": 1, "experts": 0, "topk": 1,
            "moe_ffn": ffn, "fp8": False, "sequence_parallel": False}


# The shipped profile's cases (../shared/reference/gpu-profiles header).
STANDARD_CASES = [
    ("llama3-8b-tp1", _dense(4096, 14336, 32, 8, 8192, True), 1),
    ("llama3-70b-tp8", _dense(8192, 28672, 64, 8, 8192, True), 8),
    ("llama3-405b-tp8", _dense(16384, 53248, 128, 8, 8192, True), 8),
    ("llama3-405b-tp4", _dense(16384, 53248, 128, 8, 8192, True), 4),
    ("gpt3-175b-tp8", _dense(12288, 49152, 96, 96, 2048, False), 8),
    ("gpt3-175b-tp8-mb4", _dense(12288, 49152, 96, 96, 2048, False, 4), 8),
    ("sc21-18b-tp8", _dense(6144, 24576, 48, 48, 2048, False), 8),
]
SQUARES = (256, 512, 1024, 2048, 4096, 8192)
MOE_M = (128, 512, 1024, 2048, 4096, 8192)


def plan_sweep(kind):
    """The cases of a named sweep."""
    if kind != "standard":
        raise UsageError("unknown sweep '%s' (known: standard)" % kind)
    cases = [layer_shapes(model, tp, name)
             for name, model, tp in STANDARD_CASES]
    cases[1]["fp8"] = True  # llama3-70b-tp8 in fp8 too
    moe = [("expert_fc1_m%d" % m, m, 2 * 2048, 7168) for m in MOE_M]
    moe += [("expert_fc2_m%d" % m, m, 7168, 2048) for m in MOE_M]
    cases.append({"case": "moe-expert", "gemms": moe, "attention": None,
                  "norm": None, "act": None, "fp8": False})
    return cases, list(SQUARES), True


def plan_job(model, tp, name):
    return [layer_shapes(model, tp, name)], [1024, 4096, 8192], model["fp8"]


def gemm_flops(m, n, k):
    return 2.0 * m * n * k


def attention_flops(att, fwd_bwd=False):
    """Causal half, as the shipped profile counts: 4 b h s^2 d / 2; x3.5."""
    f = 4.0 * att["batch"] * att["heads"] * att["seq"] ** 2 * att["head_dim"]
    f /= 2.0 if att["causal"] else 1.0
    return f * 3.5 if fwd_bwd else f


def gemm_rows(cases, squares, fp8):
    """(case, name, m, n, k, dtype) for every GEMM to time, deduplicated by
    shape and dtype (the first case keeps the name)."""
    seen, rows = set(), []
    for c in cases:
        dtypes = ("bf16", "fp8") if c["fp8"] else ("bf16",)
        for name, m, n, k in c["gemms"]:
            for dt in dtypes:
                if (m, n, k, dt) not in seen:
                    seen.add((m, n, k, dt))
                    rows.append((c["case"], name, m, n, k, dt))
    for s in squares:
        for dt in (("bf16", "fp8") if fp8 else ("bf16",)):
            if (s, s, s, dt) not in seen:
                seen.add((s, s, s, dt))
                rows.append(("square", "gemm%d" % s, s, s, s, dt))
    return rows


# --------------------------------------------------------------------------
# Statistics and file writing (pure)

def median(xs):
    if not xs:
        raise ValueError("median of nothing")
    return statistics.median(xs)


def spread(xs):
    """(max - min) / median: how much the samples disagree."""
    med = median(xs)
    return (max(xs) - min(xs)) / med if med > 0 else 0.0


def settled(window_rates, tol=0.01, need=3):
    """True when the last `need` windows agree within tol of their mean."""
    if len(window_rates) < need:
        return False
    last = window_rates[-need:]
    mean = sum(last) / need
    return mean > 0 and all(abs(r - mean) <= tol * mean for r in last)


def inner_count(est_s, sample_s, cap=100000):
    """Back-to-back launches per sample for a kernel of est_s seconds."""
    if not est_s > 0:
        return cap
    return max(1, min(cap, int(math.ceil(sample_s / est_s))))


def host_bound(gpu_s, host_s):
    """An eager sample timed the host when the GPU took no longer (within
    10%) than the host took to issue the launches: the GPU was waiting."""
    return host_s > 0 and gpu_s <= 1.1 * host_s


def pointwise_cost(spec):
    """(kernels, bytes) of a forward norm or activation row, as tcemu's
    compute table counts them (include/tcemu/computetable.h): a norm reads
    x and writes y; unfused SwiGLU is 2 kernels over 5 tensors; GeLU 1
    kernel over 2; bf16."""
    elems = spec["rows"] * spec["cols"]
    if spec["kind"] == "swiglu":
        return 2, 5 * elems * 2
    return 1, 2 * elems * 2


def fit_elementwise(points):
    """(gap_s, bytes_per_s, how) from [(kernels, bytes, seconds)] by least
    squares t = kernels x gap + bytes / bw; where that is not physical
    (too few points, a negative gap), bw = all bytes / all seconds, gap 0."""
    kk = sum(k * k for k, _, _ in points)
    kb = sum(k * b for k, b, _ in points)
    bb = sum(b * b for _, b, _ in points)
    kt = sum(k * t for k, _, t in points)
    bt = sum(b * t for _, b, t in points)
    det = kk * bb - kb * kb
    if len(points) >= 2 and det > 1e-9 * kk * bb:
        gap, inv = (bb * kt - kb * bt) / det, (kk * bt - kb * kt) / det
        if gap >= 0 and inv > 0:
            return gap, 1.0 / inv, "least squares"
    tb, tt = sum(b for _, b, _ in points), sum(t for _, _, t in points)
    if tb > 0 and tt > 0:
        return 0.0, tb / tt, "bytes over seconds, no gap"
    return None


def cfg_string(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')


def cfg_number(x):
    return "%.6e" % x if isinstance(x, float) else "%d" % x


def gemm_table(gemms):
    """Per-pass rows (m, n, k, dtype, pass, seconds) folded into one row per
    shape: {m, n, k, dtype, fwd_s, dgrad_s, wgrad_s} (0 = not timed), in
    first-seen order."""
    rows, index = [], {}
    for g in gemms:
        key = (g["m"], g["n"], g["k"], g["dtype"])
        if key not in index:
            index[key] = len(rows)
            rows.append({"m": g["m"], "n": g["n"], "k": g["k"],
                         "dtype": g["dtype"], "fwd_s": 0.0, "dgrad_s": 0.0,
                         "wgrad_s": 0.0})
        rows[index[key]][g["pass"] + "_s"] = float(g["seconds"])
    return rows


def render(prov, gemms, attention, elementwise, launch_gap_us, notes):
    """The calibration file's text (tcemu's calibration.compute schema).
    prov: device driver software date measured_by method framework_version
    flash_attention fp8_recipe; gemms: per-pass dicts (m n k dtype pass
    seconds); attention: attention_row() dicts; notes: comment lines."""
    out = ["# tcemu calibration file: compute measured on one GPU by "
           "slurm/tcemu-gpu-collect.py %s" % VERSION]
    out += ["# " + n for n in notes]
    out.append("calibration = {")
    out.append("  date = %s;" % cfg_string(prov.get("date", "")))
    out.append("  compute = {")
    for key in ("device", "driver", "software", "date", "measured_by",
                "method"):
        out.append("    %s = %s;" % (key, cfg_string(prov.get(key, ""))))
    out.append("    stack = {")
    out.append("      framework = \"PyTorch\";")
    out.append("      framework_version = %s;" %
               cfg_string(prov.get("framework_version", "")))
    out.append("      flash_attention = %s;" %
               ("true" if prov.get("flash_attention", True) else "false"))
    out.append("      cuda_graphs = false;")
    out.append("      fp8_recipe = %s;" % cfg_string(prov.get("fp8_recipe",
                                                            "")))
    out.append("    };")
    out.append("    elementwise_gbytes_per_s = %s;" %
               cfg_number(float(elementwise)))
    out.append("    launch_gap_us = %s;" % cfg_number(float(launch_gap_us)))
    # timed after the soak: the rows are at the sustained clock already
    out.append("    sustained_ratio = 1.0;")
    out.append("    gemms = (")
    out.append(",\n".join(
        "      { m = %d; n = %d; k = %d; dtype = %s; fwd_s = %s; "
        "dgrad_s = %s; wgrad_s = %s; }" %
        (g["m"], g["n"], g["k"], cfg_string(g["dtype"]),
         cfg_number(g["fwd_s"]), cfg_number(g["dgrad_s"]),
         cfg_number(g["wgrad_s"])) for g in gemm_table(gemms)))
    out.append("    );")
    out.append("    attention = (")
    out.append(",\n".join(
        "      { micro_batch_size = %d; num_attention_heads = %d; "
        "num_query_groups = %d; kv_channels = %d;\n        seq_length = %d; "
        "causal = %s; window_size = %d; forward_s = %s; "
        "forward_backward_s = %s; }" %
        (a["micro_batch_size"], a["num_attention_heads"],
         a["num_query_groups"], a["kv_channels"], a["seq_length"],
         "true" if a["causal"] else "false", a["window_size"],
         cfg_number(float(a["forward_s"])),
         cfg_number(float(a["forward_backward_s"]))) for a in attention))
    out.append("    );")
    out.append("  };")
    out.append("};")
    return "\n".join(out) + "\n"


def attention_row(att, fwd_s, fwd_bwd_s):
    """One attention entry, in the schema's (Megatron's) names."""
    return {"micro_batch_size": att["batch"],
            "num_attention_heads": att["heads"],
            "num_query_groups": att["kv_heads"], "kv_channels":
            att["head_dim"], "seq_length": att["seq"],
            "causal": att["causal"], "window_size": att["window"],
            "forward_s": fwd_s, "forward_backward_s": fwd_bwd_s}


def layer_check_plan(cases, gemms, attention):
    """The layers to run back to back against the rows: per dtype written,
    the case with the most GEMM FLOPs whose GEMMs all have that dtype's
    three passes and whose attention row is written (attention in bf16 in
    both, as training stacks keep it).  Each: {"case", "dtype", "gemms":
    [(m, n, k)], "attention": the case's attention, "rows_s": what the
    rows say one forward+backward of it takes (three passes a GEMM,
    attention forward+backward)}.  Pure."""
    secs = {}
    for g in gemms:
        secs.setdefault((g["m"], g["n"], g["k"], g["dtype"]),
                        {})[g["pass"]] = g["seconds"]
    att = {(a["micro_batch_size"], a["num_attention_heads"],
            a["num_query_groups"], a["kv_channels"], a["seq_length"],
            a["causal"]): a["forward_backward_s"] for a in attention}
    best = {}
    for c in cases:
        a = c["attention"]
        if not a or not c["gemms"]:
            continue
        ka = (a["batch"], a["heads"], a["kv_heads"], a["head_dim"],
              a["seq"], a["causal"])
        if ka not in att:
            continue
        for dt in ("bf16", "fp8"):
            shapes = [(m, n, k) for _, m, n, k in c["gemms"]]
            rows = [secs.get(sh + (dt,), {}) for sh in shapes]
            if not all(len(r) == len(PASSES) for r in rows):
                continue
            flops = sum(gemm_flops(*sh) for sh in shapes)
            if dt in best and best[dt][0] >= flops:
                continue
            best[dt] = (flops, {
                "case": c["case"], "dtype": dt, "gemms": shapes,
                "attention": a,
                "rows_s": sum(sum(r.values()) for r in rows) + att[ka]})
    return [best[dt][1] for dt in ("bf16", "fp8") if dt in best]


def write_atomic(path, text):
    """Temporary file beside path, fsync'ed, renamed over it."""
    real = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(prefix=".tcemu-", suffix=".tmp",
                               dir=os.path.dirname(real) or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, real)
    except BaseException:
        os.unlink(tmp)
        raise


def plan_lines(cases, rows):
    """What would be timed, as comment lines."""
    lines = ["plan: %d GEMM shapes x 3 passes, %d attention shapes" %
             (len(rows), sum(1 for c in cases if c["attention"]))]
    for case, name, m, n, k, dt in rows:
        lines.append("gemm %-16s %-14s m=%-6d n=%-6d k=%-6d %s  %.4g GFLOP" %
                     (case, name, m, n, k, dt, gemm_flops(m, n, k) / 1e9))
    for c in cases:
        a = c["attention"]
        if a:
            lines.append("attention %-16s b=%d heads=%d kv=%d d=%d s=%d "
                         "causal  %.4g GFLOP fwd" %
                         (c["case"], a["batch"], a["heads"], a["kv_heads"],
                          a["head_dim"], a["seq"],
                          attention_flops(a) / 1e9))
        if c["norm"]:
            lines.append("norm %-16s %s %d x %d; act %s %d x %d" %
                         (c["case"], c["norm"]["kind"], c["norm"]["rows"],
                          c["norm"]["cols"], c["act"]["kind"],
                          c["act"]["rows"], c["act"]["cols"]))
    return lines


# --------------------------------------------------------------------------
# The GPU part (thin): everything below needs torch and a CUDA device

def load_torch(device):
    try:
        import torch  # noqa: F401 (the one dependency)
    except ImportError as e:
        raise RuntimeFailure("PyTorch is not installed (import torch failed: "
                             "%s)" % e)
    if not torch.cuda.is_available():
        raise RuntimeFailure("no CUDA device (torch.cuda.is_available() is "
                             "false)")
    if device >= torch.cuda.device_count():
        raise RuntimeFailure("no CUDA device %d (%d present)" %
                             (device, torch.cuda.device_count()))
    torch.cuda.set_device(device)
    torch.backends.cuda.matmul.allow_tf32 = False
    return torch


def smi_sample():
    """nvidia-smi's SM clock (MHz), power (W), temperature (C), or None."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=clocks.sm,power.draw,temperature.gpu,"
             "driver_version", "--format=csv,noheader,nounits", "-i",
             os.environ.get("TCE_GPU_INDEX", "0")],
            capture_output=True, text=True, timeout=10)
        f = [x.strip() for x in out.stdout.strip().split(",")]
        return {"sm_mhz": f[0], "watts": f[1], "temp_c": f[2],
                "driver": f[3]}
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def event_pair(torch):
    """Two CUDA events that time what runs between them."""
    return (torch.cuda.Event(enable_timing=True),
            torch.cuda.Event(enable_timing=True))


def capture_graph(torch, fn, inner=1):
    """A CUDA graph of inner back-to-back calls of fn (raises where a call
    cannot be captured)."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # capture wants a warmed-up side stream
        fn()
    torch.cuda.current_stream().wait_stream(side)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(inner):
            fn()
    return g


class Timer:
    """The GPU's time per kernel, not the host's.

    Each sample replays a CUDA graph of back-to-back launches between two
    CUDA events, so the host's cost per eager call (10-30 us for a torch
    op on an x86 host: a small GEMM's whole kernel time) is not in it.
    Where a kernel cannot be captured (or with --eager) the launches are
    eager, and a sample whose GPU time is within 10% of the host's time
    to issue it is host-bound: it times the host, not the kernel.
    """

    def __init__(self, torch, args):
        self.torch, self.args = torch, args
        self.graphs = not args.eager and hasattr(torch.cuda, "CUDAGraph")
        self.samples = {}

    def _graph(self, fn, inner):
        g = capture_graph(self.torch, fn, inner)
        e0, e1 = event_pair(self.torch)
        g.replay()
        e0.record()
        g.replay()
        e1.record()
        e1.synchronize()
        replays = inner_count(e0.elapsed_time(e1) / 1e3,
                              self.args.sample_ms / 1e3, cap=1000)
        xs = []
        for _ in range(self.args.repeats):
            e0.record()
            for _ in range(replays):
                g.replay()
            e1.record()
            e1.synchronize()
            xs.append(e0.elapsed_time(e1) / 1e3 / (replays * inner))
        del g
        return {"method": "graph", "inner": inner, "replays": replays,
                "seconds": xs, "host_bound": False}

    def _eager(self, fn, inner):
        e0, e1 = event_pair(self.torch)
        xs, host = [], []
        for _ in range(self.args.repeats):
            e0.record()
            c0 = time.perf_counter()
            for _ in range(inner):
                fn()
            c1 = time.perf_counter()
            e1.record()
            e1.synchronize()
            xs.append(e0.elapsed_time(e1) / 1e3 / inner)
            host.append((c1 - c0) / inner)
        return {"method": "eager", "inner": inner, "seconds": xs,
                "host_seconds": host,
                "host_bound": host_bound(median(xs), median(host))}

    def time(self, key, fn, graph=True):
        """Median seconds per call; self.samples[key] says how."""
        for _ in range(self.args.warmup):
            fn()
        e0, e1 = event_pair(self.torch)
        e0.record()
        fn()
        e1.record()
        e1.synchronize()
        inner = inner_count(e0.elapsed_time(e1) / 1e3,
                            self.args.sample_ms / 1e3)
        rec, why = None, None
        if graph and self.graphs:
            try:
                rec = self._graph(fn, min(inner, 5000))
            except Exception as e:  # noqa: BLE001 (any capture failure)
                why = "capture failed: %s" % (str(e).splitlines() or ["?"])[0]
        if rec is None:
            rec = self._eager(fn, inner)
            if why:
                rec["why_eager"] = why
        rec.update(median=median(rec["seconds"]), spread=spread(rec["seconds"]))
        self.samples[key] = rec
        return rec["median"]

    def any_host_bound(self, *keys):
        """True when any of these samples timed the host, not the GPU."""
        return any(self.samples[k]["host_bound"] for k in keys)


def soak(torch, args, log):
    """Large bf16 GEMMs until three 1-s windows agree within 1%."""
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    rates, t_total = [], 0.0
    e0, e1 = event_pair(torch)
    for _ in range(3):
        torch.matmul(a, b)
    e0.record()
    for _ in range(10):  # a short burst first: the clock before the cap
        torch.matmul(a, b)
    e1.record()
    e1.synchronize()
    burst = 10 * gemm_flops(n, n, n) / (e0.elapsed_time(e1) / 1e3) / 1e12
    while t_total < args.soak_max_s:
        e0.record()
        for _ in range(20):
            torch.matmul(a, b)
        e1.record()
        e1.synchronize()
        dt = e0.elapsed_time(e1) / 1e3
        reps = max(1, int(1.0 / max(dt / 20, 1e-6)))
        e0.record()
        for _ in range(reps):
            torch.matmul(a, b)
        e1.record()
        e1.synchronize()
        dt = e0.elapsed_time(e1) / 1e3
        t_total += dt
        rates.append(reps * gemm_flops(n, n, n) / dt / 1e12)
        if t_total >= args.soak_s and settled(rates):
            break
    ratio = rates[-1] / burst if burst > 0 else 0.0
    log("soak: %.1f s of 8192^3 bf16 GEMMs, last windows %s TFLOP/s%s; "
        "burst before it %.1f TFLOP/s (sustained/burst %.3f)" %
        (t_total, ", ".join("%.1f" % r for r in rates[-3:]),
         "" if settled(rates) else " (not settled within --soak-max-s)",
         burst, ratio))
    return rates, burst, ratio


def layer_check(torch, args, check, cap, log):
    """Run check's layer (its GEMMs' three passes and its attention forward
    and backward, one CUDA graph) back to back for --layer-check-s; its
    sustained time per step (the median window of the second half) against
    what the rows say.  None when a GEMM of it has no kernel here (FP8
    below compute capability 8.9); raises where capture fails."""
    fns = []
    for m, n, k in check["gemms"]:
        f = gemm_fns(torch, m, n, k, check["dtype"], cap)
        if f is None:
            return None
        fns += [f[p] for p in PASSES]
    fns.append(attention_fns(torch, check["attention"])[1])
    g = capture_graph(torch, lambda: [f() for f in fns])
    e0, e1 = event_pair(torch)
    e0.record()
    g.replay()
    e1.record()
    e1.synchronize()
    per = inner_count(max(e0.elapsed_time(e1) / 1e3, 1e-9), 0.25, cap=1000)
    wins, t0 = [], time.perf_counter()
    while True:  # windows of about 0.25 s, each synchronised
        e0.record()
        for _ in range(per):
            g.replay()
        e1.record()
        e1.synchronize()
        wins.append((time.perf_counter() - t0,
                     e0.elapsed_time(e1) / 1e3 / per))
        if wins[-1][0] >= args.layer_check_s:
            break
    late = [w for t, w in wins if t >= args.layer_check_s / 2] or \
        [wins[-1][1]]
    r = dict(check, layer_s=median(late), first_s=wins[0][1],
             windows=len(wins), held_s=wins[-1][0])
    r.pop("attention")
    r["rows_over_layer"] = r["rows_s"] / r["layer_s"] - 1.0
    del g, fns
    log("layer check %s %s: the rows say %.3f ms, the layer held %.3f ms "
        "(%+.1f%%)" % (r["case"], r["dtype"], r["rows_s"] * 1e3,
                       r["layer_s"] * 1e3, 100.0 * r["rows_over_layer"]))
    return r


def layer_check_note(r):
    """The comment line of one layer check."""
    return ("layer check %s %s: its GEMMs (3 passes each) and attention "
            "forward+backward, one CUDA graph back to back %.1f s: %.3f ms "
            "a step held (median of the second half), the rows say %.3f ms "
            "(%+.1f%%)" % (r["case"], r["dtype"], r["held_s"],
                           r["layer_s"] * 1e3, r["rows_s"] * 1e3,
                           100.0 * r["rows_over_layer"]))


def gemm_fns(torch, m, n, k, dtype, cap):
    """{pass: fn} for a forward shape (m, n, k)."""
    dev = "cuda"
    if dtype == "bf16":
        bf = torch.bfloat16
        x = torch.randn(m, k, device=dev, dtype=bf)
        w = torch.randn(k, n, device=dev, dtype=bf)
        g = torch.randn(m, n, device=dev, dtype=bf)
        return {"fwd": lambda: torch.matmul(x, w),
                "dgrad": lambda: torch.matmul(g, w.t()),
                "wgrad": lambda: torch.matmul(x.t(), g)}
    if cap < (8, 9) or not hasattr(torch, "_scaled_mm"):
        return None
    f8 = torch.float8_e4m3fn
    one = torch.ones((), device=dev, dtype=torch.float32)

    def mm(rows, inner, cols):
        # _scaled_mm wants A row-major (rows x inner) and B column-major
        a = torch.randn(rows, inner, device=dev).to(f8)
        b = torch.randn(cols, inner, device=dev).to(f8).t()
        return lambda: torch._scaled_mm(a, b, scale_a=one, scale_b=one,
                                        out_dtype=torch.bfloat16)
    return {"fwd": mm(m, k, n), "dgrad": mm(m, n, k), "wgrad": mm(k, m, n)}


def attention_fns(torch, att):
    F = torch.nn.functional
    bf = torch.bfloat16
    b, hq, hk, s, d = (att["batch"], att["heads"], att["kv_heads"],
                       att["seq"], att["head_dim"])
    q = torch.randn(b, hq, s, d, device="cuda", dtype=bf, requires_grad=True)
    k = torch.randn(b, hk, s, d, device="cuda", dtype=bf, requires_grad=True)
    v = torch.randn(b, hk, s, d, device="cuda", dtype=bf, requires_grad=True)
    go = torch.randn(b, hq, s, d, device="cuda", dtype=bf)
    gqa = {"enable_gqa": True} if hq != hk else {}

    def fwd():
        with torch.no_grad():
            return F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                  **gqa)

    def fwd_bwd():
        # fresh gradients each call, as a step has (no accumulation kernels)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True, **gqa)
        return torch.autograd.grad(out, (q, k, v), go)
    return fwd, fwd_bwd


def pointwise_fns(torch, spec):
    F = torch.nn.functional
    bf = torch.bfloat16
    r, c, kind = spec["rows"], spec["cols"], spec["kind"]
    if kind in ("rms_norm", "layer_norm"):
        x = torch.randn(r, c, device="cuda", dtype=bf, requires_grad=True)
        w = torch.ones(c, device="cuda", dtype=bf, requires_grad=True)
        leaves = (x, w)
        op = (lambda: F.rms_norm(x, (c,), w)) if kind == "rms_norm" else \
            (lambda: F.layer_norm(x, (c,), w))
    elif kind == "swiglu":
        a = torch.randn(r, c, device="cuda", dtype=bf, requires_grad=True)
        b = torch.randn(r, c, device="cuda", dtype=bf, requires_grad=True)
        leaves = (a, b)
        op = lambda: F.silu(a) * b  # noqa: E731
    else:
        a = torch.randn(r, c, device="cuda", dtype=bf, requires_grad=True)
        leaves = (a,)
        op = lambda: F.gelu(a, approximate="tanh")  # noqa: E731
    go = torch.randn(r, c, device="cuda", dtype=bf)

    def fwd():
        with torch.no_grad():
            return op()
    return fwd, lambda: torch.autograd.grad(op(), leaves, go)


def collect(args, cases, squares, fp8, log):
    torch = load_torch(args.device)
    cap = torch.cuda.get_device_capability()
    smi0 = smi_sample()
    prov = {
        "device": torch.cuda.get_device_name(),
        "driver": (smi0 or {}).get("driver", "unknown"),
        "software": "PyTorch %s, CUDA %s, cuDNN %s, compute capability "
                    "%d.%d" % (torch.__version__, torch.version.cuda or "?",
                               torch.backends.cudnn.version(), cap[0],
                               cap[1]),
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "measured_by": args.measured_by,
        "framework_version": torch.__version__,
        "flash_attention": torch.backends.cuda.flash_sdp_enabled(),
        "fp8_recipe": "",
    }
    log("%s on %s: %s" % (prov["device"], socket.gethostname(),
                          prov["software"]))
    if fp8 and cap < (8, 9):
        log("fp8: this device has no fp8 tensor cores (capability < 8.9); "
            "bf16 only")
    timer = Timer(torch, args)
    rates, burst, ratio = soak(torch, args, log)
    smi1 = smi_sample()
    gemms, attention, notes, dropped, points = [], [], [], [], []
    for case, name, m, n, k, dt in gemm_rows(cases, squares, fp8):
        try:
            fns = gemm_fns(torch, m, n, k, dt, cap)
            if fns is None:
                continue
            keys, rows = [], []
            for p in PASSES:
                keys.append("gemm %s %d %d %d %s" % (p, m, n, k, dt))
                s = timer.time(keys[-1], fns[p])
                rows.append({"m": m, "n": n, "k": k, "dtype": dt, "pass": p,
                             "seconds": s, "case": case, "op": name})
            del fns
            if timer.any_host_bound(*keys):
                dropped.append("gemm %s %s m=%d n=%d k=%d %s" %
                               (case, name, m, n, k, dt))
                log("gemm %s %s %s: host-bound (eager launches), not "
                    "written" % (case, name, dt))
                continue
            gemms.extend(rows)
        except RuntimeError as e:
            raise RuntimeFailure("GEMM %s %s m=%d n=%d k=%d %s: %s" %
                                 (case, name, m, n, k, dt,
                                  str(e).splitlines()[0]))
        log("gemm %s %s %s: %s" % (case, name, dt, " ".join(
            "%s %.1f TFLOP/s" % (g["pass"], gemm_flops(m, n, k) /
                                 g["seconds"] / 1e12)
            for g in gemms[-3:])))
    for c in cases:
        a = c["attention"]
        if a:
            fwd, fwd_bwd = attention_fns(torch, a)
            keys = ("attention fwd %s" % c["case"],
                    "attention fwd+bwd %s" % c["case"])
            s1 = timer.time(keys[0], fwd)
            s2 = timer.time(keys[1], fwd_bwd)
            if timer.any_host_bound(*keys):
                dropped.append("attention %s" % c["case"])
                log("attention %s: host-bound (eager launches), not "
                    "written" % c["case"])
            else:
                attention.append(attention_row(a, s1, s2))
                log("attention %s: fwd %.3f ms (%.1f TFLOP/s), fwd+bwd "
                    "%.3f ms" % (c["case"], s1 * 1e3,
                                 attention_flops(a) / s1 / 1e12, s2 * 1e3))
        for what in ("norm", "act"):
            if c[what]:
                f, fb = pointwise_fns(torch, c[what])
                keys = ("%s fwd %s" % (what, c["case"]),
                        "%s fwd+bwd %s" % (what, c["case"]))
                s1 = timer.time(keys[0], f)
                s2 = timer.time(keys[1], fb)
                if not timer.any_host_bound(keys[0]):
                    points.append(pointwise_cost(c[what]) + (s1,))
                notes.append("%s %s %s %d x %d: fwd %.6e s, fwd+bwd %.6e s%s" %
                             (c["case"], what, c[what]["kind"],
                              c[what]["rows"], c[what]["cols"], s1, s2,
                              " (host-bound)" if timer.any_host_bound(*keys)
                              else ""))
        torch.cuda.empty_cache()
    checks, check_notes = [], []
    for c in (layer_check_plan(cases, gemms, attention)
              if args.layer_check_s > 0 else []):
        r, why = None, ("no CUDA graphs: eager launches would time the "
                        "host")
        if timer.graphs:
            try:
                r = layer_check(torch, args, c, cap, log)
                why = "a GEMM of it has no kernel here"
            except Exception as e:  # noqa: BLE001 (capture or kernel)
                why = (str(e).splitlines() or ["?"])[0]
            torch.cuda.empty_cache()
        if r is None:
            check_notes.append("layer check %s %s: not run (%s)" %
                               (c["case"], c["dtype"], why))
            continue
        checks.append(r)
        check_notes.append(layer_check_note(r))
    n = 256 * 1024 * 1024  # 512 MiB per bf16 tensor
    x = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    y = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    z = torch.empty_like(x)
    s = timer.time("elementwise add", lambda: torch.add(x, y, out=z))
    add_gbps = 3 * 2 * n / s / 1e9
    del x, y, z
    tiny = torch.zeros(1, device="cuda")
    # eager on purpose: the host's cost per launch is what it measures
    host_us = timer.time("launch gap", lambda: tiny.add_(1.0),
                         graph=False) * 1e6
    fit = fit_elementwise(points)
    if fit:  # the table's rule: the stack's norm and activation kernels
        gap, elementwise = fit[0] * 1e6, fit[1] / 1e9
        how = ("%s over %d forward norm and activation rows, t = kernels x "
               "gap + bytes / bandwidth: %.1f GB/s, %.2f us a kernel" %
               (fit[2], len(points), elementwise, gap))
    else:  # 0 = not measured (computetable.h): not the add's figures
        gap, elementwise = 0.0, 0.0
        how = "not measured (no norm or activation row timed the GPU)"
    smi2 = smi_sample()
    has_fp8 = any(g["dtype"] == "fp8" for g in gemms)
    if has_fp8:
        # the shipped H100 table's words for the same recipe: tcemu
        # compares the text
        prov["fp8_recipe"] = "e4m3, per-tensor scales (torch._scaled_mm)"
    # (the schema holds 127 bytes: the notes say the rest)
    prov["method"] = (
        "tcemu-gpu-collect.py %s on %s: soaked; per kernel the median of "
        "%d samples >= %.0f ms of %s" % (
            VERSION, socket.gethostname()[:16], args.repeats, args.sample_ms,
            "CUDA graph replays" if timer.graphs else "eager launches"))
    notes = [
        "method: soak until three 1-s windows of 8192^3 bf16 GEMMs agree "
        "within 1%% (%s TFLOP/s); per kernel %d warm-up calls, then %d "
        "samples of back-to-back launches (>= %.0f ms each) between CUDA "
        "events, median kept; %s" % (
            ", ".join("%.1f" % r for r in rates[-3:]), args.warmup,
            args.repeats, args.sample_ms,
            "each sample a CUDA graph's replays (no host launch cost in it; "
            "eager where capture failed)" if timer.graphs else
            "eager launches (--eager)"),
        "burst before the soak: 10 8192^3 bf16 GEMMs after 3 warm-ups, "
        "%.1f TFLOP/s; sustained/burst %.3f (not applied: the rows are "
        "timed after the soak)" % (burst, ratio),
        "nvidia-smi before soak: %s; after soak: %s; at the end: %s" %
        (smi0, smi1, smi2),
        "elementwise_gbytes_per_s and launch_gap_us: " + how,
        "element-wise peak: c = a + b on 2^28 bf16 elements (read 2, write "
        "1), %.1f GB/s (not the table's: the stack's kernels reach less)" %
        add_gbps,
        "host: back-to-back eager add_ on one element, %.2f us a launch "
        "(not in the table: a topology's node.host_launch_gap_us prices "
        "the host)" % host_us,
    ] + ["not written, host-bound (eager: the GPU waited for the host's "
         "launches): %s" % d for d in dropped] + notes
    if has_fp8:
        notes.append(FP8_CLOCK_NOTE)
    notes += check_notes
    json_doc = {"schema": "tcemu.gpu-collect/1", "provenance": prov,
                "gemms": gemms, "attention": attention,
                "elementwise_gbytes_per_s": elementwise,
                "elementwise_fit_points": points, "add_gbytes_per_s": add_gbps,
                "eager_launch_us": host_us,
                "launch_gap_us": gap, "soak_tflops": rates,
                "burst_tflops": burst,
                "nvidia_smi": [smi0, smi1, smi2], "samples": timer.samples,
                "layer_checks": checks,
                "notes": notes}
    return prov, gemms, attention, elementwise, gap, notes, json_doc


# --------------------------------------------------------------------------
# Command line

def self_test():
    """Shape arithmetic against the shipped H100 profile's FLOP counts."""
    want = {  # case: (qkv, attn_proj, fc1, fc2, attn_core fwd) FLOPs
        "llama3-8b-tp1": (4.12317e11, 2.74878e11, 1.92415e12, 9.62073e11,
                          5.49756e11),
        "llama3-70b-tp8": (1.71799e11, 1.37439e11, 9.62073e11, 4.81036e11,
                           None),
        "gpt3-175b-tp8": (None, None, None, None, None),
    }
    cases, _, _ = plan_sweep("standard")
    by = {c["case"]: c for c in cases}
    for name, vals in want.items():
        c = by[name]
        for (op, m, n, k), v in zip(c["gemms"], vals[:4]):
            if v is not None:
                got = gemm_flops(m, n, k)
                assert abs(got / v - 1) < 1e-5, (name, op, got, v)
        if vals[4] is not None:
            got = attention_flops(c["attention"])
            assert abs(got / vals[4] - 1) < 1e-5, (name, got, vals[4])
    g = by["gpt3-175b-tp8"]
    assert g["gemms"][0][1:] == (2048, 3 * 12288 // 8, 12288), g["gemms"][0]
    assert g["act"]["kind"] == "gelu_tanh" and g["norm"]["kind"] == \
        "layer_norm"
    assert by["gpt3-175b-tp8-mb4"]["gemms"][0][1] == 8192
    job = parse_job_text('model = { hidden_size = 8192; /* c */ ffn_hidden_'
                         'size = 28672; # x\n num_attention_heads = 64; '
                         'num_query_groups = 8; seq_length = 8192; swiglu '
                         '= true; };\ntraining = { micro_batch_size = 2; '
                         'precision = "fp8"; };\nparallel = { context_'
                         'parallel_size = 2; };')
    mod = model_from_job(job)
    assert mod["micro_batch"] == 2 and mod["cp"] == 2 and mod["fp8"]
    s = layer_shapes(mod, 8)
    assert s["gemms"][0][1:] == (8192, 1280, 8192), s["gemms"][0]
    assert s["attention"]["seq"] == 4096 and s["attention"]["kv_heads"] == 1
    for bad in ((mod, 3), (mod, 0)):
        try:
            layer_shapes(*bad)
            raise AssertionError("tp %d accepted" % bad[1])
        except UsageError:
            pass
    assert settled([600.0, 601.0, 600.5]) and not settled([590, 620, 600])
    assert inner_count(1e-3, 0.02) == 20 and inner_count(0.5, 0.02) == 1
    assert median([3, 1, 2]) == 2 and abs(spread([1, 1, 2]) - 1) < 1e-12
    assert host_bound(10e-6, 9.5e-6) and not host_bound(50e-6, 10e-6)
    assert pointwise_cost({"rows": 8192, "cols": 4096, "kind": "rms_norm"}) \
        == (1, 134217728)
    assert pointwise_cost({"rows": 2, "cols": 3, "kind": "swiglu"}) == (2, 60)
    # points made from gap 4 us and 3e12 B/s give them back; one point
    # or a negative intercept falls back to bytes over seconds
    pts = [(k, b, k * 4e-6 + b / 3e12) for k, b in
           ((1, 1e8), (2, 1e9), (1, 4e8), (2, 3e7))]
    g, bw, how = fit_elementwise(pts)
    assert abs(g - 4e-6) < 1e-12 and abs(bw - 3e12) < 1e3 and \
        how == "least squares", (g, bw, how)
    assert fit_elementwise([(1, 3e9, 1e-3)]) == (0.0, 3e12,
                                                 "bytes over seconds, no gap")
    assert fit_elementwise([(1, 1e9, 1e-3), (1, 2e9, 1e-3)])[2] != \
        "least squares" and fit_elementwise([]) is None
    rows = gemm_rows(cases, list(SQUARES), True)
    assert len(rows) == len(set((r[2], r[3], r[4], r[5]) for r in rows))
    # the layer checks: per dtype the heaviest case with every row written
    gms = [{"m": m, "n": n, "k": k, "dtype": dt, "pass": p, "seconds": 1e-3}
           for _, _, m, n, k, dt in rows for p in PASSES]
    atts = [attention_row(c["attention"], 1e-3, 3e-3) for c in cases
            if c["attention"]]
    lc = layer_check_plan(cases, gms, atts)
    assert [(x["case"], x["dtype"]) for x in lc] == [
        ("llama3-405b-tp4", "bf16"), ("llama3-70b-tp8", "fp8")], lc
    assert abs(lc[0]["rows_s"] - (4 * 3e-3 + 3e-3)) < 1e-12, lc[0]
    lc = layer_check_plan(cases, [g for g in gms if not (
        g["dtype"] == "fp8" and g["pass"] == "wgrad" and g["n"] == 1280)],
        atts[:3])  # 70B's qkv fp8 wgrad missing; 405B TP4's attention too
    assert [(x["case"], x["dtype"]) for x in lc] == [
        ("llama3-405b-tp8", "bf16")], lc
    text = render({"device": 'A "B"'},
                  [{"m": 1, "n": 2, "k": 3, "dtype": "bf16", "pass": p,
                    "seconds": x} for p, x in (("fwd", 1.5e-3),
                                               ("wgrad", 2e-3))],
                  [attention_row(s["attention"], 1e-3, 3e-3)], 2000.0, 4.5,
                  ["n"])
    assert 'device = "A \\"B\\"";' in text and "fwd_s = 1.500000e-03; " \
        "dgrad_s = 0.000000e+00; wgrad_s = 2.000000e-03;" in text and \
        "launch_gap_us = 4.500000e+00;" in text and "num_query_groups = 1;" \
        in text, text
    print("tcemu-gpu-collect: self-test ok")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tcemu-gpu-collect.py",
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--job", metavar="FILE",
                     help="tcemu job file (jobs/*.cfg)")
    src.add_argument("--sweep", metavar="NAME",
                     help="a named sweep instead of a job: standard")
    p.add_argument("--tp", type=int, help="tensor-parallel size (with --job)")
    p.add_argument("--micro-batch", type=int, metavar="B",
                   help="override training.micro_batch_size")
    p.add_argument("--tcemu", metavar="BIN",
                   help="read the job through `BIN show --json` (follows "
                   "@include, applies tcemu's defaults)")
    p.add_argument("--topology", metavar="FILE",
                   default="topologies/workstation.cfg",
                   help="topology for --tcemu show (default %(default)s)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="calibration file to write (default: "
                   "compute-HOST.cfg)")
    p.add_argument("--json", metavar="FILE",
                   help="also write every sample as JSON")
    p.add_argument("--device", type=int, default=0,
                   help="CUDA device index (default %(default)s)")
    p.add_argument("--repeats", type=int, default=15,
                   help="timed samples per kernel (default %(default)s)")
    p.add_argument("--warmup", type=int, default=3,
                   help="untimed calls first (default %(default)s)")
    p.add_argument("--sample-ms", type=float, default=25.0,
                   help="back-to-back launches per sample last at least "
                   "this long (default %(default)s)")
    p.add_argument("--soak-s", type=float, default=10.0,
                   help="load the GPU at least this long before timing "
                   "(default %(default)s)")
    p.add_argument("--soak-max-s", type=float, default=60.0,
                   help="give up waiting for a steady clock after this "
                   "(default %(default)s)")
    p.add_argument("--layer-check-s", type=float, default=20.0,
                   help="after the rows, run one layer per dtype back to "
                   "back this long and compare its time with the rows' "
                   "(0: off; default %(default)s)")
    p.add_argument("--eager", action="store_true",
                   help="launch eagerly, no CUDA graph replay (samples "
                   "that time the host are dropped)")
    p.add_argument("--measured-by", default=os.environ.get("USER") or "",
                   help="who ran it (default: $USER)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the kernels, shapes and file format; time "
                   "nothing, need no torch")
    p.add_argument("--self-test", action="store_true",
                   help="check the shape arithmetic and file format; no "
                   "torch needed")
    p.add_argument("--version", action="version",
                   version="%(prog)s " + VERSION)
    a = p.parse_args(argv)
    if a.self_test:
        return a
    if not a.job and not a.sweep:
        p.error("give --job FILE --tp N, or --sweep standard")
    if a.job and a.tp is None:
        p.error("--job needs --tp N")
    if a.sweep and (a.tp is not None or a.micro_batch is not None):
        p.error("--tp and --micro-batch go with --job, not --sweep")
    for name in ("repeats", "warmup"):
        if getattr(a, name) < (1 if name == "repeats" else 0):
            p.error("--%s must be positive" % name)
    if not a.sample_ms > 0 or a.soak_s < 0 or a.soak_max_s < a.soak_s:
        p.error("--sample-ms must be > 0 and 0 <= --soak-s <= --soak-max-s")
    if not a.layer_check_s >= 0:
        p.error("--layer-check-s must be >= 0")
    return a


def read_job(args):
    if args.tcemu:
        try:
            out = subprocess.run([args.tcemu, "show", "-t", args.topology,
                                  "-j", args.job, "--json", "-"],
                                 capture_output=True, text=True, timeout=60)
        except OSError as e:
            raise UsageError("cannot run %s: %s" % (args.tcemu, e))
        if out.returncode != 0:
            raise UsageError("%s show failed: %s" % (
                args.tcemu, (out.stderr.strip().splitlines() or ["?"])[0]))
        keys = job_from_settings(json.loads(out.stdout)["job"]["settings"])
    else:
        try:
            with open(args.job) as f:
                keys = parse_job_text(f.read(), args.job)
        except OSError as e:
            raise UsageError("cannot read %s: %s" % (args.job, e.strerror))
    model = model_from_job(keys, args.job)
    if args.micro_batch is not None:
        if args.micro_batch < 1:
            raise UsageError("--micro-batch must be at least 1")
        model["micro_batch"] = args.micro_batch
    return model


def main(argv):
    args = parse_args(argv)
    if args.self_test:
        self_test()
        return 0

    def log(msg):
        print("%s: %s" % (PROG, msg), file=sys.stderr, flush=True)
    try:
        if args.sweep:
            cases, squares, fp8 = plan_sweep(args.sweep)
        else:
            name = "%s-tp%d" % (os.path.splitext(os.path.basename(
                args.job))[0], args.tp)
            cases, squares, fp8 = plan_job(read_job(args), args.tp, name)
        rows = gemm_rows(cases, squares, fp8)
        if args.dry_run:
            gemms = [{"m": m, "n": n, "k": k, "dtype": dt, "pass": p,
                      "seconds": 0.0}
                     for _, _, m, n, k, dt in rows for p in PASSES]
            att = [attention_row(c["attention"], 0.0, 0.0)
                   for c in cases if c["attention"]]
            dry = {k: "(dry run: not measured)" for k in
                   ("device", "driver", "software", "date", "measured_by",
                    "method", "framework_version")}
            checks = ["layer check planned: %s %s, %.1f s back to back" %
                      (c["case"], c["dtype"], args.layer_check_s)
                      for c in layer_check_plan(cases, gemms, att)
                      if args.layer_check_s > 0]
            sys.stdout.write(render(dry, gemms, att, 0.0, 0.0,
                                    ["DRY RUN: nothing timed"] +
                                    plan_lines(cases, rows) + checks))
            return 0
        prov, gemms, att, ew, gap, notes, doc = collect(args, cases, squares,
                                                        fp8, log)
        if not gemms and not att:
            raise RuntimeFailure(
                "every kernel timed the host, not the GPU (host-bound "
                "eager launches): nothing to write%s" %
                (" (run without --eager)" if args.eager else ""))
        out = args.output or "compute-%s.cfg" % socket.gethostname()
        write_atomic(out, render(prov, gemms, att, ew, gap,
                                 notes + plan_lines(cases, rows)))
        if args.json:
            write_atomic(args.json, json.dumps(doc, indent=1) + "\n")
        log("wrote %s (%d GEMM rows, %d attention rows)" %
            (out, len(gemms), len(att)))
        return 0
    except UsageError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 2
    except RuntimeFailure as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
