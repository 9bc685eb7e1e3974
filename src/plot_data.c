/* plot_data.c - what tcemu plot draws, from the engines and from result
 * files (plot_data.h). */
#include "tcemu/plot_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/breakdown.h"
#include "tcemu/economics.h"
#include "tcemu/jsonread.h"

/* ---- projector sweeps ------------------------------------------------- */

static void breakdown_of(struct tce_plot_sweep *o)
{
    struct tce_plot_breakdown *b = &o->breakdown;
    int used[TCE_PART_COUNT], i, k, np = 0;

    /* parts that are zero at every count are left out of the legend */
    for (k = 0; k < TCE_PART_COUNT; k++) {
        used[k] = 0;
        for (i = 0; i < o->n; i++)
            if (tce_breakdown_get(&o->proj[i].breakdown, (enum tce_part)k) > 0)
                used[k] = 1;
    }
    for (k = 0; k < TCE_PART_COUNT && np < TCE_PLOT_PARTS_MAX; k++)
        if (used[k])
            b->part_names[np++] = tce_breakdown_parts[k].json;
    b->n_parts = np;
    b->n_bars = o->n;
    b->bar_labels = o->bar_labels;
    b->seconds = o->seconds;
    for (i = 0; i < o->n; i++) {
        snprintf(o->bar_label[i], sizeof(o->bar_label[i]), "%lld",
                 (long long)o->proj[i].layout.gpus);
        o->bar_labels[i] = o->bar_label[i];
        for (k = 0, np = 0; k < TCE_PART_COUNT; k++)
            if (used[k])
                o->seconds[i * b->n_parts + np++] =
                    tce_breakdown_get(&o->proj[i].breakdown, (enum tce_part)k);
    }
}

int tce_plot_sweep(const struct tce_scenario *s,
                   const struct tce_gpu_list *list, struct tce_plot_sweep *out,
                   struct tce_error *err)
{
    struct tce_projector *pj = malloc(sizeof(*pj));
    struct tce_projection_price price;
    struct tce_error e;
    int i, ret = 0;

    memset(out, 0, sizeof(*out));
    if (!pj)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    tce_projector_init(pj, &s->topo, &s->job, &s->cm);
    for (i = 0; i < list->n; i++) {
        struct tce_projection *p = &out->proj[out->n];
        struct tce_plot_scaling_point *q = &out->pts[out->n];

        tce_error_clear(&e);
        if (tce_projector_run(pj, list->gpus[i], p, &e) != 0) {
            if (out->n_skipped < TCE_PLOT_SKIPPED_MAX) {
                out->skipped_gpus[out->n_skipped] = list->gpus[i];
                snprintf(out->skipped_why[out->n_skipped], 256, "%.250s",
                         e.msg);
                out->n_skipped++;
            }
            continue;
        }
        ret = tce_econ_price_projection(&s->topo, &s->job, NULL, p, &price,
                                        err);
        if (ret < 0)
            goto out;
        q->gpus = p->layout.gpus;
        q->tokens_per_s_per_gpu = p->tokens_per_s / (double)p->layout.gpus;
        q->mfu = p->mfu;
        q->cost_usd = price.cost_usd;
        q->days = p->time_to_train_days;
        q->fits_memory = p->fits_memory;
        q->over_capacity = tce_econ_over_capacity(&s->topo, q->gpus);
        out->n++;
    }
    if (out->n == 0) {
        ret = tce_error_set(err, TCE_ENOFIT, "no GPU count fits the job%s%s",
                            out->n_skipped ? ": " : "",
                            out->n_skipped ? out->skipped_why[0] : "");
        goto out;
    }
    breakdown_of(out);
out:
    free(pj);
    return ret;
}

/* ---- pareto ----------------------------------------------------------- */

void tce_plot_pareto_points(const struct tce_planning *pl,
                            struct tce_plot_pareto_data *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < pl->n_rows; i++) {
        const struct tce_planning_row *r = &pl->rows[i];
        struct tce_plot_pareto_point *p = &out->pts[out->n];

        if (!r->found) {
            out->n_missing++;
            continue;
        }
        snprintf(out->labels[out->n], TCE_PLOT_LABEL_MAX, "%s %s, %lld GPUs",
                 pl->offerings[r->offering].scenario->topo.name,
                 r->contract.name, (long long)r->hit.gpus);
        p->label = out->labels[out->n];
        p->days = r->hit.econ.days_to_done;
        p->cost_usd = r->hit.econ.bill.total_usd;
        p->pareto = r->pareto;
        p->cheapest = r->cheapest;
        p->fastest = r->fastest;
        p->meets_deadline = r->meets_deadline;
        out->n++;
    }
}

