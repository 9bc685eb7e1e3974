/*
 * stackfit.h - the training stack's own overhead, fitted from framework
 * logs (issue 10 item 3): the time per iteration and per microbatch that
 * a real run took beyond what tcemu's model explains.
 *
 * Each log (megatronlog.h) gives one point per global batch size: the
 * median measured iteration time t(m) after the warm-up, at m =
 * global_batch_size / (data_parallel x micro_batch_size) microbatches per
 * iteration.  The job is projected at the layout the log ran (its
 * arguments block, else the job file's layout at --gpus), giving p(m)
 * (without any stack overhead a calibration already carries).  The
 * residual r(m) = t(m) - p(m) is fitted by least squares as
 *     r(m) = a + b m
 * a: per-iteration time (optimizer step launch, gradient clipping and
 * norms, the data loader, logging, Python between steps); b: per
 * microbatch (the schedule's Python and kernel launches, host-device
 * synchronisation per microbatch) - what the model, which times kernels
 * and collectives, does not see.
 *
 * Noise: each point's measurement noise is the standard error of its
 * median, 1.2533 x 1.4826 x MAD / sqrt(lines) (normal errors), at least
 * the log's print resolution (0.1 ms: 0.029 ms); sigma^2 is the larger of
 * their mean square and the fit's residual variance (3 or more points).
 * The coefficients' standard errors follow from (X^T X)^-1 sigma^2.
 *
 * Refusals: fewer than 2 distinct m (TCE_EUSAGE: a and b cannot be told
 * apart); a or b negative by more than 2 standard errors (TCE_ECHECK: the
 * model is slower than the run; a negative overhead would be a
 * correction, not a mechanism: calibrate compute and links first).  A
 * coefficient negative within its noise is set to 0 and the other refitted
 * (non-negative least squares), and the result says so.
 */
#ifndef TCEMU_STACKFIT_H
#define TCEMU_STACKFIT_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/megatronlog.h"
#include "tcemu/stack.h"

#define TCE_STACKFIT_POINTS_MAX 64
/* Megatron prints milliseconds with one decimal: uniform rounding error */
#define TCE_STACKFIT_RESOLUTION_S (1e-4 / 3.4641016151377544)

struct tce_stackfit_point {
    char path[TCE_MEGATRONLOG_PATH_MAX];
    int line;                  /* first iteration line of the point */
    int64_t global_batch_size, micro_batch_size, gpus, dp, tp, pp;
    int64_t microbatches;      /* m */
    int lines, skipped_warmup; /* lines used, left out as warm-up */
    double measured_s;         /* median */
    double noise_s;            /* standard error of the median */
    double projected_s;        /* the model, no stack overhead */
    double fitted_s;           /* projected + a + b m (after solve) */
};

struct tce_stackfit {
    int n;
    struct tce_stackfit_point points[TCE_STACKFIT_POINTS_MAX];
    /* filled by tce_stackfit_solve */
    double a, b;               /* per iteration, per microbatch [s] */
    double se_a, se_b;         /* standard errors */
    double sigma_s;            /* noise used */
    int clamped_a, clamped_b;  /* set to 0 within noise */
    int distinct_m;
    int64_t m_min, m_max;
    double rms_rel_error, max_rel_error;
};

void tce_stackfit_init(struct tce_stackfit *f);

/* Add a point by hand (tests, or a caller with its own measurements). */
int tce_stackfit_add(struct tce_stackfit *f,
                     const struct tce_stackfit_point *p,
                     struct tce_error *err);

/* The job as the log ran it: job with the arguments block's layout
 * (tensor, pipeline, virtual pipeline, context, expert sizes, sequence
 * parallel, distributed optimizer, micro batch, recompute) and
 * global_batch_size; *gpus = the log's world size, else gpus_default,
 * else the job's num_gpus.  TCE_ECONFIG (err at the log's arguments line)
 * when the log ran another model shape (num_layers, hidden_size,
 * num_attention_heads, seq_length) than the job. */
int tce_stackfit_job_of_log(const struct tce_job *job,
                            const struct tce_megatronlog *log,
                            int64_t global_batch_size, int64_t gpus_default,
                            struct tce_job *out, int64_t *gpus,
                            struct tce_error *err);

/* Every point of a log after warmup iterations, each projected with cm on
 * topo at the log's layout (projected time without cm's own stack
 * overhead).  Errors: the log's (megatronlog.h), the layout's (the log's
 * layout does not fit the job or topology), or TCE_ERANGE when full. */
int tce_stackfit_add_log(struct tce_stackfit *f,
                         const struct tce_megatronlog *log,
                         const struct tce_topology *topo,
                         const struct tce_job *job,
                         const struct tce_costmodel *cm, int64_t gpus,
                         int64_t warmup, struct tce_error *err);

/* Fit a and b over the points (see above). */
int tce_stackfit_solve(struct tce_stackfit *f, struct tce_error *err);

/* The stack the log ran: the job's stack, with what the log's arguments
 * say (attention backend, fused attention, CUDA graphs, FP8 recipe) taking
 * precedence, framework "Megatron-LM" when the job leaves it unspecified.
 * Returns how many fields the log changed (described in note, may be
 * NULL). */
int tce_stackfit_stack_of_log(const struct tce_job *job,
                              const struct tce_megatronlog *log,
                              struct tce_stack *s, int *flash, char *note,
                              size_t note_n);

/* A solved fit as a calibration's stack overhead. */
void tce_stackfit_overhead(const struct tce_stackfit *f,
                           const struct tce_stack *s, int flash,
                           const char *fitted_from, const char *date,
                           struct tce_stack_overhead *o);

#endif
