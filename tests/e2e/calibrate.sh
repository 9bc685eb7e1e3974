#!/usr/bin/env bash
# calibrate.sh - tcemu calibrate on this host (no root needed): 4 ranks in
# 2 virtual nodes fit scale_up and scale_out; the calibration file validates
# and carries provenance; the JSON parses; bad usage exits 2; an unwritable
# result path fails before measuring (exit 1); SIGUSR1 to mpirun (by its
# pid) or SIGTERM to the ranks mid-run writes the results so far marked
# incomplete and exits 5.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-calibrate
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
check_echo=0
status() {  # status WANT CMD...: the command exits with WANT
    local want=$1; shift
    echo "# $*"
    "$@" >/dev/null 2>&1
    [ $? -eq "$want" ]
}
rm -rf "$out"
mkdir -p "$out"
mpi=(timeout 120 mpirun --oversubscribe -np 4 "$TCEMU" calibrate --ranks-per-node 2)

check "--help exits 0" status 0 "$TCEMU" calibrate --help
check "-b above -e exits 2" status 2 "$TCEMU" calibrate -b 9 -e 8
check "unknown collective exits 2" status 2 "$TCEMU" calibrate -c nosuch
check "one rank: nothing to calibrate, exit 2" \
    status 2 timeout 60 mpirun -np 1 "$TCEMU" calibrate -o "$out/none.cfg"
check "unwritable -o: exit 1 before measuring" \
    status 1 "${mpi[@]}" -o "$out/no/such/dir/cal.cfg"
check "unwritable --json: exit 1 before measuring" \
    status 1 "${mpi[@]}" -o "$out/x.cfg" --json "$out/no/such/dir/cal.json"
check "missing topology exits 2 on every rank" \
    status 2 "${mpi[@]}" -t "$out/nothere.cfg" -o "$out/none.cfg"

echo "# ${mpi[*]} -t topologies/workstation.cfg -o $out/cal.cfg --json $out/cal.json -e 8Mi -n 20"
check "4 ranks, 2 virtual nodes: exit 0" \
    sh -c "$(printf '%q ' "${mpi[@]}") -t topologies/workstation.cfg -o '$out/cal.cfg' --json '$out/cal.json' -e 8Mi -n 20 >'$out/cal.out' 2>&1"
check "calibration file validates" "$TCEMU" validate "$out/cal.cfg"
check "provenance and both link classes in the file" sh -c "
    grep -q 'tcemu_version = \"' '$out/cal.cfg' && grep -q 'mpi_library = \"Open MPI' '$out/cal.cfg' &&
    grep -q 'ranks = 4' '$out/cal.cfg' && grep -q 'ranks_per_node = 2' '$out/cal.cfg' &&
    grep -q 'link = \"scale_up\"' '$out/cal.cfg' && grep -q 'link = \"scale_out\"' '$out/cal.cfg' &&
    grep -q 'collectives = (' '$out/cal.cfg'"
check "JSON: complete, fits positive, every point has its fit" python3 - "$out/cal.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tcemu.calibrate/2" and d["complete"] is True
links = {l["link"]: l for l in d["links"] if not l["pattern"]}
assert set(links) == {"scale_up", "scale_out"}
# links: the pattern 2 nodes of 2 ranks add (groups of 2 per node across
# nodes, one per node at once), and one entry per kind and pattern
patterns = [(l["link"], l["ranks_per_node"], l["concurrency"]) for l in d["links"]]
assert sorted(patterns) == [("scale_out", 1, 2), ("scale_out", 2, 1), ("scale_up", 2, 1)], patterns
entries = d["collective_entries"]
assert len(entries) == 15, len(entries)
for e in entries:
    assert [r["regime"] for r in e["regimes"]] == ["small", "medium", "large"]
    assert all(r["bandwidth_gbytes_per_s"] > 0 and r["latency_us"] >= 0 for r in e["regimes"])
    assert e["regimes"][1]["from_bytes"] <= e["regimes"][2]["from_bytes"]
    # the sizes measured (-b default 8 B, a kind's first size that its 4
    # ranks divide; -e 8 MiB): beyond them the reports say a line is
    # extrapolated
    assert 8 <= e["min_bytes"] <= 32 and e["max_bytes"] == 8 << 20, e
