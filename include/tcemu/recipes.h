/*
 * recipes.h - a held-out check of the projector: NVIDIA Megatron-LM's MoE
 * recipes (github.com/NVIDIA/Megatron-LM, branch dev,
 * examples/moe_recipes/), each a complete set of Megatron-LM arguments with
 * the median model TFLOP/s per GPU the recipe index publishes.  Nothing in
 * tcemu was fitted to them; tcemu reproduce --reference
 * megatron-lm-moe-recipes projects each and prints the error.
 *
 * The data file (tests/fixtures/reference/megatron-lm-moe-recipes.csv) has
 * the header
 *   recipe,model,system,topology,job,gpus,tp,pp,ep,mbs,gbs,seq,
 *   published_tflops_per_gpu,readme_line,notes
 * after '#' comment lines; job is a tcemu job file relative to the data
 * file's directory (the recipe's arguments carried to tcemu's keys of the
 * same names), topology a topology NAME or path.  The job must agree with
 * its row (GPUs, TP, PP, EP, micro and global batch, sequence), so the
 * comparison cannot drift from the data.
 *
 * Model TFLOP/s per GPU = projected tokens/s per GPU x the model FLOPs per
 * token as Megatron-LM's training.py num_floating_point_operations counts
 * them, the count Megatron-Bridge's flop_utils.py follows
 * (tce_bridge_flops_per_token: causal attention, MTP).
 */
#ifndef TCEMU_RECIPES_H
#define TCEMU_RECIPES_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/error.h"
#include "tcemu/projector.h"

#define TCE_RECIPES_ROWS_MAX 64
#define TCE_RECIPES_REFERENCE "megatron-lm-moe-recipes"

struct tce_recipe_row {
    /* the data file */
    char recipe[128];     /* the recipe's path under examples/moe_recipes */
    char model[48];       /* tcemu's model name (jobs/NAME.cfg) */
    char system[16];      /* B200, GB300, ... */
    char topology[64];    /* topology NAME or path */
    char job[160];        /* relative to the data file's directory */
    char notes[200];
    int64_t gpus, tp, pp, ep, mbs, gbs, seq;
    double published_tflops; /* median model TFLOP/s per GPU */
    int64_t readme_line;  /* the median's line in the recipe index */
    int csv_line;
    /* tce_recipes_project */
    int projected;        /* 0: reason says why not */
    char reason[200];
    char job_name[64];    /* the job file's name */
    char job_path[512], topology_path[512];
    struct tce_projection proj;
    double flops_per_token;   /* Megatron-LM's count */
    double projected_tokens;  /* tokens/s per GPU */
    double projected_tflops;  /* model TFLOP/s per GPU */
    double error;             /* projected / published - 1 */
    double hbm_gib;
};

/* 1 when path's first non-comment line is the header above. */
int tce_recipes_detect(const char *path);

/* Read the rows of path (at most max); 0, or TCE_EUSAGE (unreadable) /
 * TCE_ECONFIG (path:line: the bad row). */
int tce_recipes_read(const char *path, struct tce_recipe_row *rows, int max,
                     int *n_rows, struct tce_error *err);

/* Project row r (its job beside the data file at path): the job loaded,
 * checked against the row, projected on its topology at its GPU count,
 * and r's results filled.  0; TCE_ECONFIG when a file does not load or the
 * job disagrees with the row (err says which; the files' own errors go to
 * diag, NULL: nowhere). */
int tce_recipes_project(struct tce_recipe_row *r, const char *path,
                        FILE *diag, struct tce_error *err);

#endif
