/* test_planning.c - capacity planning: the selection rules on hand-made
 * points (scale under a deadline, cheapest, fastest, Pareto front with
 * ties), capacity, sensitivity and budget arithmetic against closed forms
 * (failure-free offerings, so bills are nodes x hours x price), Chinchilla,
 * and whole comparisons through a toy search backend (fast and exact). */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/economics.h"
#include "tcemu/model.h"
#include "tcemu/planning.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"
#include "tcemu/util.h"

#define PRICE 80.0 /* USD per node-hour */

/* ---- the selection rules ------------------------------------------------ */

#define P(v, d, c)                                                             \
    {                                                                          \
        (v), (d), (c)                                                          \
    }

struct pick_case {
    const char *what;
    int n;
    struct tce_planning_point p[6];
    double deadline;
    int want;
};

static void test_pick_scale(void **state)
{
    static const struct pick_case cases[] = {
        {"deadline: the cheapest meeting it",
         4,
         {P(1, 50, 10), P(1, 28, 11), P(1, 14, 12), P(1, 7, 13)},
         30,
         1},
        {"deadline: a cheaper scale missing it loses",
         3,
         {P(1, 40, 5), P(1, 20, 9), P(1, 10, 8)},
         30,
         2},
        {"deadline: equal bills, the faster wins",
         3,
         {P(1, 25, 10), P(1, 12, 10), P(1, 6, 10)},
         30,
         2},
        {"deadline: none meets it, the fastest",
         3,
         {P(1, 50, 10), P(1, 40, 11), P(1, 45, 9)},
         30,
         1},
        {"deadline: invalid points are skipped",
         3,
         {P(0, 1, 1), P(1, 20, 12), P(1, 25, 11)},
         30,
         2},
        {"deadline exactly met", 2, {P(1, 30, 10), P(1, 10, 20)}, 30, 0},
        {"no deadline: the cheapest",
         3,
         {P(1, 50, 10), P(1, 28, 9), P(1, 14, 12)},
         0,
         1},
        {"no deadline: the first on a tie",
         3,
         {P(1, 50, 9), P(1, 28, 9), P(1, 14, 12)},
         0,
         0},
        {"nothing valid", 2, {P(0, 5, 5), P(0, 6, 6)}, 30, -1},
        {"no points", 0, {P(0, 0, 0)}, 0, -1},
    };
    size_t i;
    (void)state;

    for (i = 0; i < TCE_ARRAY_SIZE(cases); i++) {
        int got =
            tce_planning_pick_scale(cases[i].p, cases[i].n, cases[i].deadline);

        if (got != cases[i].want)
            fail_msg("%s: picked %d, want %d", cases[i].what, got,
                     cases[i].want);
    }
}

static void test_marks_and_front(void **state)
{
    /* (days, cost): a fast and dear, b slow and cheap, c dominated by a,
     * d equal to b (both stay on the front), e invalid, f a tie on days
     * with a but dearer (dominated). */
    static const struct tce_planning_point p[] = {
        P(1, 10, 100), P(1, 30, 50), P(1, 12, 120),
        P(1, 30, 50),  P(0, 1, 1),   P(1, 10, 101),
    };
    static const int front[] = {1, 1, 0, 1, 0, 0};
    int i, n = (int)TCE_ARRAY_SIZE(p);
    (void)state;

    for (i = 0; i < n; i++)
        if (tce_planning_on_front(p, n, i) != front[i])
            fail_msg("point %d: on_front %d, want %d", i,
                     tce_planning_on_front(p, n, i), front[i]);
    /* The cheapest: b (the first of the tie b = d); by deadline 20 only a,
     * c and f meet it: a. */
    assert_int_equal(tce_planning_cheapest(p, n, 0.0), 1);
    assert_int_equal(tce_planning_cheapest(p, n, 20.0), 0);
    assert_int_equal(tce_planning_cheapest(p, n, 5.0), -1);
    /* The fastest: a (f ties on days, comes later; e is invalid). */
    assert_int_equal(tce_planning_fastest(p, n), 0);
    assert_int_equal(tce_planning_fastest(p, 0), -1);
    assert_true(tce_planning_meets(30.0, 30.0));
    assert_false(tce_planning_meets(30.01, 30.0));
    assert_true(tce_planning_meets(1e9, 0.0));
}

