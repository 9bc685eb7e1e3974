/*
 * tablecurve.c - what a measured compute table tells the cost model's
 * curve (costmodel.h): the FP8 speed-up it measured on a shape timed in
 * both dtypes, and the curve's large-GEMM ceiling per dtype outside the
 * table (ceil, issue 10).
 */
#include "tcemu/costmodel.h"
#include "tcemu/stats.h"

double tce_cost_fp8_speedup(const struct tce_computetable *t)
{
    double best = 0.0, speedup = 0.0, f;
    int i, j;

    for (i = 0; i < t->n_gemms; i++) {
        const struct tce_computetable_gemm *a = &t->gemms[i];

        if (a->dtype != TCE_DTYPE_FP8 || a->fwd_s <= 0)
            continue;
        for (j = 0; j < t->n_gemms; j++) {
            const struct tce_computetable_gemm *b = &t->gemms[j];

            if (b->dtype != TCE_DTYPE_BF16 || b->fwd_s <= 0 ||
                b->m != a->m || b->n != a->n || b->k != a->k)
                continue;
            f = (double)a->m * (double)a->n * (double)a->k;
            if (f > best) {
                best = f;
                speedup = b->fwd_s / a->fwd_s;
            }
        }
    }
    return speedup;
}

void tce_cost_curve_ceilings(struct tce_costmodel *cm)
{
    double eff[TCE_COMPUTETABLE_GEMMS_MAX], peak, f;
    int i, d, n;

    for (d = 0; d < TCE_DTYPE_COUNT; d++) {
        cm->curve_ceiling[d] = 0.0;
        if (!cm->has_table)
            continue;
        peak = d == TCE_DTYPE_FP8 ? cm->fp8_peak_flops : cm->bf16_peak_flops;
        for (i = n = 0; i < cm->table.n_gemms && peak > 0; i++) {
            const struct tce_computetable_gemm *g = &cm->table.gemms[i];

            f = 2.0 * (double)g->m * (double)g->n * (double)g->k;
            /* saturated: where the curve's size factor is within 1% of 1 */
            if ((int)g->dtype != d || g->fwd_s <= 0 ||
                f < 100.0 * cm->matmul_half_flops)
                continue;
            eff[n++] = f / g->fwd_s / peak;
        }
        if (n > 0)
            cm->curve_ceiling[d] = tce_stats_median(eff, (size_t)n) *
                                   tce_cost_table_sustained(cm);
    }
}
