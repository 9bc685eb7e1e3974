/*
 * gemmcost.c - the FP8 recipe's GEMM rate (gemmcost.h).  Pure.
 */
#include "tcemu/gemmcost.h"

double tce_gemmcost_recipe_rate(const struct tce_op *op,
                                double mxfp8_gemm_efficiency)
{
    if (!(op->flags & TCE_OP_F_FP8) || !(op->flags & TCE_OP_F_MXFP8))
        return 1.0;
    if (!(mxfp8_gemm_efficiency > 0.0) || mxfp8_gemm_efficiency > 1.0)
        return 1.0;
    return mxfp8_gemm_efficiency;
}

double tce_gemmcost_cast_bytes(const struct tce_op *op, int any_layout)
{
    if (!any_layout || !(op->fp8_t_share > 0.0) || op->fp8_t_share >= 1.0)
        return op->bytes;
    return op->bytes * (1.0 - op->fp8_t_share);
}
