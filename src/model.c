/*
 * model.c - the job's arithmetic: parameter counts, FLOPs per token and per
 * iteration, memory per accelerator.
 *
 * Pure, no allocation, no loop over layers or ranks (the only loop is over
 * the few virtual pipeline chunks of one stage): the projector calls these
 * on its hot path.  Conventions and formulas are documented in model.h.
 */
#include "tcemu/model.h"
#include "tcemu/rules.h"

#include <math.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/memstate.h"
#include "tcemu/recompute.h"

void tce_model_dims(const struct tce_model *m, struct tce_model_dims *x)
{
    memset(x, 0, sizeof(*x));
    x->l = m->num_layers > 0 ? m->num_layers : 0;
    x->h = (double)m->hidden_size;
    x->a = m->num_attention_heads > 0 ? (double)m->num_attention_heads : 1.0;
    /* the derived keys are filled by tce_job_derive (config.h) */
    x->g = (double)m->num_query_groups;
    x->d = (double)m->kv_channels;
    x->f = (double)m->ffn_hidden_size;
    x->s = (double)m->seq_length;
    x->V = (double)m->vocab_size;
    x->E = m->num_experts > 0 ? (double)m->num_experts : 0.0;
    x->topk = (double)m->moe_router_topk;
    if (x->E > 0 && x->topk > x->E)
        x->topk = x->E;
    x->fm = (double)m->moe_ffn_hidden_size;
    x->fs = m->moe_shared_expert_intermediate_size > 0
                ? (double)m->moe_shared_expert_intermediate_size
                : 0.0;
    x->freq = m->moe_layer_freq;
    x->first_dense = m->moe_first_dense_layers;
    x->gpt = !m->swiglu;
    x->mla = m->multi_latent_attention != 0;
    if (x->mla) {
        x->d_qk = (double)(m->qk_head_dim + m->qk_pos_emb_head_dim);
        x->d_v = (double)m->v_head_dim;
    } else {
        x->d_qk = x->d;
        x->d_v = x->d;
    }
}

/* ceil(x / k) for x >= 0, k > 0 */
static int64_t ceil_div(int64_t x, int64_t k)
{
    return (x + k - 1) / k;
}

int64_t tce_model_moe_layers_in(const struct tce_model *m, int64_t first,
                                int64_t last)
{
    int64_t fd = m->moe_first_dense_layers;
    int64_t k = m->moe_layer_freq;
    int64_t l = m->num_layers;
    int64_t lo, hi;

    if (m->num_experts <= 0)
        return 0;
    if (last > l)
        last = l;
    lo = first > fd ? first : fd;
    hi = last;
    if (hi <= lo)
        return 0;
    /* layers j = i - fd with j % k == 0, j in [lo - fd, hi - fd) */
    return ceil_div(hi - fd, k) - ceil_div(lo - fd, k);
}

/* Matmul weights of one MLP of width f (3hf SwiGLU, 2hf GeLU). */
static double mlp_matmul(const struct tce_model_dims *x, double f)
{
    return (x->gpt ? 2.0 : 3.0) * x->h * f;
}

/* Biases of one MLP (GPT style only). */
static double mlp_bias(const struct tce_model_dims *x, double f)
{
    return x->gpt && f > 0 ? f + x->h : 0.0;
}

/* Attention matmul weights of one layer. */
static double attn_matmul(const struct tce_model *m, const struct tce_model_dims *x)
{
    double q, kv, out;

    if (x->mla) {
        double ql = (double)m->q_lora_rank, kvl = (double)m->kv_lora_rank;
        double pos = (double)m->qk_pos_emb_head_dim;

        q = ql > 0 ? x->h * ql + ql * x->a * x->d_qk : x->h * x->a * x->d_qk;
        kv = x->h * (kvl + pos) + kvl * x->a * ((double)m->qk_head_dim + x->d_v);
        out = x->a * x->d_v * x->h;
        return q + kv + out;
    }
    q = x->h * x->a * x->d;
    kv = 2.0 * x->h * x->g * x->d;
    out = x->a * x->d * x->h;
    return q + kv + out;
}

