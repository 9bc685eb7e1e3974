#!/usr/bin/env bash
# The command lines whose outputs tests/e2e/golden.sh pins, one per line, run
# from the repository root with $T standing for the tcemu binary.  Every
# deterministic command on the shipped files: validate (shipped and bad
# files, key references), show, project (human, CSV, JSON; sweeps; every
# contract), reproduce, search, compare, and each command's --help.
set -u
topos=$(ls topologies/*.cfg | tr '\n' ' ')
jobs=$(ls jobs/*.cfg | tr '\n' ' ')
for c in validate show project reproduce search compare run bench calibrate; do
    echo "\$T $c --help"
done
echo "\$T --help"
echo "\$T validate $topos $jobs"
for k in topology job calibration; do
    echo "\$T validate --keys $k"
    echo "\$T validate --keys $k --markdown"
done
for f in tests/fixtures/bad/*.cfg tests/fixtures/good/*.cfg; do
    echo "\$T validate $f"
done
for t in $topos; do
    echo "\$T show -t $t -j jobs/llama3-405b.cfg"
done
for j in $jobs; do
    echo "\$T show -t topologies/aws-p5.cfg -j $j --json -"
done
for t in $topos; do
    for j in $jobs; do
        echo "\$T project -t $t -j $j"
        echo "\$T project -t $t -j $j --csv -"
        echo "\$T project -t $t -j $j --json -"
    done
done
for j in jobs/llama3-405b.cfg jobs/llama3-70b.cfg jobs/gpt3-175b.cfg jobs/deepseek-v3.cfg jobs/mixtral-8x7b.cfg; do
    echo "\$T project -t topologies/aws-p5.cfg -j $j --gpus 1024:65536:x2"
    echo "\$T project -t topologies/aws-p5.cfg -j $j --gpus 1024:65536:x2 --csv -"
    echo "\$T project -t topologies/aws-p5.cfg -j $j --gpus 1024:65536:x2 --json -"
    echo "\$T project -t topologies/gb200-nvl72.cfg -j $j --gpus 72,576,1152,4608,9216,18432"
done
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --gpus 4"
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --gpus 4 --plan on-demand"
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --gpus 4 --plan on_demand"
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --gpus 16 --plan on-demand --json -"
for t in $topos; do
    for p in $(grep -oE '\{ *name *= *"[^"]*"; *kind' "$t" | sed -E 's/.*"([^"]*)".*/\1/'); do
        echo "\$T project -t $t -j jobs/llama3-405b.cfg --plan $p"
        echo "\$T project -t $t -j jobs/frontier-100m.cfg --plan $p --json -"
    done
done
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --plan no-such-plan"
echo "\$T reproduce"
echo "\$T reproduce --json -"
for tj in "aws-p5 llama3-405b 16384" "aws-p5 llama3-70b 1024" "aws-p5 llama3-8b 64" \
          "dgx-a100-80gb gpt3-175b 1024" "aws-p5 mixtral-8x7b 256" "gb200-nvl72 llama3-70b 576" \
          "aws-trn2 llama3-405b 4096" "workstation tiny 8" "aws-p5 deepseek-v3 2048"; do
    set -- $tj
    echo "\$T search -t topologies/$1.cfg -j jobs/$2.cfg --gpus $3"
    echo "\$T search -t topologies/$1.cfg -j jobs/$2.cfg --gpus $3 --by cost --top 8 --json -"
done
echo "\$T search -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --gpus 16384 --plan commit-2048n-4m --by cost"
three="-t topologies/aws-p5.cfg -t topologies/aws-trn2.cfg -t topologies/azure-nd-h100-v5.cfg"
echo "\$T compare -j jobs/llama3-405b.cfg $three --deadline 90"
echo "\$T compare -j jobs/llama3-405b.cfg $three --deadline 90 --json -"
echo "\$T compare -j jobs/llama3-405b.cfg $three --budget 100000000"
echo "\$T compare -j jobs/llama3-405b.cfg $three --budget 100000000 --json -"
echo "\$T compare -j jobs/llama3-405b.cfg $three --gpus 8192"
echo "\$T compare -j jobs/llama3-70b.cfg $three --gpus 2048 --plan on-demand"
echo "\$T compare -j jobs/llama3-70b.cfg $three --budget 20000000 --chinchilla"
echo "\$T compare -j jobs/frontier-100m.cfg -t topologies/aws-p5.cfg -t topologies/gb200-nvl72.cfg --deadline 120"
echo "\$T compare -j jobs/llama3-405b.cfg -t topologies/aws-p4d.cfg -t topologies/aws-p5.cfg --deadline 90"
echo "\$T plot --help"
echo "\$T plot"
echo "\$T plot pie -o x.png"
echo "\$T plot bench --from tests/fixtures/plot/run.json -o x.png"
echo "\$T plot scaling -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --gpus 2048:65536:x2 --script -"
echo "\$T plot pareto -j jobs/llama3-405b.cfg -t topologies/aws-p5.cfg -t topologies/aws-trn2.cfg --deadline 90 --script -"
echo "\$T plot breakdown -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg --script -"
echo "\$T plot bench --from tests/fixtures/plot/bench.json --script -"
echo "\$T plot run --from tests/fixtures/plot/run.json --script -"
echo "\$T project -t topologies/workstation.cfg -j jobs/tiny.cfg --trace /dev/stderr"
echo "\$T reproduce --csv -"
echo "\$T search -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg --gpus 1024 --csv -"
echo "\$T compare -j jobs/llama3-405b.cfg $three --deadline 90 --csv -"
echo "\$T compare -j jobs/llama3-70b.cfg $three --budget 20000000 --chinchilla --csv -"
echo "\$T compare -j jobs/llama3-405b.cfg $(echo $topos | sed 's/\([^ ]*\)/-t \1/g') --deadline 90"
echo "\$T project -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --gpus 1024:65536:x2 --wide"
# repro (issue 11): the Megatron-Bridge reference rows
echo "\$T reproduce --reference megatron-bridge-performance --excluded"
echo "\$T reproduce --reference megatron-bridge-performance -t dgx-h100 --csv -"
