/*
 * plan_attn.c - the attention block of a layer's plan: layer norm, QKV,
 * the context-parallel exchange, the attention core as the kernel runs it
 * (causal and sliding-window masks, BF16), the output projection.
 *
 * Assumptions (also printed by `tcemu project`, plan.c's list):
 *  - every decoder is causal; a fused (flash) kernel executes the keys a
 *    query sees (s / 2 causal, the window in a sliding-window layer):
 *    FlashAttention-2 (Dao 2023, arXiv 2307.08691) skips fully masked
 *    blocks; the diagonal blocks' extra work (128 / s of the square) is
 *    left out.  The unfused path computes the whole square and masks it;
 *  - the attention core runs in BF16 also in FP8 jobs (Transformer
 *    Engine's DotProductAttention, unless fp8_dot_product_attention);
 *  - context parallelism splits the sequence into 2c chunks, rank i
 *    holding chunks i and 2c-1-i (Megatron-LM / Transformer Engine), so a
 *    causal mask gives every CP rank the same attention work, times
 *    cp_attention_imbalance (document masks) for the ring and all-gather
 *    schemes; Ulysses (a2a) gives each rank whole sequences of a/c heads;
 *  - the fused kernel's softmax computes one exponential per score element
 *    it executes (op->exps), priced on the accelerator's SFUs where the
 *    topology names their rate (attncost.h);
 *  - cp (issue 11): with cp_comm_type p2p and no sliding-window layers the
 *    core is the ring's per-step kernels and merge passes (plan_cp.h);
 *  - dsv3 (issue 11): MLA's projections are Megatron-Core's four linears,
 *    each at its own shape, FP8 where the job is; the down-projections
 *    run whole on every TP rank (parallel_mode 'duplicated').
 */
#include "plan_int.h"

void tce_plan_attention_dims(const struct tce_job *job, struct dims *x)
{
    const struct tce_model *m = &job->model;
    double l = m->num_layers > 0 ? (double)m->num_layers : 1.0;

    x->share_win = (double)tce_model_window_layers(m) / l;
    if (x->flash) {
        tce_model_attention_keys(m, TCE_FLOPS_CAUSAL, &x->keys_full,
                                 &x->keys_win);
    } else {
        x->keys_full = 1.0;
        x->keys_win = 1.0;
    }
}

/* The fused attention kernel of one TP shard, when it is one the compute
 * table can hold: whole sequence (no CP, or Ulysses' a/(t c) heads), one
 * head dim (no MLA), causal, window or not. */
static void attention_shape(const struct ctx *c, struct tce_op *op,
                            int window)
{
    const struct tce_model *m = &c->job->model;
    int64_t t = c->lay->tp, kv;

    /* cp (issue 11): Ulysses (a2a) runs whole sequences of a/(t c) heads */
    if (c->lay->cp > 1 &&
        c->job->parallel.cp_comm_type == TCE_CP_COMM_A2A)
        t *= c->lay->cp;
    else if (c->lay->cp > 1)
        return;
    if (m->multi_latent_attention || m->num_attention_heads / t < 1)
        return;
    kv = m->num_query_groups / t;
    op->attn.micro_batch_size = c->lay->micro_batch;
    op->attn.num_attention_heads = m->num_attention_heads / t;
    op->attn.num_query_groups = kv > 0 ? kv : 1;
    op->attn.kv_channels = m->kv_channels;
    op->attn.seq_length = m->seq_length;
    op->attn.causal = 1;
    op->attn.window_size = window ? m->window_size : 0;
}

