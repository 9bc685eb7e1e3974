#!/usr/bin/env bash
# Golden outputs: every deterministic command on the shipped files
# (tests/golden/cases.sh) gives byte for byte the stdout, stderr and exit
# status stored in tests/golden/expected/ (one file per command line, named
# by its SHA-1).  Only the version's git hash and wall-clock timings are
# masked.  After an intended change of output:
#     TCE_GOLDEN_UPDATE=1 bash tests/e2e/golden.sh
# rewrites the expected files; review the diff before committing it.
set -u
cd "$(dirname "$0")/../.." || exit 2
T=${TCEMU:-bin/tcemu}
dir=tests/golden/expected
update=${TCE_GOLDEN_UPDATE:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mask() {
    sed -E -e 's/git [0-9a-f]{7,40}(-dirty)?/git HASH/g' \
        -e 's/(search time )[0-9.]+ s: [0-9]+ candidates\/s, [0-9]+ projections\/s/\1X s: X candidates\/s, X projections\/s/' \
        -e 's/(candidates in )[0-9.]+ s \([0-9]+\/s\)/\1X s (X\/s)/' \
        -e 's/("elapsed_s": )[0-9.e+-]+/\1X/' \
        -e 's/("candidates_per_s": )[0-9.e+-]+/\1X/' \
        -e 's/( in )[0-9.]+( s| ms)( \(|$)/\1X\2\3/'
}

bash tests/golden/cases.sh >"$work/cases"
[ -n "$update" ] && mkdir -p "$dir" && rm -f "$dir"/*.txt
n=0 bad=0
while IFS= read -r line; do
    n=$((n + 1))
    id=$(printf '%s' "$line" | sha1sum | cut -c1-16)
    cmd=${line//\$T/$T}
    out="$work/out" errf="$work/err"
    eval "$cmd" >"$out" 2>"$errf" </dev/null
    rc=$?
    {
        echo "command: $line"
        echo "exit: $rc"
        echo "--- stdout"
        mask <"$out"
        echo "--- stderr"
        mask <"$errf"
    } >"$work/got"
    if [ -n "$update" ]; then
        cp "$work/got" "$dir/$id.txt"
    elif ! cmp -s "$work/got" "$dir/$id.txt"; then
        bad=$((bad + 1))
        echo "ERR  $line"
        if [ -f "$dir/$id.txt" ]; then
            diff "$dir/$id.txt" "$work/got" | head -n 20 | sed 's/^/    | /'
        else
            echo "    | no expected output stored ($dir/$id.txt)"
        fi
    fi
done <"$work/cases"
if [ -n "$update" ]; then
    echo "# golden: wrote $n expected outputs to $dir"
    exit 0
fi
echo "# golden: $((n - bad)) of $n command outputs identical"
[ "$bad" -eq 0 ]
