#!/usr/bin/env bash
# recipes.sh - the held-out checks (issue 11: "published runs you do not
# see"): `tcemu reproduce --reference megatron-lm-moe-recipes` projects
# NVIDIA Megatron-LM's MoE recipes (examples/moe_recipes/) and
# `--reference nemo-long-sequence` NVIDIA NeMo's long-sequence table
# (Llama 3 8B on B200, 8K to 1M tokens with context parallelism): stacks
# and layouts nothing in tcemu was fitted to.  Checked: every row of each
# data file is projected with its own job (the job agrees with the row, its
# numbers recomputed here), every layout fits HBM, the FLOP count is the
# row's source's (NeMo's llama formula recomputed here), the errors are
# recomputed from the figures, -t keeps one topology's rows; a job that
# disagrees with its row, a NeMo count on a MoE job and a malformed row
# are errors (exit 2) naming the file and line.  The errors themselves are
# printed, not bounded: these sets measure the projector, they are not a
# target (exit 3 when over the Megatron-Bridge tolerances is accepted).
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-recipes
ref=tests/fixtures/reference/megatron-lm-moe-recipes.csv
mkdir -p "$out"
# Reproduce reference $1 into $out/$2.{json,txt,err}, exit 0 or 3 (over the
# tolerances is the figure, not a failure), the table echoed.
reproduce_ref() {
    check "reproduce --reference $1 --json (exit 0 or 3)" bash -c \
        "'$TCEMU' reproduce --reference $1 --json '$out/$2.json' > '$out/$2.txt' 2>'$out/$2.err'; rc=\$?; [ \$rc -eq 0 ] || [ \$rc -eq 3 ]"
    sed 's/^/    | /' "$out/$2.txt"
}
reproduce_ref megatron-lm-moe-recipes r
check "every row projected with its job; errors recomputed; all fit HBM" python3 - "$out/r.json" "$ref" <<'EOF'
import csv, json, re, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.reproduce.recipes/1", d["schema"]
assert d["reference_kind"] == "megatron-lm-moe-recipes"
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
assert len(d["rows"]) == len(rows) >= 12, (len(d["rows"]), len(rows))
for want, got in zip(rows, d["rows"]):
    assert got["recipe"] == want["recipe"] and got["job"]["path"].endswith(want["job"]), (want, got)
    assert float(want["published_tflops_per_gpu"]) == got["published_tflops_per_gpu"]
    assert got["flops_count"] == want["flops_count"] == "megatron-lm", got
    for k, c in (("gpus", "gpus"), ("tp", "tp"), ("pp", "pp"), ("cp", "cp"), ("ep", "ep"),
                 ("micro_batch_size", "mbs"), ("global_batch_size", "gbs"), ("seq_length", "seq")):
        assert got[k] == int(want[c]), (k, got[k], want[c])
    # the job file says the same (the comparison cannot drift from the data)
    job = open(got["job"]["path"]).read()
    for key, c in (("num_gpus", "gpus"), ("tensor_model_parallel_size", "tp"),
                   ("pipeline_model_parallel_size", "pp"),
                   ("expert_model_parallel_size", "ep"),
                   ("micro_batch_size", "mbs"), ("global_batch_size", "gbs")):
        m = re.search(r"^\s*%s = (\d+);" % key, job, re.M)
        assert m and int(m.group(1)) == int(want[c]), (got["job"]["path"], key)
    assert want["recipe"] in job, got["job"]["path"]
    tf = got["tokens_per_s_per_gpu"] * got["model_flops_per_token"] / 1e12
    assert abs(tf / got["model_tflops_per_gpu"] - 1) < 1e-9, got
    err = got["model_tflops_per_gpu"] / got["published_tflops_per_gpu"] - 1
    assert abs(err - got["error"]) < 1e-9, (err, got["error"])
    assert got["fits_memory"] is True, got["recipe"]
s = d["summary"]
errs = [abs(r["error"]) for r in d["rows"]]
assert abs(s["mean_abs_error"] - sum(errs) / len(errs)) < 1e-9
assert abs(s["worst_abs_error"] - max(errs)) < 1e-9
assert d["all_within_tolerance"] == (s["mean_abs_error"] <= 0.10 and s["worst_abs_error"] <= 0.25)
print("    | %d rows, mean |error| %.1f%%, worst %.1f%%" % (len(errs), 100 * s["mean_abs_error"], 100 * s["worst_abs_error"]))
EOF
check "-t gb200-nvl72: only that topology's rows" bash -c \
    "'$TCEMU' reproduce --reference megatron-lm-moe-recipes -t gb200-nvl72 --json - 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"rows\"] and all(r[\"topology\"][\"name\"] == \"gb200-nvl72\" for r in d[\"rows\"]), d[\"rows\"]
