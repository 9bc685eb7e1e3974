/*
 * gemmshape.h - a GEMM shape's fraction of the large GEMMs' rate, carried
 * from another accelerator's measured table (shape, issue 11).
 *
 * The topology's curve (costmodel.h) rates a GEMM by its size alone
 * (matmul_half_gflop).  A shape's own losses are not a function of its
 * size: a grouped expert GEMM at 1,024 tokens an expert (DeepSeek-V3's
 * expert shapes) ran at 40-88% of the large GEMMs' rate in the measured
 * H100 table (topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg), at 8,192
 * tokens at 84-100%; the losses are the last wave's idle SMs over a few output
 * tiles, and the fixed prologue and epilogue of a tile against a short
 * mainloop (the wgrad's depth is the tokens an expert gets).  Where an
 * accelerator has no table of its own, its topology may name such a table
 * (accelerator.gemm_shape_reference): each linear layer's pass (the
 * computetable.h passes of its forward shape) then runs at the accelerator's
 * matmul_efficiency x the pass's rate there over the rate of the table's
 * large BF16 GEMMs (at most 1), in place of the size term.
 *
 * Assumptions (printed by `tcemu project`):
 *  - the fraction a shape reaches is a property of the shape and of the
 *    GEMM kernels' tiling, which the reference's accelerator and the target
 *    share in kind (Blackwell's 2-SM tiles are larger and its mainloop
 *    faster, so it loses at least as much: the carried fraction is the
 *    smaller loss);
 *  - a row of the query's own shape whose rate is off its nearest rows by
 *    more than the table's outlier factor is the measuring stack's kernel
 *    choice for that shape and is not carried (computetable.h
 *    tce_computetable_gemm_carried_s);
 *  - FP8: the losses are fill and tail time, which an FP8 GEMM's faster
 *    ideal time does not shorten: 1 / fraction - 1 grows by the FP8 peak
 *    over the BF16 peak (as the curve's size term, costmodel.c).
 * Pure functions, no allocation.
 */
#ifndef TCEMU_GEMMSHAPE_H
#define TCEMU_GEMMSHAPE_H

#include "tcemu/computetable.h"
#include "tcemu/plan.h"

/* What a cost model keeps of its reference table, derived once: the rate
 * its large GEMMs reach (tce_computetable_large_rate at 100 x the
 * accelerator's matmul_half_gflop, where the curve's size factor is within
 * 1% of 1, as tablecurve.c's ceiling; 0: none, the reference unused) and
 * per pass the largest m, n, k its BF16 rows timed. */
struct tce_gemmshape {
    double large;
    int64_t max[TCE_GEMM_PASS_COUNT][3];
};

void tce_gemmshape_init(struct tce_gemmshape *g,
                        const struct tce_computetable *t,
                        double saturated_flops);

/* The fraction of g->large that op's pass reached in t's BF16 rows, at
 * most 1; a dimension past the rows' largest is taken at the largest; 0
 * when the op has no GEMM shape or t does not cover it (below its rows:
 * the curve's size term applies). */
double tce_gemmshape_fraction(const struct tce_computetable *t,
                              const struct tce_gemmshape *g,
                              const struct tce_op *op,
                              enum tce_gemm_pass pass);

/* The fraction of a whole op: a forward op's forward pass; a backward op's
 * dgrad and wgrad together (their times add: the harmonic mean); 0 when
 * either is not covered. */
double tce_gemmshape_op_fraction(const struct tce_computetable *t,
                                 const struct tce_gemmshape *g,
                                 const struct tce_op *op);

/* A BF16 fraction f > 0 at a peak `ratio` times the BF16 peak (FP8: 2):
 * 1 / (1 + ratio (1 / f - 1)). */
double tce_gemmshape_at_peak(double f, double ratio);

#endif
