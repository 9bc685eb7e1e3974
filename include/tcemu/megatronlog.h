/*
 * megatronlog.h - read a Megatron-LM training log (NeMo and
 * Megatron-Bridge print the same lines): the iteration lines and the
 * arguments block, and the median iteration time per global batch size
 * after the warm-up.
 *
 * Iteration lines, as megatron/training/training.py's training_log prints
 * them (one per --log-interval iterations, from the last rank; anything
 * before " iteration" is ignored: a timestamp, torchrun's "[default7]:",
 * srun --label's "3: "):
 *    [2024-04-06 02:55:45] iteration        2/     100 | consumed samples:
 *   256 | elapsed time per iteration (ms): 5630.1 | ... | global batch
 *   size:   128 | lm loss: ... | number of skipped iterations:   0 | ...
 * Fields are "name: value" between '|'; read are "elapsed time per
 * iteration (ms)" (required), "global batch size" and "number of skipped
 * iterations".  The elapsed time is the mean over the iterations since the
 * previous logged line (Megatron times the interval and divides).  A line
 * repeated for one iteration (several ranks printing) counts once.
 *
 * The arguments block, as megatron/training/arguments.py's _print_args
 * prints it at start:
 *   ------------------------ arguments ------------------------
 *     global_batch_size ............................... 512
 *     ...
 *   -------------------- end of arguments ---------------------
 * Read: the layout (global and micro batch, tensor, pipeline, virtual
 * pipeline, context, expert parallel sizes, data parallel and world size,
 * sequence parallel, distributed optimizer, recompute granularity), the
 * model's shape (num_layers, hidden_size, num_attention_heads,
 * seq_length) and the stack (attention_backend, use_flash_attn,
 * enable_cuda_graph / cuda_graph_impl, fp8, fp8_recipe), and log_interval.
 * "None" reads as not given.
 *
 * Points (tce_megatronlog_points): the warm-up is the first `warmup`
 * iterations of the log (counted from the iteration before its first
 * line's interval: the first line's iteration minus the log interval, read
 * from the arguments or else the step between the first two lines).  A
 * line is used only when the whole interval it averages lies after the
 * warm-up and none of its iterations was skipped; the used lines of one
 * global batch size give one point: their median time (each line weighs
 * the same: Megatron's interval is fixed), their count, and the median
 * absolute deviation (a robust spread, for the fit's noise).
 */
#ifndef TCEMU_MEGATRONLOG_H
#define TCEMU_MEGATRONLOG_H

#include <stdint.h>

#include "tcemu/error.h"

#define TCE_MEGATRONLOG_LINES_MAX 8192
#define TCE_MEGATRONLOG_POINTS_MAX 16
#define TCE_MEGATRONLOG_TEXT_MAX 64
#define TCE_MEGATRONLOG_PATH_MAX 512
/* logs are read whole up to this size (they are not libconfig input) */
#define TCE_MEGATRONLOG_BYTES_MAX (64u * 1024u * 1024u)
/* the default warm-up, in iterations (tcemu calibrate --from-log
 * --warmup): the first iterations run NCCL's communicator setup, the
 * caching allocator's growth and cuBLAS/cuDNN heuristics */
#define TCE_MEGATRONLOG_WARMUP 3

struct tce_megatronlog_line {
    int64_t iteration;
    double elapsed_s;          /* per iteration, mean over its interval */
    int64_t global_batch_size; /* 0: not printed */
    int64_t skipped;           /* "number of skipped iterations" */
    int line;                  /* in the file, from 1 */
};

/* From the arguments block: -1 (or "") = not printed or None. */
struct tce_megatronlog_args {
    int found;                 /* 1 when the block was read */
    int line;                  /* its first line */
    int64_t global_batch_size, micro_batch_size;
    int64_t tensor_model_parallel_size, pipeline_model_parallel_size;
    int64_t virtual_pipeline_model_parallel_size, context_parallel_size;
    int64_t expert_model_parallel_size, data_parallel_size, world_size;
    int64_t num_layers, hidden_size, num_attention_heads, seq_length;
    int64_t log_interval;
    int sequence_parallel, use_distributed_optimizer; /* bool or -1 */
    int use_flash_attn, enable_cuda_graph;             /* bool or -1 */
    char recompute_granularity[TCE_MEGATRONLOG_TEXT_MAX]; /* "" = None */
    char attention_backend[TCE_MEGATRONLOG_TEXT_MAX];  /* "flash" (of
                                                 AttnBackend.flash) */
    char cuda_graph_impl[TCE_MEGATRONLOG_TEXT_MAX];
    char fp8[TCE_MEGATRONLOG_TEXT_MAX];       /* "" = no FP8 */
    char fp8_recipe[TCE_MEGATRONLOG_TEXT_MAX];
};

struct tce_megatronlog {
    char path[TCE_MEGATRONLOG_PATH_MAX];
    struct tce_megatronlog_args args;
    int n_lines;
    struct tce_megatronlog_line lines[TCE_MEGATRONLOG_LINES_MAX];
};

/* One global batch size of a log, after the warm-up. */
struct tce_megatronlog_point {
    int64_t global_batch_size;
    double median_s;           /* median elapsed time per iteration */
    double mad_s;              /* median absolute deviation */
    int lines;                 /* lines used */
    int skipped_warmup;        /* lines left out as warm-up */
    int64_t first_iteration, last_iteration; /* of the lines used */
    int first_line;            /* in the file */
};

/* Parse text (NUL-terminated) read from path.  TCE_EPARSE (err names
 * path and line) for an iteration line without its elapsed time, a
 * malformed number in an argument read, more than
 * TCE_MEGATRONLOG_LINES_MAX lines, or no iteration line at all. */
int tce_megatronlog_parse(const char *text, const char *path,
                          struct tce_megatronlog *log, struct tce_error *err);

/* Read path (tce_input_read_max, TCE_MEGATRONLOG_BYTES_MAX) and parse it.
 * log is large (TCE_MEGATRONLOG_LINES_MAX lines): allocate it. */
int tce_megatronlog_load(const char *path, struct tce_megatronlog *log,
                         struct tce_error *err);

/* The log's points after warmup iterations (see above), in order of first
 * appearance; returns how many (>= 1), or TCE_ERANGE when no line is left
 * after the warm-up or more than max global batch sizes appear. */
int tce_megatronlog_points(const struct tce_megatronlog *log,
                           int64_t warmup,
                           struct tce_megatronlog_point *points, int max,
                           struct tce_error *err);

/* Median of v[0..n) (sorted in place); 0 when n < 1. */
double tce_megatronlog_median(double *v, int n);

#endif
