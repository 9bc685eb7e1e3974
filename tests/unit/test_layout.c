/* test_layout.c - rank <-> coordinates, MPI_Comm_split colours and keys,
 * pipeline neighbours, group spans on nodes, scale-up domains and fabric
 * tiers, and the checks of tce_layout_init. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/rules.h"
#include "tcemu/util.h"

#define MAXN 64

static void make_job(struct tce_job *job, int64_t gpus, int64_t tp,
                     int64_t cp, int64_t pp, int64_t ep)
{
    tce_job_defaults(job);
    job->parallel.num_gpus = gpus;
    job->parallel.tensor_model_parallel_size = tp;
    job->parallel.pipeline_model_parallel_size = pp;
    job->parallel.virtual_pipeline_model_parallel_size = 1;
    job->parallel.context_parallel_size = cp;
    job->parallel.expert_model_parallel_size = ep;
    job->training.micro_batch_size = 1;
    job->training.global_batch_size = gpus; /* always divisible by dp */
}

static int64_t min_i64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void make_topo(struct tce_topology *t, int node, int domain)
{
    tce_topology_defaults(t);
    t->node.accelerators = node;
    t->scale_up.domain_accelerators = domain;
    t->n_fabric = 2;
    strcpy(t->fabric[0].name, "leaf");
    t->fabric[0].group_nodes = 32;
    t->fabric[0].oversubscription = 2.0;
    t->fabric[0].latency_us = 0.5;
    strcpy(t->fabric[1].name, "spine");
    t->fabric[1].group_nodes = 1024;
    t->fabric[1].oversubscription = 3.0;
    t->fabric[1].latency_us = 1.5;
}

/* The coordinate a group kind varies, and an id of all the others. */
static int64_t own_coord(const struct tce_layout *l,
                         const struct tce_coords *c, enum tce_group g,
                         int64_t rank)
{
    int64_t kin = tce_layout_ep_domain_members(l);

    switch (g) {
    case TCE_GROUP_EP_INTRA: return c->ep % kin;  /* moe (issue 11) */
    case TCE_GROUP_EP_INTER: return c->ep / kin;
    case TCE_GROUP_TP: return c->tp;
    case TCE_GROUP_CP: return c->cp;
    case TCE_GROUP_DP: return c->dp;
    case TCE_GROUP_EP: return c->ep;
    case TCE_GROUP_EDP: return c->edp;
    case TCE_GROUP_PP: return c->pp;
    default: return rank;
    }
}

static int64_t other_id(const struct tce_layout *l, const struct tce_coords *c,
                        enum tce_group g)
{
    int64_t tp = c->tp, cp = c->cp, ep = c->ep, edp = c->edp, pp = c->pp;
    int64_t kin = tce_layout_ep_domain_members(l);

    switch (g) {
    case TCE_GROUP_EP_INTRA: ep = ep / kin * kin; break; /* moe */
    case TCE_GROUP_EP_INTER: ep = ep % kin; break;
    case TCE_GROUP_TP: tp = 0; break;
    case TCE_GROUP_CP: cp = 0; break;
    case TCE_GROUP_DP: ep = 0; edp = 0; break;
    case TCE_GROUP_EP: ep = 0; break;
    case TCE_GROUP_EDP: edp = 0; break;
    case TCE_GROUP_PP: pp = 0; break;
    default: return 0;
    }
    return tp + l->tp * (cp + l->cp * (ep + l->ep *
                                       (edp + (l->dp / l->ep) * pp)));
}

/* The closed-form span against an enumeration of every group: nodes of
 * `node` ranks (3 and 4), leaf switches of 2 nodes, a spine above. */
static void check_span_brute_force(const struct tce_layout *base,
                                   enum tce_group g)
{
    static const int64_t node_sizes[] = {3, 4};
    struct tce_layout l = *base;
    struct tce_topology topo;
    struct tce_span s;
    int64_t lo[MAXN], hi[MAXN], r, col;
    size_t k;

