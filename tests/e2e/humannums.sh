#!/usr/bin/env bash
# Human tables print money, GPU-hours and tokens the way planners read them
# (USD 255.6M, 37.2M, 15.6T), never in scientific notation: every data row
# and every bill line of project, search and compare on the shipped files
# is scanned for an exponent.  (FLOPs, in compare's budget table, are
# written the way FLOPs are usually written, 5.35e+24, and say so.)
source "$(dirname "$0")/lib.bash"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
no_exponent() { # command...: no exponent in a data row or a bill line
    "$TCEMU" "$@" >"$out/o.txt" 2>/dev/null || return 1
    ! grep -E '^[^#]|^#   bill:' "$out/o.txt" | grep -E '[0-9]\.?[0-9]*e[+-][0-9]'
}
for t in aws-p5 aws-trn2 gb200-nvl72 dgx-a100-80gb; do
    for j in llama3-405b llama3-8b deepseek-v3 frontier-100m; do
        # an FP8 job on an accelerator with no FP8 peak is refused (exit 2)
        [ "$t/$j" = dgx-a100-80gb/deepseek-v3 ] && continue
        check "project -t $t -j $j --gpus 1024:65536:x2 --plan on-demand" \
            no_exponent project -t $t -j $j --gpus 1024:65536:x2 --plan on-demand
    done
done
check "deepseek-v3 (FP8) on A100 (no FP8 peak): exit 2" \
    status_is 2 "$TCEMU" project -t dgx-a100-80gb -j deepseek-v3 --gpus 1024
check "search llama3-405b at 16384 on aws-p5" no_exponent search -t aws-p5 -j llama3-405b --gpus 16384
check "compare --deadline 90 over three offerings" \
    no_exponent compare -j llama3-405b -t aws-p5 -t aws-trn2 -t azure-nd-h100-v5 --deadline 90
check "compare --budget --chinchilla" \
    no_exponent compare -j llama3-405b -t aws-p5 -t aws-trn2 --budget 100000000 --chinchilla
[ "$fails" -eq 0 ]