/* Attention parameters that are not matmul weights: biases (GPT style) or
 * MLA's low-rank norms. */
static double attn_other(const struct tce_model *m, const struct tce_model_dims *x)
{
    if (x->mla)
        return (double)(m->q_lora_rank > 0 ? m->q_lora_rank : 0) +
               (double)m->kv_lora_rank;
    if (x->gpt)
        return x->a * x->d + 2.0 * x->g * x->d + x->h;
    return 0.0;
}

static double norm_params(const struct tce_model_dims *x)
{
    return x->gpt ? 2.0 * x->h : x->h;
}

void tce_model_count_params(const struct tce_model *m,
                            struct tce_param_count *out)
{
    struct tce_model_dims x;
    double attn_mm, mlp_mm, expert_mm, shared_mm, router, moe_active;
    double moe_active_mm;

    tce_model_dims(m, &x);
    memset(out, 0, sizeof(*out));
    attn_mm = attn_matmul(m, &x);
    mlp_mm = mlp_matmul(&x, x.f);
    expert_mm = mlp_matmul(&x, x.fm);
    shared_mm = x.fs > 0 ? mlp_matmul(&x, x.fs) : 0.0;
    router = x.h * x.E;

    out->moe_layers = tce_model_moe_layers_in(m, 0, x.l);
    out->dense_layers = x.l - out->moe_layers;
    out->attention_per_layer = attn_mm + attn_other(m, &x);
    out->dense_mlp_per_layer = mlp_mm + mlp_bias(&x, x.f);
    out->norms_per_layer = 2.0 * norm_params(&x);
    out->expert_per_layer = expert_mm + mlp_bias(&x, x.fm);
    out->shared_expert_per_layer = shared_mm + mlp_bias(&x, x.fs);
    out->router_per_layer = router;
    out->moe_mlp_per_layer = x.E * out->expert_per_layer +
                             out->shared_expert_per_layer + router;
    out->embedding = x.V * x.h + (x.gpt ? x.s * x.h : 0.0);
    out->output = m->untie_embeddings_and_output_weights ? x.V * x.h : 0.0;
    out->final_norm = norm_params(&x);
    out->dense_layer = out->attention_per_layer + out->dense_mlp_per_layer +
                       out->norms_per_layer;
    out->moe_layer = out->attention_per_layer + out->moe_mlp_per_layer +
                     out->norms_per_layer;
    out->expert_total =
        (double)out->moe_layers * x.E * out->expert_per_layer;
    out->total = (double)out->dense_layers * out->dense_layer +
                 (double)out->moe_layers * out->moe_layer + out->embedding +
                 out->output + out->final_norm;
    moe_active = out->attention_per_layer + x.topk * out->expert_per_layer +
                 out->shared_expert_per_layer + router +
                 out->norms_per_layer;
    out->active = (double)out->dense_layers * out->dense_layer +
                  (double)out->moe_layers * moe_active + out->embedding +
                  out->output + out->final_norm;
    moe_active_mm = attn_mm + x.topk * expert_mm + shared_mm + router;
    out->active_matmul_per_token =
        (double)out->dense_layers * (attn_mm + mlp_mm) +
        (double)out->moe_layers * moe_active_mm + x.V * x.h;
}

void tce_model_flops_breakdown(const struct tce_model *m,
                               struct tce_flops_per_token *out)
{
    struct tce_model_dims x;
    int64_t moe_layers;

    tce_model_dims(m, &x);
    moe_layers = tce_model_moe_layers_in(m, 0, x.l);
    out->attention_linear = 2.0 * attn_matmul(m, &x);
    out->attention_core = 2.0 * x.s * x.a * (x.d_qk + x.d_v);
    out->dense_mlp = 2.0 * mlp_matmul(&x, x.f);
    out->moe_mlp = x.E > 0 ? 2.0 * (x.h * x.E + x.topk * mlp_matmul(&x, x.fm) +
                                    (x.fs > 0 ? mlp_matmul(&x, x.fs) : 0.0))
                           : 0.0;
    out->logits = 2.0 * x.h * x.V;
    out->forward_layers =
        (double)x.l * (out->attention_linear + out->attention_core) +
        (double)(x.l - moe_layers) * out->dense_mlp +
        (double)moe_layers * out->moe_mlp;
    out->forward = out->forward_layers + out->logits;
}

