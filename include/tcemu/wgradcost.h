/*
 * wgradcost.h - a linear layer's backward as its two GEMMs, and the
 * weight-gradient GEMM's accumulation into the parameter's main_grad.
 *
 * wgrad (issue 11).  The backward of a linear layer Y = X W (X m x k, W
 * k x n, per GEMM of the op: an MoE op holds one GEMM per local expert)
 * is two GEMMs of the forward's FLOPs:
 *   dgrad  dX = dY W^T:  reads dY (m n) and W (k n), writes dX (m k, BF16);
 *   wgrad  dW = X^T dY:  reads X (m k) and dY (m n) and accumulates into
 *                        the parameter's main_grad (k n).
 * Megatron-LM's default gradient_accumulation_fusion (its
 * --no-gradient-accumulation-fusion turns it off; megatron/core/
 * tensor_parallel/layers.py LinearWithGradAccumulationAndAsyncCommunication,
 * Transformer Engine's Linear / GroupedLinear with fuse_wgrad_accumulation)
 * runs the wgrad GEMM with beta = 1 straight into main_grad: its epilogue
 * reads and writes every gradient element once per microbatch, at the
 * main_grad's precision (fp32 with grad_reduce_in_fp32, tcemu's
 * training.accumulate_allreduce_grads_in_fp32, else the parameters' BF16:
 * Megatron-Core distributed_data_parallel.py sizes the grad buffers so).
 * Without the fusion the wgrad GEMM writes a BF16 gradient and the DDP
 * backward hook adds it to main_grad (param.main_grad.add_(param.grad)):
 * a separate pass reading 2 + g and writing g bytes a parameter.
 *
 * An op marks this with main_grad_bytes > 0 (4 or 2) and wgrad_unfused.
 * Element sizes: the GEMM inputs at 2 B (BF16) or, for an FP8 linear
 * (TCE_OP_F_FP8), 1 B (Transformer Engine quantises X, W and dY; MXFP8
 * adds one E8M0 scale a 32-element block); dX at 2 B; main_grad as named.
 *
 * A measured compute table's wgrad pass (slurm/tcemu-gpu-collect.py:
 * torch.matmul(x.t(), g), a fresh BF16 output, beta = 0; FP8 rows
 * torch._scaled_mm with a BF16 output) writes the gradient once at 2 B
 * and reads no main_grad: measured_extra is what the fused kernel moves
 * beyond it ((2 g - 2) B a parameter), and unfused the add pass is not in
 * it either.  The cost model (costmodel.c) adds to such a measured time
 * only what the extra bytes add to the wgrad GEMM's roofline (nothing
 * where it is compute-bound).  Pure, O(1), no allocation.
 */
#ifndef TCEMU_WGRADCOST_H
#define TCEMU_WGRADCOST_H

#include "tcemu/plan.h"

struct tce_wgrad {
    double gemms;          /* GEMMs of the op (its local experts) */
    double params;         /* weight elements of the op: k n gemms */
    double dgrad_bytes;    /* the dgrad GEMMs' HBM bytes */
    double wgrad_bytes;    /* the wgrad GEMMs' (main_grad traffic incl.) */
    double add_bytes;      /* unfused: the separate main_grad add pass */
    double measured_extra; /* of wgrad_bytes: beyond a BF16-output x^T g
                              (what a measured table's wgrad lacks) */
};

/* 1 when op is a linear layer's backward the plan marked (main_grad_bytes
 * > 0, TCE_OP_F_BACKWARD, a GEMM shape and FLOPs). */
int tce_wgradcost_applies(const struct tce_op *op);

/* The two GEMMs' bytes of a marked backward op (zeros when it is not). */
void tce_wgradcost_split(const struct tce_op *op, struct tce_wgrad *w);

/* Seconds of the unfused add pass of w (0 when fused) at
 * elementwise_bytes_per_s when > 0, else at hbm_bytes_per_s. */
double tce_wgradcost_add_s(const struct tce_wgrad *w, double hbm_bytes_per_s,
                           double elementwise_bytes_per_s);

/* Mark a linear layer's backward op (flops already the backward's, twice
 * the forward's; shape the forward's): main_grad of main_grad_bytes (4 or
 * 2) per element, fused (gradient_accumulation_fusion) or not; op->bytes
 * becomes dgrad + wgrad + add bytes. */
void tce_wgradcost_mark(struct tce_op *op, double main_grad_bytes, int fused);

/* The assumption line `tcemu project` prints for a job's main_grad
 * precision and fusion. */
int tce_wgradcost_assumption(int fp32, int fused, char *buf, size_t size);

#endif
