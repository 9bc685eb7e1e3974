/*
 * rules.c - the cross-field rules of a job and a topology (rules.h).
 *
 * Each function states its rule once as a verdict, then words it for its
 * voice only when the rule is broken and the caller wants the text.
 */
#include "tcemu/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LL(x) ((long long)(x))

/* A broken rule: TCE_ECONFIG, with the message and key when err is set. */
#define BROKEN(err, key, ...)                                                  \
    tce_error_set_at((err), TCE_ECONFIG, NULL, 0, (key), __VA_ARGS__)

/* ---- parallel sizes ----------------------------------------------------- */

int tce_rule_model_parallel(int64_t gpus, int64_t tp, int64_t pp, int64_t cp,
                            enum tce_rule_voice voice, struct tce_error *err)
{
    int64_t mp = tp * pp * cp;

    if (mp >= 1 && gpus % mp == 0)
        return 0;
    if (voice == TCE_RULE_LAYOUT)
        return BROKEN(err, NULL,
                      "tensor x pipeline x context parallel size "
                      "(%" PRId64 " x %" PRId64 " x %" PRId64 " = %" PRId64
                      ") must divide the GPU count",
                      tp, pp, cp, mp);
    if (voice == TCE_RULE_BENCH)
        return BROKEN(err, NULL,
                      "--tp x --cp x --pp = %" PRId64
                      " does not divide %" PRId64 " ranks",
                      mp, gpus);
    return BROKEN(err, "parallel.num_gpus",
                  "must be a multiple of tensor x pipeline x context "
                  "parallel sizes %lld x %lld x %lld = %lld (got %lld)",
                  LL(tp), LL(pp), LL(cp), LL(mp), LL(gpus));
}

int tce_rule_ep_group(int64_t tp, int64_t cp, int64_t dp, int64_t ep,
                      int64_t etp, enum tce_rule_voice voice,
                      struct tce_error *err)
{
    int64_t n = tp * cp * dp;

    if (etp <= 0)
        return tce_rule_ep_divides_dp(dp, ep, voice, err);
    if (ep >= 1 && n % (etp * ep) == 0)
        return 0;
    if (voice == TCE_RULE_LAYOUT)
        return BROKEN(err, NULL,
                      "expert tensor x expert parallel sizes %" PRId64
                      " x %" PRId64 " must divide the %" PRId64
                      " ranks of a pipeline stage (tp x cp x dp)",
                      etp, ep, n);
    return BROKEN(err, "parallel.expert_model_parallel_size",
                  "x expert_tensor_parallel_size (%lld x %lld) must divide "
                  "the %lld ranks of a pipeline stage = tp x cp x dp",
                  LL(ep), LL(etp), LL(n));
}

int tce_rule_ep_divides_dp(int64_t dp, int64_t ep, enum tce_rule_voice voice,
                           struct tce_error *err)
{
    if (ep >= 1 && dp % ep == 0)
        return 0;
    if (voice == TCE_RULE_LAYOUT)
        return BROKEN(err, NULL,
                      "expert parallel size %" PRId64
                      " must divide the data-parallel size %" PRId64
                      " (= GPUs / (tp x pp x cp))",
                      ep, dp);
    if (voice == TCE_RULE_BENCH)
        return BROKEN(err, NULL, "--ep %" PRId64 " does not divide dp %" PRId64,
                      ep, dp);
    return BROKEN(err, "parallel.expert_model_parallel_size",
                  "must divide the data parallel size %lld = num_gpus / (tp "
                  "x pp x cp) (got %lld)",
                  LL(dp), LL(ep));
}

int tce_rule_global_batch(int64_t global_batch, int64_t dp, int64_t micro_batch,
                          enum tce_rule_voice voice, struct tce_error *err)
{
    int64_t per = dp * micro_batch;

    if (global_batch > 0 && per >= 1 && global_batch % per == 0)
        return 0;
    if (voice == TCE_RULE_LAYOUT)
        return BROKEN(err, NULL,
                      "global batch %" PRId64
                      " must be a multiple of data-parallel size x "
                      "micro batch (%" PRId64 " x %" PRId64 " = %" PRId64 ")",
                      global_batch, dp, micro_batch, per);
    return BROKEN(err, "training.global_batch_size",
                  "must be a multiple of data parallel size x "
                  "micro_batch_size %lld x %lld = %lld (got %lld)",
                  LL(dp), LL(micro_batch), LL(per), LL(global_batch));
}

