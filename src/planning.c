/*
 * planning.c - capacity planning over offerings and contracts: scales,
 * marks, sensitivity, budget (planning.h states the rules).
 */
#include "tcemu/planning.h"

#include <math.h>
#include <string.h>

#include "tcemu/model.h"
#include "tcemu/util.h"

/* Budget bisection steps: 3650 days / 2^60, far below a second. */
#define BISECT_STEPS 60

void tce_planning_init(struct tce_planning *pl, const struct tce_job *job,
                       const struct tce_planning_goal *goal)
{
    memset(pl, 0, sizeof(*pl));
    pl->goal = *goal;
    pl->horizon_days = tce_planning_horizon_days(goal);
    pl->job = job;
    pl->checkpoint_bytes = tce_econ_checkpoint_bytes(job);
    pl->flops_per_token = tce_model_flops_per_token(&job->model);
    pl->verdict.cheapest = -1;
    pl->verdict.runner_up = -1;
}

double tce_planning_horizon_days(const struct tce_planning_goal *g)
{
    return g->budget_usd > 0.0 && g->deadline_days <= 0.0
               ? TCE_PLANNING_BUDGET_HORIZON_DAYS
               : g->deadline_days;
}

/* ---- capacity ----------------------------------------------------------- */

static int64_t per_node(const struct tce_topology *t)
{
    return t->node.accelerators > 0 ? t->node.accelerators : 1;
}

int64_t tce_planning_max_gpus(const struct tce_topology *t)
{
    int64_t max_nodes = t->capacity.max_nodes > 0
                            ? t->capacity.max_nodes
                            : TCE_PLANNING_NODES_UNLIMITED;

    return max_nodes * per_node(t);
}

int tce_planning_scales(const struct tce_scenario *s,
                        const struct tce_planning_goal *g, int64_t *out,
                        int max, struct tce_error *err)
{
    const struct tce_topology *t = &s->topo;
    const struct tce_job *job = &s->job;
    int64_t lo = per_node(t), hi = tce_planning_max_gpus(t);
    int n = 0;

    if (g->deadline_days <= 0.0 && g->budget_usd <= 0.0) {
        if (job->parallel.num_gpus < 1 || max < 1) {
            n = tce_error_set(err, TCE_EUSAGE,
                              "%s has no parallel.num_gpus: give --gpus "
                              "or --deadline",
                              job->path);
            goto out;
        }
        out[n++] = job->parallel.num_gpus;
        goto out;
    }
    /* With a deadline alone, no fewer GPUs than would need 100% MFU (the
     * cost model's peak for the job's precision) to meet it. */
    if (g->deadline_days > 0.0 && g->budget_usd <= 0.0 &&
        s->cm.peak_flops > 0.0) {
        double flops = tce_model_flops_per_token(&job->model) *
                       (double)job->training.train_tokens;

        lo = (int64_t)floor(flops /
                            (g->deadline_days * 86400.0 * s->cm.peak_flops));
        if (lo < per_node(t))
            lo = per_node(t);
    }
    if (lo > hi) {
        n = tce_error_set(err, TCE_ENOFIT,
                          "%s cannot meet the %.3g-day deadline: it needs at "
                          "least %lld GPUs even at 100%% MFU, and has %lld "
                          "(%lld nodes)",
                          t->name, g->deadline_days, (long long)lo,
                          (long long)hi, (long long)(hi / per_node(t)));
        goto out;
    }
    n = tce_search_valid_scales(t, job, lo, hi, TCE_PLANNING_SCALE_STEP, out,
                                max);
    if (n == 0)
        n = tce_error_set(err, TCE_ENOFIT,
                          "%s: no GPU count between %lld and %lld admits "
                          "a layout of %s",
                          t->name, (long long)lo, (long long)hi, job->path);
out:
    return n;
}

int tce_planning_add_unable(struct tce_planning *pl,
                            const struct tce_scenario *s, const char *why,
                            struct tce_error *err)
{
    int ret = tce_planning_add_offering(pl, s, NULL, NULL, 0, err);

