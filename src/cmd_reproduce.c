/*
 * cmd_reproduce.c - tcemu reproduce: project every published measurement
 * the project ships (tests/fixtures/reference/megatron-sc21-calibration.csv:
 * Megatron-LM SC21 Table 1, five rows on DGX A100) and print published vs
 * projected TFLOP/s per GPU with the error of each row.  Exit 3 when any row
 * is off by more than the tolerance (5%).
 *
 * Each CSV row is matched to its job file DIR/megatron-sc21-<params>b.cfg;
 * the job must agree with the row (heads, hidden, layers, TP, PP, GPUs,
 * global batch), so the comparison cannot silently drift from the data.
 *
 * A reference with Megatron-Bridge's header (--reference
 * megatron-bridge-performance) goes to tce_cmd_reproduce_bridge
 * (cmd_reproduce_bridge.h): each row on its own topology, job and layout.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/cli.h"
#include "tcemu/cmd_reproduce_bridge.h"
#include "tcemu/cmd_reproduce_recipes.h"
#include "tcemu/config.h"
#include "tcemu/datadir.h"
#include "tcemu/error.h"
#include "tcemu/input.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/projector.h"
#include "tcemu/recipes.h"
#include "tcemu/report.h"
#include "tcemu/scenario.h"
#include "tcemu/util.h"
#include "tcemu/validation.h"

#define ROWS_MAX TCE_VALIDATION_ROWS_MAX
#define DEFAULT_REFERENCE TCE_VALIDATION_REFERENCE
#define DEFAULT_TOPOLOGY TCE_VALIDATION_TOPOLOGY

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu reproduce [-t TOPOLOGY] [--reference CSV] "
            "[--jobs DIR]\n"
            "                       [--tolerance F] [--mean-tolerance F] "
            "[--excluded]\n"
            "                       [--write-jobs DIR] [--json FILE|-] "
            "[--csv FILE|-]\n"
            "\n"
            "Project every published measurement shipped with tcemu and "
            "print published\nvs projected hardware TFLOP/s per GPU, with "
            "the error of each row.\n"
            "With --reference " TCE_BRIDGE_REFERENCE " (NVIDIA "
            "Megatron-Bridge's\nperformance summaries): each selected row "
            "on its own topology, job and layout,\nmodel TFLOP/s counted as "
            "Megatron-Bridge counts them, tokens/s per GPU, HBM fit,\nand "
            "the mean and worst |error| per generation, dense and MoE.\n"
            "With --reference megatron-lm-moe-recipes (NVIDIA Megatron-LM's "
            "MoE recipes)\nor nemo-long-sequence (NVIDIA NeMo's "
            "long-sequence table: Llama 3 8B on\nB200 from 8K to 1M tokens "
            "with context parallelism), both held out (nothing\nwas fitted "
            "to them): each row's job on its topology, model TFLOP/s "
            "counted as\nits source counts them against the published "
            "figure, the mean and worst\n|error|.\n"
            "\n"
            "options:\n"
            "  -t, --topology FILE  default " DEFAULT_TOPOLOGY " (Bridge: "
            "only the rows on\n                       this topology NAME; "
            "default all)\n"
            "  -r, --reference CSV  default " DEFAULT_REFERENCE "\n"
            "      --jobs DIR       job files megatron-sc21-<params>b.cfg "
            "(Bridge:\n                       <model_key>.cfg; default: the "
            "shipped jobs)\n"
            "      --tolerance F    largest relative error accepted "
            "(default 0.05;\n                       Bridge 0.25)\n"
            "      --mean-tolerance F  Bridge: largest mean |error| accepted "
            "(default 0.10)\n"
            "      --excluded       Bridge: list every excluded row and why\n"
            "      --write-jobs DIR Bridge: write each projected row's job, "
            "layout and\n                       recipe settings applied, "
            "every key resolved, to\n                       "
            "DIR/<model_key>-<system>-<csv line>.cfg (DIR must exist);\n"
            "                       the row's job.path is then that file "
            "(tcemu project\n                       with it gives the row's "
            "figure)\n"
            "      --json FILE|-    write JSON (schema tcemu.reproduce/2; "
            "Bridge /3);\n                       '-' = stdout only\n"
            "      --csv FILE|-     write CSV (tcemu.reproduce.csv/1; Bridge "
            "/2); '-' =\n                       stdout only\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 every row within tolerance, 2 bad usage or "
            "files, 3 a row\nis off by more than the tolerance.\n");
}

#define OFF(member) offsetof(struct tce_validation_row, member)
#define ALL TCE_REPORT_ALL
/* The rows of the table and of JSON's "rows", described once (the job is
 * second in JSON, last in the table). */
