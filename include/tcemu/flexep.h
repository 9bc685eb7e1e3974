/*
 * flexep.h - the flex dispatcher (issue 11): the scale-up domains a
 * token's experts land in (the copies that cross the scale-out network),
 * and its backends (Megatron-Core --moe-flex-dispatcher-backend): the
 * share of a NIC's line rate DeepEP's normal (training) dispatch and
 * combine kernels reach across scale-up domains, for the domain-crossing
 * stage (plan_moe.c, op field wire_efficiency; commcost.c uses it in place
 * of the scale-out link's efficiency and calibration), and how each
 * backend's two stages run.
 *
 * DeepEP's legacy (V1) normal kernels, measured on H800 with one
 * ConnectX-7 400 Gb/s (50 GB/s) each, DeepSeek-V3's setting
 * (4096 tokens, hidden 7168, top-4 groups, top-8 experts; deepseek-ai/
 * DeepEP docs/legacy.md): dispatch 43, 58 and 51 GB/s, combine 43, 57 and
 * 50 GB/s at EP 16, 32 and 64 (2, 4 and 8 nodes).  Those are logical
 * bandwidths: they count the copies for the sender's own node too (DeepEP
 * README: "90 GB/s actually contains local rank traffic"; issue 285), so
 * on the wire a rank moves (D - 1) / D of them: a share of the line rate
 * of 43 / 2 / 50 = 0.43 at 2 nodes (the maintainers: NVLink, not RDMA,
 * bounds that case on H800; an H200 pair measured 41-44 GB/s alike,
 * DeepEP issue 493), 58 x 3/4 / 50 = 0.87 at 4, 51 x 7/8 / 50 = 0.8925 at
 * 8 (combine 0.43, 0.855, 0.875).  Between them linear in log2(domains),
 * held beyond 8; nothing crosses at one domain (0).  Pure.
 */
#ifndef TCEMU_FLEXEP_H
#define TCEMU_FLEXEP_H

#include "tcemu/types.h"

/* moe (issue 11): expected distinct scale-up domains one token's topk
 * experts land in, with the EP group over `domains` domains and routing
 * uniform over the reachable ones (group-limited routing: groups expert
 * groups, group_topk of them per token; 0 = not limited; several groups
 * to a domain: the expectation over which groups a token may use). */
double tce_flexep_domains(double domains, double topk, double groups,
                          double group_topk);

/* The share of the line rate across `domains` scale-up domains, dispatch
 * (combine 0) or combine (1); 0 for <= 1 domain. */
double tce_deepep_wire_efficiency(double domains, int combine);

/* How backend b moves a token, for the projection's assumption lines
 * (static text). */
const char *tce_flexep_summary(enum tce_flex_backend b);

#endif