double tce_model_flops_per_token(const struct tce_model *m)
{
    struct tce_flops_per_token f;

    tce_model_flops_breakdown(m, &f);
    return 3.0 * f.forward;
}

void tce_model_flops_per_iteration(const struct tce_model *m,
                                   const struct tce_training *t,
                                   struct tce_iteration_flops *out)
{
    struct tce_flops_per_token f;

    tce_model_flops_breakdown(m, &f);
    tce_model_flops_per_iteration_of(m, t, &f, out);
}

/* mem (wave 6): forward FLOPs per token selective recomputation re-runs:
 * the attention core (core, in the caller's convention) when core_attn is
 * recomputed, and the GEMMs of the other modules recompute_modules names
 * (recompute.h; moe_act and layernorm are element-wise). */
static double selective_flops(const struct tce_model *m,
                              const struct tce_training *t,
                              const struct tce_flops_per_token *f, double core)
{
    unsigned mods = tce_recompute_modules_of(t);
    double l = m->num_layers > 0 ? (double)m->num_layers : 0.0;
    double nm = (double)tce_model_moe_layers_in(m, 0, m->num_layers);
    double a = (double)m->num_attention_heads, r = 0.0;

    if (mods & TCE_RC_CORE_ATTN)
        r += core;
    if ((mods & TCE_RC_MLA_UP_PROJ) && m->multi_latent_attention)
        r += l * 2.0 * a *
             ((double)m->q_lora_rank *
                  (double)(m->qk_head_dim + m->qk_pos_emb_head_dim) +
              (double)m->kv_lora_rank *
                  (double)(m->qk_head_dim + m->v_head_dim));
    if (mods & TCE_RC_MLP)
        r += (l - nm) * f->dense_mlp;
    if (mods & TCE_RC_MOE)
        r += nm * f->moe_mlp;
    else if (mods & TCE_RC_SHARED_EXPERTS)
        r += nm * 2.0 * (m->swiglu ? 3.0 : 2.0) * (double)m->hidden_size *
             (double)m->moe_shared_expert_intermediate_size;
    return r;
}

void tce_model_flops_per_iteration_of(const struct tce_model *m,
                                      const struct tce_training *t,
                                      const struct tce_flops_per_token *f,
                                      struct tce_iteration_flops *out)
{
    double per_token_recompute = 0.0;

    out->tokens = (double)t->global_batch_size * (double)m->seq_length;
    out->model_flops = 3.0 * f->forward * out->tokens;
    if (t->recompute_granularity == TCE_RECOMPUTE_FULL)
        per_token_recompute = f->forward_layers;
    else if (t->recompute_granularity == TCE_RECOMPUTE_SELECTIVE)
        per_token_recompute = selective_flops(
            m, t, f, (double)m->num_layers * f->attention_core);
    out->recompute_flops = per_token_recompute * out->tokens;
    out->hardware_flops = out->model_flops + out->recompute_flops;
}