    tce_topology_defaults(&topo);
    topo.n_fabric = 2;
    topo.fabric[0].group_nodes = 2;
    topo.fabric[1].group_nodes = 1000;
    for (k = 0; k < TCE_ARRAY_SIZE(node_sizes); k++) {
        int64_t node = node_sizes[k], leaf = 2 * node;
        int cross_node = 0, cross_leaf = 0;
        int64_t range0;

        l.gpus_per_node = l.scale_up_domain = node;
        for (r = 0; r < l.gpus; r++)
            lo[r] = hi[r] = -1;
        for (r = 0; r < l.gpus; r++) {
            col = tce_layout_color(&l, r, g);
            if (lo[col] < 0)
                lo[col] = r;
            hi[col] = r;
        }
        for (r = 0; r < l.gpus; r++) {
            if (lo[r] < 0)
                continue;
            cross_node |= lo[r] / node != hi[r] / node;
            cross_leaf |= lo[r] / leaf != hi[r] / leaf;
        }
        assert_int_equal(tce_layout_group_span(&l, g, &topo, &s), 0);
        assert_int_equal(s.leaves_node, cross_node);
        assert_int_equal(s.leaves_domain, cross_node);
        assert_int_equal(s.tier, !cross_node ? -1 : cross_leaf ? 1 : 0);
        assert_int_equal(s.nic_ranks, cross_node ? min_i64(node, l.gpus) : 0);
        /* the group of rank 0 (at least 2 when some group straddles) */
        range0 = hi[0] / node - lo[0] / node + 1;
        assert_int_equal(s.node_range,
                         cross_node && range0 < 2 ? 2 : range0);
        if (g == TCE_GROUP_PP) {
            /* neighbour pairs (r, r + S) */
            int64_t S = tce_layout_group_stride(&l, g);

            cross_node = cross_leaf = 0;
            for (r = 0; r + S < l.gpus; r++) {
                cross_node |= r / node != (r + S) / node;
                cross_leaf |= r / leaf != (r + S) / leaf;
            }
            assert_int_equal(tce_layout_pp_pair_span(&l, &topo, &s), 0);
            assert_int_equal(s.size, l.pp > 1 ? 2 : 1);
            assert_int_equal(s.leaves_node, cross_node);
            assert_int_equal(s.tier, !cross_node ? -1 : cross_leaf ? 1 : 0);
        }
    }
}

