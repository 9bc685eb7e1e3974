/*
 * layout.c - which world rank holds which (tp, cp, dp, ep, pp) coordinates,
 * which node it sits on, which groups it joins, and where a group sits.
 *
 * Pure and closed form: every group kind is an arithmetic progression of
 * world ranks (see layout.h), so nothing here loops over ranks.
 */
#include "tcemu/layout.h"
#include "tcemu/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const group_names[TCE_GROUP_COUNT] = {
    [TCE_GROUP_TP] = "tp",   [TCE_GROUP_CP] = "cp", [TCE_GROUP_DP] = "dp",
    [TCE_GROUP_EP] = "ep",   [TCE_GROUP_EDP] = "edp", [TCE_GROUP_PP] = "pp",
    [TCE_GROUP_WORLD] = "world",
    [TCE_GROUP_EP_INTRA] = "ep_intra", [TCE_GROUP_EP_INTER] = "ep_inter",
};

const char *tce_group_name(enum tce_group g)
{
    if ((int)g < 0 || g >= TCE_GROUP_COUNT)
        return "unknown";
    return group_names[g];
}

static int64_t or_one(int64_t v)
{
    return v > 0 ? v : 1;
}

/* "--gpus 96" or "jobs/x.cfg: parallel.num_gpus 96", for messages. */
static void describe_gpus(char *buf, size_t size, const struct tce_job *job,
                          int64_t gpus, int from_cli)
{
    if (from_cli)
        snprintf(buf, size, "--gpus %" PRId64, gpus);
    else
        snprintf(buf, size, "%s%sparallel.num_gpus %" PRId64, job->path,
                 job->path[0] ? ": " : "", gpus);
}

int tce_layout_init(struct tce_layout *layout, const struct tce_job *job,
                    const struct tce_topology *topo, int64_t gpus,
                    struct tce_error *err)
{
    const struct tce_model *m = &job->model;
    const struct tce_parallel *p = &job->parallel;
    const struct tce_training *t = &job->training;
    struct tce_layout l;
    char what[TCE_TEXT_MAX + 64];
    int from_cli = gpus > 0;
    int64_t heads = m->num_attention_heads;
    int64_t groups = m->num_query_groups;
    struct tce_error why;
    int rc = 0;

    memset(&l, 0, sizeof(l));
    l.gpus = from_cli ? gpus : p->num_gpus;
    if (l.gpus <= 0) {
        describe_gpus(what, sizeof(what), job, l.gpus, from_cli);
        rc = tce_error_set(err, TCE_ECONFIG,
                           "%s: the GPU count must be positive", what);
        goto out;
    }
    l.tp = p->tensor_model_parallel_size; /* defaults: tce_job_defaults */
    l.pp = p->pipeline_model_parallel_size;
    l.vpp = p->virtual_pipeline_model_parallel_size;
    l.cp = p->context_parallel_size;
    l.ep = p->expert_model_parallel_size;
    l.micro_batch = t->micro_batch_size;
    /* the rules (rules.h), in the order callers have always seen them; a
     * rule formats its message only when it is broken */
    if (tce_rule_model_parallel(l.gpus, l.tp, l.pp, l.cp, TCE_RULE_LAYOUT,
                                &why) != 0)
        goto broken;
    l.dp = l.gpus / (l.tp * l.pp * l.cp);
    l.etp = p->expert_tensor_parallel_size;
    if (tce_rule_ep_group(l.tp, l.cp, l.dp, l.ep, l.etp, TCE_RULE_LAYOUT,
                          &why) != 0 ||
        tce_rule_global_batch(t->global_batch_size, l.dp, l.micro_batch,
                              TCE_RULE_LAYOUT, &why) != 0)
        goto broken;
    l.microbatches = t->global_batch_size / (l.dp * l.micro_batch);
    if ((heads > 0 && tce_rule_attention_tp(heads, groups, l.tp, &why) != 0) ||
        tce_rule_experts_ep(m->num_experts, l.ep, TCE_RULE_LAYOUT, &why) != 0 ||
        tce_rule_ep_overlap(t->overlap_moe_expert_parallel_comm, l.pp, l.vpp,
                            l.ep, TCE_RULE_LAYOUT, &why) != 0 ||
        (m->num_layers > 0 &&
         tce_rule_layers(job, l.pp, l.vpp, TCE_RULE_LAYOUT, &why) != 0))
        goto broken;
    l.gpus_per_node = topo ? or_one(topo->node.accelerators) : 1;
    l.scale_up_domain = tce_layout_scale_up_ranks(topo, l.gpus);
    *layout = l;
    goto out;
broken:
    /* `what` (for messages) is formatted only on an error: this runs once
     * per projection */
    describe_gpus(what, sizeof(what), job, l.gpus, from_cli);
    rc = tce_error_set(err, TCE_ECONFIG, "%s: %s", what, why.msg);
out:
    return rc;
}