static const char *const assumptions[] = {
    "weights in bf16 (2 B/parameter); an FP8 job's linear layers add the "
    "FP8 copy Transformer Engine caches for the iteration's microbatches "
    "(1 B tensorwise where the FP8 GEMM takes any layout, 2 B with the "
    "transposed copy before Blackwell, 2 x (1 + 1/32) B MXFP8, 2 B "
    "blockwise), or keep only that copy with fp8_param_gather; under FSDP "
    "(optim_grads_params) the BF16 shard and the gathered layers only "
    "(Megatron-Bridge turns keep_fp8_transpose_cache off with Megatron-FSDP)",
    "gradients 2 B/parameter (4 B with accumulate_allreduce_grads_in_fp32)",
    "Adam: fp32 master weights and two moments, 12 B/parameter, sharded "
    "over dp*cp (experts: dp*cp/ep) by the distributed optimizer",
    "activations: Korthikanti et al. 2022, generalised to GQA, SwiGLU, "
    "f != 4h and MoE (top-k copies of the expert MLP tensors)",
    "in flight on the first stage: min(p, m) microbatches (1F1B), "
    "p + (p-1)/v (interleaved)",
    "overhead: 2 GiB fixed (CUDA context, NCCL buffers, workspace) plus "
    "5% of the rest (fragmentation), unless overridden",
    "GPT style (no SwiGLU): LayerNorm with bias, linear biases, learned "
    "absolute positions; SwiGLU models: RMSNorm, no biases, rotary",
    "checkpoint: 14 B/parameter (bf16 weights + fp32 master + 2 moments)",
    /* attn (issue 11) */
    "fused (flash) attention stores no s x s scores, only the output and "
    "the fp32 log-sum-exp, 4 B per head and token (arXiv 2307.08691)",
    "FP8 jobs keep each FP8 GEMM's input for its wgrad in 1 byte (QKV, "
    "fc1, fc2 and, under the delayed recipe only, projection inputs; "
    "Transformer Engine's Linear, Megatron-LM attention.py "
    "set_save_original_input)",
    "no hidden-dropout masks without hidden dropout",
    "cpu_offloading_num_layers: those layers' activations in host memory; "
    "their copies over the host link (node.host_link_gbytes_per_s) beyond "
    "each layer's forward and backward are charged to compute (offload.h), "
    "hidden where the topology gives no host-link figure",
    "data-parallel sharding over DP x CP (experts DP x CP / EP): optim "
    "shards Adam's state, optim_grads also the gradients (plus one layer's "
    "waiting for its reduce-scatter), optim_grads_params (FSDP) also the "
    "weights (plus two layers gathered: the running one and the prefetched)",
    /* mem (wave 6) */
    "selective recompute_modules keep a module's input, not its outputs "
    "(Megatron-LM transformer_layer.py, multi_latent_attention.py, "
    "moe/experts.py): mla_up_proj drops MLA's Q, K, V; moe_act the experts' "
    "activation output; layernorm the outputs of norms that are modules of "
    "their own; mlp, moe, shared_experts their MLP tensors",
    "optimizer state: 12 B/parameter (fp32 master, two fp32 moments); the "
    "precision-aware optimizer stores the moments in exp_avg_dtype and "
    "exp_avg_sq_dtype and the fp32 master as its 16-bit remainder when "
    "Transformer Engine's FusedAdam holds it (Megatron-LM "
    "optimizer_config.py store_param_remainders)",
    "loss: the output layer's BF16 input and the logits in fp32 (4 B), or "
    "2 B with Transformer Engine's fused cross-entropy, which keeps its "
    "BF16 input and writes the gradient into it "
    "(transformer_engine/pytorch/cross_entropy.py)",
};

size_t tce_model_assumptions(const char *const **list)
{
    *list = assumptions;
    return sizeof(assumptions) / sizeof(assumptions[0]);
}

void tce_memory_opts_init(struct tce_memory_opts *o, double hbm_gib)
{
    o->overhead_gib = TCE_MEMORY_OVERHEAD_GIB;
    o->fragmentation = TCE_MEMORY_FRAGMENTATION;
    o->hbm_gib = hbm_gib;
    o->fp8_gemm_any_layout = 0;
}

struct stage_figures {
    double dense_params;       /* held by the rank, sharded like dense */
    double expert_params;      /* held by the rank, sharded by ep too */
    double linear_params;      /* of those, the linear layers' weights
                                  (FP8 in an FP8 job; not the embedding,
                                  output layer, norms or router) */
    double activations;
    double act_per_layer;
    double inflight;
    int64_t layers;
};

static void stage_memory(const struct tce_job *job,
                         const struct tce_layout *lay,
                         const struct tce_param_count *pc,
                         const struct tce_model_dims *x, int64_t stage,
                         struct stage_figures *sf)
{
    const struct tce_model *m = &job->model;
    const struct tce_training *tr = &job->training;
    double t = (double)lay->tp, p = (double)lay->pp, v = (double)lay->vpp;
    double mb = (double)lay->microbatches, b = (double)lay->micro_batch;
    double s_local = x->s / (double)lay->cp;
    int sp = job->parallel.sequence_parallel && lay->tp > 1;
    int64_t nm = 0, nd, i;
    double tp_part, rep_div, dense_tok, moe_tok, per_layer_dense;
    double per_layer_moe, working;
    struct tce_memstate_act at;

