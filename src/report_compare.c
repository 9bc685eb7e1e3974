/*
 * report_compare.c - a capacity-planning comparison as a human table and
 * as JSON (report_compare.h).
 */
#include "tcemu/report_compare.h"

#include <stddef.h>
#include <string.h>

#include "tcemu/confidence.h"
#include "tcemu/humanfmt.h"
#include "tcemu/report.h"
#include "tcemu/report_search.h"

static const char *topo_name(const struct tce_planning *pl, int offering)
{
    return pl->offerings[offering].scenario->topo.name;
}

/* ---- columns over planning rows (struct tce_planning_row) -------------- */

static const struct tce_planning_row *row_of(const struct tce_report *t,
                                             int i)
{
    return (const struct tce_planning_row *)t->rows + i;
}

static void get_name(const struct tce_report *t, int i,
                     struct tce_report_value *v)
{
    const struct tce_compare_report *rep = t->ctx;

    v->s = topo_name(rep->pl, row_of(t, i)->offering);
}

static void get_path(const struct tce_report *t, int i,
                     struct tce_report_value *v)
{
    const struct tce_compare_report *rep = t->ctx;

    v->s = rep->topology_paths[row_of(t, i)->offering];
}

static void get_max_nodes(const struct tce_report *t, int i,
                          struct tce_report_value *v)
{
    const struct tce_compare_report *rep = t->ctx;

    v->i = rep->pl->offerings[row_of(t, i)->offering]
               .scenario->topo.capacity.max_nodes;
}

static void get_contract(const struct tce_report *t, int i,
                         struct tce_report_value *v)
{
    v->s = row_of(t, i)->contract.name;
}

static void get_kind(const struct tce_report *t, int i,
                     struct tce_report_value *v)
{
    v->s = tce_contract_kind_name(row_of(t, i)->contract.kind);
}

static void get_layout(const struct tce_report *t, int i,
                       struct tce_report_value *v)
{
    const struct tce_search_hit *h = &row_of(t, i)->hit;

    snprintf(v->buf, sizeof(v->buf),
             "tp%lld pp%lld v%lld cp%lld ep%lld dp%lld mbsz%lld %s%s",
             (long long)h->tp, (long long)h->pp, (long long)h->vpp,
             (long long)h->cp, (long long)h->ep, (long long)h->dp,
             (long long)h->micro_batch,
             h->recompute == TCE_RECOMPUTE_SELECTIVE
                 ? "sel"
                 : tce_recompute_name(h->recompute),
             h->distributed_optimizer ? " do" : "");
    v->s = v->buf;
}

static void get_eff_mfu(const struct tce_report *t, int i,
                        struct tce_report_value *v)
{
    const struct tce_search_hit *h = &row_of(t, i)->hit;

    v->d = h->eval.mfu * h->econ.goodput.efficiency;
}

/* the pick's modelled memory per GPU, GiB (--wide: against HBM or the
 * --hbm-headroom limit the header states) */
static void get_mem_gib(const struct tce_report *t, int i,
                        struct tce_report_value *v)
{
    v->d = row_of(t, i)->hit.eval.memory_bytes / TCE_GIB;
}

static void get_marks(const struct tce_report *t, int i,
                      struct tce_report_value *v)
{
    const struct tce_planning_row *r = row_of(t, i);

    snprintf(v->buf, sizeof(v->buf), "%s%s%s%s", r->cheapest ? "C" : "",
             r->fastest ? "F" : "", r->pareto ? "P" : "",
             r->meets_deadline ? "" : "!");
    v->s = v->buf;
}

static int found(const struct tce_report *t, int i)
{
    return row_of(t, i)->found;
}

static int not_found(const struct tce_report *t, int i)
{
    return !row_of(t, i)->found;
}

static void get_reason(const struct tce_report *t, int i,
                       struct tce_report_value *v)
{
    const struct tce_compare_report *rep = t->ctx;
    const char *why = rep->pl->offerings[row_of(t, i)->offering].why;

    v->s = why[0] ? why : "no layout fits at any scale tried";
}

