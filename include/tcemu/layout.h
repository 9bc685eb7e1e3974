/*
 * layout.h - the parallel shape of a job and where each rank sits.
 *
 * Megatron order: TP innermost (inside a node / scale-up domain), then CP,
 * then DP (with EP carved out of DP), PP outermost:
 *     rank = tp + t*(cp + c*(dp + d*pp))
 * An expert-parallel group is ep consecutive DP replicas of the same
 * (tp, cp, pp) coordinates; the expert-data-parallel group is the dp/ep
 * replicas holding the same experts.
 *
 * Pure functions over plain structs; used by the projector (any scale, never
 * enumerating ranks) and by the emulator (to build communicators with
 * MPI_Comm_split from the same colours).
 */
#ifndef TCEMU_LAYOUT_H
#define TCEMU_LAYOUT_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/error.h"

struct tce_layout {
    int64_t gpus;          /* world size */
    int64_t tp, pp, vpp, cp, ep, dp;
    int64_t micro_batch;   /* b */
    int64_t microbatches;  /* m = global_batch / (dp * b) */
    int64_t gpus_per_node; /* from the topology (node.accelerators) */
    int64_t scale_up_domain; /* accelerators per scale-up domain */
};

/* A rank's coordinates in the layout. */
struct tce_coords {
    int64_t tp, cp, dp, pp;
    int64_t ep;            /* dp % ep: position inside its EP group */
    int64_t edp;           /* dp / ep: position among expert replicas */
    int64_t node;          /* rank / gpus_per_node */
};

/* Group kinds a rank communicates in. */
enum tce_group {
    TCE_GROUP_TP,
    TCE_GROUP_CP,
    TCE_GROUP_DP,       /* all data-parallel replicas (dense weights) */
    TCE_GROUP_EP,       /* expert-parallel group */
    TCE_GROUP_EDP,      /* expert-data-parallel (expert weights' DP) */
    TCE_GROUP_PP,       /* the pipeline: neighbours are prev/next stage */
    TCE_GROUP_WORLD,
    TCE_GROUP_COUNT
};

const char *tce_group_name(enum tce_group g);

#endif
