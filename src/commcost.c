/*
 * commcost.c - the communication half of costmodel.h: alpha-beta time of a
 * collective or a point-to-point message with explicit algorithms, and
 * which of the plan's communication a measured pattern priced (see
 * costmodel.h for every formula).  Pure, no allocation.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/costmodel.h"
#include "tcemu/humanfmt.h"

double tce_cost_ring_allreduce_s(double n, double M, double W, double L)
{
    if (n <= 1)
        return 0.0;
    return 2.0 * (n - 1.0) * L + 2.0 * (n - 1.0) / n * M / W;
}

double tce_cost_ring_allgather_s(double n, double M, double W, double L)
{
    if (n <= 1)
        return 0.0;
    return (n - 1.0) * L + (n - 1.0) / n * M / W;
}

double tce_cost_rd_allreduce_s(double n, double M, double W, double L)
{
    if (n <= 1)
        return 0.0;
    return ceil(log2(n) - 1e-9) * (L + M / W);
}

const char *tce_algo_name(enum tce_algo a)
{
    switch (a) {
    case TCE_ALGO_NONE:
        return "none";
    case TCE_ALGO_RING:
        return "ring";
    case TCE_ALGO_RECURSIVE_DOUBLING:
        return "recursive_doubling";
    case TCE_ALGO_HIERARCHICAL:
        return "hierarchical";
    case TCE_ALGO_PAIRWISE:
        return "pairwise";
    case TCE_ALGO_P2P:
        return "p2p";
    case TCE_ALGO_MEASURED:
        return "measured";
    }
    return "unknown";
}

/* Bandwidth and latency of a link class for a kind of collective. */
static double up_bw(const struct tce_costmodel *cm, enum tce_coll kind)
{
    const struct tce_link *l = &cm->link[TCE_LINK_SCALE_UP];
    return l->bandwidth_bytes_per_s * l->efficiency *
           l->kind_efficiency[kind];
}

/* Per-rank bandwidth across domains: the node's NICs shared by the ranks
 * using them at once, tapered by oversubscription, capped by a calibrated
 * fabric bandwidth. */
static double out_bw(const struct tce_costmodel *cm, enum tce_coll kind,
                     const struct tce_span *sp, double wire_efficiency)
{
    const struct tce_link *l = &cm->link[TCE_LINK_SCALE_OUT];
    const struct tce_link *f = &cm->link[TCE_LINK_FABRIC];
    double sharing = sp->nic_ranks > 0 ? (double)sp->nic_ranks : 1.0;
    /* deepep (issue 11): kernels with a measured share of the line rate
     * of their own replace the link's efficiency */
    double w = l->bandwidth_bytes_per_s *
               (wire_efficiency > 0.0
                    ? wire_efficiency
                    : l->efficiency * l->kind_efficiency[kind]) /
               sharing;

    if (sp->oversubscription > 1.0)
        w /= sp->oversubscription;
    if (sp->tier > 0 && f->bandwidth_bytes_per_s > 0 &&
        f->bandwidth_bytes_per_s * f->kind_efficiency[kind] < w)
        w = f->bandwidth_bytes_per_s * f->kind_efficiency[kind];
    /* a rank never gets more than its scale-up link either */
    return w;
}

static double out_lat(const struct tce_costmodel *cm,
                      const struct tce_span *sp)
{
    const struct tce_link *f = &cm->link[TCE_LINK_FABRIC];
    double fab = f->calibrated ? f->latency_s * (sp->tier >= 0 ? 1 : 0)
                               : sp->fabric_latency_us * 1e-6;
    return cm->link[TCE_LINK_SCALE_OUT].latency_s + fab;
}

/* Flat algorithms on one link (n ranks, W, L). */
static double flat(enum tce_coll kind, double n, double M, double W,
                   double L, enum tce_algo *algo)
{
    double ring, rd;

    switch (kind) {
    case TCE_COLL_ALL_REDUCE:
        ring = tce_cost_ring_allreduce_s(n, M, W, L);
        rd = tce_cost_rd_allreduce_s(n, M, W, L);
        *algo = rd < ring ? TCE_ALGO_RECURSIVE_DOUBLING : TCE_ALGO_RING;
        return rd < ring ? rd : ring;
    case TCE_COLL_ALL_GATHER:
    case TCE_COLL_REDUCE_SCATTER:
        *algo = TCE_ALGO_RING;
        return tce_cost_ring_allgather_s(n, M, W, L);
    case TCE_COLL_ALL_TO_ALL:
        *algo = TCE_ALGO_PAIRWISE;
        return tce_cost_ring_allgather_s(n, M, W, L);
    case TCE_COLL_SENDRECV:
    case TCE_COLL_BROADCAST:
    case TCE_COLL_COUNT:
        break;
    }
    *algo = TCE_ALGO_P2P;
    return L + M / W;
}