int tce_rule_vpp_needs_pp(int64_t pp, int64_t vpp, struct tce_error *err)
{
    if (vpp == 1 || pp > 1)
        return 0;
    return BROKEN(err, "parallel.virtual_pipeline_model_parallel_size",
                  "needs pipeline_model_parallel_size > 1 (got %lld)", LL(vpp));
}

int tce_rule_vpp_microbatches(int64_t microbatches, int64_t pp, int64_t vpp)
{
    return vpp <= 1 || (pp >= 1 && microbatches % pp == 0) ? 0 : TCE_ECONFIG;
}

int tce_rule_cp_seq(int64_t seq_length, int64_t cp, struct tce_error *err)
{
    if (cp <= 1 || seq_length % (2 * cp) == 0)
        return 0;
    return BROKEN(err, "model.seq_length",
                  "must be divisible by 2 x context_parallel_size = %lld (got "
                  "%lld)",
                  LL(2 * cp), LL(seq_length));
}

/* ---- attention over tensor parallelism ---------------------------------- */

int tce_rule_heads_tp(int64_t heads, int64_t tp, struct tce_error *err)
{
    if (tp >= 1 && heads % tp == 0)
        return 0;
    return BROKEN(err, "model.num_attention_heads",
                  "must be divisible by tensor_model_parallel_size %lld (got "
                  "%lld)",
                  LL(tp), LL(heads));
}

int tce_rule_groups_tp(int64_t groups, int64_t tp, struct tce_error *err)
{
    if (tp >= 1 && groups % tp == 0)
        return 0;
    return BROKEN(err, "model.num_query_groups",
                  "must be divisible by tensor_model_parallel_size %lld (got "
                  "%lld)",
                  LL(tp), LL(groups));
}

int tce_rule_attention_tp(int64_t heads, int64_t groups, int64_t tp,
                          struct tce_error *err)
{
    if (tce_rule_heads_tp(heads, tp, NULL) == 0 &&
        tce_rule_groups_tp(groups, tp, NULL) == 0)
        return 0;
    return BROKEN(err, NULL,
                  "attention heads %" PRId64 " and query groups %" PRId64
                  " must be divisible by tensor parallel size %" PRId64,
                  heads, groups, tp);
}

int tce_rule_heads_groups(int64_t heads, int64_t groups, struct tce_error *err)
{
    if (groups >= 1 && heads % groups == 0)
        return 0;
    return BROKEN(err, "model.num_query_groups",
                  "must divide num_attention_heads %lld (got %lld)", LL(heads),
                  LL(groups));
}

int tce_rule_head_dim(int64_t hidden, int64_t heads, struct tce_error *err)
{
    if (heads >= 1 && hidden % heads == 0)
        return 0;
    return BROKEN(err, "model.hidden_size",
                  "must be divisible by num_attention_heads %lld when "
                  "kv_channels is not set (got %lld)",
                  LL(heads), LL(hidden));
}

/* ---- layers over the pipeline ------------------------------------------- */

/* Layers plus the embedding / loss slots when they are accounted. */
static int64_t slots_of(const struct tce_job *job)
{
    return job->model.num_layers +
           (job->parallel.account_for_embedding_in_pipeline_split ? 1 : 0) +
           (job->parallel.account_for_loss_in_pipeline_split ? 1 : 0);
}

static int split_even(const struct tce_job *job, int64_t pp, int64_t vpp,
                      enum tce_rule_voice voice, struct tce_error *err)
{
    int64_t L = job->model.num_layers, slots = slots_of(job);

    if (slots % (pp * vpp) != 0) {
        if (voice == TCE_RULE_LAYOUT)
            return BROKEN(
                err, NULL,
                "layers %" PRId64 "%s"
                " must be divisible by pipeline x virtual "
                "stages (%" PRId64 " x %" PRId64 ")",
                slots, slots != L ? " (with the embedding / loss slots)" : "",
                pp, vpp);
        return BROKEN(err, "model.num_layers",
                      "%smust be divisible by pipeline x virtual pipeline "
                      "sizes %lld x %lld = %lld (got %lld)",
                      slots != L ? "plus the embedding / loss slots " : "",
                      LL(pp), LL(vpp), LL(pp * vpp), LL(slots));
    }
    if (voice == TCE_RULE_LAYOUT &&
        slots / (pp * vpp) < 1 + (pp * vpp == 1 && slots > L))
        return BROKEN(err, NULL, "a virtual stage would hold no layer");
    return 0;
}

