/*
 * wgradcost.c - a linear layer's backward as dgrad + wgrad, and the
 * wgrad GEMM's main_grad accumulation (wgradcost.h).  Pure.
 */
#include <stdio.h>
#include <string.h>

#include "tcemu/wgradcost.h"

int tce_wgradcost_applies(const struct tce_op *op)
{
    return op->kind == TCE_OP_COMPUTE && op->main_grad_bytes > 0.0 &&
           (op->flags & TCE_OP_F_BACKWARD) && op->flops > 0.0 &&
           op->gemm_m > 0 && op->gemm_n > 0 && op->gemm_k > 0;
}

/* Bytes of one GEMM input element: BF16, or FP8 (MXFP8: one E8M0 scale
 * a 32-element block). */
static double input_bytes(const struct tce_op *op)
{
    if (!(op->flags & TCE_OP_F_FP8))
        return 2.0;
    return (op->flags & TCE_OP_F_MXFP8) ? 1.0 + 1.0 / 32.0 : 1.0;
}

void tce_wgradcost_split(const struct tce_op *op, struct tce_wgrad *w)
{
    double m, n, k, a, g;

    memset(w, 0, sizeof(*w));
    if (!tce_wgradcost_applies(op))
        return;
    m = (double)op->gemm_m;
    n = (double)op->gemm_n;
    k = (double)op->gemm_k;
    a = input_bytes(op);
    g = op->main_grad_bytes;
    /* the backward's FLOPs are dgrad + wgrad: 2 x 2 m n k a GEMM */
    w->gemms = op->flops / (4.0 * m * n * k);
    w->params = k * n * w->gemms;
    w->dgrad_bytes = ((m * n + k * n) * a + m * k * 2.0) * w->gemms;
    w->wgrad_bytes = (m * k + m * n) * a * w->gemms;
    if (op->wgrad_unfused) {
        w->wgrad_bytes += 2.0 * w->params;           /* BF16 wgrad */
        w->add_bytes = (2.0 + 2.0 * g) * w->params;  /* main_grad += */
    } else {
        w->wgrad_bytes += 2.0 * g * w->params;       /* beta = 1 */
        w->measured_extra = (2.0 * g - 2.0) * w->params;
    }
}

double tce_wgradcost_add_s(const struct tce_wgrad *w, double hbm_bytes_per_s,
                           double elementwise_bytes_per_s)
{
    double bw = elementwise_bytes_per_s > 0.0 ? elementwise_bytes_per_s
                                              : hbm_bytes_per_s;

    return w->add_bytes > 0.0 && bw > 0.0 ? w->add_bytes / bw : 0.0;
}

void tce_wgradcost_mark(struct tce_op *op, double main_grad_bytes, int fused)
{
    struct tce_wgrad w;

    op->main_grad_bytes = main_grad_bytes;
    op->wgrad_unfused = !fused;
    tce_wgradcost_split(op, &w);
    if (w.gemms > 0.0)
        op->bytes = w.dgrad_bytes + w.wgrad_bytes + w.add_bytes;
}

int tce_wgradcost_assumption(int fp32, int fused, char *buf, size_t size)
{
    int n;

    if (fused)
        n = snprintf(buf, size,
                     "a linear layer's backward is its dgrad and its wgrad "
                     "GEMM, each its own roofline; the wgrad GEMM "
                     "accumulates into main_grad (beta = 1, "
                     "gradient_accumulation_fusion: Megatron-LM "
                     "tensor_parallel/layers.py, TE fuse_wgrad_accumulation),"
                     " reading and writing %d B a parameter per microbatch "
                     "(%s main_grad); a measured table's wgrad (BF16 output,"
                     " beta = 0) gets the extra %d B a parameter at the HBM "
                     "rate",
                     fp32 ? 8 : 4, fp32 ? "fp32" : "BF16", fp32 ? 6 : 2);
    else
        n = snprintf(buf, size,
                     "a linear layer's backward is its dgrad and its wgrad "
                     "GEMM, each its own roofline; without "
                     "gradient_accumulation_fusion the wgrad GEMM writes a "
                     "BF16 gradient (2 B a parameter) and a separate pass "
                     "adds it to the %s main_grad (%d B a parameter per "
                     "microbatch: Megatron-Core DDP's main_grad.add_)",
                     fp32 ? "fp32" : "BF16", fp32 ? 10 : 6);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
