#!/usr/bin/env bash
# plots.sh - tcemu plot and project --trace end to end: every kind of plot
# writes a valid PNG (magic bytes, 1200x700 in the IHDR read by python3)
# and SVG (python3's XML parser), and its .gp script alone redraws the
# pictures with gnuplot; bad input fails with one clear line and the
# documented exit status; without gnuplot, exit 1 and the script is still
# written.  The modelled timelines (1F1B and interleaved) parse as JSON,
# every stage and microbatch appears, each microbatch's forward comes
# before its backward on every stage and chunk, and no two slices of one
# track overlap; the timeline stays within 25% of the projector's closed-form
# iteration (it plays out unequal stages that the closed form prices at the
# slowest one).
# Every case prints its command and ok/ERR; exits non-zero if any failed.
source "$(dirname "$0")/lib.bash"
out=${BUILD_ROOT:-build}/e2e-plots
rm -rf "$out"
mkdir -p "$out"
have_gnuplot=1
command -v gnuplot >/dev/null 2>&1 || { have_gnuplot=0; echo "# gnuplot missing: picture cases skipped (Debian: gnuplot-nox)"; }

check "example pictures (tests/pictures.sh)" bash tests/pictures.sh "$out/pictures"

png_ok() { # png_ok FILE: PNG magic and a 1200x700 IHDR
    python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert b[12:16] == b"IHDR", "no IHDR"
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (1200, 700), (w, h)
assert len(b) > 10000, "suspiciously small"
PY
}
svg_ok() {
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.tag.endswith("svg"), r.tag
assert r.get("viewBox") == "0 0 1200 700", r.get("viewBox")
texts = "".join(t.text or "" for t in r.iter() if t.tag.endswith("text"))
assert "modelled" in texts or "measured" in texts, "title says neither measured nor modelled"
PY
}
redraw_ok() { # redraw_ok NAME: gnuplot NAME.gp alone rewrites NAME.png and NAME.svg
    local d=$out/pictures
    rm -f "$d/$1.png" "$d/$1.svg"
    gnuplot "$d/$1.gp" && png_ok "$d/$1.png" && svg_ok "$d/$1.svg"
}
for k in scaling breakdown pareto bench run; do
    check "$k: script has its data inline" grep -q '^\$[a-z0-9]* << EOD$' "$out/pictures/$k.gp"
    [ "$have_gnuplot" -eq 1 ] || continue
    check "$k: PNG 1200x700" png_ok "$out/pictures/$k.png"
    check "$k: SVG parses" svg_ok "$out/pictures/$k.svg"
    check "$k: the .gp alone redraws both" redraw_ok "$k"
done

err_is() { # err_is STATUS TEXT CMD...: exit STATUS, TEXT in stderr, one error line
    local want=$1 text=$2; shift 2
    status_is "$want" "$@" || return 1
    grep -q -- "$text" "$out/status.err" || { echo "stderr lacks '$text':"; cat "$out/status.err"; return 1; }
    [ "$(grep -c 'error:' "$out/status.err")" -eq 1 ] || { echo "not one error line:"; cat "$out/status.err"; return 1; }
}
T=$TCEMU
f=tests/fixtures/plot
check "unknown kind: exit 2" err_is 2 "unknown kind 'pie'" $T plot pie -o $out/x.png
check "no kind: exit 2" err_is 2 "which KIND" $T plot
check "bad extension: exit 2" err_is 2 "must end in .png or .svg" $T plot bench --from $f/bench.json -o $out/x.jpg
check "nothing to write: exit 2" err_is 2 "nothing to write" $T plot bench --from $f/bench.json
check "bench without --from: exit 2" err_is 2 "needs --from" $T plot bench -o $out/x.png
check "scaling without -j: exit 2" err_is 2 "needs -j JOB" $T plot scaling -t topologies/aws-p5.cfg -o $out/x.png
check "missing --from file: exit 2" err_is 2 "cannot read" $T plot bench --from $out/none.json -o $out/x.png
printf '{"schema": "tcemu.bench/1", "results": [' >"$out/trunc.json"
check "truncated JSON: exit 2, line and column" err_is 2 "not valid JSON: line 1, column" $T plot bench --from $out/trunc.json -o $out/x.png
check "run result given to bench: exit 2" err_is 2 "not a result of tcemu bench" $T plot bench --from $f/run.json -o $out/x.png
printf '{"schema": "tcemu.bench/1", "results": [{"collective": "allreduce"}]}' >"$out/nosize.json"
check "row without size: exit 2" err_is 2 "lacks 'size_bytes'" $T plot bench --from $out/nosize.json -o $out/x.png
printf '{"schema": "tcemu.run/1", "ops": [{"name": "qkv", "list": "dense_fwd"}]}' >"$out/noop.json"
check "run op without measured_s: exit 2" err_is 2 "lacks 'measured_s" $T plot run --from $out/noop.json -o $out/x.png
mkdir -p "$out/dir.png"
check "a directory as output: exit 1" err_is 1 "dir.png" $T plot bench --from $f/bench.json -o $out/dir.png
check "no picture left behind on error" bash -c "! ls '$out'/x.* 2>/dev/null | grep -q ."
check "job does not fit any count: exit 2" err_is 2 "no GPU count fits" $T plot scaling -t topologies/aws-p5.cfg -j jobs/llama3-405b.cfg --gpus 7 -o $out/x.png
check "--hbm-headroom on scaling: exit 2" err_is 2 "are for pareto" $T plot scaling -t topologies/aws-p5.cfg -j jobs/llama3-8b.cfg --hbm-headroom 0.1 -o $out/x.png
check "pareto --hbm-headroom: the subtitle says the HBM left free" bash -c \
    "$T plot pareto -j jobs/llama3-8b.cfg -t topologies/aws-p5.cfg -g 64 --hbm-headroom 0.1 --script '$out/hr.gp' >/dev/null 2>&1; grep -q 'at its best layout leaving 10% of HBM free' '$out/hr.gp'"
