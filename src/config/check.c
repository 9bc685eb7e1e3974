/*
 * check.c - step 4: the cross-field rules of each kind (rules.h for the job
 * and topology rules), run when every single key was fine; each broken
 * rule is reported citing the line of the key it names.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_int.h"
#include "tcemu/linkcal.h"
#include "tcemu/graphscope.h" /* host (issue 11) */
#include "tcemu/recompute.h" /* mem (wave 6) */
#include "tcemu/rules.h"

static const char *slot_file(const struct tce_config_origin *o, int slot)
{
    int f = o->file[slot];

    return f < o->n_files ? o->files[f] : o->files[0];
}

/* Report rc's rule (broken when rc != 0) at the line of its key, a
 * top-level key of sc; returns 1 when broken. */
static int cite(struct tce_diag *d, const struct tce_config_origin *o,
                const struct schema *sc, int rc, const struct tce_error *e)
{
    int slot;

    if (rc == 0)
        return 0;
    if (!d)
        return 1; /* verdict only: nothing formatted (search loops) */
    slot = tce_cfg_slot(sc, e->key);
    if (slot < 0 || slot >= TCE_CONFIG_SLOTS_MAX)
        tce_diag_error(d, o->files[0], 1, e->key, "%s", e->msg);
    else
        tce_diag_error(d, slot_file(o, slot),
                       o->line[slot] > 0 ? o->line[slot] : 1, e->key, "%s",
                       e->msg);
    return 1;
}

/* The same for a rule about entry i of a list: at the line of field. */
static int cite_entry(struct tce_diag *d, const struct tce_config_origin *o,
                      const struct schema *sc, int rc,
                      const struct tce_error *e, const char *list, int i,
                      const char *field)
{
    int slot = tce_cfg_list_slot(sc, list, i, field);

    if (rc == 0)
        return 0;
    if (slot < 0 || slot >= TCE_CONFIG_SLOTS_MAX)
        slot = 0;
    tce_diag_error(d, slot_file(o, slot), o->line[slot], e->key, "%s", e->msg);
    return 1;
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
    int64_t dp = 0;
    struct tce_error e, *ep_ = diag ? &e : NULL;
    int bad = 0, i;

    if (tp < 1 || pp < 1 || cp < 1 || ep < 1 || vpp < 1 || p->num_gpus < 1 ||
        t->micro_batch_size < 1 || m->num_attention_heads < 1 ||
        m->num_query_groups < 1) {
        return tce_diag_error(diag, o->files[0], 1, NULL,
                              "job not loaded (sizes below 1)");
    }
    tce_error_clear(&e);
    if (cite(diag, o, sc,
             tce_rule_model_parallel(p->num_gpus, tp, pp, cp, TCE_RULE_FILE,
                                     ep_),
             &e))
        bad = 1;
    else
        dp = p->num_gpus / (tp * pp * cp);
    bad |= cite(diag, o, sc, tce_rule_heads_tp(m->num_attention_heads, tp, ep_),
                &e);
    if (!m->multi_latent_attention) {
        bad |= cite(diag, o, sc,
                    tce_rule_groups_tp(m->num_query_groups, tp, ep_), &e);
        bad |= cite(diag, o, sc,
                    tce_rule_heads_groups(m->num_attention_heads,
                                          m->num_query_groups, ep_),
                    &e);
    }
    if (!o->is_set[tce_cfg_slot(sc, "model.kv_channels")])
        bad |= cite(
            diag, o, sc,
            tce_rule_head_dim(m->hidden_size, m->num_attention_heads, ep_), &e);
    bad |= cite(diag, o, sc, tce_rule_uneven_accounting(job, ep_), &e);
    bad |= cite(diag, o, sc, tce_rule_layers(job, pp, vpp, TCE_RULE_FILE, ep_),
                &e);
    bad |= cite(diag, o, sc, tce_rule_vpp_needs_pp(pp, vpp, ep_), &e);
    bad |= cite(diag, o, sc,
                tce_rule_ep_overlap(t->overlap_moe_expert_parallel_comm, pp,
                                    vpp, ep, TCE_RULE_FILE, ep_),
                &e);
    bad |= cite(diag, o, sc, tce_rule_token_drop(job, ep_), &e);
    if (m->num_experts > 0) {
        bad |= cite(diag, o, sc, tce_rule_topk(m, ep_), &e);
        bad |= cite(diag, o, sc,
                    tce_rule_experts_ep(m->num_experts, ep, TCE_RULE_FILE, ep_),
                    &e);
        bad |= cite(diag, o, sc, tce_rule_moe_first_dense(m, ep_), &e);
    } else {
        bad |= cite(diag, o, sc, tce_rule_ep_dense(m, ep, ep_), &e);
        bad |= cite(diag, o, sc, tce_rule_topk(m, ep_), &e);
    }
    if (dp > 0) {
        bad |= cite(diag, o, sc,
                    tce_rule_ep_group(tp, cp, dp, ep,
                                      p->expert_tensor_parallel_size,
                                      TCE_RULE_FILE, ep_),
                    &e);
        bad |=
            cite(diag, o, sc,
                 tce_rule_global_batch(t->global_batch_size, dp,
                                       t->micro_batch_size, TCE_RULE_FILE, ep_),
                 &e);
    }
    bad |= cite(diag, o, sc, tce_rule_cp_seq(m->seq_length, cp, ep_), &e);
    bad |= cite(diag, o, sc, tce_rule_train_tokens(m, t, ep_), &e);
    for (i = 0; i < TCE_RULE_MLA_DIMS; i++)
        bad |= cite(diag, o, sc, tce_rule_mla_dim(m, i, ep_), &e);
    /* moe (issue 11) */
    bad |= cite(diag, o, sc, tce_rule_router_groups(m, ep_), &e);
    bad |= cite(diag, o, sc, tce_rule_fp8_dispatch(job, ep_), &e);
    /* mem (wave 6): Megatron-LM's --recompute-modules names */
    {
        unsigned rm;
        int rc = tce_recompute_parse(t->recompute_modules, &rm, ep_);

        if (rc != 0 && ep_)
            snprintf(e.key, sizeof(e.key), "%s", "training.recompute_modules");
        bad |= cite(diag, o, sc, rc, &e);
    }
    /* host (issue 11): Megatron-LM's --cuda-graph-modules names */
    {
        unsigned gm;
        int rc = tce_graphscope_parse(t->cuda_graph_modules, &gm, ep_);

        if (rc != 0 && ep_)
            snprintf(e.key, sizeof(e.key), "%s",
                     "training.cuda_graph_modules");
        bad |= cite(diag, o, sc, rc, &e);
    }
    return bad ? TCE_ECONFIG : 0;
}

