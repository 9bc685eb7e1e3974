/*
 * plan_int.h - what the plan's source files (plan.c, plan_moe.c) share and
 * nothing else includes: the job's dimensions resolved for one layout
 * (struct dims), the build context (struct ctx) and the op builders.
 *
 * The builders append one op to a list (see plan.h for the fields and the
 * byte conventions).  Inside the plan's files they are called by their
 * short names (gemm, elt, coll, ...), the static inline aliases below.
 */
#ifndef TCEMU_PLAN_INT_H
#define TCEMU_PLAN_INT_H

#include "tcemu/model.h"
#include "tcemu/plan.h"

struct dims {
    double h, a, g, dqk, dv, kvdim, s, V, E, topk, fm, fs, nmat;
    double t, c, b, T;          /* T: tokens of one microbatch on a CP rank */
    double elt_tokens;          /* tokens an element-wise op touches */
    int sp;
    int flash;                  /* fused attention: no scores in HBM */
};

struct ctx {
    const struct tce_job *job;
    const struct tce_layout *lay;
    struct dims x;
    struct tce_flops_per_token f;
    enum tce_overlap tp_ov;
};

/* plan.c: op builders */
struct tce_op *tce_plan_gemm(struct tce_op_list *l, const char *name,
                             double flops, double one_gemm, double bytes,
                             unsigned flags);
void tce_plan_linear(struct tce_op *op, double m, double n, double k);
void tce_plan_elt(struct tce_op_list *l, const char *name, double bytes,
                  unsigned flags);
void tce_plan_coll(struct tce_op_list *l, const char *name,
                   enum tce_coll kind, enum tce_group g, double bytes,
                   enum tce_overlap ov, enum tce_charge charge,
                   unsigned flags);
/* plan.c: blocks */
void tce_plan_tp_enter(const struct ctx *c, struct tce_op_list *l,
                       const char *name, unsigned fl);
void tce_plan_tp_leave(const struct ctx *c, struct tce_op_list *l,
                       const char *name, unsigned fl);
void tce_plan_bda(const struct ctx *c, struct tce_op_list *l,
                  const char *name, unsigned fl);
void tce_plan_attention_fwd(const struct ctx *c, struct tce_op_list *l,
                            unsigned fl);
/* plan_moe.c: the MLP of width f over `tokens` tokens, and the MoE layer */
void tce_plan_mlp_fwd(const struct ctx *c, struct tce_op_list *l, double f,
                      double tokens, const char *fc1, const char *act,
                      const char *fc2, unsigned fl);
void tce_plan_moe_fwd(const struct ctx *c, struct tce_op_list *l,
                      unsigned fl);
/* plan_moe.c: finish a layer's forward list: mark its linear layers FP8
 * when the job runs FP8 and append the casts its recipe needs (one
 * element-wise op); mark its compute ops graphed with enable_cuda_graph */
void tce_plan_layer_marks(const struct ctx *c, struct tce_op_list *l);

/* short names inside the plan's files */
static inline struct tce_op *gemm(struct tce_op_list *l, const char *name,
                                  double flops, double one_gemm, double bytes,
                                  unsigned flags)
{
    return tce_plan_gemm(l, name, flops, one_gemm, bytes, flags);
}

static inline void linear(struct tce_op *op, double m, double n, double k)
{
    tce_plan_linear(op, m, n, k);
}

static inline void elt(struct tce_op_list *l, const char *name, double bytes,
                       unsigned flags)
{
    tce_plan_elt(l, name, bytes, flags);
}

static inline void coll(struct tce_op_list *l, const char *name,
                        enum tce_coll kind, enum tce_group g, double bytes,
                        enum tce_overlap ov, enum tce_charge charge,
                        unsigned flags)
{
    tce_plan_coll(l, name, kind, g, bytes, ov, charge, flags);
}

static inline void tp_enter(const struct ctx *c, struct tce_op_list *l,
                            const char *name, unsigned fl)
{
    tce_plan_tp_enter(c, l, name, fl);
}

static inline void tp_leave(const struct ctx *c, struct tce_op_list *l,
                            const char *name, unsigned fl)
{
    tce_plan_tp_leave(c, l, name, fl);
}

static inline void bda(const struct ctx *c, struct tce_op_list *l,
                       const char *name, unsigned fl)
{
    tce_plan_bda(c, l, name, fl);
}

static inline void attention_fwd(const struct ctx *c, struct tce_op_list *l,
                                 unsigned fl)
{
    tce_plan_attention_fwd(c, l, fl);
}

static inline void mlp_fwd(const struct ctx *c, struct tce_op_list *l,
                           double f, double tokens, const char *fc1,
                           const char *act, const char *fc2, unsigned fl)
{
    tce_plan_mlp_fwd(c, l, f, tokens, fc1, act, fc2, fl);
}

static inline void moe_fwd(const struct ctx *c, struct tce_op_list *l,
                           unsigned fl)
{
    tce_plan_moe_fwd(c, l, fl);
}

#endif