int tce_layout_coords(const struct tce_layout *layout, int64_t rank,
                      struct tce_coords *out)
{
    int64_t r = rank;

    if (rank < 0 || rank >= layout->gpus)
        return TCE_ERANGE;
    out->tp = r % layout->tp;
    r /= layout->tp;
    out->cp = r % layout->cp;
    r /= layout->cp;
    out->dp = r % layout->dp;
    out->pp = r / layout->dp;
    if (layout->etp > 0) {
        /* folded: the stage's tp x cp x dp ranks as etp x ep x edp */
        int64_t i = rank % (layout->tp * layout->cp * layout->dp);

        out->ep = (i / layout->etp) % layout->ep;
        out->edp = i / (layout->etp * layout->ep);
    } else {
        out->ep = out->dp % layout->ep;
        out->edp = out->dp / layout->ep;
    }
    out->node = rank / or_one(layout->gpus_per_node);
    return 0;
}

int64_t tce_layout_rank(const struct tce_layout *layout,
                        const struct tce_coords *c)
{
    if (c->tp < 0 || c->tp >= layout->tp || c->cp < 0 ||
        c->cp >= layout->cp || c->dp < 0 || c->dp >= layout->dp ||
        c->pp < 0 || c->pp >= layout->pp)
        return -1;
    return c->tp + layout->tp * (c->cp + layout->cp *
                                 (c->dp + layout->dp * c->pp));
}

/* speed (issue 11): a group's size and stride with the EP members of one
 * scale-up domain given (tce_layout_ep_domain_members, needed only by
 * EP_INTRA and EP_INTER), so tce_layout_spans_cached works it out once. */
static int64_t size_with(const struct tce_layout *layout, enum tce_group g,
                         int64_t members)
{
    switch (g) {
    case TCE_GROUP_TP: return layout->tp;
    case TCE_GROUP_CP: return layout->cp;
    case TCE_GROUP_DP: return layout->dp;
    case TCE_GROUP_EP: return layout->ep;
    case TCE_GROUP_EDP:
        return layout->etp > 0 ? layout->tp * layout->cp * layout->dp /
                                     (layout->etp * layout->ep)
                               : layout->dp / layout->ep;
    case TCE_GROUP_PP: return layout->pp;
    case TCE_GROUP_WORLD: return layout->gpus;
    case TCE_GROUP_EP_INTRA: return members;
    case TCE_GROUP_EP_INTER: return layout->ep / members;
    case TCE_GROUP_COUNT: break;
    }
    return 0;
}

static int64_t ep_stride(const struct tce_layout *layout)
{
    return layout->etp > 0 ? layout->etp : layout->tp * layout->cp;
}

static int64_t stride_with(const struct tce_layout *layout, enum tce_group g,
                           int64_t members)
{
    switch (g) {
    case TCE_GROUP_TP: return 1;
    case TCE_GROUP_CP: return layout->tp;
    case TCE_GROUP_DP: return layout->tp * layout->cp;
    case TCE_GROUP_EP: return ep_stride(layout);
    case TCE_GROUP_EDP: return ep_stride(layout) * layout->ep;
    case TCE_GROUP_PP: return layout->tp * layout->cp * layout->dp;
    case TCE_GROUP_WORLD: return 1;
    case TCE_GROUP_EP_INTRA: return ep_stride(layout);
    case TCE_GROUP_EP_INTER: return ep_stride(layout) * members;
    case TCE_GROUP_COUNT: break;
    }
    return 0;
}

