/*
 * stack.h - the training stack a job runs (framework and version,
 * attention backend, CUDA graphs, FP8 recipe) and the stack overhead
 * measured under one: the time per iteration and per microbatch that a
 * real run took beyond what tcemu's model explains (fitted from framework
 * logs by stackfit.h, carried in a calibration file's `stack_overhead`).
 *
 * A measurement made under one stack is not silently applied to a job
 * that runs another: tce_stack_diff names what differs, and the report
 * says so in an assumption line (report_stack.h).  Plain data, no
 * allocation.
 *
 * Which fields are compared (tce_stack_diff), each only when both sides
 * say it: framework (case-insensitive), framework_version, attention
 * backend (not when either is "unspecified"); always: fused (flash)
 * attention, CUDA graphs, FP8 recipe ("" = no FP8).  A stack whose
 * framework is "" or "unspecified" is unspecified as a whole: nothing is
 * compared, and the report says that once.
 *
 * Applying a stack overhead (tce_stack_overhead_s): per_iteration_s once
 * per iteration plus per_microbatch_s x the layout's microbatches per
 * iteration (global batch / (data parallel x micro batch)), the two terms
 * the fit measured_iter(m) - projected_iter(m) = a + b m separates.
 */
#ifndef TCEMU_STACK_H
#define TCEMU_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/breakdown.h"
#include "tcemu/computetable.h"

#define TCE_STACK_TEXT_MAX 128
#define TCE_STACK_FROM_MAX 512

/* Megatron-LM's --attention-backend choices (AttnBackend), plus
 * "unspecified" (the default: the job does not say). */
enum tce_attention_backend {
    TCE_ATTN_BACKEND_UNSPECIFIED,
    TCE_ATTN_BACKEND_AUTO,
    TCE_ATTN_BACKEND_FLASH,
    TCE_ATTN_BACKEND_FUSED,
    TCE_ATTN_BACKEND_UNFUSED,
    TCE_ATTN_BACKEND_LOCAL,
    TCE_ATTN_BACKEND_COUNT
};

/* "unspecified", "auto", "flash", "fused", "unfused", "local", NULL: the
 * configuration's spelling (the schema's enum names). */
extern const char *const tce_attention_backend_names[TCE_ATTN_BACKEND_COUNT +
                                                     1];

/* A job's `stack` group (and a stack overhead's `stack`).  Fused (flash)
 * attention is the job's training.use_flash_attn, passed beside it. */
struct tce_stack {
    char framework[TCE_STACK_TEXT_MAX];         /* "Megatron-LM"; "" =
                                                   unspecified */
    char framework_version[TCE_STACK_TEXT_MAX]; /* "core_r0.14.0" */
    enum tce_attention_backend attention_backend;
    int cuda_graphs;                            /* bool */
    char fp8_recipe[TCE_STACK_TEXT_MAX];        /* "delayed", ...; "" =
                                                   no FP8 */
};

/* calibration.stack_overhead: fitted by `tcemu calibrate --from-log`. */
struct tce_stack_overhead {
    double per_iteration_s;      /* a: once per iteration */
    double per_microbatch_s;     /* b: per microbatch of the iteration */
    struct tce_stack stack;      /* the stack the logs ran */
    int use_flash_attn;          /* bool: fused attention in that stack */
    char fitted_from[TCE_STACK_FROM_MAX]; /* the logs, comma-separated */
    char date[TCE_STACK_TEXT_MAX];        /* when fitted, ISO 8601 UTC */
    int64_t points;              /* (microbatches, median time) points;
                                    0 = no stack overhead */
    int64_t microbatches_min;    /* the fitted range of m */
    int64_t microbatches_max;
    double rms_rel_error;        /* of measured vs projected + a + b m */
};

/* 1 when the stack names its framework (not "" or "unspecified"). */
int tce_stack_specified(const struct tce_stack *s);

/* The compute table's stack (computetable.h) as a stack: attention backend
 * unspecified; *flash = its flash_attention. */
void tce_stack_from_table(const struct tce_computetable_stack *t,
                          struct tce_stack *s, int *flash);

/* One line: "Megatron-LM core_r0.14.0, fused attention (backend flash),
 * no CUDA graphs, no FP8"; "unspecified" for an unspecified stack. */
void tce_stack_describe(const struct tce_stack *s, int flash, char *buf,
                        size_t n);

/* How many compared fields differ between a and b (see above); buf (may
 * be NULL) lists them: "cuda_graphs yes / no, fp8_recipe \"\" /
 * \"delayed\"".  0 when either stack is unspecified. */
int tce_stack_diff(const struct tce_stack *a, int a_flash,
                   const struct tce_stack *b, int b_flash, char *buf,
                   size_t n);

/* 1 when o holds a fitted overhead (points > 0). */
int tce_stack_overhead_present(const struct tce_stack_overhead *o);

/* Seconds per iteration of o at microbatches per iteration (0 when o is
 * absent). */
double tce_stack_overhead_s(const struct tce_stack_overhead *o,
                            int64_t microbatches);

/* Charge o to b's "stack overhead, measured" part at microbatches per
 * iteration; returns the seconds added (for the iteration total). */
double tce_stack_overhead_apply(const struct tce_stack_overhead *o,
                                int64_t microbatches,
                                struct tce_breakdown *b);

#endif