/* ---- result files ----------------------------------------------------- */

static int bad(struct tce_error *err, const char *path, const char *what,
               const char *field)
{
    return tce_error_set(err, TCE_ECONFIG, "%.300s: %s '%s'", path, what,
                         field);
}

/* doc's root: an object whose "schema" starts with want ("tcemu.bench/"). */
static int schema(const struct tce_jsonread *doc, const char *path,
                  const char *want, const char *made_by,
                  struct tce_error *err)
{
    const struct tce_jnode *root = tce_jsonread_node(doc, doc->root);
    const char *s = tce_jsonread_str(doc, root, "schema");

    if (!s || strncmp(s, want, strlen(want)) != 0)
        return tce_error_set(err, TCE_ECONFIG,
                             "%.300s: not a result of %s (schema '%.60s', "
                             "want %s...)",
                             path, made_by, s ? s : "none", want);
    return 0;
}

static int parse(const char *path, const char *text, size_t len,
                 struct tce_jsonread *doc, struct tce_error *err)
{
    struct tce_error e;
    int ret;

    tce_error_clear(&e);
    ret = tce_jsonread_parse(doc, text, len, &e);
    if (ret < 0)
        return tce_error_set(err, ret, "%.300s: not valid JSON: %s", path,
                             e.msg);
    return 0;
}

/* Bus bandwidth of a bench row: its own, or its out-of-place one. */
static int row_busbw(const struct tce_jsonread *doc,
                     const struct tce_jnode *row, double *out)
{
    const struct tce_jnode *oop;
    int ok;

    *out = tce_jsonread_num(doc, row, "busbw_gbytes_per_s", &ok);
    if (ok)
        return 1;
    oop = tce_jsonread_get(doc, row, "out_of_place");
    *out = tce_jsonread_num(doc, oop, "busbw_gbytes_per_s", &ok);
    return ok;
}

int tce_plot_bench_read(const char *path, const char *text, size_t len,
                        struct tce_plot_bench_data *out,
                        struct tce_error *err)
{
    struct tce_jsonread doc;
    const struct tce_jnode *root, *res, *row;
    const char *coll, *g;
    double *x, *y, bw, bytes;
    int i, k, ok, ret;