/* Megatron-LM's uneven first / last stages: the other stages split the
 * rest evenly, each stage's layers split over vpp chunks. */
static int split_uneven(const struct tce_job *job, int64_t pp, int64_t vpp,
                        enum tce_rule_voice voice, struct tce_error *err)
{
    int64_t L = job->model.num_layers;
    int64_t f = job->parallel.decoder_first_pipeline_num_layers;
    int64_t z = job->parallel.decoder_last_pipeline_num_layers;
    int64_t ms = pp - (f > 0 ? 1 : 0) - (z > 0 ? 1 : 0);
    int64_t rest = L - (f > 0 ? f : 0) - (z > 0 ? z : 0);
    int ok = pp > 1 && ms >= 0 && rest >= 0 &&
             (ms > 0 ? rest % (ms * vpp) == 0 : rest == 0) &&
             (f <= 0 || f % vpp == 0) && (z <= 0 || z % vpp == 0);

    if (voice == TCE_RULE_LAYOUT) {
        if (ok && slots_of(job) == L)
            return 0;
        return BROKEN(err, NULL,
                      "uneven pipeline: first stage %" PRId64
                      ", last stage %" PRId64 " layers of %" PRId64
                      " leave %" PRId64 " for %" PRId64
                      " middle stages: every stage's layers must "
                      "split evenly over its %" PRId64
                      " virtual stages (pp > 1, no embedding / loss "
                      "accounting)",
                      f, z, L, rest, ms, vpp);
    }
    if (ok)
        return 0;
    return BROKEN(err,
                  f > 0 ? "parallel.decoder_first_pipeline_num_layers"
                        : "parallel.decoder_last_pipeline_num_layers",
                  "first %lld and last %lld stage layers leave %lld of "
                  "num_layers %lld for %lld middle stages: each stage's "
                  "layers must split evenly over %lld virtual stages (pp > 1)",
                  LL(f), LL(z), LL(rest), LL(L), LL(ms), LL(vpp));
}

/* The parsed layout against pp x vpp and the layer count. */
static int split_layout(const struct tce_job *job, int64_t pp, int64_t vpp,
                        enum tce_rule_voice voice, struct tce_error *err)
{
    const struct tce_parallel *p = &job->parallel;
    int64_t n = p->pipeline_layout_stages, sum = 0, j;
    int16_t layers[TCE_PIPELINE_LAYOUT_MAX];
    const char *why = NULL;
    const char *key = voice == TCE_RULE_LAYOUT
                          ? NULL
                          : "parallel.pipeline_model_parallel_layout";

    if (n < 0) {
        if (tce_rule_parse_layout_text(p->pipeline_model_parallel_layout,
                                       &n, layers, &why) != 0)
            return BROKEN(err, key, "%s", why);
    }
    if (n != pp * vpp)
        return BROKEN(err, key,
                      "has %lld virtual stages, pipeline x virtual pipeline "
                      "sizes are %lld x %lld = %lld",
                      LL(n), LL(pp), LL(vpp), LL(pp * vpp));
    for (j = 0; j < n; j++)
        sum += p->pipeline_layout_layers[j];
    if (sum != job->model.num_layers)
        return BROKEN(err, key,
                      "places %lld decoder layers, num_layers is %lld",
                      LL(sum), LL(job->model.num_layers));
    return 0;
}

int tce_rule_layers(const struct tce_job *job, int64_t pp, int64_t vpp,
                    enum tce_rule_voice voice, struct tce_error *err)
{
    int64_t L = job->model.num_layers;

    if (pp < 1 || vpp < 1 || L < 1)
        return BROKEN(err, NULL,
                      "layers %" PRId64 ", pipeline %" PRId64
                      ", virtual %" PRId64 ": sizes below 1",
                      L, pp, vpp);
    if (job->parallel.pipeline_layout_stages != 0)
        return split_layout(job, pp, vpp, voice, err);
    if (job->parallel.decoder_first_pipeline_num_layers <= 0 &&
        job->parallel.decoder_last_pipeline_num_layers <= 0)
        return split_even(job, pp, vpp, voice, err);
    return split_uneven(job, pp, vpp, voice, err);
}

