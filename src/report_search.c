/*
 * report_search.c - a layout search as a human table and as JSON
 * (report_search.h).
 */
#include "tcemu/report_search.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static void print_hit_row(FILE *f, int rank, const struct tce_search_hit *h)
{
    fprintf(f,
            "%5d %7lld %3lld %3lld %3lld %3lld %3lld %6lld %3lld %5lld "
            "%-9s %4s %9.3f %6.3f %7.1f %8.1f %10.3f\n",
            rank, (long long)h->gpus, (long long)h->tp, (long long)h->pp,
            (long long)h->vpp, (long long)h->cp, (long long)h->ep,
            (long long)h->dp, (long long)h->micro_batch,
            (long long)h->microbatches, tce_recompute_name(h->recompute),
            h->distributed_optimizer ? "on" : "off", h->eval.iteration_s,
            h->eval.mfu, h->eval.memory_bytes / GIB, h->econ.days_to_done,
            h->econ.bill.total_usd / 1e6);
}

static void print_layout(FILE *f, const struct tce_search_hit *h)
{
    fprintf(f,
            "gpus=%lld tp=%lld pp=%lld vpp=%lld cp=%lld ep=%lld dp=%lld "
            "mb=%lld %s%s",
            (long long)h->gpus, (long long)h->tp, (long long)h->pp,
            (long long)h->vpp, (long long)h->cp, (long long)h->ep,
            (long long)h->dp, (long long)h->micro_batch,
            tce_recompute_name(h->recompute),
            h->distributed_optimizer ? " distopt" : "");
}

void tce_report_search_human(FILE *f, const struct tce_search_report *rep)
{
    const struct tce_search_opts *s = rep->opts;
    const struct tce_topology *t = rep->topo;
    const struct tce_contract *c = rep->contract;
    const struct tce_search_result *r = rep->result;
    const struct tce_search_hit *best = &r->top[0];
    int i;

    fprintf(f, "# tcemu search: job %s (%s) on %s (%s)\n", rep->job->name,
            rep->job_path, t->name, rep->topology_path);
    fprintf(f, "# gpus:");
    for (i = 0; i < s->n_gpus; i++)
        fprintf(f, " %lld", (long long)s->gpus[i]);
    fprintf(f, "; ranked by %s; contract %s (%.2f USD/node-hour%s%s)\n",
            s->by == TCE_SEARCH_BY_COST ? "cost" : "time to train", c->name,
            c->usd_per_node_hour, c->as_of[0] ? ", as of " : "", c->as_of);
    fprintf(f,
            "# candidates %lld: projected %lld, pruned %lld (shape cannot "
            "fit), invalid %lld, over memory %lld, fit %lld\n",
            (long long)r->candidates, (long long)r->projected,
            (long long)r->pruned, (long long)r->invalid, (long long)r->no_fit,
            (long long)r->fits);
    fprintf(f, "# search time %.3f s: %.0f candidates/s, %.0f projections/s\n",
            r->elapsed_s, r->candidates_per_s,
            r->elapsed_s > 0 ? (double)r->projected / r->elapsed_s : 0.0);
    fprintf(f, "# rank    gpus  tp  pp vpp  cp  ep     dp  mb     m recompute "
               "dopt    iter_s    mfu mem_GiB     days   cost_MUSD\n");
    for (i = 0; i < r->n_top; i++)
        print_hit_row(f, i + 1, &r->top[i]);
    fprintf(f,
            "# best: %.1f days to done (%.1f failure-free; %.2f "
            "interruptions/day, checkpoint every %.0f s, %.1f%% effective "
            "training time), %.1f M GPU-hours, %.2f M USD (%.2f M USD "
            "paid idle), %.3f USD per used GPU-hour, %.0f MWh, "
            "effective MFU %.3f\n",
            best->econ.days_to_done, best->ideal_days,
            best->econ.goodput.interruptions_per_day,
            best->econ.goodput.checkpoint_interval_s,
            100.0 * best->econ.goodput.efficiency,
            best->econ.accelerator_hours / 1e6, best->econ.bill.total_usd / 1e6,
            best->econ.bill.idle_usd / 1e6,
            best->econ.bill.usd_per_used_accelerator_hour,
            best->econ.energy.facility_mwh,
            best->eval.mfu * best->econ.goodput.efficiency);
    if (r->n_explained > 0)
        fprintf(f, "# why the first rejected alternatives lost to #1:\n");
    for (i = 0; i < r->n_explained; i++) {
        const struct tce_search_reject *x = &r->explained[i];

        fprintf(f, "#   ");
        print_layout(f, &x->hit);
        if (x->reason == TCE_SEARCH_LOST_MEMORY)
            fprintf(f,
                    ": memory (%.1f GiB > %.1f GiB HBM; it would take "
                    "%.1f days)\n",
                    x->hit.eval.memory_bytes / GIB,
                    x->hit.eval.capacity_bytes / GIB, x->hit.econ.days_to_done);
        else if (x->reason == TCE_SEARCH_LOST_COST)
            fprintf(f, ": cost (%.2f M USD vs %.2f M USD, %.1f days)\n",
                    x->hit.econ.bill.total_usd / 1e6,
                    best->econ.bill.total_usd / 1e6, x->hit.econ.days_to_done);
        else
            fprintf(f, ": %s (+%.3f s per iteration; %.3f s vs %.3f s)\n",
                    tce_search_reason_name(x->reason), x->delta_s,
                    x->hit.eval.iteration_s, best->eval.iteration_s);
    }
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology file); measured: none\n");
}

