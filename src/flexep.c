/*
 * flexep.c - the flex dispatcher's arithmetic: the destination domains a
 * token reaches, DeepEP's measured share of a NIC's line rate (see
 * flexep.h for the figures and their source).  Pure, no allocation.
 */
#include <math.h>

#include "tcemu/flexep.h"

static double log_choose(double n, double k)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

/* overlap (issue 11): several groups to a domain (groups a multiple of
 * domains): the g groups a token may use are drawn from the G, G / D to a
 * domain, so a domain holds j of them with the hypergeometric
 * probability, and k experts spread over the g groups miss all j with
 * probability (1 - j / g)^k:
 *   D x sum_j C(G/D, j) C(G - G/D, g - j) / C(G, g) x (1 - (1 - j/g)^k) */
static double domains_shared(double D, double k, double G, double g)
{
    double per = G / D, e = 0.0, j;

    for (j = 1.0; j <= per && j <= g; j += 1.0) {
        if (g - j > G - per)
            continue;
        e += exp(log_choose(per, j) + log_choose(G - per, g - j) -
                 log_choose(G, g)) *
             (1.0 - pow(1.0 - j / g, k));
    }
    return D * e;
}

double tce_flexep_domains(double domains, double topk, double groups,
                          double group_topk)
{
    double r = domains;

    if (domains <= 1.0 || topk <= 0.0)
        return domains < 1.0 ? 0.0 : 1.0;
    if (groups >= domains && group_topk > 0.0 && group_topk < groups &&
        fmod(groups, domains) == 0.0 && fmod(group_topk, 1.0) == 0.0)
        return domains_shared(domains, topk, groups, group_topk);
    if (groups > 0.0 && group_topk > 0.0 && group_topk < groups) {
        /* a group spans domains / groups domains (groups < domains), or
         * several groups share a domain (groups >= domains) */
        r = groups < domains ? group_topk * domains / groups : group_topk;
        if (r > domains)
            r = domains;
        if (r < 1.0)
            r = 1.0;
    }
    return r * (1.0 - pow(1.0 - 1.0 / r, topk));
}

double tce_deepep_wire_efficiency(double domains, int combine)
{
    const double e2 = 0.43, e4 = combine ? 0.855 : 0.87,
                 e8 = combine ? 0.875 : 0.8925;
    double x;

    if (domains <= 1.0)
        return 0.0;
    x = log2(domains);
    if (x <= 1.0)
        return e2;
    if (x <= 2.0)
        return e2 + (e4 - e2) * (x - 1.0);
    if (x <= 3.0)
        return e4 + (e8 - e4) * (x - 2.0);
    return e8;
}

/* what both backends send across domains */
#define FLEXEP_COPIES                                                        \
    "one copy per destination domain over the NICs, R(1-(1-1/R)^k) "         \
    "domains of R reachable, "

const char *tce_flexep_summary(enum tce_flex_backend b)
{
    if (b == TCE_FLEX_DEEPEP)
        return "deepep: " FLEXEP_COPIES
               "beside k copies over NVLink (the longer of the two), at "
               "DeepEP's measured 0.43/0.87/0.89 of the line rate across "
               "2/4/8 domains (deepseek-ai/DeepEP docs/legacy.md)";
    return "hybridep: " FLEXEP_COPIES
           "then k copies over NVLink, at the links' rate";
}
