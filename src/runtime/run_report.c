/* run_report.c - tcemu run: header, table, busy time per class, summary, JSON
 * (run.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/json.h"
#include "tcemu/output.h"

#include "run.h"

void tce_run_print_header(const struct run *r, FILE *out, int argc, char **argv,
                          const char *hosts)
{
    const struct tce_layout *l = &r->sc.layout;

    tce_rt_print_header(r->rt, out, argc, argv, hosts);
    fprintf(out, "# topology: %s (%s)\n", r->o.topo_path, r->sc.topo.name);
    if (r->o.cal_path)
        fprintf(out,
                "# calibration: %s (measured %s on %s, %" PRId64
                " ranks): modelled link parameters are the fitted ones\n",
                r->o.cal_path, r->sc.calibration.date, r->sc.calibration.hosts, r->sc.calibration.ranks);
    if (r->sc.cm.linkcal.n > 0) { /* links: which patterns price it */
        struct tce_cost_linkcal_cover cv;
        char text[400];

        tce_cost_linkcal_cover(&r->sc.cm, &r->plan, r->sc.spans, &cv);
        tce_cost_linkcal_cover_text(&cv, text, sizeof(text));
        fprintf(out, "# %s\n", text);
    }
    fprintf(out, "# job: %s (%s)\n", r->o.job_path, r->sc.job.name);
    fprintf(out,
            "# layout: tp %" PRId64 " cp %" PRId64 " dp %" PRId64 " ep %" PRId64
            " pp %" PRId64 " vpp %" PRId64 "; %" PRId64
            " microbatches of %" PRId64 "; schedule %s\n",
            l->tp, l->cp, l->dp, l->ep, l->pp, l->vpp, l->microbatches,
            l->micro_batch, l->vpp > 1 ? "interleaved 1F1B" : "1F1B");
    fprintf(out,
            "# iterations: %" PRId64 " measured after %" PRId64
            " warm-up; iteration time = max over ranks\n",
            r->o.iterations, r->o.warmup);
    fprintf(out,
            "# compute: emulated by waiting modelled time x time-scale "
            "%g (not executed)\n",
            r->o.time_scale);
    if (r->sleep_wait)
        fprintf(out, "# waiting: ranks outnumber a machine's cores: a rank "
                     "waits asleep for its group's members before each "
                     "blocking collective, instead of polling cores the "
                     "others need\n");
    if (r->byte_scale < 1.0)
        fprintf(out,
                "# byte scale: %.6g: every message is scaled by this factor "
                "to fit --max-buffer; 'bytes' are the bytes moved, "
                "'modeled' is for the bytes moved\n",
                r->byte_scale);
    else
        fprintf(out, "# byte scale: 1 (real message sizes)\n");
    if (r->o.routing_skew > 0 && r->a2a_skew == r->o.routing_skew)
        fprintf(out,
                "# routing skew: %g (hottest EP rank receives %gx its "
                "share)\n",
                r->o.routing_skew, 1.0 + r->o.routing_skew);
    else if (r->o.routing_skew > 0)
        fprintf(out,
                "# routing skew: %g asked, %g carried (the job's expert "
                "capacity: %s; hottest EP rank receives %gx its share)\n",
                r->o.routing_skew, r->a2a_skew,
                r->sc.job.training.moe_pad_expert_input_to_capacity
                    ? "padded to it, every split the same"
                    : "tokens beyond it dropped",
                1.0 + r->a2a_skew);
    fprintf(out,
            "# measured: wall time on these ranks (min/avg/max over ranks of "
            "each rank's mean per execution); modeled: cost model for "
            "topology %s; GB/s = 1e9 B/s\n",
            r->sc.topo.name);
    fprintf(out, "# (rc): recomputed forward op; (ov): overlapped op "
                 "(post to completion)\n");
    fprintf(
        out,
        "# recv: includes waiting for the sending stage (pipeline "
        "bubble); send: time to post MPI_Isend (no bandwidth); "
        "overlapped ops (DP buckets; TP, CP marked overlap compute): post to "
        "completion\n");
}