/* moe (issue 11): the rules between a job and the topology it runs on,
 * cited at the job's line. */
int tce_job_topology_check(const struct tce_job *job,
                           const struct tce_topology *topo,
                           struct tce_diag *diag)
{
    struct tce_error e;

    tce_error_clear(&e);
    return cite(diag, &job->origin, tce_cfg_schema(TCE_CONFIG_JOB),
                tce_rule_fp8_peak(job, topo, &e), &e)
               ? TCE_ECONFIG
               : 0;
}

/* Contract i's first key its kind needs that the file leaves out; "". */
static const char *contract_missing(const struct tce_topology *t,
                                    const struct schema *sc, int i)
{
    const char *need;
    int n, s;

    for (n = 0; (need = tce_rule_contract_needs(t->contracts[i].kind, n))[0];
         n++) {
        s = tce_cfg_list_slot(sc, "contracts", i, need);
        if (s >= 0 && s < TCE_CONFIG_SLOTS_MAX && !t->origin.is_set[s])
            return need;
    }
    return "";
}

int tce_cfg_topology_check(const struct tce_topology *t, struct tce_diag *d)
{
    const struct tce_config_origin *o = &t->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_TOPOLOGY);
    struct tce_error e;
    int bad = 0, i;

    tce_error_clear(&e);
    bad |= cite(d, o, sc, tce_rule_scale_up_domain(t, &e), &e);
    for (i = 1; i < t->n_fabric; i++)
        bad |= cite_entry(d, o, sc, tce_rule_fabric_order(t, i, &e), &e,
                          "fabric", i, "group_nodes");
    for (i = 0; i < t->n_contracts; i++) {
        const char *need = contract_missing(t, sc, i);

        if (need[0]) {
            /* the entry's file, the line of its kind */
            int s_name = tce_cfg_list_slot(sc, "contracts", i, "name");
            int s_kind = tce_cfg_list_slot(sc, "contracts", i, "kind");
            char key[64];

            snprintf(key, sizeof(key), "contracts[%d].%s", i, need);
            tce_diag_error(d, slot_file(o, s_name), o->line[s_kind], key,
                           "missing required key for kind '%s'",
                           tce_contract_kind_name(t->contracts[i].kind));
            bad = 1;
        }
        if (o->is_set[tce_cfg_list_slot(sc, "contracts", i, "committed_nodes")])
            bad |= cite_entry(d, o, sc, tce_rule_committed_nodes(t, i, &e), &e,
                              "contracts", i, "committed_nodes");
        bad |= cite_entry(d, o, sc, tce_rule_contract_name(t, i, &e), &e,
                          "contracts", i, "name");
        bad |= cite_entry(d, o, sc, tce_rule_on_demand_price(t, i, &e), &e,
                          "contracts", i, "usd_per_node_hour");
        bad |= cite_entry(d, o, sc, tce_rule_contract_price(t, i, &e), &e,
                          "contracts", i, "usd_per_node_hour");
    }
    return bad ? TCE_ECONFIG : 0;
}