/* ---- toy offerings ------------------------------------------------------ */

/* Failure-free H100-like offering: 8 GPUs a node, PRICE per node-hour. */
static void toy_topology(struct tce_topology *t, int64_t max_nodes)
{
    memset(t, 0, sizeof(*t));
    strcpy(t->name, "toy");
    t->node.accelerators = 8;
    t->scale_up.domain_accelerators = 8;
    t->accelerator.bf16_tflops = 1000.0;
    t->accelerator.hbm_gib = 80.0;
    t->accelerator.hbm_gbytes_per_s = 3000.0;
    t->accelerator.watts = 700;
    t->scale_up.bandwidth_gbytes_per_s = 450.0;
    t->scale_out.nics_per_node = 8;
    t->scale_out.nic_bandwidth_gbit_per_s = 400.0;
    t->price.on_demand_usd_per_node_hour = PRICE;
    t->power.pue = 1.2;
    t->power.usd_per_kwh = 0.08;
    t->capacity.max_nodes = max_nodes;
}

/* heads 16, groups 4, 16 layers, batch 64: powers of two from 8 up. */
static void toy_job(struct tce_job *j)
{
    memset(j, 0, sizeof(*j));
    strcpy(j->path, "toy-job.cfg");
    strcpy(j->name, "toy");
    j->model.num_layers = 16;
    j->model.hidden_size = 2048;
    j->model.num_attention_heads = 16;
    j->model.num_query_groups = 4;
    j->model.seq_length = 4096;
    j->model.vocab_size = 32000;
    j->model.swiglu = 1;
    j->training.global_batch_size = 64;
    j->training.micro_batch_size = 1;
    j->training.train_tokens = 100000000000LL;
}

/* The toy model: 100 s of compute per iteration over n GPUs plus a little
 * exposed communication per parallel dimension; 2,560 GB of state over the
 * n GPUs (80 GB of 80 at 32); everything fits (the backend says so: only a
 * search's HBM headroom narrows it). */
static int toy_project(void *ctx, const struct tce_topology *topo,
                       const struct tce_job *job, struct tce_search_eval *out)
{
    const struct tce_parallel *p = &job->parallel;
    (void)ctx;
    (void)topo;

    memset(out, 0, sizeof(*out));
    out->compute_s = 100.0 / (double)p->num_gpus;
    out->exposed_comm_s = 0.001 * (double)(p->tensor_model_parallel_size +
                                           p->pipeline_model_parallel_size +
                                           p->context_parallel_size);
    out->iteration_s = out->compute_s + out->exposed_comm_s;
    out->memory_bytes = 2560e9 / (double)p->num_gpus;
    out->capacity_bytes = 80e9;
    out->fits_memory = 1;
    out->mfu = 0.4;
    out->hfu = 0.4;
    out->tokens_per_s = 1.0;
    return 0;
}

static const struct tce_search_backend toy_be = {toy_project, NULL};

static struct tce_scenario *toy_scenario(int64_t max_nodes)
{
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_job *j = calloc(1, sizeof(*j));

    assert_non_null(s);
    assert_non_null(t);
    assert_non_null(j);
    toy_topology(t, max_nodes);
    toy_job(j);
    assert_int_equal(tce_scenario_init(s, t, j, NULL, NULL), 0);
    free(t);
    free(j);
    return s;
}