static int has_budget(const struct tce_report *t, int i)
{
    return row_of(t, i)->has_budget;
}

static void sens_table(const struct tce_compare_report *rep,
                       struct tce_report *t);
static void budget_table(const struct tce_compare_report *rep,
                         struct tce_report *t);

static void result_sub(const struct tce_report *t, struct tce_report *out)
{
    const struct tce_compare_report *rep = t->ctx;

    tce_report_search_hits(out, &rep->pl->rows[0].hit,
                           sizeof(rep->pl->rows[0]), rep->pl->n_rows);
}

static void sens_sub(const struct tce_report *t, struct tce_report *out)
{
    sens_table(t->ctx, out);
}

static void budget_sub(const struct tce_report *t, struct tce_report *out)
{
    budget_table(t->ctx, out);
}

/* The job's own layout at the row's scale: own days / pick days - 1. */
static int has_own(const struct tce_report *r, int i)
{
    const struct tce_planning_row *x = &((const struct tce_planning_row *)
                                             r->rows)[i];

    return x->found && x->own_status == 1 && x->hit.econ.days_to_done > 0.0;
}

static void get_margin_vs_own(const struct tce_report *r, int i,
                              struct tce_report_value *v)
{
    const struct tce_planning_row *x = &((const struct tce_planning_row *)
                                             r->rows)[i];

    v->d = x->own.econ.days_to_done / x->hit.econ.days_to_done - 1.0;
}

#define OFF(member) offsetof(struct tce_planning_row, member)
#define ALL TCE_REPORT_ALL
#define HUM TCE_REPORT_HUMAN
#define JSN TCE_REPORT_JSON
#define CSV TCE_REPORT_CSV
#define INT TCE_REPORT_INT
#define DBL TCE_REPORT_DOUBLE
#define BOOL TCE_REPORT_BOOL
#define TEXT TCE_REPORT_TEXT
/* a member of the JSON row present when a layout was found */
#define JF(key_, type_, member)                                              \
    {.key = key_, .in = CSV | JSN, .type = type_, .offset = OFF(member),          \
     .when = found}

