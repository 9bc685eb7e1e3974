#!/usr/bin/env bash
# Real nodes for the emulator: two emulated hosts (tests/cluster/
# netns-cluster.sh: network + UTS namespaces, the inter-host link shaped to
# 200 Mbit/s) with 4 ranks each and no --ranks-per-node.  tcemu must find
# the hosts with MPI_COMM_TYPE_SHARED (intra groups of 4, inter groups of 2,
# host map node1/node2), see the shaped link (inter-host busbw far below
# intra-host), and run jobs/tiny.cfg across them.
# Skips (exit 0) when not root or when network namespaces are unavailable.
source "$(dirname "$0")/lib.bash"

skip() { echo "nodes.sh: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (creates network namespaces)"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "ip netns unavailable"
command -v unshare >/dev/null || skip "unshare (util-linux) unavailable"

# One namespace test at a time on this machine (as tests/e2e/cluster.sh).
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 9>"$lockdir/tcemu-netns-tests.lock"
if command -v flock >/dev/null && ! flock -w 300 9; then
    echo "nodes.sh: error: another namespace test held the lock for 300 s"
    exit 1
fi
export TCE_CLUSTER_NAME=tcemu TCE_CLUSTER_SUBNET=10.77.6
cluster=tests/cluster/netns-cluster.sh
trap '"$cluster" down >/dev/null 2>&1; rm -rf "$SCRATCH"' EXIT
"$cluster" down >/dev/null 2>&1
echo "# $cluster up 2 --rate-mbit 200"
"$cluster" up 2 --rate-mbit 200 >"$SCRATCH/up.log" 2>&1
check "cluster of 2 hosts up" [ $? -eq 0 ]

# cmpi NP ARGS...: tcemu on the two hosts, 4 ranks each.
cmpi() {
    local np=$1; shift
    echo "# $cluster mpirun -np $np --npernode 4 $TCEMU $*"
    timeout -k 5 120 "$cluster" mpirun -np "$np" --npernode 4 \
        "$PWD/$TCEMU" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
    RC=$?
}

cmpi 8 bench -c allreduce,alltoall -b 1Mi -e 1Mi -n 5 -w 1 --check -g intra \
    --json -
check "intra: exit 0" rc_is 0
cp "$SCRATCH/out" "$SCRATCH/intra.json"
check "intra: 2 real nodes, groups of 4, data OK" python3 - "$SCRATCH/intra.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["nodes"] == 2 and not d["virtual_nodes"], d["nodes"]
assert d["groups"] == 2 and d["group_size"] == 4, (d["groups"], d["group_size"])
assert [h["host"] for h in d["hosts"]] == ["node1"] * 4 + ["node2"] * 4
assert [h["node"] for h in d["hosts"]] == [0] * 4 + [1] * 4
assert d["data_check"] == "OK"
PY
cmpi 8 bench -c allreduce,alltoall -b 1Mi -e 1Mi -n 5 -w 1 --check -g inter \
    --json -
check "inter: exit 0" rc_is 0
cp "$SCRATCH/out" "$SCRATCH/inter.json"
check "inter: groups of 2 across hosts, slower than intra" python3 - \
    "$SCRATCH/intra.json" "$SCRATCH/inter.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
assert e["groups"] == 4 and e["group_size"] == 2
assert e["data_check"] == "OK"
bw = lambda d, c: [r["busbw_gbytes_per_s"] for r in d["results"] if r["collective"] == c][0]
# 200 Mbit/s = 0.025 GB/s on the shaped link; shared memory is far faster.
for c in ("allreduce", "alltoall"):
    print(c, "intra", bw(a, c), "inter", bw(e, c), "GB/s")
    assert bw(e, c) < 0.05, (c, bw(e, c))
    assert bw(a, c) > 4 * bw(e, c), c
PY

cmpi 8 run -t topologies/workstation.cfg -j jobs/tiny.cfg --time-scale 0.05 \
    --iterations 1 --max-buffer 4Mi --timeout 60 --json -
check "run across 2 hosts: exit 0" rc_is 0
check "run: host map and real nodes" python3 - "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.run/2" and d["nodes"] == 2
assert [h["host"] for h in d["hosts"]] == ["node1"] * 4 + ["node2"] * 4
assert d["slowest_rank"]["host"] in ("node1", "node2")
assert 0 < d["byte_scale"] < 1
PY
finish