/* Every (tp, cp, pp, dp, ep) with tp*cp*pp*dp <= 64 and ep | dp. */
static void test_all_shapes(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_coords c;
    struct tce_error err;
    int64_t tp, cp, pp, dp, ep, r, n;
    int64_t col_id[MAXN], id_col[MAXN], count[MAXN];
    uint64_t keys[MAXN];
    long shapes = 0;
    int g;
    (void)state;

    for (tp = 1; tp <= MAXN; tp++)
    for (cp = 1; tp * cp <= MAXN; cp++)
    for (pp = 1; tp * cp * pp <= MAXN; pp++)
    for (dp = 1; tp * cp * pp * dp <= MAXN; dp++)
    for (ep = 1; ep <= dp; ep++) {
        if (dp % ep != 0)
            continue;
        n = tp * cp * pp * dp;
        make_job(&job, n, tp, cp, pp, ep);
        assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), 0);
        assert_int_equal(l.dp, dp);
        assert_int_equal(l.gpus_per_node, 1);
        shapes++;
        for (r = 0; r < n; r++) {
            assert_int_equal(tce_layout_coords(&l, r, &c), 0);
            assert_true(c.tp < tp && c.cp < cp && c.dp < dp && c.pp < pp);
            assert_int_equal(tce_layout_rank(&l, &c), r);
            assert_int_equal(c.node, r);
            /* Megatron's expert RankGenerator, order tp-ep-dp-pp with
             * sizes (t, e, d/e, p), when cp = 1 */
            if (cp == 1) {
                assert_int_equal(c.ep, (r / tp) % ep);
                assert_int_equal(c.edp, (r / (tp * ep)) % (dp / ep));
            }
            /* pipeline neighbours */
            if (c.pp == 0)
                assert_int_equal(tce_layout_pp_prev(&l, r), -1);
            else {
                struct tce_coords q;
                int64_t prev = tce_layout_pp_prev(&l, r);

                assert_int_equal(tce_layout_coords(&l, prev, &q), 0);
                assert_true(q.pp == c.pp - 1 && q.tp == c.tp &&
                            q.cp == c.cp && q.dp == c.dp);
                assert_int_equal(tce_layout_pp_next(&l, prev), r);
            }
            if (c.pp == pp - 1)
                assert_int_equal(tce_layout_pp_next(&l, r), -1);
        }
        assert_int_equal(tce_layout_coords(&l, n, &c), TCE_ERANGE);
        assert_int_equal(tce_layout_coords(&l, -1, &c), TCE_ERANGE);

        for (g = 0; g < TCE_GROUP_COUNT; g++) {
            int64_t size = tce_layout_group_size(&l, (enum tce_group)g);
            int64_t groups = 0;

            assert_true(size >= 1 && n % size == 0);
            for (r = 0; r < n; r++) {
                col_id[r] = id_col[r] = -1;
                count[r] = 0;
                keys[r] = 0;
            }
            for (r = 0; r < n; r++) {
                int64_t col = tce_layout_color(&l, r, (enum tce_group)g);
                int64_t key = tce_layout_key(&l, r, (enum tce_group)g);
                int64_t id;

                assert_int_equal(tce_layout_coords(&l, r, &c), 0);
                id = other_id(&l, &c, (enum tce_group)g);
                assert_true(col >= 0 && col < n);
                assert_true(key >= 0 && key < size);
                assert_int_equal(key, own_coord(&l, &c, (enum tce_group)g, r));
                /* same colour <=> same other coordinates */
                if (col_id[col] < 0) {
                    col_id[col] = id;
                    groups++;
                }
                assert_int_equal(col_id[col], id);
                if (id_col[id] < 0)
                    id_col[id] = col;
                assert_int_equal(id_col[id], col);
                /* each key once per group */
                assert_false(keys[col] & (UINT64_C(1) << key));
                keys[col] |= UINT64_C(1) << key;
                count[col]++;
                /* members are the progression colour + key * stride */
                assert_int_equal(col + key * tce_layout_group_stride(
                                                 &l, (enum tce_group)g),
                                 r);
            }
            assert_int_equal(groups, n / size);
            for (r = 0; r < n; r++)
                assert_true(count[r] == 0 || count[r] == size);
            check_span_brute_force(&l, (enum tce_group)g);
        }
    }
    print_message("# %ld shapes checked\n", shapes);
    assert_true(shapes > 1000);
}

/* Hand-checked example: 16 GPUs, tp 2, cp 2, dp 2, pp 2, ep 2. */
static void test_example(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_coords c;
    struct tce_topology topo;
    struct tce_error err;
    (void)state;

    make_job(&job, 16, 2, 2, 2, 2);
    make_topo(&topo, 8, 8);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(l.gpus_per_node, 8);
    assert_int_equal(l.scale_up_domain, 8);
    /* rank 13 = 1 + 2*(0 + 2*(1 + 2*1)): tp 1, cp 0, dp 1, pp 1 */
    assert_int_equal(tce_layout_coords(&l, 13, &c), 0);
    assert_int_equal(c.tp, 1);
    assert_int_equal(c.cp, 0);
    assert_int_equal(c.dp, 1);
    assert_int_equal(c.pp, 1);
    assert_int_equal(c.ep, 1);
    assert_int_equal(c.edp, 0);
    assert_int_equal(c.node, 1);
    assert_int_equal(tce_layout_color(&l, 13, TCE_GROUP_TP), 12);
    assert_int_equal(tce_layout_color(&l, 13, TCE_GROUP_CP), 13);
    assert_int_equal(tce_layout_color(&l, 13, TCE_GROUP_DP), 9);
    assert_int_equal(tce_layout_color(&l, 13, TCE_GROUP_PP), 5);
    assert_int_equal(tce_layout_key(&l, 13, TCE_GROUP_PP), 1);
    assert_int_equal(tce_layout_pp_prev(&l, 13), 5);
    assert_int_equal(tce_layout_pp_next(&l, 13), -1);
    assert_int_equal(tce_layout_color(&l, 13, TCE_GROUP_WORLD), 0);
    assert_int_equal(tce_layout_key(&l, 13, TCE_GROUP_WORLD), 13);
    assert_int_equal(tce_layout_color(&l, 16, TCE_GROUP_TP), -1);
    assert_string_equal(tce_group_name(TCE_GROUP_EDP), "edp");
    c.tp = 2;
    assert_int_equal(tce_layout_rank(&l, &c), -1);
}