int tce_rule_uneven_accounting(const struct tce_job *job, struct tce_error *err)
{
    const struct tce_parallel *p = &job->parallel;

    if (p->pipeline_layout_stages != 0 &&
        (p->decoder_first_pipeline_num_layers > 0 ||
         p->decoder_last_pipeline_num_layers > 0 ||
         p->account_for_embedding_in_pipeline_split ||
         p->account_for_loss_in_pipeline_split))
        return BROKEN(err, "parallel.pipeline_model_parallel_layout",
                      "cannot be combined with decoder_first/last_pipeline_"
                      "num_layers or account_for_embedding/loss_in_pipeline_"
                      "split");

    if ((p->decoder_first_pipeline_num_layers <= 0 &&
         p->decoder_last_pipeline_num_layers <= 0) ||
        (!p->account_for_embedding_in_pipeline_split &&
         !p->account_for_loss_in_pipeline_split))
        return 0;
    return BROKEN(err, "parallel.account_for_embedding_in_pipeline_split",
                  "cannot be combined with decoder_first/last_pipeline_num_"
                  "layers");
}

/* ---- mixture of experts and the rest of the model ----------------------- */

int tce_rule_experts_ep(int64_t experts, int64_t ep, enum tce_rule_voice voice,
                        struct tce_error *err)
{
    if (experts <= 0 || (ep >= 1 && experts % ep == 0))
        return 0;
    if (voice == TCE_RULE_LAYOUT)
        return BROKEN(err, NULL,
                      "experts %" PRId64
                      " must be divisible by expert parallel size %" PRId64,
                      experts, ep);
    return BROKEN(err, "parallel.expert_model_parallel_size",
                  "must divide num_experts %lld (got %lld)", LL(experts),
                  LL(ep));
}

int tce_rule_ep_overlap(int overlap, int64_t pp, int64_t vpp, int64_t ep,
                        enum tce_rule_voice voice, struct tce_error *err)
{
    if (!overlap || (ep > 1 && (pp <= 1 || vpp > 1)))
        return 0;
    if (ep <= 1)
        return voice == TCE_RULE_LAYOUT
                   ? BROKEN(err, NULL,
                            "overlap_moe_expert_parallel_comm needs expert "
                            "parallel size > 1 (got %" PRId64 ")",
                            ep)
                   : BROKEN(err, "training.overlap_moe_expert_parallel_comm",
                            "needs expert_model_parallel_size > 1 (got %lld)",
                            LL(ep));
    return voice == TCE_RULE_LAYOUT
               ? BROKEN(err, NULL,
                        "overlap_moe_expert_parallel_comm with pipeline "
                        "parallel size %" PRId64
                        " needs virtual pipeline stages (Megatron-Core runs "
                        "its combined 1F1B only in the interleaved "
                        "schedule)",
                        pp)
               : BROKEN(err, "training.overlap_moe_expert_parallel_comm",
                        "with pipeline_model_parallel_size %lld needs "
                        "virtual_pipeline_model_parallel_size > 1 "
                        "(Megatron-Core runs its combined 1F1B only in the "
                        "interleaved schedule; got %lld)",
                        LL(pp), LL(vpp));
}

int tce_rule_token_drop(const struct tce_job *job, struct tce_error *err)
{
    const struct tce_training *t = &job->training;

    if (!t->moe_pad_expert_input_to_capacity)
        return 0;
    if (t->moe_expert_capacity_factor <= 0.0)
        return BROKEN(err, "training.moe_pad_expert_input_to_capacity",
                      "needs training.moe_expert_capacity_factor > 0 (the "
                      "capacity it pads to)");
    if (job->parallel.moe_token_dispatcher_type == TCE_DISPATCHER_FLEX)
        return BROKEN(err, "training.moe_pad_expert_input_to_capacity",
                      "not with moe_token_dispatcher_type flex (Megatron-"
                      "Core: the flex dispatcher does not pad to capacity)");
    return 0;
}

int tce_rule_ep_dense(const struct tce_model *m, int64_t ep,
                      struct tce_error *err)
{
    if (m->num_experts > 0 || ep == 1)
        return 0;
    return BROKEN(err, "parallel.expert_model_parallel_size",
                  "needs num_experts > 0 (got %lld)", LL(ep));
}

