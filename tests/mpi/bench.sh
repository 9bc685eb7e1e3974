#!/usr/bin/env bash
# tcemu bench on 2, 4 and 8 ranks: every collective with a data check, every
# group kind, a corrupted check (exit 3), bad usage (exit 2), JSON parsed by
# python3 with busbw = algbw x the nccl-tests factor.
source "$(dirname "$0")/lib.bash"

ALL=allreduce,allgather,reducescatter,alltoall,sendrecv,broadcast
# rows with #wrong == 0 among the data lines
rows_ok() {
    awk -v want="$1" '!/^#/ && NF == 8 { n++; if ($8 != "0") bad++ }
        END { exit !(n == want && bad == 0) }' "$SCRATCH/out"
}
for np in 2 4 8; do
    mpi "$np" bench -c "$ALL" -b 64 -e 64Ki -f 4 -n 3 -w 1 --check
    # sizes 64, 256, ..., 65536: 6 per collective
    check "np=$np every collective, data check OK" rc_is 0
    check "np=$np 36 rows, all with 0 wrong" rows_ok 36
    check "np=$np footer" out_has "^# Avg bus bandwidth *: "
    check "np=$np verdict" out_has "^# data check: OK"
    check "np=$np header" out_has "^# ranks: $np"
    if [ "$np" -gt "$(nproc)" ]; then
        check "np=$np: ranks outnumber cores, warned once" \
            [ "$(grep -c "warning: $np ranks share $(nproc) cores" "$SCRATCH/err")" -eq 1 ]
    fi
done

# Every group kind on 8 ranks: 2 virtual nodes of 4, tp 2, cp 1, pp 2, ep 2.
groups="world:1:8 intra:2:4 inter:4:2 tp:4:2 cp:8:1 dp:4:2 ep:4:2 edp:8:1 pp:4:2"
for spec in $groups; do
    IFS=: read -r g n size <<<"$spec"
    mpi 8 bench -c allreduce,alltoall -b 1K -e 4K -f 4 -n 2 -w 1 --check \
        --ranks-per-node 4 --tp 2 --pp 2 --ep 2 -g "$g"
    check "group $g: exit 0" rc_is 0
    check "group $g: $n group(s) of $size ranks" \
        out_has "^# group: $g, $n group(s) of $size ranks"
    check "group $g: data check OK" out_has "^# data check: OK"
done

# A corrupted element on rank 0 (test-only injection) must fail the check.
TCEMU_TEST_CORRUPT=1 mpi 4 bench -c allgather,allreduce -b 1K -e 4K --check
check "corrupted check: exit 3" rc_is 3
check "corrupted check: FAILED verdict" out_has "^# data check: FAILED"
check "corrupted check: wrong elements counted" \
    awk '!/^#/ && NF == 8 && $8 == "1" {n++} END {exit !(n == 6)}' "$SCRATCH/out"

# Bad usage: the same message on every rank's behalf, exit 2.
mpi 2 bench -c allreduc
check "unknown collective: exit 2" rc_is 2
check "unknown collective: message" err_has "unknown collective 'allreduc'"
mpi 2 bench -g tp --tp 3
check "--tp not dividing the world: exit 2" rc_is 2
mpi 2 bench -b 1K -e 8
check "-b > -e: exit 2" rc_is 2

# A small /dev/shm (a private 1 MB tmpfs in a mount namespace; one rank,
# which needs no shared memory) is warned about.  Skipped without unshare.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
    unshare --mount true 2>/dev/null; then
    echo "# unshare --mount: 1 MB /dev/shm; $TCEMU bench -b 1K -e 1K"
    timeout -k 5 60 unshare --mount --propagation private sh -c \
        'mount -t tmpfs -o size=1m tmpfs /dev/shm && exec "$0" bench -b 1K -e 1K' \
        "$TCEMU" >"$SCRATCH/out" 2>"$SCRATCH/err"
    RC=$?
    check "small /dev/shm: still runs" rc_is 0
    check "small /dev/shm: warning" err_has "warning: /dev/shm has 1 MB free"
else
    echo "# skipped: small /dev/shm (needs root and unshare --mount)"
fi

# JSON through a real parser.
mpi 4 bench -c allreduce,sendrecv -b 1K -e 16K -f 4 --check --json - \
    --ranks-per-node 2
check "json: exit 0" rc_is 0
check "json: parsed, fields and busbw factors" python3 - "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.bench/1", d["schema"]
for k in ("version", "mpi_library", "command", "ranks", "nodes", "hosts",
          "group", "group_size", "iterations", "results",
          "avg_busbw_gbytes_per_s", "data_check"):
    assert k in d, k
assert d["ranks"] == 4 and d["nodes"] == 2 and len(d["hosts"]) == 4
assert d["data_check"] == "OK"
assert len(d["results"]) == 6, len(d["results"])
fac = {"allreduce": 2 * 3 / 4, "sendrecv": 1.0}
for r in d["results"]:
    assert r["wrong"] == 0
    assert r["time_us"] > 0
    alg = r["size_bytes"] / (r["time_us"] * 1e-6) / 1e9
    assert abs(r["algbw_gbytes_per_s"] - alg) <= 1e-6 * alg + 1e-9, r
    want = alg * fac[r["collective"]]
    assert abs(r["busbw_gbytes_per_s"] - want) <= 1e-6 * want + 1e-9, r
PY
check "json: table went to stderr" err_has "^# Avg bus bandwidth"
finish