for l in links.values():
    assert l["fitted"] and l["latency_us"] >= 0 and l["bandwidth_gbytes_per_s"] > 0
    kinds = {c["collective"] for c in l["collectives"]}
    assert kinds == {"sendrecv", "allreduce", "allgather", "reducescatter", "alltoall"}, kinds
    for c in l["collectives"]:
        assert len(c["points"]) >= 4
        assert all(p["time_us"] > 0 for p in c["points"])
        if "efficiency" in c:
            assert c["efficiency"] > 0 and all("fit_time_us" in p for p in c["points"])
PYEOF
# an op beyond the largest size measured is priced by the large regime's
# line, extrapolated, and project says so (the DP all-reduce of
# tests/fixtures/links/dp.cfg in one bucket is 10 MB against 8 MiB
# measured)
sed '/ddp_bucket_size = /d' tests/fixtures/links/dp.cfg >"$out/dp-one-bucket.cfg"
check "project: the op beyond the sizes measured is named as extrapolated" sh -c "
    grep -q 'max_bytes = 8388608L' '$out/cal.cfg' &&
    '$TCEMU' project -t topologies/workstation.cfg -j '$out/dp-one-bucket.cfg' --gpus 4 \
        --calibration '$out/cal.cfg' >'$out/proj-outside.out' 2>&1 &&
    grep -q '1 outside the sizes measured (the nearest regime.s line extrapolated; first: all_reduce dp 10.1M bytes, measured 8 to 8.39M)' '$out/proj-outside.out' &&
    '$TCEMU' project -t topologies/workstation.cfg -j tests/fixtures/links/tp-span.cfg --gpus 4 \
        --calibration '$out/cal.cfg' >'$out/proj-inside.out' 2>&1 &&
    grep -q 'links: ' '$out/proj-inside.out' && ! grep -q 'outside the sizes' '$out/proj-inside.out'"
check "table: nccl-tests style comment lines and a fit summary" sh -c "
    grep -q '^# link class scale_up' '$out/cal.out' && grep -q '^# scale_out: latency' '$out/cal.out' &&
    ! grep -v -E '^(#|  |tcemu: )' '$out/cal.out' | grep -q ."

# SIGUSR1 mid-run: a long sweep, signalled in its second collective.
# mpirun itself is signalled (timeout would not pass SIGUSR1 on); the wait
# is bounded by hand.
echo "# mpirun -np 4 $TCEMU calibrate ... -e 64Mi -f 2 -n 40 & kill -USR1 <mpirun pid>"
mpirun --oversubscribe -np 4 "$TCEMU" calibrate --ranks-per-node 2 \
    -o "$out/part.cfg" --json "$out/part.json" -e 64Mi -f 2 -n 40 >"$out/part.out" 2>&1 &
pid=$!
# Signal once send/recv is measured and the all-reduce sweep has begun.
for i in $(seq 1 120); do grep -q '^  allreduce' "$out/part.out" 2>/dev/null && break; sleep 0.25; done
kill -USR1 "$pid"
for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && { echo "# still running after 60 s: killing $pid"; kill -KILL "$pid"; }
wait "$pid"
rc=$?
check "SIGUSR1: exit 5 (stopped, partial results written)" test "$rc" -eq 5
check "SIGUSR1: JSON says incomplete" python3 -c "
import json, sys
d = json.load(open('$out/part.json'))
sys.exit(not (d['complete'] is False and d['stopped_by_signal'] == 10))"
check "SIGUSR1: calibration file marked INCOMPLETE and valid" sh -c "
    grep -q '^# INCOMPLETE' '$out/part.cfg' && '$TCEMU' validate '$out/part.cfg' >/dev/null"

# SIGTERM to every rank (what srun and scancel send): the same clean stop.
echo "# mpirun -np 4 $TCEMU calibrate ... & kill -TERM <every rank>"
rm -f "$out/term.json"
mpirun --oversubscribe -np 4 "$TCEMU" calibrate --ranks-per-node 2 \
    -o "$out/term.cfg" --json "$out/term.json" -e 64Mi -f 2 -n 40 >"$out/term.out" 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q '^  allreduce' "$out/term.out" 2>/dev/null && break; sleep 0.25; done
for r in $(pgrep -P "$pid"); do kill -TERM "$r"; done
for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && { echo "# still running after 60 s: killing $pid"; kill -KILL "$pid"; }
wait "$pid"
rc=$?
check "SIGTERM to the ranks: exit 5" test "$rc" -eq 5
check "SIGTERM to the ranks: JSON incomplete, stopped by 15" python3 -c "
import json, sys
d = json.load(open('$out/term.json'))
sys.exit(not (d['complete'] is False and d['stopped_by_signal'] == 15))"

echo "# calibrate.sh: $fails failed"
[ "$fails" -eq 0 ]
