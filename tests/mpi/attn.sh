#!/usr/bin/env bash
# attn (issue 11): tcemu run executes the context-parallel exchange variants
# (cp_comm_type p2p: a ring of K/V sendrecv steps; all_gather; a2a: Ulysses
# all-to-alls) and FSDP's per-layer parameter all-gathers and gradient
# reduce-scatters on real ranks, each op measured beside its modelled time
# (printed: the measured/modelled table of every new op).
source "$(dirname "$0")/lib.bash"

TOPO=topologies/workstation.cfg
FIX=tests/fixtures/emu
FAST="--time-scale 0.05 --iterations 2 --warmup 1 --timeout 30"

# ops_of PYTHON-EXPRESSIONS...: asserts on the run's JSON ops; prints the
# ops of the cp and dp groups the plan added, measured against modelled.
ops_of() {
    python3 - "$SCRATCH/out" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ops = d["ops"]
for o in ops:
    if o["name"].startswith(("cp_", "fsdp_")):
        m = o["measured_s"]["avg"]
        print("#   %-22s %-6s %-9s count %3d  %10.0f B  measured %9.3g s  modelled %9.3g s  (%s)"
              % (o["name"], o["group"], o["overlap"], o["count"], o["bytes"], m,
                 o["modelled_s"] if o["modelled_s"] is not None else float("nan"),
                 o["kind"]))
        assert m > 0, o
        assert o["modelled_s"] is not None and o["modelled_s"] > 0, o
for expr in sys.argv[2:]:
    assert eval(expr, {"d": d, "ops": ops}), expr
PY
}

mpi 8 run -t $TOPO -j $FIX/cp.cfg --ranks-per-node 4 $FAST --json -
check "cp p2p: exit 0" rc_is 0
check "cp p2p: a ring of c-1 K/V sendrecv steps, overlapped with the attention, in forward and backward" ops_of \
    'd["layout"]["cp"] == 2' \
    'any(o["name"] == "cp_ring_kv" and o["group"] == "cp" and o["kind"] == "sendrecv" and o["overlap"] == "attention" for o in ops)' \
    'len({o["bytes"] for o in ops if o["name"] == "cp_ring_kv"}) == 2'

mpi 8 run -t $TOPO -j $FIX/cp-all-gather.cfg --ranks-per-node 4 $FAST --json -
check "cp all_gather: exit 0" rc_is 0
check "cp all_gather: exposed K/V all-gather, reduce-scatter of their gradients" ops_of \
    'any(o["name"] == "cp_ag_kv" and o["kind"] == "all_gather" and o["overlap"] == "exposed" for o in ops)' \
    'any(o["name"] == "cp_ag_kv" and o["kind"] == "reduce_scatter" for o in ops)' \
    'not any(o["name"] == "cp_ring_kv" for o in ops)'

mpi 8 run -t $TOPO -j $FIX/cp-a2a.cfg --ranks-per-node 4 $FAST --json -
check "cp a2a: exit 0" rc_is 0
check "cp a2a: Ulysses all-to-alls of Q/K/V and of the output" ops_of \
    'any(o["name"] == "cp_a2a_qkv" and o["kind"] == "all_to_all" and o["group"] == "cp" for o in ops)' \
    'any(o["name"] == "cp_a2a_out" and o["kind"] == "all_to_all" for o in ops)'

mpi 8 run -t $TOPO -j $FIX/fsdp.cfg --ranks-per-node 4 $FAST --json -
check "fsdp: exit 0" rc_is 0
check "fsdp: per-layer parameter all-gathers (forward and backward) and gradient reduce-scatters on the dp group" ops_of \
    'd["layout"]["dp"] == 4' \
    'any(o["name"] == "fsdp_ag_params" and o["kind"] == "all_gather" and o["group"] == "dp" for o in ops)' \
    'any(o["name"] == "fsdp_rs_grads" and o["kind"] == "reduce_scatter" and o["group"] == "dp" for o in ops)' \
    'not any(o["name"] == "dp_ar_grads" and o["bytes"] > 1e6 for o in ops)'

finish