static void test_capacity(void **state)
{
    struct tce_topology *t = calloc(1, sizeof(*t));
    (void)state;

    assert_non_null(t);
    toy_topology(t, 2);
    assert_int_equal(tce_econ_nodes(t, 8), 1);
    assert_int_equal(tce_econ_nodes(t, 9), 2);
    assert_int_equal(tce_econ_nodes(t, 16), 2);
    assert_false(tce_econ_over_capacity(t, 16));
    assert_true(tce_econ_over_capacity(t, 17));
    assert_int_equal(tce_planning_max_gpus(t), 16);
    t->capacity.max_nodes = 0; /* states none */
    assert_false(tce_econ_over_capacity(t, 1 << 30));
    assert_int_equal(tce_planning_max_gpus(t),
                     TCE_PLANNING_NODES_UNLIMITED * 8);
    free(t);
}

/* ---- prices ------------------------------------------------------------- */

static void test_sensitivity(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_contract scratch;
    const struct tce_contract *od =
        tce_econ_find_contract(&s->topo, NULL, &scratch);
    struct tce_planning_sensitivity sens;
    struct tce_search_hit h;
    double day_usd = 2 * 24 * PRICE; /* 16 GPUs = 2 nodes */
    (void)state;

    memset(&h, 0, sizeof(h));
    h.gpus = 16;
    h.ideal_days = 10.0;
    h.eval.iteration_s = 1.0;
    h.eval.compute_s = 1.0;
    assert_int_equal(
        tce_search_price(&s->topo, od, 1e12, &h, 1.0, &h.econ, NULL), 0);
    assert_close(h.econ.bill.total_usd, 10.0 * day_usd, 1e-12);
    assert_int_equal(
        tce_planning_sensitivity(&s->topo, od, 1e12, &h, &sens, NULL), 0);
    assert_close(sens.cost_price_lo, 0.9 * 10.0 * day_usd, 1e-12);
    assert_close(sens.cost_price_hi, 1.1 * 10.0 * day_usd, 1e-12);
    assert_close(sens.days_mfu_lo, 10.0 / 0.9, 1e-12);
    assert_close(sens.days_mfu_hi, 10.0 / 1.1, 1e-12);
    assert_close(sens.cost_mfu_lo, 10.0 / 0.9 * day_usd, 1e-12);
    assert_close(sens.cost_mfu_hi, 10.0 / 1.1 * day_usd, 1e-12);
    free(s);
}

static void test_budget_days(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_contract block;
    struct tce_contract scratch;
    const struct tce_contract *od =
        tce_econ_find_contract(&s->topo, NULL, &scratch);
    double days, min_usd, lead, day_usd = 2 * 24 * PRICE;
    (void)state;

    /* 10 days of 2 nodes, bisected. */
    assert_int_equal(tce_planning_affordable_days(&s->topo, od, 2,
                                                  10.0 * day_usd, &days,
                                                  &min_usd, &lead, NULL),
                     0);
    assert_close(days, 10.0, 1e-9);
    assert_close(min_usd, 2 * PRICE, 1e-12);
    assert_close(lead, 0.0, 0.0);
    /* More than ten years' worth: ten years. */
    assert_int_equal(tce_planning_affordable_days(&s->topo, od, 2, 1e12, &days,
                                                  &min_usd, &lead, NULL),
                     0);
    assert_close(days, TCE_PLANNING_BUDGET_MAX_DAYS, 0.0);
    /* Capacity blocks bill whole days and start after the lead time. */
    memset(&block, 0, sizeof(block));
    strcpy(block.name, "block");
    block.kind = TCE_CONTRACT_CAPACITY_BLOCK;
    block.usd_per_node_hour = PRICE;
    block.max_days = 14;
    block.lead_days = 3;
    assert_int_equal(tce_planning_affordable_days(&s->topo, &block, 2,
                                                  10.5 * day_usd, &days,
                                                  &min_usd, &lead, NULL),
                     0);
    assert_close(days, 10.0, 1e-9); /* the 11th day is not paid for */
    assert_close(min_usd, day_usd, 1e-12);
    assert_close(lead, 3.0, 0.0);
    free(s);
}