void tce_run_print_table(const struct run *r, const struct tce_plan *last,
                         const struct results *res, FILE *out)
{
    const struct tce_runstats *cs = &res->cs;
    struct class_desc d;
    char name[128];
    double avg, algbw, busbw;
    int i;

    fprintf(out, "#\n# %-34s %-14s %-5s %12s %8s %10s %10s %10s %10s %9s %9s\n",
            "op", "kind", "group", "bytes", "count", "min", "avg", "max",
            "modeled", "algbw", "busbw");
    fprintf(out, "# %-34s %-14s %-5s %12s %8s %10s %10s %10s %10s %9s %9s\n",
            "", "", "", "(B)", "(/iter)", "(us)", "(us)", "(us)", "(us)",
            "(GB/s)", "(GB/s)");
    for (i = 0; i < N_CLASSES; i++) {
        if (!tce_runstats_ran(cs, i))
            continue;
        tce_run_describe(r, last, i, &d);
        avg = tce_runstats_avg_s(cs, i);
        snprintf(name, sizeof(name), "%s.%s%s%s", tce_run_class_list(i), d.name,
                 d.recompute ? "(rc)" : "", d.overlapped ? "(ov)" : "");
        if (d.bw_valid) {
            algbw = tce_coll_algbw_gbytes_per_s(cs->bytes[i], avg);
            busbw = tce_coll_busbw_gbytes_per_s(d.bw, d.group_size,
                                                cs->bytes[i], avg);
            fprintf(out,
                    "  %-34s %-14s %-5s %12.0f %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9.3f %9.3f\n",
                    name, d.kind, d.group, cs->bytes[i], cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, algbw, busbw);
        } else if (d.comm) {
            fprintf(out,
                    "  %-34s %-14s %-5s %12.0f %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9s %9s\n",
                    name, d.kind, d.group, cs->bytes[i], cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, "-", "-");
        } else if (i == CLS_WAIT_PARAM) {
            fprintf(out,
                    "  %-34s %-14s %-5s %12s %8.0f %10.1f %10.1f %10.1f "
                    "%10s %9s %9s\n",
                    name, d.kind, d.group, "-", cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6, "-", "-",
                    "-");
        } else {
            fprintf(out,
                    "  %-34s %-14s %-5s %12s %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9s %9s\n",
                    name, d.kind, d.group, "-", cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, "-", "-");
        }
    }
}

static const char *const charge_names[TCE_CHARGE_COUNT] = {
    [TCE_CHARGE_COMPUTE] = "compute",
    [TCE_CHARGE_TP] = "tp",
    [TCE_CHARGE_CP] = "cp",
    [TCE_CHARGE_EP] = "ep",
    [TCE_CHARGE_DP] = "dp",
    [TCE_CHARGE_PP] = "pp+wait",
    [TCE_CHARGE_OPTIMIZER] = "optimizer",
};

/* Busy time per iteration and rank by charge (runstats.h): sends are not
 * counted (posting only), compute is modelled x time-scale (as emulated);
 * receives wait for the other stages: compared with p2p + bubble. */
static void charge_totals(const struct run *r, const struct tce_plan *last,
                          const struct results *res,
                          struct tce_runstats_charges *t)
{
    int *charge = calloc(N_CLASSES, sizeof(*charge));
    double *scale = calloc(N_CLASSES, sizeof(*scale));
    struct class_desc d;
    int i;

    memset(t, 0, sizeof(*t));
    if (!charge || !scale)
        goto out;
    for (i = 0; i < N_CLASSES; i++) {
        charge[i] = TCE_CHARGE_NONE;
        scale[i] = 1.0;
        if (i >= N_PLAN_CLASSES || !tce_runstats_ran(&res->cs, i))
            continue;
        tce_run_describe(r, last, i, &d);
        if (d.op_kind == TCE_OP_SEND)
            continue;
        charge[i] = d.charge;
        scale[i] = d.comm ? 1.0 : r->o.time_scale;
    }
    tce_runstats_charge_totals(&res->cs, charge, scale,
                               r->have_proj ? r->proj.breakdown.pp_bubble_s
                                            : 0.0,
                               t);
out:
    free(charge);
    free(scale);
}

void tce_run_print_charges(const struct run *r, const struct tce_plan *last,
                           const struct results *res, FILE *out)
{
    struct tce_runstats_charges t;
    int c;

    charge_totals(r, last, res, &t);
    fprintf(out, "# busy time per iteration and rank by class (sum over ops of "
                 "count x avg; overlapped ops in full; pp recv includes the "
                 "bubble, modelled as p2p + bubble; compute modelled x "
                 "time-scale):\n");
    for (c = 0; c < TCE_CHARGE_COUNT; c++) {
        if (t.measured_s[c] <= 0 && t.modeled_s[c] <= 0)
            continue;
        fprintf(out,
                "#   %-10s measured %10.6f s   modeled %10.6f s   "
                "ratio %6.2f\n",
                charge_names[c], t.measured_s[c], t.modeled_s[c],
                tce_runstats_ratio(t.measured_s[c], t.modeled_s[c]));
    }
}

