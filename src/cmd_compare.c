/*
 * cmd_compare.c - tcemu compare: one training run across offerings and
 * contracts, each at its best layout and a chosen scale, with time to
 * train, cost (failures and idle commitment shown), USD per million tokens,
 * energy and effective MFU; the cheapest, the fastest and the Pareto front
 * marked; what a budget buys; sensitivity to price and MFU +-10%.
 *
 * Scale: --gpus N (one count), or with --deadline the cheapest of the
 * candidate scales (--gpus LIST; default every GPU count at which the job
 * has a shape, 10% apart, from the count that would need 100% MFU to meet
 * the deadline up to the topology's capacity) whose days to done (lead
 * time + training with failures) meet the deadline, the faster on a tie
 * (a take-or-pay commitment costs the same at any scale it covers); the
 * fastest when none does.  With a list and no deadline, the cheapest.
 * Without --gpus or --deadline: the job's num_gpus.
 *
 * At one scale the fastest layout is also the cheapest under every contract
 * (each bill grows with the days), so one search by time per (offering,
 * scale) serves all its contracts.  Cloud prices include electricity: the
 * electricity cost is reported beside the bill, never added to it.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/json.h"
#include "tcemu/model.h"
#include "tcemu/output.h"
#include "tcemu/search.h"
#include "tcemu/util.h"

#define MAX_TOPOS 8
#define MAX_SCALES 96
#define MAX_ROWS (MAX_TOPOS * (TCE_CONTRACTS_MAX + 1))
#define SENS 0.10 /* +-10% */
/* --budget without --deadline: what the budget buys within a year. */
#define BUDGET_HORIZON_DAYS 365.0

struct opts {
    const char *job_path, *plan, *gpus_arg, *json_path;
    const char *topo_paths[MAX_TOPOS];
    int n_topos;
    double deadline_days;       /* 0 = none */
    double budget_usd;          /* 0 = none */
    double budget_horizon_days; /* deadline, or BUDGET_HORIZON_DAYS */
    int chinchilla;
};

struct scale { /* best layout of one offering at one N */
    int64_t gpus;
    int found;
    struct tce_search_hit hit;
};

struct budget {
    int64_t gpus;
    double days, tokens, cost_usd, flops;
    double chinchilla_params, chinchilla_tokens;
    double min_cost_usd; /* smallest bill at any scale (an hour;
                            a commitment's whole term) */
};

struct row {
    int topo; /* index into topos */
    struct tce_contract contract;
    int found;                 /* a layout fits at some scale */
    struct tce_search_hit hit; /* at the chosen scale, this contract */
    double failures_usd;       /* bill(with failures) - bill(ideal) */
    double usd_per_mtok;
    int meets_deadline;
    int cheapest, fastest, pareto;
    /* sensitivity */
    double cost_price_lo, cost_price_hi; /* price -10% / +10% */
    double cost_mfu_lo, cost_mfu_hi;     /* MFU -10% / +10% */
    double days_mfu_lo, days_mfu_hi;
    int has_budget;
    struct budget budget;
};

struct compare {
    struct opts o;
    struct tce_job job;
    struct tce_topology topos[MAX_TOPOS];
    struct scale scales[MAX_TOPOS][MAX_SCALES];
    int n_scales[MAX_TOPOS];
    int n_rows;
    struct row rows[MAX_ROWS];
    double checkpoint_bytes;
    double flops_per_token;
    double search_s;
    int64_t candidates;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu compare -j JOB -t TOPOLOGY [-t TOPOLOGY ...] "
            "[OPTIONS]\n\n"
            "The same training run across offerings and contracts, each at "
            "its best\nlayout: days, cost (failures and idle commitment "
            "shown), USD per million\ntokens, energy, effective MFU; the "
            "cheapest, the fastest and the Pareto\nfront (days, cost) "
            "marked.\n\n"
            "  -j, --job FILE        job (.cfg)\n"
            "  -t, --topology FILE   an offering (repeat, up to %d)\n"
            "  -p, --plan NAME       only the contract NAME of each topology "
            "(on-demand\n"
            "                        where a topology has no such contract); "
            "default all\n"
            "  -g, --gpus LIST       scale(s): one count, or candidates for "
            "--deadline\n"
            "  -d, --deadline DAYS   the cheapest scale done within DAYS "
            "(lead time\n"
            "                        included); default candidates: every "
            "GPU count\n"
            "                        the job divides into, 10%% apart, up "
            "to capacity\n"
            "  -B, --budget USD      what the budget buys: most tokens within "
            "budget\n"
            "                        (and deadline) on each offering\n"
            "      --chinchilla      with --budget: compute-optimal model "
            "size (20 tokens\n"
            "                        per parameter, C = 6 N D)\n"
            "      --json FILE|-     also write JSON (schema "
            "tcemu.compare/1)\n"
            "  -h, --help            this help\n\n"
            "Every figure is modelled (projector, failures, prices from the "
            "topology\nfiles); none is measured.  Electricity is reported "
            "beside the bill (cloud\nprices include it), not added.\n",
            MAX_TOPOS);
}

