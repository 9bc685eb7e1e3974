#!/usr/bin/env bash
# reproduce.sh - the calibration rows: `tcemu reproduce --json -` parsed by
# python3; all five Megatron-LM SC21 rows within 5% of the published
# TFLOP/s per GPU (errors recomputed from the numbers, not trusted), each
# job projected directly gives the same figure, a tolerance that cannot be
# met gives exit 3, a missing reference file exit 2.
# The Megatron-Bridge reference: structure (sources, layouts, errors
# recomputed, exclusions with reasons); its Done-when figures only with
# TCE_BRIDGE_STRICT=1.
# Every case prints its command and ok/ERR; exits non-zero if any failed.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-reproduce
mkdir -p "$out"
check "reproduce --json" "$TCEMU" reproduce --json "$out/r.json"
check "five SC21 rows within 5%" python3 - "$out/r.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.reproduce/2", d["schema"]
want = {"1.7": 137, "3.6": 138, "7.5": 142, "18.4": 135, "39.1": 138}
rows = {r["params_billion"]: r for r in d["rows"]}
assert set(rows) == set(want), sorted(rows)
for k, pub in want.items():
    r = rows[k]
    assert r["published_tflops_per_gpu"] == pub, (k, r)
    err = r["hardware_tflops_per_gpu"] / pub - 1
    assert abs(err - r["error"]) < 1e-9, (k, err, r["error"])
    print(f"{k}B: published {pub}, projected {r['hardware_tflops_per_gpu']:.1f}, error {100*err:+.1f}%")
    assert abs(err) <= 0.05, (k, err)
assert d["all_within_tolerance"] is True
EOF
# host (issue 11): node.ep_overlap_host_us is derived from Megatron-Bridge
# PR 1760's with/without-overlap step times on DGX B200; tcemu's ratios for
# the four configurations (tests/fixtures/reference/megatron-bridge-pr1760)
# stay within 1.5% of the measured ones, or the figure needs deriving anew;
# each step time within 10% (the cross-check node.host_launch_gap_us cites)
check "PR 1760 overlap ratios (B200, node.ep_overlap_host_us)" python3 - "$TCEMU" <<'EOF'
import json, subprocess, sys
d = "tests/fixtures/reference/megatron-bridge-pr1760"
measured = {"bf16-vp4-overlap": 17.2, "bf16-vp4": 16.0, "mxfp8-vp4-overlap": 20.1, "mxfp8": 16.9}
t = {}
for name, step in measured.items():
    p = json.loads(subprocess.run([sys.argv[1], "project", "-t", "topologies/dgx-b200.cfg",
                                   "-j", f"{d}/{name}.cfg", "--json", "-"],
                                  check=True, capture_output=True, text=True).stdout)
    t[name] = p["results"][0]["iteration_s"]
    print(f"{name}: measured {step} s, projected {t[name]:.2f} s ({100 * (t[name] / step - 1):+.1f}%)")
    assert abs(t[name] / step - 1) <= 0.10, (name, t[name], step)
for on, off in (("bf16-vp4-overlap", "bf16-vp4"), ("mxfp8-vp4-overlap", "mxfp8")):
    want, got = measured[on] / measured[off], t[on] / t[off]
    print(f"{on} / {off}: measured {want:.3f}, projected {got:.3f}")
    assert abs(got / want - 1) <= 0.015, (on, got, want)
EOF
for r in 1.7b 39.1b; do
    check "project $r agrees with reproduce" python3 - "$out/r.json" "$TCEMU" "$r" <<'EOF'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
tcemu, row = sys.argv[2], sys.argv[3]
p = json.loads(subprocess.run([tcemu, "project", "-t", "topologies/dgx-a100-80gb.cfg",
                               "-j", f"jobs/megatron-sc21-{row}.cfg", "--json", "-"],
                              check=True, capture_output=True, text=True).stdout)
got = p["results"][0]["hardware_tflops_per_gpu"]
want = [r for r in d["rows"] if r["params_billion"] + "b" == row][0]["hardware_tflops_per_gpu"]
assert abs(got - want) < 1e-9 * want, (got, want)
EOF
done
check "human table: '#' on every non-data line, verdict OK" bash -c \
    "'$TCEMU' reproduce > '$out/r.txt' && grep -q '^# worst error .*: OK$' '$out/r.txt' && [ \$(grep -vc '^#' '$out/r.txt') -eq 5 ]"
