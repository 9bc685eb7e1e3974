#!/usr/bin/env bash
# compare.sh - tcemu compare end to end: offerings x contracts at their best
# layouts, marks (one cheapest, one fastest, both on the Pareto front),
# consistency of the JSON figures, --deadline picks the smallest scale that
# meets it, --budget stays within the budget, usage errors (exit 2), and the
# issue's llama3-405b command on three shipped offerings.
# Every case prints its command and ok/ERR; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
TCEMU=${TCEMU:-bin/tcemu}
out=${BUILD_ROOT:-build}/e2e-compare
mkdir -p "$out"
topo=tests/fixtures/good/topology.cfg
job=tests/fixtures/good/job.cfg
fails=0

check() {  # check NAME CMD...
    local what=$1; shift
    echo "# $*"
    if "$@"; then echo "ok   $what"; else echo "ERR  $what"; fails=$((fails + 1)); fi
}

status_is() {  # status_is N CMD...
    local want=$1; shift
    "$@" >"$out/status.out" 2>"$out/status.err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "exit $got, want $want"; cat "$out/status.err"; return 1; }
}

# The checks every compare JSON must pass.  argv: file [deadline] [budget]
cat >"$out/check.py" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
deadline = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
budget = float(sys.argv[3]) if len(sys.argv) > 3 else None
assert d["schema"] == "tcemu.compare/3"
rows = [o for o in d["offerings"] if o["found"]]
assert rows, "no offering found a layout"
tokens = d["job"]["train_tokens"]
assert sum(o["cheapest"] for o in rows) <= 1
assert sum(o["fastest"] for o in rows) == 1
for o in rows:
    r = o["result"]
    L = r["layout"]
    assert L["tp"] * L["pp"] * L["cp"] * L["dp"] == r["gpus"]
    assert r["fits_memory"]
    # USD per million tokens x tokens = the bill
    assert abs(o["usd_per_million_tokens"] * tokens / 1e6 - r["cost_usd"]) <= 1e-6 * r["cost_usd"]
    assert 0 <= r["idle_usd"] <= r["cost_usd"] * (1 + 1e-9)
    assert o["failures_usd"] >= -1e-6 * r["cost_usd"]
    assert r["train_days_with_failures"] >= r["time_to_train_days"]
    assert 0 < r["effective_mfu"] <= r["mfu"] <= 1
    s = o["sensitivity"]
    assert abs(s["cost_usd_price_plus_10pct"] - 1.1 * r["cost_usd"]) <= 1e-6 * r["cost_usd"]
    assert s["days_mfu_minus_10pct"] >= r["days_to_done"] >= s["days_mfu_plus_10pct"]
    if o["cheapest"] or o["fastest"]:
        assert o["pareto"], o["contract"]
    # the job's own layout at this scale and contract: its days / the best's - 1
    if "margin_vs_own" in o:
        assert o["margin_vs_own"] >= -1e-9, o["margin_vs_own"]
    if o["cheapest"]:
        own = d["verdict"].get("own_layout")
        if own and own["layout_status"] == "projected":
            m = own["candidate"]["days_to_done"] / r["days_to_done"] - 1
            assert abs(own["margin_vs_own"] - m) < 1e-9, (own["margin_vs_own"], m)
            assert abs(own["margin_vs_own"] - o["margin_vs_own"]) < 1e-9
            assert own["advantage"] in ("stands", "doubtful", "cannot be judged")
            assert own["candidate"]["gpus"] == r["gpus"]
        c = r["cost_usd"]
        assert all(c <= q["result"]["cost_usd"] for q in rows if q["meets_deadline"])
    if o["fastest"]:
        t = r["days_to_done"]
        assert all(t <= q["result"]["days_to_done"] for q in rows)
    if deadline is not None:
        assert o["meets_deadline"] == (r["days_to_done"] <= deadline)
    if o["contract_kind"] == "commitment":
        assert r["idle_usd"] >= 0
    if budget is not None and o.get("budget") and o["budget"]["tokens"] > 0:
        b = o["budget"]
        assert b["cost_usd"] <= budget * (1 + 1e-6), b
        if deadline is not None:
            assert b["days"] <= deadline
print("# %d offering rows checked" % len(rows))
EOF

# 1. The fixtures: every contract of the test topology at 32 GPUs.
check "compare at 32 GPUs, every contract" \
    "$TCEMU" compare -j "$job" -t "$topo" --gpus 32 --json "$out/c32.json"
