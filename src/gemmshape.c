/*
 * gemmshape.c - a GEMM shape's fraction of the large GEMMs' rate from a carried
 * measured table (gemmshape.h).
 */
#include "tcemu/gemmshape.h"

#include <string.h>

void tce_gemmshape_init(struct tce_gemmshape *g,
                        const struct tce_computetable *t,
                        double saturated_flops)
{
    int i, p;

    memset(g, 0, sizeof(*g));
    g->large = tce_computetable_large_rate(t, saturated_flops);
    for (i = 0; i < t->n_gemms; i++) {
        const struct tce_computetable_gemm *r = &t->gemms[i];
        int64_t d[3] = {r->m, r->n, r->k};
        int j;

        if (r->dtype != TCE_DTYPE_BF16)
            continue;
        for (p = 0; p < TCE_GEMM_PASS_COUNT; p++)
            if (tce_computetable_row_s(r, (enum tce_gemm_pass)p) > 0)
                for (j = 0; j < 3; j++)
                    if (d[j] > g->max[p][j])
                        g->max[p][j] = d[j];
    }
}

/* A dimension past the largest the BF16 rows measured is taken at that
 * largest: a GEMM's rate saturates as a dimension grows (more output tiles
 * per wave, a longer mainloop), so the largest measured shapes' fraction
 * carries on, where the size-only curve would rate a shape just past the
 * table near its ceiling and one just inside it at the table's losses. */
static int64_t clamp_dim(int64_t v, int64_t max)
{
    return max > 0 && v > max ? max : v;
}

double tce_gemmshape_fraction(const struct tce_computetable *t,
                              const struct tce_gemmshape *g,
                              const struct tce_op *op,
                              enum tce_gemm_pass pass)
{
    enum tce_table_how how;
    int64_t m, n, k;
    double s, r;

    if (!(g->large > 0) || op->gemm_m <= 0 || op->gemm_n <= 0 ||
        op->gemm_k <= 0)
        return 0.0;
    m = clamp_dim(op->gemm_m, g->max[pass][0]);
    n = clamp_dim(op->gemm_n, g->max[pass][1]);
    k = clamp_dim(op->gemm_k, g->max[pass][2]);
    s = tce_computetable_gemm_carried_s(t, m, n, k, TCE_DTYPE_BF16, pass,
                                        &how);
    if (how == TCE_TABLE_NOT_COVERED || !(s > 0))
        return 0.0;
    r = 2.0 * (double)m * (double)n * (double)k / s / g->large;
    return r < 1.0 ? r : 1.0;
}

double tce_gemmshape_op_fraction(const struct tce_computetable *t,
                                 const struct tce_gemmshape *g,
                                 const struct tce_op *op)
{
    double d, w;

    if (!(op->flags & TCE_OP_F_BACKWARD))
        return tce_gemmshape_fraction(t, g, op, TCE_GEMM_FWD);
    d = tce_gemmshape_fraction(t, g, op, TCE_GEMM_DGRAD);
    w = tce_gemmshape_fraction(t, g, op, TCE_GEMM_WGRAD);
    return d > 0 && w > 0 ? 2.0 / (1.0 / d + 1.0 / w) : 0.0;
}

double tce_gemmshape_at_peak(double f, double ratio)
{
    return f > 0 ? 1.0 / (1.0 + ratio * (1.0 / f - 1.0)) : 0.0;
}
