#!/usr/bin/env bash
# netns-cluster.sh - K emulated hosts on one machine, for multi-node MPI runs.
#
# Each host is a network namespace joined by a veth pair to a bridge in the
# root namespace (which holds the bridge address, so daemons there are
# reachable), and every command run "on" a host also gets its own UTS
# namespace with the host's name: without it Open MPI sees one node and two
# hosts collide in shared memory.  Inside a host ranks use shared memory;
# between hosts TCP over the veth links, optionally rate limited with tc tbf
# (netem delay does not work on this kernel, so only rates are shaped).
# With --leaf N the hosts hang off leaf bridges of N hosts each, and every
# leaf bridge is joined to the spine bridge (the one with the address) by a
# veth pair shaped to U Mbit/s each way: traffic between leaves crosses two
# uplinks, an upper tier with oversubscription N x R / U.
#
#   netns-cluster.sh up K [--rate-mbit R] [--leaf N --uplink-mbit U]
#                                           create hosts node1..nodeK; with
#                                           --leaf, a two-tier fabric: leaf
#                                           switches of N hosts joined to a
#                                           spine by uplinks shaped to U
#   netns-cluster.sh down                   remove all of it (idempotent)
#   netns-cluster.sh status                 hosts, addresses, qdiscs
#   netns-cluster.sh exec HOST CMD [ARG...] run CMD on HOST (node1 or its IP)
#   netns-cluster.sh hostfile [SLOTS]       print an Open MPI hostfile
#   netns-cluster.sh mpirun [MPIRUN ARGS]   mpirun across the hosts with the
#                                           rsh agent and the MCA settings
#
# Environment:
#   TCE_CLUSTER_NAME    prefix of everything created (default "tce"): the
#                       namespaces are NAME-node1.., the bridge NAME-br, the
#                       root-side veths NAME-v1.., leaf bridges NAME-l1..
#                       and their uplinks NAME-u1../NAME-s1..; state in
#                       /run/tcemu-NAME
#   TCE_CLUSTER_SUBNET  first three octets of the private /24 used only on
#                       this machine (default 10.77.0); the bridge is .1,
#                       nodeI is .(10+I)
#
# Needs root, iproute2 (ip netns, tc) and util-linux (unshare, nsenter).
# Only loopback-style traffic between namespaces created here; no other
# interface is touched.
set -u

name=${TCE_CLUSTER_NAME:-tce}
subnet=${TCE_CLUSTER_SUBNET:-10.77.0}
state=/run/tcemu-$name
bridge=$name-br
here=$(cd "$(dirname "$0")" && pwd)
agent=$here/netns-rsh.sh

die() { echo "netns-cluster: error: $*" >&2; exit 2; }
log() { echo "netns-cluster: $*" >&2; }

case $name in
    *[!a-z0-9]* | "") die "TCE_CLUSTER_NAME must be lower-case letters and digits" ;;