check "JSON checks (32 GPUs)" python3 "$out/check.py" "$out/c32.json"
check "five contracts; reserved-3y pays whole terms (idle > 0)" python3 - "$out/c32.json" <<'EOF'
import json, sys
o = {x["contract"]: x for x in json.load(open(sys.argv[1]))["offerings"]}
assert set(o) == {"on-demand", "capacity-block", "reserved-3y", "spot", "commit-2y"}, set(o)
assert o["reserved-3y"]["result"]["idle_usd"] > 0
assert o["on-demand"]["result"]["idle_usd"] == 0
# capacity blocks start after their lead time
assert o["capacity-block"]["result"]["days_to_done"] >= 56 + o["capacity-block"]["result"]["train_days_with_failures"] - 1e-6
EOF

# 2. --deadline: the smallest scale that meets it.
check "compare --deadline 50 over 8..32 GPUs" \
    "$TCEMU" compare -j "$job" -t "$topo" --plan on-demand --gpus 8:32:x2 --deadline 50 --json "$out/dl.json"
check "JSON checks (deadline)" python3 "$out/check.py" "$out/dl.json" 50
check "chosen scale is the cheapest meeting the deadline (search at each)" bash -c "
    for g in 8 16 32; do
        '$TCEMU' search -t '$topo' -j '$job' --gpus \$g --top 1 --json '$out/s'\$g.json >/dev/null 2>&1 || rm -f '$out/s'\$g.json
    done
    python3 - '$out/dl.json' '$out' <<'EOF'
import json, os, sys
o = json.load(open(sys.argv[1]))['offerings'][0]
best = []
for g in (8, 16, 32):
    f = os.path.join(sys.argv[2], 's%d.json' % g)
    if not os.path.exists(f):
        continue
    r = json.load(open(f))['results'][0]
    if r['days_to_done'] <= 50:
        best.append((r['cost_usd'], r['days_to_done'], g))
assert best, 'no scale meets 50 days'
assert o['meets_deadline']
assert o['result']['gpus'] == min(best)[2], (o['result']['gpus'], best)
assert abs(o['result']['cost_usd'] - min(best)[0]) <= 1e-9 * min(best)[0]
EOF"

# 3. --budget: within budget (and deadline).
check "compare --budget 2e6 --chinchilla" \
    "$TCEMU" compare -j "$job" -t "$topo" --gpus 8:32:x2 --deadline 60 --budget 2000000 --chinchilla --json "$out/b.json"
check "JSON checks (budget)" python3 "$out/check.py" "$out/b.json" 60 2000000
check "budget buys tokens; Chinchilla N = sqrt(C/120)" python3 - "$out/b.json" <<'EOF'
import json, sys, math
for o in json.load(open(sys.argv[1]))["offerings"]:
    b = o["budget"]
    assert b["tokens"] > 0, o["contract"]
    assert abs(b["chinchilla_params"] - math.sqrt(b["model_flops"] / 120)) <= 1e-9 * b["chinchilla_params"]
EOF

# 3b. tcemu project --plan: the same economics for one layout.
check "project --plan commit-2y: bill with idle capacity, failures, energy" bash -c "
    '$TCEMU' project -t '$topo' -j '$job' --gpus 16 --plan commit-2y > '$out/pp.txt' &&
    grep -q '^# plan commit-2y (commitment, 22.00 USD/node-hour' '$out/pp.txt' &&
    grep -q '^#   failures: .* effective training time' '$out/pp.txt' &&
    grep -Eq '^#   bill: USD [0-9.]+[kMBT]?; .*idle [0-9.]+[kMBT]? \(USD [0-9.]+[kMBT]? paid but idle\)' '$out/pp.txt' &&
    grep -q '^#   energy: ' '$out/pp.txt'"
check "project --plan commit-2y --json: a plan object per result, same bill as the table" bash -c "
    '$TCEMU' project -t '$topo' -j '$job' --gpus 16 --plan commit-2y --json - > '$out/pp.json' &&
    python3 -c \"
import json, re, sys
d = json.load(open('$out/pp.json'))
p = d['results'][0]['plan']
m = re.search(r'bill: USD ([0-9.]+)([kMBT]?);', open('$out/pp.txt').read())
bill = float(m.group(1)) * {'': 1, 'k': 1e3, 'M': 1e6, 'B': 1e9, 'T': 1e12}[m.group(2)]
ok = (p['plan'] == 'commit-2y' and p['kind'] == 'commitment'
      and abs(p['cost_usd'] - bill) <= 5e-3 * bill and p['idle_usd'] > 0)