    if (ret == 0)
        snprintf(pl->offerings[pl->n_offerings - 1].why,
                 sizeof(pl->offerings[0].why), "%s", why);
    return ret;
}

int tce_planning_add_offering(struct tce_planning *pl,
                              const struct tce_scenario *s,
                              const struct tce_search_backend *be,
                              const int64_t *gpus, int n, struct tce_error *err)
{
    struct tce_planning_offering *o;
    struct tce_search_opts so;
    int i, ret = 0;

    if (pl->n_offerings >= TCE_PLANNING_OFFERINGS_MAX ||
        n > TCE_PLANNING_SCALES_MAX || n < 0) {
        ret = tce_error_set(
            err, TCE_EUSAGE, "planning: at most %d offerings of %d scales",
            TCE_PLANNING_OFFERINGS_MAX, TCE_PLANNING_SCALES_MAX);
        goto out;
    }
    o = &pl->offerings[pl->n_offerings++];
    o->scenario = s;
    o->why[0] = '\0';
    o->n_scales = n;
    for (i = 0; i < n; i++) {
        struct tce_planning_scale *sc = &o->scales[i];

        sc->gpus = gpus[i];
        tce_search_opts_init(&so);
        so.n_gpus = 1;
        so.gpus[0] = gpus[i];
        so.top_k = 1;
        so.explain = 0;
        so.hbm_headroom = pl->goal.hbm_headroom;
        ret = tce_search_run(&s->topo, &s->job, &so, be, &pl->scratch, err);
        pl->search_s += pl->scratch.elapsed_s;
        pl->candidates += pl->scratch.candidates;
        if (ret == TCE_ENOFIT) {
            ret = 0;
            continue;
        }
        if (ret < 0)
            break;
        sc->found = 1;
        sc->hit = pl->scratch.top[0];
        sc->own_status = pl->scratch.own_status;
        sc->own_is_pick = pl->scratch.own_is_pick;
        sc->own = pl->scratch.own;
    }
out:
    return ret;
}

static void add_row(struct tce_planning *pl, int offering,
                    const struct tce_contract *c)
{
    if (pl->n_rows < TCE_PLANNING_ROWS_MAX) {
        pl->rows[pl->n_rows].offering = offering;
        pl->rows[pl->n_rows++].contract = *c;
    }
}

int tce_planning_add_rows(struct tce_planning *pl, int offering,
                          const char *plan_name)
{
    const struct tce_topology *t = &pl->offerings[offering].scenario->topo;
    const struct tce_contract *c;
    struct tce_contract scratch;
    int i, have_od = 0, fallback = 0;

    if (plan_name) {
        c = tce_econ_find_contract(t, plan_name, &scratch);
        if (!c) { /* this offering has no such plan: its list price */
            fallback = 1;
            c = tce_econ_find_contract(t, NULL, &scratch);
        }
        add_row(pl, offering, c);
        goto out;
    }
    for (i = 0; i < t->n_contracts; i++) {
        if (t->contracts[i].kind == TCE_CONTRACT_ON_DEMAND)
            have_od = 1;
        add_row(pl, offering, &t->contracts[i]);
    }
    if (!have_od && tce_econ_on_demand_price(t) > 0.0)
        add_row(pl, offering, tce_econ_find_contract(t, NULL, &scratch));
out:
    return fallback;
}

/* ---- selection rules ---------------------------------------------------- */

int tce_planning_meets(double days, double deadline_days)
{
    return deadline_days <= 0.0 || days <= deadline_days;
}

