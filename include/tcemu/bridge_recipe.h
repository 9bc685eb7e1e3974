/*
 * bridge_recipe.h - the settings of Megatron-Bridge's performance recipes
 * that a published row ran with, beyond its layout columns (TP, PP, ...):
 * communication overlap, recomputation, CUDA graphs, the FP8 recipe, the
 * MoE token dispatcher and its overlap, FSDP, CPU offloading.  Each setting
 * is a job key set as the recipe file sets it (NVIDIA-NeMo/Megatron-Bridge,
 * src/megatron/bridge/perf_recipes/<family>/<system>/<model>.py at the
 * commit the reference CSV names), cited where it is set.
 *
 * tce_bridge_apply calls both after the row's layout is on the job: dense
 * rows (Llama 3) are set by tce_bridge_recipe_dense, MoE rows by
 * tce_bridge_recipe_moe; each leaves the other kind's rows alone.
 * 0, or TCE_ECONFIG with err filled when the row's recipe cannot be
 * expressed.
 */
#ifndef TCEMU_BRIDGE_RECIPE_H
#define TCEMU_BRIDGE_RECIPE_H

#include "tcemu/bridge.h"
#include "tcemu/error.h"
#include "tcemu/types.h"

int tce_bridge_recipe_dense(const struct tce_bridge_row *r,
                            struct tce_job *job, struct tce_error *err);
int tce_bridge_recipe_moe(const struct tce_bridge_row *r,
                          struct tce_job *job, struct tce_error *err);

#endif