sys.exit(0 if ok else 1)\""
check "project --plan nope: exit 2" status_is 2 "$TCEMU" project -t "$topo" -j "$job" --gpus 16 --plan nope

# 4. Usage errors.
check "no -t: exit 2" status_is 2 "$TCEMU" compare -j "$job"
check "--chinchilla without --budget: exit 2" status_is 2 "$TCEMU" compare -j "$job" -t "$topo" --chinchilla
check "bad --deadline: exit 2" status_is 2 "$TCEMU" compare -j "$job" -t "$topo" --deadline soon
check "--help: exit 0" status_is 0 "$TCEMU" compare --help

# 5. The issue's command: llama3-405b on three shipped offerings.
if [ -f jobs/llama3-405b.cfg ]; then
    t3="-t topologies/aws-p5.cfg -t topologies/aws-trn2.cfg -t topologies/azure-nd-h100-v5.cfg"
    check "llama3-405b --deadline 90 on aws-p5, aws-trn2, azure-nd-h100-v5" \
        bash -c "'$TCEMU' compare -j jobs/llama3-405b.cfg $t3 --deadline 90 --json '$out/405b.json' >'$out/405b.txt'"
    check "405b: table marks a cheapest (C) and a fastest (F)" \
        bash -c "grep -v '^#' '$out/405b.txt' | awk '{print \$NF}' | grep -q C && grep -v '^#' '$out/405b.txt' | awk '{print \$NF}' | grep -q F"
    check "JSON checks (405b, deadline 90)" python3 "$out/check.py" "$out/405b.json" 90
    check "llama3-405b --budget 1e8" \
        "$TCEMU" compare -j jobs/llama3-405b.cfg $t3 --deadline 90 --budget 100000000 --json "$out/405b-budget.json"
    check "JSON checks (405b budget)" python3 "$out/check.py" "$out/405b-budget.json" 90 100000000
    check "--csv: one row per offering and contract, budget columns" bash -c \
        "'$TCEMU' compare -j jobs/llama3-70b.cfg $t3 --budget 20000000 --csv '$out/c.csv' --json '$out/c.json' > /dev/null && python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
