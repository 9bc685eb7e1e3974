/* calib_opts.c - tcemu calibrate: usage and options (calib.h). */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/util.h"

#include "calib.h"

void tce_calib_usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N tcemu calibrate [OPTIONS]\n"
            "   or: tcemu calibrate --from-nccl-tests FILE... [-o FILE|-]\n"
            "   or: tcemu calibrate --from-log FILE... -t TOPOLOGY -j JOB "
            "[-c CAL] [-o FILE|-]\n\n"
            "Measure the link classes the ranks reach (scale_up: inside a "
            "node;\nscale_out: across nodes), fit latency, bandwidth and "
            "per-collective\nefficiency by least squares over sizes, and "
            "write a calibration file\nfor `tcemu project --calibration "
            "FILE`.\n\n"
            "  -o, --output FILE|-     calibration file (default "
            "calibration.cfg)\n"
            "      --json FILE|-       fits and every point as JSON "
            "(schema\n"
            "                          tcemu.calibrate/2)\n"
            "  -t, --topology FILE     print its datasheet figures beside "
            "the fitted\n"
            "  -c, --collectives LIST  allreduce,allgather,reducescatter,"
            "alltoall,\n"
            "                          sendrecv (default: all five; "
            "sendrecv is\n"
            "                          always measured: it gives the link)\n"
            "  -b, --minbytes SIZE     smallest size (default 8)\n"
            "  -e, --maxbytes SIZE     largest size (default 4Mi)\n"
            "  -f, --stepfactor X      size multiplier (default 4)\n"
            "  -n, --iters N           timed operations per size (default "
            "10)\n"
            "  -w, --warmup N          untimed operations first (default 2)\n"
            "  -r, --rounds R          repeat the whole sweep R times; a "
            "point is the\n"
            "                          median over rounds (default 1, at "
            "most 15)\n"
            "      --links-only        the link classes alone: no measured "
            "patterns\n"
            "                          (calibration.collectives), as before "
            "they\n"
            "                          existed\n"
            "      --ranks-per-node K  virtual nodes of K consecutive ranks\n"
            "      --timeout S         watchdog (exit 4) per size\n"
            "      --ready-file PATH   written once every rank takes SIGUSR1/"
            "SIGTERM\n"
            "                          as a stop (for scripts that forward "
            "one)\n"
            "  -h, --help\n\n"
            "Besides the link classes, every pattern the ranks can form is "
            "measured\n(groups of m ranks per node for every m dividing the "
            "ranks per node,\ninside a node and across nodes, R/m groups per "
            "node at once) and written\nas calibration.collectives: "
            "per kind, span, shape, concurrency and\nthree size regimes; "
            "project and run price each op by its pattern.\n"
            "Needs two ranks on a node for scale_up, two nodes for "
            "scale_out.\nAll figures printed are measured, except the "
            "datasheet lines (-t).\nSIGUSR1/SIGTERM: stop after the current "
            "size, fit and write what was\nmeasured, marked incomplete "
            "(exit 5).\n"
            "--from-nccl-tests: fit the same parameters from nccl-tests "
            "output (the\nNCCL device path; no MPI, no GPU needed); "
            "`tcemu calibrate\n--from-nccl-tests --help` says more.\n"
            "--from-log: fit the training stack's own overhead (per "
            "iteration and per\nmicrobatch) from Megatron-LM logs; no MPI; "
            "`tcemu calibrate --from-log\n--help` says more.\n\n"
            "Exit status: 0 complete; 1 runtime failure; 2 bad usage or "
            "configuration;\n4 hang (--timeout); 5 stopped by "
            "SIGUSR1/SIGTERM, partial results written;\n128+N under mpirun "
            "or srun: a rank was killed by signal N.\n");
}

static int parse_colls(const char *arg, struct cal_opts *o,
                       struct tce_error *err)
{
    char buf[256], *tok, *save = NULL;
    enum tce_coll k;
    int rc = 0, i, have_sr = 0;

