/* calibnccl.c - link parameters from nccl-tests runs (calibnccl.h). */
#include "tcemu/calibnccl.h"
#include "tcemu/linkcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tce_calibnccl_link_class(const struct tce_nccltests_run *run,
                             enum tce_link_class *out, struct tce_error *err)
{
    if (run->group_nodes < 1)
        return tce_error_set_at(err, TCE_EPARSE, run->path, 0, NULL,
                                "%s without '#  Rank N ... on HOST' lines: "
                                "cannot tell whether it ran inside a node "
                                "or across nodes (keep nccl-tests' whole "
                                "output)",
                                run->test);
    *out = run->group_nodes > 1 ? TCE_LINK_SCALE_OUT : TCE_LINK_SCALE_UP;
    return 0;
}

static struct tce_calibnccl_class *class_of(struct tce_calibnccl *f,
                                            enum tce_link_class l)
{
    int i;

    for (i = 0; i < f->n_classes; i++)
        if (f->classes[i].link == l)
            return &f->classes[i];
    if (f->n_classes == TCE_LINK_CLASSES)
        return NULL;
    f->classes[f->n_classes].link = l;
    return &f->classes[f->n_classes++];
}

/* Fit the out-of-place points of the runs of one kind and class with the
 * most ranks. */
static int fit_kind(const struct tce_nccltests_run *runs, int n,
                    enum tce_link_class link, enum tce_coll kind,
                    struct tce_calibnccl_kind *k, struct tce_error *err)
{
    double *x = NULL, *t = NULL;
    const char *first = NULL;
    int i, total = 0, np = 0, rc = 0;
    enum tce_link_class l = TCE_LINK_SCALE_UP;

    for (i = 0; i < n; i++) {
        if (runs[i].kind != kind ||
            tce_calibnccl_link_class(&runs[i], &l, NULL) != 0 || l != link)
            continue;
        if (runs[i].group_ranks > k->ranks)
            k->ranks = runs[i].group_ranks;
        total += runs[i].n_rows;
    }
    if (total == 0)
        return 0;
    x = calloc((size_t)total, sizeof(*x));
    t = calloc((size_t)total, sizeof(*t));
    if (!x || !t) {
        rc = tce_error_set(err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (runs[i].kind != kind ||
            tce_calibnccl_link_class(&runs[i], &l, NULL) != 0 || l != link)
            continue;
        if (runs[i].group_ranks < k->ranks) {
            k->skipped++;
            continue;
        }
        k->runs++;
        first = first ? first : runs[i].path;
        np += tce_nccltests_points(&runs[i], 0, x + np, t + np, total - np);
    }
    rc = tce_calibfit_regimes(x, t, np, &k->line, err);
    if (rc != 0) {
        char why[TCE_ERROR_MSG_MAX];

        snprintf(why, sizeof(why), "%s", err ? err->msg : "");
        rc = tce_error_set_at(err, TCE_EPARSE, first, 0, NULL,
                              "%s %s: cannot fit its times: %s",
                              tce_link_class_name(link),
                              tce_coll_short_name(kind), why);
        goto out;
    }
    k->have = 1;
out:
    free(x);
    free(t);
    return rc;
}

static void fit_link(struct tce_calibnccl_class *c)
{
    static const enum tce_coll order[] = {TCE_COLL_SENDRECV,
                                                TCE_COLL_ALL_REDUCE};
    struct tce_calibnccl_kind *base = NULL;
    double steps;
    size_t i;
    int k;

    for (i = 0; i < sizeof(order) / sizeof(order[0]) && !base; i++)
        if (c->kinds[order[i]].have) {
            base = &c->kinds[order[i]];
            c->base = order[i];
        }
    for (k = 0; k < TCE_COLL_COUNT && !base; k++)
        if (c->kinds[k].have) {
            base = &c->kinds[k];
            c->base = (enum tce_coll)k;
        }
    if (!base)
        return;
    /* the fitted intercept is the whole collective's; the cost model's
     * latency is per step (steps x L in the ring and tree forms): divide by
     * the steps of the base collective at its group size (linkcal.h) */
    steps = tce_linkcal_steps(c->base, (double)base->ranks);
    c->latency_us = base->line.latency_s * 1e6 / (steps >= 1.0 ? steps : 1.0);
    c->bandwidth_gbytes_per_s =
        tce_calibfit_bandwidth_gbytes_per_s(&base->line) *
        tce_coll_busbw_factor(c->base, base->ranks);
    for (k = 0; k < TCE_COLL_COUNT; k++)
        if (c->kinds[k].have)
            c->kinds[k].efficiency = tce_calibfit_efficiency(
                (enum tce_coll)k, c->kinds[k].ranks, &c->kinds[k].line,
                c->bandwidth_gbytes_per_s);
}

int tce_calibnccl_fit(const struct tce_nccltests_run *runs, int n,
                      struct tce_calibnccl *out, struct tce_error *err)
{
    int i, k, rc = 0;
    enum tce_link_class l = TCE_LINK_SCALE_UP;

