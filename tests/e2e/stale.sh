#!/usr/bin/env bash
# Figures quoted in comments of shipped files stay true: the sizing notes of
# jobs/frontier-100m.cfg (projector and contract figures) are recomputed
# with tcemu and compared at the precision they are written with.
source "$(dirname "$0")/lib.bash"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
J=jobs/frontier-100m.cfg
"$TCEMU" project -t topologies/aws-p5.cfg -j $J --json "$out/p.json" >/dev/null &&
"$TCEMU" compare -j $J -t topologies/aws-p5.cfg --gpus 16384 --json "$out/c.json" >/dev/null
check "tcemu ran" test -s "$out/c.json"
figures() {
    python3 - "$J" "$out/p.json" "$out/c.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
p = json.load(open(sys.argv[2]))["results"][0]
c = {o["contract"]: o["result"] for o in json.load(open(sys.argv[3]))["offerings"]}
def grab(pattern):
    m = re.search(pattern, text, re.S)
    assert m, "no figure matching " + pattern
    return [float(g.replace(",", "")) for g in m.groups()]
bad = []
def same(what, written, actual, digits):
    if round(actual, digits) != written:
        bad.append("%s: the comment says %s, tcemu gives %.*f" % (what, written, digits, actual))
mfu, gh, days, od = grab(r"this layout\): ([\d.]+)%\s*#\s*MFU, ([\d.]+)M GPU-hours, (\d+) days.*?USD (\d+)M at p5 on-demand")
same("project MFU %", mfu, p["mfu"] * 100, 1)
same("project GPU-hours (M)", gh, p["gpu_hours"] / 1e6, 1)
same("project days", days, p["time_to_train_days"], 0)
same("project on-demand USD (M)", od, p["cost_usd"] / 1e6, 0)
d, cost, idle, od2, y2 = grab(r"failures included\): ([\d.]+) days.*?USD ([\d.]+)M, of which USD ([\d.]+)M paid but idle;\s*#\s*on-demand USD (\d+)M; a 2-year commitment USD (\d+)M")
same("compare days", d, c["commit-2048n-4m"]["days_to_done"], 1)
same("commitment USD (M)", cost, c["commit-2048n-4m"]["cost_usd"] / 1e6, 1)
same("commitment idle USD (M)", idle, c["commit-2048n-4m"]["idle_usd"] / 1e6, 1)
same("compare on-demand USD (M)", od2, c["on-demand"]["cost_usd"] / 1e6, 0)
same("2-year commitment USD (M)", y2, c["commit-2048n-2y"]["cost_usd"] / 1e6, 0)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
check "jobs/frontier-100m.cfg's sizing notes match tcemu" figures
[ "$fails" -eq 0 ]
