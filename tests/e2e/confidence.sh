#!/usr/bin/env bash
# confidence.sh - each answer says how sure its inputs are and how well the
# model did on comparable published runs: compare's verdict names aws-trn2's
# unconfirmed price; project states the SC21 validation error on A100 dense
# and says there is none for H100 (dense and MoE); search carries the pick's
# price confidence; the JSON keys exist.
# Every case prints its command and ok/ERR; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
TCEMU=${TCEMU:-bin/tcemu}
out=${BUILD_ROOT:-build}/e2e-confidence
mkdir -p "$out"
fails=0

check() {  # check NAME CMD...
    local what=$1; shift
    echo "# $*"
    if "$@"; then echo "ok   $what"; else echo "ERR  $what"; fails=$((fails + 1)); fi
}

"$TCEMU" compare -j jobs/llama3-405b.cfg -t aws-p5 -t aws-trn2 -t azure-nd-h100-v5 \
    --deadline 90 --json "$out/cmp.json" >"$out/cmp.txt" 2>"$out/cmp.err"
check "compare: the verdict names aws-trn2's unconfirmed price" \
    grep -q "^# confidence: the cheapest rests on .*aws-trn2's on-demand price (unconfirmed: one public secondary listing" "$out/cmp.txt"
check "compare: the ranking margin against the validation" \
    grep -q "^# ranking margin .*: cannot be judged without a published validation for Trainium2 dense runs" "$out/cmp.txt"
check "compare: JSON verdict" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
assert v["offering"] == "aws-trn2", v
assert v["confidence"]["price"] == "unconfirmed", v
assert any("on-demand price: unconfirmed" in u for u in v["unconfirmed"]), v
assert v["validation"]["worst_error"] is None and v["margin_within_error"] is None, v
assert v["ranking_margin"] > 0
' "$out/cmp.json"

"$TCEMU" project -t dgx-a100-80gb -j megatron-sc21-39.1b --json "$out/a100.json" >"$out/a100.txt"
check "project: A100 dense states the SC21 validation error" \
    grep -Eq "^# assumption: model validation: A100 dense, Megatron-LM SC21, 5 rows, worst [0-9.]+%" "$out/a100.txt"
check "project: the inputs' confidence" \
    grep -q "^# assumption: inputs (.*): accelerator read, scale-up [a-z]*, scale-out [a-z]*, price [a-z]*, power [a-z]*, reliability [a-z]*" "$out/a100.txt"
check "project: JSON confidence and validation" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["confidence"]
assert set(c) == {"accelerator", "scale_up", "scale_out", "price", "power", "reliability"}, c
ok = {"read", "secondary", "recalled", "estimate", "unconfirmed", "unstated"}
assert set(c.values()) <= ok, c
v = d["validation"]
assert v["accelerator_family"] == "A100" and v["job_kind"] == "dense" and v["rows"] == 5, v
assert 0 < v["worst_error"] < 0.05, v
' "$out/a100.json"
# the validation agrees with reproduce's worst error
worst=$("$TCEMU" reproduce | sed -n 's/^# worst error \([0-9.]*\)%.*/\1/p')
check "project: the same worst error as reproduce ($worst%)" \
    grep -q "worst $worst%" "$out/a100.txt"

"$TCEMU" project -t aws-p5 -j llama3-8b >"$out/p5.txt"
# H100 dense and MoE: the Megatron-Bridge rows of the family and kind, with
# the same per-group figures reproduce prints
bridge=$("$TCEMU" reproduce --reference megatron-bridge-performance 2>/dev/null)
for kind in dense MoE; do
    want=$(printf '%s\n' "$bridge" | sed -n "s/^# Hopper $kind *\([0-9]*\) rows, mean |error| *\([0-9.]*\)%, worst *\([0-9.]*\)%.*/\1 rows, mean \2%, worst \3%/p")
    [ "$kind" = dense ] && f=$out/p5.txt || f=$out/p5moe.txt
    [ "$kind" = MoE ] && "$TCEMU" project -t aws-p5 -j mixtral-8x7b >"$f"
    check "project: H100 $kind validated on Megatron-Bridge ($want)" \
        grep -q "^# assumption: model validation: H100 $kind, Megatron-Bridge, $want (tcemu reproduce --reference megatron-bridge-performance)" "$f"
done
# held out: an MoE run also gets the Megatron-LM MoE recipes of its family,
# with the figures that reproduce prints for those rows; a dense run none
"$TCEMU" project -t dgx-b200 -j deepseek-v3 --json "$out/b200moe.json" >"$out/b200moe.txt" 2>/dev/null
check "project: B200 MoE held out against the recipes reproduce projects" python3 - "$out/b200moe.txt" "$out/b200moe.json" "$TCEMU" <<'PY'
import json, re, subprocess, sys
txt, js, tcemu = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
r = json.loads(subprocess.run([tcemu, "reproduce", "--reference", "megatron-lm-moe-recipes", "-t", "dgx-b200",
                               "--json", "-"], capture_output=True, text=True).stdout)
errs = [abs(x["error"]) for x in r["rows"]]
h = js["validation"]["held_out"]
assert h["rows"] == len(errs) > 0, (h, errs)
assert abs(h["mean_abs_error"] - sum(errs) / len(errs)) < 1e-9 and abs(h["worst_error"] - max(errs)) < 1e-9, h
line = "held out: B200 MoE, Megatron-LM MoE recipes (nothing fitted to them), %d rows, mean %.1f%%, worst %.1f%%" % (
    len(errs), 100 * sum(errs) / len(errs), 100 * max(errs))
assert "# assumption: " + line in txt, line
PY
check "project: no held-out line for a dense run" sh -c "! grep -q 'held out:' '$out/p5.txt'"
"$TCEMU" project -t dgx-a100-80gb -j mixtral-8x7b >"$out/a100moe.txt" 2>/dev/null
check "project: no validation for A100 MoE" \
    grep -q "no published validation for A100 MoE runs" "$out/a100moe.txt"
"$TCEMU" project -t aws-trn2 -j llama3-8b >"$out/trn2.txt"
check "project: trn2's unconfirmed price named" \
    grep -q "^# assumption: inputs .*price unconfirmed.*; unconfirmed: on-demand price" "$out/trn2.txt"

"$TCEMU" search -t aws-trn2 -j llama3-8b --gpus 64 --json "$out/s.json" >"$out/s.txt" 2>/dev/null
check "search: the pick's price confidence" \
    grep -q "^# gpus: 64; .*; price unconfirmed)" "$out/s.txt"
check "search: JSON price_confidence" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["price_confidence"] == "unconfirmed", d["price_confidence"]
assert d["validation"]["reference"] is None
' "$out/s.json"

[ "$fails" -eq 0 ] && echo "confidence.sh: all passed" || echo "confidence.sh: $fails failed"
[ "$fails" -eq 0 ]