static int needs_members(enum tce_group g)
{
    return g == TCE_GROUP_EP_INTRA || g == TCE_GROUP_EP_INTER;
}

int64_t tce_layout_group_size(const struct tce_layout *layout,
                              enum tce_group g)
{
    return size_with(layout, g,
                     needs_members(g) ? tce_layout_ep_domain_members(layout)
                                      : 0);
}

int64_t tce_layout_group_stride(const struct tce_layout *layout,
                                enum tce_group g)
{
    return stride_with(layout, g,
                       needs_members(g) ? tce_layout_ep_domain_members(layout)
                                        : 0);
}

/* moe (issue 11) */
int64_t tce_layout_ep_domain_members(const struct tce_layout *layout)
{
    int64_t stride = ep_stride(layout);
    int64_t domain = layout->scale_up_domain > 0
                         ? layout->scale_up_domain
                         : or_one(layout->gpus_per_node);
    int64_t k = stride > 0 ? domain / stride : 1;

    if (layout->ep < 1)
        return 1;
    if (k > layout->ep)
        k = layout->ep;
    while (k > 1 && layout->ep % k != 0)
        k--;
    return k < 1 ? 1 : k;
}

int64_t tce_layout_key(const struct tce_layout *layout, int64_t rank,
                       enum tce_group g)
{
    struct tce_coords c;

    if (tce_layout_coords(layout, rank, &c) != 0)
        return -1;
    switch (g) {
    case TCE_GROUP_TP: return c.tp;
    case TCE_GROUP_CP: return c.cp;
    case TCE_GROUP_DP: return c.dp;
    case TCE_GROUP_EP: return c.ep;
    case TCE_GROUP_EDP: return c.edp;
    case TCE_GROUP_PP: return c.pp;
    case TCE_GROUP_WORLD: return rank;
    case TCE_GROUP_EP_INTRA: return c.ep % tce_layout_ep_domain_members(layout);
    case TCE_GROUP_EP_INTER: return c.ep / tce_layout_ep_domain_members(layout);
    case TCE_GROUP_COUNT: break;
    }
    return -1;
}

int64_t tce_layout_color(const struct tce_layout *layout, int64_t rank,
                         enum tce_group g)
{
    int64_t key = tce_layout_key(layout, rank, g);
    int64_t stride = tce_layout_group_stride(layout, g);

    if (key < 0 || stride <= 0)
        return -1;
    if (g == TCE_GROUP_WORLD)
        return 0;
    return rank - key * stride;
}

int64_t tce_layout_pp_prev(const struct tce_layout *layout, int64_t rank)
{
    int64_t stride = layout->tp * layout->cp * layout->dp;

    if (rank < 0 || rank >= layout->gpus || rank < stride)
        return -1;
    return rank - stride;
}

int64_t tce_layout_pp_next(const struct tce_layout *layout, int64_t rank)
{
    int64_t stride = layout->tp * layout->cp * layout->dp;

    if (rank < 0 || rank + stride >= layout->gpus)
        return -1;
    return rank + stride;
}

/* fitd (issue 11): placement on a scale-up domain of several nodes
 * (GB200/GB300 NVL72: 18 trays of 4 GPUs per NVLink rack).  Slurm's
 * --segment (topology/block plugin) places a job's nodes in segments of
 * equal size, each inside one block (rack); Megatron-Bridge's launcher
 * asks for the job's node count when it has at most 18 trays, else the
 * largest divisor of it up to 18 (scripts/performance/utils/executors.py,
 * commit 067f987df03b).  So 64 trays run as 4 racks of 16 trays (64 GPUs
 * on NVLink, 8 GPUs of each rack idle), not packed over 72-GPU blocks that
 * a 64-rank group would straddle.  A domain of one node is unchanged. */
