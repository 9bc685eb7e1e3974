#!/usr/bin/env bash
# The architecture's layers, checked on the tree and on the objects:
#  1. <mpi.h> only in src/runtime/ and include/tcemu/runtime*.h; <libconfig.h>
#     only in src/config/; exit() only in src/main.c.
#  2. Includes point downward: each module has a layer (table below); a file
#     may include tcemu headers of its own layer or lower.  Runtime headers
#     are included only by src/runtime/ and src/main.c (nothing uses the
#     runtime).  A module missing from the table fails: place it.
#  3. No source file in src/ or include/ over 800 lines.
#  4. Objects: no core object has an undefined MPI symbol or a symbol that
#     only the runtime defines; only src/config/ objects reference libconfig;
#     the whole core library links with libconfig and libm alone.
#  5. No function-static mutable state in src/ (static locals must be const).
source "$(dirname "$0")/lib.bash"
build=${BUILD_ROOT:-build}/rel
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# module -> layer (lower may not include higher)
layer_of() {
    case $1 in
    error | util | json | output | input | stats | version | trace | datadir | jsonread | humanfmt) echo 0 ;;
    types | coll | breakdown | schedule | plot | computetable | confidence) echo 1 ;;
    rules | rules_layout) echo 2 ;;
    rules | linkcal) echo 2 ;;
    config | config_int | slots) echo 3 ;;
    model | layout) echo 4 ;;
    plan | plan_int | plan_attn | plan_moe | plan_fp8 | plan_query | walk) echo 5 ;;
    costmodel | busbw | collcheck | calibfit | nccltests | calibnccl | benchdata) echo 6 ;;
    projector | scenario | runstats | opcost) echo 7 ;;
    economics | search | planning | timeline | validation) echo 8 ;;
    report | report_* | cli | cli_util | cli_trace | plot_data) echo 9 ;;
    cmd_* | main) echo 10 ;;
    runtime | runtime_* | rt | rt_* | run_* | bench_* | calib_* | exec | coll_exec | watchdog) echo 11 ;;
    stack | megatronlog) echo 1 ;; # stack: the training stack, framework logs
    stackfit) echo 8 ;;            # stack: the stack-overhead fit (projector)
    bridge | bridge_flops | bridge_recipe | bridge_recipe_*) echo 8 ;; # Megatron-Bridge reference rows and their recipes
    recipes) echo 8 ;; # held out: Megatron-LM's MoE recipes projected (reproduce --reference megatron-lm-moe-recipes)
    margin) echo 8 ;; # sched: search you can trust (pick against own layout)
    computecache) echo 7 ;; # sched: compute times by op shape (projection speed)
    jobfile) echo 4 ;; # search2: a resolved job written as a job file (reproduce --write-jobs)
    attncost) echo 6 ;; # bw: fused attention's tensor and exponential (SFU) pipes
    tablecurve) echo 6 ;; # ceil: what a measured compute table tells the curve (FP8 speed-up, large-GEMM ceiling)
    recompute) echo 2 ;; # mem: --recompute-modules names
    moecap) echo 2 ;; # token drop (issue 11): Megatron-Core's expert capacity on a rank's routed tokens
    flexep) echo 2 ;; # deepep (issue 11): the flex dispatcher's destination domains and DeepEP's measured line-rate share
    graphscope) echo 2 ;; # host: --cuda-graph-modules names
    memstate) echo 4 ;; # mem: optimizer state and loss bytes (memory model)
    plan_recompute) echo 5 ;; # mem: the recomputed modules' forward ops
    plan_cp) echo 5 ;; # cp (issue 11): the p2p ring attention per step
    hostsync) echo 5 ;; # sync: host launches and host-device syncs of an op list (issue 11)
    plan_graphs) echo 5 ;; # host: the CUDA-graph marks of a layer (issue 11)
    projcache) echo 7 ;; # speed (wave 6): what a projector keeps across a sweep (spans, list times, stage sums)
    eppair) echo 7 ;; # overlap (issue 11): EP communication paired as Megatron-Core's combined 1F1B runs it
    projector_text) echo 7 ;; # the projector's assumption lines and breakdown JSON
    gemmcost) echo 6 ;; # gemm: the FP8 recipe's GEMM rate (MXFP8 block-scaled kernel)
    gemmshape) echo 5 ;; # shape (issue 11): a GEMM shape's fraction of the best rate, carried from another accelerator's table
    commcost) echo 6 ;; # the cost model's communication half (costmodel.h)
    wgradcost) echo 5 ;;
    offload) echo 6 ;; # issue 11: activation offloading's copies beyond each layer # wgrad (issue 11): a linear's backward as dgrad + wgrad, the main_grad accumulation
    *) echo unknown ;;
    esac
}
is_runtime_header() { case $1 in runtime | runtime_* | runtime/*) return 0 ;; esac; return 1; }

includes_ok() {
    local bad=0 f mod dep lf ld
    while IFS= read -r f; do
        mod=$(basename "$f"); mod=${mod%.*}
        case $f in src/runtime/*) lf=11 ;; src/config/*) lf=3 ;; *) lf=$(layer_of "$mod") ;; esac
        if [ "$lf" = unknown ]; then echo "$f: module '$mod' has no layer in tests/e2e/layers.sh"; bad=1; continue; fi
        for dep in $(sed -n 's/^#include "tcemu\/\(.*\)\.h".*/\1/p' "$f"); do
            if is_runtime_header "$dep"; then
                case $f in src/runtime/* | src/main.c | include/tcemu/runtime*) ;;
                *) echo "$f includes the runtime header tcemu/$dep.h"; bad=1 ;; esac
                continue
            fi
            ld=$(layer_of "$(basename "$dep")")
            if [ "$ld" = unknown ]; then echo "$f: included module '$dep' has no layer"; bad=1
            elif [ "$ld" -gt "$lf" ]; then echo "$f (layer $lf) includes tcemu/$dep.h (layer $ld)"; bad=1; fi
        done
    done < <(find src include -name '*.[ch]' | sort)
    return $bad
}

only_in() { # only_in REGEX ALLOWED-REGEX: files matching REGEX lie under ALLOWED
    local hits
    hits=$(grep -rlE "$1" src include | grep -vE "$2")
    [ -z "$hits" ] || { echo "$1 outside $2:"; echo "$hits"; return 1; }
}

exit_only_in_main() {
    # calls, not comments: lines whose text starts with a comment are skipped
    local hits
    hits=$(grep -rnE '(^|[^_a-zA-Z0-9.>])exit[[:space:]]*\(' src include |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)' | grep -v '^src/main\.c:')
    [ -z "$hits" ] || { echo "exit() outside src/main.c:"; echo "$hits"; return 1; }
}

sizes_ok() {
    local big
    big=$(find src include -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 800 {print $2 " (" $1 " lines)"}')
    [ -z "$big" ] || { echo "over 800 lines: $big"; return 1; }
}

unique_object_names() {
    # the core library is an ar archive: two sources with one base name
    # (src/walk.c, src/config/walk.c) would leave one object in it
    local dups
    dups=$(find src -name '*.c' -not -path 'src/runtime/*' -printf '%f\n' | sort | uniq -d)
    [ -z "$dups" ] || { echo "core sources sharing a base name: $dups"; return 1; }
}

no_static_state() {
    # function-local statics that are not const (file-scope statics are
    # functions or const tables in this code base; locals are indented)
    local hits
    hits=$(grep -rnE '^[[:space:]]+static[[:space:]]' src | grep -v 'static const' | grep -v '(')
    [ -z "$hits" ] || { echo "function-static mutable state:"; echo "$hits"; return 1; }
}

objects_ok() {
    local bad=0 o rtdefs
    [ -f "$build/libtcemu.a" ] || { echo "no $build/libtcemu.a: run make first"; return 1; }
    rtdefs=$(for f in src/runtime/*.c; do o=$build/${f%.c}.o; [ -f "$o" ] && nm --defined-only -g "$o"; done | awk 'NF == 3 {print $3}' | sort -u)
    # the objects of today's sources (a stale object of a removed file does
    # not count)
    for o in $(find src -name '*.c' -not -path 'src/runtime/*' -not -name main.c | sort | sed "s|^src/|$build/src/|; s|\.c\$|.o|"); do
        [ -f "$o" ] || { echo "$o missing: run make first"; bad=1; continue; }
        nm -u "$o" | awk '{print $2}' >"$out/undef"
        if grep -qE '^(P?MPI_|ompi_)' "$out/undef"; then echo "$o references MPI: $(grep -E '^(P?MPI_|ompi_)' "$out/undef" | head -3 | tr '\n' ' ')"; bad=1; fi
        if [ -n "$rtdefs" ] && grep -qxF "$rtdefs" "$out/undef"; then echo "$o references the runtime: $(grep -xF "$rtdefs" "$out/undef" | head -3 | tr '\n' ' ')"; bad=1; fi
        case $o in */src/config/*) ;; *)
            if grep -qE '^config_' "$out/undef"; then echo "$o references libconfig: $(grep -E '^config_' "$out/undef" | head -3 | tr '\n' ' ')"; bad=1; fi ;;
        esac
    done
    echo 'int main(void) { return 0; }' >"$out/m.c"
    if ! ${CC:-cc} -o "$out/m" "$out/m.c" -Wl,--whole-archive "$build/libtcemu.a" -Wl,--no-whole-archive \
        $(pkg-config --libs libconfig) -lm 2>"$out/link"; then
        echo "the core library does not link without the runtime and MPI:"; grep -m5 'undefined' "$out/link"; bad=1
    fi
    return $bad
}

check "mpi.h only in the runtime" only_in '#include[[:space:]]*<mpi\.h>' '^(src/runtime/|include/tcemu/runtime)'
check "libconfig.h only in src/config" only_in '#include[[:space:]]*<libconfig\.h>' '^src/config/'
check "exit() only in main.c" exit_only_in_main
check "includes point downward" includes_ok
check "no file over 800 lines" sizes_ok
check "no function-static mutable state" no_static_state
check "core sources have unique base names (ar)" unique_object_names
check "core objects: no MPI, no runtime, libconfig only in config" objects_ok
[ "$fails" -eq 0 ]