check "unreachable tolerance: exit 3" status_is 3 "$TCEMU" reproduce --tolerance 0.001
check "missing reference: exit 2" status_is 2 "$TCEMU" reproduce --reference "$out/nope.csv"
check "bad tolerance: exit 2" status_is 2 "$TCEMU" reproduce --tolerance abc
check "--csv: the five rows with a schema column" bash -c \
    "'$TCEMU' reproduce --csv - > '$out/r.csv' && python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 5 and all(r[\"schema\"] == \"tcemu.reproduce.csv/1\" for r in rows), rows
assert rows[0][\"job_path\"].endswith(\".cfg\") and float(rows[0][\"published_tflops_per_gpu\"]) > 0
' '$out/r.csv'"

# Megatron-Bridge rows (issue 11): structure always; the Done-when figures
# only with TCE_BRIDGE_STRICT=1 (they fail until the projector v2
# mechanisms land; the lead removes the guard at merge).
bridge=megatron-bridge-performance
check "reproduce --reference $bridge: exit 0 or 3" bash -c \
    "'$TCEMU' reproduce --reference $bridge --json '$out/b.json' --csv '$out/b.csv' > '$out/b.txt'; s=\$?; [ \$s -eq 0 ] || [ \$s -eq 3 ]"
check "Bridge rows: sources, layouts, errors recomputed, summary" python3 - "$out/b.json" "$out/b.csv" tests/fixtures/reference/$bridge.csv <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.reproduce/3", d["schema"]
assert d["reference_kind"] == "megatron-bridge"
src = [r for r in csv.DictReader(l for l in open(sys.argv[3]) if not l.startswith("#"))]
rows, nx, ex = d["rows"], d["not_expressible"], d["excluded"]
assert len(rows) + len(nx) + len(ex) == len(src), (len(rows), len(nx), len(ex), len(src))
pub = {}
for r in src:  # a cell "A (B)" gave two rows of one line
    pub.setdefault((r["source_file"], int(r["source_line"]), r["precision"]), []).append(r)
num = lambda v: 1 if v in ("", "n/a") else int(v)
for r in rows:
    p = [q for q in pub[(r["source_file"], r["source_line"], r["precision"])]
         if float(q["model_tflops_per_gpu"]) == r["published_tflops_per_gpu"]][0]
    assert r["release"] == p["release"].split()[0] and r["release_date"] == p["release_date"], r
    assert r["published_tflops_per_gpu"] == float(p["model_tflops_per_gpu"]), r
    assert r["published_tokens_per_s_per_gpu"] == float(p["tokens_per_s_per_gpu"]), r
    lay = r["layout"]
    for k, c in (("tp", "tp"), ("pp", "pp"), ("cp", "cp"), ("ep", "ep"), ("global_batch_size", "global_batch"),
                 ("seq_length", "seq_length")):
        assert lay[k] == num(p[c]), (k, r, p)
    # the MBS as written, or, for a parenthesised variant whose shared MBS
    # cell contradicts its own GA, GBS / (DP x GA)
    mbs = num(p["micro_batch"])
    if p["variant"] == "parenthesised" and p["ga"] not in ("", "n/a"):
        dp = int(p["gpus"]) // (num(p["tp"]) * num(p["pp"]) * num(p["cp"]))
        if int(p["global_batch"]) % (dp * int(p["ga"])) == 0:
            mbs = int(p["global_batch"]) // (dp * int(p["ga"]))
    assert lay["micro_batch_size"] == mbs, (r, p)
    assert lay["vpp"] == num(p["vp"]), r
    assert r["gpus"] == int(p["gpus"])
    e = r["model_tflops_per_gpu"] / r["published_tflops_per_gpu"] - 1
    assert abs(e - r["error"]) < 1e-9, (e, r["error"])
    te = r["tokens_per_s_per_gpu"] / r["published_tokens_per_s_per_gpu"] - 1
    assert abs(te - r["tokens_error"]) < 1e-9
    assert abs(r["model_tflops_per_gpu"] - r["tokens_per_s_per_gpu"] * r["counted_flops_per_token"] / 1e12) < 1e-6 * r["model_tflops_per_gpu"]
    # Megatron-Bridge's FLOP count: the recount agrees with the published
    # ratio within 5% (tokens/s are rounded in some releases) and is the
    # count used; GPT-OSS rows before 26.06 were published with a count 17%
    # lower (flop_utils.py changed in baa0259bd), and use their own
    q = r["model_flops_per_token"] / r["published_model_flops_per_token"] - 1
    if abs(q) <= 0.05:
        assert r["counted_flops_per_token"] == r["model_flops_per_token"], r
    else:
        assert r["job"]["name"] == "gpt-oss-120b" and r["release"] < "26.06", r
        assert r["counted_flops_per_token"] == r["published_model_flops_per_token"], r
    assert p["task"] == "pretrain" and p["precision"] != "NVFP4" and not p["model_key"].startswith("nemotron")
    assert r["topology"]["path"].endswith(".cfg") and r["job"]["path"].endswith(".cfg")
for r in nx + ex:
    assert r["reason"], r
assert any("NVFP4" in r["reason"] for r in ex) and any("sft" in r["reason"] for r in ex)
assert any("superseded" in r["reason"] for r in ex) and any("known-bad" in r["reason"] for r in ex)
s = d["summary"]
assert s["rows_projected"] == len(rows) and s["rows_selected"] == len(rows) + len(nx) and s["rows_excluded"] == len(ex)
errs = [abs(r["error"]) for r in rows]
assert abs(s["overall"]["mean_abs_error"] - sum(errs) / len(errs)) < 1e-9
assert abs(s["overall"]["worst_abs_error"] - max(errs)) < 1e-12
gens = {r["generation"] for r in rows}
assert s["generations"] == len(gens) and len(rows) >= 30 and len(gens) >= 3, (len(rows), gens)
ok = s["overall"]["mean_abs_error"] <= d["mean_tolerance"] and s["overall"]["worst_abs_error"] <= d["tolerance"]
assert d["all_within_tolerance"] is ok
c = list(csv.DictReader(open(sys.argv[2])))
assert len(c) == len(rows) and all(x["schema"] == "tcemu.reproduce.csv/2" for x in c)
print(f"{len(rows)} rows projected over {sorted(gens)}, {len(nx)} not expressible, {len(ex)} excluded; "
      f"mean |err| {100*s['overall']['mean_abs_error']:.1f}%, worst {100*s['overall']['worst_abs_error']:.1f}%")
EOF
check "Bridge human table: '#' on every non-data line, one line per row" python3 - "$out/b.json" "$out/b.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
data = [l for l in lines if not l.startswith("#")]
assert len(data) == len(d["rows"]), (len(data), len(d["rows"]))
assert lines[-1].startswith("# ") and lines[-1].endswith(("OK", "FAILED"))
EOF
check "Bridge -t gb200-nvl72: only its rows" bash -c \
    "'$TCEMU' reproduce --reference $bridge -t gb200-nvl72 --json - 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"rows\"] and all(r[\"system\"] == \"DGX-GB200\" for r in d[\"rows\"])'"
check "Bridge --tolerance 1e-6: exit 3" status_is 3 "$TCEMU" reproduce --reference $bridge --tolerance 0.000001
if [ "${TCE_BRIDGE_STRICT:-0}" = 1 ]; then
    check "Bridge Done-when: >= 30 rows, >= 3 generations, mean <= 10%, worst <= 25%, every layout fits, H100/B200 rows all projected" python3 - "$out/b.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s, rows = d["summary"], d["rows"]
bad = []
if len(rows) < 30: bad.append(f"{len(rows)} rows")
if s["generations"] < 3: bad.append(f"{s['generations']} generations")
if s["overall"]["mean_abs_error"] > 0.10: bad.append(f"mean |error| {100*s['overall']['mean_abs_error']:.1f}%")
if s["overall"]["worst_abs_error"] > 0.25: bad.append(f"worst |error| {100*s['overall']['worst_abs_error']:.1f}%")
nofit = [f"{r['job']['name']} {r['system']} line {r['source_line']}" for r in rows if not r["fits_memory"]]
if nofit: bad.append(f"{len(nofit)} layouts do not fit: {nofit[:5]}")
hb = [r for r in d["not_expressible"] if r["system"] in ("DGX-H100", "DGX-B200")]
if hb: bad.append(f"{len(hb)} H100/B200 rows not expressible: {[r['model'] + ' line ' + str(r['source_line']) for r in hb][:5]}")
for r in sorted(rows, key=lambda r: -abs(r["error"]))[:10]:
    print(f"  {r['job']['name']:16s} {r['system']:9s} {r['precision']:6s} line {r['source_line']:4d}: {100*r['error']:+.1f}%")
assert not bad, bad
EOF
else
    echo "# TCE_BRIDGE_STRICT unset: Bridge Done-when figures not asserted"
fi

echo "# reproduce.sh: $fails failed"
[ "$fails" -eq 0 ]
