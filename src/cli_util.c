/*
 * cli_util.c - what every subcommand's option parsing and result writing
 * share: the command line joined for headers, the messages for unknown or
 * incomplete options, the table of the options several commands take,
 * and result files opened and committed with the error printed and turned
 * into an exit status.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

int tce_cli_no_operands(int argc, char **argv, struct tce_error *err)
{
    if (optind >= argc)
        return 0;
    return tce_error_set(err, TCE_EUSAGE, "unexpected argument '%.100s'",
                         argv[optind]);
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

#define COMMON(member) offsetof(struct tce_cli_common, member)

const struct tce_cli_option tce_cli_options[TCE_CLI_OPT_COUNT] = {
    [TCE_CLI_OPT_TOPOLOGY] = {"topology", 't', 1, required_argument,
                              COMMON(topology)},
    [TCE_CLI_OPT_JOB] = {"job", 'j', 1, required_argument, COMMON(job)},
    [TCE_CLI_OPT_GPUS] = {"gpus", 'g', 1, required_argument, COMMON(gpus)},
    [TCE_CLI_OPT_JSON] = {"json", 'J', 0, required_argument, COMMON(json)},
    [TCE_CLI_OPT_CSV] = {"csv", 'C', 0, required_argument, COMMON(csv)},
    [TCE_CLI_OPT_CALIBRATION] = {"calibration", 'c', 1, required_argument,
                                 COMMON(calibration)},
    [TCE_CLI_OPT_PLAN] = {"plan", 'p', 1, required_argument, COMMON(plan)},
    [TCE_CLI_OPT_HELP] = {"help", 'h', 1, no_argument, 0},
};

#undef COMMON

int tce_cli_parser_init(struct tce_cli_parser *p, unsigned which,
                        const struct option *longopts, const char *shortopts)
{
    size_t ns = 0, len;
    int i, n = 0, ret = 0;

    memset(p, 0, sizeof(*p));
    p->which = which;
    p->last = -1;
    optind = 1;
    opterr = 0;
    /* a leading ':' (getopt: ':' for a missing value) stays in front */
    if (shortopts && shortopts[0] == ':') {
        p->shortopts[ns++] = ':';
        shortopts++;
    }
    for (i = 0; i < TCE_CLI_OPT_COUNT; i++) {
        const struct tce_cli_option *o = &tce_cli_options[i];

        if (!(which & (1u << i)))
            continue;
        if (n + 1 >= TCE_CLI_LONGOPTS_MAX || ns + 3 >= TCE_CLI_SHORTOPTS_MAX) {
            ret = TCE_EINTERNAL;
            goto out;
        }
        p->longopts[n].name = o->name;
        p->longopts[n].has_arg = o->has_arg;
        p->longopts[n].val = o->val;
        n++;
        if (o->has_short) {
            p->shortopts[ns++] = (char)o->val;
            if (o->has_arg == required_argument)
                p->shortopts[ns++] = ':';
        }
    }
    for (i = 0; longopts && longopts[i].name; i++) {
        if (n + 1 >= TCE_CLI_LONGOPTS_MAX) {
            ret = TCE_EINTERNAL;
            goto out;
        }
        p->longopts[n++] = longopts[i];
    }
    len = shortopts ? strlen(shortopts) : 0;
    if (ns + len + 1 > TCE_CLI_SHORTOPTS_MAX) {
        ret = TCE_EINTERNAL;
        goto out;
    }
    if (len)
        memcpy(p->shortopts + ns, shortopts, len);
out:
    return ret;
}

int tce_cli_next(struct tce_cli_parser *p, int argc, char **argv,
                 struct tce_cli_common *co)
{
    int c = getopt_long(argc, argv, p->shortopts, p->longopts, NULL), i;

    for (i = 0; c != -1 && i < TCE_CLI_OPT_COUNT; i++) {
        const struct tce_cli_option *o = &tce_cli_options[i];

        if (i == TCE_CLI_OPT_HELP || !(p->which & (1u << i)) || o->val != c)
            continue;
        memcpy((char *)co + o->offset, &optarg, sizeof(optarg));
        p->last = i;
        c = 0;
        break;
    }
    return c;
}

int tce_cli_stdout_clash(const char *cmd, const struct tce_cli_common *co)
{
    if (co->json && co->csv && strcmp(co->json, "-") == 0 &&
        strcmp(co->csv, "-") == 0) {
        fprintf(stderr,
                "tcemu %s: error: --json - and --csv - cannot both write to "
                "stdout\n",
                cmd);
        return 1;
    }
    return 0;
}

int tce_cli_human(const struct tce_cli_common *co)
{
    return !(co->json && strcmp(co->json, "-") == 0) &&
           !(co->csv && strcmp(co->csv, "-") == 0);
}
