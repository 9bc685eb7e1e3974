/*
 * cmd_project.c - tcemu project: project iteration time, MFU, memory, time
 * to train, cost and energy of a job on a topology, for one GPU count or a
 * sweep, as a table, CSV and JSON.
 *
 * --gpus: the job's tp/pp/cp/ep/vpp stay and dp is re-derived.  A single
 * count the job does not fit is an error (exit 2); in a list or range such
 * counts are skipped with a '# skipped' note (exit 2 only if none fits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/economics.h"
#include "tcemu/error.h"
#include "tcemu/opcost.h"
#include "tcemu/output.h"
#include "tcemu/plan.h"
#include "tcemu/projector.h"
#include "tcemu/report_project.h"
#include "tcemu/scenario.h"
#include "tcemu/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu project -t TOPOLOGY -j JOB [--gpus N | N,M,... | "
            "FIRST:LAST:xK | FIRST:LAST:+K]\n"
            "                     [--json FILE|-] [--csv FILE|-] "
            "[--calibration FILE] [--plan NAME]\n"
            "                     [--wide] [--ops]\n"
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
            "      --csv FILE|-       write CSV (tcemu.project.csv/1); '-' = "
            "stdout only\n"
            "      --wide             one human table of every column (default: "
            "two,\n"
            "                         under 160 columns)\n"
            "  -c, --calibration FILE link parameters measured by tcemu "
            "calibrate\n"
            "  -p, --plan NAME        also price the run under the "
            "topology's contract\n"
            "                         NAME: failures and checkpoints, the "
            "bill with paid-\n"
            "                         but-idle capacity, USD per used "
            "GPU-hour, energy\n"
            "      --trace FILE       write the modelled timeline of one "
            "iteration (the first\n"
            "                         count) as Chrome trace JSON "
            "(Perfetto)\n"
            "      --ops              also the per-op model of one "
            "microbatch on stage 0 at\n"
            "                         the first GPU count: each op's "
            "time, FLOPs, bytes,\n"
            "                         rate, efficiency and source (measured "
            "table, curve,\n"
            "                         links), kernel launches (eager or "
            "graph), and each\n"
            "                         layer's host launch time; in JSON as "
            "\"ops\"\n"
            "  -h, --help             this help\n"
            "\n"
            "Exit status: 0 ok, 1 cannot write output, 2 bad usage, "
            "configuration or\nno GPU count fits the job.\n");
}

static int write_to(const char *path,
                    void (*fn)(FILE *, const struct tce_project_report *),
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

/* Options into co and the GPU counts into list: TCE_EXIT_OK, an exit
 * status, or -1 when help was printed (exit 0). */
