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
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/projector.h"
#include "tcemu/util.h"

#define ROWS_MAX 32
#define DEFAULT_REFERENCE \
    "tests/fixtures/reference/megatron-sc21-calibration.csv"
#define DEFAULT_TOPOLOGY "topologies/dgx-a100-80gb.cfg"

struct row {
    char params[32];               /* "1.7" */
    int64_t heads, hidden, layers, tp, pp, gpus, batch;
    double published_tflops;
    char job_path[TCE_TEXT_MAX];
    double projected_tflops;
    double error;                  /* projected / published - 1 */
    struct tce_projection proj;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu reproduce [-t TOPOLOGY] [--reference CSV] "
            "[--jobs DIR]\n"
            "                       [--tolerance F] [--json FILE|-]\n"
            "\n"
            "Project every published measurement shipped with tcemu and "
            "print published\nvs projected hardware TFLOP/s per GPU, with "
            "the error of each row.\n"
            "\n"
            "options:\n"
            "  -t, --topology FILE  default " DEFAULT_TOPOLOGY "\n"
            "  -r, --reference CSV  default " DEFAULT_REFERENCE "\n"
            "      --jobs DIR       job files megatron-sc21-<params>b.cfg "
            "(default jobs)\n"
            "      --tolerance F    largest relative error accepted "
            "(default 0.05)\n"
            "      --json FILE|-    write JSON (schema tcemu.reproduce/1); "
            "'-' = stdout only\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 every row within tolerance, 2 bad usage or "
            "files, 3 a row\nis off by more than the tolerance.\n");
}

