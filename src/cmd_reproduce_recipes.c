/*
 * cmd_reproduce_recipes.c - tcemu reproduce --reference
 * megatron-lm-moe-recipes | nemo-long-sequence: the held-out checks
 * (recipes.h).  Each row projected with its job on its topology, the
 * published figure against the projection counted as its source counts
 * FLOPs, the mean and worst |error|.  Nothing was fitted to these rows:
 * their error is what a planner can expect of the projector on a stack and
 * layouts it was not tuned on.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cmd_reproduce_bridge.h"
#include "tcemu/cmd_reproduce_recipes.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/recipes.h"
#include "tcemu/report.h"
#include "tcemu/util.h"
#include "tcemu/version.h"


#define OFF(member) offsetof(struct tce_recipe_row, member)
#define ALL TCE_REPORT_ALL
#define DATA (TCE_REPORT_CSV | TCE_REPORT_JSON)
static const struct tce_report_column columns[] = {
    {.key = "model", .human = "model", .fmt = "-15s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(model), .chars = 1},
    {.key = "system", .human = "system", .fmt = "-6s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(system), .chars = 1},
    {.key = "gpus", .human = "gpus", .fmt = "4d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(gpus)},
    {.key = "tp", .human = "tp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(tp)},
    {.key = "pp", .human = "pp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(pp)},
    {.key = "cp", .human = "cp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(cp)},
    {.key = "ep", .human = "ep", .fmt = "3d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(ep)},
    {.key = "micro_batch_size", .human = "mbs", .fmt = "3d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(mbs)},
    {.key = "global_batch_size", .human = "gbs", .fmt = "5d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(gbs)},
    {.key = "seq_length", .human = "seq", .fmt = "7d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(seq)},
    {.key = "published_tflops_per_gpu", .human = "pub", .unit = "(TF)",
     .fmt = "7.1f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(published_tflops), .sep = " | "},
    {.key = "model_tflops_per_gpu", .human = "proj", .unit = "(TF)",
     .fmt = "7.1f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(projected_tflops)},
    {.key = "error", .human = "err", .unit = "(%)", .fmt = "+6.1f",
     .scale = 100.0, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(error)},
    {.key = "tokens_per_s_per_gpu", .in = DATA,
     .type = TCE_REPORT_DOUBLE, .offset = OFF(projected_tokens)},
    {.key = "model_flops_per_token", .in = DATA, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(flops_per_token)},
    {.key = "flops_count", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(flops_name)},
    {.key = "iteration_s", .in = DATA, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(proj.iteration_s)},
    {.key = "memory_gib_per_gpu", .human = "mem", .unit = "(GiB)",
     .fmt = "5.0f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(proj.memory_gib_per_gpu), .sep = " | "},
    {.key = "hbm_gib", .human = "hbm", .unit = "(GiB)", .fmt = "5.0f",
     .in = ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(hbm_gib)},
    {.key = "fits_memory", .human = "fits", .fmt = "s", .in = ALL,
     .type = TCE_REPORT_BOOL, .offset = OFF(proj.fits_memory)},
    {.key = "source_line", .human = "line", .fmt = "4d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(source_line)},
    {.key = "recipe", .human = "recipe", .fmt = "s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(recipe), .chars = 1},
    {.key = "job_name", .json_key = "name", .group = "job", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(job_name), .chars = 1},
    {.key = "job_path", .json_key = "path", .group = "job", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(job_path), .chars = 1},
    {.key = "topology", .json_key = "name", .group = "topology", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(topology), .chars = 1},
    {.key = "topology_path", .json_key = "path", .group = "topology",
     .in = DATA, .type = TCE_REPORT_TEXT, .offset = OFF(topology_path),
     .chars = 1},
    {.key = "notes", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(notes), .chars = 1},
};
#undef DATA
#undef ALL
#undef OFF

struct summary {
    int rows, fit, worst;
    double mean, worst_err;
};

static void summarise(const struct tce_recipe_row *rows, int n,
                      struct summary *s)
{
    int i;

    memset(s, 0, sizeof(*s));
    s->worst = -1;
    for (i = 0; i < n; i++) {
        double e = fabs(rows[i].error);

        s->rows++;
        s->mean += e;
        s->fit += rows[i].proj.fits_memory != 0;
        if (s->worst < 0 || e > s->worst_err) {
            s->worst = i;
            s->worst_err = e;
        }
    }
    if (s->rows)
        s->mean /= s->rows;
}

static void table(const struct tce_recipe_row *rows, int n,
                  struct tce_report *t)
{
    tce_report_init(t, columns, (int)TCE_ARRAY_SIZE(columns), rows,
                    sizeof(rows[0]), n);
}

static void print_human(FILE *out, const struct tce_reproduce_bridge_opts *o,
                        const struct tce_recipe_row *rows, int n,
                        const struct summary *s, int ok)
{
    const struct tce_recipes_reference *ref =
        tce_recipes_reference(o->reference);
    struct tce_report t;

    fprintf(out, "# tcemu %s reproduce\n", tce_cli_version());
    fprintf(out, "# reference: %s (%s; held out: nothing in tcemu was "
                 "fitted to them)\n", o->reference, ref->source);
    fprintf(out, "# projected: tcemu project (modelled) with each row's "
                 "job on its topology, model TFLOP/s counted as its source "
                 "counts them (megatron-lm: Megatron-LM's training.py, "
                 "causal half, MTP; nemo-llama: NeMo's flops_formulas.py, "
                 "the whole square)\n");
    table(rows, n, &t);
    tce_report_human(out, &t);
    fprintf(out, "# all %d rows, mean |error| %.1f%% (tolerance %.1f%%), "
                 "worst %.1f%% (tolerance %.1f%%)",
            s->rows, 100.0 * s->mean, 100.0 * o->mean_tolerance,
            100.0 * s->worst_err, 100.0 * o->tolerance);
    if (s->worst >= 0)
        fprintf(out, " (%s)", rows[s->worst].recipe);
    fprintf(out, "; %d of %d fit HBM: %s\n", s->fit, s->rows,
            ok ? "OK" : "FAILED");
}

static void print_json(FILE *out, const struct tce_reproduce_bridge_opts *o,
                       const struct tce_recipe_row *rows, int n,
                       const struct summary *s, int ok)
{
    struct tce_report t;
    struct tce_json j;

    tce_json_init(&j, out);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.reproduce.recipes/1");
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_string(&j, "reference", o->reference);
    tce_json_string(&j, "reference_kind",
                    tce_recipes_reference(o->reference)->name);
    tce_json_double(&j, "tolerance", o->tolerance);
    tce_json_double(&j, "mean_tolerance", o->mean_tolerance);
    tce_json_bool(&j, "all_within_tolerance", ok);
    table(rows, n, &t);
    tce_report_json_rows(&j, "rows", &t);
    tce_json_object_begin(&j, "summary");
    tce_json_int(&j, "rows", s->rows);
    tce_json_int(&j, "fit", s->fit);
    tce_json_double(&j, "mean_abs_error", s->mean);
    tce_json_double(&j, "worst_abs_error", s->worst_err);
    tce_json_object_end(&j);
    tce_json_object_end(&j);
    tce_json_finish(&j);
}

/* Write one output (--json or --csv) atomically. */
static int emit(const char *path, const struct tce_reproduce_bridge_opts *o,
                const struct tce_recipe_row *rows, int n,
                const struct summary *s, int ok, int json)
{
    struct tce_output out;
    struct tce_report t;
    int status = tce_cli_output_open(&out, path);

    if (status != TCE_EXIT_OK)
        return status;
    if (json) {
        print_json(out.fp, o, rows, n, s, ok);
    } else {
        table(rows, n, &t);
        t.schema = "tcemu.reproduce.recipes.csv/1";
        tce_report_csv(out.fp, &t);
    }
    return tce_cli_output_commit(&out);
}

