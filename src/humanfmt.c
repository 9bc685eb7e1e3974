/*
 * humanfmt.c - planner-grade numbers for human tables (humanfmt.h).
 */
#include "tcemu/humanfmt.h"

#include <math.h>
#include <stdio.h>

char *tce_humanfmt_si(double v, char *buf, size_t n)
{
    static const char suffix[] = {'\0', 'k', 'M', 'B', 'T', 'P'};
    double a = fabs(v);
    int k = 0;

    if (!isfinite(v)) {
        snprintf(buf, n, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
        return buf;
    }
    if (a > 0.0 && a < 0.001) {
        snprintf(buf, n, "%s<0.001", v < 0 ? "-" : "");
        return buf;
    }
    /* the suffix whose mantissa rounds below 1000 at the precision used */
    while (k < 5 && a >= 999.95)
        a /= 1000.0, k++;
    a = v < 0 ? -a : a;
    if (k == 0)
        snprintf(buf, n, fabs(a) < 10.0 ? "%.3g" : "%.1f", a);
    else
        snprintf(buf, n, fabs(a) < 10.0 ? "%.2f%c" : "%.1f%c", a, suffix[k]);
    return buf;
}

char *tce_humanfmt_usd(double usd, char *buf, size_t n)
{
    char num[TCE_HUMANFMT_MAX];

    tce_humanfmt_si(usd, num, sizeof(num));
    snprintf(buf, n, "USD %s", num);
    return buf;
}

char *tce_humanfmt_count(int64_t v, char *buf, size_t n)
{
    char digits[32], out[48];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int len, i, j = 0;

    len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
    if (v < 0)
        out[j++] = '-';
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}
