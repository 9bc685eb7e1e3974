/*
 * cli_util.c - what every subcommand's option parsing and result writing
 * share: the command line joined for headers, the messages for unknown or
 * incomplete options, and result files opened and committed with the error
 * printed and turned into an exit status.
 */
#include <getopt.h>
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"
#include "tcemu/output.h"

void tce_cli_join_args(int argc, char **argv, const char *prefix, char *buf,
                       size_t size)
{
    size_t used = 0;
    int i, k;

    buf[0] = '\0';
    for (i = 0; i < argc && used + 1 < size; i++) {
        k = snprintf(buf + used, size - used, "%s%s", i ? " " : prefix,
                     argv[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

int tce_cli_bad_option(const char *cmd, char **argv, void (*usage)(FILE *))
{
    fprintf(stderr, "tcemu %s: error: unknown or incomplete option '%s'\n", cmd,
            argv[optind - 1]);
    usage(stderr);
    return TCE_EXIT_USAGE;
}

int tce_cli_getopt_other(int c, char **argv, struct tce_error *err)
{
    int rc;

    if (c == 'h')
        rc = 1;
    else if (c == ':')
        rc = tce_error_set(err, TCE_EUSAGE, "option '%s' needs a value",
                           argv[optind - 1]);
    else
        rc = tce_error_set(err, TCE_EUSAGE, "unknown option '%s'",
                           argv[optind - 1]);
    return rc;
}

int tce_cli_output_open(struct tce_output *o, const char *path)
{
    struct tce_error err;
    int status = TCE_EXIT_OK;

    tce_error_clear(&err);
    if (tce_output_open(o, path, &err) != 0) {
        tce_error_print(&err, stderr);
        status = tce_exit_status(err.code);
    }
    return status;
}

int tce_cli_output_commit(struct tce_output *o)
{
    struct tce_error err;
    int status = TCE_EXIT_OK;

    tce_error_clear(&err);
    if (tce_output_commit(o, &err) != 0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_RUNTIME;
    }
    return status;
}
