/*
 * plan_moe.c - the plan's MLP blocks: a dense MLP of any width (the dense
 * layer's, the shared experts') and the MoE layer (router, expert-parallel
 * dispatch and combine, the local experts' grouped GEMMs).  Built with
 * plan.c's op builders (plan_int.h); the conventions are plan.h's.  Pure,
 * no allocation.
 */
#include "plan_int.h"

/* Forward of a dense MLP of width f (per TP group), named by prefix. */
void tce_plan_mlp_fwd(const struct ctx *c, struct tce_op_list *l, double f,
                      double tokens, const char *fc1, const char *act,
                      const char *fc2, unsigned fl)
{
    const struct dims *x = &c->x;
    double fl1 = 2.0 * tokens * x->h * f * (x->nmat - 1.0) / x->t;
    double fl2 = 2.0 * tokens * x->h * f / x->t;

    linear(gemm(l, fc1, fl1, fl1 / (x->nmat - 1.0),
                2.0 * (tokens * x->h + x->h * f * (x->nmat - 1.0) / x->t +
                       tokens * f * (x->nmat - 1.0) / x->t),
                fl),
           tokens, f * (x->nmat - 1.0) / x->t, x->h);
    elt(l, act, 2.0 * tokens * f / x->t * x->nmat, fl);
    linear(gemm(l, fc2, fl2, fl2,
                2.0 * (tokens * f / x->t + x->h * f / x->t + tokens * x->h),
                fl),
           tokens, x->h, f / x->t);
}

static double a2a_bytes(const struct ctx *c)
{
    const struct dims *x = &c->x;
    return x->elt_tokens * x->h * 2.0 * x->topk;
}

void tce_plan_moe_fwd(const struct ctx *c, struct tce_op_list *l,
                      unsigned fl)
{
    const struct dims *x = &c->x;
    double ep = (double)c->lay->ep;
    /* the router is tiny; counted once per TP group like every GEMM */
    double router = 2.0 * x->T * x->h * x->E / x->t;
    /* token-expert pairs this rank computes: its EP group's tokens spread
     * evenly over the group's experts */
    double pairs = x->T * x->topk;
    double per_expert = pairs * ep / (x->E > 0 ? x->E : 1.0);
    double fl1 = 2.0 * pairs * x->h * x->fm * (x->nmat - 1.0) / x->t;
    double fl2 = 2.0 * pairs * x->h * x->fm / x->t;

    attention_fwd(c, l, fl);
    elt(l, "ln_mlp", 4.0 * x->elt_tokens * x->h, fl);
    gemm(l, "router", router, router, 2.0 * x->elt_tokens * x->h, fl);
    if (c->lay->ep > 1)
        coll(l, "ep_a2a_dispatch", TCE_COLL_ALL_TO_ALL, TCE_GROUP_EP,
             a2a_bytes(c), TCE_OVERLAP_NONE, TCE_CHARGE_EP, fl);
    tp_enter(c, l, "tp_ag_moe", fl);
    linear(gemm(l, "expert_fc1", fl1, 2.0 * per_expert * x->h * x->fm / x->t,
                2.0 * (pairs * x->h +
                       x->h * x->fm * (x->nmat - 1.0) / x->t *
                           (x->E > 0 ? x->E / ep : 0.0) +
                       pairs * x->fm * (x->nmat - 1.0) / x->t),
                fl),
           per_expert, x->fm * (x->nmat - 1.0) / x->t, x->h);
    elt(l, "expert_act", 2.0 * pairs * x->fm / x->t * x->nmat, fl);
    linear(gemm(l, "expert_fc2", fl2, 2.0 * per_expert * x->h * x->fm / x->t,
                2.0 * (pairs * x->fm / x->t +
                       x->h * x->fm / x->t * (x->E > 0 ? x->E / ep : 0.0) +
                       pairs * x->h),
                fl),
           per_expert, x->h, x->fm / x->t);
    if (x->fs > 0)
        mlp_fwd(c, l, x->fs, x->T, "shared_fc1", "shared_act", "shared_fc2",
                fl);
    tp_leave(c, l, "tp_out_moe", fl);
    if (c->lay->ep > 1)
        coll(l, "ep_a2a_combine", TCE_COLL_ALL_TO_ALL, TCE_GROUP_EP,
             a2a_bytes(c), TCE_OVERLAP_NONE, TCE_CHARGE_EP, fl);
    bda(c, l, "bda_mlp", fl);
}