int tce_rule_topk(const struct tce_model *m, struct tce_error *err)
{
    if (m->num_experts > 0) {
        if (m->moe_router_topk >= 1 && m->moe_router_topk <= m->num_experts)
            return 0;
        return BROKEN(err, "model.moe_router_topk",
                      "must be in [1, num_experts = %lld] for an MoE model "
                      "(got %lld)",
                      LL(m->num_experts), LL(m->moe_router_topk));
    }
    if (m->moe_router_topk == 0)
        return 0;
    return BROKEN(err, "model.moe_router_topk",
                  "needs num_experts > 0 (got %lld)", LL(m->moe_router_topk));
}

int tce_rule_moe_first_dense(const struct tce_model *m, struct tce_error *err)
{
    if (m->num_experts <= 0 || m->moe_first_dense_layers < m->num_layers)
        return 0;
    return BROKEN(err, "model.moe_first_dense_layers",
                  "must be less than num_layers %lld (got %lld)",
                  LL(m->num_layers), LL(m->moe_first_dense_layers));
}

int tce_rule_mla_dim(const struct tce_model *m, int i, struct tce_error *err)
{
    static const char *const keys[TCE_RULE_MLA_DIMS] = {
        "model.kv_lora_rank", "model.qk_head_dim", "model.qk_pos_emb_head_dim",
        "model.v_head_dim"};
    int64_t v;

    if (!m->multi_latent_attention || i < 0 || i >= TCE_RULE_MLA_DIMS)
        return 0;
    v = i == 0   ? m->kv_lora_rank
        : i == 1 ? m->qk_head_dim
        : i == 2 ? m->qk_pos_emb_head_dim
                 : m->v_head_dim;
    if (v > 0)
        return 0;
    return BROKEN(err, keys[i],
                  "must be > 0 with multi_latent_attention (got %lld)", LL(v));
}

int tce_rule_train_tokens(const struct tce_model *m,
                          const struct tce_training *t, struct tce_error *err)
{
    int64_t one = t->global_batch_size * m->seq_length;

    if (t->train_tokens >= one)
        return 0;
    return BROKEN(err, "training.train_tokens",
                  "must be at least one iteration, global_batch_size x "
                  "seq_length = %lld (got %lld)",
                  LL(one), LL(t->train_tokens));
}

/* ---- topology ----------------------------------------------------------- */

int tce_rule_scale_up_domain(const struct tce_topology *t,
                             struct tce_error *err)
{
    int64_t dom = t->scale_up.domain_accelerators;
    int64_t acc = t->node.accelerators;

    if (dom >= 1 && acc >= 1 && (dom % acc == 0 || acc % dom == 0))
        return 0;
    return BROKEN(err, "scale_up.domain_accelerators",
                  "must be a multiple or a divisor of node.accelerators %lld "
                  "(got %lld)",
                  LL(acc), LL(dom));
}

int tce_rule_fabric_order(const struct tce_topology *t, int i,
                          struct tce_error *err)
{
    char key[64];

    if (i < 1 || i >= t->n_fabric ||
        t->fabric[i].group_nodes > t->fabric[i - 1].group_nodes)
        return 0;
    snprintf(key, sizeof(key), "fabric[%d].group_nodes", i);
    return BROKEN(
        err, key, "must be greater than the tier below, %lld (got %lld)",
        LL(t->fabric[i - 1].group_nodes), LL(t->fabric[i].group_nodes));
}

const char *tce_rule_contract_needs(enum tce_contract_kind kind, int n)
{
    static const struct {
        enum tce_contract_kind kind;
        const char *key;
    } needs[] = {
        {TCE_CONTRACT_RESERVED, "term_months"},
        {TCE_CONTRACT_COMMITMENT, "term_months"},
        {TCE_CONTRACT_COMMITMENT, "committed_nodes"},
        {TCE_CONTRACT_CAPACITY_BLOCK, "max_days"},
        {TCE_CONTRACT_SPOT, "interruptions_per_node_day"},
    };
    size_t k;

    for (k = 0; k < sizeof(needs) / sizeof(needs[0]); k++)
        if (needs[k].kind == kind && n-- == 0)
            return needs[k].key;
    return "";
}

int tce_rule_committed_nodes(const struct tce_topology *t, int i,
                             struct tce_error *err)
{
    const struct tce_contract *c = &t->contracts[i];
    char key[64];

