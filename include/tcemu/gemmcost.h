/*
 * gemmcost.h - what an FP8 linear layer's recipe does to its GEMM's rate.
 *
 * gemm (issue 11).  Transformer Engine's FP8 recipes run different GEMM
 * kernels: delayed and current (tensorwise) scaling run the per-tensor-
 * scaled FP8 GEMM; MXFP8 (fp8_recipe "mxfp8", Blackwell) runs the block-
 * scaled GEMM, which applies an E8M0 scale to every 1x32 block of both
 * operands inside the main loop (Megatron-Bridge docs/performance-guide.md:
 * MXFP8's 1x32 blocks cost more "in both quantisation and GEMM
 * execution").  The kernel's rate relative to the tensorwise kernel of the
 * same shape is a measured property of the accelerator and its GEMM
 * library, accelerator.mxfp8_gemm_efficiency:
 *   Transformer Engine docs, "GEMM Profiling Tutorial"
 *   (docs/examples/gemm_profiling/gemm_profiling.rst, benchmarks/gemm/
 *   benchmark_gemm.py --pre-quantize, B300 SXM6, the 12 GEMMs of one layer
 *   of a 5B model, M = 15,872 tokens, h 4,096, ffn 16,384): per layer
 *   FP8 current scaling 6.812 ms, MXFP8 7.161 ms, inputs pre-quantised
 *   (quantisation excluded; BF16 13.102 ms): 6.812 / 7.161 = 0.951.
 * The quantisation passes are not here: they are the plan's fp8_cast ops
 * (plan_moe.c).  The rate scales the GEMM's FLOP time, not its memory
 * time: at the same shape the operands move the same bytes.
 *
 * Balance-point composition (checked, not adopted): on the measured H100
 * table (topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg, 130 BF16 GEMM
 * passes: fwd, dgrad, wgrad) a curve t = (t_c^p + t_m^p)^(1/p) + t_0,
 * t_c = FLOPs / (peak e g / (g + g_half)), t_m = bytes / (HBM m), with
 * e, g_half, m and t_0 fitted per p, gives a mean |log error| leaving
 * each table shape out of its own fit of 0.091 for p = inf (max),
 * 0.091 for p = 2 and 0.115 for p = 1 (the sum).  The sum fits the
 * expert rows (m = 128: 48 us measured) only with the shipped, estimated
 * H100 curve (e 0.72, g_half 0.79 GFLOP), whose fill time is too short;
 * with the fill measured, max fits as well as any, so the cost model keeps
 * max(compute, memory).
 */
#ifndef TCEMU_GEMMCOST_H
#define TCEMU_GEMMCOST_H

#include "tcemu/plan.h"

/* The rate an op's GEMM runs at relative to the tensorwise FP8 GEMM of
 * its shape: mxfp8_gemm_efficiency for a linear the plan marks
 * TCE_OP_F_MXFP8 (when in (0, 1]), else 1. */
double tce_gemmcost_recipe_rate(const struct tce_op *op,
                                double mxfp8_gemm_efficiency);

/* The HBM bytes an op moves on an accelerator: an fp8_cast's bytes less
 * its transposed copies (op->fp8_t_share) where the FP8 GEMM takes any
 * layout (any_layout != 0: Transformer Engine's quantizer.cpp writes a
 * tensorwise FP8 tensor's column-wise copy only when
 * !nvte_is_non_tn_fp8_gemm_supported(), i.e. before Blackwell); op->bytes
 * otherwise.  MXFP8 keeps both copies everywhere (its scales run along
 * rows in one, along columns in the other). */
double tce_gemmcost_cast_bytes(const struct tce_op *op, int any_layout);

#endif