void tce_report_search_hit_json(struct tce_json *j, const char *key,
                                const struct tce_search_hit *h)
{
    const struct tce_econ *e = &h->econ;

    tce_json_object_begin(j, key);
    tce_json_int(j, "gpus", h->gpus);
    tce_json_object_begin(j, "layout");
    tce_json_int(j, "tp", h->tp);
    tce_json_int(j, "pp", h->pp);
    tce_json_int(j, "vpp", h->vpp);
    tce_json_int(j, "cp", h->cp);
    tce_json_int(j, "ep", h->ep);
    tce_json_int(j, "dp", h->dp);
    tce_json_int(j, "micro_batch_size", h->micro_batch);
    tce_json_int(j, "microbatches", h->microbatches);
    tce_json_string(j, "recompute", tce_recompute_name(h->recompute));
    tce_json_bool(j, "distributed_optimizer", h->distributed_optimizer);
    tce_json_bool(j, "sequence_parallel", h->sequence_parallel);
    tce_json_object_end(j);
    tce_json_double(j, "iteration_s", h->eval.iteration_s);
    /* The breakdown object of tcemu.project/1, plus the exposed total. */
    tce_projector_breakdown_json(j, "breakdown_s", &h->eval.breakdown);
    tce_json_double(j, "exposed_comm_s", h->eval.exposed_comm_s);
    tce_json_double(j, "tokens_per_s", h->eval.tokens_per_s);
    tce_json_double(j, "model_tflops_per_gpu", h->eval.model_tflops_per_gpu);
    tce_json_double(j, "hardware_tflops_per_gpu",
                    h->eval.hardware_tflops_per_gpu);
    tce_json_double(j, "mfu", h->eval.mfu);
    tce_json_double(j, "hfu", h->eval.hfu);
    tce_json_double(j, "effective_mfu", h->eval.mfu * e->goodput.efficiency);
    tce_json_double(j, "memory_gib_per_gpu",
                    h->eval.memory_bytes / (1024.0 * 1024.0 * 1024.0));
    tce_json_bool(j, "fits_memory", h->eval.fits_memory);
    tce_json_double(j, "ideal_days", h->ideal_days);
    tce_json_double(j, "time_to_train_days", e->train_days);
    tce_json_double(j, "days_to_done", e->days_to_done);
    tce_json_double(j, "gpu_hours", e->accelerator_hours);
    tce_json_double(j, "cost_usd", e->bill.total_usd);
    tce_json_double(j, "idle_usd", e->bill.idle_usd);
    tce_json_double(j, "idle_node_hours", e->bill.idle_node_hours);
    tce_json_double(j, "usd_per_used_gpu_hour",
                    e->bill.usd_per_used_accelerator_hour);
    tce_json_object_begin(j, "failures");
    tce_json_double(j, "interruptions_per_day",
                    e->goodput.interruptions_per_day);
    tce_json_double(j, "checkpoint_write_s", e->goodput.checkpoint_write_s);
    tce_json_double(j, "checkpoint_interval_s",
                    e->goodput.checkpoint_interval_s);
    tce_json_double(j, "lost_per_interruption_s",
                    e->goodput.lost_per_interruption_s);
    tce_json_double(j, "effective_training_fraction", e->goodput.efficiency);
    tce_json_object_end(j);
    tce_json_double(j, "energy_mwh", e->energy.facility_mwh);
    tce_json_double(j, "electricity_usd", e->energy.electricity_usd);
    tce_json_double(j, "tco2e", e->energy.tco2e);
    tce_json_object_end(j);
}

