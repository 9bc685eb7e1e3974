/*
 * gemmshape.c - a GEMM shape's fraction of the large GEMMs' rate from a carried
 * measured table (gemmshape.h).
 */
#include "tcemu/gemmshape.h"

/* A dimension past the largest the BF16 rows measured is taken at that
 * largest: a GEMM's rate saturates as a dimension grows (more output tiles
 * per wave, a longer mainloop), so the largest measured shapes' fraction
 * carries on, where the size-only curve would rate a shape just past the
 * table near its ceiling and one just inside it at the table's losses. */
static int64_t clamp_dim(int64_t v, int64_t max)
{
    return max > 0 && v > max ? max : v;
}

double tce_gemmshape_fraction(const struct tce_computetable *t, double large,
                              const struct tce_op *op,
                              enum tce_gemm_pass pass)
{
    enum tce_table_how how;
    int64_t mx[3] = {0, 0, 0}, m, n, k;
    double s, r;
    int i;

    if (!(large > 0) || op->gemm_m <= 0 || op->gemm_n <= 0 ||
        op->gemm_k <= 0)
        return 0.0;
    for (i = 0; i < t->n_gemms; i++) {
        const struct tce_computetable_gemm *g = &t->gemms[i];

        if (g->dtype != TCE_DTYPE_BF16 || !(tce_computetable_row_s(g, pass) > 0))
            continue;
        mx[0] = g->m > mx[0] ? g->m : mx[0];
        mx[1] = g->n > mx[1] ? g->n : mx[1];
        mx[2] = g->k > mx[2] ? g->k : mx[2];
    }
    m = clamp_dim(op->gemm_m, mx[0]);
    n = clamp_dim(op->gemm_n, mx[1]);
    k = clamp_dim(op->gemm_k, mx[2]);
    s = tce_computetable_gemm_carried_s(t, m, n, k, TCE_DTYPE_BF16, pass,
                                        &how);
    if (how == TCE_TABLE_NOT_COVERED || !(s > 0))
        return 0.0;
    r = 2.0 * (double)m * (double)n * (double)k / s / large;
    return r < 1.0 ? r : 1.0;
}

double tce_gemmshape_op_fraction(const struct tce_computetable *t,
                                 double large, const struct tce_op *op)
{
    double d, w;

    if (!(op->flags & TCE_OP_F_BACKWARD))
        return tce_gemmshape_fraction(t, large, op, TCE_GEMM_FWD);
    d = tce_gemmshape_fraction(t, large, op, TCE_GEMM_DGRAD);
    w = tce_gemmshape_fraction(t, large, op, TCE_GEMM_WGRAD);
    return d > 0 && w > 0 ? 2.0 / (1.0 / d + 1.0 / w) : 0.0;
}

double tce_gemmshape_at_peak(double f, double ratio)
{
    return f > 0 ? 1.0 / (1.0 + ratio * (1.0 / f - 1.0)) : 0.0;
}
