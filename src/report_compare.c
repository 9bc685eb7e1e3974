/*
 * report_compare.c - a capacity-planning comparison as a human table and
 * as JSON (report_compare.h).
 */
#include "tcemu/report_compare.h"

#include "tcemu/report_search.h"

static const char *topo_name(const struct tce_planning *pl, int offering)
{
    return pl->offerings[offering].scenario->topo.name;
}

static void layout_str(const struct tce_search_hit *h, char *buf, size_t n)
{
    snprintf(buf, n, "tp%lld pp%lld v%lld cp%lld ep%lld dp%lld mb%lld %s%s",
             (long long)h->tp, (long long)h->pp, (long long)h->vpp,
             (long long)h->cp, (long long)h->ep, (long long)h->dp,
             (long long)h->micro_batch, tce_recompute_name(h->recompute),
             h->distributed_optimizer ? " do" : "");
}

static void print_verdict(FILE *f, const struct tce_planning *pl)
{
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
            "costs %.2f M USD (%+.1f%%) and takes %.1f days\n",
            topo_name(pl, b->offering), b->contract.name,
            topo_name(pl, s->offering), s->contract.name, 100.0 * v->margin,
            100.0 * v->margin, b->sens.cost_mfu_lo / 1e6,
            100.0 * (b->sens.cost_mfu_lo / b->hit.econ.bill.total_usd - 1.0),
            b->sens.days_mfu_lo);
    if (v->no_time_margin)
        fprintf(f,
                "# warning: with MFU -10%% the cheapest misses the "
                "%.0f-day deadline (%.1f days): it has no time "
                "margin\n",
                pl->goal.deadline_days, b->sens.days_mfu_lo);
    fprintf(f,
            "# worst case (cheapest at price +10%% and MFU -10%%: %.2f M "
            "USD; runner-up at price -10%% and MFU +10%%: %.2f M USD): "
            "%s\n",
            v->worst_usd / 1e6, v->rival_usd / 1e6,
            v->changes ? "the answer changes" : "the answer does not change");
out:
    return;
}

static void print_sensitivity(FILE *f, const struct tce_planning *pl)
{
    int i;

    if (pl->verdict.cheapest < 0)
        goto out;
    fprintf(f, "# sensitivity (price and MFU +-10%%, one at a time):\n");
    fprintf(f, "# offering             contract              cost_MUSD "
               "price-10%% price+10%%  MFU-10%%  MFU+10%%  days_MFU-10%% "
               "days_MFU+10%%\n");
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];

        if (!r->found)
            continue;
        fprintf(f,
                "# %-20s %-20s %10.2f %9.2f %9.2f %8.2f %8.2f %12.1f "
                "%12.1f\n",
                topo_name(pl, r->offering), r->contract.name,
                r->hit.econ.bill.total_usd / 1e6, r->sens.cost_price_lo / 1e6,
                r->sens.cost_price_hi / 1e6, r->sens.cost_mfu_lo / 1e6,
                r->sens.cost_mfu_hi / 1e6, r->sens.days_mfu_lo,
                r->sens.days_mfu_hi);
    }
    print_verdict(f, pl);
out:
    return;
}

static void print_budget(FILE *f, const struct tce_planning *pl)
{
    int i;

    fprintf(f, "# what %.4g USD buys within %.0f days%s:\n",
            pl->goal.budget_usd, pl->horizon_days,
            pl->goal.deadline_days > 0.0 ? " (the deadline)"
                                         : " (no --deadline: one year)");
    fprintf(f,
            "# offering             contract              gpus    "
            "days  tokens_T   cost_MUSD  model_PFLOP%s\n",
            pl->goal.chinchilla ? "  chinchilla_params_B chinchilla_tokens_T"
                                : "");
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];

        if (!r->has_budget)
            continue;
        if (r->budget.tokens <= 0.0) {
            fprintf(f,
                    "# %-20s %-20s buys nothing: the smallest bill "
                    "is %.2f M USD\n",
                    topo_name(pl, r->offering), r->contract.name,
                    r->budget.min_cost_usd / 1e6);
            continue;
        }
        fprintf(f, "# %-20s %-20s %6lld %7.1f %9.3f %11.2f %12.4g",
                topo_name(pl, r->offering), r->contract.name,
                (long long)r->budget.gpus, r->budget.days,
                r->budget.tokens / 1e12, r->budget.cost_usd / 1e6,
                r->budget.flops / 1e15);
        if (pl->goal.chinchilla)
            fprintf(f, " %20.1f %19.3f", r->budget.chinchilla_params / 1e9,
                    r->budget.chinchilla_tokens / 1e12);
        fprintf(f, "\n");
    }
    fprintf(f, "# tokens at this job's model and layout; the budget "
               "pays the bill (commitments and whole terms included)\n");
}