static void test_chinchilla(void **state)
{
    double params, tokens, n = 7e10;
    (void)state;

    tce_planning_chinchilla(6.0 * n * 20.0 * n, &params, &tokens);
    assert_close(params, n, 1e-12);
    assert_close(tokens, 20.0 * n, 1e-12);
    assert_close(TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM, 20.0, 0.0);
}

static void test_horizon(void **state)
{
    struct tce_planning_goal g = {0.0, 0.0, 0, 0.0};
    (void)state;

    assert_close(tce_planning_horizon_days(&g), 0.0, 0.0);
    g.budget_usd = 1e6;
    assert_close(tce_planning_horizon_days(&g),
                 TCE_PLANNING_BUDGET_HORIZON_DAYS, 0.0);
    g.deadline_days = 90;
    assert_close(tce_planning_horizon_days(&g), 90.0, 0.0);
}

/* ---- whole comparisons through the toy backend -------------------------- */

static const int64_t toy_scales[] = {8, 16, 32, 64};

/* One offering (on-demand only) at the toy scales towards goal. */
static struct tce_planning *toy_plan(struct tce_scenario *s,
                                     const struct tce_planning_goal *g,
                                     const char *plan_name)
{
    struct tce_planning *pl = calloc(1, sizeof(*pl));

    assert_non_null(pl);
    tce_planning_init(pl, &s->job, g);
    assert_int_equal(
        tce_planning_add_offering(pl, s, &toy_be, toy_scales, 4, NULL), 0);
    assert_int_equal(pl->offerings[0].n_scales, 4);
    assert_true(pl->candidates > 0);
    tce_planning_add_rows(pl, 0, plan_name);
    assert_int_equal(tce_planning_evaluate(pl, NULL), 0);
    return pl;
}

static double days_at(const struct tce_planning *pl, int si)
{
    return pl->offerings[0].scales[si].hit.econ.days_to_done;
}

static void test_deadline(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_planning_goal g = {0.0, 0.0, 0, 0.0};
    struct tce_planning *pl;
    double d8, d16;
    (void)state;

    /* Days halve with the GPUs; each bill grows a little with them. */
    pl = toy_plan(s, &g, NULL);
    d8 = days_at(pl, 0);
    d16 = days_at(pl, 1);
    assert_true(d8 > 1.9 * d16 && d16 > days_at(pl, 2));
    /* No deadline: the cheapest scale. */
    assert_int_equal(pl->n_rows, 1);
    assert_int_equal(pl->rows[0].hit.gpus, 8);
    free(pl);

    /* A deadline between the days at 8 and at 16 GPUs: 16, the cheapest
     * scale meeting it; marked cheapest, fastest, on the front. */
    g.deadline_days = 0.5 * (d8 + d16);
    pl = toy_plan(s, &g, NULL);
    assert_true(pl->rows[0].found);
    assert_int_equal(pl->rows[0].hit.gpus, 16);
    assert_true(pl->rows[0].meets_deadline);
    assert_true(pl->rows[0].cheapest && pl->rows[0].fastest &&
                pl->rows[0].pareto);
    assert_int_equal(pl->verdict.cheapest, 0);
    assert_int_equal(pl->verdict.runner_up, -1);
    /* usd per million tokens x tokens = the bill; no failures, no
     * failures' share. */
    assert_close(pl->rows[0].usd_per_mtok * 1e5,
                 pl->rows[0].hit.econ.bill.total_usd, 1e-12);
    assert_close(pl->rows[0].failures_usd, 0.0, 0.0);
    free(pl);
    free(s);
}

/* No scale meets the deadline: the fastest, marked as missing it, and no
 * row is the cheapest meeting it. */
static void test_none_meets(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_planning_goal g = {1e-3, 0.0, 0, 0.0};
    struct tce_planning *pl = toy_plan(s, &g, NULL);
    (void)state;

    assert_int_equal(pl->rows[0].hit.gpus, 64);
    assert_false(pl->rows[0].meets_deadline);
    assert_false(pl->rows[0].cheapest);
    assert_true(pl->rows[0].fastest);
    assert_int_equal(pl->verdict.cheapest, -1);
    free(pl);
    free(s);
}