int64_t tce_layout_segment_ranks(int64_t gpus, int64_t gpus_per_node,
                                 int64_t domain)
{
    int64_t nodes, per, seg;

    if (gpus_per_node < 1 || domain <= gpus_per_node ||
        domain % gpus_per_node != 0 || gpus % gpus_per_node != 0)
        return domain;
    nodes = gpus / gpus_per_node;
    per = domain / gpus_per_node;
    if (nodes <= per)
        return nodes * gpus_per_node;
    for (seg = per; seg > 1; seg--)
        if (nodes % seg == 0)
            break;
    return seg * gpus_per_node;
}

/* search2 (issue 11): the one placement rule, for the layout and search. */
int64_t tce_layout_scale_up_ranks(const struct tce_topology *topo,
                                  int64_t gpus)
{
    int64_t per = topo ? or_one(topo->node.accelerators) : 1;
    int64_t domain = topo ? topo->scale_up.domain_accelerators : 0;

    if (domain <= 0)
        domain = per;
    return tce_layout_segment_ranks(gpus, per, domain);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Distinct blocks of block ranks that the progression 0, S, .., (n-1)S
 * touches, and the most members in one block. */
static void blocks(int64_t n, int64_t stride, int64_t block, int64_t *count,
                   int64_t *range, int64_t *per_block)
{
    *range = (n - 1) * stride / block + 1;
    if (stride >= block) {
        *count = n;
        *per_block = 1;
    } else {
        /* gaps shorter than a block: every block of the range is hit */
        *count = *range;
        *per_block = min64(n, (block + stride - 1) / stride);
    }
}

/*
 * Whether some group of the kind (n members, stride S) has members on both
 * sides of a boundary between aligned blocks of `block` ranks (a node, a
 * scale-up domain, the nodes under one switch).  The groups of a kind tile
 * the ranks in aligned runs of n*S (S interleaved groups per run); a run
 * that contains a block boundary has a group crossing it (n >= 2), and some
 * run contains one exactly when the job is larger than a block and the run
 * is longer than a block or does not divide it.
 */
static int straddles(int64_t n, int64_t stride, int64_t gpus, int64_t block)
{
    int64_t run = n * stride;

    if (n < 2 || gpus <= block)
        return 0;
    return run > block || block % run != 0;
}

/* Pairs (r, r + S) for every rank r < gpus - S: some pair crosses a
 * boundary of aligned blocks of `block` ranks.  Any pair with r in
 * [block - S, block) crosses the first boundary, and r = max(0, block - S)
 * exists when there is a boundary inside the job at all. */
static int pair_straddles(int64_t stride, int64_t gpus, int64_t block)
{
    return stride < gpus && gpus > block;
}

static int crosses(int pair, int64_t n, int64_t stride, int64_t gpus,
                   int64_t block)
{
    return pair ? pair_straddles(stride, gpus, block)
                : straddles(n, stride, gpus, block);
}

/* The span of groups of n members at stride (pair: the pairs of pipeline
 * neighbours, which overlap instead of tiling the ranks). */
static void span_of(const struct tce_layout *layout, int64_t n,
                    int64_t stride, int pair, const struct tce_topology *topo,
                    struct tce_span *out)
{
    int64_t node = or_one(layout->gpus_per_node);
    int64_t domain = layout->scale_up_domain > 0 ? layout->scale_up_domain
                                                 : node;
    int64_t unused_range, unused_per;
    int64_t local, gpus = layout->gpus;
    int i, n_fabric;

    out->size = n;
    out->stride = stride;
    blocks(n, stride, node, &out->nodes, &out->node_range,
           &out->ranks_per_node);
    blocks(n, stride, domain, &out->domains, &unused_range, &unused_per);
    /* crossings are those of the worst group of the kind */
    out->leaves_node = out->nodes > 1 || crosses(pair, n, stride, gpus, node);
    out->leaves_domain = out->domains > 1 ||
                         crosses(pair, n, stride, gpus, domain);
    if (out->leaves_node && out->nodes < 2) {
        out->nodes = 2;
        out->node_range = out->node_range < 2 ? 2 : out->node_range;
    }
    if (out->leaves_domain && out->domains < 2)
        out->domains = 2;
    local = min64(node, gpus);
    out->groups_per_node =
        (local + out->ranks_per_node - 1) / out->ranks_per_node;
    out->tier = -1;
    out->oversubscription = 1.0;
    if (!out->leaves_domain)
        return;
    out->nic_ranks = local;
    out->tier = 0;
    if (!topo || topo->n_fabric <= 0)
        return;
    n_fabric = topo->n_fabric < TCE_FABRIC_TIERS_MAX ? topo->n_fabric
                                                     : TCE_FABRIC_TIERS_MAX;
    out->tier = n_fabric - 1;
    for (i = 0; i < n_fabric; i++) {
        int64_t under = topo->fabric[i].group_nodes * node;

        if (topo->fabric[i].group_nodes > 0 &&
            out->node_range <= topo->fabric[i].group_nodes &&
            !crosses(pair, n, stride, gpus, under)) {
            out->tier = i;
            break;
        }
    }
    for (i = 0; i <= out->tier; i++) {
        out->fabric_latency_us += topo->fabric[i].latency_us;
        if (i < out->tier && topo->fabric[i].oversubscription > 0)
            out->oversubscription *= topo->fabric[i].oversubscription;
    }
}

int tce_layout_group_span(const struct tce_layout *layout, enum tce_group g,
                          const struct tce_topology *topo,
                          struct tce_span *out)
{
    int64_t n = tce_layout_group_size(layout, g);
    int64_t stride = tce_layout_group_stride(layout, g);

    memset(out, 0, sizeof(*out));
    if (n <= 0 || stride <= 0)
        return TCE_ERANGE;
    span_of(layout, n, stride, 0, topo, out);
    return 0;
}

int tce_layout_pp_pair_span(const struct tce_layout *layout,
                            const struct tce_topology *topo,
                            struct tce_span *out)
{
    int64_t stride = tce_layout_group_stride(layout, TCE_GROUP_PP);

    memset(out, 0, sizeof(*out));
    if (layout->pp <= 0 || stride <= 0)
        return TCE_ERANGE;
    span_of(layout, layout->pp > 1 ? 2 : 1, stride, 1, topo, out);
    return 0;
}

/* ---- layers per stage (uneven first / last stages) ---------------------- */

/* Slots of the even split: layers plus the embedding / loss when they are
 * accounted as layers. */
static int64_t slots_of(const struct tce_job *job)
{
    return job->model.num_layers +
           (job->parallel.account_for_embedding_in_pipeline_split ? 1 : 0) +
           (job->parallel.account_for_loss_in_pipeline_split ? 1 : 0);
}

static int uneven(const struct tce_job *job)
{
    return job->parallel.decoder_first_pipeline_num_layers > 0 ||
           job->parallel.decoder_last_pipeline_num_layers > 0;
}

int tce_layout_check_layers(const struct tce_job *job, int64_t pp,
                            int64_t vpp, struct tce_error *err)
{
    struct tce_error why;
    int rc = tce_rule_layers(job, pp, vpp, TCE_RULE_LAYOUT, err ? &why : NULL);

    if (rc != 0)
        rc = tce_error_set(err, TCE_ECONFIG, "%s", why.msg);
    return rc;
}

/* A parsed pipeline_model_parallel_layout that matches the layout (the
 * rules have checked it against pp x vpp). */
static int has_layout(const struct tce_job *job, int64_t pp, int64_t vpp)
{
    return job->parallel.pipeline_layout_stages > 0 &&
           job->parallel.pipeline_layout_stages == pp * vpp;
}

int64_t tce_layout_chunk_layers(const struct tce_job *job,
                                const struct tce_layout *layout,
                                int64_t stage, int64_t chunk)
{
    int64_t pp = or_one(layout->pp), vpp = or_one(layout->vpp);
    int64_t j = chunk * pp + stage, n;

    if (has_layout(job, pp, vpp))
        return job->parallel.pipeline_layout_layers[j];
    if (uneven(job))
        return tce_layout_stage_layers(job, layout, stage) / vpp;
    n = slots_of(job) / (pp * vpp);
    if (j == 0 && job->parallel.account_for_embedding_in_pipeline_split)
        n--;
    if (j == pp * vpp - 1 && job->parallel.account_for_loss_in_pipeline_split)
        n--;
    return n;
}

int64_t tce_layout_stage_layers(const struct tce_job *job,
                                const struct tce_layout *layout,
                                int64_t stage)
{
    int64_t L = job->model.num_layers, pp = or_one(layout->pp);
    int64_t vpp = or_one(layout->vpp);
    int64_t f = job->parallel.decoder_first_pipeline_num_layers;
    int64_t z = job->parallel.decoder_last_pipeline_num_layers;
    int64_t mid_stages, n, c;

    if (has_layout(job, pp, vpp)) {
        for (n = 0, c = 0; c < vpp; c++)
            n += job->parallel.pipeline_layout_layers[c * pp + stage];
        return n;
    }
    if (!uneven(job)) {
        n = slots_of(job) / pp;
        if (stage == 0 && job->parallel.account_for_embedding_in_pipeline_split)
            n--;
        if (stage == pp - 1 && job->parallel.account_for_loss_in_pipeline_split)
            n--;
        (void)vpp;
        return n;
    }
    if (f > 0 && stage == 0)
        return f;
    if (z > 0 && stage == pp - 1)
        return z;
    mid_stages = pp - (f > 0 ? 1 : 0) - (z > 0 ? 1 : 0);
    if (mid_stages <= 0)
        return 0;
    return (L - (f > 0 ? f : 0) - (z > 0 ? z : 0)) / mid_stages;
}

int64_t tce_layout_chunk_first_layer(const struct tce_job *job,
                                     const struct tce_layout *layout,
                                     int64_t stage, int64_t chunk)
{
    int64_t pp = or_one(layout->pp), vpp = or_one(layout->vpp);
    int64_t before = 0, s, j = chunk * pp + stage;

    if (has_layout(job, pp, vpp)) {
        for (s = 0; s < j; s++)
            before += job->parallel.pipeline_layout_layers[s];
        return before;
    }
    if (!uneven(job)) {
        int64_t first = j * (slots_of(job) / (pp * vpp));
        if (j > 0 && job->parallel.account_for_embedding_in_pipeline_split)
            first--;
        return first;
    }
    for (s = 0; s < stage && s < 2; s++)
        before += tce_layout_stage_layers(job, layout, s);
    if (stage > 2) /* stages 1 .. stage-1 are all middle stages */
        before += (stage - 2) * tce_layout_stage_layers(job, layout, 1);
    return chunk * (job->model.num_layers / vpp) + before / vpp;
}

void tce_layout_spans(const struct tce_layout *layout,
                      const struct tce_topology *topo,
                      struct tce_span spans[TCE_GROUP_COUNT])
{
    int g;

    memset(&spans[TCE_GROUP_WORLD], 0, sizeof(spans[TCE_GROUP_WORLD]));
    for (g = 0; g < TCE_GROUP_COUNT; g++)
        if (g != TCE_GROUP_WORLD)
            tce_layout_group_span(layout, (enum tce_group)g, topo, &spans[g]);
}

/* ---- speed (issue 11): spans kept from one layout to the next ---------- */

/* Whether straddles(n, stride, gpus, block) holds for some GPU count: then
 * it holds exactly for gpus > block. */
static int can_straddle(int64_t n, int64_t stride, int64_t block)
{
    int64_t run = n * stride;

    return n >= 2 && (run > block || block % run != 0);
}

/* Narrow [*lo, *hi] to the GPU counts on gpus's side of "gpus > b". */
static void narrow(int64_t gpus, int64_t b, int64_t *lo, int64_t *hi)
{
    if (gpus > b) {
        if (b + 1 > *lo)
            *lo = b + 1;
    } else if (b < *hi) {
        *hi = b;
    }
}

/*
 * The GPU counts [*lo, *hi] around layout->gpus at which span_of gives the
 * group of n members at stride (pair 0) the same span, the other inputs
 * (n, stride, node and domain sizes, topology) held: span_of reads the GPU
 * count only through min(node, gpus) and crosses(), which for pair 0 is
 * straddles(): "gpus > block" for the node, the domain and (read only when
 * the group leaves the domain) each fabric tier's block of nodes, where
 * the group can straddle that block at all.
 */
static void same_span_gpus(const struct tce_layout *layout, int64_t n,
                           int64_t stride, const struct tce_topology *topo,
                           int64_t *lo, int64_t *hi)
{
    int64_t node = or_one(layout->gpus_per_node);
    int64_t domain = layout->scale_up_domain > 0 ? layout->scale_up_domain
                                                 : node;
    int64_t gpus = layout->gpus, range, count, per;
    int i, n_fabric;

    *lo = 1;
    *hi = INT64_MAX;
    if (gpus < node) { /* local = gpus */
        *lo = *hi = gpus;
        return;
    }
    *lo = node;
    if (can_straddle(n, stride, node))
        narrow(gpus, node, lo, hi);
    if (can_straddle(n, stride, domain))
        narrow(gpus, domain, lo, hi);
    blocks(n, stride, domain, &count, &range, &per);
    if (!(count > 1 || straddles(n, stride, gpus, domain)) || !topo ||
        topo->n_fabric <= 0)
        return; /* stays in the domain at every count of [lo, hi] */
    n_fabric = topo->n_fabric < TCE_FABRIC_TIERS_MAX ? topo->n_fabric
                                                     : TCE_FABRIC_TIERS_MAX;
    for (i = 0; i < n_fabric; i++) {
        int64_t under = topo->fabric[i].group_nodes * node;

        if (can_straddle(n, stride, under))
            narrow(gpus, under, lo, hi);
    }
}

void tce_span_cache_init(struct tce_span_cache *c)
{
    c->topo = NULL;
    c->valid = 0;
    c->hits = c->misses = 0;
    memset(&c->span[TCE_GROUP_WORLD], 0, sizeof(c->span[TCE_GROUP_WORLD]));
}

const struct tce_span *tce_layout_spans_cached(const struct tce_layout *layout,
                                               const struct tce_topology *topo,
                                               struct tce_span_cache *c,
                                               unsigned *moved)
{
    int64_t members = tce_layout_ep_domain_members(layout);
    int64_t node = or_one(layout->gpus_per_node);
    int64_t domain = layout->scale_up_domain > 0 ? layout->scale_up_domain
                                                 : node;
    struct tce_span_key *k;
    struct tce_span fresh;
    int g;

    *moved = 0;
    if (c->topo != topo) {
        c->topo = topo;
        c->valid = 0;
    }
    for (g = 0; g < TCE_GROUP_COUNT; g++) {
        int64_t n, stride;

        if (g == TCE_GROUP_WORLD)
            continue;
        n = size_with(layout, (enum tce_group)g, members);
        stride = stride_with(layout, (enum tce_group)g, members);
        k = &c->key[g];
        if ((c->valid & (1u << g)) && k->size == n && k->stride == stride &&
            k->node == node && k->domain == domain &&
            k->gpus_lo <= layout->gpus && layout->gpus <= k->gpus_hi) {
            c->hits++;
            continue;
        }
        c->misses++;
        memset(&fresh, 0, sizeof(fresh)); /* as tce_layout_group_span */
        if (n > 0 && stride > 0) {
            span_of(layout, n, stride, 0, topo, &fresh);
            same_span_gpus(layout, n, stride, topo, &k->gpus_lo,
                           &k->gpus_hi);
        } else {
            k->gpus_lo = k->gpus_hi = layout->gpus;
        }
        k->size = n;
        k->stride = stride;
        k->node = node;
        k->domain = domain;
        if (!(c->valid & (1u << g)) ||
            memcmp(&fresh, &c->span[g], sizeof(fresh)) != 0) {
            c->span[g] = fresh;
            *moved |= 1u << g;
        }
        c->valid |= 1u << g;
    }
    return c->span;
}