int tce_planning_pick_scale(const struct tce_planning_point *p, int n,
                            double deadline_days)
{
    double best_cost = INFINITY, best_days = INFINITY;
    int i, best = -1, best_meets = 0;

    for (i = 0; i < n; i++) {
        if (!p[i].valid)
            continue;
        if (deadline_days > 0.0) {
            int meets = tce_planning_meets(p[i].days, deadline_days);

            /* The cheapest meeting the deadline (ties: the faster); while
             * none meets it, the fastest. */
            if (meets &&
                (!best_meets || p[i].cost_usd < best_cost ||
                 (p[i].cost_usd == best_cost && p[i].days < best_days))) {
                best = i;
                best_meets = 1;
                best_cost = p[i].cost_usd;
                best_days = p[i].days;
            } else if (!meets && !best_meets &&
                       (best < 0 || p[i].days < best_days)) {
                best = i;
                best_days = p[i].days;
            }
        } else if (p[i].cost_usd < best_cost) {
            best = i;
            best_cost = p[i].cost_usd;
        }
    }
    return best;
}

int tce_planning_cheapest(const struct tce_planning_point *p, int n,
                          double deadline_days)
{
    int i, best = -1;

    for (i = 0; i < n; i++)
        if (p[i].valid && tce_planning_meets(p[i].days, deadline_days) &&
            (best < 0 || p[i].cost_usd < p[best].cost_usd))
            best = i;
    return best;
}

int tce_planning_fastest(const struct tce_planning_point *p, int n)
{
    int i, best = -1;

    for (i = 0; i < n; i++)
        if (p[i].valid && (best < 0 || p[i].days < p[best].days))
            best = i;
    return best;
}

int tce_planning_on_front(const struct tce_planning_point *p, int n, int i)
{
    int k, dominated = 0;

    for (k = 0; k < n && !dominated; k++) {
        if (k == i || !p[k].valid)
            continue;
        if (p[k].days <= p[i].days && p[k].cost_usd <= p[i].cost_usd &&
            (p[k].days < p[i].days || p[k].cost_usd < p[i].cost_usd))
            dominated = 1;
    }
    return p[i].valid && !dominated;
}

/* ---- prices ------------------------------------------------------------- */

/* The bill of nodes nodes (and the offering's hot spares) for days. */
static int bill(const struct tce_topology *t, const struct tce_contract *c,
                int64_t nodes, double days, struct tce_bill *out,
                struct tce_error *err)
{
    return tce_econ_price_run(c, tce_econ_on_demand_price(t), nodes,
                              t->reliability.hot_spare_nodes,
                              t->node.accelerators, days, out, err);
}

int tce_planning_sensitivity(const struct tce_topology *t,
                             const struct tce_contract *c,
                             double checkpoint_bytes,
                             const struct tce_search_hit *h,
                             struct tce_planning_sensitivity *out,
                             struct tce_error *err)
{
    const double s = TCE_PLANNING_SENSITIVITY;
    struct tce_econ lo, hi;
    int ret;

    /* Every price scales the bill linearly; MFU -10% makes the
     * failure-free time 1/0.9 longer, +10% 1/1.1. */
    out->cost_price_lo = h->econ.bill.total_usd * (1.0 - s);
    out->cost_price_hi = h->econ.bill.total_usd * (1.0 + s);
    ret =
        tce_search_price(t, c, checkpoint_bytes, h, 1.0 / (1.0 - s), &lo, err);
    if (ret == 0)
        ret = tce_search_price(t, c, checkpoint_bytes, h, 1.0 / (1.0 + s), &hi,
                               err);
    if (ret == 0) {
        out->cost_mfu_lo = lo.bill.total_usd;
        out->days_mfu_lo = lo.days_to_done;
        out->cost_mfu_hi = hi.bill.total_usd;
        out->days_mfu_hi = hi.days_to_done;
    }
    return ret;
}

int tce_planning_affordable_days(const struct tce_topology *t,
                                 const struct tce_contract *c, int64_t nodes,
                                 double budget_usd, double *days,
                                 double *min_usd, double *lead_days,
                                 struct tce_error *err)
{
    double lo = 0.0, hi = TCE_PLANNING_BUDGET_MAX_DAYS;
    struct tce_bill b;
    int it, ret;

