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
            "      --gpus N            re-derive DP for N ranks (N = world "
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
            "      --json FILE|-       results as JSON (schema tcemu.run/1); "
            "with '-'\n"
            "                          the table goes to stderr\n"
            "  -h, --help\n\n"
            "SIGUSR1 or SIGTERM (Slurm's --signal=B:USR1@T): finish the "
            "current\niteration and write what was measured, marked "
            "incomplete.\n");
}

enum {
    OPT_CAL = 'c',
    OPT_GPUS = 256,
    OPT_ITERS,
    OPT_WARMUP,
    OPT_RPN,
    OPT_SCALE,
    OPT_MAXBUF,
    OPT_SKEW,
    OPT_TIMEOUT,
    OPT_JSON
};

int tce_run_parse_args(int argc, char **argv, struct run_opts *o,
                       struct tce_error *err)
{
    static const struct option longopts[] = {
        {"topology", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"gpus", required_argument, NULL, OPT_GPUS},
        {"calibration", required_argument, NULL, OPT_CAL},
        {"iterations", required_argument, NULL, OPT_ITERS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"ranks-per-node", required_argument, NULL, OPT_RPN},
        {"time-scale", required_argument, NULL, OPT_SCALE},
        {"max-buffer", required_argument, NULL, OPT_MAXBUF},
        {"routing-skew", required_argument, NULL, OPT_SKEW},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", required_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;

    memset(o, 0, sizeof(*o));
    o->iterations = 3;
    o->warmup = 1;
    o->time_scale = 1.0;
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, ":t:j:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            o->topo_path = optarg;
            break;
        case 'j':
            o->job_path = optarg;
            break;
        case OPT_CAL:
            o->cal_path = optarg;
            break;
        case OPT_GPUS:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->gpus, err);
            break;
        case OPT_ITERS:
            rc = tce_parse_int64(optarg, 1, 1000000, &o->iterations, err);
            break;
        case OPT_WARMUP:
            rc = tce_parse_int64(optarg, 0, 1000000, &o->warmup, err);
            break;
        case OPT_RPN:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->ranks_per_node, err);
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
        case OPT_TIMEOUT:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->timeout_s, err);
            break;
        case OPT_JSON:
            o->json_path = optarg;
            break;
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                           argv[optind]);
    if (rc == 0 && (!o->topo_path || !o->job_path))
        rc = tce_error_set(err, TCE_EUSAGE, "run needs -t TOPOLOGY and -j JOB");
    return rc;
}