static void test_init_errors(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_error err;
    (void)state;

    make_job(&job, 128, 8, 1, 2, 1);
    job.training.global_batch_size = 64;
    strcpy(job.path, "jobs/x.cfg");
    tce_error_clear(&err);
    assert_int_equal(tce_layout_init(&l, &job, NULL, 100, &err), TCE_ECONFIG);
    assert_string_equal(err.msg,
                        "--gpus 100: tensor x pipeline x context parallel "
                        "size (8 x 2 x 1 = 16) must divide the GPU count");
    job.parallel.num_gpus = 100;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "jobs/x.cfg: parallel.num_gpus 100: "));
    /* dp = 128 / 16 = 8; batch 64 is fine with b = 1; ep 3 is not */
    job.parallel.expert_model_parallel_size = 3;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "expert parallel size 3 must divide the "
                                    "data-parallel size 8"));
    job.parallel.expert_model_parallel_size = 1;
    job.training.micro_batch_size = 16;  /* 8 x 16 = 128 > 64 */
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "global batch 64 must be a multiple of "
                                    "data-parallel size x micro batch "
                                    "(8 x 16 = 128)"));
    job.training.micro_batch_size = 2;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), 0);
    assert_int_equal(l.microbatches, 4);
    job.model.num_attention_heads = 12;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "attention heads 12"));
    job.model.num_attention_heads = 16;
    job.model.num_layers = 30;
    job.parallel.virtual_pipeline_model_parallel_size = 2;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "layers 30"));
    job.model.num_layers = 32;
    job.model.num_experts = 6;
    job.parallel.expert_model_parallel_size = 4;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 128, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "experts 6"));
    assert_int_equal(tce_layout_init(&l, &job, NULL, -5, &err), TCE_ECONFIG);
}