    ret = bill(t, c, nodes, 1.0 / 24.0, &b, err);
    if (ret < 0)
        goto out;
    *min_usd = b.total_usd;
    ret = bill(t, c, nodes, hi, &b, err);
    if (ret < 0)
        goto out;
    *lead_days = b.start_delay_days;
    *days = hi;
    if (b.total_usd <= budget_usd)
        goto out;
    for (it = 0; it < BISECT_STEPS && ret == 0; it++) {
        double mid = 0.5 * (lo + hi);

        ret = bill(t, c, nodes, mid, &b, err);
        if (b.total_usd <= budget_usd)
            lo = mid;
        else
            hi = mid;
    }
    *days = lo;
out:
    return ret;
}

void tce_planning_chinchilla(double flops, double *params, double *tokens)
{
    /* C = 6 N D with D = 20 N. */
    *params = sqrt(flops / (6.0 * TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM));
    *tokens = TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM * *params;
}

/* ---- rows --------------------------------------------------------------- */

/* Most tokens within the budget (and horizon) at one scale of a row. */
static int buy_at(const struct tce_planning *pl, struct tce_planning_row *r,
                  const struct tce_planning_scale *s, struct tce_error *err)
{
    const struct tce_topology *t = &pl->offerings[r->offering].scenario->topo;
    struct tce_planning_budget *bu = &r->budget;
    struct tce_econ e;
    struct tce_bill b;
    double days, min_usd, lead_days, tokens_per_day, tokens;
    int ret;

    ret = tce_search_price(t, &r->contract, pl->checkpoint_bytes, &s->hit, 1.0,
                           &e, err);
    if (ret < 0)
        goto out;
    tokens_per_day = (double)pl->job->training.train_tokens /
                     e.train_days; /* with failures */
    ret = tce_planning_affordable_days(t, &r->contract, e.nodes,
                                       pl->goal.budget_usd, &days, &min_usd,
                                       &lead_days, err);
    if (ret < 0)
        goto out;
    if (bu->min_cost_usd <= 0.0 || min_usd < bu->min_cost_usd)
        bu->min_cost_usd = min_usd;
    days = fmin(days, pl->horizon_days - lead_days);
    tokens = days * tokens_per_day;
    if (days <= 0.0 || !(tokens > bu->tokens))
        goto out;
    ret = bill(t, &r->contract, e.nodes, days, &b, err);
    if (ret < 0)
        goto out;
    bu->gpus = s->gpus;
    bu->days = days;
    bu->tokens = tokens;
    bu->cost_usd = b.total_usd;
    bu->flops = tokens * pl->flops_per_token;
    tce_planning_chinchilla(bu->flops, &bu->chinchilla_params,
                            &bu->chinchilla_tokens);
out:
    return ret;
}

/* Most tokens within the budget (and horizon) on one row. */
static int buy(const struct tce_planning *pl, struct tce_planning_row *r,
               struct tce_error *err)
{
    const struct tce_planning_offering *o = &pl->offerings[r->offering];
    int si, ret = 0;

    memset(&r->budget, 0, sizeof(r->budget));
    for (si = 0; si < o->n_scales && ret == 0; si++)
        if (o->scales[si].found)
            ret = buy_at(pl, r, &o->scales[si], err);
    r->has_budget = ret == 0;
    return ret;
}

/* The scale of a row (planning.h's rule): its index, or -1 (none found or
 * every scale's failures leave no progress); or a negative error. */
static int row_scale(const struct tce_planning *pl,
                     const struct tce_planning_row *r, int *best,
                     struct tce_error *err)
{
    const struct tce_planning_offering *o = &pl->offerings[r->offering];
    struct tce_planning_point pts[TCE_PLANNING_SCALES_MAX];
    struct tce_econ e;
    int si, ret = 0;