static int parse(int argc, char **argv, struct opts *o, struct tce_error *err)
{
    enum { OPT_JSON = 256, OPT_CHIN };
    static const struct option longopts[] = {
        {"job", required_argument, NULL, 'j'},
        {"topology", required_argument, NULL, 't'},
        {"plan", required_argument, NULL, 'p'},
        {"gpus", required_argument, NULL, 'g'},
        {"deadline", required_argument, NULL, 'd'},
        {"budget", required_argument, NULL, 'B'},
        {"chinchilla", no_argument, NULL, OPT_CHIN},
        {"json", required_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, ret = 0;

    memset(o, 0, sizeof(*o));
    optind = 1;
    opterr = 0;
    while (ret == 0 && (c = getopt_long(argc, argv, ":j:t:p:g:d:B:h", longopts,
                                        NULL)) != -1) {
        switch (c) {
        case 'j':
            o->job_path = optarg;
            break;
        case 'p':
            o->plan = optarg;
            break;
        case 'g':
            o->gpus_arg = optarg;
            break;
        case OPT_JSON:
            o->json_path = optarg;
            break;
        case OPT_CHIN:
            o->chinchilla = 1;
            break;
        case 't':
            if (o->n_topos >= MAX_TOPOS)
                ret = tce_error_set(err, TCE_EUSAGE, "at most %d topologies",
                                    MAX_TOPOS);
            else
                o->topo_paths[o->n_topos++] = optarg;
            break;
        case 'd':
            ret = tce_parse_double(optarg, 1e-3, 1e5, &o->deadline_days, err);
            break;
        case 'B':
            ret = tce_parse_double(optarg, 1.0, 1e15, &o->budget_usd, err);
            break;
        default: /* -h, or a bad option */
            ret = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (ret == 0 && optind < argc)
        ret = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                            argv[optind]);
    if (ret == 0 && (!o->job_path || o->n_topos == 0))
        ret = tce_error_set(err, TCE_EUSAGE,
                            "compare needs -j JOB and at least one -t "
                            "TOPOLOGY");
    if (ret == 0 && o->budget_usd > 0.0 && o->deadline_days <= 0.0)
        o->budget_horizon_days = BUDGET_HORIZON_DAYS;
    else
        o->budget_horizon_days = o->deadline_days;
    if (ret == 0 && o->chinchilla && o->budget_usd <= 0.0)
        ret = tce_error_set(err, TCE_EUSAGE, "--chinchilla needs --budget");
    return ret;
}

/* Candidate scales of one topology. */
static int scale_list(const struct compare *cm, int ti, int64_t *out,
                      struct tce_error *err)
{
    const struct tce_topology *t = &cm->topos[ti];
    int64_t per = t->node.accelerators > 0 ? t->node.accelerators : 1;
    int64_t max_nodes =
        t->capacity.max_nodes > 0 ? t->capacity.max_nodes : (int64_t)1 << 20;
    struct tce_gpu_list gl;
    int64_t lo;
    int n = 0, i, ret;

    if (cm->o.gpus_arg) {
        ret = tce_parse_gpu_list(cm->o.gpus_arg, &gl, err);
        if (ret < 0)
            return ret;
        for (i = 0; i < gl.n && n < MAX_SCALES; i++) {
            if ((gl.gpus[i] + per - 1) / per > max_nodes) {
                fprintf(stderr,
                        "tcemu compare: %s: %lld GPUs skipped: "
                        "more nodes than it offers (%lld)\n",
                        t->name, (long long)gl.gpus[i], (long long)max_nodes);
                continue;
            }
            out[n++] = gl.gpus[i];
        }
        return n;
    }
    if (cm->o.deadline_days <= 0.0 && cm->o.budget_usd <= 0.0) {
        if (cm->job.parallel.num_gpus < 1)
            return tce_error_set(err, TCE_EUSAGE,
                                 "%s has no parallel.num_gpus: give --gpus "
                                 "or --deadline",
                                 cm->o.job_path);
        out[n++] = cm->job.parallel.num_gpus;
        return n;
    }
    /* Every GPU count where the job has a shape, 10% apart, from a lower
     * bound (one node; with a deadline, the GPUs that would need 100% MFU
     * to meet it) to the topology's capacity. */
    lo = per;
    if (cm->o.deadline_days > 0.0 && cm->o.budget_usd <= 0.0) {
        double peak = t->accelerator.bf16_tflops * 1e12;

        if (cm->job.training.precision == TCE_PRECISION_FP8 &&
            t->accelerator.fp8_tflops > 0.0)
            peak = t->accelerator.fp8_tflops * 1e12;
        if (peak > 0.0)
            lo = (int64_t)floor(cm->flops_per_token *
                                (double)cm->job.training.train_tokens /
                                (cm->o.deadline_days * 86400.0 * peak));
        if (lo < per)
            lo = per;
    }
    n = tce_search_valid_scales(t, &cm->job, lo, max_nodes * per, 1.1, out,
                                MAX_SCALES);
    if (n == 0)
        return tce_error_set(err, TCE_ENOFIT,
                             "%s: no GPU count between %lld and %lld admits "
                             "a layout of %s",
                             t->name, (long long)lo,
                             (long long)(max_nodes * per), cm->o.job_path);
    return n;
}

static int run_searches(struct compare *cm, struct tce_error *err)
{
    static struct tce_search_result res;
    struct tce_search_opts so;
    struct tce_search_backend be;
    static struct tce_search_projector proj;
    int64_t gpus[MAX_SCALES];
    int ti, si, n, ret = 0;

    tce_search_projector_backend(&proj, &be);
    for (ti = 0; ti < cm->o.n_topos; ti++) {
        n = scale_list(cm, ti, gpus, err);
        if (n < 0)
            return n;
        cm->n_scales[ti] = n;
        for (si = 0; si < n; si++) {
            struct scale *s = &cm->scales[ti][si];

            s->gpus = gpus[si];
            tce_search_opts_init(&so);
            so.n_gpus = 1;
            so.gpus[0] = gpus[si];
            so.top_k = 1;
            so.explain = 0;
            ret = tce_search_run(&cm->topos[ti], &cm->job, &so, &be, &res, err);
            cm->search_s += res.elapsed_s;
            cm->candidates += res.candidates;
            if (ret == TCE_ENOFIT) {
                ret = 0;
                continue;
            }
            if (ret < 0)
                return ret;
            s->found = 1;
            s->hit = res.top[0];
        }
    }
    return ret;
}

/* Re-price a scale's best layout under a contract; mfu_scale stretches
 * the failure-free time (1/(1 +- 10%)). */
static int evaluate(const struct compare *cm, int ti,
                    const struct tce_contract *c,
                    const struct tce_search_hit *h, double time_scale,
                    struct tce_econ *out, struct tce_error *err)
{
    struct tce_econ_in in;

    memset(&in, 0, sizeof(in));
    in.topo = &cm->topos[ti];
    in.contract = c;
    in.gpus = h->gpus;
    in.ideal_days = h->ideal_days * time_scale;
    in.checkpoint_bytes = cm->checkpoint_bytes;
    in.load = h->eval.iteration_s > 0.0
                  ? fmin(1.0, h->eval.compute_s / h->eval.iteration_s)
                  : 1.0;
    return tce_econ_evaluate(&in, out, err);
}

/* Most tokens within the budget (and deadline) on one row. */
static int buy(const struct compare *cm, struct row *r, struct tce_error *err)
{
    const struct tce_topology *t = &cm->topos[r->topo];
    int si, it, ret = 0;

    memset(&r->budget, 0, sizeof(r->budget));
    for (si = 0; si < cm->n_scales[r->topo]; si++) {
        const struct scale *s = &cm->scales[r->topo][si];
        struct tce_econ e;
        struct tce_bill b;
        double lo = 0.0, hi = 3650.0, days, tokens_per_day, tokens;

        if (!s->found)
            continue;
        ret = evaluate(cm, r->topo, &r->contract, &s->hit, 1.0, &e, err);
        if (ret < 0)
            return ret;
        tokens_per_day = (double)cm->job.training.train_tokens /
                         e.train_days; /* with failures */
        ret = tce_econ_price_run(&r->contract,
                                 t->price.on_demand_usd_per_node_hour, e.nodes,
                                 t->reliability.hot_spare_nodes,
                                 t->node.accelerators, 1.0 / 24.0, &b, err);
        if (ret < 0)
            return ret;
        if (r->budget.min_cost_usd <= 0.0 ||
            b.total_usd < r->budget.min_cost_usd)
            r->budget.min_cost_usd = b.total_usd;
        ret = tce_econ_price_run(
            &r->contract, t->price.on_demand_usd_per_node_hour, e.nodes,
            t->reliability.hot_spare_nodes, t->node.accelerators, hi, &b, err);
        if (ret < 0)
            return ret;
        if (b.total_usd > cm->o.budget_usd) {
            for (it = 0; it < 60; it++) {
                double mid = 0.5 * (lo + hi);

                ret = tce_econ_price_run(
                    &r->contract, t->price.on_demand_usd_per_node_hour, e.nodes,
                    t->reliability.hot_spare_nodes, t->node.accelerators, mid,
                    &b, err);
                if (ret < 0)
                    return ret;
                if (b.total_usd <= cm->o.budget_usd)
                    lo = mid;
                else
                    hi = mid;
            }
            days = lo;
        } else {
            days = hi;
        }
        days = fmin(days, cm->o.budget_horizon_days - b.start_delay_days);
        if (days <= 0.0)
            continue;
        tokens = days * tokens_per_day;
        if (tokens > r->budget.tokens) {
            ret = tce_econ_price_run(&r->contract,
                                     t->price.on_demand_usd_per_node_hour,
                                     e.nodes, t->reliability.hot_spare_nodes,
                                     t->node.accelerators, days, &b, err);
            if (ret < 0)
                return ret;
            r->budget.gpus = s->gpus;
            r->budget.days = days;
            r->budget.tokens = tokens;
            r->budget.cost_usd = b.total_usd;
            r->budget.flops = tokens * cm->flops_per_token;
            /* Chinchilla: C = 6 N D with D = 20 N. */
            r->budget.chinchilla_params = sqrt(
                r->budget.flops / (6.0 * TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM));
            r->budget.chinchilla_tokens = TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM *
                                          r->budget.chinchilla_params;
        }
    }
    r->has_budget = 1;
    return 0;
}

static int fill_row(struct compare *cm, struct row *r, struct tce_error *err)
{
    const struct tce_topology *t = &cm->topos[r->topo];
    int si, best = -1, best_meets = 0, ret = 0;
    double best_cost = INFINITY, best_days = INFINITY;
    struct tce_econ e;
    struct tce_bill ideal;

    for (si = 0; si < cm->n_scales[r->topo]; si++) {
        const struct scale *s = &cm->scales[r->topo][si];

        if (!s->found)
            continue;
        ret = evaluate(cm, r->topo, &r->contract, &s->hit, 1.0, &e, err);
        if (ret == TCE_ENOFIT) /* failures leave no progress at this scale */
            continue;
        if (ret < 0)
            return ret;
        if (cm->o.deadline_days > 0.0) {
            int meets = e.days_to_done <= cm->o.deadline_days;

            /* The cheapest scale meeting the deadline (ties: the faster);
             * while none meets it, the fastest. */
            if (meets && (!best_meets || e.bill.total_usd < best_cost ||
                          (e.bill.total_usd == best_cost &&
                           e.days_to_done < best_days))) {
                best = si;
                best_meets = 1;
                best_cost = e.bill.total_usd;
                best_days = e.days_to_done;
            } else if (!meets && !best_meets &&
                       (best < 0 || e.days_to_done < best_days)) {
                best = si;
                best_days = e.days_to_done;
            }
        } else if (e.bill.total_usd < best_cost) {
            best = si;
            best_cost = e.bill.total_usd;
        }
    }
    if (best < 0)
        return 0;
    r->found = 1;
    r->hit = cm->scales[r->topo][best].hit;
    ret = evaluate(cm, r->topo, &r->contract, &r->hit, 1.0, &r->hit.econ, err);
    if (ret < 0)
        return ret;
    r->meets_deadline = cm->o.deadline_days <= 0.0 ||
                        r->hit.econ.days_to_done <= cm->o.deadline_days;
    ret = tce_econ_price_run(&r->contract, t->price.on_demand_usd_per_node_hour,
                             r->hit.econ.nodes, t->reliability.hot_spare_nodes,
                             t->node.accelerators, r->hit.ideal_days, &ideal,
                             err);
    if (ret < 0)
        return ret;
    r->failures_usd = r->hit.econ.bill.total_usd - ideal.total_usd;
    r->usd_per_mtok = r->hit.econ.bill.total_usd /
                      ((double)cm->job.training.train_tokens / 1e6);
    /* Sensitivity: every price scales the bill linearly; MFU -10% makes
     * the failure-free time 1/0.9 longer, +10% 1/1.1. */
    r->cost_price_lo = r->hit.econ.bill.total_usd * (1.0 - SENS);
    r->cost_price_hi = r->hit.econ.bill.total_usd * (1.0 + SENS);
    ret = evaluate(cm, r->topo, &r->contract, &r->hit, 1.0 / (1.0 - SENS), &e,
                   err);
    if (ret < 0)
        return ret;
    r->cost_mfu_lo = e.bill.total_usd;
    r->days_mfu_lo = e.days_to_done;
    ret = evaluate(cm, r->topo, &r->contract, &r->hit, 1.0 / (1.0 + SENS), &e,
                   err);
    if (ret < 0)
        return ret;
    r->cost_mfu_hi = e.bill.total_usd;
    r->days_mfu_hi = e.days_to_done;
    if (cm->o.budget_usd > 0.0)
        ret = buy(cm, r, err);
    return ret;
}

static void add_rows(struct compare *cm, int ti)
{
    const struct tce_topology *t = &cm->topos[ti];
    const struct tce_contract *c;
    struct tce_contract scratch;
    int i, have_od = 0;

    if (cm->o.plan) {
        c = tce_econ_find_contract(t, cm->o.plan, &scratch);
        if (!c) { /* this offering has no such plan: its list price */
            fprintf(stderr,
                    "tcemu compare: %s has no contract '%s': "
                    "priced on demand\n",
                    t->name, cm->o.plan);
            c = tce_econ_find_contract(t, NULL, &scratch);
        }
        cm->rows[cm->n_rows].topo = ti;
        cm->rows[cm->n_rows++].contract = *c;
        return;
    }
    for (i = 0; i < t->n_contracts; i++) {
        if (t->contracts[i].kind == TCE_CONTRACT_ON_DEMAND)
            have_od = 1;
        cm->rows[cm->n_rows].topo = ti;
        cm->rows[cm->n_rows++].contract = t->contracts[i];
    }
    if (!have_od && t->price.on_demand_usd_per_node_hour > 0.0) {
        c = tce_econ_find_contract(t, NULL, &scratch);
        cm->rows[cm->n_rows].topo = ti;
        cm->rows[cm->n_rows++].contract = *c;
    }
}

static void mark(struct compare *cm)
{
    int i, k, cheapest = -1, fastest = -1;

    for (i = 0; i < cm->n_rows; i++) {
        const struct row *r = &cm->rows[i];

        if (!r->found)
            continue;
        if (r->meets_deadline &&
            (cheapest < 0 || r->hit.econ.bill.total_usd <
                                 cm->rows[cheapest].hit.econ.bill.total_usd))
            cheapest = i;
        if (fastest < 0 ||
            r->hit.econ.days_to_done < cm->rows[fastest].hit.econ.days_to_done)
            fastest = i;
    }
    if (cheapest >= 0)
        cm->rows[cheapest].cheapest = 1;
    if (fastest >= 0)
        cm->rows[fastest].fastest = 1;
    for (i = 0; i < cm->n_rows; i++) {
        struct row *r = &cm->rows[i];
        int dominated = 0;

        if (!r->found)
            continue;
        for (k = 0; k < cm->n_rows && !dominated; k++) {
            const struct row *q = &cm->rows[k];
            double qd = q->hit.econ.days_to_done, rd = r->hit.econ.days_to_done;
            double qc = q->hit.econ.bill.total_usd,
                   rc = r->hit.econ.bill.total_usd;

            if (k == i || !q->found)
                continue;
            if (qd <= rd && qc <= rc && (qd < rd || qc < rc))
                dominated = 1;
        }
        r->pareto = !dominated;
    }
}

static void layout_str(const struct tce_search_hit *h, char *buf, size_t n)
{
    snprintf(buf, n, "tp%lld pp%lld v%lld cp%lld ep%lld dp%lld mb%lld %s%s",
             (long long)h->tp, (long long)h->pp, (long long)h->vpp,
             (long long)h->cp, (long long)h->ep, (long long)h->dp,
             (long long)h->micro_batch, tce_recompute_name(h->recompute),
             h->distributed_optimizer ? " do" : "");
}

static void print_sensitivity(FILE *f, const struct compare *cm)
{
    int i, best = -1, second = -1;

    for (i = 0; i < cm->n_rows; i++)
        if (cm->rows[i].cheapest)
            best = i;
    if (best < 0)
        return;
    for (i = 0; i < cm->n_rows; i++) {
        const struct row *r = &cm->rows[i];

        if (i == best || !r->found || !r->meets_deadline)
            continue;
        if (second < 0 || r->hit.econ.bill.total_usd <
                              cm->rows[second].hit.econ.bill.total_usd)
            second = i;
    }
    fprintf(f, "# sensitivity (price and MFU +-10%%, one at a time):\n");
    fprintf(f, "# offering             contract              cost_MUSD "
               "price-10%% price+10%%  MFU-10%%  MFU+10%%  days_MFU-10%% "
               "days_MFU+10%%\n");
    for (i = 0; i < cm->n_rows; i++) {
        const struct row *r = &cm->rows[i];

        if (!r->found)
            continue;
        fprintf(f,
                "# %-20s %-20s %10.2f %9.2f %9.2f %8.2f %8.2f %12.1f "
                "%12.1f\n",
                cm->topos[r->topo].name, r->contract.name,
                r->hit.econ.bill.total_usd / 1e6, r->cost_price_lo / 1e6,
                r->cost_price_hi / 1e6, r->cost_mfu_lo / 1e6,
                r->cost_mfu_hi / 1e6, r->days_mfu_lo, r->days_mfu_hi);
    }
    if (second < 0) {
        fprintf(f,
                "# the cheapest, %s / %s, has no rival meeting the "
                "deadline\n",
                cm->topos[cm->rows[best].topo].name,
                cm->rows[best].contract.name);
        return;
    }
    {
        const struct row *b = &cm->rows[best], *s = &cm->rows[second];
        double margin =
            s->hit.econ.bill.total_usd / b->hit.econ.bill.total_usd - 1.0;
        double worst =
            b->cost_price_hi * b->cost_mfu_lo / b->hit.econ.bill.total_usd;
        double rival =
            s->cost_price_lo * s->cost_mfu_hi / s->hit.econ.bill.total_usd;

        fprintf(f,
                "# cheapest: %s / %s; the runner-up %s / %s costs %.1f%% "
                "more, so the answer holds unless the cheapest's price "
                "rises %.1f%% relative to it; with MFU -10%% the cheapest "
                "costs %.2f M USD (%+.1f%%) and takes %.1f days\n",
                cm->topos[b->topo].name, b->contract.name,
                cm->topos[s->topo].name, s->contract.name, 100.0 * margin,
                100.0 * margin, b->cost_mfu_lo / 1e6,
                100.0 * (b->cost_mfu_lo / b->hit.econ.bill.total_usd - 1.0),
                b->days_mfu_lo);
        if (cm->o.deadline_days > 0.0 && b->days_mfu_lo > cm->o.deadline_days)
            fprintf(f,
                    "# warning: with MFU -10%% the cheapest misses the "
                    "%.0f-day deadline (%.1f days): it has no time "
                    "margin\n",
                    cm->o.deadline_days, b->days_mfu_lo);
        fprintf(f,
                "# worst case (cheapest at price +10%% and MFU -10%%: %.2f M "
                "USD; runner-up at price -10%% and MFU +10%%: %.2f M USD): "
                "%s\n",
                worst / 1e6, rival / 1e6,
                worst <= rival ? "the answer does not change"
                               : "the answer changes");
    }
}

static void print_table(FILE *f, const struct compare *cm)
{
    char lay[128];
    int i;

    fprintf(f, "# tcemu compare: job %s (%s), %.3g tokens\n", cm->job.name,
            cm->o.job_path, (double)cm->job.training.train_tokens);
    for (i = 0; i < cm->o.n_topos; i++)
        fprintf(f,
                "# offering %d: %s (%s), %s, on-demand %.2f USD/node-h "
                "as of %s\n",
                i + 1, cm->topos[i].name, cm->o.topo_paths[i],
                cm->topos[i].accelerator.name,
                cm->topos[i].price.on_demand_usd_per_node_hour,
                cm->topos[i].price.as_of);
    if (cm->o.deadline_days > 0.0)
        fprintf(f,
                "# scale: the cheapest candidate scale done within %.1f "
                "days (lead time + training with failures)\n",
                cm->o.deadline_days);
    fprintf(f, "# searched %lld candidate layouts in %.2f s\n",
            (long long)cm->candidates, cm->search_s);
    fprintf(f,
            "# marks: C cheapest%s, F fastest, P Pareto front (days, "
            "cost), ! misses the deadline\n",
            cm->o.deadline_days > 0.0 ? " meeting the deadline" : "");
    fprintf(f, "# offering             contract              gpus layout"
               "                                    days   cost_MUSD "
               "failures_MUSD idle_MUSD USD/Mtok  energy_MWh  tCO2e  eff_MFU "
               "marks\n");
    for (i = 0; i < cm->n_rows; i++) {
        const struct row *r = &cm->rows[i];
        const struct tce_econ *e = &r->hit.econ;

        if (!r->found) {
            fprintf(f, "# %-20s %-20s no layout fits at any scale tried\n",
                    cm->topos[r->topo].name, r->contract.name);
            continue;
        }
        layout_str(&r->hit, lay, sizeof(lay));
        fprintf(f,
                "%-22s %-20s %6lld %-38s %7.1f %11.2f %13.2f %9.2f %8.3f "
                "%11.0f %6.0f %8.3f %s%s%s%s\n",
                cm->topos[r->topo].name, r->contract.name,
                (long long)r->hit.gpus, lay, e->days_to_done,
                e->bill.total_usd / 1e6, r->failures_usd / 1e6,
                e->bill.idle_usd / 1e6, r->usd_per_mtok, e->energy.facility_mwh,
                e->energy.tco2e, r->hit.eval.mfu * e->goodput.efficiency,
                r->cheapest ? "C" : "", r->fastest ? "F" : "",
                r->pareto ? "P" : "", r->meets_deadline ? "" : "!");
    }
    fprintf(f, "# days = lead time + training with failures; failures_MUSD = "
               "the bill's share caused by interruptions and checkpoints; "
               "idle_MUSD = paid but unused (commitment, whole terms or "
               "days); eff_MFU = MFU x effective training fraction\n");
    print_sensitivity(f, cm);
    if (cm->o.budget_usd > 0.0) {
        fprintf(f, "# what %.4g USD buys within %.0f days%s:\n",
                cm->o.budget_usd, cm->o.budget_horizon_days,
                cm->o.deadline_days > 0.0 ? " (the deadline)"
                                          : " (no --deadline: one year)");
        fprintf(f,
                "# offering             contract              gpus    "
                "days  tokens_T   cost_MUSD  model_PFLOP%s\n",
                cm->o.chinchilla ? "  chinchilla_params_B chinchilla_tokens_T"
                                 : "");
        for (i = 0; i < cm->n_rows; i++) {
            const struct row *r = &cm->rows[i];

            if (!r->has_budget)
                continue;
            if (r->budget.tokens <= 0.0) {
                fprintf(f,
                        "# %-20s %-20s buys nothing: the smallest bill "
                        "is %.2f M USD\n",
                        cm->topos[r->topo].name, r->contract.name,
                        r->budget.min_cost_usd / 1e6);
                continue;
            }
            fprintf(f, "# %-20s %-20s %6lld %7.1f %9.3f %11.2f %12.4g",
                    cm->topos[r->topo].name, r->contract.name,
                    (long long)r->budget.gpus, r->budget.days,
                    r->budget.tokens / 1e12, r->budget.cost_usd / 1e6,
                    r->budget.flops / 1e15);
            if (cm->o.chinchilla)
                fprintf(f, " %20.1f %19.3f", r->budget.chinchilla_params / 1e9,
                        r->budget.chinchilla_tokens / 1e12);
            fprintf(f, "\n");
        }
        fprintf(f, "# tokens at this job's model and layout; the budget "
                   "pays the bill (commitments and whole terms included)\n");
    }
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology files); measured: none\n");
}

static void write_json(struct tce_json *j, const struct compare *cm)
{
    int i;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", "tcemu.compare/1");
    tce_json_string(j, "version", tce_cli_version());
    tce_json_string(j, "job", cm->o.job_path);
    tce_json_string(j, "job_name", cm->job.name);
    tce_json_int(j, "train_tokens", cm->job.training.train_tokens);
    if (cm->o.deadline_days > 0.0)
        tce_json_double(j, "deadline_days", cm->o.deadline_days);
    else
        tce_json_null(j, "deadline_days");
    if (cm->o.budget_usd > 0.0) {
        tce_json_double(j, "budget_usd", cm->o.budget_usd);
        tce_json_double(j, "budget_horizon_days", cm->o.budget_horizon_days);
    } else {
        tce_json_null(j, "budget_usd");
    }
    tce_json_array_begin(j, "offerings");
    for (i = 0; i < cm->n_rows; i++) {
        const struct row *r = &cm->rows[i];

        tce_json_object_begin(j, NULL);
        tce_json_string(j, "topology", cm->o.topo_paths[r->topo]);
        tce_json_string(j, "topology_name", cm->topos[r->topo].name);
        tce_json_string(j, "contract", r->contract.name);
        tce_json_string(j, "contract_kind",
                        tce_contract_kind_name(r->contract.kind));
        tce_json_bool(j, "found", r->found);
        if (r->found) {
            tce_search_hit_json(j, "result", &r->hit);
            tce_json_double(j, "failures_usd", r->failures_usd);
            tce_json_double(j, "usd_per_million_tokens", r->usd_per_mtok);
            tce_json_bool(j, "meets_deadline", r->meets_deadline);
            tce_json_bool(j, "cheapest", r->cheapest);
            tce_json_bool(j, "fastest", r->fastest);
            tce_json_bool(j, "pareto", r->pareto);
            tce_json_object_begin(j, "sensitivity");
            tce_json_double(j, "cost_usd_price_minus_10pct", r->cost_price_lo);
            tce_json_double(j, "cost_usd_price_plus_10pct", r->cost_price_hi);
            tce_json_double(j, "cost_usd_mfu_minus_10pct", r->cost_mfu_lo);
            tce_json_double(j, "cost_usd_mfu_plus_10pct", r->cost_mfu_hi);
            tce_json_double(j, "days_mfu_minus_10pct", r->days_mfu_lo);
            tce_json_double(j, "days_mfu_plus_10pct", r->days_mfu_hi);
            tce_json_object_end(j);
        }
        if (r->has_budget) {
            tce_json_object_begin(j, "budget");
            tce_json_int(j, "gpus", r->budget.gpus);
            tce_json_double(j, "days", r->budget.days);
            tce_json_double(j, "tokens", r->budget.tokens);
            tce_json_double(j, "cost_usd", r->budget.cost_usd);
            tce_json_double(j, "model_flops", r->budget.flops);
            tce_json_double(j, "min_cost_usd", r->budget.min_cost_usd);
            if (cm->o.chinchilla) {
                tce_json_double(j, "chinchilla_params",
                                r->budget.chinchilla_params);
                tce_json_double(j, "chinchilla_tokens",
                                r->budget.chinchilla_tokens);
            }
            tce_json_object_end(j);
        }
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
    tce_json_string(j, "measured", "none");
    tce_json_string(j, "modelled", "all");
    tce_json_object_end(j);
    tce_json_finish(j);
}

int tce_cmd_compare(int argc, char **argv)
{
    static struct compare cm;
    struct tce_error err;
    struct tce_diag diag;
    struct tce_output out;
    struct tce_json j;
    int ret, i, have_out = 0;

    memset(&cm, 0, sizeof(cm));
    tce_error_clear(&err);
    ret = parse(argc, argv, &cm.o, &err);
    if (ret == 1) {
        usage(stdout);
        return TCE_EXIT_OK;
    }
    if (ret < 0)
        goto out;
    tce_diag_init(&diag, stderr);
    ret = tce_job_load(cm.o.job_path, &cm.job, &diag);
    for (i = 0; i < cm.o.n_topos; i++)
        if (tce_topology_load(cm.o.topo_paths[i], &cm.topos[i], &diag) < 0)
            ret = TCE_ECONFIG;
    if (ret < 0) {
        ret = TCE_ECONFIG; /* reported through diag */
        goto out;
    }
    cm.checkpoint_bytes = tce_econ_checkpoint_bytes(&cm.job);
    cm.flops_per_token = tce_model_flops_per_token(&cm.job.model);
    ret = run_searches(&cm, &err);
    if (ret < 0)
        goto out;
    for (i = 0; i < cm.o.n_topos; i++)
        add_rows(&cm, i);
    for (i = 0; i < cm.n_rows; i++) {
        ret = fill_row(&cm, &cm.rows[i], &err);
        if (ret < 0)
            goto out;
    }
    mark(&cm);
    if (!cm.o.json_path || strcmp(cm.o.json_path, "-") != 0)
        print_table(stdout, &cm);
    if (cm.o.json_path) {
        ret = tce_output_open(&out, cm.o.json_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_json_init(&j, out.fp);
        write_json(&j, &cm);
        have_out = 0;
        ret = tce_output_commit(&out, &err);
    }
out:
    if (have_out)
        tce_output_abort(&out);
    if (ret < 0 && err.code != 0)
        tce_error_print(&err, stderr);
    return ret < 0 ? tce_exit_status(ret) : TCE_EXIT_OK;
}
