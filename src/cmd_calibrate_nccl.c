/*
 * cmd_calibrate_nccl.c - tcemu calibrate --from-nccl-tests FILE...
 * (cmd_calibrate_nccl.h): parse the files, fit, print the fit the way
 * calibrate prints its own, write the calibration file.
 */
#include "tcemu/cmd_calibrate_nccl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/calibnccl.h"
#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/nccltests.h"
#include "tcemu/output.h"

#define MAX_FILES 64

void tce_cmd_calibrate_nccl_usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu calibrate --from-nccl-tests FILE... [-o FILE|-] "
            "[--json FILE|-]\n"
            "\n"
            "Fit the link parameters of the NCCL device path (NVLink/NVSwitch "
            "inside a\nnode, GPUDirect RDMA across nodes) from the output of "
            "nccl-tests:\nall_reduce_perf, all_gather_perf, reduce_scatter_perf, "
            "alltoall_perf,\nsendrecv_perf (one run per file, as it printed it, "
            "with its '#  Rank'\nlines; a file named after the binary when the "
            "output does not say which).\nA run on one host gives scale_up, a "
            "run across hosts scale_out.  Same fit\nas `mpirun tcemu calibrate` "
            "(send/recv gives the link, else the\nall-reduce); the calibration "
            "file says path = \"nccl_device\".  Reads\nfiles only: no MPI, no "
            "GPU.\n"
            "\n"
            "  -o, --output FILE|-   calibration file (default "
            "calibration.cfg)\n"
            "      --json FILE|-     the runs and fits as JSON (schema "
            "tcemu.calibrate/2,\n"
            "                        \"path\": \"nccl_device\")\n"
            "  -h, --help\n");
}

int tce_cmd_calibrate_nccl_wanted(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--from-nccl-tests") == 0)
            return 1;
    }
    return 0;
}

static void print_error(const struct tce_error *e)
{
    if (e->file[0] && e->line > 0)
        fprintf(stderr, "%s:%d: error: %s\n", e->file, e->line, e->msg);
    else if (e->file[0])
        fprintf(stderr, "%s: error: %s\n", e->file, e->msg);
    else
        fprintf(stderr, "tcemu calibrate: error: %s\n", e->msg);
}

static void print_fit(FILE *out, const struct tce_nccltests_run *runs, int n,
                      const struct tce_calibnccl *fit)
{
    int i, k;

    fprintf(out, "# tcemu calibrate --from-nccl-tests: %d run%s, path "
                 "nccl_device (NCCL on the GPUs, not MPI on host memory)\n",
            n, n == 1 ? "" : "s");
    fprintf(out, "# %-14s %6s %5s %10s %5s  %s\n", "collective", "ranks",
            "nodes", "ranks/node", "rows", "file (device)");
    for (i = 0; i < n; i++)
        fprintf(out, "# %-14s %6d %5d %10d %5d  %s (%s)\n",
                tce_coll_short_name(runs[i].kind), runs[i].group_ranks,
                runs[i].nodes, runs[i].ranks_per_node, runs[i].n_rows,
                runs[i].path, runs[i].device[0] ? runs[i].device : "?");
    for (i = 0; i < fit->n_classes; i++) {
        const struct tce_calibnccl_class *c = &fit->classes[i];
        const struct tce_calibnccl_kind *b = &c->kinds[c->base];

        fprintf(out,
                "# %s: latency %.3f us, bandwidth %.3f GB/s (1e9 B/s) from "
                "%s on %d ranks, rms error %.1f%%\n",
                tce_link_class_name(c->link), c->latency_us,
                c->bandwidth_gbytes_per_s, tce_coll_short_name(c->base),
                b->ranks, 100.0 * b->line.rms_rel_error);
        for (k = 0; k < TCE_COLL_COUNT; k++) {
            const struct tce_calibnccl_kind *q = &c->kinds[k];

            if (!q->have)
                continue;
            fprintf(out,
                    "#   %-14s efficiency %.3f  (%d ranks, %d run%s%s, %d "
                    "points)\n",
                    tce_coll_short_name((enum tce_coll)k),
                    q->efficiency, q->ranks, q->runs, q->runs == 1 ? "" : "s",
                    q->skipped ? ", smaller runs skipped" : "",
                    q->line.points);
        }
    }
}