    for (si = 0; si < o->n_scales && ret == 0; si++) {
        pts[si].valid = 0;
        if (!o->scales[si].found)
            continue;
        ret = tce_search_price(&o->scenario->topo, &r->contract,
                               pl->checkpoint_bytes, &o->scales[si].hit, 1.0,
                               &e, err);
        if (ret == TCE_ENOFIT) { /* failures leave no progress here */
            ret = 0;
            continue;
        }
        pts[si].valid = ret == 0;
        pts[si].days = e.days_to_done;
        pts[si].cost_usd = e.bill.total_usd;
    }
    *best = ret == 0 ? tce_planning_pick_scale(pts, o->n_scales,
                                               pl->goal.deadline_days)
                     : -1;
    return ret;
}

static int fill_row(struct tce_planning *pl, struct tce_planning_row *r,
                    struct tce_error *err)
{
    const struct tce_planning_offering *o = &pl->offerings[r->offering];
    const struct tce_topology *t = &o->scenario->topo;
    struct tce_bill ideal;
    int best, ret;

    ret = row_scale(pl, r, &best, err);
    if (ret < 0 || best < 0)
        goto out;
    r->found = 1;
    r->hit = o->scales[best].hit;
    ret = tce_search_price(t, &r->contract, pl->checkpoint_bytes, &r->hit, 1.0,
                           &r->hit.econ, err);
    if (ret < 0)
        goto out;
    r->meets_deadline =
        tce_planning_meets(r->hit.econ.days_to_done, pl->goal.deadline_days);
    ret = bill(t, &r->contract, r->hit.econ.nodes, r->hit.ideal_days, &ideal,
               err);
    if (ret < 0)
        goto out;
    r->failures_usd = r->hit.econ.bill.total_usd - ideal.total_usd;
    r->own_status = o->scales[best].own_status;
    r->own_is_pick = o->scales[best].own_is_pick;
    r->own = o->scales[best].own;
    if (r->own_status == 1) {
        ret = tce_search_price(t, &r->contract, pl->checkpoint_bytes, &r->own,
                               1.0, &r->own.econ, err);
        if (ret < 0)
            goto out;
    }
    r->usd_per_mtok = r->hit.econ.bill.total_usd /
                      ((double)pl->job->training.train_tokens / 1e6);
    ret = tce_planning_sensitivity(t, &r->contract, pl->checkpoint_bytes,
                                   &r->hit, &r->sens, err);
    if (ret == 0 && pl->goal.budget_usd > 0.0)
        ret = buy(pl, r, err);
out:
    return ret;
}

static void row_points(const struct tce_planning *pl,
                       struct tce_planning_point *pts)
{
    int i;

    for (i = 0; i < pl->n_rows; i++) {
        pts[i].valid = pl->rows[i].found;
        pts[i].days = pl->rows[i].hit.econ.days_to_done;
        pts[i].cost_usd = pl->rows[i].hit.econ.bill.total_usd;
    }
}

static void mark(struct tce_planning *pl)
{
    struct tce_planning_point pts[TCE_PLANNING_ROWS_MAX];
    int i, cheapest, fastest;

    memset(pts, 0, sizeof(pts));
    row_points(pl, pts);
    cheapest = tce_planning_cheapest(pts, pl->n_rows, pl->goal.deadline_days);
    fastest = tce_planning_fastest(pts, pl->n_rows);
    if (cheapest >= 0)
        pl->rows[cheapest].cheapest = 1;
    if (fastest >= 0)
        pl->rows[fastest].fastest = 1;
    for (i = 0; i < pl->n_rows; i++)
        if (pl->rows[i].found)
            pl->rows[i].pareto = tce_planning_on_front(pts, pl->n_rows, i);
}

void tce_planning_judge(const struct tce_planning *pl,
                        struct tce_planning_verdict *out)
{
    const struct tce_planning_row *b, *s;
    int i;