const struct tce_calibration_coll *
tce_cost_linkcal_find(const struct tce_costmodel *cm, enum tce_coll kind,
                      const struct tce_span *span,
                      enum tce_linkcal_match *how)
{
    enum tce_link_class cls = TCE_LINK_SCALE_UP;
    enum tce_linkcal_match h = TCE_LINKCAL_NONE;
    const struct tce_calibration_coll *e = NULL;
    int64_t m = span->ranks_per_node > 0 ? span->ranks_per_node : 1;
    int64_t k = span->groups_per_node > 0 ? span->groups_per_node : 1;

    if (cm->linkcal.n == 0 || (unsigned)kind >= TCE_COLL_COUNT)
        goto out;
    if (span->leaves_domain)
        cls = span->tier > 0 &&
                      cm->linkcal.count[kind][TCE_LINK_FABRIC] > 0
                  ? TCE_LINK_FABRIC
                  : TCE_LINK_SCALE_OUT;
    if (!span->leaves_domain)
        m = span->size; /* the whole group inside one domain */
    e = tce_linkcal_find(&cm->linkcal, kind, cls, m, k, &h);
out:
    if (how)
        *how = h;
    return e;
}

double tce_cost_collective_s(const struct tce_costmodel *cm,
                             enum tce_coll kind, const struct tce_span *span,
                             double bytes, enum tce_algo *algo)
{
    return tce_cost_collective_wire_s(cm, kind, span, bytes, 0.0, algo);
}

double tce_cost_collective_wire_s(const struct tce_costmodel *cm,
                                  enum tce_coll kind,
                                  const struct tce_span *span, double bytes,
                                  double wire_efficiency, enum tce_algo *algo)
{
    enum tce_algo a = TCE_ALGO_NONE, a2;
    double n = (double)span->size, t = 0.0, k, D, Wu, Wo, Lu, Lo, h;
    const struct tce_calibration_coll *e;

    if (span->size <= 1 || bytes <= 0)
        goto out;
    /* deepep (issue 11): a kernel's own measured rate across domains is
     * not what a calibration of NCCL's patterns measured */
    if (cm->linkcal.n > 0 &&
        !(wire_efficiency > 0.0 && span->leaves_domain) &&
        (e = tce_cost_linkcal_find(cm, kind, span, NULL)) != NULL) {
        t = tce_linkcal_time_s(e, n,
                               span->leaves_domain
                                   ? (double)span->ranks_per_node
                                   : n,
                               bytes);
        a = TCE_ALGO_MEASURED;
        goto out;
    }
    Wu = up_bw(cm, kind);
    Lu = cm->link[TCE_LINK_SCALE_UP].latency_s;
    if (!span->leaves_domain) {
        t = kind == TCE_COLL_SENDRECV ? Lu + bytes / Wu
                                      : flat(kind, n, bytes, Wu, Lu, &a);
        if (kind == TCE_COLL_SENDRECV)
            a = TCE_ALGO_P2P;
        goto out;
    }
    Wo = out_bw(cm, kind, span, wire_efficiency);
    Lo = out_lat(cm, span);
    if (kind == TCE_COLL_SENDRECV) {
        t = Lo + bytes / Wo;
        a = TCE_ALGO_P2P;
        goto out;
    }
    /* members per domain */
    k = span->domains > 0 ? n / (double)span->domains : 1.0;
    if (k < 1.0)
        k = 1.0;
    D = n / k;
    if (kind == TCE_COLL_ALL_TO_ALL) {
        double in = (k - 1.0) / n * bytes / Wu;
        double outp = (n - k) / n * bytes / Wo;
        t = (k - 1.0) * Lu + (n - k) * Lo + (in > outp ? in : outp);
        a = TCE_ALGO_PAIRWISE;
        goto out;
    }
    t = flat(kind, n, bytes, Wo, Lo, &a);
    if (k > 1.0) {
        if (kind == TCE_COLL_ALL_REDUCE)
            h = tce_cost_ring_allgather_s(k, bytes, Wu, Lu) * 2.0 +
                flat(kind, D, bytes / k, Wo, Lo, &a2);
        else
            h = tce_cost_ring_allgather_s(k, bytes, Wu, Lu) +
                flat(kind, D, bytes / k, Wo, Lo, &a2);
        if (h < t) {
            t = h;
            a = TCE_ALGO_HIERARCHICAL;
        }
    }
out:
    if (algo)
        *algo = a;
    return t;
}