/* A take-or-pay commitment costs the same at every scale it covers: the
 * fastest of them wins the tie; rows: the contract plus the list price. */
static void test_commitment_tie_and_rows(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_planning_goal g = {1000.0, 0.0, 0, 0.0};
    struct tce_contract *c = &s->topo.contracts[0];
    struct tce_planning *pl;
    const struct tce_planning_row *commit, *od;
    (void)state;

    memset(c, 0, sizeof(*c));
    strcpy(c->name, "commit");
    c->kind = TCE_CONTRACT_COMMITMENT;
    c->usd_per_node_hour = 0.5 * PRICE;
    c->term_months = 24;
    c->committed_nodes = 8;
    s->topo.n_contracts = 1;
    pl = toy_plan(s, &g, NULL);
    assert_int_equal(pl->n_rows, 2);
    commit = &pl->rows[0];
    od = &pl->rows[1];
    assert_string_equal(commit->contract.name, "commit");
    assert_int_equal(od->contract.kind, TCE_CONTRACT_ON_DEMAND);
    assert_int_equal(commit->hit.gpus, 64);
    assert_int_equal(od->hit.gpus, 8);
    /* The commitment bills 8 nodes x 24 months, whatever the scale. */
    assert_close(commit->hit.econ.bill.total_usd,
                 8.0 * 24.0 * TCE_ECON_DAYS_PER_MONTH * 24.0 * 0.5 * PRICE,
                 1e-12);
    /* Marks: the commitment is faster; on demand (8 GPUs for ~55 days) is
     * cheaper; both are on the front; the verdict compares them. */
    assert_true(commit->fastest);
    assert_true(od->cheapest);
    assert_true(commit->pareto && od->pareto);
    assert_int_equal(pl->verdict.cheapest, 1);
    assert_int_equal(pl->verdict.runner_up, 0);
    assert_close(pl->verdict.margin,
                 commit->hit.econ.bill.total_usd / od->hit.econ.bill.total_usd -
                     1.0,
                 1e-12);
    assert_close(pl->verdict.worst_usd,
                 od->sens.cost_price_hi * od->sens.cost_mfu_lo /
                     od->hit.econ.bill.total_usd,
                 1e-12);
    assert_int_equal(pl->verdict.changes,
                     pl->verdict.worst_usd > pl->verdict.rival_usd);
    free(pl);

    /* --plan: only that contract; an unknown one falls back on demand. */
    pl = calloc(1, sizeof(*pl));
    assert_non_null(pl);
    tce_planning_init(pl, &s->job, &g);
    pl->n_offerings = 1;
    pl->offerings[0].scenario = s;
    assert_int_equal(tce_planning_add_rows(pl, 0, "commit"), 0);
    assert_int_equal(tce_planning_add_rows(pl, 0, "nope"), 1);
    assert_int_equal(pl->n_rows, 2);
    assert_int_equal(pl->rows[1].contract.kind, TCE_CONTRACT_ON_DEMAND);
    free(pl);
    free(s);
}

