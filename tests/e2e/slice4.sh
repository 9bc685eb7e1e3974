#!/usr/bin/env bash
# slice4.sh - links held to the standard of issue 10 item 6, on the
# namespace cluster: calibrate the collective patterns on 2 hosts (every
# kind the jobs use, every group shape and concurrency 2 hosts of 2 ranks
# can form, three size regimes each), then for three jobs that stress
# different groups across hosts
#   tests/fixtures/links/dp.cfg       DP 4 all-reduce across the 4 hosts
#                                     (one member per host, 2 groups per
#                                     host at once)
#   tests/fixtures/links/tp-span.cfg  TP 4 groups spanning 2 hosts (1 MiB
#                                     all-reduces, one group per host)
#   tests/fixtures/links/ep.cfg       EP 8 all-to-all over the 4 hosts
# project the iteration with --calibration, run it on 4 hosts, and require
# |projected / measured - 1| <= 5% for each.  The projection must price
# every communication op of each job from a measured pattern (no fallback
# to the link class figures).
#
# Cluster: 4 hosts of 2 ranks (tests/cluster/netns-cluster.cfg), links
# shaped to 500 Mbit/s each way.  The hosts share this machine's cores: a
# 4-host run has 8 ranks where a 2-host calibration has 4, and the ranks'
# TCP processing and polling compete for the same 2 cores.  Measured
# (2026-11-28): a 2-host all-reduce ran 15-20% slower with 4 spinning
# processes beside it.  So while the 2 hosts calibrate, the other 2 hosts
# run the same calibration among themselves (their results are discarded):
# the calibrating ranks see the CPU contention the 4-host run will have,
# as ranks on real hosts would see their own host's load.
# Skips (exit 0, "skipped") when not root or when ip netns is unavailable.
source "$(dirname "$0")/lib.bash"
absolute_paths
check_echo=0
out=$build/e2e-slice4
cluster=$root/tests/cluster/netns-cluster.sh
topo=$root/tests/cluster/netns-cluster.cfg  # its figures are replaced by the calibration
jobs=(dp tp-span ep)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export TCE_CLUSTER_NAME=tcl TCE_CLUSTER_SUBNET=10.77.3
rate=${TCE_SLICE4_RATE:-100}
tolerance=${TCE_SLICE4_TOLERANCE:-0.05}

