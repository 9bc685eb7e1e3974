#!/usr/bin/env bash
# slice.sh - "rent a slice, measure it, project the big run", proven on the
# namespace cluster: calibrate on 2 hosts, project jobs/tiny.cfg on 4 hosts
# with --calibration, run it on 4 hosts, and require the projected iteration
# time within 15% of the measured one.
#
# Cluster: 4 hosts of 2 ranks (tests/cluster/netns-cluster.cfg describes
# it), links shaped to 500 Mbit/s each way.  The datasheet projection
# (without --calibration) is printed for comparison, not asserted.
# The calibration measures 8 operations per size after 2 warm-ups, in 5
# rounds (the median of each point): with 3 operations and 3 rounds the
# shaped TCP links' first messages after an idle gap dominated the
# scale-out fit (RMS error 150-280%, fitted bandwidth scattered by +-12%)
# and the projection wandered from +2.5% to +16%; measured better it fits
# within 92% RMS and projects -1.6% to +3.0% (three runs, 2026-11-28).
# Skips (exit 0, "skipped") when not root or when ip netns is unavailable.
source "$(dirname "$0")/lib.bash"
absolute_paths
check_echo=0
out=$build/e2e-slice
cluster=$root/tests/cluster/netns-cluster.sh
topo=$root/tests/cluster/netns-cluster.cfg
job=$root/jobs/tiny.cfg
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export TCE_CLUSTER_NAME=tcl TCE_CLUSTER_SUBNET=10.77.3
rate=500
tolerance=0.15

skip() { echo "slice.sh: skipped: $*"; exit 0; }
slice_up slice.sh

# 1. Calibrate on 2 hosts (4 ranks: both link classes), the collectives a
# dense job uses (tiny.cfg has no experts: no all-to-all), up to 8 MiB (the
# job's DP traffic is 22 MB per rank: the bandwidth regime).  The link
# classes alone (--links-only): this test keeps the per-link-class model
# (and calibration files without measured patterns) honest; slice4.sh
# tests the measured patterns.
check "calibrate on 2 hosts" \
    runto "$out/calibrate.out" timeout 120 "$cluster" mpirun -np 4 --npernode 2 \
        "$TCEMU" calibrate -t "$topo" -o "$out/calibration.cfg" \
        --json "$out/calibrate.json" -c sendrecv,allgather,reducescatter,allreduce \
        -e 8Mi -n 8 -w 2 -r 5 --links-only
grep -E '^(# (scale|datasheet)|  scale)' "$out/calibrate.out" | sed 's/^/    | /'
check "calibration file validates" "$TCEMU" validate "$out/calibration.cfg"
# The measured scale-out bandwidth per rank must be that of the shaped link
# shared by the host's 2 ranks (500 Mbit/s = 62.5 MB/s / 2), within what
# TCP overheads and timing noise allow: 40% to 130%.
check "calibration: both link classes, provenance, shaped scale-out bandwidth" python3 - "$out/calibrate.json" "$rate" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); rate = float(sys.argv[2])
links = {l["link"]: l for l in d["links"] if l.get("fitted")}
ok = set(links) == {"scale_up", "scale_out"} and d["complete"] is True
hosts = sorted({h["host"] for h in d["hosts"]})
ok = ok and hosts == ["node1", "node2"] and d["ranks"] == 4
per_rank = rate * 1e6 / 8 / 2 / 1e9
bw = links.get("scale_out", {}).get("bandwidth_gbytes_per_s", 0)
print("    | scale_out per rank: fitted %.4f GB/s, shaped link %.4f GB/s" % (bw, per_rank))
ok = ok and 0.4 * per_rank <= bw <= 1.3 * per_rank
sys.exit(0 if ok else 1)
EOF

# 2. Project on 4 hosts (8 GPUs) with and without the calibration.
check "project 8 GPUs with --calibration" \
    runto "$out/project.out" "$TCEMU" project -t "$topo" -j "$job" --gpus 8 \
        --calibration "$out/calibration.cfg" --json "$out/project.json"
check "projection says it used the measured link parameters" \
    grep -q "link parameters: measured, from calibration file" "$out/project.out"
"$TCEMU" project -t "$topo" -j "$job" --gpus 8 --json "$out/project-datasheet.json" >/dev/null

# 3. Run on 4 hosts (8 ranks, 2 per host).  The machine is shared: when
# someone else's load visibly disturbed the run (its slowest iteration more
# than 30% above its fastest), it is measured once more, and said so.
for attempt in 1 2; do
    check "run on 4 hosts (attempt $attempt)" \
        runto "$out/run.out" timeout 180 "$cluster" mpirun -np 8 --npernode 2 \
            "$TCEMU" run -t "$topo" -j "$job" --iterations 3 --warmup 1 \
            --json "$out/run.json"
    grep -E '^# (host map|iteration time)' "$out/run.out" | sed 's/^/    | /'
    python3 -c "import json, sys; t = json.load(open(sys.argv[1]))['iteration_s']; sys.exit(0 if t['max'] <= 1.3 * t['min'] else 1)" \
        "$out/run.json" && break
    [ "$attempt" -eq 1 ] && echo "# run disturbed (iteration times spread more than 30%): measuring again"
done

# 4. Compare.
check "projected iteration time within $tolerance of measured" python3 - "$out" "$tolerance" <<'EOF'
import json, sys
out, tol = sys.argv[1], float(sys.argv[2])
cal = json.load(open(out + "/project.json"))["results"][0]
sheet = json.load(open(out + "/project-datasheet.json"))["results"][0]
run = json.load(open(out + "/run.json"))
hosts = sorted({h["host"] for h in run["hosts"]})
measured = run["iteration_s"]["avg"]
err = (cal["iteration_s"] - measured) / measured
err_sheet = (sheet["iteration_s"] - measured) / measured
print("    | measured on %s: %.3f s per iteration (avg of %d, max over ranks)"
      % (",".join(hosts), measured, run["iterations"]))
print("    | projected with calibration: %.3f s (%+.1f%%); datasheet only: %.3f s (%+.1f%%)"
      % (cal["iteration_s"], 100 * err, sheet["iteration_s"], 100 * err_sheet))
print("    | projected breakdown (s): " + ", ".join(
    "%s %.3f" % (k, v) for k, v in cal["breakdown_s"].items() if v))
cls = {}
for op in run["ops"]:
    key = "%s %s" % (op.get("kind"), op.get("group"))
    cls[key] = cls.get(key, 0.0) + op["measured_s"]["avg"] * op.get("count", 1)
top = sorted(cls.items(), key=lambda kv: -kv[1])[:6]
print("    | measured time per op class (s, avg rank, not overlap-corrected): "
      + ", ".join("%s %.3f" % kv for kv in top))
ok = len(hosts) == 4 and run["ranks"] == 8 and abs(err) <= tol
sys.exit(0 if ok else 1)
EOF

check "down" "$cluster" down
trap - EXIT
check "nothing left (namespaces, interfaces)" \
    sh -c "! ip netns list | grep -q '^tcl-' && ! ip -o link show | grep -q ': tcl-'"
echo "# slice.sh: $fails failed"
[ "$fails" -eq 0 ]
