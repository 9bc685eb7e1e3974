/*
 * offload.h - the time of activation offloading (issue 11): the saved
 * activations of a stage's first cpu_offloading_num_layers layers copied
 * to host memory in the forward and back in the backward.
 *
 * Megatron-LM's --cpu-offloading (Transformer Engine's
 * get_cpu_offload_context, used by Megatron-Bridge's FSDP recipes on
 * GB200 and GB300) copies each offloaded layer's saved tensors
 * device-to-host on a side stream while the next layer's forward runs, and
 * reloads them host-to-device one layer ahead of the backward.  A copy
 * hides under the layer it overlaps while it is shorter; the rest of it
 * holds the next layer back:
 *
 *     exposed per offloaded layer = max(0, bytes / bw - forward layer)
 *                                 + max(0, bytes / bw - backward layer)
 *
 * bytes: the activations the memory model keeps for one layer and one
 * microbatch (model.h activation_per_layer_bytes); bw: the topology's
 * node.host_link_gbytes_per_s, the device-host rate per accelerator and
 * direction with every accelerator of the node copying (a GB200 tray:
 * NVLink-C2C, 900 GB/s both ways per Grace, shared by its two GPUs:
 * 225 GB/s).  Without a figure (0) the copies are taken as hidden.
 * Pure, no allocation.
 */
#ifndef TCEMU_OFFLOAD_H
#define TCEMU_OFFLOAD_H

#include <stdint.h>

/* Offloaded layers of a stage of stage_layers layers: the first
 * offload_layers of them (Megatron-LM counts them per pipeline stage),
 * never more than the stage has. */
int64_t tce_offload_layers(int64_t stage_layers, int64_t offload_layers);

/* Exposed seconds per offloaded layer and microbatch: forward (*fwd_s)
 * and backward (*bwd_s), by the rule above; 0 when bw_bytes_per_s <= 0
 * or bytes <= 0. */
void tce_offload_exposed_s(double bytes, double bw_bytes_per_s,
                           double fwd_layer_s, double bwd_layer_s,
                           double *fwd_s, double *bwd_s);

#endif
