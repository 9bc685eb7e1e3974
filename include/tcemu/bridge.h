/*
 * bridge.h - NVIDIA Megatron-Bridge's published performance rows as a
 * validation set (tcemu reproduce --reference megatron-bridge-performance).
 *
 * The data file (tests/fixtures/reference/megatron-bridge-performance.csv,
 * installed as reference/megatron-bridge-performance.csv) holds every row
 * of Megatron-Bridge's docs/performance-summary.md and
 * docs/performance-summary-archive.md exactly as published, each with its
 * release, source file and line.  This module reads it, selects the rows
 * tcemu can be judged on (tce_bridge_select: every exclusion has a stated
 * reason), maps each row to a job (jobs/<model_key>.cfg), a topology, a
 * precision and the row's layout (tce_bridge_apply), and counts model
 * FLOPs as Megatron-Bridge does (tce_bridge_flops_per_token), so the
 * projected model TFLOP/s per GPU is comparable with the published one.
 *
 * Pure: no output, no file other than the data file read.
 */
#ifndef TCEMU_BRIDGE_H
#define TCEMU_BRIDGE_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/projector.h"

#define TCE_BRIDGE_REFERENCE "megatron-bridge-performance"
#define TCE_BRIDGE_ROWS_MAX 512
#define TCE_BRIDGE_REASON_MAX 200

/* One published row (as written) and, once projected, tcemu's figures. */
struct tce_bridge_row {
    /* as published (the CSV's columns) */
    char release[40];              /* "26.04.01 NeMo Container" */
    char release_date[16];         /* "2026-08-11" */
    char source_file[64];          /* "docs/performance-summary.md" */
    int64_t source_line;           /* line of the row in source_file */
    char task[16];                 /* pretrain, sft, lora */
    char model[48];                /* as written: "DeepSeekV3 (w/ MTP)" */
    char model_key[40];            /* tcemu job name: "deepseek-v3" */
    int moe;                       /* 1 = mixture of experts */
    char system[16];               /* "DGX-GB200" */
    char generation[24];           /* Hopper, Blackwell, Blackwell Ultra */
    int64_t gpus;
    char precision[12];            /* as written; "" = not stated */
    int64_t global_batch, micro_batch, seq_length;
    int64_t fsdp;                  /* -1 = column absent in the release */
    int64_t tp, pp, cp, vp, ep;    /* vp 1 where written n/a */
    int64_t grad_accum;            /* GA column; 0 = not written */
    int64_t published_micro_batch; /* the MBS cell as written; micro_batch
                                      is the variant's own where its GA
                                      implies another (bridge.c) */
    double published_tokens;       /* tokens/s/GPU, measured */
    double published_tflops;       /* model TFLOP/s/GPU, measured */
    char variant[16];              /* primary, parenthesised */
    char notes[512];
    int csv_line;                  /* line in the data file */

    /* selection (tce_bridge_select) */
    int selected;                  /* 1 = in the validation set */
    char reason[TCE_BRIDGE_REASON_MAX]; /* why not, when not */

    /* mapping (tce_bridge_topology, tce_bridge_precision) */
    const char *topology;          /* shipped topology NAME */
    const char *fp8_recipe;        /* "tensorwise", "mxfp8", "unstated",
                                      "" for BF16 */

    /* results (the caller fills them; reproduce does) */
    int projected;                 /* 1 = projected; 0 = reason says why */
    char job_path[TCE_TEXT_MAX];
    char topology_path[TCE_TEXT_MAX];
    char pipeline_layout[TCE_TEXT_MAX]; /* the job's pipeline_model_parallel_
                                      layout as applied ("" none) */
    int64_t etp;                   /* expert_tensor_parallel_size applied */
    int sequence_parallel;         /* as applied */
    double flops_per_token;        /* Megatron-Bridge's count, this row */
    double published_flops_per_token; /* published TFLOP/s / tokens/s */
    double count;                  /* the FLOPs per token the error uses:
                                      the recount, or the published ratio
                                      where they differ by > 5% (a release
                                      counted differently) */
    double projected_tokens;       /* tokens/s/GPU, modelled */
    double projected_tflops;       /* = projected_tokens x flops_per_token */
    double error;                  /* projected / published TFLOP/s - 1 */
    double tokens_error;           /* projected / published tokens/s - 1 */
    double hbm_gib;                /* the topology's accelerator memory */
    struct tce_projection proj;
};

/* 1 when the CSV at path has Megatron-Bridge's header (its first line
 * that is not a '#' comment starts with "release,"), else 0. */
int tce_bridge_detect(const char *path);

/* Read the data file: at most max rows, their count in *n.  Columns are
 * found by name (release, release_date, source_file, source_line, task,
 * model, model_key, moe, system, generation, gpus, precision, global_batch,
 * micro_batch, seq_length, fsdp, tp, pp, cp, vp, ep, tokens_per_s_per_gpu,
 * model_tflops_per_gpu, variant, notes); fields may be RFC 4180 quoted.
 * TCE_EUSAGE when unreadable, TCE_ECONFIG (path:line) when malformed. */
int tce_bridge_read(const char *path, struct tce_bridge_row *rows, int max,
                    int *n, struct tce_error *err);

/* The topology NAME for a published system (DGX-H100 -> dgx-h100, DGX-B200
 * -> dgx-b200, DGX-GB200 -> gb200-nvl72, DGX-GB300 -> gb300-nvl72,
 * DGX-B300 -> dgx-b300); NULL when none. */
