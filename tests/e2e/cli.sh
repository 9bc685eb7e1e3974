#!/usr/bin/env bash
# The command line's small things: `tcemu help COMMAND` is the command's own
# --help; an unknown command gets "did you mean"; `validate -` reads
# standard input (a pipe or a redirected file; messages cite '-:LINE',
# @include from the current directory, oversized input refused, nothing
# left in TMPDIR); -t/-j NAMEs from the checkout; every warning printed on
# stderr carries the documented prefix ("tcemu: ", "tcemu CMD: " or the
# user's "path:line: ").
source "$(dirname "$0")/lib.bash"
absolute_paths
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# --- help COMMAND ------------------------------------------------------------
same_help() {
    "$TCEMU" help "$1" >"$out/a" 2>&1 && "$TCEMU" "$1" --help >"$out/b" 2>&1 &&
        cmp -s "$out/a" "$out/b" && grep -q "^usage: .*tcemu $1" "$out/a"
}
for c in validate show project reproduce search compare run bench calibrate; do
    check "tcemu help $c = tcemu $c --help" same_help "$c"
done
check "tcemu help = tcemu --help" cmp -s <("$TCEMU" help) <("$TCEMU" --help)
check "tcemu help nosuch: exit 2" status_is 2 "$TCEMU" help nosuch
check "tcemu help a b: exit 2" status_is 2 "$TCEMU" help project search

# --- operands: every command takes options only, and says which word is extra
extra_arg() { # extra_arg COMMAND ARGS...: exit 2, "unexpected argument 'stray'"
    status_is 2 "$TCEMU" "$@" stray || return 1
    grep -q "error: unexpected argument 'stray'$" "$out/status.err" ||
        { cat "$out/status.err"; return 1; }
}
tj=(-t topologies/dgx-h100.cfg -j jobs/llama3-8b.cfg)
for c in show project search compare; do
    check "$c with a stray operand: exit 2, named" extra_arg "$c" "${tj[@]}"
done
check "reproduce with a stray operand: exit 2, named" extra_arg reproduce
check "plot with a stray operand: exit 2, named" extra_arg plot scaling -t topologies/dgx-h100.cfg -j jobs/llama3-8b.cfg
# --deadline and --budget: one rule for compare and plot, the option named
goal_bad() { # goal_bad OPTION VALUE COMMAND ARGS...
    status_is 2 "$TCEMU" "${@:3}" "$1" "$2" || return 1
    grep -q "error: $1: " "$out/status.err" || { cat "$out/status.err"; return 1; }
}
for c in compare "plot pareto"; do
    # shellcheck disable=SC2086
    check "$c --deadline 0: exit 2, named" goal_bad --deadline 0 $c "${tj[@]}"
    # shellcheck disable=SC2086
    check "$c --budget 0.5: exit 2, named" goal_bad --budget 0.5 $c "${tj[@]}"
done

# --- did you mean -------------------------------------------------------------
suggests() { # suggests TYPED WANT
    status_is 2 "$TCEMU" "$1" || return 1
    grep -qx "tcemu: error: unknown command '$1'; did you mean '$2'?" "$out/status.err" ||
        { cat "$out/status.err"; return 1; }
}
check "projet -> project" suggests projet project
check "valdate -> validate" suggests valdate validate
check "bnch -> bench" suggests bnch bench
check "help reproduc -> reproduce" status_is 2 "$TCEMU" help reproduc
check "... suggested" grep -q "did you mean 'reproduce'?" "$out/status.err"
check "xyzzy: no suggestion" status_is 2 "$TCEMU" xyzzy
check "... and the way to the list" bash -c '! grep -q "did you mean" "$1" && grep -q "tcemu --help" "$1"' _ "$out/status.err"

# --- validate - ---------------------------------------------------------------
v() { # v STDIN-FILE ARGS...: validate from a pipe, in $out/cwd
    (cd "$out/cwd" && cat "$1" | TMPDIR="$out/tmp" "$TCEMU" validate "${@:2}") \
        >"$out/v.out" 2>"$out/v.err"
}
v_exit2() { v "$@"; [ $? -eq 2 ]; }
mkdir -p "$out/cwd" "$out/tmp"
check "validate - (a pipe): ok" v "$root/jobs/tiny.cfg" -
check "... status line names '-'" grep -qx "# -: ok (job)" "$out/v.out"
sed 's/^\(\s*num_layers = \).*/\14.5;/' jobs/tiny.cfg >"$out/bad.cfg"
line=$(grep -n "num_layers" "$out/bad.cfg" | head -n 1 | cut -d: -f1)
check "validate - (bad job): exit 2" v_exit2 "$out/bad.cfg" -
check "... cites -:$line" grep -qx -- "-:$line: error: model.num_layers: expected an integer (got 4.5)" "$out/v.err"
# (aws-p4d: aws-p5 names its compute table relative to its own file, and
# standard input has no directory: that is resolved from the current one)
check "validate - < FILE (a regular file)" bash -c 'cd "$1" && "$2" validate - <"$3" | grep -qx "# -: ok (topology)"' \
    _ "$out/cwd" "$TCEMU" "$root/topologies/aws-p4d.cfg"