void tce_run_print_summary(const struct run *r, const struct results *res,
                           const char *hosts, FILE *out)
{
    if (r->stopped)
        fprintf(out,
                "# INCOMPLETE: stopped by signal %d after %" PRId64
                " of %" PRId64 " measured iterations\n",
                r->stopped, r->measured, r->o.iterations);
    if (r->measured == 0) {
        fprintf(out, "# iteration time (s, max over ranks): none measured "
                     "(stopped before the first measured iteration)\n");
    } else {
        fprintf(out,
                "# iteration time (s, max over ranks): min %.6f avg %.6f max "
                "%.6f\n",
                res->iter.min, tce_stats_avg(&res->iter), res->iter.max);
        fprintf(out, "# slowest rank: %d (%s), mean iteration %.6f s\n",
                res->slowest_rank,
                hosts ? hosts + (size_t)res->slowest_rank * TCE_RT_HOST_MAX
                      : "?",
                res->slowest_avg_s);
    }
    if (r->have_proj)
        fprintf(out,
                "# modeled iteration (projector, topology %s, compute at "
                "time-scale 1): %.6f s = compute %.6f + tp %.6f + cp %.6f "
                "+ ep %.6f + dp %.6f + pp bubble %.6f + pp p2p %.6f + "
                "optimizer %.6f\n",
                r->sc.topo.name, r->proj.iteration_s, r->proj.breakdown.compute_s,
                r->proj.breakdown.tp_exposed_s, r->proj.breakdown.cp_exposed_s,
                r->proj.breakdown.ep_exposed_s, r->proj.breakdown.dp_exposed_s,
                r->proj.breakdown.pp_bubble_s, r->proj.breakdown.pp_p2p_s,
                r->proj.breakdown.optimizer_s);
    fprintf(out, "# byte scale: %.6g\n", r->byte_scale);
}

static void json_measured(struct tce_json *j, const char *key, double min,
                          double avg, double max)
{
    tce_json_object_begin(j, key);
    tce_json_double(j, "min", min);
    tce_json_double(j, "avg", avg);
    tce_json_double(j, "max", max);
    tce_json_object_end(j);
}

int tce_run_write_json(const struct run *r, const struct tce_plan *last,
                       const struct results *res, int argc, char **argv,
                       const char *hosts, const int *nodes,
                       struct tce_error *err)
{
    const struct tce_runstats *cs = &res->cs;
    const struct tce_layout *l = &r->sc.layout;
    struct class_desc d;
    struct tce_output o;
    struct tce_json j;
    double avg;
    int i, rc;

