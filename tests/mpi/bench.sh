#!/usr/bin/env bash
# tcemu bench on 2, 4 and 8 ranks: every collective with a data check (on by
# default, as nccl-tests), out of place and in place, every group kind, a
# corrupted check (exit 3), nccl-tests' letters (K/M/G = 1024^n, -c, -a, -o,
# -d, -g), bad usage (exit 2), JSON and CSV parsed by python3 with busbw =
# algbw x the nccl-tests factor, a result path refused before the sweep, and
# SIGUSR1 mid-sweep: partial JSON/CSV marked incomplete, exit 5.
source "$(dirname "$0")/lib.bash"

ALL=allreduce,allgather,reducescatter,alltoall,sendrecv,broadcast
# data lines: collective size count type redop root, then time algbw busbw
# #wrong out of place ($7-$10) and in place ($11-$14; N/A for sendrecv).
# rows_ok N: N rows, #wrong 0 in both places.
rows_ok() {
    awk -v want="$1" '!/^#/ && NF == 14 { n++
            if ($10 != "0") bad++
            if ($14 != "0" && !($1 == "sendrecv" && $14 == "N/A")) bad++ }
        END { exit !(n == want && bad == 0) }' "$SCRATCH/out"
}
# every line of stdout that is not a data row starts with '#'
only_hash() { awk 'NF && !/^#/ && NF != 14 {bad++} END {exit bad > 0}' "$SCRATCH/out"; }
for np in 2 4 8; do
    mpi "$np" bench --collectives "$ALL" -b 64 -e 64K -f 4 -n 3 -w 1
    # sizes 64, 256, ..., 65536: 6 per collective
    check "np=$np every collective, data check OK" rc_is 0
    check "np=$np 36 rows, all with 0 wrong" rows_ok 36
    check "np=$np footer" out_has "^# Avg bus bandwidth *: "
    check "np=$np verdict" out_has "^# data check: OK"
    check "np=$np header" out_has "^# ranks: $np"
    check "np=$np in/out-of-place columns" out_has "^# .*out-of-place .*in-place"
    check "np=$np every non-data line starts with #" only_hash
    if [ "$np" -gt "$(nproc)" ]; then
        check "np=$np: ranks outnumber cores, warned once" \
            [ "$(grep -c "warning: $np ranks share $(nproc) cores" "$SCRATCH/err")" -eq 1 ]
    fi
done

# Every group kind on 8 ranks: 2 virtual nodes of 4, tp 2, cp 1, pp 2, ep 2.
groups="world:1:8 intra:2:4 inter:4:2 tp:4:2 cp:8:1 dp:4:2 ep:4:2 edp:8:1 pp:4:2"
for spec in $groups; do
    IFS=: read -r g n size <<<"$spec"
    mpi 8 bench --collectives allreduce,alltoall -b 1K -e 4K -f 4 -n 2 -w 1 \
        --ranks-per-node 4 --tp 2 --pp 2 --ep 2 --group "$g"
    check "group $g: exit 0" rc_is 0
    check "group $g: $n group(s) of $size ranks" \
        out_has "^# group: $g, $n group(s) of $size ranks"
    check "group $g: data check OK" out_has "^# data check: OK"
done

# A corrupted element on rank 0 (test-only injection) must fail the check.
# (TCEMU_TEST_* may move to a test-only build: see the rtcore work.)
TCEMU_TEST_CORRUPT=1 mpi_hooks 4 bench --collectives allgather,allreduce -b 1K -e 4K
check "corrupted check: exit 3" rc_is 3
check "corrupted check: FAILED verdict" out_has "^# data check: FAILED"
check "corrupted check: wrong elements counted in both places" \
    awk '!/^#/ && NF == 14 && $10 == "1" && $14 == "1" {n++} END {exit !(n == 6)}' "$SCRATCH/out"
TCEMU_TEST_CORRUPT=1 mpi_hooks 2 bench -b 1K -e 4K -c 0
check "corruption unseen with -c 0: exit 0" rc_is 0
check "-c 0: #wrong N/A" awk '!/^#/ && NF == 14 && $10 == "N/A" {n++} END {exit !(n == 3)}' "$SCRATCH/out"