    memset(out, 0, sizeof(*out));
    ret = parse(path, text, len, &doc, err);
    if (ret < 0)
        return ret;
    ret = schema(&doc, path, "tcemu.bench/", "tcemu bench --json", err);
    if (ret < 0)
        goto out;
    root = tce_jsonread_node(&doc, doc.root);
    res = tce_jsonread_get(&doc, root, "results");
    if (!res || res->type != TCE_JARRAY || res->n == 0) {
        ret = bad(err, path, "no result rows in", "results");
        goto out;
    }
    g = tce_jsonread_str(&doc, root, "group");
    snprintf(out->group, sizeof(out->group), "%s", g ? g : "?");
    out->group_size = (int64_t)tce_jsonread_num(&doc, root, "group_size", &ok);
    out->xy = calloc((size_t)res->n * 2, sizeof(double));
    if (!out->xy) {
        ret = tce_error_set(err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    /* rows of one collective are consecutive in a bench result; a
     * collective seen again starts no new series */
    x = out->xy;
    y = out->xy + res->n;
    for (i = res->first; i >= 0; i = doc.nodes[i].next) {
        row = &doc.nodes[i];
        coll = tce_jsonread_str(&doc, row, "collective");
        bytes = tce_jsonread_num(&doc, row, "size_bytes", &ok);
        if (!coll || !ok || bytes < 0) {
            ret = bad(err, path, "a result row lacks",
                      !coll ? "collective" : "size_bytes");
            goto out;
        }
        if (!row_busbw(&doc, row, &bw)) {
            ret = bad(err, path, "a result row lacks", "busbw_gbytes_per_s");
            goto out;
        }
        for (k = 0; k < out->n_series; k++)
            if (strcmp(out->names[k], coll) == 0)
                break;
        if (k == out->n_series) {
            if (k == TCE_PLOT_SERIES_MAX) {
                ret = bad(err, path, "too many collectives at", coll);
                goto out;
            }
            snprintf(out->names[k], sizeof(out->names[k]), "%s", coll);
            out->series[k].name = out->names[k];
            out->series[k].x = x;
            out->series[k].y = y;
            out->n_series++;
        } else if (out->series[k].x + out->series[k].n != x) {
            ret = bad(err, path, "rows not grouped by collective at", coll);
            goto out;
        }
        *x++ = bytes;
        *y++ = bw;
        out->series[k].n++;
    }
out:
    tce_jsonread_release(&doc);
    if (ret < 0)
        tce_plot_bench_release(out);
    return ret;
}

void tce_plot_bench_release(struct tce_plot_bench_data *d)
{
    free(d->xy);
    d->xy = NULL;
    d->n_series = 0;
}

/* The modelled time of a run op: "modelled_s" or "modeled_s" (NaN when
 * null); for compute ops, what the emulator aimed at ("emulated_s"). */
static double run_modelled(const struct tce_jsonread *doc,
                           const struct tce_jnode *op)
{
    double x;
    int ok;

    x = tce_jsonread_num(doc, op, "emulated_s", &ok);
    if (ok)
        return x;
    x = tce_jsonread_num(doc, op, "modelled_s", &ok);
    if (!ok)
        x = tce_jsonread_num(doc, op, "modeled_s", &ok);
    return ok ? x : NAN;
}

int tce_plot_run_read(const char *path, const char *text, size_t len,
                      struct tce_plot_run_data *out, struct tce_error *err)
{
    struct tce_jsonread doc;
    const struct tce_jnode *root, *ops, *op, *m, *lay;
    const char *name, *list, *s;
    int i, ok, ok1, ok2, ret;

    memset(out, 0, sizeof(*out));
    ret = parse(path, text, len, &doc, err);
    if (ret < 0)
        return ret;
    ret = schema(&doc, path, "tcemu.run/", "tcemu run --json", err);
    if (ret < 0)
        goto out;
    root = tce_jsonread_node(&doc, doc.root);
    out->time_scale = tce_jsonread_num(&doc, root, "time_scale", &ok);
    if (!ok)
        out->time_scale = 1.0;
    s = tce_jsonread_str(&doc, root, "topology");
    snprintf(out->topology, sizeof(out->topology), "%s", s ? s : "?");
    s = tce_jsonread_str(&doc, root, "job");
    snprintf(out->job, sizeof(out->job), "%s", s ? s : "?");
    out->iterations = (int64_t)tce_jsonread_num(&doc, root, "iterations", &ok);
    m = tce_jsonread_get(&doc, root, "complete");
    out->complete = !m || m->type == TCE_JTRUE;
    lay = tce_jsonread_get(&doc, root, "layout");
    out->tp = (int64_t)tce_jsonread_num(&doc, lay, "tp", &ok);
    out->pp = (int64_t)tce_jsonread_num(&doc, lay, "pp", &ok);
    out->dp = (int64_t)tce_jsonread_num(&doc, lay, "dp", &ok);
    s = tce_jsonread_str(&doc, lay, "schedule");
    snprintf(out->schedule, sizeof(out->schedule), "%s", s ? s : "?");
    ops = tce_jsonread_get(&doc, root, "ops");
    if (!ops || ops->type != TCE_JARRAY || ops->n == 0) {
        ret = bad(err, path, "no ops in", "ops");
        goto out;
    }
    for (i = ops->first; i >= 0; i = doc.nodes[i].next) {
        struct tce_plot_run_op *o = &out->ops[out->n];

        op = &doc.nodes[i];
        name = tce_jsonread_str(&doc, op, "name");
        list = tce_jsonread_str(&doc, op, "list");
        m = tce_jsonread_get(&doc, op, "measured_s");
        o->measured_s = tce_jsonread_num(&doc, m, "avg", &ok);
        o->measured_min_s = tce_jsonread_num(&doc, m, "min", &ok1);
        o->measured_max_s = tce_jsonread_num(&doc, m, "max", &ok2);
        if (!name || !list || !ok || !ok1 || !ok2) {
            ret = bad(err, path, "an op lacks",
                      !name   ? "name"
                      : !list ? "list"
                              : "measured_s {min, avg, max}");
            goto out;
        }
        if (out->n == TCE_PLOT_RUN_OPS_MAX) {
            ret = bad(err, path, "too many ops at", name);
            goto out;
        }
        snprintf(out->labels[out->n], sizeof(out->labels[out->n]),
                 "%.24s.%.32s", list, name);
        o->label = out->labels[out->n];
        o->modelled_s = run_modelled(&doc, op);
        out->n++;
    }
out:
    tce_jsonread_release(&doc);
    return ret;
}