assert len(rows) == len(d[\"offerings\"]), (len(rows), len(d[\"offerings\"]))
for r, o in zip(rows, d[\"offerings\"]):
    assert r[\"schema\"] == \"tcemu.compare.csv/2\" and r[\"contract\"] == o[\"contract\"]
    assert (r[\"margin_vs_own\"] != \"\") == (\"margin_vs_own\" in o)
    assert (r[\"budget_gpus\"] != \"\") == (\"budget\" in o)
    if o[\"found\"]:
        assert abs(float(r[\"cost_usd\"]) / o[\"result\"][\"cost_usd\"] - 1) < 1e-6
' '$out/c.csv' '$out/c.json'"
    all=$(for t in topologies/*.cfg; do printf -- '-t %s ' "$t"; done)
    check "every shipped topology, --deadline 90: exit 0, answers, names those that cannot" bash -c \
        "'$TCEMU' compare -j jobs/llama3-405b.cfg $all --deadline 90 > '$out/all.txt' --json '$out/all.json' &&
         grep -q '^aws-p5 ' '$out/all.txt' && grep -q '^# aws-p4d .* cannot: aws-p4d cannot meet the 90-day deadline' '$out/all.txt' &&
         python3 -c '
import json, re, sys
for a, b in re.findall(r\"between (\\d+) and (\\d+)\", open(sys.argv[2]).read()):
    assert int(a) <= int(b), (a, b)   # no inverted range
d = json.load(open(sys.argv[1]))
no = [o for o in d[\"offerings\"] if not o[\"found\"]]
yes = [o for o in d[\"offerings\"] if o[\"found\"]]
assert yes and no and all(o[\"reason\"] for o in no), no
assert any(o[\"cheapest\"] for o in yes)
' '$out/all.json' '$out/all.txt'"
fi

# Search you can trust: the cheapest beside the job's own layout
own_beside_cheapest() {
    "$TCEMU" compare -j jobs/megatron-sc21-18.4b.cfg -t topologies/dgx-a100-80gb.cfg --gpus 256 >"$out/own.txt" 2>/dev/null &&
    grep -q "^# job's own layout: gpus=256 tp=8 pp=1 " "$out/own.txt" &&
    grep -q "^# pick vs own: own layout [0-9.]*% worse (terms own - pick: .*); the advantage (.* s) stands" "$out/own.txt"
}
check "compare: the job's own layout beside the cheapest, judged on A100 dense" own_beside_cheapest

# an offering that cannot run the job says so once, then names its other
# contracts (aws-trn1 has four)
cannot_once() {
    "$TCEMU" compare -j jobs/deepseek-v3.cfg -t topologies/aws-p5.cfg -t topologies/aws-trn1.cfg -g 256 >"$out/once.txt" 2>/dev/null &&
    [ "$(grep -c '^# aws-trn1 ' "$out/once.txt")" -eq 1 ] &&
    grep -q '^# *the same for capacity-block, savings-plan-3y, commit-1024n-2y$' "$out/once.txt"
}
check "compare: an offering that cannot says so once for all its contracts" cannot_once

# --hbm-headroom, as search: Llama 3 8B on 64 p5 GPUs picks a layout near
# 77 of 80 GiB (on p5 alone, the cheapest, said to fit only just); with 10%
# free every offering's pick stays under 90% of its HBM, the header names
# each limit, and the JSON says the headroom.
headroom() {
    "$TCEMU" compare -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -t topologies/dgx-b200.cfg -g 64 -p on-demand \
        --json "$out/hr0.json" >/dev/null 2>&1 &&
    "$TCEMU" compare -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -t topologies/dgx-b200.cfg -g 64 -p on-demand \
        --hbm-headroom 0.1 --json "$out/hr10.json" >"$out/hr10.txt" 2>/dev/null &&
    grep -q '^# memory: a layout fits when its modelled memory leaves 10% of HBM free (--hbm-headroom 0.1): at most 72.0 of 80.0 GiB on aws-p5, 162.0 of 180.0 GiB on dgx-b200$' "$out/hr10.txt" &&
    ! grep -q '^# memory: the cheapest uses' "$out/hr10.txt" &&
    "$TCEMU" compare -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -g 64 -p on-demand >"$out/hr0p5.txt" 2>/dev/null &&
    grep -q '^# memory: the cheapest uses 7[2-9]\.[0-9] of 80\.0 GiB in the model ([0-9]% free, its fixed overhead and fragmentation included);$' "$out/hr0p5.txt" &&
    python3 - "$out/hr0.json" "$out/hr10.json" <<'EOF2'
import json, sys
h0, h10 = (json.load(open(p)) for p in sys.argv[1:3])
assert h0["hbm_headroom"] == 0 and h10["hbm_headroom"] == 0.1
hbm = {"aws-p5": 80.0, "dgx-b200": 180.0}
m0 = {r["topology"]["name"]: r["result"]["memory_gib_per_gpu"] for r in h0["offerings"]}
assert m0["aws-p5"] > 72.0, m0                      # the default: too close
for r in h10["offerings"]:
    assert r["found"], r
    assert r["result"]["memory_gib_per_gpu"] <= 0.9 * hbm[r["topology"]["name"]], r
EOF2
}
check "compare --hbm-headroom 0.1: every pick leaves 10% of HBM free" headroom
# --wide shows each pick's modelled memory (GiB), the figure JSON carries
wide_mem() {
    "$TCEMU" compare -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -t topologies/dgx-b200.cfg -g 64 -p on-demand \
        --hbm-headroom 0.1 --wide >"$out/hrw.txt" 2>/dev/null &&
    python3 - "$out/hrw.txt" "$out/hr10.json" <<'EOF2'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
head = next(l for l in lines if l.startswith("# offering ") and "contract" in l).split()
assert head[-3:] == ["GiB", "effMFU%", "marks"], head
j = {r["topology"]["name"]: r["result"]["memory_gib_per_gpu"] for r in json.load(open(sys.argv[2]))["offerings"]}
seen = 0
for l in lines:
    f = l.split()
    if f and f[0] in j:
        marked = set(f[-1]) <= set("CFP!")           # marks, when the row has any
        gib = float(f[-3] if marked else f[-2])
        assert abs(gib - j[f[0]]) < 0.051, (l, j[f[0]])
        seen += 1
assert seen == 2, seen
EOF2
}
check "compare --wide: the GiB column is each pick's modelled memory" wide_mem
check "compare --hbm-headroom 1: exit 2" status_is 2 "$TCEMU" compare -j "$job" -t "$topo" --hbm-headroom 1

[ "$fails" -eq 0 ] && echo "compare.sh: all passed" || echo "compare.sh: $fails failed"
[ "$fails" -eq 0 ]
