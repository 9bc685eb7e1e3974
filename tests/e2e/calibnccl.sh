#!/usr/bin/env bash
# calibnccl.sh - tcemu calibrate --from-nccl-tests (no mpirun, no GPU): real
# nccl-tests outputs give a calibration that validates and says
# path = "nccl_device"; bad output exits 2 citing the file and line; a
# projection with it says which path its link parameters measured (human
# assumption line and JSON), and one with an MPI calibration says mpi_ranks.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-calibnccl
rm -rf "$out"
mkdir -p "$out"
fx=tests/fixtures/nccl-tests
check_echo=0

check "--from-nccl-tests --help exits 0 and documents it" sh -c "
    '$TCEMU' calibrate --from-nccl-tests --help | grep -q 'usage: tcemu calibrate --from-nccl-tests FILE'"
check "calibrate --help names --from-nccl-tests" sh -c "
    '$TCEMU' calibrate --help | grep -q -- '--from-nccl-tests FILE'"
check "no file exits 2" status_is 2 "$TCEMU" calibrate --from-nccl-tests -o "$out/none.cfg"

echo "# $TCEMU calibrate --from-nccl-tests $fx/all_reduce_perf-h100-2x8.txt $fx/alltoall_perf-2x8-nccl2.30.txt $fx/all_gather_perf_mpi-tag-output.txt -o $out/cal.cfg"
check "three runs (2 x 8 H100 all-reduce, 2 x 8 all-to-all, one host all-gather): exit 0" sh -c "
    '$TCEMU' calibrate --from-nccl-tests $fx/all_reduce_perf-h100-2x8.txt \
        $fx/alltoall_perf-2x8-nccl2.30.txt $fx/all_gather_perf_mpi-tag-output.txt \
        -o '$out/cal.cfg' >'$out/cal.out' 2>'$out/cal.err'"
check "the calibration validates" "$TCEMU" validate "$out/cal.cfg"
check "path nccl_device, both classes, provenance from the rank lines" sh -c "
    grep -q 'path = \"nccl_device\";' '$out/cal.cfg' &&
    grep -q 'link = \"scale_out\"' '$out/cal.cfg' && grep -q 'link = \"scale_up\"' '$out/cal.cfg' &&
    grep -q 'hosts = \"ztan-mig-235z,ztan-mig-gq73,R6KD-CX8aaS-GPU-14,R6KD-CX8aaS-GPU-15,lab\";' '$out/cal.cfg' &&
    grep -q 'ranks = 16L;' '$out/cal.cfg' && grep -q 'ranks_per_node = 8L;' '$out/cal.cfg' &&
    grep -q 'mpi_library = \"none: NCCL, from nccl-tests 2.18.3 output\";' '$out/cal.cfg'"
check "scale_out from the all-reduce: 340 GB/s bus bandwidth, 130 us over 30 ring steps" python3 - "$out/cal.cfg" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
out = t[t.index('link = "scale_out"'):]
bw = float(re.search(r"bandwidth_gbytes_per_s = ([0-9.e+-]+);", out).group(1))
lat = float(re.search(r"latency_us = ([0-9.e+-]+);", out).group(1))
a2a = float(re.search(r"alltoall_efficiency = ([0-9.e+-]+);", out).group(1))
ar = float(re.search(r"allreduce_efficiency = ([0-9.e+-]+);", out).group(1))
assert 335 < bw < 350 and 123 / 30 < lat < 136 / 30 and ar == 1 and 0.05 < a2a < 0.2, (bw, lat, ar, a2a)
PYEOF
check "stdout: nccl-tests style comment lines with the fit" sh -c "
    grep -q '^# scale_out: latency .* from allreduce on 16 ranks' '$out/cal.out' &&
    grep -q '^#   alltoall  *efficiency' '$out/cal.out' &&
    ! grep -v '^#' '$out/cal.out' | grep -q ."

check "--json -: tcemu.calibrate/2 with path nccl_device, the runs and the fits" sh -c "
    '$TCEMU' calibrate --from-nccl-tests $fx/all_reduce_perf-h100-2x8.txt $fx/all_gather_perf_mpi-tag-output.txt \
        -o '$out/cal2.cfg' --json - 2>'$out/cal2.err' | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"schema\"] == \"tcemu.calibrate/2\" and d[\"path\"] == \"nccl_device\" and d[\"complete\"] is True
assert [r[\"collective\"] for r in d[\"runs\"]] == [\"allreduce\", \"allgather\"]
assert [r[\"nodes\"] for r in d[\"runs\"]] == [2, 1] and d[\"runs\"][0][\"ranks\"] == 16
links = {l[\"link\"]: l for l in d[\"links\"]}
assert set(links) == {\"scale_out\", \"scale_up\"} and links[\"scale_out\"][\"link_from\"] == \"allreduce\"
assert links[\"scale_out\"][\"collectives\"][0][\"points\"] == 31
' && grep -q '^# scale_out: latency' '$out/cal2.err' && '$TCEMU' validate '$out/cal2.cfg' >/dev/null"
check "a cut row exits 2 citing the file and line" sh -c "
    '$TCEMU' calibrate --from-nccl-tests $fx/bad/all_reduce_perf-cut-row.txt -o '$out/bad.cfg' 2>'$out/bad.err';
    test \$? -eq 2 && grep -q '^$fx/bad/all_reduce_perf-cut-row.txt:38: error: an nccl-tests row needs' '$out/bad.err' &&
    test ! -e '$out/bad.cfg'"
check "a build without MPI=1 (every process rank 0) exits 2 at its second header" sh -c "
    '$TCEMU' calibrate --from-nccl-tests $fx/bad/all_reduce_perf-no-mpi-build.txt -o '$out/bad.cfg' 2>'$out/bad.err';
    test \$? -eq 2 && grep -q ':4: error: a second nccl-tests header' '$out/bad.err'"
check "output without rank lines exits 2: its class is unknown" sh -c "
    '$TCEMU' calibrate --from-nccl-tests $fx/alltoall_perf-v100-8x8-old.txt -o '$out/bad.cfg' 2>'$out/bad.err';
    test \$? -eq 2 && grep -q 'cannot tell whether it ran inside a node' '$out/bad.err'"
check "a bad path key in a calibration file: file:line error, exit 2" sh -c "
    '$TCEMU' validate tests/fixtures/bad/calibration-bad-path.cfg 2>'$out/val.err';
    test \$? -eq 2 && grep -q 'calibration-bad-path.cfg:5: error: calibration.path: expected one of mpi_ranks, nccl_device' '$out/val.err'"

proj=("$TCEMU" project -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg)
check "project with it: the assumption line names the NCCL device path" sh -c "
    $(printf '%q ' "${proj[@]}") --calibration '$out/cal.cfg' |
    grep -q '^# assumption: link parameters: measured, from calibration file $out/cal.cfg (path nccl_device: NCCL on the GPUs, from nccl-tests output)'"
check "project --json says calibration_path_measured nccl_device" sh -c "
    $(printf '%q ' "${proj[@]}") --calibration '$out/cal.cfg' --json - |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"calibration_path_measured\"] == \"nccl_device\", d.get(\"calibration_path_measured\")'"
check "an MPI calibration is named mpi_ranks" sh -c "
    $(printf '%q ' "${proj[@]}") --calibration tests/fixtures/good/calibration.cfg |
    grep -q '(path mpi_ranks: MPI ranks on host memory, not NCCL on the GPUs)'"
echo "# calibnccl.sh: $fails failed"
[ "$fails" -eq 0 ]