static void test_spans(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_topology topo;
    struct tce_span s;
    struct tce_error err;
    (void)state;

    make_topo(&topo, 8, 8);

    /* tp 8, dp 16, pp 4 on 512 GPUs (64 nodes of 8) */
    make_job(&job, 512, 8, 1, 4, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(l.dp, 16);
    /* TP inside the node */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, &topo, &s), 0);
    assert_int_equal(s.size, 8);
    assert_int_equal(s.stride, 1);
    assert_int_equal(s.ranks_per_node, 8);
    assert_int_equal(s.nodes, 1);
    assert_false(s.leaves_node);
    assert_false(s.leaves_domain);
    assert_int_equal(s.tier, -1);
    assert_int_equal(s.nic_ranks, 0);
    assert_int_equal(s.groups_per_node, 1);
    assert_close(s.oversubscription, 1.0, 0);
    assert_close(s.fabric_latency_us, 0.0, 0);
    /* DP: one member per node on 16 consecutive nodes, all 8 GPUs of a
     * node run their own ring through the NICs; under one leaf (32) */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.size, 16);
    assert_int_equal(s.stride, 8);
    assert_int_equal(s.ranks_per_node, 1);
    assert_int_equal(s.nodes, 16);
    assert_int_equal(s.node_range, 16);
    assert_true(s.leaves_domain);
    assert_int_equal(s.tier, 0);
    assert_int_equal(s.nic_ranks, 8);
    assert_int_equal(s.groups_per_node, 8);
    assert_close(s.oversubscription, 1.0, 0); /* stays under its leaf */
    assert_close(s.fabric_latency_us, 0.5, 1e-15);
    /* PP: 4 members 128 ranks (16 nodes) apart: 4 nodes over a range of
     * 49 nodes, more than a leaf holds: crosses the spine */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_PP, &topo, &s), 0);
    assert_int_equal(s.stride, 128);
    assert_int_equal(s.nodes, 4);
    assert_int_equal(s.node_range, 49);
    assert_int_equal(s.tier, 1);
    assert_close(s.oversubscription, 2.0, 1e-15); /* leaf uplinks */
    assert_close(s.fabric_latency_us, 2.0, 1e-15);
    /* neighbouring stages are 16 nodes apart: stages 0 -> 1 stay under
     * the first 32-node leaf, but stage 1 (nodes 16..31) -> 2 (32..47)
     * crosses to the spine, so the worst pair is at tier 1 */
    assert_int_equal(tce_layout_pp_pair_span(&l, &topo, &s), 0);
    assert_int_equal(s.size, 2);
    assert_int_equal(s.node_range, 17);
    assert_int_equal(s.nodes, 2);
    assert_int_equal(s.tier, 1);
    /* with 4 stages of 8 nodes (dp 8) under 64-node leaves: tier 0,
     * while a 16-node leaf splits pairs (stage 1 -> 2) */
    make_job(&job, 256, 8, 1, 4, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    topo.fabric[0].group_nodes = 64;
    assert_int_equal(tce_layout_pp_pair_span(&l, &topo, &s), 0);
    assert_int_equal(s.tier, 0);
    topo.fabric[0].group_nodes = 16;
    assert_int_equal(tce_layout_pp_pair_span(&l, &topo, &s), 0);
    assert_int_equal(s.tier, 1);
    topo.fabric[0].group_nodes = 32;
    make_job(&job, 512, 8, 1, 4, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    /* world */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_WORLD, &topo, &s), 0);
    assert_int_equal(s.nodes, 64);
    assert_int_equal(s.ranks_per_node, 8);
    assert_int_equal(s.tier, 1);

    /* more nodes than the top tier holds: clamped to the top tier */
    topo.fabric[1].group_nodes = 16;
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_PP, &topo, &s), 0);
    assert_int_equal(s.tier, 1);
    /* a third tier: the PP group climbs to it through two tapered tiers */
    topo.n_fabric = 3;
    topo.fabric[2].group_nodes = 4096;
    topo.fabric[2].oversubscription = 5.0;
    topo.fabric[2].latency_us = 2.0;
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_PP, &topo, &s), 0);
    assert_int_equal(s.tier, 2);
    assert_close(s.oversubscription, 2.0 * 3.0, 1e-15);
    assert_close(s.fabric_latency_us, 0.5 + 1.5 + 2.0, 1e-15);
    /* DP (16 nodes) fits under one tier-1 switch of 16 */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.tier, 0);
    topo.n_fabric = 2;
    topo.fabric[1].group_nodes = 1024;

    /* tp 2, dp 32 on 64 GPUs: DP stride 2, 4 members per node, 8 nodes */
    make_job(&job, 64, 2, 1, 1, 4);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.ranks_per_node, 4);
    assert_int_equal(s.nodes, 8);
    assert_int_equal(s.groups_per_node, 2);
    assert_int_equal(s.nic_ranks, 8);
    /* EP 4: stride 2, all 4 members in one node */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_EP, &topo, &s), 0);
    assert_int_equal(s.size, 4);
    assert_int_equal(s.nodes, 1);
    assert_int_equal(s.tier, -1);
    /* EDP: dp/ep = 8 members, stride 8, one per node */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_EDP, &topo, &s), 0);
    assert_int_equal(s.size, 8);
    assert_int_equal(s.stride, 8);
    assert_int_equal(s.nodes, 8);
    assert_int_equal(s.tier, 0);

    /* NVL72-like: 4 GPUs per node, 72 per scale-up domain: a TP group of
     * 8 leaves the node but not the domain, so no NIC traffic */
    make_topo(&topo, 4, 72);
    make_job(&job, 144, 8, 1, 1, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, &topo, &s), 0);
    assert_int_equal(s.nodes, 2);
    assert_true(s.leaves_node);
    assert_false(s.leaves_domain);
    assert_int_equal(s.domains, 1);
    assert_int_equal(s.tier, -1);
    assert_int_equal(s.nic_ranks, 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.domains, 2);
    assert_true(s.leaves_domain);
    assert_int_equal(s.nic_ranks, 4);

    /* groups that straddle: TP 3 on 8-GPU nodes (ranks 6, 7, 8 share a
     * group), although the group of rank 0 is inside node 0 */
    make_topo(&topo, 8, 8);
    make_job(&job, 48, 3, 1, 1, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, &topo, &s), 0);
    assert_int_equal(s.ranks_per_node, 3);
    assert_true(s.leaves_node);
    assert_true(s.leaves_domain);
    assert_int_equal(s.nodes, 2);
    assert_int_equal(s.tier, 0);
    /* on a single node nothing straddles */
    make_job(&job, 6, 3, 1, 1, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, &topo, &s), 0);
    assert_false(s.leaves_node);
    assert_int_equal(s.tier, -1);
    /* DP groups of 12 nodes (tp 8, dp 12, pp 2) under 32-node leaves: the
     * group of pipeline stage 1 covers nodes 12..23, inside the first leaf;
     * with 16-node leaves it straddles nodes 15 | 16 */
    make_job(&job, 8 * 12 * 2, 8, 1, 2, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.node_range, 12);
    assert_int_equal(s.tier, 0);
    topo.fabric[0].group_nodes = 16;
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.tier, 1);
    topo.fabric[0].group_nodes = 12; /* 12-node groups fill 12-node leaves */
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.tier, 0);

    /* no topology, or 0 accelerators: one rank per node */
    make_topo(&topo, 0, 0);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(l.gpus_per_node, 1);
    assert_int_equal(l.scale_up_domain, 1);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, NULL, &s), 0);
    assert_int_equal(s.nodes, 8);
    assert_int_equal(s.tier, 0);
    assert_int_equal(s.nic_ranks, 1);

    /* a group smaller than the node: fewer ranks than a node */
    make_topo(&topo, 8, 8);
    make_job(&job, 4, 1, 1, 1, 1);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_DP, &topo, &s), 0);
    assert_int_equal(s.ranks_per_node, 4);
    assert_int_equal(s.groups_per_node, 1);
    assert_int_equal(s.nodes, 1);
}