# The old letters still work, with a warning: -c LIST, -g GROUP.
mpi 2 bench -c allreduce,allgather -g intra -b 1K -e 1K
check "old -c LIST -g GROUP: exit 0" rc_is 0
check "old -c LIST: warned" err_has "warning: bench -c LIST is deprecated"
check "old -g GROUP: warned" err_has "warning: bench -g GROUP is deprecated"
check "old -c LIST: both collectives" out_has "^  allgather "

# Sizes as nccl-tests: K, M, G are powers of 1024.
mpi 2 bench -b 1K -e 1M -f 32 -n 1 -w 0 -c 0
check "K/M/G: sizes 1024, 32768, 1048576" \
    awk '!/^#/ && NF == 14 {s = s $2 " "} END {exit !(s == "1024 32768 1048576 ")}' "$SCRATCH/out"

# -o: every op, checked on all-reduce and reduce-scatter, 4 ranks, 2 checks.
for op in sum prod min max; do
    mpi 4 bench --collectives allreduce,reducescatter,allgather -b 64 -e 64K -f 32 \
        -n 2 -w 1 -o "$op" -c 2
    check "-o $op: data check OK" out_has "^# data check: OK"
    check "-o $op: redop column" \
        awk -v op="$op" '!/^#/ && NF == 14 && $1 == "allreduce" && $5 == op {n++}
            !/^#/ && NF == 14 && $1 == "allgather" && $5 == "none" {m++}
            END {exit !(n == 3 && m == 3)}' "$SCRATCH/out"
done

# -a: the time each mode reports is recorded; -a 0..3 all run.
for a in 0 1 2 3; do
    mpi 2 bench -b 4K -e 4K -n 2 -w 1 -a "$a" --json -
    check "-a $a: average_mode in JSON" python3 -c \
        "import json,sys; d=json.load(open('$SCRATCH/out')); sys.exit(d['average_mode'] != $a)"
done

# Bad usage: the same message on every rank's behalf, exit 2.
mpi 2 bench --collectives allreduc
check "unknown collective: exit 2" rc_is 2
check "unknown collective: message" err_has "unknown collective 'allreduc'"
mpi 2 bench -g 2
check "-g 2: exit 2" rc_is 2
check "-g 2: explained" err_has "-g 2: only 1 (nccl-tests' GPUs per thread"
mpi 2 bench -d half
check "-d half: exit 2, explained" err_has "-d half: not supported"
mpi 2 bench -o avg
check "-o avg: explained" err_has "-o avg: an NCCL operation with no MPI"
mpi 2 bench -a 4
check "-a 4: exit 2" rc_is 2
mpi 2 bench --json - --csv -
check "--json - --csv -: exit 2" rc_is 2

# A result path that cannot be written fails before any measurement.
mpi 2 bench -b 1K -e 1K --json "$SCRATCH/no/such/dir/b.json"
check "bad --json path: non-zero exit" [ "$RC" -ne 0 ]
check "bad --json path: names the path" err_has "no/such/dir/b.json"
check "bad --json path: no row measured" awk '!/^#/ && NF == 14 {n++} END {exit n > 0}' "$SCRATCH/out"
mpi 2 bench -b 1K -e 1K --csv "$SCRATCH/no/such/dir/b.csv"
check "bad --csv path: non-zero exit" [ "$RC" -ne 0 ]
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
mpi 4 bench --collectives allreduce,sendrecv -b 1K -e 16K -f 4 --json - \
    --csv "$SCRATCH/b.csv" --ranks-per-node 2
check "json: exit 0" rc_is 0
check "json: parsed, fields and busbw factors" python3 - "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.bench/3", d["schema"]
assert d["complete"] is True and d["stopped_by_signal"] == 0
assert d["redop"] == "sum" and d["type"] == "float" and d["average_mode"] == 1
for k in ("tcemu_version", "mpi_library", "command", "ranks", "nodes", "hosts",
          "group", "group_size", "iterations", "results",
          "avg_busbw_gbytes_per_s", "data_check"):
    assert k in d, k
