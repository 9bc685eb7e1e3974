/*
 * recipes.h - held-out checks of the projector: published measurements
 * nothing in tcemu was fitted to, each row a complete job with the figure
 * its source published.  Two ship with tcemu (tce_recipes_reference):
 *   megatron-lm-moe-recipes  NVIDIA Megatron-LM's MoE recipes
 *     (github.com/NVIDIA/Megatron-LM, branch dev, examples/moe_recipes/:
 *     Megatron-LM arguments and the recipe index's median model TFLOP/s
 *     per GPU);
 *   nemo-long-sequence  NVIDIA NeMo's long-sequence performance table
 *     (github.com/NVIDIA/NeMo, docs/source/performance/
 *     performance_long_sequence.md: Llama 3 8B on DGX B200 from 8K to 1M
 *     tokens with context parallelism, TFLOP/s per GPU).
 * tcemu reproduce --reference NAME projects each row and prints the error.
 *
 * The data file (tests/fixtures/reference/NAME.csv) has the header
 *   recipe,model,system,topology,job,gpus,tp,pp,cp,ep,mbs,gbs,seq,
 *   flops_count,published_tflops_per_gpu,source_line,notes
 * after '#' comment lines; job is a tcemu job file relative to the data
 * file's directory (the run's settings carried to tcemu's keys), topology
 * a topology NAME or path.  The job must agree with its row (GPUs, TP, PP,
 * CP, EP, micro and global batch, sequence), so the comparison cannot
 * drift from the data.
 *
 * Model TFLOP/s per GPU = projected tokens/s per GPU x the model FLOPs per
 * token as the row's source counts them (flops_count):
 *   megatron-lm  Megatron-LM's training.py num_floating_point_operations,
 *                the count Megatron-Bridge's flop_utils.py follows
 *                (tce_bridge_flops_per_token: causal attention, MTP);
 *   nemo-llama   NeMo's nemo/utils/flops_formulas.py llama2 / llama3: the
 *                whole s x s square (tce_recipes_nemo_llama_flops).
 */
#ifndef TCEMU_RECIPES_H
#define TCEMU_RECIPES_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/projector.h"

#define TCE_RECIPES_ROWS_MAX 64
#define TCE_RECIPES_REFERENCE "megatron-lm-moe-recipes"
#define TCE_RECIPES_LONG_SEQUENCE "nemo-long-sequence"

/* How a row's source counts model FLOPs. */
enum tce_recipes_flops {
    TCE_RECIPES_FLOPS_MEGATRON_LM,
    TCE_RECIPES_FLOPS_NEMO_LLAMA,
};

/* What a held-out reference is, for its reports: name (the data file's
 * base name), title ("Megatron-LM MoE recipes"), source (the publication
 * and what its figure is). */
struct tce_recipes_reference {
    const char *name, *title, *source;
};

/* The shipped reference whose data file path is (by its base name), or a
 * generic description of a data file of the same format. */
const struct tce_recipes_reference *
tce_recipes_reference(const char *path);

/* The held-out references that ship with tcemu, NULL-terminated. */
extern const char *const tce_recipes_shipped[];

/* Model FLOPs per token of one step (forward + backward) as NeMo's
 * nemo/utils/flops_formulas.py llama2 / llama3 count them:
 * L h^2 (12 + 12 g/a + 18 f/h + 12 s/h) + 6 V h (the whole s x s square,
 * the logits over the vocabulary unpadded). */
double tce_recipes_nemo_llama_flops(const struct tce_model *m, int64_t seq);

struct tce_recipe_row {
    /* the data file */
    char recipe[128];     /* the run's name in its source (the recipe's
                             path under examples/moe_recipes, ...) */
    char model[48];       /* tcemu's model name (jobs/NAME.cfg) */
    char system[16];      /* B200, GB300, ... */
    char topology[64];    /* topology NAME or path */
    char job[160];        /* relative to the data file's directory */
    char notes[200];
    int64_t gpus, tp, pp, cp, ep, mbs, gbs, seq;
    enum tce_recipes_flops flops; /* how the source counts FLOPs */
    const char *flops_name;  /* its flops_count name (static) */
    double published_tflops; /* model TFLOP/s per GPU as published */
    int64_t source_line;  /* the figure's line in its source */
    int csv_line;
    /* tce_recipes_project */
    int projected;        /* 0: reason says why not */
    char reason[200];
    char job_name[64];    /* the job file's name */
    char job_path[512], topology_path[512];
    struct tce_projection proj;
    double flops_per_token;   /* the source's count (flops) */
    double projected_tokens;  /* tokens/s per GPU */
    double projected_tflops;  /* model TFLOP/s per GPU */
    double error;             /* projected / published - 1 */
    double hbm_gib;
    int moe;                  /* the job is a mixture of experts */
};

/* 1 when path's first non-comment line is the header above. */
int tce_recipes_detect(const char *path);

/* Read the rows of path (at most max); 0, or TCE_EUSAGE (unreadable) /
 * TCE_ECONFIG (path:line: the bad row). */
int tce_recipes_read(const char *path, struct tce_recipe_row *rows, int max,
                     int *n_rows, struct tce_error *err);

/* Which rows tce_recipes_project projects: any, or only dense or only MoE
 * jobs (a row of the other kind is loaded and left unprojected). */
enum tce_recipes_kind {
    TCE_RECIPES_ANY = -1,
    TCE_RECIPES_DENSE = 0,
    TCE_RECIPES_MOE = 1,
};

/* Project row r (its job beside the data file at path): the job loaded,
 * checked against the row, and when it is of the kind asked projected on
 * its topology at its GPU count, r's results filled (r->projected 1; 0
 * and r->reason for a row of the other kind).  0; TCE_ECONFIG when a file
 * does not load or the job disagrees with the row (err says which; the
 * files' own errors go to diag, NULL: nowhere). */
int tce_recipes_project(struct tce_recipe_row *r, const char *path,
                        enum tce_recipes_kind kind,
                        FILE *diag, struct tce_error *err);

#endif