/* one row per offering and contract */
static const struct tce_report_column row_columns[] = {
    {.key = "topology_name", .json_key = "name", .group = "topology",
     .human = " offering", .fmt = "-17s", .sep = "", .in = ALL, .type = TEXT,
     .get = get_name},
    {.key = "topology_path", .json_key = "path", .group = "topology",
     .in = CSV | JSN, .type = TEXT, .get = get_path},
    {.key = "max_nodes", .group = "topology", .in = CSV | JSN, .type = INT,
     .get = get_max_nodes},
    {.key = "contract", .human = "contract", .fmt = "-16s", .in = ALL,
     .type = TEXT, .get = get_contract},
    {.key = "contract_kind", .in = CSV | JSN, .type = TEXT, .get = get_kind},
    {.key = "found", .in = CSV | JSN, .type = BOOL, .offset = OFF(found)},
    {.key = "reason", .in = CSV | JSN, .type = TEXT, .get = get_reason,
     .when = not_found},
    {.key = "result", .in = CSV | JSN, .sub = result_sub, .csv_prefix = "",
     .when = found},
    {.key = "gpus", .human = "gpus", .fmt = "6d", .as = TCE_REPORT_AS_COUNT,
     .in = HUM, .type = INT, .offset = OFF(hit.gpus)},
    {.key = "nodes", .human = "nodes", .fmt = "5d",
     .as = TCE_REPORT_AS_COUNT, .in = HUM, .type = INT,
     .offset = OFF(hit.econ.nodes)},
    {.key = "layout", .human = "layout", .fmt = "-38s", .in = HUM,
     .type = TEXT, .get = get_layout},
    {.key = "days_to_done", .human = "days", .fmt = "7.1f", .in = HUM,
     .type = DBL, .offset = OFF(hit.econ.days_to_done)},
    {.key = "cost_usd", .human = "cost", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = HUM, .type = DBL,
     .offset = OFF(hit.econ.bill.total_usd)},
    {.key = "failures_usd", .human = "failures", .fmt = "10s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(failures_usd), .when = found},
    {.key = "idle_usd", .human = "idle", .fmt = "10s",
     .as = TCE_REPORT_AS_USD, .in = HUM, .type = DBL,
     .offset = OFF(hit.econ.bill.idle_usd)},
    {.key = "usd_per_million_tokens", .human = "USD/Mtok", .fmt = "8.3f",
     .in = ALL, .type = DBL, .offset = OFF(usd_per_mtok), .when = found},
    {.key = "energy_mwh", .human = "MWh", .fmt = "6s",
     .as = TCE_REPORT_AS_SI, .in = HUM, .type = DBL,
     .offset = OFF(hit.econ.energy.facility_mwh), .part = 2},
    {.key = "tco2e", .human = "tCO2e", .fmt = "6s", .as = TCE_REPORT_AS_SI,
     .in = HUM, .type = DBL, .offset = OFF(hit.econ.energy.tco2e),
     .part = 2},
    {.key = "memory_gib_per_gpu", .human = "GiB", .fmt = "6.1f", .in = HUM,
     .type = DBL, .get = get_mem_gib, .part = 2},
    {.key = "effective_mfu", .human = "effMFU%", .fmt = "7.1f",
     .scale = 100.0, .in = HUM, .type = DBL, .get = get_eff_mfu},
    JF("meets_deadline", BOOL, meets_deadline),
    JF("cheapest", BOOL, cheapest),
    JF("fastest", BOOL, fastest),
    JF("pareto", BOOL, pareto),
    {.key = "marks", .human = "marks", .in = HUM, .type = TEXT,
     .get = get_marks},
    {.key = "margin_vs_own", .in = CSV | JSN, .type = DBL,
     .get = get_margin_vs_own, .when = has_own},
    {.key = "sensitivity", .in = CSV | JSN, .sub = sens_sub,
     .csv_prefix = "", .when = found},
    {.key = "budget", .in = CSV | JSN, .sub = budget_sub,
     .when = has_budget},
};

/* the +-10% table (a JSON "sensitivity" object per row) */
static const struct tce_report_column sens_columns[] = {
    {.key = "topology_name", .human = "offering", .fmt = "-16s", .in = HUM,
     .type = TEXT, .get = get_name},
    {.key = "contract", .human = "contract", .fmt = "-16s", .in = HUM,
     .type = TEXT, .get = get_contract},
    {.key = "cost_usd", .human = "cost", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = HUM, .type = DBL,
     .offset = OFF(hit.econ.bill.total_usd)},
    {.key = "cost_usd_price_minus_10pct", .human = "price-10%",
     .fmt = "11s", .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(sens.cost_price_lo)},
    {.key = "cost_usd_price_plus_10pct", .human = "price+10%",
     .fmt = "11s", .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(sens.cost_price_hi)},
    {.key = "cost_usd_mfu_minus_10pct", .human = "MFU-10%", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(sens.cost_mfu_lo)},
    {.key = "cost_usd_mfu_plus_10pct", .human = "MFU+10%", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(sens.cost_mfu_hi)},
    {.key = "days_mfu_minus_10pct", .human = " days_MFU-10%",
     .fmt = "12.1f", .in = ALL, .type = DBL,
     .offset = OFF(sens.days_mfu_lo)},
    {.key = "days_mfu_plus_10pct", .human = "days_MFU+10%", .fmt = "12.1f",
     .in = ALL, .type = DBL, .offset = OFF(sens.days_mfu_hi)},
};

/* what a budget buys (a JSON "budget" object per row); the last two only
 * with --chinchilla */
static const struct tce_report_column budget_columns[] = {
    {.key = "topology_name", .human = "offering", .fmt = "-16s", .in = HUM,
     .type = TEXT, .get = get_name},
    {.key = "contract", .human = "contract", .fmt = "-16s", .in = HUM,
     .type = TEXT, .get = get_contract},
    {.key = "gpus", .human = "gpus", .fmt = "6d", .as = TCE_REPORT_AS_COUNT,
     .in = ALL, .type = INT, .offset = OFF(budget.gpus)},
    {.key = "days", .human = "days", .fmt = "7.1f", .in = ALL, .type = DBL,
     .offset = OFF(budget.days)},
    {.key = "tokens", .human = "tokens", .fmt = "7s",
     .as = TCE_REPORT_AS_SI, .in = ALL, .type = DBL,
     .offset = OFF(budget.tokens)},
    {.key = "cost_usd", .human = "cost", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(budget.cost_usd)},
    {.key = "model_flops", .human = "model FLOP", .fmt = "10.3g",
     .in = ALL, .type = DBL,
     .offset = OFF(budget.flops)},
    {.key = "min_cost_usd", .in = CSV | JSN, .type = DBL,
     .offset = OFF(budget.min_cost_usd)},
    {.key = "chinchilla_params", .human = "chinchilla params",
     .fmt = "17s", .as = TCE_REPORT_AS_SI, .in = ALL, .type = DBL,
     .offset = OFF(budget.chinchilla_params)},
    {.key = "chinchilla_tokens", .human = "chinchilla tokens",
     .fmt = "17s", .as = TCE_REPORT_AS_SI, .in = ALL, .type = DBL,
     .offset = OFF(budget.chinchilla_tokens)},
};

#undef JF
#undef TEXT
#undef BOOL
#undef DBL
#undef INT
#undef CSV
#undef JSN
#undef HUM
#undef ALL
#undef OFF

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void table(const struct tce_compare_report *rep,
                  const struct tce_report_column *cols, int n,
                  const char *lead, struct tce_report *t)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->n_cols = n;
    t->rows = rep->pl->rows;
    t->row_size = sizeof(rep->pl->rows[0]);
    t->n_rows = rep->pl->n_rows;
    t->ctx = rep;
    t->row_lead = lead;
}