    /* MoE layers of the stage's chunks (none without experts) */
    for (i = 0; i < lay->vpp && m->num_experts > 0; i++) {
        int64_t first = tce_layout_chunk_first_layer(job, lay, stage, i);
        nm += tce_model_moe_layers_in(
            m, first, first + tce_layout_chunk_layers(job, lay, stage, i));
    }
    sf->layers = tce_layout_stage_layers(job, lay, stage);
    nd = sf->layers - nm;

    /* parameters held */
    sf->dense_params =
        ((double)nd * (pc->attention_per_layer + pc->dense_mlp_per_layer) +
         (double)nm * (pc->attention_per_layer +
                       pc->shared_expert_per_layer)) / t +
        (double)sf->layers * pc->norms_per_layer +
        (double)nm * pc->router_per_layer;
    sf->expert_params = (double)nm * x->E * pc->expert_per_layer /
                        ((lay->etp > 0 ? (double)lay->etp : t) *
                         (double)lay->ep);
    sf->linear_params =
        ((double)nd * (pc->attention_per_layer + pc->dense_mlp_per_layer) +
         (double)nm * (pc->attention_per_layer +
                       pc->shared_expert_per_layer)) / t +
        sf->expert_params;
    if (stage == 0)
        sf->dense_params += x->V * x->h / t + (pc->embedding - x->V * x->h);
    if (stage == lay->pp - 1) {
        sf->dense_params += pc->final_norm;
        if (pc->output > 0)
            sf->dense_params += pc->output / t;
        else if (lay->pp > 1)
            sf->dense_params += x->V * x->h / t; /* tied copy */
    }

    /* activations */
    tce_memstate_activation_terms(x, s_local, tr->use_flash_attn,
                                  tr->hidden_dropout,
                                  tce_training_fp8(tr),
                                  tce_memstate_proj_copy(tr), &at);
    rep_div = sp ? t : 1.0;
    {
        /* mem (wave 6): selective recomputation drops what its modules
         * (recompute_modules; core_attn by default) do not keep (full
         * recomputation keeps layer inputs only: below) */
        struct tce_memstate_act kept = at;

        tce_memstate_recompute(x, tce_recompute_modules_of(tr),
                               tce_training_fp8(tr), &kept);
        tp_part = kept.attention + kept.scores;
        dense_tok = kept.replicated / rep_div +
                    (tp_part + kept.dense_mlp) / t;
        moe_tok = kept.replicated / rep_div + (tp_part + kept.moe_mlp) / t;
    }
    per_layer_dense = s_local * b * dense_tok;
    per_layer_moe = s_local * b * moe_tok;
    if (lay->vpp == 1)
        sf->inflight = p - (double)stage;
    else
        sf->inflight = ((p - (double)stage - 1.0) * 2.0 + (v - 1.0) * p +
                        1.0) / v;
    if (sf->inflight > mb)
        sf->inflight = mb;
    if (tr->recompute_granularity == TCE_RECOMPUTE_FULL) {
        /* layer inputs only, plus one layer's working set (none mode) */
        double full_dense = s_local * b *
                            (at.replicated / rep_div +
                             (at.attention + at.scores + at.dense_mlp) / t);
        double full_moe = s_local * b *
                          (at.replicated / rep_div +
                           (at.attention + at.scores + at.moe_mlp) / t);
        double input = 2.0 * s_local * b * x->h / rep_div;

        working = nm > 0 && full_moe > full_dense ? full_moe : full_dense;
        sf->act_per_layer = input;
        sf->activations =
            sf->inflight * (double)sf->layers * input + working;
    } else {
        sf->act_per_layer = per_layer_dense;
        sf->activations = sf->inflight * ((double)nd * per_layer_dense +
                                          (double)nm * per_layer_moe);
        /* attn (issue 11): activation offloading (Megatron-LM's
         * --cpu-offloading-num-layers, Megatron-Bridge's FSDP recipes on
         * GB200/GB300): those layers' activations wait in host memory,
         * copied over the host link under the compute */
        if (tr->cpu_offloading_num_layers > 0 && sf->layers > 0)
            sf->activations *=
                (double)(sf->layers > tr->cpu_offloading_num_layers
                             ? sf->layers - tr->cpu_offloading_num_layers
                             : 0) /
                (double)sf->layers;
    }
    if (stage == lay->pp - 1)
        /* mem (wave 6): the output layer's BF16 input and the logits the
         * loss keeps: fp32 unless Transformer Engine's fused cross-entropy
         * (Megatron's theoretical_memory_usage.py counts 4 (h + V)) */
        sf->activations += s_local * b *
                           (2.0 * x->h + tce_memstate_logit_bytes(tr) * x->V) /
                           t;
    if (stage == 0) /* embedding dropout mask, per microbatch in flight */
        sf->activations += sf->inflight * s_local * b * x->h / rep_div;
}

