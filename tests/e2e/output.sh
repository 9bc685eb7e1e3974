#!/usr/bin/env bash
# Result files as a user hits them: a device given as --json stays a device
# (a private node, never the machine's own /dev/null), a device or file
# system that refuses the bytes gives exit 1 and no truncated file, a
# symbolic link planted at the old temporary name is not followed, stdout
# that cannot be written is an error, and JSON stays valid UTF-8 whatever a
# config string holds.  Device nodes and the small file system need root
# (and unshare for a private mount); without it those cases say so.
source "$(dirname "$0")/lib.bash"
absolute_paths
out=$(mktemp -d)
trap 'umount "$out/small" 2>/dev/null; rm -rf "$out"' EXIT
P=("$TCEMU" project -t "$root/topologies/aws-p5.cfg" -j "$root/jobs/llama3-70b.cfg")

is_char_device() { [ -c "$1" ]; }
no_temporaries() { [ -z "$(find "$1" -name '.tcemu-*')" ]; }
same_file() { cmp -s "$1" "$2"; }
json_ok() { python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read())' "$1"; }
mentions() { grep -q -- "$1" "$out/status.err" || { echo "stderr lacks '$1':"; cat "$out/status.err"; return 1; }; }

if [ "$(id -u)" -eq 0 ] && mknod "$out/null" c 1 3 && mknod "$out/full" c 1 7; then
    check "--json to a private null device: exit 0" status_is 0 "${P[@]}" --json "$out/null"
    check "the null device is still a device" is_char_device "$out/null"
    check "--json to a private full device: exit 1" status_is 1 "${P[@]}" --json "$out/full"
    check "the error names the path given" mentions "$out/full"
    check "the full device is still a device" is_char_device "$out/full"
    check "--csv to a private full device: exit 1" status_is 1 "${P[@]}" --csv "$out/full"
    for c in "project -t $root/topologies/aws-p5.cfg -j $root/jobs/llama3-70b.cfg" \
             "show -t $root/topologies/aws-p5.cfg -j $root/jobs/tiny.cfg" \
             "validate $root/jobs/tiny.cfg" "validate --keys job" "reproduce" \
             "search -t $root/topologies/workstation.cfg -j $root/jobs/tiny.cfg --gpus 8" \
             "compare -j $root/jobs/tiny.cfg -t $root/topologies/workstation.cfg --gpus 8" \
             "--help" "--version"; do
        check "stdout on a full device: tcemu $c exits 1" status_is 1 sh -c "exec $TCEMU $c >'$out/full'"
    done
else
    echo "# skipped: private device nodes need root"
fi

# a full file system: a 64 KiB tmpfs in a private mount namespace
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
    mkdir -p "$out/small"
    cat >"$out/full-fs.sh" <<SH
set -u
mount -t tmpfs -o size=64k tmpfs "$out/small" || exit 99
echo old >"$out/small/result.json"
head -c 60000 /dev/zero >"$out/small/filler" 2>/dev/null
${P[*]} --gpus 1024:65536:x2 --json "$out/small/result.json" >/dev/null 2>"$out/small-err"
rc=\$?
cat "$out/small/result.json" >"$out/small-after"
find "$out/small" -name '.tcemu-*' >"$out/small-left"
exit \$rc
SH
    unshare -m --propagation private bash "$out/full-fs.sh"
    rc=$?
    if [ "$rc" -eq 99 ]; then
        echo "# skipped: cannot mount a tmpfs here"
    else
        check "full file system: exit 1" test "$rc" -eq 1
        check "full file system: the old result is intact" test "$(cat "$out/small-after")" = old
        check "full file system: no temporary left" test ! -s "$out/small-left"
    fi
else
    echo "# skipped: a private tmpfs needs root and unshare"
fi

# a symbolic link at the old temporary name (PATH.tmp.PID: the PID is kept
# by exec) must not be followed
echo precious >"$out/victim"
ln -s "$out/victim" "$out/res.json.tmp.trap"
check "a planted link at PATH.tmp.PID is not followed" bash -c \
    'ln -sf "$1/victim" "$1/res.json.tmp.$$"; exec "${@:2}" --json "$1/res.json" >/dev/null' \
    _ "$out" "${P[@]}"
