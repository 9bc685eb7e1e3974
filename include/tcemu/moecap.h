/*
 * moecap.h - Megatron-Core's expert capacity (token drop): what a capacity
 * factor does to a rank's routed tokens (issue 11).
 *
 * training.moe_expert_capacity_factor cf > 0 gives each expert a capacity
 * of ceil(tokens x topk / num_experts x cf) of a rank's routed copies
 * (Megatron-Core moe_utils.py get_capacity, topk_softmax_with_capacity);
 * the copies beyond it are dropped.  With
 * training.moe_pad_expert_input_to_capacity every expert's input is padded
 * to its capacity (the padding travels in the all-to-all and is permuted
 * and computed like tokens).  cf = 0 is dropless.  At uniform routing:
 *
 *   copies a rank sends and permutes, over tokens x topk:
 *       dropless 1; dropping min(1, cf); padded cf
 *   the busiest expert's work, over the mean (imbalance: the job's
 *   training.moe_expert_load_imbalance, at least 1):
 *       dropless imbalance; dropping min(imbalance, cf); padded cf
 *   the routing skew an EP all-to-all can carry (the hottest destination
 *   at (1 + skew) x its share, tcemu run --routing-skew):
 *       dropless skew; dropping min(skew, cf - 1), not below 0; padded 0
 *
 * Pure, no allocation.
 */
#ifndef TCEMU_MOECAP_H
#define TCEMU_MOECAP_H

#include "tcemu/types.h"

/* Routed copies a rank sends and permutes, as a share of tokens x topk. */
double tce_moecap_routed_share(const struct tce_training *t);

/* The busiest expert's work over the mean. */
double tce_moecap_expert_load(const struct tce_training *t);

/* The routing skew an EP all-to-all carries when skew is asked. */
double tce_moecap_alltoall_skew(const struct tce_training *t, double skew);

#endif
