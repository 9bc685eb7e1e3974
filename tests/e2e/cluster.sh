#!/usr/bin/env bash
# cluster.sh - the namespace cluster (tests/cluster/netns-cluster.sh): four
# emulated hosts with shaped links, mpirun across them (ranks on four hosts,
# data checked, link rate measured against the shaping), tcemu launched on
# every host, a failed "up" that cleans up after itself, and nothing left
# behind (namespaces, interfaces, state, processes).
# Skips (exit 0, "skipped") when not root or when ip netns is unavailable.
source "$(dirname "$0")/lib.bash"
build=${BUILD_ROOT:-build}/e2e-cluster
cluster=tests/cluster/netns-cluster.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export TCE_CLUSTER_NAME=tcc TCE_CLUSTER_SUBNET=10.77.1
rate=100

skip() { echo "cluster.sh: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (creates network namespaces)"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "ip netns unavailable"
command -v unshare >/dev/null || skip "unshare (util-linux) unavailable"
command -v mpicc >/dev/null || skip "mpicc unavailable (libopenmpi-dev)"

netns_lock cluster.sh

trap '"$cluster" down' EXIT
mkdir -p "$build"
mpicc -std=c11 -O2 -o "$build/mpi-probe" tests/cluster/mpi-probe.c || exit 1
"$cluster" down
check "up 4 hosts, $rate Mbit/s" "$cluster" up 4 --rate-mbit "$rate"
check "exec: node3 has its own hostname" \
    test "$("$cluster" exec node3 hostname)" = node3
check "exec: node2 has its address" \
    sh -c "'$cluster' exec node2 ip -br addr show eth0 | grep -q 10.77.1.12/24"
check "exec: unknown host is refused (exit 2)" \
    sh -c "'$cluster' exec node9 true 2>/dev/null; test \$? -eq 2"

out=$build/probe.out
check "mpirun -np 8 --npernode 2 across 4 hosts" \
    sh -c "timeout 120 '$cluster' mpirun -np 8 --npernode 2 '$build/mpi-probe' 4000000 >'$out'"
sed 's/^/    | /' "$out"
check "ranks on 4 distinct hosts, 2 each" \
    test "$(awk '/^rank / {print $4}' "$out" | sort | uniq -c | awk '$1 == 2' | wc -l)" -eq 4
check "rank 0 on node1, rank 7 on node4" \
    sh -c "grep -qx 'rank 0 host node1' '$out' && grep -qx 'rank 7 host node4' '$out'"
check "all-reduce across hosts correct" grep -qx "allreduce ok" "$out"
# The shaped link must limit the inter-host ping-pong: between 50% and
# 115% of the configured rate (TCP and MPI overheads only lower it).
gbit=$(awk '/^pingpong / {print $6}' "$out")
echo "# measured inter-host ping-pong: ${gbit:-none} Gbit/s (shaped to $rate Mbit/s)"
check "inter-host rate follows the shaping" \
    awk -v g="${gbit:-0}" -v r="$rate" 'BEGIN { exit !(g * 1000 >= 0.5 * r && g * 1000 <= 1.15 * r) }'

vout=$build/version.out
check "tcemu --version on 4 hosts" \
    sh -c "timeout 60 '$cluster' mpirun -np 4 --npernode 1 sh -c \"hostname; '$PWD/$TCEMU' --version\" >'$vout'"
check "4 hostnames and 4 versions" \
    sh -c "test \$(grep -c '^node[1-4]$' '$vout') -eq 4 && test \$(grep -c '^tcemu ' '$vout') -eq 4"

check "down" "$cluster" down
check "down again is a no-op" "$cluster" down
check "no namespace left" sh -c "! ip netns list | grep -q '^tcc-'"
check "no interface left" sh -c "! ip -o link show | grep -Eq ': tcc-(br|v[0-9])'"
check "no state left" test ! -e /run/tcemu-tcc
check "no probe process left" sh -c "! pgrep -x mpi-probe >/dev/null"

# A failing "up" undoes what it had created: make node2's veth name taken.
export TCE_CLUSTER_NAME=tcf TCE_CLUSTER_SUBNET=10.77.8
ip link add tcf-v2 type veth peer name tcf-x2
check "up fails when an interface is taken" \
    sh -c "! '$cluster' up 3 2>/dev/null"
check "the failed up left nothing" \
    sh -c "! ip netns list | grep -q '^tcf-' && ! ip -o link show | grep -q ': tcf-' && test ! -e /run/tcemu-tcf"
ip link del tcf-v2 2>/dev/null || true
export TCE_CLUSTER_NAME=tcc TCE_CLUSTER_SUBNET=10.77.1

# Two tiers: leaves of 2 hosts, 400 Mbit/s host links, 100 Mbit/s uplinks
# (oversubscription 8).  tcemu calibrate with the matching topology finds
# scale_out under one leaf and the fabric class across leaves; 2 ranks
# cross each uplink at once, so 6.25 MB/s per rank at most there.
export TCE_CLUSTER_NAME=tct TCE_CLUSTER_SUBNET=10.77.4
tier=$build/2tier
mkdir -p "$tier"
sed -e 's/^name = "netns-cluster";/name = "netns-cluster-2tier";/' \
    -e 's/{ name = "bridge"; group_nodes = 16; oversubscription = 1.0; latency_us = 0.0; }/{ name = "leaf"; group_nodes = 2; oversubscription = 8.0; latency_us = 0.0; }/' \
    tests/cluster/netns-cluster.cfg >"$tier/topology.cfg"
trap '"$cluster" down' EXIT
"$cluster" down
check "up 4 hosts, leaves of 2, 400/100 Mbit/s" \
    "$cluster" up 4 --rate-mbit 400 --leaf 2 --uplink-mbit 100
check "calibrate across the tier (4 hosts, 1 rank each)" \
    sh -c "timeout 120 '$cluster' mpirun -np 4 --npernode 1 '$PWD/$TCEMU' calibrate \
        -t '$PWD/$tier/topology.cfg' -o '$PWD/$tier/calibration.cfg' \
        --json '$PWD/$tier/calibrate.json' -c sendrecv,allreduce -e 1Mi -n 5 -w 1 \
        >'$tier/calibrate.out' 2>&1"
grep -E '^# (scale_out|fabric)' "$tier/calibrate.out" | sed 's/^/    | /'
check "calibration validates" "$TCEMU" validate "$tier/calibration.cfg"
check "fabric bandwidth is the shared uplink's; scale_out 4-16x faster" \
    python3 - "$tier/calibrate.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
l = {x["link"]: x for x in d["links"] if x.get("fitted")}
up = 100e6 / 8 / 2 / 1e9
fab = l["fabric"]["bandwidth_gbytes_per_s"]
out = l["scale_out"]["bandwidth_gbytes_per_s"]
print("    | fabric %.4f GB/s per rank (uplink share %.4f), scale_out %.4f, ratio %.1f"
      % (fab, up, out, out / fab))
sys.exit(0 if 0.3 * up <= fab <= 1.3 * up and 4 <= out / fab <= 16 else 1)
EOF
check "two-tier down" "$cluster" down
check "two-tier: nothing left" \
    sh -c "! ip netns list | grep -q '^tct-' && ! ip -o link show | grep -q ': tct-'"
trap - EXIT

echo "# cluster.sh: $fails failed"
[ "$fails" -eq 0 ]
