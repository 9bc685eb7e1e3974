/*
 * cmd_project.c - tcemu project: project iteration time, MFU, memory, time
 * to train, cost and energy of a job on a topology, for one GPU count or a
 * sweep, as a table, CSV and JSON.
 *
 * --gpus: the job's tp/pp/cp/ep/vpp stay and dp is re-derived.  A single
 * count the job does not fit is an error (exit 2); in a list or range such
 * counts are skipped with a '# skipped' note (exit 2 only if none fits).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/economics.h"
#include "tcemu/error.h"
#include "tcemu/output.h"
#include "tcemu/projector.h"
#include "tcemu/report_project.h"
#include "tcemu/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu project -t TOPOLOGY -j JOB [--gpus N | N,M,... | "
            "FIRST:LAST:xK | FIRST:LAST:+K]\n"
            "                     [--json FILE|-] [--csv FILE|-] "
            "[--calibration FILE] [--plan NAME]\n"
            "\n"
            "Project one training iteration of JOB on TOPOLOGY at one or more "
            "GPU counts,\nwithout running it: iteration time and its "
            "breakdown (compute, exposed TP,\nCP, EP, DP communication, "
            "pipeline bubble and p2p, optimizer), tokens/s,\nmodel and "
            "hardware TFLOP/s per GPU, MFU, HFU, memory per GPU and fit, "
            "time\nto train train_tokens, GPU-hours, on-demand cost and "
            "energy.\n"
            "\n"
            "options:\n"
            "  -t, --topology FILE    topology (topologies/*.cfg)\n"
            "  -j, --job FILE         job (jobs/*.cfg)\n"
            "  -g, --gpus LIST        GPU counts (default: the job's "
            "num_gpus); tp, pp, cp,\n"
            "                         ep, vpp stay, dp is re-derived; counts "
            "the job does\n"
            "                         not fit are an error alone, skipped "
            "in a list\n"
            "      --json FILE|-      write JSON (schema tcemu.project/1); "
            "'-' = stdout only\n"
            "      --csv FILE|-       write CSV; '-' = stdout only\n"
            "  -c, --calibration FILE link parameters measured by tcemu "
            "calibrate\n"
            "  -p, --plan NAME        also price the run under the "
            "topology's contract\n"
            "                         NAME: failures and checkpoints, the "
            "bill with paid-\n"
            "                         but-idle capacity, USD per used "
            "GPU-hour, energy\n"
            "  -h, --help             this help\n"
            "\n"
            "Exit status: 0 ok, 1 cannot write output, 2 bad usage, "
            "configuration or\nno GPU count fits the job.\n");
}

static int write_to(const char *path, void (*fn)(FILE *,
                                                 const struct tce_project_report *),
                    const struct tce_project_report *r)
{
    struct tce_output o;
    int status = tce_cli_output_open(&o, path);

    if (status == TCE_EXIT_OK) {
        fn(o.fp, r);
        status = tce_cli_output_commit(&o);
    }
    return status;
}

int tce_cmd_project(int argc, char **argv)
{
    static const struct option opts[] = {
        {"topology", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"gpus", required_argument, NULL, 'g'},
        {"json", required_argument, NULL, 'J'},
        {"csv", required_argument, NULL, 'C'},
        {"calibration", required_argument, NULL, 'c'},
        {"plan", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *topo_path = NULL, *job_path = NULL, *json_path = NULL;
    const char *csv_path = NULL, *cal_path = NULL, *gpus_arg = NULL;
    const char *plan_name = NULL;
    const struct tce_contract *contract = NULL;
    struct tce_contract plan_scratch;
    struct tce_topology *t = NULL;
    struct tce_job *j = NULL;
    struct tce_calibration *cal = NULL;
    struct tce_projection *rows = NULL;
    struct tce_project_report *rep = NULL;
    struct tce_projector *pj = NULL;
    struct tce_projection_price *prices = NULL;
    struct tce_costmodel cm;
    struct tce_gpu_list *list = NULL;
    struct tce_diag diag;
    struct tce_error err, plan_err;
    char cmdline[1024];
    int c, i, status = TCE_EXIT_OK, human, bad_plan = -1;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "t:j:g:c:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            topo_path = optarg;
            break;
        case 'j':
            job_path = optarg;
            break;
        case 'g':
            gpus_arg = optarg;
            break;
        case 'J':
            json_path = optarg;
            break;
        case 'C':
            csv_path = optarg;
            break;
        case 'c':
            cal_path = optarg;
            break;
        case 'p':
            plan_name = optarg;
            break;
        case 'h':
            usage(stdout);
            return TCE_EXIT_OK;
        default:
            return tce_cli_bad_option("project", argv, usage);
        }
    }
    if (!topo_path || !job_path || optind < argc) {
        fprintf(stderr, "tcemu project: error: %s\n",
                optind < argc ? "unexpected argument"
                              : "needs -t TOPOLOGY and -j JOB");
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    if (json_path && csv_path && strcmp(json_path, "-") == 0 &&
        strcmp(csv_path, "-") == 0) {
        fprintf(stderr, "tcemu project: error: --json - and --csv - cannot "
                        "both write to stdout\n");
        return TCE_EXIT_USAGE;
    }
    t = calloc(1, sizeof(*t));
    j = calloc(1, sizeof(*j));
    list = calloc(1, sizeof(*list));
    rep = calloc(1, sizeof(*rep));
    rows = calloc(TCE_GPU_LIST_MAX, sizeof(*rows));
    pj = malloc(sizeof(*pj));
    prices = calloc(TCE_GPU_LIST_MAX, sizeof(*prices));
    if (!t || !j || !list || !rep || !rows || !pj || !prices) {
        fprintf(stderr, "tcemu project: error: out of memory\n");
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    tce_error_clear(&err);
    if (gpus_arg && tce_parse_gpu_list(gpus_arg, list, &err) != 0) {
        fprintf(stderr, "tcemu project: error: --gpus: %s\n", err.msg);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    tce_diag_init(&diag, stderr);
    tce_topology_load(topo_path, t, &diag);
    tce_job_load(job_path, j, &diag);
    if (cal_path) {
        cal = calloc(1, sizeof(*cal));
        if (!cal) {
            status = TCE_EXIT_RUNTIME;
            goto out;
        }
        tce_calibration_load(cal_path, cal, &diag);
    }
    if (diag.errors) {
        status = TCE_EXIT_USAGE;
        goto out;
    }
    if (plan_name) {
        contract = tce_econ_find_contract(t, plan_name, &plan_scratch);
        if (!contract) {
            fprintf(stderr, "tcemu project: error: %s has no contract "
                            "'%s'\n",
                    topo_path, plan_name);
            status = TCE_EXIT_USAGE;
            goto out;
        }
    }
    if (!gpus_arg) {
        list->n = 1;
        list->gpus[0] = j->parallel.num_gpus;
    }
    tce_error_clear(&err);
    if (tce_costmodel_init(&cm, t, j->training.precision, &err) != 0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    if (cal)
        tce_costmodel_calibrate(&cm, cal);
    tce_cli_join_args(argc, argv, "tcemu ", cmdline, sizeof(cmdline));
    rep->topo = t;
    rep->job = j;
    rep->cm = &cm;
    rep->calibration_path = cal_path;
    rep->command_line = cmdline;
    rep->rows = rows;
    /* One projector for the sweep: what does not depend on the GPU count is
     * built once (results identical to tce_project, see projector.h). */
    tce_projector_init(pj, t, j, &cm);
    for (i = 0; i < list->n; i++) {
        tce_error_clear(&err);
        if (tce_projector_run(pj, list->gpus[i], &rows[rep->n], &err) == 0) {
            rep->n++;
            continue;
        }
        if (list->n == 1) {
            fprintf(stderr, "tcemu project: error: %lld GPUs: %s\n",
                    (long long)list->gpus[i], err.msg);
            status = TCE_EXIT_USAGE;
            goto out;
        }
        if (rep->n_skipped < TCE_REPORT_SKIPPED_MAX) {
            rep->skipped_gpus[rep->n_skipped] = list->gpus[i];
            snprintf(rep->skipped_why[rep->n_skipped], TCE_REPORT_LINE_MAX,
                     "%.300s", err.msg);
            rep->n_skipped++;
        }
    }
    if (rep->n == 0) {
        fprintf(stderr, "tcemu project: error: no GPU count of '%s' fits "
                        "the job\n",
                gpus_arg ? gpus_arg : "");
        for (i = 0; i < rep->n_skipped; i++)
            fprintf(stderr, "tcemu project: %lld GPUs: %s\n",
                    (long long)rep->skipped_gpus[i], rep->skipped_why[i]);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < rep->n; i++)
        if ((rows[i].layout.gpus + t->node.accelerators - 1) /
                (t->node.accelerators > 0 ? t->node.accelerators : 1) >
            t->capacity.max_nodes && t->capacity.max_nodes > 0)
            fprintf(stderr, "tcemu project: warning: %lld GPUs need more "
                            "nodes than %s offers (%lld)\n",
                    (long long)rows[i].layout.gpus, t->name,
                    (long long)t->capacity.max_nodes);
    /* prices (economics.h): the table's on-demand cost and energy, and
     * with --plan the bill under the contract ('#' lines under the table,
     * a "plan" object in each JSON result); a bill that fails stops after
     * the rows before it */
    for (i = 0; i < rep->n; i++) {
        tce_error_clear(&err);
        if (tce_econ_price_projection(t, j, contract, &rows[i], &prices[i],
                                      &err) != 0 &&
            bad_plan < 0) {
            bad_plan = i;
            plan_err = err;
        }
    }
    rep->prices = prices;
    rep->plan = contract;
    human = !(json_path && strcmp(json_path, "-") == 0) &&
            !(csv_path && strcmp(csv_path, "-") == 0);
    if (human)
        tce_report_project_human(stdout, rep);
    for (i = 0; human && contract && i < rep->n && i != bad_plan; i++)
        tce_econ_print(stdout, contract, rows[i].layout.gpus, &prices[i].plan);
    if (bad_plan >= 0) {
        fprintf(stderr, "tcemu project: error: --plan %s: %s\n", plan_name,
                plan_err.msg);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    if (json_path)
        status = write_to(json_path, tce_report_project_json, rep);
    if (status == TCE_EXIT_OK && csv_path)
        status = write_to(csv_path, tce_report_project_csv, rep);
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    free(prices);
    free(pj);
    free(t);
    free(j);
    free(cal);
    free(list);
    free(rep);
    free(rows);
    return status;
}
