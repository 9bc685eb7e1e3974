/*
 * eppair.c - a MoE layer's EP communication paired as Megatron-Core's
 * combined 1F1B schedule runs it (eppair.h).
 */
#include "tcemu/eppair.h"

#include <math.h>
#include <stdint.h>

#include "tcemu/projcache.h"

int tce_eppair_is_paired(const struct tce_op *op, int pair)
{
    return pair && op->kind != TCE_OP_COMPUTE &&
           (op->flags & TCE_OP_F_EP_PAIRED) &&
           !(op->flags & TCE_OP_F_RECOMPUTED);
}

void tce_eppair_add(struct tce_eppair_walk *w, const struct tce_op *op,
                    double t, double sm_count)
{
    struct tce_ep_phases *p = w->p;
    int k;

    if (op->kind != TCE_OP_COMPUTE) {
        /* consecutive paired ops (a flex dispatch's stages) are one run */
        if (!w->in_run) {
            p->runs++;
            w->in_run = 1;
        }
        if (p->runs <= 2)
            p->comm_s[p->runs - 1] += t;
        if (op->comm_sms > 0 && sm_count > (double)op->comm_sms)
            p->sm_share = (double)op->comm_sms / sm_count;
        return;
    }
    w->in_run = 0;
    if (op->flags & TCE_OP_F_CAST) {
        w->cast += t;
        return;
    }
    k = p->runs < 2 ? p->runs : 2;
    p->seg_s[k] += t;
    if (op->flops > 0 && op->gemm_n > 0) {
        w->gemm[k] += t;
        if (k == 1 && (op->flags & TCE_OP_F_BACKWARD))
            p->wgrad_s += 0.5 * t;
    }
}

void tce_eppair_end(struct tce_eppair_walk *w)
{
    double g = w->gemm[0] + w->gemm[1] + w->gemm[2];
    int k;

    if (w->p->runs == 0)
        return;
    for (k = 0; k < 3; k++)
        w->p->seg_s[k] += g > 0.0 ? w->cast * w->gemm[k] / g : w->cast / 3.0;
}

/* One pass: exposed to EP, the hidden rest's SM share to compute; run
 * alone it would expose all of comm and hold no SMs beside compute. */
static void charge_one(struct tce_list_time *t, double exposed, double comm)
{
    double held = (comm - exposed > 0.0 ? comm - exposed : 0.0) *
                  t->ep.sm_share;

    t->part_s[TCE_CHARGE_EP] += exposed;
    t->part_s[TCE_CHARGE_COMPUTE] += held;
    t->total_s += exposed + held;
    t->solo_ep_s = comm - exposed;
    t->solo_compute_s = -held;
}

void tce_eppair_charge(struct tce_list_time *f, struct tce_list_time *b,
                       double sched_s)
{
    const struct tce_ep_phases *pf = &f->ep, *pb = &b->ep;
    double cf = pf->comm_s[0] + pf->comm_s[1];
    double cb = pb->comm_s[0] + pb->comm_s[1];
    double dg, comm_end, comp_end, e1, e2, e3, host;

    if (pf->runs == 0 && pb->runs == 0)
        return;
    if (pf->runs != 2 || pb->runs != 2) {
        charge_one(f, fmax(0.0, cf - (pf->seg_s[0] + pf->seg_s[1] +
                                      pf->seg_s[2])), cf);
        charge_one(b, fmax(0.0, cb - (pb->seg_s[0] + pb->seg_s[1] +
                                      pb->seg_s[2])), cb);
        /* hidden under its own compute: alone the same */
        f->solo_ep_s = f->solo_compute_s = 0.0;
        b->solo_ep_s = b->solo_compute_s = 0.0;
        return;
    }
    e1 = fmax(0.0, pb->comm_s[0] - pf->seg_s[0]);
    dg = pb->seg_s[1] - pb->wgrad_s;
    comm_end = fmax(pf->comm_s[0], dg) + pb->comm_s[1];
    comp_end = fmax(pb->seg_s[1], pf->comm_s[0]) + pf->seg_s[1];
    e2 = fmax(comm_end, comp_end) - (pb->seg_s[1] + pf->seg_s[1]);
    e3 = fmax(0.0, pf->comm_s[1] - pb->seg_s[2]);
    charge_one(f, e3 + 0.5 * e2, cf);
    charge_one(b, e1 + 0.5 * e2, cb);
    /* host (issue 11): one thread launches the pair, the forward's sync
     * in the middle */
    host = fmax(pf->host_pre_s, pf->gpu_pre_s) + pf->host_post_s +
           pb->host_pre_s + pb->host_post_s + sched_s -
           (f->total_s + b->total_s);
    if (host > 0.0) {
        f->part_s[TCE_CHARGE_COMPUTE] += 0.5 * host;
        f->total_s += 0.5 * host;
        b->part_s[TCE_CHARGE_COMPUTE] += 0.5 * host;
        b->total_s += 0.5 * host;
        f->solo_compute_s -= 0.5 * host;
        b->solo_compute_s -= 0.5 * host;
    }
}

double tce_eppair_solo_fraction(int64_t p, int64_t v, int64_t m,
                                int64_t stage)
{
    int64_t total = m * v, w;

    if (total <= 0)
        return 0.0;
    if (p <= 1)
        w = 1;
    else if (v > 1)
        w = 2 * (p - stage - 1) + (v - 1) * p + 1;
    else
        w = p - stage; /* p - s - 1 warm-up, + 1 under the overlap */
    if (w > total)
        w = total;
    return (double)w / (double)total;
}