    if (c->kind != TCE_CONTRACT_COMMITMENT ||
        (c->committed_nodes >= 1 &&
         c->committed_nodes <= t->capacity.max_nodes))
        return 0;
    snprintf(key, sizeof(key), "contracts[%d].committed_nodes", i);
    return BROKEN(err, key,
                  "must be in [1, capacity.max_nodes = %lld] (got %lld)",
                  LL(t->capacity.max_nodes), LL(c->committed_nodes));
}

int tce_rule_contract_name(const struct tce_topology *t, int i,
                           struct tce_error *err)
{
    char key[64];
    int j;

    for (j = 0; j < i; j++) {
        if (strcmp(t->contracts[j].name, t->contracts[i].name) == 0) {
            snprintf(key, sizeof(key), "contracts[%d].name", i);
            return BROKEN(err, key,
                          "duplicate contract name '%s' (also contracts[%d])",
                          t->contracts[i].name, j);
        }
    }
    return 0;
}

int tce_rule_contract_price(const struct tce_topology *t, int i,
                            struct tce_error *err)
{
    const struct tce_contract *c = &t->contracts[i];
    char key[64];

    if (c->kind == TCE_CONTRACT_ON_DEMAND || c->usd_per_node_hour > 0.0)
        return 0;
    snprintf(key, sizeof(key), "contracts[%d].usd_per_node_hour", i);
    return BROKEN(err, key,
                  "%s contract '%s' needs a price above 0 (0 means the list "
                  "price only for on_demand)",
                  tce_contract_kind_name(c->kind), c->name);
}

int tce_rule_on_demand_price(const struct tce_topology *t, int i,
                             struct tce_error *err)
{
    const struct tce_contract *c = &t->contracts[i];
    double list = t->price.on_demand_usd_per_node_hour;
    char key[64];

    if (c->kind != TCE_CONTRACT_ON_DEMAND || c->usd_per_node_hour == 0.0 ||
        c->usd_per_node_hour == list)
        return 0;
    snprintf(key, sizeof(key), "contracts[%d].usd_per_node_hour", i);
    return BROKEN(err, key,
                  "on_demand contract '%s' is %g USD/node-hour but "
                  "price.on_demand_usd_per_node_hour is %g (one on-demand "
                  "price: make them equal or drop the contract's)",
                  c->name, c->usd_per_node_hour, list);
}

/* ---- moe (issue 11): group-limited routing, FP8 ------------------------- */

int tce_rule_router_groups(const struct tce_model *m, struct tce_error *err)
{
    int64_t g = m->moe_router_num_groups, k = m->moe_router_group_topk;

    if (g == 0 && k == 0)
        return 0;
    if (g == 0)
        return BROKEN(err, "model.moe_router_group_topk",
                      "needs moe_router_num_groups > 0 (got %lld)", LL(k));
    if (m->num_experts <= 0 || m->num_experts % g != 0)
        return BROKEN(err, "model.moe_router_num_groups",
                      "must divide num_experts = %lld (got %lld)",
                      LL(m->num_experts), LL(g));
    if (k < 1 || k > g)
        return BROKEN(err, "model.moe_router_group_topk",
                      "must be in [1, moe_router_num_groups = %lld] (got "
                      "%lld)",
                      LL(g), LL(k));
    if (m->moe_router_topk > k * (m->num_experts / g))
        return BROKEN(err, "model.moe_router_topk",
                      "at most moe_router_group_topk x experts per group = "
                      "%lld (got %lld)",
                      LL(k * (m->num_experts / g)), LL(m->moe_router_topk));
    return 0;
}

int tce_rule_fp8_dispatch(const struct tce_job *job, struct tce_error *err)
{
    const struct tce_training *t = &job->training;

    if (!t->moe_fp8_dispatch || tce_training_fp8(t))
        return 0;
    return BROKEN(err, "training.moe_fp8_dispatch",
                  "needs FP8 (precision = \"fp8\" or fp8 = \"e4m3\" / "
                  "\"hybrid\")");
}

int tce_rule_fp8_peak(const struct tce_job *job,
                      const struct tce_topology *topo, struct tce_error *err)
{
    const struct tce_training *t = &job->training;

    if (!tce_training_fp8(t) || topo->accelerator.fp8_tflops > 0)
        return 0;
    return BROKEN(err,
                  t->fp8 != TCE_FP8_NONE ? "training.fp8"
                                         : "training.precision",
                  "FP8 needs an accelerator with an FP8 peak (%s: "
                  "accelerator.fp8_tflops is 0)",
                  topo->path[0] ? topo->path : topo->name);
}