esac
[ ${#name} -le 8 ] || die "TCE_CLUSTER_NAME must be at most 8 characters (interface names)"
echo "$subnet" | grep -Eq '^(10|192\.168|172\.(1[6-9]|2[0-9]|3[01]))\.[0-9]+(\.[0-9]+)?$' ||
    die "TCE_CLUSTER_SUBNET must be three octets of a private range (got '$subnet')"

need_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (creates network namespaces)"
    command -v ip >/dev/null || die "ip (iproute2) not found"
}

hosts() { [ -f "$state/hosts" ] && cat "$state/hosts"; }

# Resolve a host given as nodeI, NAME-nodeI or its address to "node ns ip".
lookup() {
    local h=$1
    [ -f "$state/hosts" ] || die "cluster '$name' is not up (no $state/hosts)"
    awk -v h="$h" '$1 == h || $2 == h || $3 == h { print; found = 1; exit }
                   END { exit !found }' "$state/hosts" ||
        die "unknown host '$h' in cluster '$name'"
}

cmd_down() {
    need_root
    local ns pid i
    # Processes left in our namespaces first (only ours: by namespace).
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$name-node[0-9]+$"); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -TERM "$pid" 2>/dev/null
        done
    done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$name-node[0-9]+$"); do
        for i in 1 2 3 4 5 6 7 8 9 10; do
            [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
            sleep 0.2
        done
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    # Deleting a namespace destroys its veth end and so the pair; remove any
    # root-side end left by a half-finished "up".
    for i in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
               grep -E "^$name-[vusl][0-9]+$"); do
        ip link del "$i" 2>/dev/null
    done
    ip link show "$bridge" >/dev/null 2>&1 && ip link del "$bridge"
    rm -rf "$state"
    return 0
}

# shape MBIT DEV [NETNS]: a token bucket on DEV's egress.  tbf drops a
# packet larger than its burst, and veth hands over GSO packets of up to
# 64 KiB: cap GSO at 16 KiB so the burst can stay small (1 ms at the rate,
# at least 32 KiB).  A large burst lets messages below it pass at memory
# speed, which no real link does.
shape() {
    local rate=$1 dev=$2 ns=${3:-} burst
    burst=$((rate * 1000000 / 8 / 1000))
    [ "$burst" -lt 32768 ] && burst=32768
    ip ${ns:+-n "$ns"} link set "$dev" gso_max_size 16384
    tc ${ns:+-n "$ns"} qdisc add dev "$dev" root tbf rate "${rate}mbit" burst "$burst" latency 200ms
}

cmd_up() {
    need_root
    local k=${1:-}
    shift || true
    local rate="" leaf="" uplink=""
    while [ $# -gt 0 ]; do
        case $1 in
            --rate-mbit) rate=${2:-}; shift 2 || die "--rate-mbit needs a value" ;;
            --rate-mbit=*) rate=${1#*=}; shift ;;
            --leaf) leaf=${2:-}; shift 2 || die "--leaf needs a value" ;;
            --uplink-mbit) uplink=${2:-}; shift 2 || die "--uplink-mbit needs a value" ;;
            *) die "up: unknown option '$1'" ;;
        esac
    done
    case $leaf in '' | [1-9] | [1-9][0-9]) ;; *) die "--leaf must be 1..99 hosts (got '$leaf')" ;; esac
    case $uplink in '' | [1-9] | [1-9][0-9]*) ;; *) die "--uplink-mbit must be a positive integer (got '$uplink')" ;; esac
    if [ -n "$uplink" ] && [ -z "$leaf" ]; then die "--uplink-mbit needs --leaf"; fi
    case $k in '' | *[!0-9]*) die "up: K must be a number of hosts (1..200)" ;; esac
    [ "$k" -ge 1 ] && [ "$k" -le 200 ] || die "up: K must be 1..200 (got $k)"
    if [ -n "$rate" ]; then
        case $rate in *[!0-9]* | 0*) die "--rate-mbit must be a positive integer (got '$rate')" ;; esac
    fi
    command -v unshare >/dev/null || die "unshare (util-linux) not found"
    [ -e "$state" ] && die "cluster '$name' is already up (run: $0 down)"
    ip link show "$bridge" >/dev/null 2>&1 && die "interface $bridge exists; run: $0 down"

    # Whatever fails from here on, undo everything created so far.
    trap 'log "up failed; removing what was created"; cmd_down; exit 1' ERR
    set -E
    mkdir -p "$state"
    ip link add "$bridge" type bridge
    ip addr add "$subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
    local i ns veth ip burst sw l
    if [ -n "$leaf" ]; then
        for l in $(seq 1 $(((k + leaf - 1) / leaf))); do
            ip link add "$name-l$l" type bridge
            ip link set "$name-l$l" up
            ip link add "$name-u$l" type veth peer name "$name-s$l"
            ip link set "$name-u$l" master "$name-l$l"
            ip link set "$name-s$l" master "$bridge"
            ip link set "$name-u$l" up
            ip link set "$name-s$l" up
            if [ -n "$uplink" ]; then
                shape "$uplink" "$name-u$l" ""
                shape "$uplink" "$name-s$l" ""
            fi
        done
    fi
    for i in $(seq 1 "$k"); do
        ns=$name-node$i
        veth=$name-v$i
        ip=$subnet.$((10 + i))
        sw=$bridge
        [ -n "$leaf" ] && sw=$name-l$(((i - 1) / leaf + 1))
        ip netns add "$ns"
        ip link add "$veth" type veth peer name eth0 netns "$ns"
        ip link set "$veth" master "$sw"
        ip link set "$veth" up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$ip/24" dev eth0
        ip -n "$ns" link set eth0 up
        if [ -n "$rate" ]; then
            shape "$rate" "$veth" ""
            shape "$rate" eth0 "$ns"
        fi
        echo "node$i $ns $ip" >>"$state/hosts"
    done
    echo "${rate:-0}" >"$state/rate_mbit"
    echo "${leaf:-0} ${uplink:-0}" >"$state/leaf"
    echo "$subnet.0/24" >"$state/subnet"
    # Every host's link is up before we say the cluster is.
    for i in $(seq 1 "$k"); do
        ip -n "$name-node$i" -br link show eth0 | grep -q 'UP'
    done
    trap - ERR
    set +E
    log "up: $k hosts node1..node$k on $subnet.0/24 (bridge $bridge $subnet.1)${rate:+, links shaped to $rate Mbit/s each way}${leaf:+, leaves of $leaf hosts}${uplink:+ with $uplink Mbit/s uplinks}"
}

