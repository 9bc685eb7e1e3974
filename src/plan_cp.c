/*
 * plan_cp.c - cp (issue 11): the p2p ring attention's per-step kernels and
 * merge passes (plan_cp.h), and the ring's per-step exposure.
 *
 * Assumptions (also printed by `tcemu project`, plan.c's list):
 *  - cp_comm_type p2p runs c ring steps of separate flash kernels (step 0
 *    causal T x T, later steps unmasked T x T/2), each executing T^2/2
 *    score elements, plus c log-sum-exp merge passes over the rank's
 *    output (Transformer Engine context_parallel.py,
 *    AttnFuncWithCPAndKVP2P);
 *  - send k of the ring hides under attention step k only: exposed =
 *    sum max(0, send - step) (Ring Attention, arXiv 2310.01889);
 *  - the merge passes run serially with the steps (the out corrections
 *    run after the ring on the current stream; the log-sum-exp correction
 *    of each step, on the second stream, is counted serial too);
 *  - the backward mirrors the steps (TCE_OP_F_BACKWARD) and its
 *    accumulation of dQ, dK, dV costs twice the forward merge bytes;
 *  - cp_comm_type all_gather runs, after the exposed K/V all-gather, one
 *    flash kernel per local query chunk against the gathered K/V up to
 *    that chunk (bottom-right causal), half the rank's score elements
 *    each (Transformer Engine AttnFuncWithCPAndKVAllGather; Llama 3,
 *    arXiv 2407.21783, 3.3.2).
 */
#include "plan_int.h"
#include "tcemu/plan_cp.h"

/* The step kernels' shape, as a compute table holds it: causal, the
 * rank's T tokens (s/c) as one sequence, T^2/2 score elements per head;
 * none for MLA (two head dims). */
static void step0_shape(const struct ctx *c, struct tce_op *op)
{
    const struct tce_model *m = &c->job->model;
    int64_t t = c->lay->tp, kv = m->num_query_groups / t;

    if (m->multi_latent_attention || c->lay->cp < 1)
        return;
    op->attn.micro_batch_size = c->lay->micro_batch;
    op->attn.num_attention_heads = m->num_attention_heads / t;
    op->attn.num_query_groups = kv > 0 ? kv : 1;
    op->attn.kv_channels = m->kv_channels;
    op->attn.seq_length = m->seq_length / c->lay->cp;
    op->attn.causal = 1;
    op->attn.window_size = 0;
}

/* The rank's causal attention FLOPs over the whole sequence (all its CP
 * steps), with the document-mask imbalance of its slowest rank. */
static double cp_core_flops(const struct ctx *c, double share, double keys)
{
    return c->f.attention_core * c->x.T / c->x.t * keys * share *
           c->job->training.cp_attention_imbalance;
}

void tce_plan_cp_ring_core(const struct ctx *c, struct tce_op_list *l,
                           double share, double keys, unsigned fl)
{
    const struct dims *x = &c->x;
    double heads = x->a / x->t;
    double core = cp_core_flops(c, share, keys);
    double step = core / x->c;
    double one = step / (2.0 * x->b * heads * share);
    double qo = x->T * heads * (x->dqk + x->dv), kv = x->T * x->kvdim / x->t;
    unsigned f = fl | TCE_OP_F_FUSED_ATTENTION | TCE_OP_F_CP_STEP;
    struct tce_op *op;

    if (share <= 0 || x->c < 2)
        return;
    /* step 0: q, o and K/V of the rank's own T tokens, 2 bytes */
    op = gemm(l, "attn_cp_step0", step, one, share * 2.0 * (qo + kv), f);
    op->exps = step / (2.0 * (x->dqk + x->dv));
    step0_shape(c, op);
    /* steps 1 .. c-1: all local queries (and their partial output)
     * against half the K/V tokens, the slowest rank's case */
    op = gemm(l, "attn_cp_step", step, one,
              share * 2.0 * (qo + kv / 2.0), f);
    op->exps = step / (2.0 * (x->dqk + x->dv));
    op->count = c->lay->cp - 1;
    /* a compute table holds square causal kernels: the T x T/2 unmasked
     * step executes the same score elements over the same heads as the
     * step-0 kernel and is timed as it (an upper bound: the causal kernel
     * also pays for its diagonal blocks' masking) */
    step0_shape(c, op);
    /* the merge: per step, read the step's output and the running output
     * and write it (2 bytes), read both log-sum-exps and write one (4
     * bytes, per query head); the init pass (step 0) counted as one;
     * two kernels (softmax-lse and output correction, each jit-fused) */
    op = gemm(l, "attn_cp_correct", 0.0, 0.0,
              share * (3.0 * 2.0 * x->T * heads * x->dv +
                       3.0 * 4.0 * x->T * heads),
              fl);
    op->count = c->lay->cp;
    op->kernels = 2;
}

void tce_plan_cp_ag_core(const struct ctx *c, struct tce_op_list *l,
                         double share, double keys, unsigned fl)
{
    const struct dims *x = &c->x;
    double heads = x->a / x->t;
    double core = cp_core_flops(c, share, keys);
    double half = core / 2.0;
    double kv_ag = x->T * x->c * x->kvdim / x->t;
    struct tce_op *op;

    if (share <= 0 || x->c < 2)
        return;
    /* one kernel per local query chunk (T/2 queries) against the gathered
     * K/V up to its chunk's end (bottom-right causal), half the rank's
     * score elements each: reads its queries, writes their output, reads
     * up to the whole gathered K/V (the later chunk's case), 2 bytes */
    op = gemm(l, "attn_cp_chunk", half, half / (2.0 * x->b * heads * share),
              share * 2.0 * (x->T / 2.0 * heads * (x->dqk + x->dv) + kv_ag),
              fl | TCE_OP_F_FUSED_ATTENTION);
    op->exps = half / (2.0 * (x->dqk + x->dv));
    op->count = 2;
}

int tce_plan_cp_ring_paired(const struct tce_op_list *l, int ring)
{
    return (ring + 1 < l->n &&
            (l->ops[ring + 1].flags & TCE_OP_F_CP_STEP)) ||
           (ring > 0 && (l->ops[ring - 1].flags & TCE_OP_F_CP_STEP));
}

double tce_plan_cp_ring_exposed_s(const struct tce_op_list *l, int ring,
                                  const double *one_s)
{
    double send = one_s[ring], left = (double)l->ops[ring].count;
    double exposed = 0.0, k;
    int d, i;

    if (ring + 1 < l->n && (l->ops[ring + 1].flags & TCE_OP_F_CP_STEP))
        d = 1;
    else if (ring > 0 && (l->ops[ring - 1].flags & TCE_OP_F_CP_STEP))
        d = -1;
    else
        return -1.0;
    for (i = ring + d; i >= 0 && i < l->n && left > 0 &&
                       (l->ops[i].flags & TCE_OP_F_CP_STEP);
         i += d) {
        k = fmin(left, (double)l->ops[i].count);
        exposed += k * fmax(0.0, send - one_s[i]);
        left -= k;
    }
    return exposed + left * send;
}
