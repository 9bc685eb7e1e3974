/*
 * plan_cp.h - cp (issue 11): context parallelism's p2p ring attention as
 * Transformer Engine runs it, step by step.
 *
 * Transformer Engine (transformer_engine/pytorch/attention/
 * dot_product_attention/context_parallel.py, AttnFuncWithCPAndKVP2P) splits
 * the sequence into 2c chunks, CP rank r holding chunks r and 2c-1-r (T
 * tokens), and runs a ring of c steps.  Step 0 is one causal flash kernel
 * over the rank's own T x T block; each later step one unmasked kernel of
 * T x T/2 (all local queries against the first K/V chunk received, on the
 * ranks the chunk precedes) or T/2 x T (the second query chunk against
 * both received K/V chunks): every step executes T^2/2 score elements, the
 * same on every rank.  While step i computes, the K/V for step i+1 is
 * passed on (c - 1 sends); the partial outputs are merged by softmax
 * log-sum-exp correction passes (flash_attn_fwd_softmax_lse_correction on
 * the second stream, flash_attn_fwd_out_correction_init and
 * flash_attn_fwd_out_correction after the ring), memory-bound.  The
 * backward runs the same c steps with the flash backward kernel, passing
 * K/V and the dK/dV accumulated so far (the same total bytes as c - 1 sends
 * of K/V and dK/dV), and adds each step's dQ, dK and dV into the
 * accumulators (memory-bound).  Ring Attention: Liu et al., arXiv
 * 2310.01889; load-balanced causal chunks: Megatron-Core's context
 * parallelism guide.
 *
 * The plan (plan_cp.c) emits, after the ring op "cp_ring_kv":
 *   attn_cp_step0    1 causal kernel of T x T (the compute table's shape
 *                    at sequence s/c), TCE_OP_F_CP_STEP
 *   attn_cp_step     c - 1 unmasked kernels of T x T/2 (count c - 1),
 *                    TCE_OP_F_CP_STEP; a compute table times it as the
 *                    step-0 kernel (same score elements and heads: the
 *                    table holds square causal kernels only)
 *   attn_cp_correct  c merge passes (count c), element-wise
 * and the projector hides the ring step by step (tce_plan_cp_ring_exposed_s).
 */
#ifndef TCEMU_PLAN_CP_H
#define TCEMU_PLAN_CP_H

#include "tcemu/plan.h"

/*
 * Exposed seconds of the ring op l->ops[ring] (TCE_OVERLAP_ATTENTION, count
 * S sends of one_s[ring] each) when a run of TCE_OP_F_CP_STEP compute ops
 * is next to it: after it (a forward list, or a recomputed forward) or
 * before it (a backward list, built in reverse).  Walking the run outwards
 * from the ring op gives the ring's steps in Transformer Engine's order
 * (step 0 first); send k hides under attention step k:
 *     exposed = sum over k < S of max(0, send - step_k)
 * and sends left over when the run has fewer steps are exposed whole.
 * one_s[i]: op i's time, one repetition.  Returns -1 when no such run is
 * next to the ring op (the caller keeps its list-wide rule).  O(run),
 * no allocation.
 */
double tce_plan_cp_ring_exposed_s(const struct tce_op_list *l, int ring,
                                  const double *one_s);

/* 1 when l->ops[ring] has a run of TCE_OP_F_CP_STEP ops next to it. */
int tce_plan_cp_ring_paired(const struct tce_op_list *l, int ring);

#endif
