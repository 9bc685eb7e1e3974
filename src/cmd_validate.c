/*
 * cmd_validate.c - tcemu validate: check topology, job and calibration
 * files, or print the schema of a kind of file.
 *
 * One status line per file on stdout ("# FILE: ok (KIND)"), each error as
 * "path:line: error: key: message" on stderr; exit 2 if any file failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/error.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu validate [--kind topology|job|calibration] FILE...\n"
            "       tcemu validate --keys KIND [--markdown]\n"
            "\n"
            "Check topology, job and calibration files: syntax, types, "
            "ranges, unknown\nkeys, required keys and cross-field rules. "
            "The kind of each file is told\nfrom its content (a 'model' "
            "group: job; 'accelerator': topology;\n'calibration': "
            "calibration) unless --kind is given.\n"
            "\n"
            "options:\n"
            "  -k, --kind KIND   treat every FILE as KIND\n"
            "      --keys KIND   print every key of KIND: type, unit, range, "
            "default\n"
            "      --markdown    with --keys: a Markdown table (README)\n"
            "  -q, --quiet       no status lines, only errors\n"
            "  -h, --help        this help\n"
            "\n"
            "stdout: '# FILE: ok (KIND)' or '# FILE: FAILED (KIND, N "
            "errors)' per file,\nthen '# N files: N ok, N failed'. stderr: "
            "one line per error,\n'path:line: error: key: what is wrong (got "
            "X)'.\n"
            "Exit status: 0 all files valid, 2 bad usage or any file "
            "invalid.\n");
}

static int parse_kind(const char *s, enum tce_config_kind *kind)
{
    enum tce_config_kind k;

    for (k = TCE_CONFIG_TOPOLOGY; k <= TCE_CONFIG_CALIBRATION; k++) {
        if (strcmp(s, tce_config_kind_name(k)) == 0) {
            *kind = k;
            return 0;
        }
    }
    return TCE_EUSAGE;
}

static int validate_one(const char *path, enum tce_config_kind forced,
                        enum tce_config_kind *kind_out, struct tce_diag *d)
{
    enum tce_config_kind kind = forced;
    union {
        struct tce_topology topology;
        struct tce_job job;
        struct tce_calibration calibration;
    } *obj = NULL;
    int rc;

    if (kind == TCE_CONFIG_UNKNOWN) {
        rc = tce_config_detect_kind(path, &kind, d);
        if (rc != 0)
            goto out;
    }
    obj = calloc(1, sizeof(*obj));
    if (!obj) {
        rc = TCE_ENOMEM;
        goto out;
    }
    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        rc = tce_topology_load(path, &obj->topology, d);
        break;
    case TCE_CONFIG_JOB:
        rc = tce_job_load(path, &obj->job, d);
        break;
    default:
        rc = tce_calibration_load(path, &obj->calibration, d);
        break;
    }
out:
    *kind_out = kind;
    free(obj);
    return rc;
}

int tce_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},
        {"keys", required_argument, NULL, 'K'},
        {"markdown", no_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_cli_common co;
    enum tce_config_kind forced = TCE_CONFIG_UNKNOWN, keys = TCE_CONFIG_UNKNOWN;
    int markdown = 0, quiet = 0, c, i, ok = 0, failed = 0;
    int status = TCE_EXIT_OK;

    memset(&co, 0, sizeof(co));
    tce_cli_parser_init(&p, TCE_CLI_HELP, opts, "k:q");
    while ((c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        switch (c) {
        case 'k':
            if (parse_kind(optarg, &forced) != 0) {
                fprintf(stderr,
                        "tcemu validate: error: --kind: expected topology, "
                        "job or calibration (got '%s')\n",
                        optarg);
                return TCE_EXIT_USAGE;
            }
            break;
        case 'K':
            if (parse_kind(optarg, &keys) != 0) {
                fprintf(stderr,
                        "tcemu validate: error: --keys: expected topology, "
                        "job or calibration (got '%s')\n",
                        optarg);
                return TCE_EXIT_USAGE;
            }
            break;
        case 'm':
            markdown = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return TCE_EXIT_OK;
        default:
            return tce_cli_bad_option("validate", argv, usage);
        }
    }
    if (keys != TCE_CONFIG_UNKNOWN) {
        if (optind < argc) {
            fprintf(stderr, "tcemu validate: error: --keys takes no FILE\n");
            return TCE_EXIT_USAGE;
        }
        if (markdown)
            tce_config_print_keys_markdown(keys, stdout);
        else
            tce_config_print_keys(keys, stdout);
        return TCE_EXIT_OK;
    }
    if (markdown) {
        fprintf(stderr, "tcemu validate: error: --markdown needs --keys\n");
        return TCE_EXIT_USAGE;
    }
    if (optind >= argc) {
        fprintf(stderr, "tcemu validate: error: no FILE given\n");
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    for (i = optind; i < argc; i++) {
        struct tce_diag d;
        enum tce_config_kind kind = TCE_CONFIG_UNKNOWN;
        const char *kn;
        int rc;

        tce_diag_init(&d, stderr);
        rc = validate_one(argv[i], forced, &kind, &d);
        kn = tce_config_kind_name(kind);
        if (rc == 0 && d.errors == 0) {
            ok++;
            if (!quiet)
                printf("# %s: ok (%s)\n", argv[i], kn);
        } else {
            failed++;
            if (rc == TCE_ENOMEM)
                fprintf(stderr, "tcemu validate: error: %s: out of memory\n",
                        argv[i]);
            if (!quiet)
                printf("# %s: FAILED (%s, %d error%s)\n", argv[i],
                       kn ? kn : "unknown kind", d.errors,
                       d.errors == 1 ? "" : "s");
            status = rc == TCE_ENOMEM ? TCE_EXIT_RUNTIME : TCE_EXIT_USAGE;
        }
    }
    if (!quiet)
        printf("# %d file%s: %d ok, %d failed\n", ok + failed,
               ok + failed == 1 ? "" : "s", ok, failed);
    fflush(stdout);
    return status;
}