void tce_report_search_json(struct tce_json *j,
                            const struct tce_search_report *rep)
{
    const struct tce_search_opts *s = rep->opts;
    const struct tce_search_result *r = rep->result;
    int i;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", "tcemu.search/1");
    tce_json_string(j, "version", rep->version);
    tce_json_string(j, "topology", rep->topology_path);
    tce_json_string(j, "topology_name", rep->topo->name);
    tce_json_string(j, "job", rep->job_path);
    tce_json_string(j, "job_name", rep->job->name);
    tce_json_string(j, "by", s->by == TCE_SEARCH_BY_COST ? "cost" : "time");
    tce_json_string(j, "contract", rep->contract->name);
    tce_json_array_begin(j, "gpus");
    for (i = 0; i < s->n_gpus; i++)
        tce_json_int(j, NULL, s->gpus[i]);
    tce_json_array_end(j);
    tce_json_object_begin(j, "search");
    tce_json_int(j, "candidates", r->candidates);
    tce_json_int(j, "projected", r->projected);
    tce_json_int(j, "pruned", r->pruned);
    tce_json_int(j, "invalid", r->invalid);
    tce_json_int(j, "over_memory", r->no_fit);
    tce_json_int(j, "fit", r->fits);
    tce_json_double(j, "elapsed_s", r->elapsed_s);
    tce_json_double(j, "candidates_per_s", r->candidates_per_s);
    tce_json_object_end(j);
    tce_json_array_begin(j, "results");
    for (i = 0; i < r->n_top; i++)
        tce_report_search_hit_json(j, NULL, &r->top[i]);
    tce_json_array_end(j);
    tce_json_array_begin(j, "rejected");
    for (i = 0; i < r->n_explained; i++) {
        tce_json_object_begin(j, NULL);
        tce_json_string(j, "reason",
                        tce_search_reason_name(r->explained[i].reason));
        tce_json_double(j, "delta", r->explained[i].delta_s);
        tce_report_search_hit_json(j, "candidate", &r->explained[i].hit);
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
    tce_json_string(j, "measured", "none");
    tce_json_string(j, "modelled", "all");
    tce_json_object_end(j);
    tce_json_finish(j);
}

void tce_report_search_progress(FILE *f, const struct tce_search_result *r)
{
    fprintf(f, "tcemu search: %lld candidates in %.3f s (%.0f/s)\n",
            (long long)r->candidates, r->elapsed_s, r->candidates_per_s);
}

void tce_report_search_hints(FILE *f, int64_t want,
                             const struct tce_search_hit *h, int n)
{
    int i;

    for (i = 0; i < n; i++)
        fprintf(f,
                "tcemu: hint: %lld GPUs fit (tp %lld pp %lld cp %lld dp "
                "%lld, %.1f days)\n",
                (long long)h[i].gpus, (long long)h[i].tp, (long long)h[i].pp,
                (long long)h[i].cp, (long long)h[i].dp, h[i].econ.days_to_done);
    if (n == 0)
        fprintf(f,
                "tcemu: hint: no GPU count within 25%% of %lld has "
                "a layout that fits\n",
                (long long)want);
}