/* The context-parallel exchange before the attention core. */
static void cp_exchange(const struct ctx *c, struct tce_op_list *l,
                        unsigned fl)
{
    const struct dims *x = &c->x;
    /* K and V of this rank's tokens (of its TP shard), 2 bytes */
    double kv_local = x->T * x->kvdim / x->t * 2.0;
    struct tce_op *op;

    if (c->lay->cp <= 1)
        return;
    switch (c->job->parallel.cp_comm_type) {
    case TCE_CP_COMM_P2P:
        /* Transformer Engine's ring: c - 1 steps, each passing the K/V
         * chunk it holds to the next CP rank while attending to it */
        coll(l, "cp_ring_kv", TCE_COLL_SENDRECV, TCE_GROUP_CP, kv_local,
             TCE_OVERLAP_ATTENTION, TCE_CHARGE_CP, fl);
        op = &l->ops[l->n - 1];
        op->count = c->lay->cp - 1;
        break;
    case TCE_CP_COMM_ALL_GATHER:
        /* Llama 3 (arXiv 2407.21783, 3.3.2): K and V all-gathered, then
         * attention of the local Q chunks; exposed */
        coll(l, "cp_ag_kv", TCE_COLL_ALL_GATHER, TCE_GROUP_CP,
             kv_local * x->c, TCE_OVERLAP_NONE, TCE_CHARGE_CP, fl);
        break;
    case TCE_CP_COMM_A2A:
        /* DeepSpeed-Ulysses (arXiv 2309.14509): Q, K and V of the local
         * tokens redistributed so each rank holds whole sequences of a/c
         * heads; exposed */
        coll(l, "cp_a2a_qkv", TCE_COLL_ALL_TO_ALL, TCE_GROUP_CP,
             kv_local + x->T * x->a * x->dqk / x->t * 2.0, TCE_OVERLAP_NONE,
             TCE_CHARGE_CP, fl);
        break;
    }
}

/* After the core: Ulysses sends the output back to its tokens' ranks. */
static void cp_exchange_out(const struct ctx *c, struct tce_op_list *l,
                            unsigned fl)
{
    const struct dims *x = &c->x;

    if (c->lay->cp > 1 && c->job->parallel.cp_comm_type == TCE_CP_COMM_A2A)
        coll(l, "cp_a2a_out", TCE_COLL_ALL_TO_ALL, TCE_GROUP_CP,
             x->T * x->a * x->dv / x->t * 2.0, TCE_OVERLAP_NONE,
             TCE_CHARGE_CP, fl);
}

/* One fused attention op: share of the layers, keys fraction. */
static void fused_core(const struct ctx *c, struct tce_op_list *l,
                       const char *name, double share, double keys,
                       int window, unsigned fl)
{
    const struct dims *x = &c->x;
    /* cp (issue 11): Ulysses' kernel runs a/(t c) heads, each over the
     * whole sequence */
    double heads = c->lay->cp > 1 && c->job->parallel.cp_comm_type ==
                                         TCE_CP_COMM_A2A
                       ? x->a / (x->t * x->c)
                       : x->a / x->t;
    double imb = c->lay->cp > 1 &&
                         c->job->parallel.cp_comm_type != TCE_CP_COMM_A2A
                     ? c->job->training.cp_attention_imbalance
                     : 1.0;
    double core = c->f.attention_core * x->T / x->t * keys * share * imb;
    struct tce_op *op;

    if (share <= 0)
        return;
    /* reads q, k, v, writes the context; bw (issue 11): K and V of the
     * shard's KV heads (kvdim: GQA's query groups, MLA's expanded heads),
     * not one per query head */
    op = gemm(l, name, core, core / (2.0 * x->b * heads * share),
              share * 2.0 * x->b * (x->s / x->c) *
                  (x->a * (x->dqk + x->dv) + x->kvdim) / x->t,
              fl | TCE_OP_F_FUSED_ATTENTION);
    /* bw (issue 11): one exponential per score element executed, each
     * costing 2 (d_qk + d_v) FLOPs of the two GEMMs (attncost.h) */
    op->exps = core / (2.0 * (x->dqk + x->dv));
    attention_shape(c, op, window);
}

static unsigned core_flags(const struct ctx *c, unsigned fl)
{
    const struct tce_training *tr = &c->job->training;

    fl |= TCE_OP_F_ATTENTION_CORE;
    if (!(tce_training_fp8(tr) && tr->fp8_dot_product_attention))
        fl |= TCE_OP_F_BF16;
    return fl;
}