/* The runs and the fit as JSON (tcemu.calibrate/2, as calibrate writes
 * it, with "path": "nccl_device" and the runs instead of measured points). */
static void write_json(FILE *fp, const struct tce_nccltests_run *runs, int n,
                       const struct tce_calibnccl *fit, const char *date,
                       const char *cal_path)
{
    struct tce_json j;
    int i, k;

    tce_json_init(&j, fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.calibrate/2");
    tce_json_bool(&j, "complete", 1);
    tce_json_string(&j, "path", tce_link_path_name(TCE_LINK_PATH_NCCL_DEVICE));
    tce_json_string(&j, "date", date);
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_string(&j, "calibration_file", cal_path);
    tce_json_string(&j, "time", "nccl-tests' out-of-place time");
    tce_json_array_begin(&j, "runs");
    for (i = 0; i < n; i++) {
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "file", runs[i].path);
        tce_json_string(&j, "test", runs[i].test);
        tce_json_string(&j, "collective", tce_coll_short_name(runs[i].kind));
        tce_json_string(&j, "nccl_tests_version", runs[i].version);
        tce_json_string(&j, "device", runs[i].device);
        tce_json_int(&j, "ranks", runs[i].group_ranks);
        tce_json_int(&j, "groups", runs[i].groups);
        tce_json_int(&j, "nodes", runs[i].group_nodes);
        tce_json_int(&j, "ranks_per_node", runs[i].ranks_per_node);
        tce_json_int(&j, "rows", runs[i].n_rows);
        if (runs[i].avg_busbw_gbytes_per_s >= 0)
            tce_json_double(&j, "avg_busbw_gbytes_per_s",
                            runs[i].avg_busbw_gbytes_per_s);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_array_begin(&j, "links");
    for (i = 0; i < fit->n_classes; i++) {
        const struct tce_calibnccl_class *c = &fit->classes[i];

        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "link", tce_link_class_name(c->link));
        tce_json_bool(&j, "fitted", 1);
        tce_json_string(&j, "link_from", tce_coll_short_name(c->base));
        tce_json_double(&j, "latency_us", c->latency_us);
        tce_json_double(&j, "bandwidth_gbytes_per_s",
                        c->bandwidth_gbytes_per_s);
        tce_json_double(&j, "rms_rel_error",
                        c->kinds[c->base].line.rms_rel_error);
        tce_json_array_begin(&j, "collectives");
        for (k = 0; k < TCE_COLL_COUNT; k++) {
            const struct tce_calibnccl_kind *q = &c->kinds[k];

            if (!q->have)
                continue;
            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "collective",
                            tce_coll_short_name((enum tce_coll)k));
            tce_json_int(&j, "ranks", q->ranks);
            tce_json_int(&j, "runs", q->runs);
            tce_json_int(&j, "runs_skipped", q->skipped);
            tce_json_int(&j, "points", q->line.points);
            tce_json_double(&j, "latency_us", q->line.latency_s * 1e6);
            tce_json_double(&j, "seconds_per_byte", q->line.seconds_per_byte);
            tce_json_double(&j, "efficiency", q->efficiency);
            tce_json_double(&j, "rms_rel_error", q->line.rms_rel_error);
            tce_json_double(&j, "max_rel_error", q->line.max_rel_error);
            tce_json_bool(&j, "latency_clamped", q->line.latency_clamped);
            tce_json_object_end(&j);
        }
        tce_json_array_end(&j);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_object_end(&j);
    tce_json_finish(&j);
}