check "the link's target is untouched" test "$(cat "$out/victim")" = precious
check "the result is complete JSON" json_ok "$out/res.json"
check "no temporaries left" no_temporaries "$out"

# --json '' is a usage error
check "--json '' exits 2" status_is 2 "${P[@]}" --json ''

# invalid UTF-8 in a config string: the JSON stays valid
printf 'name = "bad \xff\xfe name \xc3\xa9";\n' >"$out/job.cfg"
grep -v '^name' "$root/jobs/llama3-8b.cfg" >>"$out/job.cfg"
"$TCEMU" project -t "$root/topologies/aws-p5.cfg" -j "$out/job.cfg" --json "$out/u.json" >/dev/null 2>&1
check "invalid UTF-8 in a string: valid JSON" json_ok "$out/u.json"
# inputs that are not regular files fail at once (they used to hang: a FIFO
# with no writer blocked open(), /dev/zero looped at full CPU)
mkfifo "$out/fifo.cfg"
printf '@include "fifo.cfg"\n' >"$out/inc.cfg"
within_1s() { timeout 1 "$@" >/dev/null 2>"$out/within.err"; [ $? -eq 2 ] && grep -q 'not a regular file' "$out/within.err"; }
check "a FIFO as -j: exit 2 within a second" within_1s "$TCEMU" project -t "$root/topologies/aws-p5.cfg" -j "$out/fifo.cfg"
check "a FIFO as -t: exit 2 within a second" within_1s "$TCEMU" project -t "$out/fifo.cfg" -j "$root/jobs/llama3-8b.cfg"
check "a FIFO through @include: exit 2 within a second" within_1s "$TCEMU" validate "$out/inc.cfg"
check "a FIFO as --reference: exit 2 within a second" within_1s "$TCEMU" reproduce --reference "$out/fifo.cfg"
if [ "$(id -u)" -eq 0 ] && mknod "$out/zero" c 1 5; then
    check "a private /dev/zero node as --reference: exit 2 within a second" within_1s "$TCEMU" reproduce --reference "$out/zero"
    check "a private /dev/zero node as -j: exit 2 within a second" within_1s "$TCEMU" validate "$out/zero"
fi

# result paths are checked before long work starts
quick_fail() { timeout 2 "$@" >/dev/null 2>"$out/q.err"; [ $? -eq 1 ] && grep -q "$out/no/such/dir" "$out/q.err"; }
check "search --json to a missing directory fails before searching" quick_fail \
    "$TCEMU" search -t "$root/topologies/aws-p5.cfg" -j "$root/jobs/llama3-405b.cfg" --gpus 16384 --json "$out/no/such/dir/s.json"
check "compare --csv to a missing directory fails before comparing" quick_fail \
    "$TCEMU" compare -j "$root/jobs/llama3-405b.cfg" -t "$root/topologies/aws-p5.cfg" --deadline 90 --csv "$out/no/such/dir/c.csv"

# the Slurm helper records OMPI_MCA_* as the README says (it dropped them
# for their lower-case letters) and writes its JSON through a link safely
echo '{"complete": true}' >"$out/slurm-real.json"
ln -s slurm-real.json "$out/slurm-link.json"
annotated() {
    (source "$root/slurm/tcemu-lib.sh" >/dev/null 2>&1
     OMPI_MCA_btl_tcp_if_include=br0 SLURM_JOB_ID=7 tce_annotate "$out/slurm-link.json" run 0) &&
    [ -L "$out/slurm-link.json" ] &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["slurm"]["environment"]; assert e.get("OMPI_MCA_btl_tcp_if_include") == "br0" and e.get("SLURM_JOB_ID") == "7", e' "$out/slurm-real.json"
}
check "tce_annotate records OMPI_MCA_* and keeps a link a link" annotated
check "no temporaries left after the Slurm helper" no_temporaries "$out"
[ "$fails" -eq 0 ]
