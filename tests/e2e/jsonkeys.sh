#!/usr/bin/env bash
# jsonkeys.sh - every command's JSON uses the one list of names in
# tests/e2e/jsonkeys.txt (one name per quantity), never a retired spelling
# (version, modeled, measured/modelled pairs, MUSD), and "topology" and
# "job" are objects with a name and a path wherever they appear, for the
# core commands and the MPI ones (run, bench, calibrate on real ranks).  The
# config settings that show echoes (under "settings") are the schema's keys
# and are not checked here.
set -u
cd "$(dirname "$0")/../.." || exit 2
TCEMU=${TCEMU:-bin/tcemu}
out=build/e2e-jsonkeys
mkdir -p "$out"
fails=0
run() { # name command...
    local name=$1
    shift
    if "$@" > "$out/$name.json" 2> "$out/$name.err"; then
        echo "ok   $name"
    else
        echo "ERR  $name: $*"
        cat "$out/$name.err"
        fails=$((fails + 1))
    fi
}
run project "$TCEMU" project -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --gpus 16,20000 --plan on-demand --json -
run search "$TCEMU" search -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --gpus 64 --json -
run compare "$TCEMU" compare -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -t topologies/aws-trn2.cfg --deadline 30 --budget 10000000 --chinchilla --json -
run reproduce "$TCEMU" reproduce --json -
run reproduce_recipes sh -c '"$0" reproduce --reference megatron-lm-moe-recipes --json - 2>/dev/null; [ $? -le 3 ]' "$TCEMU"
run show "$TCEMU" show -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --json -
# the MPI commands (real ranks, oversubscribed), and calibrate's NCCL path
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi() { timeout -k 5 120 mpirun --oversubscribe -np "$@"; }
run run mpi 8 "$TCEMU" run -t topologies/workstation.cfg -j jobs/tiny.cfg --ranks-per-node 4 --iterations 1 --warmup 0 --time-scale 0.01 --json -
run bench mpi 2 "$TCEMU" bench --collectives allreduce,alltoall -b 1K -e 4K -n 2 -w 1 --json -
# sizes to 1 MiB: with 1-16 KiB a loaded machine once timed the largest
# send/recv no slower than the smallest, nothing could be fitted and
# calibrate exited 3 (its fit_error then named above)
run calibrate mpi 2 "$TCEMU" calibrate -b 1K -e 1M -n 2 -w 1 -o "$out/cal.cfg" --json -
run calibrate_nccl "$TCEMU" calibrate --from-nccl-tests tests/fixtures/nccl-tests/all_reduce_perf-h100-2x8.txt -o "$out/ncal.cfg" --json -
# stack: the stack-overhead fit, and a projection that carries one
ml=tests/fixtures/megatron-logs
run calibrate_log "$TCEMU" calibrate --from-log $ml/llama3-8b-gbs32.log $ml/llama3-8b-gbs64.log -t topologies/aws-p5.cfg -j $ml/llama3-8b-slice.cfg -o "$out/lcal.cfg" --json -
run project_stack "$TCEMU" project -t topologies/aws-p5.cfg -j $ml/llama3-8b-slice.cfg --calibration tests/fixtures/good/calibration-stack.cfg --json -
if python3 - "$out" tests/e2e/jsonkeys.txt <<'PY'
import json, sys
out, listing = sys.argv[1], sys.argv[2]
known = {l.split()[0] for l in open(listing) if l.strip() and not l.startswith("#")}
retired = {"version", "modeled", "measured", "modelled", "topology_name", "job_name"}
bad = []
def walk(x, cmd, path):
    if isinstance(x, dict):
        for k, v in x.items():
            where = f"{cmd}: {path}.{k}"
            if k in retired:
                bad.append(f"{where}: retired name")
            elif k not in known or "musd" in k.lower():
                bad.append(f"{where}: not in {listing}")
            if k in ("topology", "job") and not (isinstance(v, dict) and "path" in v and ("name" in v or cmd == "show")):
                bad.append(f"{where}: must be an object with name and path")
            if k != "settings":
                walk(v, cmd, f"{path}.{k}")
    elif isinstance(x, list):
        for v in x:
            walk(v, cmd, path + "[]")
for cmd in ("project", "search", "compare", "reproduce", "reproduce_recipes", "show", "run", "bench", "calibrate", "calibrate_nccl", "calibrate_log", "project_stack"):
    d = json.load(open(f"{out}/{cmd}.json"))
    if d.get("tcemu_version") is None:
        bad.append(f"{cmd}: no tcemu_version")
    walk(d, cmd, "")
for b in sorted(set(bad)):
    print("  " + b)
sys.exit(1 if bad else 0)
PY
then
    echo "ok   every key in the one list"
else
    echo "ERR  keys outside tests/e2e/jsonkeys.txt (above)"
    fails=$((fails + 1))
fi
echo "# jsonkeys.sh: $fails failed"
[ "$fails" -eq 0 ]