static const struct tce_report_column columns[] = {
    {.key = "params_billion", .human = "params", .unit = "(B)", .fmt = "8s",
     .in = ALL, .type = TCE_REPORT_TEXT, .offset = OFF(params), .chars = 1},
    {.key = "job_name", .json_key = "name", .group = "job",
     .in = TCE_REPORT_CSV | TCE_REPORT_JSON, .type = TCE_REPORT_TEXT,
     .offset = OFF(job_name), .chars = 1},
    {.key = "job_path", .json_key = "path", .group = "job",
     .in = TCE_REPORT_CSV | TCE_REPORT_JSON, .type = TCE_REPORT_TEXT,
     .offset = OFF(job_path), .chars = 1},
    {.key = "gpus", .human = "gpus", .unit = "", .fmt = "5d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(gpus)},
    {.key = "tp", .human = "tp", .unit = "", .fmt = "3d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(tp)},
    {.key = "pp", .human = "pp", .unit = "", .fmt = "3d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(pp)},
    {.key = "global_batch", .human = "batch", .unit = "(seq)", .fmt = "6d",
     .in = TCE_REPORT_HUMAN | TCE_REPORT_CSV, .type = TCE_REPORT_INT,
     .offset = OFF(batch)},
    {.key = "published_tflops_per_gpu", .human = "published",
     .unit = "(TFLOP/s)", .fmt = "11.1f", .in = ALL,
     .type = TCE_REPORT_DOUBLE, .offset = OFF(published_tflops)},
    {.key = "hardware_tflops_per_gpu", .human = "projected",
     .unit = "(TFLOP/s)", .fmt = "11.1f", .in = ALL,
     .type = TCE_REPORT_DOUBLE, .offset = OFF(projected_tflops)},
    {.key = "error", .human = "error", .unit = "(%)", .fmt = "+8.1f",
     .scale = 100.0, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(error)},
    {.key = "iteration_s", .human = "iter(s)", .unit = "", .fmt = "10.3f",
     .in = ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(proj.iteration_s)},
    {.key = "job", .human = "job", .fmt = "s", .sep = "  ",
     .in = TCE_REPORT_HUMAN, .type = TCE_REPORT_TEXT, .offset = OFF(job_path),
     .chars = 1},
};
#undef ALL
#undef OFF

static void table_of(const struct tce_validation_row *rows, int n,
                     struct tce_report *t)
{
    tce_report_init(t, columns, (int)TCE_ARRAY_SIZE(columns), rows,
                    sizeof(rows[0]), n);
}

static void print_json(FILE *out, const char *topo_name, const char *topo,
                       const char *ref,
                       const struct tce_validation_row *rows, int n,
                       double tol, int ok)
{
    struct tce_report t;
    struct tce_json j;

    tce_json_init(&j, out);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.reproduce/2");
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_object_begin(&j, "topology");
    tce_json_string(&j, "name", topo_name);
    tce_json_string(&j, "path", topo);
    tce_json_object_end(&j);
    tce_json_string(&j, "reference", ref);
    tce_json_double(&j, "tolerance", tol);
    tce_json_bool(&j, "all_within_tolerance", ok);
    table_of(rows, n, &t);
    tce_report_json_rows(&j, "rows", &t);
    tce_json_finish(&j);
}

static void print_human(FILE *out, const char *topo_name,
                        const char *topo_path, const char *ref,
                        const struct tce_validation_row *rows, int n,
                        double worst,
                        double tol, int ok)
{
    struct tce_report t;

    fprintf(out, "# tcemu %s reproduce\n", tce_cli_version());
    fprintf(out, "# topology: %s (%s)\n", topo_name, topo_path);
    fprintf(out, "# reference: %s\n", ref);
    fprintf(out, "# published: Narayanan et al., SC21, Table 1 (measured, "
                 "end to end); projected: tcemu project (modelled), hardware "
                 "TFLOP/s per GPU incl. recomputation\n");
    table_of(rows, n, &t);
    tce_report_human(out, &t);
    fprintf(out, "# worst error %.1f%%, tolerance %.1f%%: %s\n",
            100.0 * worst, 100.0 * tol, ok ? "OK" : "FAILED");
}

/* Options: TCE_EXIT_OK, an exit status, or -1 after help (exit 0). */
static int parse_options(int argc, char **argv, struct tce_cli_common *co,
                         const char **ref_path, const char **jobs_dir,
                         double *tol, double *mean_tol, int *excluded,
                         const char **write_jobs)
{
    static const struct option own[] = {
        {"reference", required_argument, NULL, 'r'},
        {"jobs", required_argument, NULL, 'D'},
        {"tolerance", required_argument, NULL, 'T'},
        {"mean-tolerance", required_argument, NULL, 'M'},
        {"excluded", no_argument, NULL, 'X'},
        {"write-jobs", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_error err;
    int c;

    memset(co, 0, sizeof(*co));
    tce_error_clear(&err);
    tce_cli_parser_init(&p,
                        TCE_CLI_TOPOLOGY | TCE_CLI_JSON | TCE_CLI_CSV |
                            TCE_CLI_HELP,
                        own, "r:");
    while ((c = tce_cli_next(&p, argc, argv, co)) != -1) {
        switch (c) {
        case 0:
            break;
        case 'r':
            *ref_path = optarg;
            break;
        case 'D':
            *jobs_dir = optarg;
            break;
        case 'T':
            if (tce_parse_double(optarg, 0.0, 1.0, tol, &err)) {
                fprintf(stderr, "tcemu reproduce: error: --tolerance: %s\n",
                        err.msg);
                return TCE_EXIT_USAGE;
            }
            break;
        case 'M':
            if (tce_parse_double(optarg, 0.0, 1.0, mean_tol, &err)) {
                fprintf(stderr,
                        "tcemu reproduce: error: --mean-tolerance: %s\n",
                        err.msg);
                return TCE_EXIT_USAGE;
            }
            break;
        case 'X':
            *excluded = 1;
            break;
        case 'W':
            *write_jobs = optarg;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            return tce_cli_bad_option("reproduce", argv, usage);
        }
    }
    if (tce_cli_no_operands(argc, argv, &err) != 0) {
        fprintf(stderr, "tcemu reproduce: error: %s\n", err.msg);
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    return TCE_EXIT_OK;
}

int tce_cmd_reproduce(int argc, char **argv)
{
    const char *ref_path = DEFAULT_REFERENCE, *jobs_dir = NULL;
    const char *write_jobs = NULL;
    char ref[TCE_TEXT_MAX];
    struct tce_topology *t = NULL;
    struct tce_job *j = NULL;
    struct tce_scenario *s = NULL;
    struct tce_validation_row *rows = NULL;
    struct tce_cli_common co;
    struct tce_diag diag;
    struct tce_error err;
    struct tce_output o;
    struct tce_report tab;
    struct tce_reproduce_bridge_opts bo;
    double tol = -1.0, mean_tol = 0.10, worst = 0.0;
    int i, n = 0, ok = 1, excluded = 0, recipes, status;

    status = parse_options(argc, argv, &co, &ref_path, &jobs_dir, &tol,
                           &mean_tol, &excluded, &write_jobs);
    if (status != TCE_EXIT_OK)
        return status < 0 ? TCE_EXIT_OK : status;
    tce_error_clear(&err);
    if (tce_datadir_resolve(TCE_DATA_REFERENCE, ref_path, ref, sizeof(ref),
                            &err) != 0) {
        tce_error_print(&err, stderr);
        return TCE_EXIT_USAGE;
    }
    recipes = tce_recipes_detect(ref);
    if (recipes || tce_bridge_detect(ref)) {
        memset(&bo, 0, sizeof(bo));
        bo.reference = ref;
        bo.topology = co.topology;
        bo.jobs_dir = jobs_dir;
        bo.tolerance = tol < 0.0 ? 0.25 : tol;
        bo.mean_tolerance = mean_tol;
        bo.excluded = excluded;
        bo.write_jobs = write_jobs;
        bo.co = &co;
        if (!recipes)
            return tce_cmd_reproduce_bridge(&bo);
        if (jobs_dir || excluded || write_jobs) {
            fprintf(stderr, "tcemu reproduce: error: --jobs, --excluded, "
                            "--write-jobs: not with a held-out reference "
                            "(each row names its job)\n");
            return TCE_EXIT_USAGE;
        }
        return tce_cmd_reproduce_recipes(&bo);
    }
    if (write_jobs) {
        fprintf(stderr, "tcemu reproduce: error: --write-jobs: only with a "
                        "Megatron-Bridge reference\n");
        return TCE_EXIT_USAGE;
    }
    if (tol < 0.0)
        tol = 0.05;
    if (!co.topology)
        co.topology = DEFAULT_TOPOLOGY;
    t = calloc(1, sizeof(*t));
    j = calloc(1, sizeof(*j));
    s = calloc(1, sizeof(*s));
    rows = calloc(ROWS_MAX, sizeof(*rows));
    if (!t || !j || !s || !rows) {
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    if (tce_validation_read(ref_path = ref, rows, ROWS_MAX, &n, &err) != 0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    tce_diag_init(&diag, stderr);
    if (tce_topology_load(co.topology, t, &diag) != 0) {
        status = TCE_EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct tce_validation_row *r = &rows[i];

        snprintf(r->job_path, sizeof(r->job_path),
                 jobs_dir ? "%.400s/megatron-sc21-%sb.cfg"
                          : "%.0smegatron-sc21-%sb",
                 jobs_dir ? jobs_dir : "", r->params);
        if (tce_job_load(r->job_path, j, &diag) != 0) {
            status = TCE_EXIT_USAGE;
            goto out;
        }
        snprintf(r->job_path, sizeof(r->job_path), "%s", j->path);
        snprintf(r->job_name, sizeof(r->job_name), "%s", j->name);
        tce_error_clear(&err);
        if (tce_validation_project(r, t, j, s, &err) != 0) {
            tce_error_print(&err, stderr);
            status = TCE_EXIT_USAGE;
            goto out;
        }
        if (fabs(r->error) > worst)
            worst = fabs(r->error);
        if (!(fabs(r->error) <= tol))
            ok = 0;
    }
    if (tce_cli_human(&co))
        print_human(stdout, t->name, t->path, ref_path, rows, n, worst,
                    tol, ok);
    if (co.json) {
        status = tce_cli_output_open(&o, co.json);
        if (status != TCE_EXIT_OK)
            goto out;
        print_json(o.fp, t->name, t->path, ref_path, rows, n, tol, ok);
        status = tce_cli_output_commit(&o);
        if (status != TCE_EXIT_OK)
            goto out;
    }
    if (co.csv) {
        status = tce_cli_output_open(&o, co.csv);
        if (status != TCE_EXIT_OK)
            goto out;
        table_of(rows, n, &tab);
        tab.schema = "tcemu.reproduce.csv/1";
        tce_report_csv(o.fp, &tab);
        status = tce_cli_output_commit(&o);
        if (status != TCE_EXIT_OK)
            goto out;
    }
    if (!ok) {
        fprintf(stderr, "tcemu reproduce: error: a row is off by more than "
                        "%.1f%%\n",
                100.0 * tol);
        status = TCE_EXIT_CHECK;
    }
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    free(t);
    free(j);
    free(s);
    free(rows);
    return status;
}