/* repro (issue 11): MoE Parallel Folding (expert_tensor_parallel_size):
 * Qwen3-235B on H100, TP 2 PP 8 DP 16 EP 32 ETP 1: the EP group is the 32
 * ranks of a pipeline stage (TP and DP ranks), stride 1; EDP is 1. */
static void test_expert_folding(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_coords c;
    struct tce_error err;
    int64_t r, seen[MAXN];
    int i;
    (void)state;

    make_job(&job, 256, 2, 1, 8, 32);
    job.model.num_layers = 16;
    job.model.num_attention_heads = 8;
    job.model.num_query_groups = 8;
    job.model.num_experts = 128;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), TCE_ECONFIG);
    job.parallel.expert_tensor_parallel_size = 1;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), 0);
    assert_int_equal(l.dp, 16);
    assert_int_equal(tce_layout_group_size(&l, TCE_GROUP_EP), 32);
    assert_int_equal(tce_layout_group_stride(&l, TCE_GROUP_EP), 1);
    assert_int_equal(tce_layout_group_size(&l, TCE_GROUP_EDP), 1);
    assert_int_equal(tce_layout_color(&l, 5, TCE_GROUP_EP), 0);
    assert_int_equal(tce_layout_key(&l, 5, TCE_GROUP_EP), 5);
    assert_int_equal(tce_layout_color(&l, 37, TCE_GROUP_EP), 32);
    assert_int_equal(tce_layout_key(&l, 37, TCE_GROUP_EP), 5);
    /* every member of rank 40's group has its colour, keys 0..31 once */
    for (i = 0; i < 32; i++)
        seen[i] = 0;
    for (r = 0; r < 256; r++)
        if (tce_layout_color(&l, r, TCE_GROUP_EP) ==
            tce_layout_color(&l, 40, TCE_GROUP_EP))
            seen[tce_layout_key(&l, r, TCE_GROUP_EP)]++;
    for (i = 0; i < 32; i++)
        assert_int_equal(seen[i], 1);
    /* ETP 2, EP 8 on the same stage of 32: EDP 2 at stride 16 */
    job.parallel.expert_tensor_parallel_size = 2;
    job.parallel.expert_model_parallel_size = 8;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_layout_group_stride(&l, TCE_GROUP_EP), 2);
    assert_int_equal(tce_layout_group_size(&l, TCE_GROUP_EDP), 2);
    assert_int_equal(tce_layout_group_stride(&l, TCE_GROUP_EDP), 16);
    assert_int_equal(tce_layout_coords(&l, 35, &c), 0);
    assert_int_equal(c.ep, 1);  /* stage index 3: (3 / 2) % 8 */
    assert_int_equal(c.edp, 0);
    assert_int_equal(tce_layout_color(&l, 35, TCE_GROUP_EP), 33);
    assert_int_equal(tce_layout_color(&l, 35 + 16, TCE_GROUP_EDP), 35);
    /* ETP x EP must divide the stage */
    job.parallel.expert_model_parallel_size = 32;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), TCE_ECONFIG);
}

