/*
 * cmd_calibrate_log.c - tcemu calibrate --from-log FILE... -t TOPO -j JOB
 * (cmd_calibrate_log.h): read the logs, project each at the layout it
 * ran, fit the stack overhead, print the fit, write the calibration file.
 */
#include "tcemu/cmd_calibrate_log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/megatronlog.h"
#include "tcemu/output.h"
#include "tcemu/report_stack.h"
#include "tcemu/scenario.h"
#include "tcemu/stackfit.h"
#include "tcemu/util.h"

#define MAX_FILES 32

void tce_cmd_calibrate_log_usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu calibrate --from-log FILE... -t TOPOLOGY -j JOB "
            "[-c CALIBRATION]\n"
            "                       [-o FILE|-] [--json FILE|-] "
            "[--warmup N] [--gpus N]\n"
            "\n"
            "Fit the training stack's own overhead from a framework's logs: "
            "the time per\niteration (a) and per microbatch (b) that a real "
            "run took beyond tcemu's\nmodel, measured - projected = a + b m, "
            "m the microbatches per iteration.\nReads Megatron-LM logs (NeMo "
            "and Megatron-Bridge print the same): the\niteration lines "
            "('elapsed time per iteration (ms)', 'global batch size')\nand "
            "the arguments block printed at start (layout, micro batch, "
            "model\nshape, attention backend, CUDA graphs, FP8).  Give runs "
            "at two or more\nmicrobatch counts (global batch sizes); each "
            "is projected at the layout its\narguments say (else the job "
            "file's at --gpus).  The first --warmup\niterations of each log "
            "are left out; each global batch size gives the\nmedian of its "
            "lines.  Refused: fewer than 2 microbatch counts, or an\n"
            "overhead negative beyond the noise (the model is slower than "
            "the run:\ncalibrate compute and links first).  The calibration "
            "file carries\nstack_overhead (and -c's links and compute table); "
            "`tcemu project\n--calibration FILE` adds it to the breakdown as "
            "\"stack overhead, measured\".\nReads files only: no MPI, no "
            "GPU.\n"
            "\n"
            "  -t, --topology FILE    the topology the logs ran on\n"
            "  -j, --job FILE         the job the logs ran (its stack group "
            "says which stack)\n"
            "  -c, --calibration FILE links and compute measured on the "
            "slice: used for the\n"
            "                         projection and copied into the output\n"
            "  -o, --output FILE|-    calibration file (default "
            "calibration.cfg)\n"
            "      --json FILE|-      the points and the fit as JSON "
            "(tcemu.calibrate_log/1)\n"
            "      --warmup N         iterations left out at the start of "
            "each log (default %d)\n"
            "      --gpus N           world size of logs without an "
            "arguments block\n"
            "                         (default the job's num_gpus)\n"
            "  -h, --help\n",
            TCE_MEGATRONLOG_WARMUP);
}

int tce_cmd_calibrate_log_wanted(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--from-log") == 0)
            return 1;
    }
    return 0;
}

struct opts {
    const char *topology, *job, *calibration, *output, *json;
    int64_t warmup, gpus;
    char **files;
    int n_files;
};

static int bad_number(const char *opt, const char *v)
{
    fprintf(stderr, "tcemu calibrate: error: %s: not a count: '%s'\n", opt,
            v);
    return -TCE_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"from-log", no_argument, NULL, 'L'},
        {"topology", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"calibration", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"json", required_argument, NULL, 'J'},
        {"warmup", required_argument, NULL, 'W'},
        {"gpus", required_argument, NULL, 'G'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "t:j:c:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'L':
            break;
        case 't':
            o->topology = optarg;
            break;
        case 'j':
            o->job = optarg;
            break;
        case 'c':
            o->calibration = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'J':
            o->json = optarg;
            break;
        case 'W':
            if (tce_parse_int64(optarg, 0, INT64_C(1) << 40, &o->warmup,
                                NULL))
                return bad_number("--warmup", optarg);
            break;
        case 'G':
            if (tce_parse_int64(optarg, 1, INT64_C(1) << 30, &o->gpus, NULL))
                return bad_number("--gpus", optarg);
            break;
        case 'h':
            tce_cmd_calibrate_log_usage(stdout);
            return 1;
        default:
            return -tce_cli_bad_option("calibrate", argv,
                                       tce_cmd_calibrate_log_usage);
        }
    }
    o->files = argv + optind;
    o->n_files = argc - optind;
    if (!o->topology || !o->job || o->n_files < 1 ||
        o->n_files > MAX_FILES) {
        fprintf(stderr, "tcemu calibrate: error: --from-log needs -t, -j "
                        "and 1 to %d log files\n",
                MAX_FILES);
        tce_cmd_calibrate_log_usage(stderr);
        return -TCE_EXIT_USAGE;
    }
    if (o->output && o->json && strcmp(o->output, "-") == 0 &&
        strcmp(o->json, "-") == 0) {
        fprintf(stderr, "tcemu calibrate: error: -o - and --json - both on "
                        "stdout\n");
        return -TCE_EXIT_USAGE;
    }
    return 0;
}