nogp() { PATH=/nonexistent "$@"; }
check "no gnuplot: exit 1, one line" err_is 1 "gnuplot not found on PATH" nogp $T plot bench --from $f/bench.json -o $out/ng.png --script $out/ng.gp
check "no gnuplot: the script is still written" grep -q 'set output "'"$out"'/ng.png"' "$out/ng.gp"
check "no gnuplot: no picture" test ! -e "$out/ng.png"

trace_ok() { # trace_ok FILE STAGES CHUNKS MICROBATCHES
    python3 - "$@" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
p, v, m = map(int, sys.argv[2:5])
assert d["otherData"]["engine"] == "modelled"
ev = [e for e in d["traceEvents"] if e["ph"] == "X"]
it = [e for e in ev if e["name"] == "iteration"]
assert len(it) == 1 and it[0]["args"]["stages"] == p and it[0]["args"]["microbatches"] == m
assert abs(it[0]["args"]["timeline_s"] / it[0]["args"]["projector_iteration_s"] - 1) < 0.25, it[0]["args"]
names = {e["tid"]: e["args"]["name"] for e in d["traceEvents"] if e["name"] == "thread_name"}
tracks = collections.defaultdict(list)
for e in ev:
    tracks[e["tid"]].append(e)
for s in range(p):
    assert names[2 * s] == "stage %d" % s, names
    seen = {}
    for e in tracks[2 * s]:
        if e["cat"] in ("forward", "backward"):
            a = e["args"]
            seen.setdefault((a["microbatch"], a.get("chunk", 0)), []).append((e["cat"], e["ts"]))
    want = {(mb, c) for mb in range(m) for c in range(v)}
    assert set(seen) == want, ("stage", s, sorted(want - set(seen))[:5])
    for key, l in seen.items():
        cats = [c for c, _ in l]
        assert cats == ["forward", "backward"], (s, key, l)
        assert l[0][1] < l[1][1], (s, key, l)
for tid, l in tracks.items():
    l.sort(key=lambda e: e["ts"])
    for a, b in zip(l, l[1:]):
        assert a["ts"] + a["dur"] <= b["ts"] + 1e-3, ("overlap on track", tid, a, b)
PY
}
check "trace 1F1B (tiny on workstation: pp 2)" bash -c "$T project -t topologies/workstation.cfg -j jobs/tiny.cfg --trace $out/tiny.json >/dev/null"
check "trace 1F1B: stages, microbatches, order, no overlap" trace_ok $out/tiny.json 2 1 \
    "$(python3 -c "import json;print([e for e in json.load(open('$out/tiny.json'))['traceEvents'] if e['name']=='iteration'][0]['args']['microbatches'])")"
check "trace interleaved (llama3-70b on aws-p5: pp 4, vpp 5)" bash -c "$T project -t topologies/aws-p5.cfg -j jobs/llama3-70b.cfg --trace $out/70b.json >/dev/null"
check "trace interleaved: stages, microbatches, order, no overlap" trace_ok $out/70b.json 4 5 \
    "$(python3 -c "import json;print([e for e in json.load(open('$out/70b.json'))['traceEvents'] if e['name']=='iteration'][0]['args']['microbatches'])")"
check "trace to a directory: exit 1" err_is 1 "Is a directory" $T project -t topologies/workstation.cfg -j jobs/tiny.cfg --trace $out/
[ "$fails" -eq 0 ]