    memset(out, 0, sizeof(*out));
    out->cheapest = -1;
    out->runner_up = -1;
    for (i = 0; i < pl->n_rows; i++)
        if (pl->rows[i].cheapest)
            out->cheapest = i;
    for (i = 0; i < pl->n_rows && out->cheapest >= 0; i++) {
        const struct tce_planning_row *r = &pl->rows[i];

        if (i == out->cheapest || !r->found || !r->meets_deadline)
            continue;
        if (out->runner_up < 0 ||
            r->hit.econ.bill.total_usd <
                pl->rows[out->runner_up].hit.econ.bill.total_usd)
            out->runner_up = i;
    }
    b = out->cheapest >= 0 ? &pl->rows[out->cheapest] : NULL;
    out->no_time_margin = b && pl->goal.deadline_days > 0.0 &&
                          b->sens.days_mfu_lo > pl->goal.deadline_days;
    if (b && out->runner_up >= 0) {
        s = &pl->rows[out->runner_up];
        out->margin =
            s->hit.econ.bill.total_usd / b->hit.econ.bill.total_usd - 1.0;
        out->worst_usd = b->sens.cost_price_hi * b->sens.cost_mfu_lo /
                         b->hit.econ.bill.total_usd;
        out->rival_usd = s->sens.cost_price_lo * s->sens.cost_mfu_hi /
                         s->hit.econ.bill.total_usd;
        out->changes = !(out->worst_usd <= out->rival_usd);
    }
}

int tce_planning_evaluate(struct tce_planning *pl, struct tce_error *err)
{
    int i, ret = 0;

    for (i = 0; i < pl->n_rows && ret == 0; i++)
        ret = fill_row(pl, &pl->rows[i], err);
    if (ret == 0) {
        mark(pl);
        tce_planning_judge(pl, &pl->verdict);
    }
    return ret;
}

/* ---- nothing fits ------------------------------------------------------- */

int tce_planning_nearby(const struct tce_topology *t, const struct tce_job *j,
                        const struct tce_contract *c, double hbm_headroom,
                        const struct tce_search_backend *be, int64_t want,
                        struct tce_search_result *scratch,
                        struct tce_search_hit *out, int max)
{
    struct tce_search_opts so;
    int64_t scales[64];
    int n, i, found = 0;

    n = tce_search_valid_scales(t, j, want - want / 4, want + want / 4, 1.0,
                                scales, (int)TCE_ARRAY_SIZE(scales));
    for (i = 0; i < n && found < max; i++) {
        if (scales[i] == want)
            continue;
        tce_search_opts_init(&so);
        so.n_gpus = 1;
        so.gpus[0] = scales[i];
        so.top_k = 1;
        so.explain = 0;
        so.contract = c;
        so.hbm_headroom = hbm_headroom;
        if (tce_search_run(t, j, &so, be, scratch, NULL) < 0)
            continue;
        out[found++] = scratch->top[0];
    }
    return found;
}

/* One goal option's value in [min, max], the option named in the error. */
static int parse_goal(const char *opt, const char *s, double min, double max,
                      double *out, struct tce_error *err)
{
    struct tce_error e;

    tce_error_clear(&e);
    if (tce_parse_double(s, min, max, out, &e) == 0)
        return 0;
    return tce_error_set(err, e.code, "%s: %s", opt, e.msg);
}

int tce_planning_parse_deadline(const char *s, struct tce_planning_goal *g,
                                struct tce_error *err)
{
    return parse_goal("--deadline", s, 1e-3, 1e5, &g->deadline_days, err);
}

int tce_planning_parse_budget(const char *s, struct tce_planning_goal *g,
                              struct tce_error *err)
{
    return parse_goal("--budget", s, 1.0, 1e15, &g->budget_usd, err);
}

int tce_planning_parse_hbm_headroom(const char *s, struct tce_planning_goal *g,
                                   struct tce_error *err)
{
    return parse_goal("--hbm-headroom", s, 0.0, TCE_SEARCH_HBM_HEADROOM_MAX,
                      &g->hbm_headroom, err);
}