static void test_budget(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_planning_goal g = {0.0, 0.0, 1, 0.0};
    const struct tce_planning_budget *b;
    struct tce_planning *pl;
    double day_usd_64 = 8 * 24 * PRICE;
    (void)state;

    /* Ten days of 64 GPUs; no deadline: within a year.  Every scale buys
     * about the same GPU-days; the toy's overhead makes the smallest scale
     * train the most tokens. */
    g.budget_usd = 10.0 * day_usd_64;
    pl = toy_plan(s, &g, NULL);
    assert_close(pl->horizon_days, TCE_PLANNING_BUDGET_HORIZON_DAYS, 0.0);
    b = &pl->rows[0].budget;
    assert_true(pl->rows[0].has_budget);
    assert_int_equal(b->gpus, 8);
    assert_close(b->days, 80.0, 1e-9);
    assert_true(b->cost_usd <= g.budget_usd * (1 + 1e-12));
    assert_close(b->cost_usd, g.budget_usd, 1e-9);
    assert_close(
        b->tokens,
        b->days / days_at(pl, 0) * (double)s->job.training.train_tokens, 1e-12);
    assert_close(b->flops, b->tokens * pl->flops_per_token, 1e-12);
    assert_close(b->chinchilla_tokens, 20.0 * b->chinchilla_params, 1e-12);
    assert_close(b->min_cost_usd, PRICE, 1e-12); /* an hour of one node */
    free(pl);

    /* A deadline caps the days: 5 days, so the biggest scale wins. */
    g.deadline_days = 5.0;
    pl = toy_plan(s, &g, NULL);
    b = &pl->rows[0].budget;
    assert_int_equal(b->gpus, 64);
    assert_close(b->days, 5.0, 0.0);
    assert_close(b->cost_usd, 5.0 * day_usd_64, 1e-12);
    free(pl);

    /* Capacity blocks bill whole days: less than a day of one node buys
     * nothing; the smallest bill is that day. */
    memset(&s->topo.contracts[0], 0, sizeof(s->topo.contracts[0]));
    strcpy(s->topo.contracts[0].name, "block");
    s->topo.contracts[0].kind = TCE_CONTRACT_CAPACITY_BLOCK;
    s->topo.contracts[0].usd_per_node_hour = PRICE;
    s->topo.contracts[0].max_days = 14;
    s->topo.n_contracts = 1;
    g.deadline_days = 0.0;
    g.budget_usd = 0.5 * 24 * PRICE;
    pl = toy_plan(s, &g, "block");
    b = &pl->rows[0].budget;
    assert_true(pl->rows[0].has_budget);
    assert_close(b->tokens, 0.0, 0.0);
    assert_close(b->min_cost_usd, 24 * PRICE, 1e-12);
    free(pl);
    free(s);
}

static void test_scales(void **state)
{
    struct tce_scenario *s = toy_scenario(8);
    struct tce_planning_goal g = {0.0, 0.0, 0, 0.0};
    struct tce_error err;
    int64_t out[TCE_PLANNING_SCALES_MAX], lo;
    double flops;
    int n, i;
    (void)state;

    /* No deadline, no budget: the job's num_gpus, or a usage error. */
    assert_int_equal(tce_planning_scales(s, &g, out, 8, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "toy-job.cfg has no parallel.num_gpus"));
    s->job.parallel.num_gpus = 24;
    assert_int_equal(tce_planning_scales(s, &g, out, 8, NULL), 1);
    assert_int_equal(out[0], 24);
    /* A budget: one node up to the capacity (8 nodes), 10% apart. */
    g.budget_usd = 1e6;
    n = tce_planning_scales(s, &g, out, TCE_PLANNING_SCALES_MAX, NULL);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 8);
    assert_int_equal(out[3], 64);
    /* A deadline alone: no fewer GPUs than 100% MFU would need. */
    g.budget_usd = 0.0;
    g.deadline_days = 60.0;
    flops = tce_model_flops_per_token(&s->job.model) *
            (double)s->job.training.train_tokens;
    lo = (int64_t)(flops / (60.0 * 86400.0 * 1e15));
    n = tce_planning_scales(s, &g, out, TCE_PLANNING_SCALES_MAX, NULL);
    assert_true(n >= 1);
    for (i = 0; i < n; i++)
        assert_true(out[i] >= lo && out[i] <= 64);
    /* A deadline nobody can meet on 8 nodes: said in words, never as an
     * inverted range ("between 16881 and 4000"). */
    g.deadline_days = 1e-3;
    assert_int_equal(tce_planning_scales(s, &g, out, 8, &err), TCE_ENOFIT);
    assert_non_null(strstr(err.msg, "cannot meet the 0.001-day deadline"));
    assert_non_null(strstr(err.msg, "even at 100% MFU, and has 64 (8 nodes)"));
    assert_null(strstr(err.msg, "between"));
    free(s);
}