assert d["ranks"] == 4 and d["nodes"] == 2 and len(d["hosts"]) == 4
assert d["data_check"] == "OK"
assert len(d["results"]) == 6, len(d["results"])
fac = {"allreduce": 2 * 3 / 4, "sendrecv": 1.0}
for r in d["results"]:
    assert r["wrong"] == 0
    assert r["root"] == -1
    assert r["redop"] == ("sum" if r["collective"] == "allreduce" else "none")
    if r["collective"] == "sendrecv":
        assert r["in_place"] is None
    else:
        ip = r["in_place"]
        assert ip["wrong"] == 0 and ip["time_us"] > 0
        alg = r["size_bytes"] / (ip["time_us"] * 1e-6) / 1e9
        assert abs(ip["algbw_gbytes_per_s"] - alg) <= 1e-6 * alg + 1e-9, ip
    assert r["time_us"] > 0
    alg = r["size_bytes"] / (r["time_us"] * 1e-6) / 1e9
    assert abs(r["algbw_gbytes_per_s"] - alg) <= 1e-6 * alg + 1e-9, r
    want = alg * fac[r["collective"]]
    assert abs(r["busbw_gbytes_per_s"] - want) <= 1e-6 * want + 1e-9, r
PY
check "json: table went to stderr" err_has "^# Avg bus bandwidth"
check "csv: parsed, schema column, 6 rows, in place empty for sendrecv" \
    python3 - "$SCRATCH/b.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, len(rows)
for r in rows:
    assert r["schema"] == "tcemu.bench.csv/1" and r["complete"] == "1", r
    assert float(r["oop_time_us"]) > 0 and r["oop_wrong"] == "0", r
    if r["collective"] == "sendrecv":
        assert r["ip_time_us"] == "" and r["ip_wrong"] == "", r
    else:
        assert float(r["ip_busbw_gbytes_per_s"]) > 0, r
PY

# SIGUSR1 (Slurm's --signal=B:USR1@T) mid-sweep: the sweep ends at the next
# size, the sizes measured so far are written, marked incomplete; exit 5.
# The signal goes to this test's own mpirun (the child of its timeout).
echo "# SIGUSR1 to mpirun during: bench -b 1K -e 256M -n 40 --json --csv"
timeout -k 5 120 mpirun --oversubscribe -np 2 "$TCEMU" bench -b 1K -e 256M -n 40 \
    -w 1 --json "$SCRATCH/stop.json" --csv "$SCRATCH/stop.csv" \
    >"$SCRATCH/out" 2>"$SCRATCH/err" &
tpid=$!
for _ in $(seq 200); do
    awk '!/^#/ && NF == 14 {n++} END {exit !(n >= 3)}' "$SCRATCH/out" 2>/dev/null && break
    sleep 0.1
done
mpid=$(pgrep -P "$tpid" -x mpirun)
[ -n "$mpid" ] && kill -USR1 "$mpid"
wait "$tpid"
RC=$?
check "SIGUSR1: exit 5 (stopped, partial results written)" rc_is 5
check "SIGUSR1: INCOMPLETE line" out_has "^# INCOMPLETE: stopped by signal 10"
check "SIGUSR1: partial JSON, complete false, rows as printed" \
    python3 - "$SCRATCH/stop.json" "$SCRATCH/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [l for l in open(sys.argv[2]) if not l.startswith("#") and len(l.split()) == 14]
assert d["complete"] is False and d["stopped_by_signal"] == 10, d["complete"]
assert 3 <= len(d["results"]) < 19, len(d["results"])
assert len(d["results"]) == len(rows), (len(d["results"]), len(rows))
PY
check "SIGUSR1: partial CSV, complete 0" \
    awk -F, 'NR > 1 {n++; if ($NF != "0") bad++} END {exit !(n >= 3 && !bad)}' "$SCRATCH/stop.csv"
finish