static void rows_table(const struct tce_compare_report *rep,
                       struct tce_report *t)
{
    table(rep, row_columns, COUNT(row_columns), "", t);
    t->schema = TCE_COMPARE_CSV_SCHEMA;
    t->human_part = rep->wide ? 0 : 1;
}

static void sens_table(const struct tce_compare_report *rep,
                       struct tce_report *t)
{
    table(rep, sens_columns, COUNT(sens_columns), "#", t);
}

static void budget_table(const struct tce_compare_report *rep,
                         struct tce_report *t)
{
    table(rep, budget_columns,
          COUNT(budget_columns) - (rep->pl->goal.chinchilla ? 0 : 2), "#", t);
}

/* What the cheapest answer rests on: its unconfirmed and estimated
 * inputs, the model's validation and whether the margin is within it. */
/* The cheapest row against the job's own layout at its scale and contract
 * (margin.h, scored by days to done): 1 and *e, *m filled when the own
 * layout was projected. */
static int own_margin(const struct tce_compare_report *rep,
                      const struct tce_planning_row *b,
                      struct tce_term_errors *e, struct tce_margin *m)
{
    memset(m, 0, sizeof(*m));
    if (rep->errors)
        *e = *rep->errors;
    else
        tce_term_errors_from_validation(rep->validation, e);
    if (b->own_status != 1)
        return 0;
    tce_margin_compare(&b->hit.eval.breakdown, b->hit.eval.iteration_s,
                       b->hit.econ.days_to_done, &b->own.eval.breakdown,
                       b->own.eval.iteration_s, b->own.econ.days_to_done,
                       b->own_is_pick, b->own.eval.fits_memory, e, m);
    return 1;
}

static void print_own(FILE *f, const struct tce_compare_report *rep,
                      const struct tce_planning_row *b)
{
    struct tce_term_errors e;
    struct tce_margin m;

    if (b->own_status < 0)
        return;
    own_margin(rep, b, &e, &m);
    tce_report_search_own_human(f, b->own_status, &b->own, &m, &e);
}