    memset(out, 0, sizeof(*out));
    if (n < 1)
        return tce_error_set(err, TCE_EUSAGE, "no nccl-tests output given");
    for (i = 0; i < n; i++) {
        struct tce_calibnccl_class *c;

        rc = tce_calibnccl_link_class(&runs[i], &l, err);
        if (rc != 0)
            return rc;
        c = class_of(out, l);
        if (!c)
            return tce_error_set(err, TCE_EINTERNAL, "too many link classes");
        if (runs[i].nodes > c->nodes)
            c->nodes = runs[i].nodes;
        if (runs[i].ranks_per_node > c->ranks_per_node)
            c->ranks_per_node = runs[i].ranks_per_node;
    }
    for (i = 0; i < out->n_classes && rc == 0; i++) {
        struct tce_calibnccl_class *c = &out->classes[i];

        for (k = 0; k < TCE_COLL_COUNT && rc == 0; k++)
            rc = fit_kind(runs, n, c->link, (enum tce_coll)k,
                          &c->kinds[k], err);
        if (rc == 0)
            fit_link(c);
    }
    return rc;
}

/* Append host to the comma-separated list unless it is there. */
static void add_host(char *list, size_t size, const char *host)
{
    size_t n = strlen(host), len = strlen(list);
    const char *p = list;

    while ((p = strstr(p, host)) != NULL) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return;
        p += n;
    }
    if (len + n + 2 <= size)
        snprintf(list + len, size - len, "%s%s", len ? "," : "", host);
}

/* links: the measured pattern of one run (its group: group_ranks ranks on
 * group_nodes hosts; concurrency = the host's ranks over the group's
 * members per host, the groups NCCL_TESTS_SPLIT or -g/-t put on a host).
 * 0, or -1 when the run cannot give one. */
static int run_entry(const struct tce_nccltests_run *r,
                     struct tce_calibration_coll *e)
{
    struct tce_calibfit_pieces p;
    double *x = NULL, *t = NULL;
    int64_t m, k;
    int np, rc = -1;

    if (r->kind > TCE_COLL_SENDRECV || r->group_ranks < 2 ||
        r->group_nodes < 1 || r->group_ranks % r->group_nodes != 0 ||
        r->n_rows < 2)
        return -1;
    m = r->group_ranks / r->group_nodes;
    k = r->ranks_per_node > m ? r->ranks_per_node / m : 1;
    x = calloc((size_t)r->n_rows, sizeof(*x));
    t = calloc((size_t)r->n_rows, sizeof(*t));
    if (!x || !t)
        goto out;
    np = tce_nccltests_points(r, 0, x, t, r->n_rows);
    if (np >= 2 && tce_calibfit_pieces(x, t, np, &p, NULL) == 0)
        rc = tce_calibfit_entry(&p, r->kind,
                                r->group_nodes > 1 ? TCE_LINK_SCALE_OUT
                                                   : TCE_LINK_SCALE_UP,
                                r->group_ranks, m, k, e);
out:
    free(x);
    free(t);
    return rc;
}

/* links: one entry per pattern the runs measured (the run with the most
 * sizes wins a pattern measured twice). */
static void add_entries(const struct tce_nccltests_run *runs, int n,
                        struct tce_calibration *out)
{
    struct tce_calibration_coll e;
    int i, j;

    for (i = 0; i < n; i++) {
        if (run_entry(&runs[i], &e) != 0)
            continue;
        for (j = 0; j < out->n_colls; j++)
            if (tce_linkcal_same_pattern(&out->colls[j], &e))
                break;
        if (j < out->n_colls) {
            if (e.points > out->colls[j].points)
                out->colls[j] = e;
            continue;
        }
        if (out->n_colls < TCE_CALIB_COLLS_MAX)
            out->colls[out->n_colls++] = e;
    }
}

void tce_calibnccl_calibration(const struct tce_calibnccl *fit,
                               const struct tce_nccltests_run *runs, int n,
                               const char *tcemu_version, const char *date,
                               struct tce_calibration *out)
{
    const char *version = "";
    int i, j, k;

    memset(out, 0, sizeof(*out));
    snprintf(out->tcemu_version, sizeof(out->tcemu_version), "%s",
             tcemu_version);
    snprintf(out->date, sizeof(out->date), "%s", date);
    out->link_path = TCE_LINK_PATH_NCCL_DEVICE;
    for (i = 0; i < n; i++) {
        if (runs[i].ranks > out->ranks)
            out->ranks = runs[i].ranks;
        if (runs[i].ranks_per_node > out->ranks_per_node)
            out->ranks_per_node = runs[i].ranks_per_node;
        if (runs[i].version[0] && !version[0])
            version = runs[i].version;
        for (j = 0; j < runs[i].n_rank_lines; j++)
            add_host(out->hosts, sizeof(out->hosts),
                     runs[i].rank_lines[j].host);
    }
    snprintf(out->mpi_library, sizeof(out->mpi_library),
             "none: NCCL, from nccl-tests%s%s output", version[0] ? " " : "",
             version);
    for (i = 0; i < fit->n_classes; i++) {
        const struct tce_calibnccl_class *c = &fit->classes[i];
        struct tce_calibration_link *l = &out->links[out->n_links];
        const struct tce_calibnccl_kind *b = &c->kinds[c->base];

        if (!b->have)
            continue;
        out->n_links++;
        l->link = c->link;
        l->latency_us = c->latency_us;
        l->bandwidth_gbytes_per_s = c->bandwidth_gbytes_per_s;
        l->rms_rel_error = b->line.rms_rel_error;
        l->points = b->line.points;
        for (k = 0; k < TCE_COLL_COUNT; k++)
            tce_coll_calib_set_efficiency(
                (enum tce_coll)k, l,
                c->kinds[k].have ? c->kinds[k].efficiency : 1.0);
    }
    if (out->n_links > 0)
        add_entries(runs, n, out);
}