    rc = tce_output_open(&o, r->o.json_path, err);
    if (rc)
        return rc;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.run/2");
    tce_rt_json_header(r->rt, &j, argc, argv, hosts, nodes);
    tce_json_object_begin(&j, "topology");
    tce_json_string(&j, "name", r->sc.topo.name);
    tce_json_string(&j, "path", r->sc.topo.path);
    tce_json_object_end(&j);
    tce_json_object_begin(&j, "job");
    tce_json_string(&j, "name", r->sc.job.name);
    tce_json_string(&j, "path", r->sc.job.path);
    tce_json_object_end(&j);
    if (r->o.cal_path)
        tce_json_string(&j, "calibration", r->o.cal_path);
    else
        tce_json_null(&j, "calibration");
    if (r->sc.cm.linkcal.n > 0) { /* links: which patterns price it */
        struct tce_cost_linkcal_cover cv;

        tce_cost_linkcal_cover(&r->sc.cm, &r->plan, r->sc.spans, &cv);
        tce_json_object_begin(&j, "link_entries");
        tce_json_int(&j, "entries", cv.entries);
        tce_json_int(&j, "exact", cv.exact);
        tce_json_int(&j, "shape", cv.shape);
        tce_json_int(&j, "none", cv.none);
        tce_json_string(&j, "first_unmatched", cv.none_what);
        tce_json_int(&j, "outside", cv.outside);
        tce_json_string(&j, "first_outside", cv.outside_what);
        tce_json_object_end(&j);
    }
    tce_json_object_begin(&j, "layout");
    tce_json_int(&j, "tp", l->tp);
    tce_json_int(&j, "cp", l->cp);
    tce_json_int(&j, "dp", l->dp);
    tce_json_int(&j, "ep", l->ep);
    tce_json_int(&j, "pp", l->pp);
    tce_json_int(&j, "vpp", l->vpp);
    tce_json_int(&j, "microbatches", l->microbatches);
    tce_json_int(&j, "micro_batch", l->micro_batch);
    tce_json_string(&j, "schedule", l->vpp > 1 ? "interleaved" : "1f1b");
    tce_json_object_end(&j);
    tce_json_int(&j, "iterations", r->measured);
    tce_json_int(&j, "iterations_measured", r->measured);
    tce_json_int(&j, "iterations_requested", r->o.iterations);
    tce_json_bool(&j, "complete", !r->stopped);
    if (r->stopped)
        tce_json_int(&j, "stopped_by_signal", r->stopped);
    tce_json_int(&j, "warmup", r->o.warmup);
    tce_json_double(&j, "time_scale", r->o.time_scale);
    tce_json_double(&j, "routing_skew", r->o.routing_skew);
    tce_json_double(&j, "routing_skew_carried", r->a2a_skew);
    tce_json_bool(&j, "arrival_wait_asleep", r->sleep_wait);
    tce_json_double(&j, "byte_scale", r->byte_scale);
    if (r->measured > 0) /* else no iteration was measured: null */
        json_measured(&j, "iteration_s", res->iter.min,
                      tce_stats_avg(&res->iter), res->iter.max);
    else
        tce_json_null(&j, "iteration_s");
    if (r->have_proj) {
        const struct tce_breakdown *b = &r->proj.breakdown;

        tce_json_double(&j, "modelled_iteration_s", r->proj.iteration_s);
        tce_projector_breakdown_json(&j, "modelled_breakdown_s", b);
    } else {
        tce_json_null(&j, "modelled_iteration_s");
    }
    if (r->measured > 0) {
        tce_json_object_begin(&j, "slowest_rank");
        tce_json_int(&j, "rank", res->slowest_rank);
        tce_json_string(&j, "host", hosts ? hosts + (size_t)res->slowest_rank *
                                                        TCE_RT_HOST_MAX
                                          : "");
        tce_json_double(&j, "iteration_s", res->slowest_avg_s);
        tce_json_object_end(&j);
    } else {
        tce_json_null(&j, "slowest_rank");
    }
    {
        struct tce_runstats_charges t;
        int c;

        charge_totals(r, last, res, &t);
        tce_json_array_begin(&j, "classes");
        for (c = 0; c < TCE_CHARGE_COUNT; c++) {
            if (t.measured_s[c] <= 0 && t.modeled_s[c] <= 0)
                continue;
            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "class", charge_names[c]);
            tce_json_double(&j, "measured_s", t.measured_s[c]);
            tce_json_double(&j, "modelled_s", t.modeled_s[c]);
            tce_json_object_end(&j);
        }
        tce_json_array_end(&j);
    }
    tce_json_array_begin(&j, "ops");
    for (i = 0; i < N_CLASSES; i++) {
        if (!tce_runstats_ran(cs, i))
            continue;
        tce_run_describe(r, last, i, &d);
        avg = tce_runstats_avg_s(cs, i);
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "name", d.name);
        tce_json_string(&j, "list", tce_run_class_list(i));
        tce_json_string(&j, "kind", d.kind);
        tce_json_string(&j, "group", d.group);
        tce_json_bool(&j, "recompute", d.recompute);
        tce_json_string(&j, "overlap", d.overlap);
        tce_json_bool(&j, "overlapped", d.overlapped);
        tce_json_bool(&j, "host_sync", d.host_sync); /* sync (issue 11) */
        tce_json_int(&j, "ranks", (int64_t)cs->users[i]);
        if (d.comm) {
            tce_json_double(&j, "bytes", cs->bytes[i]);
            tce_json_double(&j, "real_bytes", cs->real_bytes[i]);
        } else {
            tce_json_null(&j, "bytes");
            tce_json_null(&j, "real_bytes");
        }
        tce_json_double(&j, "count", cs->per_iter[i]);
        json_measured(&j, "measured_s", cs->min_s[i], avg, cs->max_s[i]);
        if (i == CLS_WAIT_PARAM)
            tce_json_null(&j, "modelled_s"); /* in grad_reduce_wait's */
        else
            tce_json_double(&j, "modelled_s", cs->modeled_s[i]);
        if (d.comm) {
            tce_json_double(&j, "modelled_real_bytes_s", cs->modeled_full_s[i]);
        }
        if (d.bw_valid) {
            tce_json_double(&j, "algbw_gbytes_per_s",
                            tce_coll_algbw_gbytes_per_s(cs->bytes[i], avg));
            tce_json_double(&j, "busbw_gbytes_per_s",
                            tce_coll_busbw_gbytes_per_s(d.bw, d.group_size,
                                                        cs->bytes[i], avg));
        } else {
            if (d.op_kind == TCE_OP_COMPUTE)
                tce_json_double(&j, "emulated_s",
                                cs->modeled_s[i] * r->o.time_scale);
            tce_json_null(&j, "algbw_gbytes_per_s");
            tce_json_null(&j, "busbw_gbytes_per_s");
        }
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_finish(&j);
    return tce_output_commit(&o, err);
}