/* repro (issue 11): a pipeline_model_parallel_layout (DeepSeek-V3's 61
 * layers as Megatron-Bridge places them on 8 x 2 virtual stages). */
static void test_pipeline_layout(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_error err;
    int64_t s, c, sum = 0;
    (void)state;

    make_job(&job, 64, 1, 1, 8, 1);
    job.model.num_layers = 61;
    job.model.num_attention_heads = 8;
    job.model.num_query_groups = 8;
    job.parallel.virtual_pipeline_model_parallel_size = 2;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), TCE_ECONFIG);
    snprintf(job.parallel.pipeline_model_parallel_layout,
             sizeof(job.parallel.pipeline_model_parallel_layout),
             "Et*4|(t*4|)*14tmL");
    assert_int_equal(tce_rule_parse_pipeline_layout(&job.parallel, &err), 0);
    assert_int_equal(job.parallel.pipeline_layout_stages, 16);
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), 0);
    /* virtual stage j = chunk x pp + stage */
    assert_int_equal(tce_layout_chunk_layers(&job, &l, 0, 0), 4);
    assert_int_equal(tce_layout_chunk_layers(&job, &l, 7, 1), 1);
    assert_int_equal(tce_layout_stage_layers(&job, &l, 7), 5);
    assert_int_equal(tce_layout_stage_layers(&job, &l, 3), 8);
    assert_int_equal(tce_layout_chunk_first_layer(&job, &l, 0, 1), 32);
    assert_int_equal(tce_layout_chunk_first_layer(&job, &l, 7, 1), 60);
    for (s = 0; s < 8; s++)
        for (c = 0; c < 2; c++)
            sum += tce_layout_chunk_layers(&job, &l, s, c);
    assert_int_equal(sum, 61);
    /* a layout for another pp x vpp */
    job.parallel.virtual_pipeline_model_parallel_size = 1;
    assert_int_equal(tce_layout_init(&l, &job, NULL, 0, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "16 virtual stages"));
}

/* fitd: NVL72 placement in Slurm segments (hand values): 18 trays of 4 per
 * rack; 64 trays -> segments of 16 trays (64 GPUs), 2 trays -> 8 GPUs,
 * 36 trays -> 18 (72), 34 trays -> 17 (68); one-node domains unchanged;
 * a DP group of 64 at stride 4 (TP 4) stays on NVLink. */
static void test_segments(void **state)
{
    struct tce_job job;
    struct tce_layout l;
    struct tce_topology topo;
    struct tce_span sp;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_layout_segment_ranks(256, 4, 72), 64);
    assert_int_equal(tce_layout_segment_ranks(8, 4, 72), 8);
    assert_int_equal(tce_layout_segment_ranks(144, 4, 72), 72);
    assert_int_equal(tce_layout_segment_ranks(136, 4, 72), 68);
    assert_int_equal(tce_layout_segment_ranks(28, 4, 72), 28);
    assert_int_equal(tce_layout_segment_ranks(1024, 8, 8), 8);
    assert_int_equal(tce_layout_segment_ranks(6, 4, 72), 72);
    /* 256 GPUs, tp 4, pp 1, dp 64: a TP x DP run of 256 > 64 leaves the
     * segment; an 8-GPU CP x TP group does not */
    make_job(&job, 256, 4, 2, 1, 1);
    make_topo(&topo, 4, 72);
    assert_int_equal(tce_layout_init(&l, &job, &topo, 0, &err), 0);
    assert_int_equal(l.scale_up_domain, 64);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_TP, &topo, &sp), 0);
    assert_int_equal(sp.leaves_domain, 0);
    assert_int_equal(tce_layout_group_span(&l, TCE_GROUP_CP, &topo, &sp), 0);
    assert_int_equal(sp.leaves_domain, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_shapes),
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_expert_folding),
        cmocka_unit_test(test_pipeline_layout),
        cmocka_unit_test(test_segments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