static void print_confidence(FILE *f, const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    const struct tce_planning_row *b = &pl->rows[pl->verdict.cheapest];
    const char *name = topo_name(pl, b->offering);
    struct tce_confidence_set conf;
    char buf[1024];
    int n;

    tce_confidence_of(&pl->offerings[b->offering].scenario->topo,
                      &b->contract, &conf);
    n = tce_confidence_describe(&conf, TCE_CONF_UNCONFIRMED, name, buf,
                                sizeof(buf));
    if (n > 0)
        fprintf(f, "# confidence: the cheapest rests on %s: %s\n",
                n > 1 ? "unconfirmed inputs" : "an unconfirmed input", buf);
    fprintf(f, "# confidence: the cheapest's inputs: %s\n",
            tce_confidence_summary(&conf, buf, sizeof(buf)));
    tce_report_search_tight_human(f, pl->goal.hbm_headroom, &b->hit,
                                  "the cheapest");
    print_own(f, rep, b);
    if (!rep->validation)
        return;
    fprintf(f, "# %s\n", rep->validation->line);
    if (rep->validation->held_out_line[0])
        fprintf(f, "# %s\n", rep->validation->held_out_line);
    if (pl->verdict.runner_up >= 0) {
        tce_validation_margin(rep->validation, pl->verdict.margin, buf,
                              sizeof(buf));
        fprintf(f, "# %s (cheapest vs runner-up)\n", buf);
    }
}

static void print_verdict(FILE *f, const struct tce_planning *pl)
{
    char b1[TCE_HUMANFMT_MAX], b2[TCE_HUMANFMT_MAX];
    const struct tce_planning_verdict *v = &pl->verdict;
    const struct tce_planning_row *b = &pl->rows[v->cheapest], *s;

    if (v->runner_up < 0) {
        fprintf(f,
                "# the cheapest, %s / %s, has no rival meeting the "
                "deadline\n",
                topo_name(pl, b->offering), b->contract.name);
        goto out;
    }
    s = &pl->rows[v->runner_up];
    fprintf(f,
            "# cheapest: %s / %s; the runner-up %s / %s costs %.1f%% "
            "more, so the answer holds unless the cheapest's price "
            "rises %.1f%% relative to it; with MFU -10%% the cheapest "
            "costs %s (%+.1f%%) and takes %.1f days\n",
            topo_name(pl, b->offering), b->contract.name,
            topo_name(pl, s->offering), s->contract.name, 100.0 * v->margin,
            100.0 * v->margin,
            tce_humanfmt_usd(b->sens.cost_mfu_lo, b1, sizeof(b1)),
            100.0 * (b->sens.cost_mfu_lo / b->hit.econ.bill.total_usd - 1.0),
            b->sens.days_mfu_lo);
    if (v->no_time_margin)
        fprintf(f,
                "# warning: with MFU -10%% the cheapest misses the "
                "%.0f-day deadline (%.1f days): it has no time "
                "margin\n",
                pl->goal.deadline_days, b->sens.days_mfu_lo);
    fprintf(f,
            "# worst case (cheapest at price +10%% and MFU -10%%: %s; "
            "runner-up at price -10%% and MFU +10%%: %s): %s\n",
            tce_humanfmt_usd(v->worst_usd, b1, sizeof(b1)),
            tce_humanfmt_usd(v->rival_usd, b2, sizeof(b2)),
            v->changes ? "the answer changes" : "the answer does not change");
out:
    return;
}

static void print_sensitivity(FILE *f, const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    struct tce_report t;
    int i;

    if (pl->verdict.cheapest < 0)
        goto out;
    fprintf(f, "# sensitivity (price and MFU +-10%%, one at a time):\n");
    sens_table(rep, &t);
    tce_report_human_header(f, &t);
    for (i = 0; i < pl->n_rows; i++)
        if (pl->rows[i].found)
            tce_report_human_row(f, &t, i);
    print_verdict(f, pl);
    print_confidence(f, rep);
out:
    return;
}