cmd_status() {
    [ -f "$state/hosts" ] || { echo "# cluster '$name' is down"; return 0; }
    echo "# cluster '$name': subnet $(cat "$state/subnet"), rate_mbit $(cat "$state/rate_mbit")"
    echo "# host ns address pids"
    local node ns ip
    while read -r node ns ip; do
        echo "$node $ns $ip $(ip netns pids "$ns" 2>/dev/null | wc -l)"
    done <"$state/hosts"
}

cmd_exec() {
    need_root
    local h=${1:-}
    [ -n "$h" ] || die "exec: HOST required"
    shift
    [ $# -gt 0 ] || die "exec: CMD required"
    local node ns ip line
    line=$(lookup "$h") || exit 2
    read -r node ns ip <<<"$line"
    # Own UTS namespace with the host's name, then the command.
    exec ip netns exec "$ns" unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$node" "$@"
}

cmd_hostfile() {
    local slots=${1:-1}
    [ -f "$state/hosts" ] || die "cluster '$name' is not up"
    awk -v s="$slots" '{ print $1 " slots=" s }' "$state/hosts"
}

cmd_mpirun() {
    [ -f "$state/hosts" ] || die "cluster '$name' is not up"
    local hf
    hf=$state/hostfile
    # Slots are generous; -np, --map-by and --npernode decide placement.
    # Every host shares this machine's cores, which Open MPI cannot see:
    # ranks yield when idle instead of spinning (spinning ranks on a shared
    # core turn microsecond latencies into scheduler time slices).
    cmd_hostfile 64 >"$hf"
    export TCE_CLUSTER_NAME=$name TCE_CLUSTER_SUBNET=$subnet
    exec mpirun --hostfile "$hf" \
        --mca plm_rsh_agent "$agent" \
        --mca oob_tcp_if_include "$(cat "$state/subnet")" \
        --mca btl_tcp_if_include "$(cat "$state/subnet")" \
        --mca btl self,vader,tcp \
        --mca mpi_yield_when_idle 1 \
        "$@"
}

sub=${1:-}
[ $# -gt 0 ] && shift
case $sub in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    exec) cmd_exec "$@" ;;
    hostfile) cmd_hostfile "$@" ;;
    mpirun) cmd_mpirun "$@" ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
