/*
 * report_ops.c - the per-op table of `tcemu project --ops` (report_ops.h).
 * Formatting only: every number comes from struct tce_opcost.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/report.h"
#include "tcemu/report_ops.h"

#define OFF(member) offsetof(struct tce_opcost_row, member)
#define ALL TCE_REPORT_ALL

static const struct tce_report_column columns[] = {
    {.key = "list", .human = "list", .fmt = "-9s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(list)},
    {.key = "op", .human = "op", .fmt = "-17s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(name)},
    {.key = "kind", .human = "kind", .fmt = "-14s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(kind)},
    {.key = "per_microbatch", .human = "runs", .unit = "", .fmt = "5d",
     .in = ALL, .type = TCE_REPORT_INT, .offset = OFF(per_microbatch)},
    {.key = "time_s", .human = "time", .unit = "ms", .fmt = "9.4f",
     .scale = 1e3, .in = ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(s)},
    {.key = "flops", .human = "FLOPs", .unit = "GFLOP", .fmt = "9.2f",
     .scale = 1e-9, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(flops)},
    {.key = "bytes", .human = "bytes", .unit = "MB", .fmt = "9.1f",
     .scale = 1e-6, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(bytes)},
    {.key = "tflops", .human = "rate", .unit = "TFLOP/s", .fmt = "8.1f",
     .in = ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(tflops)},
    {.key = "efficiency", .human = "eff", .unit = "%", .fmt = "5.1f",
     .scale = 100.0, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(efficiency)},
    {.key = "m", .group = "gemm", .in = TCE_REPORT_JSON,
     .type = TCE_REPORT_INT, .offset = OFF(gemm_m)},
    {.key = "n", .group = "gemm", .in = TCE_REPORT_JSON,
     .type = TCE_REPORT_INT, .offset = OFF(gemm_n)},
    {.key = "k", .group = "gemm", .in = TCE_REPORT_JSON,
     .type = TCE_REPORT_INT, .offset = OFF(gemm_k)},
    /* host (issue 11) */
    {.key = "launches", .human = "kern", .unit = "", .fmt = "4d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(launches)},
    {.key = "launch", .human = "launch", .fmt = "-6s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(launch)},
    {.key = "source", .human = "source", .fmt = "-20s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(source)},
};

static void table_of(const struct tce_opcost *ops, struct tce_report *t)
{
    memset(t, 0, sizeof(*t));
    t->cols = columns;
    t->n_cols = (int)(sizeof(columns) / sizeof(columns[0]));
    t->rows = ops->rows;
    t->row_size = sizeof(ops->rows[0]);
    t->n_rows = ops->n;
    t->ctx = ops;
    t->json_extra = NULL;
}

void tce_report_ops_human(FILE *out, const struct tce_opcost *ops)
{
    struct tce_report t;

    table_of(ops, &t);
    fprintf(out,
            "#\n# ops: one microbatch on stage %lld at %lld GPUs (the first "
            "row above); %d compute ops from a measured table, %d from the "
            "curve\n",
            (long long)ops->stage, (long long)ops->gpus, ops->table_ops,
            ops->curve_ops);
    tce_report_human(out, &t);
    fprintf(out, "# compute per microbatch on this stage: %.4f ms",
            ops->compute_s * 1e3);
    if (ops->layer_fwd_bwd_s[0] > 0)
        fprintf(out, "; one dense layer forward+backward: %.4f ms",
                ops->layer_fwd_bwd_s[0] * 1e3);
    if (ops->layer_fwd_bwd_s[1] > 0)
        fprintf(out, "; one MoE layer forward+backward: %.4f ms",
                ops->layer_fwd_bwd_s[1] * 1e3);
    fprintf(out, "\n");
    /* host (issue 11) */
    if (ops->layer_host_s[0] > 0 || ops->layer_host_s[1] > 0) {
        fprintf(out, "# host launches, one layer forward+backward:");
        if (ops->layer_fwd_bwd_s[0] > 0)
            fprintf(out, " dense %.4f ms", ops->layer_host_s[0] * 1e3);
        if (ops->layer_fwd_bwd_s[1] > 0)
            fprintf(out, "%s MoE %.4f ms",
                    ops->layer_fwd_bwd_s[0] > 0 ? ";" : "",
                    ops->layer_host_s[1] * 1e3);
        fprintf(out, " (a layer takes at least the larger of this and "
                     "its GPU time)\n");
    }
    fprintf(out, "# time: one run (communication: exposed or hidden, as "
                 "the projection decides); runs: per microbatch on this "
                 "stage; eff: achieved FLOP/s of the peak (FLOPs) or "
                 "bytes/s of the HBM bandwidth (element-wise); kern, "
                 "launch: kernel launches of one run and whether the host "
                 "launches them (eager) or a CUDA graph replays them\n");
}

void tce_report_ops_json(struct tce_json *j, const char *key,
                         const struct tce_opcost *ops)
{
    struct tce_report t;

    table_of(ops, &t);
    tce_json_object_begin(j, key);
    tce_json_int(j, "stage", ops->stage);
    tce_json_int(j, "gpus", ops->gpus);
    tce_json_double(j, "compute_s", ops->compute_s);
    tce_json_double(j, "dense_layer_fwd_bwd_s", ops->layer_fwd_bwd_s[0]);
    tce_json_double(j, "moe_layer_fwd_bwd_s", ops->layer_fwd_bwd_s[1]);
    tce_json_double(j, "dense_layer_host_s", ops->layer_host_s[0]);
    tce_json_double(j, "moe_layer_host_s", ops->layer_host_s[1]);
    tce_json_int(j, "table_ops", ops->table_ops);
    tce_json_int(j, "curve_ops", ops->curve_ops);
    tce_report_json_rows(j, "rows", &t);
    tce_json_object_end(j);
}