/* dsv3 (issue 11): MLA's fused RoPE kernels with apply_rope_fusion
 * (multi_latent_attention.py fused_apply_mla_rope_for_q /
 * fused_apply_mla_rope_for_kv): q read and written, the up-projected K/V
 * read and the key (the rotary part broadcast to every head) and value
 * written, for this rank's heads in BF16; the backward moves about as
 * much.  tcemu's MLA projection op carries only its GEMMs' bytes. */
double tce_plan_mla_rope_bytes(const struct ctx *c)
{
    const struct dims *x = &c->x;
    const struct tce_model *m = &c->job->model;
    double heads = x->a / x->t;
    double nope = (double)m->qk_head_dim, dv = (double)m->v_head_dim;

    return 2.0 * x->T * heads *
           (2.0 * x->dqk + (nope + dv) + x->dqk + dv);
}

/* One linear layer's forward GEMM: m tokens, n output, k input features
 * (input, weight and output read or written once, BF16). */
static void projection(struct tce_op_list *l, const char *name, double m,
                       double n, double k, unsigned fl)
{
    double f = 2.0 * m * n * k;

    linear(gemm(l, name, f, f, 2.0 * (m * k + k * n + m * n), fl), m, n, k);
}

/* dsv3 (issue 11): MLA's up-projections, each with the low-rank norm
 * before it (plan_int.h) */
void tce_plan_mla_up_proj(const struct ctx *c, struct tce_op_list *l,
                          const char *q_name, const char *kv_name,
                          unsigned fl)
{
    const struct tce_model *m = &c->job->model;
    const struct dims *x = &c->x;
    double ql = (double)m->q_lora_rank, kl = (double)m->kv_lora_rank;

    if (q_name && ql > 0) {
        elt(l, "q_norm", 4.0 * x->T * ql, fl | TCE_OP_F_NORM);
        projection(l, q_name, x->T, x->a * x->dqk / x->t, ql, fl);
    }
    if (kv_name) {
        elt(l, "kv_norm", 4.0 * x->T * kl, fl | TCE_OP_F_NORM);
        projection(l, kv_name, x->T,
                   x->a * ((double)m->qk_head_dim + x->dv) / x->t, kl, fl);
    }
}

/* dsv3 (issue 11): MLA's projections as Megatron-Core's MLASelfAttention
 * builds them (multi_latent_attention.py): four Transformer Engine
 * linears, each timed at its own shape and in FP8 where the job is (every
 * linear but the embedding, the output head and the router: DeepSeek-V3,
 * arXiv:2412.19437 sec. 3.3); the down-projections are parallel_mode
 * 'duplicated' (every TP rank runs them whole on the gathered sequence),
 * the up-projections column-parallel; q_layernorm and kv_layernorm over
 * the latents between them, read and written in BF16.  With q_lora_rank
 * 0 the query is one column-parallel projection from h. */
static void mla_projections(const struct ctx *c, struct tce_op_list *l,
                            unsigned fl)
{
    const struct tce_model *m = &c->job->model;
    const struct dims *x = &c->x;
    double ql = (double)m->q_lora_rank, kl = (double)m->kv_lora_rank;

    if (ql > 0)
        projection(l, "q_down", x->T, ql, x->h, fl);
    else
        projection(l, "q_proj", x->T, x->a * x->dqk / x->t, x->h, fl);
    projection(l, "kv_down", x->T, kl + (double)m->qk_pos_emb_head_dim, x->h,
               fl);
    tce_plan_mla_up_proj(c, l, "q_up", "kv_up", fl);
}

