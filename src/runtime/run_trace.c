/*
 * run_trace.c - tcemu run's optional outputs (run.h): --trace, the last
 * measured iteration as Chrome trace-event JSON (trace.h: one track per
 * rank, one slice per op execution with its group, bytes and phase; the
 * exposed DP waits as slices of category "wait"), and --csv, the per-op
 * table (schema tcemu.run.ops/1 in its first column).
 *
 * Times in the trace are measured on each rank from the start of its
 * iteration (right after the barrier that starts every iteration), so the
 * tracks line up to within the barrier's skew.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/output.h"
#include "tcemu/report.h"
#include "tcemu/trace.h"

#include "run.h"

void tce_run_trace_record(struct run *r, int cls, double secs)
{
    double now = tce_now_s();
    struct run_event *e;

    if (r->n_ev == r->cap_ev) {
        int cap = r->cap_ev ? 2 * r->cap_ev : 256;
        struct run_event *grown = realloc(r->ev, (size_t)cap * sizeof(*e));

        if (!grown)
            return; /* the trace loses an event, the run goes on */
        r->ev = grown;
        r->cap_ev = cap;
    }
    e = &r->ev[r->n_ev++];
    e->cls = cls;
    e->start_us = (now - secs - r->iter_t0_s) * 1e6;
    e->dur_us = secs * 1e6;
}

static void add_arg(struct tce_trace_event *e, const char *key, const char *s,
                    double d)
{
    if (e->n_args < TCE_TRACE_ARGS_MAX) {
        e->args[e->n_args].key = key;
        e->args[e->n_args].s = s;
        e->args[e->n_args].d = d;
        e->n_args++;
    }
}

static void write_events(const struct run *r, const struct tce_plan *last,
                         const struct tce_runstats *cs, struct tce_trace *t,
                         int rank,
                         const struct run_event *ev, int n)
{
    struct class_desc d;
    int k, cls;

    for (k = 0; k < n; k++) {
        struct tce_trace_event e;

        memset(&e, 0, sizeof(e));
        cls = (int)ev[k].cls;
        if (cls < 0 || cls >= N_CLASSES)
            continue;
        tce_run_describe(r, last, cls, &d);
        e.name = d.name;
        e.cat = strcmp(d.kind, "compute") == 0 ? "compute"
                : strcmp(d.kind, "wait") == 0  ? "wait"
                                               : d.group;
        e.track = rank;
        e.start_us = ev[k].start_us;
        e.dur_us = ev[k].dur_us > 0 ? ev[k].dur_us : 0;
        add_arg(&e, "phase", tce_run_class_list(cls), 0);
        add_arg(&e, "kind", d.kind, 0);
        add_arg(&e, "group", d.group, 0);
        if (d.comm)
            add_arg(&e, "bytes", NULL, cs->bytes[cls]);
        if (cls != CLS_WAIT_PARAM) /* modelled in grad_reduce_wait's */
            add_arg(&e, "modeled_us", NULL, cs->modeled_s[cls] * 1e6);
        if (d.overlapped)
            add_arg(&e, "overlapped", "post to completion", 0);
        tce_trace_event(t, &e);
    }
}

int tce_run_write_trace(struct run *r, const struct tce_plan *last,
                        const struct results *res, const char *hosts,
                        struct tce_error *err)
{
    struct tce_rt *rt = r->rt;
    int *counts = NULL, *displs = NULL, n = r->n_ev * 3, i, total = 0;
    double *all = NULL;
    int mrc, rc = 0;
    struct tce_output o;
    struct tce_trace t;
    char name[TCE_RT_HOST_MAX + 32];

    if (rt->rank == 0) {
        counts = calloc((size_t)rt->size, sizeof(int));
        displs = calloc((size_t)rt->size, sizeof(int));
        if (!counts || !displs)
            rc = TCE_ENOMEM;
    }
    mrc = MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, rt->world);
    if (mrc == MPI_SUCCESS && rt->rank == 0 && rc == 0) {
        for (i = 0; i < rt->size; i++) {
            displs[i] = total;
            total += counts[i];
        }
        all = malloc((size_t)(total > 0 ? total : 1) * sizeof(double));
        if (!all)
            rc = TCE_ENOMEM;
    }
    /* Every rank joins the gather; rank 0 without memory receives nothing
     * (counts stay what they were, its buffer is not read). */
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Gatherv(r->ev, n, MPI_DOUBLE, all, counts, displs,
                          MPI_DOUBLE, 0, rt->world);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "gathering the trace");
        goto out;
    }
    if (rt->rank != 0)
        goto out;
    if (rc) {
        rc = tce_error_set(err, TCE_ENOMEM, "out of memory for the trace");
        goto out;
    }
    rc = tce_output_open(&o, r->o.trace_path, err);
    if (rc)
        goto out;
    tce_trace_begin(&t, o.fp, "tcemu run", "measured");
    for (i = 0; i < rt->size; i++) {
        snprintf(name, sizeof(name), "rank %d (%s)", i,
                 hosts ? hosts + (size_t)i * TCE_RT_HOST_MAX : "?");
        tce_trace_track(&t, i, name);
    }
    for (i = 0; i < rt->size; i++)
        write_events(r, last, &res->cs, &t, i,
                     (const struct run_event *)(all + displs[i]),
                     counts[i] / 3);
    tce_trace_end(&t);
    rc = tce_output_commit(&o, err);
