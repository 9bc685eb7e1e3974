#!/usr/bin/env bash
# reproduce.sh - the calibration rows: `tcemu reproduce --json -` parsed by
# python3; all five Megatron-LM SC21 rows within 5% of the published
# TFLOP/s per GPU (errors recomputed from the numbers, not trusted), each
# job projected directly gives the same figure, a tolerance that cannot be
# met gives exit 3, a missing reference file exit 2.
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

echo "# reproduce.sh: $fails failed"
[ "$fails" -eq 0 ]