    snprintf(buf, sizeof(buf), "%s", arg);
    o->n_colls = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        rc = tce_coll_parse(tok, &k, err);
        if (rc)
            goto out;
        if (!tce_coll_desc(k)->calib_key) {
            rc = tce_error_set(err, TCE_EUSAGE,
                               "-c: %s has no efficiency in a "
                               "calibration file",
                               tce_coll_short_name(k));
            goto out;
        }
        for (i = 0; i < o->n_colls; i++)
            if (o->colls[i] == k)
                break;
        if (i < o->n_colls)
            continue;
        if (o->n_colls >= CAL_COLLS_MAX - 1) {
            rc = tce_error_set(err, TCE_EUSAGE, "-c: too many collectives");
            goto out;
        }
        o->colls[o->n_colls++] = k;
        have_sr |= k == TCE_COLL_SENDRECV;
    }
    /* The link itself is fitted from send/recv: always measured, first. */
    if (!have_sr) {
        memmove(&o->colls[1], &o->colls[0],
                (size_t)o->n_colls * sizeof(o->colls[0]));
        o->colls[0] = TCE_COLL_SENDRECV;
        o->n_colls++;
    }
out:
    return rc;
}

/* 1 = help, 0 = ok, < 0 error. */
int tce_calib_parse_args(int argc, char **argv, struct cal_opts *o,
                         struct tce_error *err)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"collectives", required_argument, NULL, 'c'},
        {"minbytes", required_argument, NULL, 'b'},
        {"maxbytes", required_argument, NULL, 'e'},
        {"stepfactor", required_argument, NULL, 'f'},
        {"iters", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"rounds", required_argument, NULL, 'r'},
        {"links-only", no_argument, NULL, 'L'},
        TCE_RT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_cli_common co;
    int c, rc = 0;

    memset(o, 0, sizeof(*o));
    memset(&co, 0, sizeof(co));
    rc = parse_colls("sendrecv,allreduce,allgather,reducescatter,alltoall", o,
                     err);
    o->sw.min_bytes = 8;
    o->sw.max_bytes = 4 << 20;
    o->sw.factor = 4.0;
    o->sw.iters = 10;
    o->sw.warmup = 2;
    o->rounds = 1;
    o->out_path = "calibration.cfg";
    if (rc == 0 &&
        tce_cli_parser_init(&p, TCE_CLI_TOPOLOGY | TCE_CLI_JSON | TCE_CLI_HELP,
                            longopts, ":o:c:b:e:f:n:w:r:") != 0)
        rc = tce_error_set(err, TCE_EINTERNAL,
                           "calibrate: option tables do not fit");
    while (rc == 0 && (c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        if (c == 0) /* a shared option, stored in co */
            continue;
        rc = tce_rt_common_option(&o->common, c, optarg, err);
        if (rc != 1)
            continue;
        rc = 0;
        switch (c) {
        case 'o':
            o->out_path = optarg;
            break;
        case 'L':
            o->links_only = 1;
            break;
        case 'c':
            rc = parse_colls(optarg, o, err);
            break;
        case 'b':
        case 'e':
        case 'f':
        case 'n':
        case 'w':
            rc = tce_rt_sweep_option(&o->sw, c, optarg, err);
            break;
        case 'r': {
            int64_t v = 0;

            rc = tce_parse_int64(optarg, 1, CAL_ROUNDS_MAX, &v, err);
            o->rounds = (int)v;
            break;
        }
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    o->topo_path = co.topology;
    o->json_path = co.json;
    if (rc == 0)
        rc = tce_cli_no_operands(argc, argv, err);
    if (rc == 0)
        rc = tce_rt_sweep_check(&o->sw, err);
    if (rc == 0 && o->sw.max_bytes / (int64_t)sizeof(float) > INT_MAX / 2)
        rc = tce_error_set(err, TCE_EUSAGE, "-e %" PRId64 " is too large",
                           o->sw.max_bytes);
    if (rc == 0 && o->json_path && o->out_path &&
        strcmp(o->json_path, "-") == 0 && strcmp(o->out_path, "-") == 0)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "-o - and --json - cannot both go to stdout");
    return rc;
}
