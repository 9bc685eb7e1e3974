/*
 * check.c - step 4: the cross-field rules of each kind, run when every
 * single key was fine; messages cite the line of the key concerned.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_int.h"

/* Where a key came from, for cross-field messages. */
static const char *cite(const struct tce_config_origin *o,
                        const struct schema *sc, const char *key, int *line)
{
    size_t i;

    for (i = 0; i < sc->n_fields; i++) {
        if (strcmp(sc->fields[i].key, key) == 0) {
            int f = o->file[i];

            *line = o->line[i] > 0 ? o->line[i] : 1;
            return f < o->n_files ? o->files[f] : o->files[0];
        }
    }
    *line = 1;
    return o->files[0];
}

static int cross_err(struct tce_diag *d, const struct tce_config_origin *o,
                     const struct schema *sc, const char *key, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

static int cross_err(struct tce_diag *d, const struct tce_config_origin *o,
                     const struct schema *sc, const char *key, const char *fmt,
                     ...)
{
    char msg[1024];
    va_list ap;
    int line;
    const char *file;

    if (!d)
        return TCE_ECONFIG; /* verdict only: no formatting (search loops) */
    file = cite(o, sc, key, &line);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tce_diag_error(d, file, line, key, "%s", msg);
}

int tce_job_check(const struct tce_job *job, struct tce_diag *diag)
{
    const struct tce_model *m = &job->model;
    const struct tce_parallel *p = &job->parallel;
    const struct tce_training *t = &job->training;
    const struct tce_config_origin *o = &job->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_JOB);
    int64_t tp = p->tensor_model_parallel_size;
    int64_t pp = p->pipeline_model_parallel_size;
    int64_t vpp = p->virtual_pipeline_model_parallel_size;
    int64_t cp = p->context_parallel_size;
    int64_t ep = p->expert_model_parallel_size;
    int64_t mp = tp * pp * cp, dp = 0;
    int bad = 0;

#define RULE(cond, key, ...)                                                   \
    do {                                                                       \
        if (!(cond)) {                                                         \
            cross_err(diag, o, sc, key, __VA_ARGS__);                          \
            bad = 1;                                                           \
        }                                                                      \
    } while (0)

    if (tp < 1 || pp < 1 || cp < 1 || ep < 1 || vpp < 1 || p->num_gpus < 1 ||
        t->micro_batch_size < 1 || m->num_attention_heads < 1 ||
        m->num_query_groups < 1) {
        return tce_diag_error(diag, o->files[0], 1, NULL,
                              "job not loaded (sizes below 1)");
    }
    RULE(p->num_gpus % mp == 0, "parallel.num_gpus",
         "must be a multiple of tensor x pipeline x context parallel sizes "
         "%lld x %lld x %lld = %lld (got %lld)",
         (long long)tp, (long long)pp, (long long)cp, (long long)mp,
         (long long)p->num_gpus);
    if (p->num_gpus % mp == 0)
        dp = p->num_gpus / mp;
    RULE(m->num_attention_heads % tp == 0, "model.num_attention_heads",
         "must be divisible by tensor_model_parallel_size %lld (got %lld)",
         (long long)tp, (long long)m->num_attention_heads);
    if (!m->multi_latent_attention) {
        RULE(m->num_query_groups % tp == 0, "model.num_query_groups",
             "must be divisible by tensor_model_parallel_size %lld (got "
             "%lld)",
             (long long)tp, (long long)m->num_query_groups);
        RULE(m->num_attention_heads % m->num_query_groups == 0,
             "model.num_query_groups",
             "must divide num_attention_heads %lld (got %lld)",
             (long long)m->num_attention_heads, (long long)m->num_query_groups);
    }
    if (!o->is_set[tce_cfg_slot(sc, "model.kv_channels")])
        RULE(m->hidden_size % m->num_attention_heads == 0, "model.hidden_size",
             "must be divisible by num_attention_heads %lld when "
             "kv_channels is not set (got %lld)",
             (long long)m->num_attention_heads, (long long)m->hidden_size);
    if (p->decoder_first_pipeline_num_layers <= 0 &&
        p->decoder_last_pipeline_num_layers <= 0) {
        int64_t slots = m->num_layers +
                        (p->account_for_embedding_in_pipeline_split ? 1 : 0) +
                        (p->account_for_loss_in_pipeline_split ? 1 : 0);

        RULE(slots % (pp * vpp) == 0, "model.num_layers",
             "%smust be divisible by pipeline x virtual pipeline sizes "
             "%lld x %lld = %lld (got %lld)",
             slots != m->num_layers ? "plus the embedding / loss slots " : "",
             (long long)pp, (long long)vpp, (long long)(pp * vpp),
             (long long)slots);
    } else {
        RULE(!p->account_for_embedding_in_pipeline_split &&
                 !p->account_for_loss_in_pipeline_split,
             "parallel.account_for_embedding_in_pipeline_split",
             "cannot be combined with decoder_first/last_pipeline_num_layers");
        /* Megatron-LM's uneven first / last stages: the other stages split
         * the rest evenly, each stage's layers split over vpp chunks */
        int64_t f = p->decoder_first_pipeline_num_layers;
        int64_t z = p->decoder_last_pipeline_num_layers;
        int64_t ms = pp - (f > 0) - (z > 0);
        int64_t rest = m->num_layers - (f > 0 ? f : 0) - (z > 0 ? z : 0);

        RULE(pp > 1 && ms >= 0 && rest >= 0 &&
                 (ms > 0 ? rest % (ms * vpp) == 0 : rest == 0) &&
                 f % vpp == 0 && z % vpp == 0,
             f > 0 ? "parallel.decoder_first_pipeline_num_layers"
                   : "parallel.decoder_last_pipeline_num_layers",
             "first %lld and last %lld stage layers leave %lld of "
             "num_layers %lld for %lld middle stages: each stage's layers "
             "must split evenly over %lld virtual stages (pp > 1)",
             (long long)f, (long long)z, (long long)rest,
             (long long)m->num_layers, (long long)ms, (long long)vpp);
    }
    RULE(vpp == 1 || pp > 1, "parallel.virtual_pipeline_model_parallel_size",
         "needs pipeline_model_parallel_size > 1 (got %lld)", (long long)vpp);
    if (m->num_experts > 0) {
        RULE(m->moe_router_topk >= 1 && m->moe_router_topk <= m->num_experts,
             "model.moe_router_topk",
             "must be in [1, num_experts = %lld] for an MoE model (got %lld)",
             (long long)m->num_experts, (long long)m->moe_router_topk);
        RULE(m->num_experts % ep == 0, "parallel.expert_model_parallel_size",
             "must divide num_experts %lld (got %lld)",
             (long long)m->num_experts, (long long)ep);
        RULE(m->moe_first_dense_layers < m->num_layers,
             "model.moe_first_dense_layers",
             "must be less than num_layers %lld (got %lld)",
             (long long)m->num_layers, (long long)m->moe_first_dense_layers);
    } else {
        RULE(ep == 1, "parallel.expert_model_parallel_size",
             "needs num_experts > 0 (got %lld)", (long long)ep);
        RULE(m->moe_router_topk == 0, "model.moe_router_topk",
             "needs num_experts > 0 (got %lld)", (long long)m->moe_router_topk);
    }
    if (dp > 0) {
        RULE(dp % ep == 0, "parallel.expert_model_parallel_size",
             "must divide the data parallel size %lld = num_gpus / (tp x pp "
             "x cp) (got %lld)",
             (long long)dp, (long long)ep);
        RULE(t->global_batch_size % (dp * t->micro_batch_size) == 0,
             "training.global_batch_size",
             "must be a multiple of data parallel size x micro_batch_size "
             "%lld x %lld = %lld (got %lld)",
             (long long)dp, (long long)t->micro_batch_size,
             (long long)(dp * t->micro_batch_size),
             (long long)t->global_batch_size);
    }
    if (cp > 1)
        RULE(m->seq_length % (2 * cp) == 0, "model.seq_length",
             "must be divisible by 2 x context_parallel_size = %lld (got "
             "%lld)",
             (long long)(2 * cp), (long long)m->seq_length);
    RULE(t->train_tokens >= t->global_batch_size * m->seq_length,
         "training.train_tokens",
         "must be at least one iteration, global_batch_size x seq_length = "
         "%lld (got %lld)",
         (long long)(t->global_batch_size * m->seq_length),
         (long long)t->train_tokens);
    if (m->multi_latent_attention) {
        RULE(m->kv_lora_rank > 0, "model.kv_lora_rank",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->kv_lora_rank);
        RULE(m->qk_head_dim > 0, "model.qk_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->qk_head_dim);
        RULE(m->qk_pos_emb_head_dim > 0, "model.qk_pos_emb_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->qk_pos_emb_head_dim);
        RULE(m->v_head_dim > 0, "model.v_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->v_head_dim);
    }
#undef RULE
    return bad ? TCE_ECONFIG : 0;
}

/* The slot of field key of entry i of list (always valid here: the list
 * and field names are the schema's own). */
static int lslot(const struct schema *sc, const char *list, int i,
                 const char *key)
{
    int s = tce_cfg_list_slot(sc, list, i, key);

    return s >= 0 && s < TCE_CONFIG_SLOTS_MAX ? s : 0;
}

static const char *slot_file(const struct tce_config_origin *o, int slot)
{
    int f = o->file[slot];

    return f < o->n_files ? o->files[f] : o->files[0];
}

/* A key an entry's kind needs: "" when every such key is set. */
static const char *contract_needs(const struct tce_config_origin *o,
                                  const struct schema *sc, int i,
                                  enum tce_contract_kind kind)
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
        if (needs[k].kind == kind &&
            !o->is_set[lslot(sc, "contracts", i, needs[k].key)])
            return needs[k].key;
    return "";
}

int tce_cfg_topology_check(const struct tce_topology *t, struct tce_diag *d)
{
    const struct tce_config_origin *o = &t->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_TOPOLOGY);
    int bad = 0, i, j, s;
    int64_t dom = t->scale_up.domain_accelerators;
    int64_t acc = t->node.accelerators;

    if (dom % acc != 0 && acc % dom != 0)
        bad = cross_err(d, o, sc, "scale_up.domain_accelerators",
                        "must be a multiple or a divisor of "
                        "node.accelerators %lld (got %lld)",
                        (long long)acc, (long long)dom);
    for (i = 1; i < t->n_fabric; i++) {
        s = lslot(sc, "fabric", i, "group_nodes");
        if (t->fabric[i].group_nodes <= t->fabric[i - 1].group_nodes) {
            char key[64];

            snprintf(key, sizeof(key), "fabric[%d].group_nodes", i);
            tce_diag_error(d, slot_file(o, s), o->line[s], key,
                           "must be greater than the tier below, %lld (got "
                           "%lld)",
                           (long long)t->fabric[i - 1].group_nodes,
                           (long long)t->fabric[i].group_nodes);
            bad = TCE_ECONFIG;
        }
    }
    for (i = 0; i < t->n_contracts; i++) {
        const struct tce_contract *c = &t->contracts[i];
        int s_name = lslot(sc, "contracts", i, "name");
        const char *need = contract_needs(o, sc, i, c->kind);
        char key[64];

        if (need[0]) {
            /* the entry's file, the line of its kind */
            snprintf(key, sizeof(key), "contracts[%d].%s", i, need);
            tce_diag_error(d, slot_file(o, s_name),
                           o->line[lslot(sc, "contracts", i, "kind")], key,
                           "missing required key for kind '%s'",
                           tce_contract_kind_name(c->kind));
            bad = TCE_ECONFIG;
        }
        s = lslot(sc, "contracts", i, "committed_nodes");
        if (c->kind == TCE_CONTRACT_COMMITMENT && o->is_set[s] &&
            (c->committed_nodes < 1 ||
             c->committed_nodes > t->capacity.max_nodes)) {
            snprintf(key, sizeof(key), "contracts[%d].committed_nodes", i);
            tce_diag_error(d, slot_file(o, s), o->line[s], key,
                           "must be in [1, capacity.max_nodes = %lld] (got "
                           "%lld)",
                           (long long)t->capacity.max_nodes,
                           (long long)c->committed_nodes);
            bad = TCE_ECONFIG;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(t->contracts[j].name, c->name) == 0) {
                snprintf(key, sizeof(key), "contracts[%d].name", i);
                tce_diag_error(d, slot_file(o, s_name), o->line[s_name], key,
                               "duplicate contract name '%s' (also "
                               "contracts[%d])",
                               c->name, j);
                bad = TCE_ECONFIG;
                break;
            }
        }
    }
    return bad ? TCE_ECONFIG : 0;
}

int tce_cfg_calibration_check(const struct tce_calibration *c,
                              struct tce_diag *d)
{
    const struct tce_config_origin *o = &c->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    int bad = 0, i, j;

    if (c->ranks_per_node > c->ranks)
        bad = cross_err(d, o, sc, "calibration.ranks_per_node",
                        "must be at most ranks %lld (got %lld)",
                        (long long)c->ranks, (long long)c->ranks_per_node);
    for (i = 0; i < c->n_links; i++) {
        for (j = 0; j < i; j++) {
            if (c->links[i].link == c->links[j].link) {
                int s = lslot(sc, "calibration.links", i, "link");
                char key[64];

                snprintf(key, sizeof(key), "calibration.links[%d].link", i);
                tce_diag_error(d, slot_file(o, s), o->line[s], key,
                               "second entry for link '%s' (first is "
                               "links[%d])",
                               tce_link_class_name(c->links[i].link), j);
                bad = TCE_ECONFIG;
            }
        }
    }
    return bad ? TCE_ECONFIG : 0;
}
