#!/usr/bin/env bash
# The main job behind `make run`: validate the shipped files, show the default
# cluster and job.  Later stages add projection and emulation here.
set -eu
TCEMU=${TCEMU:-bin/tcemu}
cd "$(dirname "$0")/.."
topo=${1:-topologies/aws-p5.cfg}
job=${2:-jobs/llama3-405b.cfg}
echo "# tcemu validate topologies/*.cfg jobs/*.cfg"
"$TCEMU" validate topologies/*.cfg jobs/*.cfg
echo "# tcemu show -t $topo -j $job"
"$TCEMU" show -t "$topo" -j "$job"