/* "llama3-8b on aws-p5: a.log, b.log" (cut at the field's size). */
static void fitted_from(const struct tce_scenario *s, const struct opts *o,
                        char *buf, size_t n)
{
    size_t used;
    int i;

    snprintf(buf, n, "%s on %s: ", s->job.name, s->topo.name);
    for (i = 0; i < o->n_files; i++) {
        used = strlen(buf);
        if (used + 1 < n)
            snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
                     o->files[i]);
    }
}

/* Read every log and project its points; the stack from the first log. */
static int fit_logs(const struct tce_scenario *s, const struct opts *o,
                    struct tce_stackfit *fit, struct tce_stack *stack,
                    int *flash, struct tce_error *err)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    char note[TCE_REPORT_LINE_MAX];
    int i, rc = 0;

    if (!log)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    for (i = 0; i < o->n_files && rc == 0; i++) {
        rc = tce_megatronlog_load(o->files[i], log, err);
        if (rc == 0 && i == 0 &&
            tce_stackfit_stack_of_log(&s->job, log, stack, flash, note,
                                      sizeof(note)) > 0)
            fprintf(stderr,
                    "tcemu calibrate: note: %s's arguments say %s where the "
                    "job's stack does not: the log's is recorded\n",
                    o->files[i], note);
        if (rc == 0)
            rc = tce_stackfit_add_log(fit, log, &s->topo, &s->job, &s->cm,
                                      o->gpus, o->warmup, err);
    }
    free(log);
    if (rc == 0)
        rc = tce_stackfit_solve(fit, err);
    return rc;
}

static int write_outputs(const struct opts *o, const struct tce_stackfit *fit,
                         const struct tce_calibration *cal)
{
    const char *out_path = o->output ? o->output : "calibration.cfg";
    int to_stdout = strcmp(out_path, "-") == 0 ||
                    (o->json && strcmp(o->json, "-") == 0);
    struct tce_output out;
    int status;

    tce_report_stackfit_print(to_stdout ? stderr : stdout, fit,
                              &cal->stack_overhead.stack,
                              cal->stack_overhead.use_flash_attn);
    status = tce_cli_output_open(&out, out_path);
    if (status != TCE_EXIT_OK)
        return status;
    if (tce_calibration_write(cal, out.fp) != 0) {
        tce_output_abort(&out);
        fprintf(stderr, "tcemu calibrate: error: cannot write %s\n",
                out_path);
        return TCE_EXIT_RUNTIME;
    }
    status = tce_cli_output_commit(&out);
    if (status == TCE_EXIT_OK && o->json) {
        status = tce_cli_output_open(&out, o->json);
        if (status != TCE_EXIT_OK)
            return status;
        tce_report_stackfit_json(out.fp, fit, &cal->stack_overhead,
                                 tce_cli_version(), out_path);
        status = tce_cli_output_commit(&out);
    }
    if (status == TCE_EXIT_OK && strcmp(out_path, "-") != 0)
        fprintf(to_stdout ? stderr : stdout, "# wrote %s%s%s\n", out_path,
                o->json && strcmp(o->json, "-") ? " and " : "",
                o->json && strcmp(o->json, "-") ? o->json : "");
    return status;
}

int tce_cmd_calibrate_log(int argc, char **argv)
{
    struct opts o = {.warmup = TCE_MEGATRONLOG_WARMUP};
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_stackfit *fit = calloc(1, sizeof(*fit));
    struct tce_calibration *cal = calloc(1, sizeof(*cal));
    struct tce_scenario_files files;
    struct tce_stack stack;
    struct tce_diag diag;
    struct tce_error err;
    char from[TCE_STACK_FROM_MAX], date[32];
    time_t now = time(NULL);
    int rc, flash = 1, status = TCE_EXIT_USAGE;

    if (!s || !fit || !cal) {
        fprintf(stderr, "tcemu calibrate: error: out of memory\n");
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        status = rc > 0 ? TCE_EXIT_OK : -rc;
        goto out;
    }
    files.topology = o.topology;
    files.job = o.job;
    files.calibration = o.calibration;
    tce_diag_init(&diag, stderr);
    tce_error_clear(&err);
    if (tce_scenario_load(s, &files, &diag, &err) != 0) {
        if (!diag.errors)
            tce_error_print(&err, stderr);
        goto out;
    }
    tce_stackfit_init(fit);
    rc = fit_logs(s, &o, fit, &stack, &flash, &err);
    if (rc != 0) {
        if (err.file[0] && err.line > 0)
            fprintf(stderr, "%s:%d: error: %s\n", err.file, err.line,
                    err.msg);
        else if (err.file[0])
            fprintf(stderr, "%s: error: %s\n", err.file, err.msg);
        else
            fprintf(stderr, "tcemu calibrate: error: %s\n", err.msg);
        status = tce_exit_status(rc);
        goto out;
    }
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    if (s->have_calibration)
        *cal = s->calibration;
    else
        snprintf(cal->date, sizeof(cal->date), "%s", date);
    fitted_from(s, &o, from, sizeof(from));
    tce_stackfit_overhead(fit, &stack, flash, from, date,
                          &cal->stack_overhead);
    status = write_outputs(&o, fit, cal);
out:
    free(s);
    free(fit);
    free(cal);
    return status;
}