void tce_report_compare_human(FILE *f, const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    char lay[128];
    int i;

    fprintf(f, "# tcemu compare: job %s (%s), %.3g tokens\n", pl->job->name,
            rep->job_path, (double)pl->job->training.train_tokens);
    for (i = 0; i < pl->n_offerings; i++) {
        const struct tce_topology *t = &pl->offerings[i].scenario->topo;

        fprintf(f,
                "# offering %d: %s (%s), %s, on-demand %.2f USD/node-h "
                "as of %s\n",
                i + 1, t->name, rep->topology_paths[i], t->accelerator.name,
                tce_econ_on_demand_price(t), t->price.as_of);
    }
    if (pl->goal.deadline_days > 0.0)
        fprintf(f,
                "# scale: the cheapest candidate scale done within %.1f "
                "days (lead time + training with failures)\n",
                pl->goal.deadline_days);
    fprintf(f, "# searched %lld candidate layouts in %.2f s\n",
            (long long)pl->candidates, pl->search_s);
    fprintf(f,
            "# marks: C cheapest%s, F fastest, P Pareto front (days, "
            "cost), ! misses the deadline\n",
            pl->goal.deadline_days > 0.0 ? " meeting the deadline" : "");
    fprintf(f, "# offering             contract              gpus layout"
               "                                    days   cost_MUSD "
               "failures_MUSD idle_MUSD USD/Mtok  energy_MWh  tCO2e  eff_MFU "
               "marks\n");
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];
        const struct tce_econ *e = &r->hit.econ;

        if (!r->found) {
            fprintf(f, "# %-20s %-20s no layout fits at any scale tried\n",
                    topo_name(pl, r->offering), r->contract.name);
            continue;
        }
        layout_str(&r->hit, lay, sizeof(lay));
        fprintf(f,
                "%-22s %-20s %6lld %-38s %7.1f %11.2f %13.2f %9.2f %8.3f "
                "%11.0f %6.0f %8.3f %s%s%s%s\n",
                topo_name(pl, r->offering), r->contract.name,
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
    print_sensitivity(f, pl);
    if (pl->goal.budget_usd > 0.0)
        print_budget(f, pl);
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology files); measured: none\n");
}

static void row_json(struct tce_json *j, const struct tce_compare_report *rep,
                     const struct tce_planning_row *r)
{
    const struct tce_planning *pl = rep->pl;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "topology", rep->topology_paths[r->offering]);
    tce_json_string(j, "topology_name", topo_name(pl, r->offering));
    tce_json_string(j, "contract", r->contract.name);
    tce_json_string(j, "contract_kind",
                    tce_contract_kind_name(r->contract.kind));
    tce_json_bool(j, "found", r->found);
    if (r->found) {
        tce_report_search_hit_json(j, "result", &r->hit);
        tce_json_double(j, "failures_usd", r->failures_usd);
        tce_json_double(j, "usd_per_million_tokens", r->usd_per_mtok);
        tce_json_bool(j, "meets_deadline", r->meets_deadline);
        tce_json_bool(j, "cheapest", r->cheapest);
        tce_json_bool(j, "fastest", r->fastest);
        tce_json_bool(j, "pareto", r->pareto);
        tce_json_object_begin(j, "sensitivity");
        tce_json_double(j, "cost_usd_price_minus_10pct", r->sens.cost_price_lo);
        tce_json_double(j, "cost_usd_price_plus_10pct", r->sens.cost_price_hi);
        tce_json_double(j, "cost_usd_mfu_minus_10pct", r->sens.cost_mfu_lo);
        tce_json_double(j, "cost_usd_mfu_plus_10pct", r->sens.cost_mfu_hi);
        tce_json_double(j, "days_mfu_minus_10pct", r->sens.days_mfu_lo);
        tce_json_double(j, "days_mfu_plus_10pct", r->sens.days_mfu_hi);
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
        if (pl->goal.chinchilla) {
            tce_json_double(j, "chinchilla_params",
                            r->budget.chinchilla_params);
            tce_json_double(j, "chinchilla_tokens",
                            r->budget.chinchilla_tokens);
        }
        tce_json_object_end(j);
    }
    tce_json_object_end(j);
}

void tce_report_compare_json(struct tce_json *j,
                             const struct tce_compare_report *rep)
{
    const struct tce_planning *pl = rep->pl;
    int i;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", "tcemu.compare/1");
    tce_json_string(j, "version", rep->version);
    tce_json_string(j, "job", rep->job_path);
    tce_json_string(j, "job_name", pl->job->name);
    tce_json_int(j, "train_tokens", pl->job->training.train_tokens);
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
    tce_json_array_begin(j, "offerings");
    for (i = 0; i < pl->n_rows; i++)
        row_json(j, rep, &pl->rows[i]);
    tce_json_array_end(j);
    tce_json_string(j, "measured", "none");
    tce_json_string(j, "modelled", "all");
    tce_json_object_end(j);
    tce_json_finish(j);
}