skip() { echo "slice4.sh: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (creates network namespaces)"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "ip netns unavailable"
command -v unshare >/dev/null || skip "unshare (util-linux) unavailable"
command -v python3 >/dev/null || skip "python3 unavailable (JSON checks)"
[ -x "$TCEMU" ] || { echo "slice4.sh: error: $TCEMU not built"; exit 1; }

netns_lock slice4.sh

# runto FILE CMD...: print the command, run it with its output in FILE.
runto() { local f=$1; shift; echo "# $* >$f"; "$@" >"$f" 2>&1; }

trap '"$cluster" down' EXIT
rm -rf "$out"
mkdir -p "$out"
"$cluster" down
check "cluster: 4 hosts, $rate Mbit/s links" "$cluster" up 4 --rate-mbit "$rate" || exit 1

# 1. Calibrate on node1 and node2 (4 ranks): send/recv (the links), the
# collectives the jobs run, 2 KiB to 4 MiB in steps of 2 (12 sizes: three
# regimes of at least 3), the median of 4 operations after a warm-up, the
# median of 3 rounds.  node3 and node4 calibrate at the same time, as load.
cal_args=(calibrate -t "$topo" -c sendrecv,allreduce,allgather,reducescatter,alltoall
          -b 1Ki -e 2Mi -f 2 -n 4 -w 1 -r 3)
SECONDS=0
timeout 200 "$cluster" mpirun -np 4 --npernode 2 --host node3:2,node4:2 \
    "$TCEMU" "${cal_args[@]}" -o "$out/load.cfg" >"$out/load.out" 2>&1 &
load=$!
check "calibrate on 2 hosts (node1, node2)" \
    runto "$out/calibrate.out" timeout 200 "$cluster" mpirun -np 4 --npernode 2 \
        --host node1:2,node2:2 "$TCEMU" "${cal_args[@]}" \
        -o "$out/calibration.cfg" --json "$out/calibrate.json"
wait "$load"
echo "    | calibrated in $SECONDS s"
sed -n '/^# measured patterns/,/^# datasheet/p' "$out/calibrate.out" | sed 's/^/    | /'
check "calibration file validates" "$TCEMU" validate "$out/calibration.cfg"
check "calibration: both link classes and the 2-host patterns, on node1 and node2" \
    python3 - "$out/calibrate.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
hosts = sorted({h["host"] for h in d["hosts"]})
shapes = {(e["collective"], e["span"], e["ranks_per_node"], e["concurrency"])
          for e in d["collective_entries"]}
want = {(k, "scale_up", 2, 1) for k in ("allreduce", "allgather", "reducescatter", "alltoall")}
want |= {(k, s, m, c) for k in ("allreduce", "alltoall")
         for (s, m, c) in (("scale_out", 1, 2), ("scale_out", 2, 1))}
missing = want - shapes
if missing:
    print("    | missing patterns: %s" % sorted(missing))
sys.exit(0 if hosts == ["node1", "node2"] and d["complete"] and not missing else 1)
EOF

# 2. For each job: project 8 GPUs with the calibration, run on 4 hosts,
# compare.  A run visibly disturbed by someone else's load (its slowest
# iteration more than 30% above its fastest) is measured once more.
for j in "${jobs[@]}"; do
    job=$root/tests/fixtures/links/$j.cfg
    check "$j: project 8 GPUs with --calibration" \
        runto "$out/project-$j.out" "$TCEMU" project -t "$topo" -j "$job" --gpus 8 \
            --calibration "$out/calibration.cfg" --json "$out/project-$j.json"
    check "$j: every communication op priced by a measured pattern" \
        grep -q "links: .* 0 not (link class figures)" "$out/project-$j.out"
    grep "links:" "$out/project-$j.out" | sed 's/^# assumption: /    | /'
    for attempt in 1 2; do
        check "$j: run on 4 hosts (attempt $attempt)" \
            runto "$out/run-$j.out" timeout 120 "$cluster" mpirun -np 8 --npernode 2 \
                "$TCEMU" run -t "$topo" -j "$job" --calibration "$out/calibration.cfg" \
                --iterations 4 --warmup 1 --json "$out/run-$j.json"
        python3 -c "import json, sys; t = json.load(open(sys.argv[1]))['iteration_s']; sys.exit(0 if t['max'] <= 1.3 * t['min'] else 1)" \
            "$out/run-$j.json" && break
        [ "$attempt" -eq 1 ] && echo "# run disturbed (iteration times spread more than 30%): measuring again"
    done
    check "$j: projected iteration time within $tolerance of measured" \
        python3 - "$out" "$j" "$tolerance" <<'EOF'
import json, sys
out, j, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
proj = json.load(open("%s/project-%s.json" % (out, j)))["results"][0]
run = json.load(open("%s/run-%s.json" % (out, j)))
hosts = sorted({h["host"] for h in run["hosts"]})
t = run["iteration_s"]
err = proj["iteration_s"] / t["avg"] - 1.0
print("    | %s: measured on %s %.3f s per iteration (avg of %d; min %.3f, max %.3f); "
      "projected %.3f s (%+.1f%%)" % (j, ",".join(hosts), t["avg"], run["iterations"],
      t["min"], t["max"], proj["iteration_s"], 100 * err))
cls = {}
for op in run["ops"]:
    if op.get("kind") == "compute":
        continue
    key = "%s %s" % (op.get("kind"), op.get("group"))
    m, p = cls.get(key, (0.0, 0.0))
    cls[key] = (m + op["measured_s"]["avg"] * op.get("count", 1),
                p + (op.get("modelled_s") or 0.0) * op.get("count", 1))
print("    | per op class, measured / modelled (s): " + ", ".join(
    "%s %.3f / %.3f" % (k, m, p) for k, (m, p) in sorted(cls.items())))
ok = len(hosts) == 4 and run["ranks"] == 8 and abs(err) <= tol
sys.exit(0 if ok else 1)
EOF
done

check "down" "$cluster" down
trap - EXIT
check "nothing left (namespaces, interfaces)" \
    sh -c "! ip netns list | grep -q '^tcl-' && ! ip -o link show | grep -q ': tcl-'"
echo "# slice4.sh: $fails failed"
[ "$fails" -eq 0 ]