'"
# a copy of the data with one row's global batch changed: the job disagrees
mkdir -p "$out/bad"
cp -r tests/fixtures/reference/megatron-lm-moe-recipes "$out/bad/"
awk -F, 'BEGIN { OFS = "," } !/^#/ && $1 ~ /^deepseek_v3\/b200/ { $12 = 4096 } { print }' "$ref" > "$out/bad/disagree.csv"
check "a job that disagrees with its row: exit 2, file and line named" bash -c \
    "'$TCEMU' reproduce --reference '$out/bad/disagree.csv' > /dev/null 2> '$out/bad.err'; [ \$? -eq 2 ] && grep -q 'global_batch_size is 2048, the row (line [0-9]*) says 4096' '$out/bad.err'"
sed 's/^/    | /' "$out/bad.err"
{ grep '^#' "$ref"; grep -v '^#' "$ref" | head -2; echo 'x,y,B200,dgx-b200,nope.cfg,many,1,1,1,1,1,1,1,megatron-lm,1,1,'; } > "$out/bad/malformed.csv"
check "a malformed row: exit 2, path:line" bash -c \
    "'$TCEMU' reproduce --reference '$out/bad/malformed.csv' > /dev/null 2> '$out/malformed.err'; [ \$? -eq 2 ] && grep -q 'malformed.csv:[0-9]*: error: .*gpus' '$out/malformed.err'"
sed 's/^/    | /' "$out/malformed.err"
# --- NeMo's long-sequence table ---------------------------------------------
lref=tests/fixtures/reference/nemo-long-sequence.csv
reproduce_ref nemo-long-sequence l
check "long sequence: every row with its job, NeMo's count, errors recomputed" python3 - "$out/l.json" "$lref" <<'EOF'
import csv, json, re, sys
d = json.load(open(sys.argv[1]))
assert d["reference_kind"] == "nemo-long-sequence", d["reference_kind"]
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
assert len(d["rows"]) == len(rows) == 8, len(d["rows"])
seqs = []
for want, got in zip(rows, d["rows"]):
    job = open(got["job"]["path"]).read()
    num = lambda k: int(re.search(r"^\s*%s = (\d+);" % k, job, re.M).group(1))
    for key, c, j in (("num_gpus", "gpus", "gpus"), ("tensor_model_parallel_size", "tp", "tp"),
                      ("pipeline_model_parallel_size", "pp", "pp"), ("context_parallel_size", "cp", "cp"),
                      ("global_batch_size", "gbs", "global_batch_size"), ("seq_length", "seq", "seq_length")):
        assert num(key) == int(want[c]) == got[j], (key, got)
    # NeMo's nemo/utils/flops_formulas.py llama3, from the job's own numbers
    L, h, f, a, g, V, s = (num(k) for k in ("num_layers", "hidden_size", "ffn_hidden_size",
                           "num_attention_heads", "num_query_groups", "vocab_size", "seq_length"))
    nemo = L * h * h * (12 + 12 * g / a + 18 * f / h + 12 * s / h) + 6 * V * h
    assert got["flops_count"] == "nemo-llama" and abs(got["model_flops_per_token"] / nemo - 1) < 1e-12, got
    tf = got["tokens_per_s_per_gpu"] * nemo / 1e12
    assert abs(tf / got["model_tflops_per_gpu"] - 1) < 1e-9, got
    assert abs(tf / got["published_tflops_per_gpu"] - 1 - got["error"]) < 1e-9, got
    assert got["fits_memory"] is True, got["recipe"]
    seqs.append(s)
assert seqs == sorted(seqs) and seqs[0] == 8192 and seqs[-1] == 1048576, seqs
print("    | %d rows, mean |error| %.1f%%, worst %.1f%%" % (len(rows), 100 * d["summary"]["mean_abs_error"], 100 * d["summary"]["worst_abs_error"]))
EOF
check "a B200 dense projection names the long-sequence rows as held out" bash -c \
    "'$TCEMU' project -t dgx-b200 -j llama3-8b | grep -q '^# assumption: held out: B200 dense, NeMo long-sequence (nothing fitted to them), 8 rows'"
mkdir -p "$out/lbad"
cp -r tests/fixtures/reference/nemo-long-sequence tests/fixtures/reference/megatron-lm-moe-recipes "$out/lbad/"
{ grep '^#' "$lref"; grep -v '^#' "$lref" | head -1
  grep -v '^#' "$ref" | grep '^qwen3_30b/h100/fp8' | awk -F, 'BEGIN { OFS = "," } { $14 = "nemo-llama"; print }'; } > "$out/lbad/moe.csv"
check "NeMo's llama count on a MoE job: exit 2, file and line named" bash -c \
    "'$TCEMU' reproduce --reference '$out/lbad/moe.csv' > /dev/null 2> '$out/lbad.err'; [ \$? -eq 2 ] && grep -q 'flops_count nemo-llama (line [0-9]*): NeMo.s llama formula counts dense SwiGLU models only' '$out/lbad.err'"
sed 's/^/    | /' "$out/lbad.err"
check "-t a topology no row uses: exit 2" status_is 2 "$TCEMU" reproduce --reference megatron-lm-moe-recipes -t dgx-a100-80gb
check "--jobs with the recipes: exit 2" status_is 2 "$TCEMU" reproduce --reference megatron-lm-moe-recipes --jobs jobs
echo "# recipes.sh: $fails failed"
[ "$fails" -eq 0 ]
