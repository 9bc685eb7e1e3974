#!/usr/bin/env bash
# README.md stays true: its key reference equals `tcemu validate --keys KIND
# --markdown`, every topology and job file it names exists, every shipped one
# is named, every subcommand it names answers --help, and its architecture
# section names every source module.
source "$(dirname "$0")/lib.bash"
check_echo=0
section() {   # the lines between <!-- keys:KIND --> and the next <!-- /keys -->
    awk -v k="<!-- keys:$1 -->" '$0 == k {on = 1; next} /^<!-- \/keys -->$/ {on = 0} on' README.md
}
for kind in topology job calibration; do
    check "README key reference for $kind matches the schema" \
        diff <(section "$kind") <("$TCEMU" validate --keys "$kind" --markdown)
done
for f in topologies/*.cfg jobs/*.cfg; do
    b=$(basename "$f")
    case $b in megatron-sc21-*) b=megatron-sc21- ;; esac
    check "README names $f" grep -q -- "$b" README.md
done
for f in $(grep -oE '`(topologies|jobs)/[a-z0-9.-]+\.cfg`' README.md | tr -d '`' | sort -u); do
    check "file named in README exists: $f" test -f "$f"
done
for c in $(grep -oE '^\| `tcemu [a-z]+' README.md | awk '{print $3}' | sort -u); do
    check "tcemu $c --help" sh -c "'$TCEMU' $c --help >/dev/null 2>&1"
done
# the architecture section names every source module (keeps it true as
# files are added, split or renamed)
arch=$(awk '/^## Architecture$/ {on = 1; next} /^## / {on = 0} on' README.md)
for f in $(find src -name '*.c' | sort); do
    m=$(basename "$f" .c)
    check "README's architecture names $f" grep -q -- "\`$m\`" <<<"$arch"
done
echo "# readme.sh: $fails failed"
[ "$fails" -eq 0 ]