/* The memory of stage `only`, or (only < 0) of the worst of the first,
 * second and last stages: the first holds the most microbatches in flight
 * and the embedding, the last the output layer and the logits, the second
 * the most in flight of the stages without the model's leading dense
 * layers. */
static int memory_at(const struct tce_job *job,
                     const struct tce_layout *layout, int64_t only,
                     const struct tce_param_count *counted,
                     const struct tce_memory_opts *opts,
                     struct tce_memory *out, struct tce_error *err)
{
    const struct tce_model *m = &job->model;
    const struct tce_training *tr = &job->training;
    struct tce_memory_opts o;
    struct tce_param_count pc;
    struct stage_figures sf;
    struct tce_model_dims x;
    int64_t stages[3];
    int n_stages = 3;
    double dp_shard, edp_shard, grad_bytes, lin_w, best = -1.0;
    enum tce_dp_sharding shard;
    int i, rc = 0;

    memset(out, 0, sizeof(*out));
    if (opts)
        o = *opts;
    else
        tce_memory_opts_init(&o, 0.0);
    if (o.overhead_gib < 0)
        o.overhead_gib = TCE_MEMORY_OVERHEAD_GIB;
    if (o.fragmentation < 0)
        o.fragmentation = TCE_MEMORY_FRAGMENTATION;
    tce_model_dims(m, &x);
    if (layout->tp <= 0 || layout->cp <= 0 || layout->ep <= 0 ||
        layout->dp <= 0 ||
        tce_rule_ep_group(layout->tp, layout->cp, layout->dp, layout->ep,
                          layout->etp, TCE_RULE_LAYOUT, NULL) != 0 ||
        layout->micro_batch <= 0 || layout->microbatches <= 0) {
        rc = tce_error_set(err, TCE_ECONFIG,
                           "incomplete layout (tp %lld, cp %lld, ep %lld, "
                           "dp %lld, micro batch %lld, microbatches %lld): "
                           "derive it with tce_layout_init",
                           (long long)layout->tp, (long long)layout->cp,
                           (long long)layout->ep, (long long)layout->dp,
                           (long long)layout->micro_batch,
                           (long long)layout->microbatches);
        goto out;
    }
    if (x.l <= 0 || layout->pp <= 0 || layout->vpp <= 0 ||
        (!counted &&
         tce_layout_check_layers(job, layout->pp, layout->vpp, NULL) != 0)) {
        rc = tce_error_set(err, TCE_ECONFIG,
                           "layers %lld not divisible by pipeline x virtual "
                           "stages (%lld x %lld)",
                           (long long)x.l, (long long)layout->pp,
                           (long long)layout->vpp);
        goto out;
    }
    if (counted)
        pc = *counted;
    else
        tce_model_count_params(m, &pc);
    /* attn (issue 11): what the data-parallel sharding strategy shards
     * over DP x CP (experts: their EDP group, DP x CP / EP unless MoE
     * Parallel Folding sizes it) */
    shard = tce_model_dp_sharding(job);
    dp_shard = (double)(layout->dp * layout->cp);
    edp_shard = layout->etp > 0
                    ? (double)tce_layout_group_size(layout, TCE_GROUP_EDP)
                    : (double)(layout->dp * layout->cp) / (double)layout->ep;
    grad_bytes = tr->accumulate_allreduce_grads_in_fp32 ? 4.0 : 2.0;
    lin_w = tce_memstate_linear_weight_bytes(tr, o.fp8_gemm_any_layout);
    stages[0] = 0;
    stages[1] = layout->pp > 2 ? 1 : 0;
    stages[2] = layout->pp - 1;
    if (only >= 0) {
        if (only >= layout->pp) {
            rc = tce_error_set(err, TCE_ERANGE,
                               "pipeline stage %lld outside [0, %lld)",
                               (long long)only, (long long)layout->pp);
            goto out;
        }
        stages[0] = only;
        n_stages = 1;
    }
    for (i = 0; i < n_stages; i++) {
        double params, w, g, opt, rest, total, over, sharded, layer;

        stage_memory(job, layout, &pc, &x, stages[i], &sf);
        params = sf.dense_params + sf.expert_params;
        sharded = sf.dense_params / dp_shard + sf.expert_params / edp_shard;
        layer = sf.layers > 0 ? params / (double)sf.layers : 0.0;
        /* memory (issue 11): an FP8 job's linear weights by how
         * Transformer Engine keeps them (memstate.h); FSDP replaces w
         * below */
        w = 2.0 * params + (lin_w - 2.0) * sf.linear_params;
        g = grad_bytes * params;
        /* mem (wave 6): the optimizer's bytes per parameter by its
         * precision (use_precision_aware_optimizer) */
        opt = tce_memstate_optimizer_bytes(tr) *
              (shard >= TCE_DP_SHARD_OPTIM ? sharded : params);
        if (shard >= TCE_DP_SHARD_OPTIM_GRADS)
            /* ZeRO-2: gradients reduce-scattered as the backward goes;
             * one layer's full gradients wait for their reduce-scatter */
            g = grad_bytes * (sharded + layer);
        if (shard >= TCE_DP_SHARD_OPTIM_GRADS_PARAMS)
            /* FSDP: the shard, plus the layer being computed and the one
             * prefetched, gathered (Zhao et al. 2023, arXiv 2304.11277) */
            w = 2.0 * (sharded + 2.0 * layer);
        rest = w + g + opt + sf.activations;
        over = o.overhead_gib * TCE_GIB + o.fragmentation * rest;
        total = rest + over;
        if (total > best) {
            best = total;
            out->params = params;
            out->weights_bytes = w;
            out->gradients_bytes = g;
            out->optimizer_bytes = opt;
            out->activations_bytes = sf.activations;
            out->activation_per_layer_bytes = sf.act_per_layer;
            out->inflight_microbatches = sf.inflight;
            out->overhead_bytes = over;
            out->total_bytes = total;
            out->worst_stage = stages[i];
            out->stage_layers = sf.layers;
        }
    }
    out->capacity_bytes = o.hbm_gib > 0 ? o.hbm_gib * TCE_GIB : 0.0;
    out->fits = out->capacity_bytes <= 0 ||
                out->total_bytes <= out->capacity_bytes;
    out->checkpoint_bytes = 14.0 * pc.total;
out:
    return rc;
}

