/* run_opts.c - tcemu run: usage and options (run.h). */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/util.h"

#include "run.h"

void tce_run_usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N tcemu run -t TOPOLOGY -j JOB [OPTIONS]\n\n"
            "Emulate the job's training iteration: each MPI rank is one "
            "accelerator\nand runs its own plan's communication for real; "
            "compute waits for its\nmodelled time.  Prints measured vs "
            "modelled time per op.\n\n"
            "  -t, --topology FILE     topology (.cfg)\n"
            "  -j, --job FILE          job (.cfg)\n"
            "  -g, --gpus N            re-derive DP for N ranks (N = world "
            "size)\n"
            "  -c, --calibration FILE  modelled times use the link parameters "
            "fitted\n"
            "                          by tcemu calibrate\n"
            "      --iterations K      measured iterations (default 3)\n"
            "      --warmup W          untimed iterations first (default 1)\n"
            "      --ranks-per-node K  virtual nodes of K consecutive ranks\n"
            "      --time-scale X      compute waits modelled time x X "
            "(default 1)\n"
            "      --max-buffer SIZE   per-rank buffer limit; above it every "
            "message\n"
            "                          is scaled by one reported factor "
            "(default:\n"
            "                          memory / (4 x ranks on the host))\n"
            "      --routing-skew X    MoE: the hottest expert rank gets "
            "(1+X) x its\n"
            "                          share of all-to-all tokens "
            "(default 0)\n"
            "      --timeout S         watchdog: abort (exit 4) when one op "
            "takes\n"
            "                          longer than S seconds\n"
            "      --ready-file PATH   written once every rank takes SIGUSR1/"
            "SIGTERM\n"
            "                          as a stop (for scripts that forward "
            "one)\n"
            "      --json FILE|-       results as JSON (schema tcemu.run/2); "
            "with '-'\n"
            "                          the table goes to stderr\n"
            "      --csv FILE|-        the per-op table as CSV (schema "
            "tcemu.run.ops/1)\n"
            "      --trace FILE        timeline of the last measured "
            "iteration as\n"
            "                          Chrome trace-event JSON (Perfetto, "
            "chrome://tracing):\n"
            "                          one track per rank, one slice per op\n"
            "      --progress          one line per iteration on stderr "
            "(default: only\n"
            "                          when stderr is a terminal; under "
            "mpirun it is a\n"
            "                          pipe, so ask for it)\n"
            "  -h, --help\n\n"
            "SIGUSR1 or SIGTERM (Slurm's --signal=B:USR1@T, scancel): finish "
            "the\ncurrent iteration and write what was measured, marked "
            "incomplete.\n\n"
            "Exit status: 0 complete; 1 runtime failure (an MPI error, a "
            "file that\ncannot be written; also mpirun's own status when "
            "mpirun itself gets\nSIGTERM); 2 bad usage or configuration; 4 "
            "hang (--timeout watchdog);\n5 stopped by SIGUSR1/SIGTERM, "
            "partial results written, marked\nincomplete; 128+N under "
            "mpirun or srun: a rank was killed by signal N\n(137: SIGKILL, "
            "e.g. the out-of-memory killer).\n");
}

enum {
    OPT_ITERS = 256,
    OPT_WARMUP,
    OPT_SCALE,
    OPT_MAXBUF,
    OPT_SKEW,
    OPT_TRACE,
    OPT_PROGRESS
};

int tce_run_parse_args(int argc, char **argv, struct run_opts *o,
                       struct tce_error *err)
{
    static const struct option longopts[] = {
        {"iterations", required_argument, NULL, OPT_ITERS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"time-scale", required_argument, NULL, OPT_SCALE},
        {"max-buffer", required_argument, NULL, OPT_MAXBUF},
        {"routing-skew", required_argument, NULL, OPT_SKEW},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        TCE_RT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_cli_common co;
    int c, rc;

    memset(o, 0, sizeof(*o));
    memset(&co, 0, sizeof(co));
    o->iterations = 3;
    o->warmup = 1;
    o->time_scale = 1.0;
    rc = tce_cli_parser_init(&p,
                             TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_GPUS |
                                 TCE_CLI_CALIBRATION | TCE_CLI_JSON |
                                 TCE_CLI_CSV | TCE_CLI_HELP,
                             longopts, ":");
    if (rc)
        return tce_error_set(err, rc, "run: option tables do not fit");
    while (rc == 0 && (c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        if (c == 0) /* a shared option, stored in co */
            continue;
        rc = tce_rt_common_option(&o->common, c, optarg, err);
        if (rc != 1)
            continue;
        rc = 0;
        switch (c) {
        case OPT_ITERS:
            rc = tce_parse_int64(optarg, 1, 1000000, &o->iterations, err);
            break;
        case OPT_WARMUP:
            rc = tce_parse_int64(optarg, 0, 1000000, &o->warmup, err);
            break;
        case OPT_SCALE:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->time_scale, err);
            break;
        case OPT_MAXBUF:
            rc = tce_parse_size(optarg, &o->max_buffer_bytes, err);
            if (rc == 0 && o->max_buffer_bytes < 1024)
                rc = tce_error_set(err, TCE_ERANGE,
                                   "--max-buffer %s: at least 1024 bytes",
                                   optarg);
            break;
        case OPT_SKEW:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->routing_skew, err);
            break;
        case OPT_TRACE:
            o->trace_path = optarg;
            break;
        case OPT_PROGRESS:
            o->progress = 1;
            break;
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    o->topo_path = co.topology;
    o->job_path = co.job;
    o->cal_path = co.calibration;
    o->json_path = co.json;
    o->csv_path = co.csv;
    if (rc == 0 && co.gpus)
        rc = tce_parse_int64(co.gpus, 1, INT_MAX, &o->gpus, err);
    if (rc == 0)
        rc = tce_cli_no_operands(argc, argv, err);
    if (rc == 0 && (!o->topo_path || !o->job_path))
        rc = tce_error_set(err, TCE_EUSAGE, "run needs -t TOPOLOGY and -j JOB");
    return rc;
}
