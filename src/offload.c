/*
 * offload.c - the time of activation offloading (offload.h).
 */
#include "tcemu/offload.h"

int64_t tce_offload_layers(int64_t stage_layers, int64_t offload_layers)
{
    if (stage_layers <= 0 || offload_layers <= 0)
        return 0;
    return offload_layers < stage_layers ? offload_layers : stage_layers;
}

static double beyond(double copy_s, double under_s)
{
    return copy_s > under_s ? copy_s - under_s : 0.0;
}

void tce_offload_exposed_s(double bytes, double bw_bytes_per_s,
                           double fwd_layer_s, double bwd_layer_s,
                           double *fwd_s, double *bwd_s)
{
    double copy;

    *fwd_s = *bwd_s = 0.0;
    if (bw_bytes_per_s <= 0.0 || bytes <= 0.0)
        return;
    copy = bytes / bw_bytes_per_s;
    *fwd_s = beyond(copy, fwd_layer_s);
    *bwd_s = beyond(copy, bwd_layer_s);
}
