#!/usr/bin/env bash
# Run every benchmark script tests/bench/*.sh (except this one); `make bench`.
set -u
cd "$(dirname "$0")/../.." || exit 2
status=0
for b in tests/bench/*.sh; do
    [ "$b" = tests/bench/run.sh ] && continue
    echo "# run: bash $b"
    bash "$b" || { echo "ERR  $b"; status=1; }
done
exit $status