void tce_plan_attention_fwd(const struct ctx *c, struct tce_op_list *l,
                            unsigned fl)
{
    const struct dims *x = &c->x;
    double proj = 2.0 * x->a * x->dv * x->h;          /* per token */
    double qkv = c->f.attention_linear - proj;        /* per token */
    double core = c->f.attention_core * x->T / x->t;  /* full square */
    double heads = x->a / x->t;
    unsigned cf = core_flags(c, fl);

    elt(l, "ln_attn", 4.0 * x->elt_tokens * x->h, fl | TCE_OP_F_NORM);
    tp_enter(c, l, "tp_ag_attn", fl);
    if (c->job->model.multi_latent_attention) {
        double b = tce_plan_mla_rope_bytes(c);

        mla_projections(c, l, fl);
        elt_passes(l, "mla_rope", b, b, 2, fl);
    } else {
        projection(l, "qkv", x->T, qkv / (2.0 * x->h * x->t), x->h, fl);
        /* this rank's q and k heads, BF16 */
        double qk = 2.0 * x->T * (x->a + x->g) * x->dqk / x->t;

        /* qwen (issue 11): TENorm on q and k (attention.py
         * get_query_key_value_tensors: q_layernorm, k_layernorm): read and
         * write them forward, read x and dy and write dx backward */
        if (c->job->model.qk_layernorm)
            elt_passes(l, "qk_norm", 2.0 * qk, 3.0 * qk, 2, fl);
        /* gptoss (issue 11): YaRN with Megatron's default mscale has a
         * concentration factor 0.1 ln(factor) + 1, which TE's fused RoPE
         * does not take (rope_utils.py: "Using unfused implementation"):
         * t x cos, rotate_half (chunk, neg, cat), x sin, the add and the
         * final cat over q and k, about 12 passes of them forward and 11.5
         * backward, 7 kernels a tensor */
        if (c->job->model.yarn_rotary_scaling_factor > 1.0)
            elt_passes(l, "rope_unfused", 12.0 * qk, 11.5 * qk, 14, fl);
    }
    cp_exchange(c, l, fl);
    if (x->flash && c->lay->cp > 1 && x->share_win <= 0 &&
        c->job->parallel.cp_comm_type == TCE_CP_COMM_P2P) {
        /* cp (issue 11): the ring's per-step kernels (plan_cp.h); with
         * sliding-window layers the one fused op below stays */
        tce_plan_cp_ring_core(c, l, 1.0, x->keys_full, cf);
    } else if (x->flash && c->lay->cp > 1 && x->share_win <= 0 &&
               c->job->parallel.cp_comm_type == TCE_CP_COMM_ALL_GATHER) {
        /* cp (issue 11): one kernel per local query chunk (plan_cp.c) */
        tce_plan_cp_ag_core(c, l, 1.0, x->keys_full, cf);
    } else if (x->flash) {
        fused_core(c, l, "attn_core", 1.0 - x->share_win, x->keys_full, 0,
                   cf);
        fused_core(c, l, "attn_core_swa", x->share_win, x->keys_win, 1, cf);
    } else {
        /* unfused: QK^T writes the b*heads*s_local*s scores (2 B), the
         * fused scale-mask-softmax reads and writes them, dropout reads
         * them and writes them and a 1-byte mask, AV reads them; the
         * whole square, masked */
        double scores = x->b * heads * (x->s / x->c) * x->s;
        double qk = core * x->dqk / (x->dqk + x->dv);

        gemm(l, "attn_scores", qk, qk / (x->b * heads),
             2.0 * (x->T * (x->dqk * heads) + x->b * x->s * x->dqk * heads) +
                 2.0 * scores,
             cf);
        elt(l, "softmax_dropout", 9.0 * scores, fl | TCE_OP_F_ATTENTION_CORE);
        gemm(l, "attn_values", core - qk, (core - qk) / (x->b * heads),
             2.0 * scores + 2.0 * (x->b * x->s * x->dv * heads +
                                   x->T * x->dv * heads),
             cf);
    }
    cp_exchange_out(c, l, fl);
    projection(l, "attn_proj", x->T, x->h, x->a * x->dv / x->t, fl);
    tp_leave(c, l, "tp_out_attn", fl);
    bda(c, l, "bda_attn", fl);
}