static void test_nearby(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_search_result *scratch = calloc(1, sizeof(*scratch));
    struct tce_search_hit hits[4];
    int n, i;
    (void)state;

    assert_non_null(scratch);
    /* 40 GPUs has no shape; 32 (within 25%) has. */
    n = tce_planning_nearby(&s->topo, &s->job, NULL, 0.0, &toy_be, 40,
                            scratch, hits, 4);
    assert_true(n >= 1);
    for (i = 0; i < n; i++) {
        assert_true(hits[i].gpus != 40);
        assert_true(hits[i].gpus >= 30 && hits[i].gpus <= 50);
        if (i > 0)
            assert_true(hits[i].gpus > hits[i - 1].gpus);
    }
    assert_int_equal(hits[0].gpus, 32);
    /* The count itself is never named; at most max. */
    n = tce_planning_nearby(&s->topo, &s->job, NULL, 0.0, &toy_be, 32,
                            scratch, hits, 1);
    assert_true(n <= 1);
    for (i = 0; i < n; i++)
        assert_true(hits[i].gpus != 32);
    /* With the search's headroom: 25% of 80 GB free leaves 60 GB, which
     * 32 GPUs (80 GB each) exceed: near 40 nothing fits, near 56 only
     * counts above 32 are named, each fitting under it. */
    assert_int_equal(tce_planning_nearby(&s->topo, &s->job, NULL, 0.25,
                                         &toy_be, 40, scratch, hits, 4),
                     0);
    n = tce_planning_nearby(&s->topo, &s->job, NULL, 0.25, &toy_be, 56,
                            scratch, hits, 4);
    assert_true(n >= 1);
    for (i = 0; i < n; i++) {
        assert_true(hits[i].gpus > 32);
        assert_true(hits[i].eval.memory_bytes <= 60e9);
        assert_true(hits[i].eval.fits_memory);
    }
    free(scratch);
    free(s);
}

/* compare's --hbm-headroom reaches every search: a scale whose layouts all
 * exceed the limit is not found, the others unchanged. */
static void test_headroom(void **state)
{
    struct tce_scenario *s = toy_scenario(64);
    struct tce_planning_goal g = {0.0, 0.0, 0, 0.0};
    struct tce_planning *pl;
    struct tce_error err;
    (void)state;

    pl = toy_plan(s, &g, NULL);
    assert_true(pl->offerings[0].scales[2].found); /* 32: 80 of 80 GB */
    free(pl);
    assert_int_equal(tce_planning_parse_hbm_headroom("0.25", &g, &err), 0);
    assert_close(g.hbm_headroom, 0.25, 0.0);
    pl = toy_plan(s, &g, NULL);
    assert_false(pl->offerings[0].scales[0].found); /* 8: 320 GB */
    assert_false(pl->offerings[0].scales[1].found); /* 16: 160 GB */
    assert_false(pl->offerings[0].scales[2].found); /* 32: 80 GB > 60 */
    assert_true(pl->offerings[0].scales[3].found);  /* 64: 40 GB */
    assert_true(pl->offerings[0].scales[3].hit.eval.memory_bytes <= 60e9);
    free(pl);
    /* out of range: named */
    assert_true(tce_planning_parse_hbm_headroom("0.95", &g, &err) < 0);
    assert_non_null(strstr(err.msg, "--hbm-headroom: 0.95 is out of range"));
    assert_true(tce_planning_parse_hbm_headroom("-0.1", &g, &err) < 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_scale),
        cmocka_unit_test(test_marks_and_front),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_headroom),
        cmocka_unit_test(test_sensitivity),
        cmocka_unit_test(test_budget_days),
        cmocka_unit_test(test_chinchilla),
        cmocka_unit_test(test_horizon),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_none_meets),
        cmocka_unit_test(test_commitment_tie_and_rows),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_scales),
        cmocka_unit_test(test_nearby),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