static int parse_options(int argc, char **argv, struct tce_cli_common *co,
                         struct tce_gpu_list *list, const char **trace,
                         int *wide, int *ops)
{
    static const struct option own[] = {
        {"trace", required_argument, NULL, 'T'},
        {"wide", no_argument, NULL, 'W'},
        {"ops", no_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_error err;
    int c;

    memset(co, 0, sizeof(*co));
    tce_cli_parser_init(&p,
                        TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_GPUS |
                            TCE_CLI_JSON | TCE_CLI_CSV | TCE_CLI_CALIBRATION |
                            TCE_CLI_PLAN | TCE_CLI_HELP,
                        own, NULL);
    while ((c = tce_cli_next(&p, argc, argv, co)) != -1) {
        if (c == 0)
            continue;
        if (c == 'T') {
            *trace = optarg;
            continue;
        }
        if (c == 'W') {
            *wide = 1;
            continue;
        }
        if (c == 'O') {
            *ops = 1;
            continue;
        }
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        return tce_cli_bad_option("project", argv, usage);
    }
    tce_error_clear(&err);
    if (tce_cli_no_operands(argc, argv, &err) != 0 || !co->topology ||
        !co->job) {
        fprintf(stderr, "tcemu project: error: %s\n",
                err.code ? err.msg : "needs -t TOPOLOGY and -j JOB");
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    if (tce_cli_stdout_clash("project", co))
        return TCE_EXIT_USAGE;
    if (co->gpus && tce_parse_gpu_list(co->gpus, list, &err) != 0) {
        fprintf(stderr, "tcemu project: error: --gpus: %s\n", err.msg);
        return TCE_EXIT_USAGE;
    }
    return TCE_EXIT_OK;
}

/* Project every count of list with one projector (what does not depend on
 * the GPU count is built once; results identical to tce_project, see
 * projector.h).  Counts the job does not fit are skipped with their
 * reason; an error when the count is alone or none fits. */
static int project_counts(const struct tce_scenario *s,
                          const struct tce_gpu_list *list, const char *arg,
                          struct tce_projector *pj,
                          struct tce_project_row *rows,
                          struct tce_project_report *rep)
{
    struct tce_error err;
    int i, status = TCE_EXIT_OK;

    tce_projector_init(pj, &s->topo, &s->job, &s->cm);
    for (i = 0; i < list->n; i++) {
        tce_error_clear(&err);
        if (tce_projector_run(pj, list->gpus[i], &rows[rep->n].proj,
                              &err) == 0) {
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
    if (rep->n > 0)
        goto out;
    fprintf(stderr, "tcemu project: error: no GPU count of '%s' fits the "
                    "job\n",
            arg ? arg : "");
    for (i = 0; i < rep->n_skipped; i++)
        fprintf(stderr, "tcemu project: %lld GPUs: %s\n",
                (long long)rep->skipped_gpus[i], rep->skipped_why[i]);
    status = TCE_EXIT_USAGE;
out:
    return status;
}

/* Price every row (economics.h): on-demand cost and energy and, under
 * --plan, the bill.  A bill that fails ends the plans at its row (those
 * before it are still printed); returns that row (its error in err), or
 * -1. */
static int price_rows(const struct tce_scenario *s,
                      const struct tce_contract *contract,
                      struct tce_project_row *rows, int n,
                      struct tce_error *err)
{
    struct tce_error e;
    int i, bad = -1;

    for (i = 0; i < n; i++) {
        tce_error_clear(&e);
        if (tce_econ_price_projection(&s->topo, &s->job, contract,
                                      &rows[i].proj, &rows[i].price,
                                      &e) != 0 &&
            bad < 0) {
            bad = i;
            *err = e;
        }
        if (bad >= 0)
            rows[i].price.have_plan = 0;
    }
    return bad;
}

/* --ops: the per-op model of one microbatch on stage 0 at the first
 * projected GPU count (s placed there).  TCE_EXIT_OK or 1. */
static int op_model(struct tce_scenario *s, int64_t gpus,
                    struct tce_opcost *ops)
{
    struct tce_plan *plan = malloc(sizeof(*plan));
    struct tce_error err;
    int status = TCE_EXIT_RUNTIME;

    tce_error_clear(&err);
    if (!plan) {
        fprintf(stderr, "tcemu project: error: out of memory\n");
        goto out;
    }
    if (tce_scenario_place(s, gpus, &err) != 0 ||
        tce_plan_build(&s->job, &s->layout, 0, plan, &err) != 0 ||
        tce_opcost_stage(plan, &s->cm, s->spans, ops, &err) != 0) {
        fprintf(stderr, "tcemu project: error: --ops: %s\n", err.msg);
        goto out;
    }
    status = TCE_EXIT_OK;
out:
    free(plan);
    return status;
}

/* links: which measured patterns price the plan of stage 0 at gpus (s
 * placed there); out stays empty when the calibration has none. */
static void link_cover(struct tce_scenario *s, int64_t gpus,
                       struct tce_cost_linkcal_cover *out)
{
    struct tce_plan *plan = NULL;
    struct tce_error err;

    memset(out, 0, sizeof(*out));
    if (s->cm.linkcal.n == 0 || !(plan = malloc(sizeof(*plan))))
        goto out;
    if (tce_scenario_place(s, gpus, &err) == 0 &&
        tce_plan_build(&s->job, &s->layout, 0, plan, &err) == 0)
        tce_cost_linkcal_cover(&s->cm, plan, s->spans, out);
out:
    free(plan);
}

/* Load the scenario and find --plan's contract: TCE_EXIT_OK or 2. */
static int load(const struct tce_cli_common *co, struct tce_scenario *s,
                const struct tce_contract **contract,
                struct tce_contract *scratch)
{
    struct tce_scenario_files files = {co->topology, co->job,
                                       co->calibration};
    struct tce_diag diag;
    struct tce_error err;
    int loaded, status = TCE_EXIT_USAGE;

    tce_diag_init(&diag, stderr);
    tce_error_clear(&err);
    loaded = tce_scenario_load(s, &files, &diag, &err);
    if (diag.errors)
        goto out;
    if (co->plan) {
        *contract = tce_econ_find_contract(&s->topo, co->plan, scratch);
        if (!*contract) {
            fprintf(stderr, "tcemu project: error: %s has no contract "
                            "'%s'\n",
                    co->topology, co->plan);
            goto out;
        }
    }
    if (loaded != 0) { /* the cost model lacks a figure */
        tce_error_print(&err, stderr);
        goto out;
    }
    status = TCE_EXIT_OK;
out:
    return status;
}

int tce_cmd_project(int argc, char **argv)
{
    const struct tce_contract *contract = NULL;
    struct tce_contract plan_scratch;
    struct tce_scenario *s = NULL;
    struct tce_project_row *rows = NULL;
    struct tce_project_report *rep = NULL;
    struct tce_projector *pj = NULL;
    struct tce_gpu_list *list = NULL;
    struct tce_opcost *ops = NULL;
    struct tce_cli_common co;
    struct tce_error err;
    struct tce_validation validation;
    struct tce_cost_linkcal_cover links;
    char cmdline[1024];
    const char *trace = NULL;
    int i, bad_plan, want_ops = 0, status = TCE_EXIT_OK;

    list = calloc(1, sizeof(*list));
    s = calloc(1, sizeof(*s));
    rep = calloc(1, sizeof(*rep));
    rows = calloc(TCE_GPU_LIST_MAX, sizeof(*rows));
    pj = malloc(sizeof(*pj));
    if (!list || !s || !rep || !rows || !pj) {
        fprintf(stderr, "tcemu project: error: out of memory\n");
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    status = parse_options(argc, argv, &co, list, &trace, &rep->wide,
                           &want_ops);
    if (status == TCE_EXIT_OK)
        status = load(&co, s, &contract, &plan_scratch);
    if (status != TCE_EXIT_OK) {
        status = status < 0 ? TCE_EXIT_OK : status;
        goto out;
    }
    if (!co.gpus) {
        list->n = 1;
        list->gpus[0] = s->job.parallel.num_gpus;
    }
    tce_cli_join_args(argc, argv, "tcemu ", cmdline, sizeof(cmdline));
    rep->topo = &s->topo;
    rep->job = &s->job;
    rep->cm = &s->cm;
    rep->calibration_path = co.calibration;
    rep->calibration_link_path = s->calibration.link_path;
    rep->command_line = cmdline;
    rep->rows = rows;
    rep->plan = contract;
    tce_validation_for(&s->topo, &s->job, &validation);
    rep->validation = &validation;
    status = project_counts(s, list, co.gpus, pj, rows, rep);
    if (status != TCE_EXIT_OK)
        goto out;
    link_cover(s, rows[0].proj.layout.gpus, &links);
    rep->links = &links;
    if (want_ops) {
        ops = malloc(sizeof(*ops));
        status = ops ? op_model(s, rows[0].proj.layout.gpus, ops)
                     : TCE_EXIT_RUNTIME;
        if (status != TCE_EXIT_OK)
            goto out;
        rep->ops = ops;
    }
    for (i = 0; i < rep->n; i++)
        if (tce_econ_over_capacity(&s->topo, rows[i].proj.layout.gpus))
            fprintf(stderr, "tcemu project: warning: %lld GPUs need more "
                            "nodes than %s offers (%lld)\n",
                    (long long)rows[i].proj.layout.gpus, s->topo.name,
                    (long long)s->topo.capacity.max_nodes);
    bad_plan = price_rows(s, contract, rows, rep->n, &err);
    if (tce_cli_human(&co))
        tce_report_project_human(stdout, rep);
    if (bad_plan >= 0) {
        fprintf(stderr, "tcemu project: error: --plan %s: %s\n", co.plan,
                err.msg);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    if (co.json)
        status = write_to(co.json, tce_report_project_json, rep);
    if (status == TCE_EXIT_OK && co.csv)
        status = write_to(co.csv, tce_report_project_csv, rep);
    if (status == TCE_EXIT_OK && trace)
        status = tce_cli_project_trace(trace, s, &rows[0].proj);
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    free(ops);
    free(pj);
    free(s);
    free(list);
    free(rep);
    free(rows);
    return status;
}