static void print_budget(FILE *f, const struct tce_compare_report *rep)
{
    char b1[TCE_HUMANFMT_MAX];
    const struct tce_planning *pl = rep->pl;
    struct tce_report t;
    int i;

    fprintf(f, "# what %s buys within %.0f days%s:\n",
            tce_humanfmt_usd(pl->goal.budget_usd, b1, sizeof(b1)),
            pl->horizon_days,
            pl->goal.deadline_days > 0.0 ? " (the deadline)"
                                         : " (no --deadline: one year)");
    budget_table(rep, &t);
    tce_report_human_header(f, &t);
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];

        if (!r->has_budget)
            continue;
        if (r->budget.tokens <= 0.0) {
            fprintf(f,
                    "# %-16s %-16s buys nothing: the smallest bill "
                    "is %s\n",
                    topo_name(pl, r->offering), r->contract.name,
                    tce_humanfmt_usd(r->budget.min_cost_usd, b1,
                                     sizeof(b1)));
            continue;
        }
        tce_report_human_row(f, &t, i);
    }
    fprintf(f, "# tokens at this job's model and layout; the budget "
               "pays the bill (commitments and whole terms included)\n");
}

void tce_report_compare_human(FILE *f, const struct tce_compare_report *rep)
{
    char b1[TCE_HUMANFMT_MAX];
    const struct tce_planning *pl = rep->pl;
    struct tce_report t;
    int i;

    fprintf(f, "# tcemu compare: job %s (%s), %s tokens\n", pl->job->name,
            rep->job_path,
            tce_humanfmt_si((double)pl->job->training.train_tokens, b1,
                            sizeof(b1)));
    for (i = 0; i < pl->n_offerings; i++) {
        const struct tce_topology *tp = &pl->offerings[i].scenario->topo;

        fprintf(f,
                "# offering %d: %s (%s), %s, on-demand USD %.2f per "
                "node-hour as of %s, capacity %s nodes\n",
                i + 1, tp->name, rep->topology_paths[i], tp->accelerator.name,
                tce_econ_on_demand_price(tp), tp->price.as_of,
                tce_humanfmt_count(tp->capacity.max_nodes, b1, sizeof(b1)));
    }
    if (pl->goal.deadline_days > 0.0)
        fprintf(f,
                "# scale: the cheapest candidate scale done within %.1f "
                "days (lead time + training with failures)\n",
                pl->goal.deadline_days);
    if (pl->goal.hbm_headroom > 0.0) {
        const struct tce_topology *topos[TCE_PLANNING_OFFERINGS_MAX];

        for (i = 0; i < pl->n_offerings; i++)
            topos[i] = &pl->offerings[i].scenario->topo;
        tce_report_search_headroom_human(f, pl->goal.hbm_headroom, topos,
                                         pl->n_offerings);
    }
    fprintf(f, "# searched %lld candidate layouts in %.2f s\n",
            (long long)pl->candidates, pl->search_s);
    fprintf(f,
            "# marks: C cheapest%s, F fastest, P Pareto front (days, "
            "cost), ! misses the deadline\n",
            pl->goal.deadline_days > 0.0 ? " meeting the deadline" : "");
    rows_table(rep, &t);
    t.human_part = rep->wide ? 0 : 1;
    tce_report_human_header(f, &t);
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];
        const char *why = pl->offerings[r->offering].why;
        int k, more = 0;

        if (r->found) {
            tce_report_human_row(f, &t, i);
            continue;
        }
        /* an offering that cannot run the job: once, naming the
         * contracts that follow it with the same answer */
        for (k = i + 1; k < pl->n_rows && !pl->rows[k].found &&
                        pl->rows[k].offering == r->offering;
             k++)
            more++;
        fprintf(f, "# %-16s %-16s %s%s\n", topo_name(pl, r->offering),
                r->contract.name, why[0] ? "cannot: " : "",
                why[0] ? why : "no layout fits at any scale tried");
        if (more > 0) {
            fprintf(f, "# %-16s %-16s the same for", "", "");
            for (k = i + 1; k <= i + more; k++)
                fprintf(f, "%s %s", k > i + 1 ? "," : "",
                        pl->rows[k].contract.name);
            fprintf(f, "\n");
        }
        i += more;
    }
    fprintf(f, "# units: days = lead time + training with failures; cost, "
               "failures (the bill's share caused by interruptions and "
               "checkpoints)\n# units: and idle (paid but unused: "
               "commitment, whole terms or days) in USD, k/M/B/T = 1e3/1e6/"
               "1e9/1e12 (raw USD in CSV/JSON);\n# units: effMFU%% = MFU x "
               "effective training fraction, percent (a fraction in "
               "CSV/JSON);\n# units: mbsz = micro-batch size, sel = selective "
               "recompute, do = distributed optimizer;\n# units: nodes whole nodes at the "
               "chosen scale (capacity above); --wide adds MWh, tCO2e and GiB "
               "(modelled memory per GPU)\n");
    print_sensitivity(f, rep);
    if (pl->goal.budget_usd > 0.0)
        print_budget(f, rep);
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology files); measured: none\n");
}