/* Split a CSV line in place; returns the number of fields. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;

    while (n < max) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static int read_rows(const char *path, struct row *rows, int *n_rows,
                     struct tce_error *err)
{
    FILE *fp = fopen(path, "r");
    char line[1024], *f[16];
    int lineno = 0, header = 0, n, ret = 0;
    struct row *r;

    *n_rows = 0;
    if (!fp) {
        ret = tce_error_set(err, TCE_EUSAGE, "cannot open %s", path);
        goto out;
    }
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header) {
            header = 1;
            if (strncmp(line, "params_billion,attention_heads,hidden_size,"
                              "num_layers,tensor_parallel,pipeline_parallel,"
                              "gpus,global_batch,tflops_per_gpu",
                        strlen("params_billion,attention_heads,hidden_size,"
                               "num_layers,tensor_parallel,"
                               "pipeline_parallel,gpus,global_batch,"
                               "tflops_per_gpu")) != 0) {
                ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                       "unexpected CSV header");
                goto out;
            }
            continue;
        }
        if (*n_rows >= ROWS_MAX)
            break;
        r = &rows[*n_rows];
        memset(r, 0, sizeof(*r));
        n = split(line, f, 16);
        if (n < 9 || strlen(f[0]) >= sizeof(r->params) ||
            tce_parse_int64(f[1], 1, INT64_C(1) << 30, &r->heads, err) ||
            tce_parse_int64(f[2], 1, INT64_C(1) << 30, &r->hidden, err) ||
            tce_parse_int64(f[3], 1, INT64_C(1) << 30, &r->layers, err) ||
            tce_parse_int64(f[4], 1, INT64_C(1) << 30, &r->tp, err) ||
            tce_parse_int64(f[5], 1, INT64_C(1) << 30, &r->pp, err) ||
            tce_parse_int64(f[6], 1, INT64_C(1) << 40, &r->gpus, err) ||
            tce_parse_int64(f[7], 1, INT64_C(1) << 40, &r->batch, err) ||
            tce_parse_double(f[8], 0.0, 1e9, &r->published_tflops, err)) {
            ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                   "bad row (want 9+ numeric fields)");
            goto out;
        }
        snprintf(r->params, sizeof(r->params), "%s", f[0]);
        (*n_rows)++;
    }
    if (*n_rows == 0)
        ret = tce_error_set(err, TCE_ECONFIG, "%s: no data rows", path);
out:
    if (fp)
        fclose(fp);
    return ret;
}

static int check_job(const struct row *r, const struct tce_job *j,
                     struct tce_error *err)
{
    const struct tce_model *m = &j->model;
    const struct tce_parallel *p = &j->parallel;

    if (m->num_attention_heads != r->heads || m->hidden_size != r->hidden ||
        m->num_layers != r->layers || p->tensor_model_parallel_size != r->tp ||
        p->pipeline_model_parallel_size != r->pp || p->num_gpus != r->gpus ||
        j->training.global_batch_size != r->batch)
        return tce_error_set(err, TCE_ECONFIG,
                             "%s does not match reference row %sB (heads, "
                             "hidden, layers, tp, pp, gpus, global batch)",
                             r->job_path, r->params);
    return 0;
}

static void print_json(FILE *out, const char *topo, const char *ref,
                       const struct row *rows, int n, double tol, int ok)
{
    struct tce_json j;
    int i;

    tce_json_init(&j, out);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.reproduce/1");
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_string(&j, "topology", topo);
    tce_json_string(&j, "reference", ref);
    tce_json_double(&j, "tolerance", tol);
    tce_json_bool(&j, "all_within_tolerance", ok);
    tce_json_array_begin(&j, "rows");
    for (i = 0; i < n; i++) {
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "params_billion", rows[i].params);
        tce_json_string(&j, "job", rows[i].job_path);
        tce_json_int(&j, "gpus", rows[i].gpus);
        tce_json_int(&j, "tp", rows[i].tp);
        tce_json_int(&j, "pp", rows[i].pp);
        tce_json_double(&j, "published_tflops_per_gpu",
                        rows[i].published_tflops);
        tce_json_double(&j, "hardware_tflops_per_gpu",
                        rows[i].projected_tflops);
        tce_json_double(&j, "error", rows[i].error);
        tce_json_double(&j, "iteration_s", rows[i].proj.iteration_s);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_finish(&j);
}

int tce_cmd_reproduce(int argc, char **argv)
{
    static const struct option opts[] = {
        {"topology", required_argument, NULL, 't'},
        {"reference", required_argument, NULL, 'r'},
        {"jobs", required_argument, NULL, 'D'},
        {"tolerance", required_argument, NULL, 'T'},
        {"json", required_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *topo_path = DEFAULT_TOPOLOGY, *ref_path = DEFAULT_REFERENCE;
    const char *jobs_dir = "jobs", *json_path = NULL;
    struct tce_topology *t = NULL;
    struct tce_job *j = NULL;
    struct row *rows = NULL;
    struct tce_costmodel cm;
    struct tce_diag diag;
    struct tce_error err;
    struct tce_output o;
    double tol = 0.05, worst = 0.0;
    int c, i, n = 0, ok = 1, human, status = TCE_EXIT_OK;

    optind = 1;
    opterr = 0;
    tce_error_clear(&err);
    while ((c = getopt_long(argc, argv, "t:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            topo_path = optarg;
            break;
        case 'r':
            ref_path = optarg;
            break;
        case 'D':
            jobs_dir = optarg;
            break;
        case 'T':
            if (tce_parse_double(optarg, 0.0, 1.0, &tol, &err)) {
                fprintf(stderr, "tcemu reproduce: error: --tolerance: %s\n",
                        err.msg);
                return TCE_EXIT_USAGE;
            }
            break;
        case 'J':
            json_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return TCE_EXIT_OK;
        default:
            return tce_cli_bad_option("reproduce", argv, usage);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tcemu reproduce: error: unexpected argument\n");
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    t = calloc(1, sizeof(*t));
    j = calloc(1, sizeof(*j));
    rows = calloc(ROWS_MAX, sizeof(*rows));
    if (!t || !j || !rows) {
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    if (read_rows(ref_path, rows, &n, &err) != 0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    tce_diag_init(&diag, stderr);
    if (tce_topology_load(topo_path, t, &diag) != 0) {
        status = TCE_EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct row *r = &rows[i];

        snprintf(r->job_path, sizeof(r->job_path), "%.400s/megatron-sc21-"
                                                   "%sb.cfg",
                 jobs_dir, r->params);
        if (tce_job_load(r->job_path, j, &diag) != 0) {
            status = TCE_EXIT_USAGE;
            goto out;
        }
        tce_error_clear(&err);
        if (check_job(r, j, &err) != 0 ||
            tce_costmodel_init(&cm, t, j->training.precision, &err) != 0 ||
            tce_project(t, j, &cm, 0, &r->proj, &err) != 0) {
            tce_error_print(&err, stderr);
            status = TCE_EXIT_USAGE;
            goto out;
        }
        r->projected_tflops = r->proj.hardware_tflops_per_gpu;
        r->error = r->projected_tflops / r->published_tflops - 1.0;
        if (fabs(r->error) > worst)
            worst = fabs(r->error);
        if (!(fabs(r->error) <= tol))
            ok = 0;
    }
    human = !(json_path && strcmp(json_path, "-") == 0);
    if (human) {
        printf("# tcemu %s reproduce\n", tce_cli_version());
        printf("# topology: %s (%s)\n", t->name, topo_path);
        printf("# reference: %s\n", ref_path);
        printf("# published: Narayanan et al., SC21, Table 1 (measured, end "
               "to end); projected: tcemu project (modelled), hardware "
               "TFLOP/s per GPU incl. recomputation\n");
        printf("# %8s %5s %3s %3s %6s %11s %11s %8s %10s  %s\n", "params",
               "gpus", "tp", "pp", "batch", "published", "projected",
               "error", "iter(s)", "job");
        printf("# %8s %5s %3s %3s %6s %11s %11s %8s %10s\n", "(B)", "", "",
               "", "(seq)", "(TFLOP/s)", "(TFLOP/s)", "(%)", "");
        for (i = 0; i < n; i++)
            printf("  %8s %5lld %3lld %3lld %6lld %11.1f %11.1f %+8.1f "
                   "%10.3f  %s\n",
                   rows[i].params, (long long)rows[i].gpus,
                   (long long)rows[i].tp, (long long)rows[i].pp,
                   (long long)rows[i].batch, rows[i].published_tflops,
                   rows[i].projected_tflops, 100.0 * rows[i].error,
                   rows[i].proj.iteration_s, rows[i].job_path);
        printf("# worst error %.1f%%, tolerance %.1f%%: %s\n", 100.0 * worst,
               100.0 * tol, ok ? "OK" : "FAILED");
    }
    if (json_path) {
        status = tce_cli_output_open(&o, json_path);
        if (status != TCE_EXIT_OK)
            goto out;
        print_json(o.fp, topo_path, ref_path, rows, n, tol, ok);
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
    free(rows);
    return status;
}
