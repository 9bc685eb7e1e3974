/*
 * validation.h - the model against published runs: the reference rows
 * tcemu reproduce projects (tests/fixtures/reference/
 * megatron-sc21-calibration.csv: Megatron-LM SC21 Table 1, five dense GPT
 * runs on DGX A100) and, for a projection, the error of the model on the
 * comparable published runs.
 *
 * "Comparable" means the same accelerator family (the leading letters and
 * digits of accelerator.name: "A100" of "A100-SXM4-80GB") and the same kind
 * of job (dense, or MoE: model.num_experts > 0).  A100 dense runs compare
 * with Megatron-LM SC21; H100, B200, B300, GB200 and GB300 dense and MoE
 * runs with NVIDIA's Megatron-Bridge performance summaries (bridge.h); any
 * other projection has no published validation, and says so rather than
 * borrowing a number.  The error is computed at run time, as tcemu
 * reproduce does: each row's job projected on its topology,
 * |projected / published - 1|.
 */
#ifndef TCEMU_VALIDATION_H
#define TCEMU_VALIDATION_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/projector.h"
#include "tcemu/scenario.h"

#define TCE_VALIDATION_ROWS_MAX 32
#define TCE_VALIDATION_LINE_MAX 200
/* NAMEs of shipped files, found installed or in the checkout (datadir.h) */
#define TCE_VALIDATION_REFERENCE "megatron-sc21-calibration"
#define TCE_VALIDATION_TOPOLOGY "dgx-a100-80gb"

/* One published measurement and its projection. */
struct tce_validation_row {
    char params[32];               /* "1.7" */
    int64_t heads, hidden, layers, tp, pp, gpus, batch;
    double published_tflops;
    char job_path[TCE_TEXT_MAX];
    char job_name[128];
    double projected_tflops;
    double error;                  /* projected / published - 1 */
    struct tce_projection proj;
};

/* Read the reference CSV at path (header params_billion,attention_heads,
 * hidden_size,num_layers,tensor_parallel,pipeline_parallel,gpus,
 * global_batch,tflops_per_gpu); at most max rows into rows, their count in
 * *n.  TCE_EUSAGE when unreadable, TCE_ECONFIG when malformed or empty. */
int tce_validation_read(const char *path, struct tce_validation_row *rows,
                        int max, int *n, struct tce_error *err);

/* Project row r's job j (which must match the row: heads, hidden, layers,
 * TP, PP, GPUs, global batch) on topology t, through scenario s (scratch);
 * fills r->proj, projected_tflops and error.  0 or a negative TCE_E*. */
int tce_validation_project(struct tce_validation_row *r,
                           const struct tce_topology *t,
                           const struct tce_job *j, struct tce_scenario *s,
                           struct tce_error *err);

/* The model's validation for a projection of job on topology. */
struct tce_validation {
    int applies;                   /* published rows compared */
    char family[32];               /* "A100", "H100", "Trainium2" */
    const char *kind;              /* "dense" or "MoE" */
    const char *reference;         /* "Megatron-LM SC21" when applies */
    int n_rows;
    double worst;                  /* largest |error|, a fraction */
    double mean;                   /* mean |error|, a fraction */
    char line[TCE_VALIDATION_LINE_MAX]; /* "model validation: ..." */
    /* held out (issue 11): the rows of the shipped held-out references
     * (recipes.h: Megatron-LM's MoE recipes, NeMo's long-sequence table)
     * of the same family and kind, which nothing was fitted to;
     * held_out_rows 0 and held_out_line "" when none.  The margin
     * judgments above keep the fitted rows' worst. */
    int held_out_rows;
    double held_out_worst, held_out_mean;
    char held_out_line[TCE_VALIDATION_LINE_MAX]; /* "held out: ..." */
};

/* Fill v for topology t and job j (reads the shipped reference, jobs and
 * topology when the family and kind match; nothing printed).  When they
 * cannot be read, v says so and applies is 0: never an error. */
void tce_validation_for(const struct tce_topology *t, const struct tce_job *j,
                        struct tce_validation *v);

/* The accelerator family of an accelerator name ("A100-SXM4-80GB" ->
 * "A100"), into buf of n bytes; returns buf. */
char *tce_validation_family(const char *accelerator, char *buf, size_t n);

/* Whether a ranking margin (runner-up / best - 1, a fraction) is larger
 * than the model's error: a sentence into buf ("ranking margin 2.1% is
 * smaller than the model's validation error (A100 dense, worst 3.6%): the
 * order is within the model's error", "... larger than ...", or "ranking
 * margin 2.1%: cannot be judged without a published validation for H100
 * dense runs"); returns 1 when the margin is smaller than the error, 0
 * when larger, -1 when it cannot be judged. */
int tce_validation_margin(const struct tce_validation *v, double margin,
                          char *buf, size_t n);

/* The validation as a JSON object named key: accelerator_family, job_kind,
 * reference (or null), rows, worst_error and mean_abs_error (fractions, or
 * null), summary. */
void tce_validation_json(struct tce_json *j, const char *key,
                         const struct tce_validation *v);

/*
 * Per-term validation (repro, issue 11; for "search you can trust"): the
 * error of the model on the published rows comparable to a projection
 * (same accelerator family, same kind of job), per breakdown part: a
 * part's error is the largest |projected / published - 1| over the rows
 * where that part matters (at least TCE_VALIDATION_TERM_SHARE of the row's
 * projected iteration).  Comparable rows: Megatron-Bridge's published
 * benchmarks (bridge.h; H100, B200, B300, GB200, GB300, dense and MoE)
 * and, for A100 dense, Megatron-LM SC21.  The same meaning as margin.h's
 * struct tce_term_errors (helper sched): rel < 0 = not measured.
 */
#define TCE_VALIDATION_TERM_SHARE 0.05

struct tce_validation_terms {
    int rows;                       /* comparable rows projected */
    double worst;                   /* largest |error| over them */
    double sum_abs;                 /* sum of |error| over them */
    double rel[TCE_PART_COUNT];     /* per part; < 0 not measured */
    int part_rows[TCE_PART_COUNT];  /* rows where the part matters */
    char source[TCE_VALIDATION_LINE_MAX]; /* "Megatron-Bridge H100 MoE, 17
                                       rows" or why none */
};

/* Fill out for topology t and job j (reads the shipped reference rows,
 * jobs and topologies; nothing printed).  0 with out->rows > 0, or 0 with
 * rows 0 and every rel -1 when no comparable row exists or the files
 * cannot be read (source says why): never an error for the caller. */
int tce_validation_terms_for(const struct tce_topology *t,
                             const struct tce_job *j,
                             struct tce_validation_terms *out);

/* Add one projected row (its |error|, breakdown and iteration) to out
 * (rows, worst, rel, part_rows; rel starts at -1 for an empty out). */
void tce_validation_terms_add(struct tce_validation_terms *out, double error,
                              const struct tce_breakdown *b,
                              double iteration_s);

#endif