/* "verdict": the cheapest and what it rests on (null when none). */
static void verdict_json(struct tce_json *j,
                         const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    const struct tce_planning_row *b;
    struct tce_confidence_set conf;
    char buf[512];
    int i, within;

    if (pl->verdict.cheapest < 0) {
        tce_json_null(j, "verdict");
        return;
    }
    b = &pl->rows[pl->verdict.cheapest];
    tce_confidence_of(&pl->offerings[b->offering].scenario->topo,
                      &b->contract, &conf);
    tce_json_object_begin(j, "verdict");
    tce_json_string(j, "offering", topo_name(pl, b->offering));
    tce_json_string(j, "contract", b->contract.name);
    tce_confidence_json(j, "confidence", &conf);
    tce_json_array_begin(j, "unconfirmed");
    for (i = 0; i < conf.n; i++)
        if (conf.in[i].word == TCE_CONF_UNCONFIRMED) {
            snprintf(buf, sizeof(buf), "%s's %s: %s",
                     topo_name(pl, b->offering), conf.in[i].what,
                     conf.in[i].source);
            tce_json_string(j, NULL, buf);
        }
    tce_json_array_end(j);
    if (pl->verdict.runner_up >= 0)
        tce_json_double(j, "ranking_margin", pl->verdict.margin);
    else
        tce_json_null(j, "ranking_margin");
    if (b->own_status >= 0) {
        struct tce_term_errors e;
        struct tce_margin m;

        own_margin(rep, b, &e, &m);
        tce_report_search_own_json(j, "own_layout", b->own_status, &b->own,
                                   &m, &e);
    }
    if (rep->validation) {
        tce_validation_json(j, "validation", rep->validation);
        within = pl->verdict.runner_up >= 0
                     ? tce_validation_margin(rep->validation,
                                             pl->verdict.margin, buf,
                                             sizeof(buf))
                     : -1;
        if (within < 0)
            tce_json_null(j, "margin_within_error");
        else
            tce_json_bool(j, "margin_within_error", within);
    }
    tce_json_object_end(j);
}

void tce_report_compare_json(struct tce_json *j,
                             const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    struct tce_report t;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", TCE_COMPARE_JSON_SCHEMA);
    tce_json_string(j, "tcemu_version", rep->version);
    tce_json_object_begin(j, "job");
    tce_json_string(j, "name", pl->job->name);
    tce_json_string(j, "path", rep->job_path);
    tce_json_int(j, "train_tokens", pl->job->training.train_tokens);
    tce_json_object_end(j);
    if (pl->goal.deadline_days > 0.0)
        tce_json_double(j, "deadline_days", pl->goal.deadline_days);
    else
        tce_json_null(j, "deadline_days");
    if (pl->goal.budget_usd > 0.0) {
        tce_json_double(j, "budget_usd", pl->goal.budget_usd);
        tce_json_double(j, "budget_horizon_days", pl->horizon_days);
    } else {
        tce_json_null(j, "budget_usd");
    }
    tce_json_double(j, "hbm_headroom", pl->goal.hbm_headroom);
    rows_table(rep, &t);
    tce_report_json_rows(j, "offerings", &t);
    verdict_json(j, rep);
    tce_json_string(j, "figures", "modelled");
    tce_json_object_end(j);
    tce_json_finish(j);
}

void tce_report_compare_csv(FILE *f, const struct tce_compare_report *rep)
{
    struct tce_report t;

    rows_table(rep, &t);
    tce_report_csv(f, &t);
}