out:
    free(counts);
    free(displs);
    free(all);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* --csv                                                                      */

struct csv_row {
    const char *schema, *list, *name, *kind, *group, *overlap;
    int recompute, overlapped;
    int64_t ranks;
    double bytes, real_bytes, count, min_s, avg_s, max_s, modeled_s;
    double algbw, busbw;
};

#define COL(k, t, f) {.key = k, .in = TCE_REPORT_CSV, .type = t, \
                      .offset = offsetof(struct csv_row, f)}
static const struct tce_report_column csv_cols[] = {
    COL("schema", TCE_REPORT_TEXT, schema),
    COL("list", TCE_REPORT_TEXT, list),
    COL("op", TCE_REPORT_TEXT, name),
    COL("kind", TCE_REPORT_TEXT, kind),
    COL("group", TCE_REPORT_TEXT, group),
    COL("recompute", TCE_REPORT_BOOL, recompute),
    COL("overlap", TCE_REPORT_TEXT, overlap),
    COL("overlapped", TCE_REPORT_BOOL, overlapped),
    COL("ranks", TCE_REPORT_INT, ranks),
    COL("bytes", TCE_REPORT_DOUBLE, bytes),
    COL("real_bytes", TCE_REPORT_DOUBLE, real_bytes),
    COL("count_per_iter", TCE_REPORT_DOUBLE, count),
    COL("measured_min_s", TCE_REPORT_DOUBLE, min_s),
    COL("measured_avg_s", TCE_REPORT_DOUBLE, avg_s),
    COL("measured_max_s", TCE_REPORT_DOUBLE, max_s),
    COL("modelled_s", TCE_REPORT_DOUBLE, modeled_s),
    COL("algbw_gbytes_per_s", TCE_REPORT_DOUBLE, algbw),
    COL("busbw_gbytes_per_s", TCE_REPORT_DOUBLE, busbw),
};
#undef COL

int tce_run_write_csv(const struct run *r, const struct tce_plan *last,
                      const struct results *res, struct tce_error *err)
{
    const struct tce_runstats *cs = &res->cs;
    struct csv_row *rows = calloc(N_CLASSES, sizeof(*rows));
    struct tce_report rep;
    struct tce_output o;
    struct class_desc d;
    int i, n = 0, rc;

    if (!rows)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    for (i = 0; i < N_CLASSES; i++) {
        struct csv_row *w = &rows[n];
        double avg = tce_runstats_avg_s(cs, i);

        if (!tce_runstats_ran(cs, i))
            continue;
        tce_run_describe(r, last, i, &d);
        w->schema = "tcemu.run.ops/1";
        w->list = tce_run_class_list(i);
        w->name = d.name;
        w->kind = d.kind;
        w->group = d.group;
        w->overlap = d.overlap ? d.overlap : "";
        w->recompute = d.recompute;
        w->overlapped = d.overlapped;
        w->ranks = (int64_t)cs->users[i];
        w->bytes = d.comm ? cs->bytes[i] : NAN;
        w->real_bytes = d.comm ? cs->real_bytes[i] : NAN;
        w->count = cs->per_iter[i];
        w->min_s = cs->min_s[i];
        w->avg_s = avg;
        w->max_s = cs->max_s[i];
        w->modeled_s = i == CLS_WAIT_PARAM ? NAN : cs->modeled_s[i];
        w->algbw = d.bw_valid ? tce_coll_algbw_gbytes_per_s(cs->bytes[i], avg)
                              : NAN;
        w->busbw = d.bw_valid ? tce_coll_busbw_gbytes_per_s(
                                    d.bw, d.group_size, cs->bytes[i], avg)
                              : NAN;
        n++;
    }
    memset(&rep, 0, sizeof(rep));
    rep.cols = csv_cols;
    rep.n_cols = (int)(sizeof(csv_cols) / sizeof(csv_cols[0]));
    rep.rows = rows;
    rep.row_size = sizeof(rows[0]);
    rep.n_rows = n;
    rc = tce_output_open(&o, r->o.csv_path, err);
    if (rc == 0) {
        tce_report_csv(o.fp, &rep);
        rc = tce_output_commit(&o, err);
    }
    free(rows);
    return rc;
}