double tce_cost_p2p_s(const struct tce_costmodel *cm,
                      const struct tce_span *span, double bytes)
{
    struct tce_span two = *span;

    if (bytes <= 0)
        return 0.0;
    two.size = 2;
    return tce_cost_collective_s(cm, TCE_COLL_SENDRECV, &two, bytes, NULL);
}

/* links: the plan's communication by how a measured pattern priced it. */
void tce_cost_linkcal_cover(const struct tce_costmodel *cm,
                            const struct tce_plan *plan,
                            const struct tce_span spans[TCE_GROUP_COUNT],
                            struct tce_cost_linkcal_cover *out)
{
    const struct tce_calibration_coll *e;
    enum tce_linkcal_match how;
    int l, i;

    memset(out, 0, sizeof(*out));
    out->entries = cm->linkcal.n;
    if (cm->linkcal.n == 0)
        return;
    for (l = 0; l < TCE_PLAN_LIST_COUNT; l++)
        for (i = 0; i < plan->list[l].n; i++) {
            const struct tce_op *op = &plan->list[l].ops[i];
            const struct tce_span *sp;
            struct tce_span two;

            if (op->kind == TCE_OP_COMPUTE ||
                (unsigned)op->group >= TCE_GROUP_COUNT)
                continue;
            sp = &spans[op->group];
            if (op->kind != TCE_OP_COLLECTIVE) {
                two = spans[TCE_GROUP_PP];
                two.size = 2;
                sp = &two;
            }
            if (sp->size <= 1)
                continue;
            e = tce_cost_linkcal_find(cm, op->coll, sp, &how);
            out->exact += how == TCE_LINKCAL_EXACT;
            out->shape += how == TCE_LINKCAL_SHAPE;
            if (e && tce_linkcal_outside(e, op->bytes) != 0 &&
                out->outside++ == 0) {
                char b[TCE_HUMANFMT_MAX], lo[TCE_HUMANFMT_MAX],
                    hi[TCE_HUMANFMT_MAX];

                snprintf(out->outside_what, sizeof(out->outside_what),
                         "%s %s %s bytes, measured %s to %s",
                         tce_coll_name(op->coll), tce_group_name(op->group),
                         tce_humanfmt_si(op->bytes, b, sizeof(b)),
                         tce_humanfmt_si((double)e->min_bytes, lo,
                                         sizeof(lo)),
                         tce_humanfmt_si((double)e->max_bytes, hi,
                                         sizeof(hi)));
            }
            if (how != TCE_LINKCAL_NONE)
                continue;
            out->none++;
            if (!out->none_what[0])
                snprintf(out->none_what, sizeof(out->none_what),
                         "%s %s (%s, %lld per node, %lld group(s) per node)",
                         tce_coll_name(op->coll), tce_group_name(op->group),
                         sp->leaves_domain ? "scale_out" : "scale_up",
                         (long long)sp->ranks_per_node,
                         (long long)sp->groups_per_node);
        }
}

void tce_cost_linkcal_cover_text(const struct tce_cost_linkcal_cover *c,
                                 char *buf, size_t len)
{
    int k;

    if (c->entries == 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    k = snprintf(buf, len,
                 "links: %d measured patterns (kind, span, size regime, "
                 "groups per node) price the plan's communication ops: %d "
                 "exactly, %d by concurrency (another group shape, closed "
                 "forms), %d not (link class figures)%s%.120s",
                 c->entries, c->exact, c->shape, c->none,
                 c->none ? "; first: " : "", c->none_what);
    if (c->outside > 0 && k >= 0 && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k,
                 "; %d outside the sizes measured (the nearest regime's "
                 "line extrapolated; first: %.120s)",
                 c->outside, c->outside_what);
}