int tce_cmd_reproduce_recipes(const struct tce_reproduce_bridge_opts *o)
{
    struct tce_recipe_row *rows = calloc(TCE_RECIPES_ROWS_MAX, sizeof(*rows));
    struct tce_error err;
    struct summary sum;
    int i, k = 0, n = 0, ok, status = TCE_EXIT_OK;

    tce_error_clear(&err);
    if (!rows)
        return TCE_EXIT_RUNTIME;
    if (tce_recipes_read(o->reference, rows, TCE_RECIPES_ROWS_MAX, &n,
                         &err) != 0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (o->topology && strcmp(rows[i].topology, o->topology) != 0)
            continue;
        if (tce_recipes_project(&rows[i], o->reference, TCE_RECIPES_ANY,
                                stderr, &err) != 0) {
            fprintf(stderr, "tcemu reproduce: error: %s line %d (%s): %s\n",
                    o->reference, rows[i].csv_line, rows[i].recipe, err.msg);
            status = tce_exit_status(err.code);
            goto out;
        }
        rows[k++] = rows[i];
    }
    if (k == 0) {
        fprintf(stderr, "tcemu reproduce: error: %s: no row on topology %s\n",
                o->reference, o->topology ? o->topology : "(any)");
        status = TCE_EXIT_USAGE;
        goto out;
    }
    summarise(rows, k, &sum);
    ok = sum.rows > 0 && sum.worst_err <= o->tolerance &&
         sum.mean <= o->mean_tolerance;
    if (tce_cli_human(o->co))
        print_human(stdout, o, rows, k, &sum, ok);
    if (o->co->json &&
        (status = emit(o->co->json, o, rows, k, &sum, ok, 1)) != TCE_EXIT_OK)
        goto out;
    if (o->co->csv &&
        (status = emit(o->co->csv, o, rows, k, &sum, ok, 0)) != TCE_EXIT_OK)
        goto out;
    if (!ok) {
        fprintf(stderr,
                "tcemu reproduce: error: %s (held out): mean |error| "
                "%.1f%% (tolerance %.1f%%), worst %.1f%% (tolerance "
                "%.1f%%)\n",
                tce_recipes_reference(o->reference)->title,
                100.0 * sum.mean, 100.0 * o->mean_tolerance,
                100.0 * sum.worst_err, 100.0 * o->tolerance);
        status = TCE_EXIT_CHECK;
    }
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    free(rows);
    return status;
}
