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
# Projection (tcemu project): the default job at its own size and a scaling
# sweep, then published vs projected for the shipped reference rows.
echo "# tcemu project -t $topo -j $job"
"$TCEMU" project -t "$topo" -j "$job"
echo "# tcemu project -t $topo -j $job --gpus 1024:65536:x2"
"$TCEMU" project -t "$topo" -j "$job" --gpus 1024:65536:x2
echo "# tcemu reproduce"
"$TCEMU" reproduce
# Emulation (tcemu run): jobs/tiny.cfg on 8 MPI ranks of this machine, as 2
# virtual nodes of 4, printing measured vs modelled time per op.
echo "# mpirun --oversubscribe -np 8 tcemu run -t topologies/workstation.cfg -j jobs/tiny.cfg --ranks-per-node 4 --timeout 120"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    timeout -k 10 300 mpirun --oversubscribe -np 8 "$TCEMU" run \
    -t topologies/workstation.cfg -j jobs/tiny.cfg --ranks-per-node 4 \
    --timeout 120