/* 1 when the file set key (a top-level key of the calibration schema). */
static int is_set(const struct tce_config_origin *o, const struct schema *sc,
                  const char *key)
{
    int slot = tce_cfg_slot(sc, key);

    return slot >= 0 && slot < TCE_CONFIG_SLOTS_MAX && o->is_set[slot];
}

/* "missing required key" for key when the file does not set it. */
static int require(struct tce_diag *d, const struct tce_config_origin *o,
                   const struct schema *sc, const char *key)
{
    struct tce_error e;

    if (is_set(o, sc, key))
        return 0;
    tce_error_clear(&e);
    snprintf(e.key, sizeof(e.key), "%s", key);
    snprintf(e.msg, sizeof(e.msg), "missing required key");
    return cite(d, o, sc, TCE_ECONFIG, &e);
}

static const char *const compute_keys[] = {
    "calibration.compute.device", "calibration.compute.driver",
    "calibration.compute.software", "calibration.compute.date",
    "calibration.compute.measured_by", "calibration.compute.method",
    "calibration.compute.stack.framework",
    "calibration.compute.stack.framework_version",
    "calibration.compute.stack.flash_attention",
    "calibration.compute.stack.cuda_graphs",
    "calibration.compute.stack.fp8_recipe",
    "calibration.compute.elementwise_gbytes_per_s",
    "calibration.compute.launch_gap_us", "calibration.compute.gemms",
    "calibration.compute.attention"};

/* The compute table's rules: provenance, at least one row, each row
 * (computetable.h's checks) at the line of its entry. */
static int compute_check(const struct tce_calibration *c, struct tce_diag *d)
{
    const struct tce_config_origin *o = &c->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    const struct tce_computetable *t = &c->compute;
    struct tce_error e;
    int bad = 0, i;

    tce_error_clear(&e);
    bad |= require(d, o, sc, "calibration.compute.device");
    bad |= require(d, o, sc, "calibration.compute.date");
    if (t->n_gemms == 0 && t->n_attention == 0) {
        snprintf(e.key, sizeof(e.key), "calibration.compute.gemms");
        snprintf(e.msg, sizeof(e.msg),
                 "a compute table needs gemms or attention rows (got none)");
        bad |= cite(d, o, sc, TCE_ECONFIG, &e);
    }
    for (i = 0; i < t->n_gemms; i++) {
        int rc = tce_computetable_gemm_check(&t->gemms[i], &e);

        snprintf(e.key, sizeof(e.key), "calibration.compute.gemms[%d]", i);
        bad |= cite_entry(d, o, sc, rc, &e, "calibration.compute.gemms", i,
                          "m");
    }
    for (i = 0; i < t->n_attention; i++) {
        int rc = tce_computetable_attention_check(&t->attention[i], &e);

        snprintf(e.key, sizeof(e.key), "calibration.compute.attention[%d]",
                 i);
        bad |= cite_entry(d, o, sc, rc, &e, "calibration.compute.attention",
                          i, "micro_batch_size");
    }
    return bad;
}

/* stack: the stack overhead's keys (any set: the group is present) */
static const char *const stack_overhead_keys[] = {
    "calibration.stack_overhead.per_iteration_s",
    "calibration.stack_overhead.per_microbatch_s",
    "calibration.stack_overhead.stack.framework",
    "calibration.stack_overhead.stack.framework_version",
    "calibration.stack_overhead.stack.attention_backend",
    "calibration.stack_overhead.stack.use_flash_attn",
    "calibration.stack_overhead.stack.cuda_graphs",
    "calibration.stack_overhead.stack.fp8_recipe",
    "calibration.stack_overhead.fitted_from",
    "calibration.stack_overhead.date",
    "calibration.stack_overhead.points",
    "calibration.stack_overhead.microbatches_min",
    "calibration.stack_overhead.microbatches_max",
    "calibration.stack_overhead.rms_rel_error"};

/* stack: a stack overhead names its terms, its logs and at least two
 * points over a range of microbatch counts. */
static int stack_overhead_check(const struct tce_calibration *c,
                                struct tce_diag *d)
{
    const struct tce_config_origin *o = &c->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    const struct tce_stack_overhead *so = &c->stack_overhead;
    struct tce_error e;
    int bad = 0;