const char *tce_bridge_topology(const char *system);

/* The precision of a published precision: BF16 -> bf16; FP8, FP8-CS,
 * FP8-MX, MXFP8 -> fp8 with *recipe "unstated", "tensorwise" (current
 * scaling), "mxfp8" (MX block scaling; Megatron-LM --fp8-recipe names);
 * "" (release 25.09 states none; its note on quantization granularity
 * means FP8) -> fp8, "unstated"; 0, or -1 for NVFP4 (*why says so). */
int tce_bridge_precision(const char *published, enum tce_precision *p,
                         const char **recipe, const char **why);

/* The Megatron-LM --fp8-recipe a row ran: 0 for a BF16 row, else 1 with
 * *recipe MXFP8 for "mxfp8" and TENSORWISE (current scaling) for every
 * other FP8 row ("tensorwise", and the "unstated" FP8 of the 26.x tables
 * and of 25.09: Megatron-Bridge's performance presets define FP8 only as
 * _FP8_CS, _FP8_MX and, on H100 for DeepSeek-V3 alone, _FP8_SC).  One rule
 * for the dense and the MoE recipes. */
int tce_bridge_fp8_recipe(const struct tce_bridge_row *r,
                          enum tce_fp8_recipe *recipe);

/* Mark rows[i].selected and .reason: a row is in the validation set when
 * it is a pre-training row, its precision is not NVFP4, the
 * model is not a Mamba hybrid (Nemotron 3), it is not on the README's
 * known-bad list, its system has a topology, and it is the latest release
 * of its (model, system, precision, layout); MoE rows on DGX-H100 and
 * DGX-B200 are kept from every release.  Sets topology and fp8_recipe. */
void tce_bridge_select(struct tce_bridge_row *rows, int n);

/* Set job to the row's layout: num_gpus, TP, PP, VP, CP, EP,
 * sequence_parallel (TP > 1, as Megatron-Bridge's recipes), global and
 * micro batch, sequence length and precision; then check the job's rules.
 * 0, or TCE_ECONFIG with the reason tcemu cannot express the row (FSDP,
 * a layer split or an EP that the rules reject) in err. */
int tce_bridge_apply(const struct tce_bridge_row *r, struct tce_job *job,
                     struct tce_error *err);

/* Architecture features Megatron-Bridge's FLOP count needs that the job
 * schema does not hold yet: sliding windows (Megatron-LM window_size
 * (left, right) and window_attn_skip_freq) and multi-token prediction
 * (mtp_num_layers). */
struct tce_bridge_arch {
    int64_t window_left, window_right; /* 0, 0 = no sliding window */
    int64_t window_attn_skip_freq;     /* every k-th layer full; 0 = all
                                          layers windowed */
    int64_t mtp_num_layers;
};

/* The features of a row's model that Megatron-Bridge's count needs, from
 * the job as the row's recipe set it (model.window_size,
 * window_attn_skip_freq, mtp_num_layers). */
void tce_bridge_arch_of(const struct tce_bridge_row *r,
                        const struct tce_job *job,
                        struct tce_bridge_arch *a);

/* Model FLOPs per token of one training step (forward + backward) as
 * Megatron-Bridge counts them (src/megatron/bridge/training/utils/
 * flop_utils.py, num_floating_point_operations, transformer_flops):
 * causal attention (half the s x s square), a sliding window as its
 * window, the logits over the vocabulary padded to 128 x TP, MTP layers. */
double tce_bridge_flops_per_token(const struct tce_model *m, int64_t seq,
                                  int64_t tp,
                                  const struct tce_bridge_arch *a);

struct tce_scenario;
/* Project row r (selected) with its topology t and the job base of its
 * model (job and s are scratch): tce_bridge_apply, the projection, the
 * FLOP count, and r's results (projected 1, job_path, topology_path,
 * flops_per_token, projected figures, errors, hbm_gib).  0, or
 * TCE_ECONFIG with why tcemu cannot express the row. */
int tce_bridge_project(struct tce_bridge_row *r, const struct tce_topology *t,
                       const struct tce_job *base, struct tce_job *job,
                       struct tce_scenario *s, struct tce_error *err);

/* Errors over a set of projected rows. */
struct tce_bridge_stats {
    int rows;
    int fit;                       /* layouts that fit HBM */
    double mean_abs_error;         /* of error (TFLOP/s) */
    double worst_abs_error;
    int worst_row;                 /* index into the rows; -1 none */
    double mean_abs_tokens_error;
};

/* Groups of the summary: every projected row, then per generation x kind. */
#define TCE_BRIDGE_GENERATIONS 3   /* Hopper, Blackwell, Blackwell Ultra */
struct tce_bridge_summary {
    struct tce_bridge_stats all;
    struct tce_bridge_stats group[TCE_BRIDGE_GENERATIONS][2]; /* [gen][moe] */
    int generations;               /* generations with a projected row */
    int selected, projected, excluded;
};

/* "Hopper", "Blackwell", "Blackwell Ultra"; index -1 for another name. */
const char *tce_bridge_generation_name(int g);
int tce_bridge_generation_index(const char *name);

void tce_bridge_summarise(const struct tce_bridge_row *rows, int n,
                          struct tce_bridge_summary *s);

#endif