check "validate --kind job - (stdin twice)" v "$root/jobs/tiny.cfg" --kind job - -
check "... both ok" grep -qx "# 2 files: 2 ok, 0 failed" "$out/v.out"
# @include in standard input: from the current directory
printf 'name = "inc";\n' >"$out/cwd/part.cfg"
grep -v '^\s*name\s*=' jobs/tiny.cfg | sed '1i @include "part.cfg"' >"$out/inc.cfg"
check "validate -: @include from the current directory" v "$out/inc.cfg" -
printf '@include "nope.cfg"\n' >"$out/inc2.cfg"
check "validate -: a missing include is named" v_exit2 "$out/inc2.cfg" --kind job -
check "... at -:1" grep -q "^-:1: error: @include: cannot read 'nope.cfg'" "$out/v.err"
: >"$out/empty.cfg"
check "validate - (empty): exit 2" v_exit2 "$out/empty.cfg" -
head -c 300000 /dev/zero | tr '\0' '#' >"$out/huge.cfg"
check "validate - (300 kB): refused, exit 2" v_exit2 "$out/huge.cfg" --kind job -
check "... as too large" grep -q "^-:1: error: cannot read file: file too large" "$out/v.err"
check "validate -: nothing left in TMPDIR" test -z "$(ls -A "$out/tmp")"
check "project -t - -j tiny < topology (standard input)" \
    bash -c '"$1" project -t - -j tiny <"$2" | grep -q "^# topology: workstation"' _ "$TCEMU" "$root/topologies/workstation.cfg"

# --- NAMEs from the checkout ----------------------------------------------------
check "project -t aws-p5 -j llama3-70b (NAMEs) = the paths" \
    cmp -s <("$TCEMU" project -t aws-p5 -j llama3-70b --csv -) \
    <("$TCEMU" project -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg --csv -)
check "show -t aws-p5: the file found, relative to the checkout" \
    bash -c '"$1" show -t aws-p5 -j tiny | grep -qx "# topology: topologies/aws-p5.cfg (aws-p5)"' _ "$TCEMU"
check "-j llama3-7b: exit 2" status_is 2 "$TCEMU" show -t aws-p5 -j llama3-7b
check "... names the files tried and the nearest NAME" \
    grep -q "^tcemu: error: no job named 'llama3-7b' (tried .*jobs/llama3-7b.cfg.*); did you mean 'llama3-70b'?" "$out/status.err"

# --- warnings carry the documented prefix ------------------------------------
# (a) in the sources outside the runtime: every fprintf to stderr that says
#     "warning" starts "tcemu: " or "tcemu CMD: "
odd=$(grep -rn -A2 'fprintf(stderr' src --include='*.c' --exclude-dir=runtime |
    grep -i 'warning' | grep -v '"tcemu \(\([a-z]*\): \)\?warning: \|"tcemu: warning: ' |
    grep -v '^\S*-\s*\*\|tce_diag_warning')
check "non-runtime sources: every stderr warning prefixed" test -z "$odd" || echo "$odd"
# (b) what the commands print: each stderr line with 'warning' has a prefix
prefixed() {
    local f=$1
    ! grep -i 'warning' "$f" | grep -vE '^(tcemu( [a-z]+)?: warning: |[^: ]+:[0-9]+: warning: )'
}
"$TCEMU" show -t aws-p5 -j llama3-405b --gpus 65536 >/dev/null 2>"$out/w1"
"$TCEMU" compare -j llama3-70b -t aws-p5 -t workstation --gpus 2048 --plan nosuch >/dev/null 2>"$out/w2"
"$TCEMU" project -t aws-p5 -j llama3-405b --gpus 1024:65536:x2 >/dev/null 2>"$out/w3"
check "show over capacity: a warning, prefixed" bash -c 'grep -q "^tcemu show: warning: " "$1"' _ "$out/w1"
check "compare, no such contract: a warning, prefixed" bash -c 'grep -q "^tcemu compare: warning: .*no contract" "$1"' _ "$out/w2"
for f in "$out"/w1 "$out"/w2 "$out"/w3; do
    check "warnings prefixed: ${f##*/}" prefixed "$f"
done

[ "$fails" -eq 0 ]
