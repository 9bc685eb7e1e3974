#!/usr/bin/env bash
# End-to-end tests of `tcemu validate` and `tcemu show`:
#  - every shipped topologies/*.cfg and jobs/*.cfg validates (exit 0);
#  - every tests/fixtures/bad/*.cfg fails with exit 2 and a
#    "path:line: error:" line on stderr;
#  - `show -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg` counts
#    405e9 parameters within 1%, its JSON parses and agrees;
#  - usage errors exit 2, --help and --keys exit 0.
# Prints the exact command and ok/ERR per case; exits 1 if any case failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
TCEMU=${TCEMU:-bin/tcemu}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tcemu-validate.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
pass=0 fail=0

ok() { echo "ok   $*"; pass=$((pass + 1)); }
err() { echo "ERR  $*"; fail=$((fail + 1)); }

# expect STATUS CMD...: run CMD, compare its exit status.
expect() {
    local want=$1; shift
    echo "# run: $*"
    "$@" >"$scratch/out" 2>"$scratch/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then
        ok "exit $got: $*"
        return 0
    fi
    err "exit $got, expected $want: $*"
    sed 's/^/    | /' "$scratch/err" | head -n 5
    return 1
}

# Shipped files.
shopt -s nullglob
shipped=(topologies/*.cfg jobs/*.cfg)
if [ ${#shipped[@]} -eq 0 ]; then
    echo "# no topologies/*.cfg or jobs/*.cfg yet: skipped"
fi
for f in "${shipped[@]}"; do
    if expect 0 "$TCEMU" validate "$f"; then
        grep -q "^# $f: ok (" "$scratch/out" || err "$f: no '# $f: ok' line"
    fi
done

# Good fixtures (kind told from content).
for f in tests/fixtures/good/*.cfg; do
    if expect 0 "$TCEMU" validate "$f"; then
        grep -q "^# $f: ok (" "$scratch/out" || err "$f: no '# $f: ok' line"
    fi
done

# Bad fixtures: exit 2 and a path:line: error: line citing the fixture (or
# a file it includes, under tests/fixtures/bad/).
bad=(tests/fixtures/bad/*.cfg)
[ ${#bad[@]} -ge 40 ] && ok "${#bad[@]} bad fixtures" ||
    err "only ${#bad[@]} bad fixtures"
for f in "${bad[@]}"; do
    if expect 2 "$TCEMU" validate "$f"; then
        if grep -Eq '^tests/fixtures/bad/[^:]+:[0-9]+: error: ' \
            "$scratch/err"; then
            ok "$f: $(head -n 1 "$scratch/err" | cut -c1-110)"
        else
            err "$f: no 'path:line: error:' line on stderr"
            sed 's/^/    | /' "$scratch/err" | head -n 3
        fi
    fi
done

# Several files at once: one bad one makes the whole run exit 2, the good
# ones are still reported ok.
expect 2 "$TCEMU" validate tests/fixtures/good/job.cfg \
    tests/fixtures/bad/range-zero-layers.cfg tests/fixtures/good/topology.cfg
if grep -q '^# 3 files: 2 ok, 1 failed$' "$scratch/out"; then
    ok "summary line"
else
    err "summary line: $(tail -n 1 "$scratch/out")"
fi
# --kind forces the kind: a topology read as a job fails.
expect 2 "$TCEMU" validate --kind job tests/fixtures/good/topology.cfg
expect 0 "$TCEMU" validate --kind calibration tests/fixtures/good/calibration.cfg
expect 0 "$TCEMU" validate --help
expect 0 "$TCEMU" validate --keys job &&
    { grep -q '^training.train_tokens ' "$scratch/out" && ok "--keys job lists train_tokens" ||
          err "--keys job: no training.train_tokens row"; }
expect 0 "$TCEMU" validate --keys topology --markdown
expect 2 "$TCEMU" validate
expect 2 "$TCEMU" validate --kind nonsense tests/fixtures/good/job.cfg
expect 2 "$TCEMU" validate --bogus
expect 2 "$TCEMU" validate tests/fixtures/does-not-exist.cfg

# show
expect 0 "$TCEMU" show --help
expect 2 "$TCEMU" show -t tests/fixtures/good/topology.cfg
expect 2 "$TCEMU" show -t tests/fixtures/good/topology.cfg \
    -j tests/fixtures/good/job.cfg --gpus 12x
# 12 GPUs: dp 3 does not divide the global batch of 16
expect 2 "$TCEMU" show -t tests/fixtures/good/topology.cfg \
    -j tests/fixtures/good/job.cfg --gpus 12
expect 0 "$TCEMU" show -t tests/fixtures/good/topology.cfg \
    -j tests/fixtures/good/job.cfg --gpus 16 &&
    { grep -Eq '^data_parallel_size +4 ' "$scratch/out" &&
          grep -Eq '^parallel.num_gpus +16 .*\(--gpus\)' "$scratch/out" &&
          ok "--gpus 16: dp 4" || err "--gpus 16: wrong dp or num_gpus"; }
expect 2 "$TCEMU" show -t tests/fixtures/bad/range-pue.cfg \
    -j tests/fixtures/good/job.cfg

if [ -f topologies/aws-p5.cfg ] && [ -f jobs/llama3-405b.cfg ]; then
    if expect 0 "$TCEMU" show -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg
    then
        p=$(awk '$1 == "parameters_total" { print $2 }' "$scratch/out")
        if awk -v p="$p" 'BEGIN { exit !(p != "" && p > 0.99 * 405e9 &&
                                         p < 1.01 * 405e9) }'; then
            ok "llama3-405b parameters $p within 1% of 405e9"
        else
            err "llama3-405b parameters '$p' not within 1% of 405e9"
        fi
        if grep -Eq '^# .*[^#]' "$scratch/out" &&
            ! grep -Ev '^#|^[a-z_]+(\[[0-9]+\])?(\.[a-z0-9_]+)* ' \
                "$scratch/out" | grep -q .; then
            ok "show: every line is a '#' line or a 'key value' data line"
        else
            err "show: a line is neither '#' nor data"
        fi
    fi
    json="$scratch/show.json"
    if expect 0 "$TCEMU" show -t topologies/aws-p5.cfg \
        -j jobs/llama3-405b.cfg --json "$json"; then
        if python3 - "$json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.show/1"
p = d["derived"]["parameters_total"]
assert abs(p - 405e9) < 0.01 * 405e9, p
s = d["job"]["settings"]
assert s["training.train_tokens"]["value"] > 2**32
assert s["training.train_tokens"]["unit"] == "tokens"
assert d["derived"]["dp"] * \
    s["parallel.tensor_model_parallel_size"]["value"] * \
    s["parallel.pipeline_model_parallel_size"]["value"] * \
    s["parallel.context_parallel_size"]["value"] == \
    s["parallel.num_gpus"]["value"]
t = d["topology"]["settings"]
assert t["accelerator.bf16_tflops"]["unit"] == "TFLOP/s"
EOF
        then ok "show --json parses and agrees"
        else err "show --json"
        fi
    fi
    expect 0 "$TCEMU" show -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg \
        --json - &&
        { python3 -c 'import json,sys; json.load(sys.stdin)' \
              <"$scratch/out" && ok "show --json - is only JSON" ||
              err "show --json - is not pure JSON"; }
else
    echo "# topologies/aws-p5.cfg or jobs/llama3-405b.cfg missing: 405B check skipped"
fi

echo "# validate.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