int tce_model_memory(const struct tce_job *job,
                     const struct tce_layout *layout,
                     const struct tce_memory_opts *opts,
                     struct tce_memory *out, struct tce_error *err)
{
    return memory_at(job, layout, -1, NULL, opts, out, err);
}

int tce_model_memory_counted(const struct tce_job *job,
                             const struct tce_layout *layout,
                             const struct tce_param_count *pc,
                             const struct tce_memory_opts *opts,
                             struct tce_memory *out, struct tce_error *err)
{
    return memory_at(job, layout, -1, pc, opts, out, err);
}

int tce_model_memory_stage(const struct tce_job *job,
                           const struct tce_layout *layout, int64_t stage,
                           const struct tce_memory_opts *opts,
                           struct tce_memory *out, struct tce_error *err)
{
    if (stage < 0)
        return tce_error_set(err, TCE_ERANGE, "pipeline stage %lld < 0",
                             (long long)stage);
    return memory_at(job, layout, stage, NULL, opts, out, err);
}

/* ------------------------------------------------------------------------ */
/* attn (issue 11): attention masks, FLOP conventions, DP sharding.          */

int tce_model_layer_is_window(const struct tce_model *m, int64_t i)
{
    if (m->window_size <= 0 || m->window_size >= m->seq_length)
        return 0;
    return m->window_attn_skip_freq <= 0 ||
           (i + 1) % m->window_attn_skip_freq != 0;
}

