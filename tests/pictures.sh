#!/usr/bin/env bash
# pictures.sh [DIR] - the example pictures of the README, one of each kind
# of `tcemu plot`, as PNG and SVG with their gnuplot scripts, and one
# modelled timeline (project --trace), written into DIR (default
# build/pictures).  Needs gnuplot (Debian: gnuplot-nox) for the pictures;
# the scripts and the trace are written without it.  Called by
# tests/e2e/plots.sh; exits non-zero if any command failed.
set -u
cd "$(dirname "$0")/.." || exit 2
T=${TCEMU:-bin/tcemu}
dir=${1:-${BUILD_ROOT:-build}/pictures}
mkdir -p "$dir" || exit 1
rc=0
run() {
    echo "# $*"
    "$@" || { echo "ERR: $*" >&2; rc=1; }
}
out() { # out NAME: -o NAME.png -o NAME.svg --script NAME.gp (no -o without gnuplot)
    if command -v gnuplot >/dev/null 2>&1; then
        echo "-o $dir/$1.png -o $dir/$1.svg --script $dir/$1.gp"
    else
        echo "--script $dir/$1.gp"
    fi
}
run $T plot scaling -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg \
    --gpus 2048:65536:x2 $(out scaling)
run $T plot breakdown -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg \
    --gpus 2048:65536:x2 $(out breakdown)
run $T plot pareto -j jobs/llama3-405b.cfg -t topologies/aws-p5.cfg \
    -t topologies/aws-trn2.cfg -t topologies/azure-nd-h100-v5.cfg \
    --deadline 90 $(out pareto)
run $T plot bench --from tests/fixtures/plot/bench.json $(out bench)
run $T plot run --from tests/fixtures/plot/run.json $(out run)
echo "# $T project -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg --trace $dir/project-llama3-70b-aws-p5.trace.json"
$T project -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg \
    --trace "$dir/project-llama3-70b-aws-p5.trace.json" >/dev/null || rc=1
exit $rc