    tce_error_clear(&e);
    bad |= require(d, o, sc, "calibration.stack_overhead.per_iteration_s");
    bad |= require(d, o, sc, "calibration.stack_overhead.per_microbatch_s");
    bad |= require(d, o, sc, "calibration.stack_overhead.fitted_from");
    bad |= require(d, o, sc, "calibration.stack_overhead.points");
    if (is_set(o, sc, "calibration.stack_overhead.points") && so->points < 2) {
        snprintf(e.key, sizeof(e.key), "calibration.stack_overhead.points");
        snprintf(e.msg, sizeof(e.msg),
                 "a stack overhead is fitted from at least 2 points (got "
                 "%lld)",
                 (long long)so->points);
        bad |= cite(d, o, sc, TCE_ECONFIG, &e);
    }
    if (so->microbatches_max < so->microbatches_min) {
        snprintf(e.key, sizeof(e.key),
                 "calibration.stack_overhead.microbatches_max");
        snprintf(e.msg, sizeof(e.msg),
                 "must be at least microbatches_min %lld (got %lld)",
                 (long long)so->microbatches_min,
                 (long long)so->microbatches_max);
        bad |= cite(d, o, sc, TCE_ECONFIG, &e);
    }
    return bad;
}

int tce_cfg_calibration_check(const struct tce_calibration *c,
                              struct tce_diag *d)
{
    const struct tce_config_origin *o = &c->origin;
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    struct tce_error e;
    int bad = 0, i, j, compute = 0, stack = 0;
    size_t k;

    tce_error_clear(&e);
    for (k = 0; k < sizeof(compute_keys) / sizeof(compute_keys[0]); k++)
        compute |= is_set(o, sc, compute_keys[k]);
    /* stack: a stack overhead alone is a calibration too */
    for (k = 0; k < sizeof(stack_overhead_keys) / sizeof(stack_overhead_keys[0]);
         k++)
        stack |= is_set(o, sc, stack_overhead_keys[k]);
    if (stack)
        bad |= stack_overhead_check(c, d);
    /* links, or compute, or both; links need their measurement's facts */
    if ((!compute && !stack) || is_set(o, sc, "calibration.links") ||
        is_set(o, sc, "calibration.collectives")) {
        bad |= require(d, o, sc, "calibration.tcemu_version");
        bad |= require(d, o, sc, "calibration.mpi_library");
        bad |= require(d, o, sc, "calibration.ranks");
        bad |= require(d, o, sc, "calibration.ranks_per_node");
        bad |= require(d, o, sc, "calibration.links");
    }
    if (compute)
        bad |= compute_check(c, d);
    if (c->ranks > 0 && c->ranks_per_node > c->ranks) {
        snprintf(e.key, sizeof(e.key), "calibration.ranks_per_node");
        snprintf(e.msg, sizeof(e.msg), "must be at most ranks %lld (got %lld)",
                 (long long)c->ranks, (long long)c->ranks_per_node);
        bad |= cite(d, o, sc, TCE_ECONFIG, &e);
    }
    for (i = 0; i < c->n_links; i++) {
        for (j = 0; j < i; j++) {
            if (c->links[i].link != c->links[j].link)
                continue;
            snprintf(e.key, sizeof(e.key), "calibration.links[%d].link", i);
            snprintf(e.msg, sizeof(e.msg),
                     "second entry for link '%s' (first is links[%d])",
                     tce_link_class_name(c->links[i].link), j);
            bad |= cite_entry(d, o, sc, TCE_ECONFIG, &e, "calibration.links", i,
                              "link");
        }
    }
    /* links: each measured pattern obeys linkcal's rule, once per file */
    for (i = 0; i < c->n_colls; i++) {
        int rc = tce_linkcal_check(&c->colls[i], &e);

        snprintf(e.key, sizeof(e.key), "calibration.collectives[%d]", i);
        bad |= cite_entry(d, o, sc, rc, &e, "calibration.collectives", i,
                          "kind");
        for (j = 0; rc == 0 && j < i; j++) {
            if (!tce_linkcal_same_pattern(&c->colls[i], &c->colls[j]))
                continue;
            snprintf(e.msg, sizeof(e.msg),
                     "second entry for this kind, span, ranks_per_node and "
                     "concurrency (first is collectives[%d])",
                     j);
            bad |= cite_entry(d, o, sc, TCE_ECONFIG, &e,
                              "calibration.collectives", i, "kind");
            break;
        }
    }
    return bad ? TCE_ECONFIG : 0;
}
