/*
 * cmd_reproduce_recipes.h - tcemu reproduce over Megatron-LM's MoE recipes,
 * a held-out check of the projector (src/cmd_reproduce_recipes.c; the data
 * and the projection of a row are in recipes.h).  tcemu reproduce calls it
 * when the reference CSV has the recipes' header; it takes the options of
 * the Megatron-Bridge reference (reference, topology, tolerance,
 * mean_tolerance, co; jobs_dir, excluded and write_jobs do not apply).
 */
#ifndef TCEMU_CMD_REPRODUCE_RECIPES_H
#define TCEMU_CMD_REPRODUCE_RECIPES_H

#include "tcemu/cmd_reproduce_bridge.h"

/* Project every row (on o->topology only, when set) and print published
 * against projected; an exit status (3 when the worst or mean |error| is
 * over its tolerance, 2 when a file does not load or a job disagrees with
 * its row). */
int tce_cmd_reproduce_recipes(const struct tce_reproduce_bridge_opts *o);

#endif
