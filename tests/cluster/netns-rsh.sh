#!/usr/bin/env bash
# netns-rsh.sh - rsh agent for mpirun across netns-cluster.sh hosts.
#
#   mpirun --mca plm_rsh_agent tests/cluster/netns-rsh.sh ...
#
# Called like ssh: [OPTIONS] HOST COMMAND...  HOST is nodeI (or its address)
# of the cluster named by TCE_CLUSTER_NAME (default "tce").  The command runs
# in the host's network namespace, in a fresh UTS namespace that carries the
# host's name (Open MPI tells nodes apart by hostname), through sh -c like a
# remote shell would (Open MPI may send "VAR=...; export VAR; orted ...").
# The environment of mpirun is inherited, as everything stays on this machine.
set -u
name=${TCE_CLUSTER_NAME:-tce}
state=/run/tcemu-$name
while [ $# -gt 0 ]; do
    case $1 in
        -l | -p | -o | -i) shift 2 ;;   # ssh options with a value
        -*) shift ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || { echo "netns-rsh: usage: netns-rsh.sh HOST COMMAND..." >&2; exit 255; }
host=$1
shift
line=$(awk -v h="$host" '$1 == h || $2 == h || $3 == h { print; exit }' "$state/hosts" 2>/dev/null)
[ -n "$line" ] || { echo "netns-rsh: unknown host '$host' (cluster '$name' up?)" >&2; exit 255; }
read -r node ns _ <<<"$line"
exec ip netns exec "$ns" unshare --uts -- sh -c 'hostname "$0" && exec sh -c "$1"' "$node" "$*"