static int parse_args(int argc, char **argv, const char **out_path,
                      const char **json_path, char ***files, int *n_files)
{
    static const struct option opts[] = {
        {"from-nccl-tests", no_argument, NULL, 'N'},
        {"output", required_argument, NULL, 'o'},
        {"json", required_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'N':
            break;
        case 'o':
            *out_path = optarg;
            break;
        case 'J':
            *json_path = optarg;
            break;
        case 'h':
            tce_cmd_calibrate_nccl_usage(stdout);
            return 1;
        default:
            return -tce_cli_bad_option("calibrate", argv,
                                       tce_cmd_calibrate_nccl_usage);
        }
    }
    *files = argv + optind;
    *n_files = argc - optind;
    if (*n_files < 1 || *n_files > MAX_FILES) {
        fprintf(stderr, "tcemu calibrate: error: --from-nccl-tests needs "
                        "1 to %d files of nccl-tests output\n",
                MAX_FILES);
        tce_cmd_calibrate_nccl_usage(stderr);
        return -TCE_EXIT_USAGE;
    }
    return 0;
}

int tce_cmd_calibrate_nccl(int argc, char **argv)
{
    const char *out_path = "calibration.cfg", *json_path = NULL;
    struct tce_nccltests_run *runs = NULL;
    struct tce_calibnccl fit;
    struct tce_calibration cal;
    struct tce_output o;
    struct tce_error err;
    char **files = NULL, date[32];
    time_t now = time(NULL);
    int i, n = 0, loaded = 0, rc, status = TCE_EXIT_OK;

    rc = parse_args(argc, argv, &out_path, &json_path, &files, &n);
    if (rc != 0)
        return rc > 0 ? TCE_EXIT_OK : -rc;
    runs = calloc((size_t)n, sizeof(*runs));
    if (!runs) {
        fprintf(stderr, "tcemu calibrate: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    tce_error_clear(&err);
    for (i = 0; i < n && status == TCE_EXIT_OK; i++, loaded++) {
        if (tce_nccltests_load(files[i], &runs[i], &err) != 0) {
            print_error(&err);
            status = tce_exit_status(err.code);
        }
    }
    if (status == TCE_EXIT_OK && tce_calibnccl_fit(runs, n, &fit, &err)) {
        print_error(&err);
        status = tce_exit_status(err.code);
    }
    if (status != TCE_EXIT_OK)
        goto out;
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    tce_calibnccl_calibration(&fit, runs, n, tce_cli_version(), date,
                              &cal);
    if (strcmp(out_path, "-") == 0 && json_path &&
        strcmp(json_path, "-") == 0) {
        fprintf(stderr, "tcemu calibrate: error: -o - and --json - both "
                        "on stdout\n");
        status = TCE_EXIT_USAGE;
        goto out;
    }
    print_fit((strcmp(out_path, "-") == 0 ||
               (json_path && strcmp(json_path, "-") == 0))
                  ? stderr
                  : stdout,
              runs, n, &fit);
    status = tce_cli_output_open(&o, out_path);
    if (status != TCE_EXIT_OK)
        goto out;
    if (tce_calibration_write(&cal, o.fp) != 0) {
        tce_output_abort(&o);
        fprintf(stderr, "tcemu calibrate: error: cannot write %s\n",
                out_path);
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    status = tce_cli_output_commit(&o);
    if (status == TCE_EXIT_OK && json_path) {
        status = tce_cli_output_open(&o, json_path);
        if (status != TCE_EXIT_OK)
            goto out;
        write_json(o.fp, runs, n, &fit, date, out_path);
        status = tce_cli_output_commit(&o);
    }
    if (status == TCE_EXIT_OK && strcmp(out_path, "-") != 0) {
        int json_file = json_path && strcmp(json_path, "-") != 0;

        fprintf(json_path && !json_file ? stderr : stdout, "# wrote %s%s%s\n",
                out_path, json_file ? " and " : "", json_file ? json_path : "");
    }
out:
    for (i = 0; i < loaded; i++)
        tce_nccltests_release(&runs[i]);
    free(runs);
    return status;
}