int64_t tce_model_window_layers(const struct tce_model *m)
{
    int64_t l = m->num_layers > 0 ? m->num_layers : 0;

    if (m->window_size <= 0 || m->window_size >= m->seq_length)
        return 0;
    if (m->window_attn_skip_freq <= 0)
        return l;
    return l - l / m->window_attn_skip_freq;
}

void tce_model_attention_keys(const struct tce_model *m,
                              enum tce_flops_convention conv,
                              double *full_layer, double *window_layer)
{
    double s = m->seq_length > 0 ? (double)m->seq_length : 1.0;

    if (conv == TCE_FLOPS_FULL) {
        *full_layer = 1.0;
        *window_layer = 1.0;
        return;
    }
    /* the keys each query sees on average, as the compute table counts
     * them (computetable.h): s / 2 causal, the window when shorter */
    *full_layer = 0.5;
    *window_layer = m->window_size > 0 && m->window_size < m->seq_length
                        ? (double)m->window_size / s
                        : 0.5;
}

/* The attention core of all layers per token, forward, by convention. */
static double core_all_layers(const struct tce_model *m,
                              const struct tce_flops_per_token *f,
                              enum tce_flops_convention conv)
{
    double kf, kw;
    int64_t nw = tce_model_window_layers(m);
    int64_t l = m->num_layers > 0 ? m->num_layers : 0;

    tce_model_attention_keys(m, conv, &kf, &kw);
    return f->attention_core * ((double)(l - nw) * kf + (double)nw * kw);
}

double tce_model_flops_per_token_convention(const struct tce_model *m,
                                            enum tce_flops_convention conv)
{
    struct tce_flops_per_token f;
    double l;

    tce_model_flops_breakdown(m, &f);
    l = m->num_layers > 0 ? (double)m->num_layers : 0.0;
    return 3.0 * (f.forward - l * f.attention_core +
                  core_all_layers(m, &f, conv));
}

void tce_model_flops_per_iteration_convention(
    const struct tce_model *m, const struct tce_training *t,
    enum tce_flops_convention conv, struct tce_iteration_flops *out)
{
    struct tce_flops_per_token f;
    double l, core, fwd, per_token_recompute = 0.0;

    tce_model_flops_breakdown(m, &f);
    l = m->num_layers > 0 ? (double)m->num_layers : 0.0;
    core = core_all_layers(m, &f, conv);
    fwd = f.forward - l * f.attention_core + core;
    out->tokens = (double)t->global_batch_size * (double)m->seq_length;
    out->model_flops = 3.0 * fwd * out->tokens;
    if (t->recompute_granularity == TCE_RECOMPUTE_FULL)
        per_token_recompute = f.forward_layers - l * f.attention_core + core;
    else if (t->recompute_granularity == TCE_RECOMPUTE_SELECTIVE)
        per_token_recompute = selective_flops(m, t, &f, core);
    out->recompute_flops = per_token_recompute * out->tokens;
    out->hardware_flops = out->model_flops + out->recompute_flops;
}

enum tce_dp_sharding tce_model_dp_sharding(const struct tce_job *job)
{
    const struct tce_parallel *p = &job->parallel;

    if (p->data_parallel_sharding_strategy != TCE_DP_SHARD_NONE)
        return p->data_parallel_sharding_strategy;
    if (p->use_custom_fsdp || p->use_megatron_fsdp || p->use_torch_fsdp2)
        return TCE_DP_SHARD_OPTIM_GRADS_PARAMS;
    if (p->use_distributed_optimizer)
        return TCE_DP_SHARD_OPTIM;
    return TCE_DP_SHARD_NONE;
}
