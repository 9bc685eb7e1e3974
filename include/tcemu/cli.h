/*
 * cli.h - the subcommands of bin/tcemu.
 *
 * Each command lives in its own file (src/cmd_NAME.c, or src/runtime/ for
 * the ones that launch MPI), parses its own options with getopt_long, writes
 * results on stdout and logs on stderr, and returns a process exit status
 * (enum tce_exit).  Only src/main.c calls exit().
 */
#ifndef TCEMU_CLI_H
#define TCEMU_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "tcemu/version.h"

int tce_cmd_validate(int argc, char **argv);
int tce_cmd_show(int argc, char **argv);
int tce_cmd_project(int argc, char **argv);
int tce_cmd_reproduce(int argc, char **argv);
int tce_cmd_search(int argc, char **argv);
int tce_cmd_compare(int argc, char **argv);
int tce_cmd_plot(int argc, char **argv);


/* Shared by the commands (src/cli_util.c). */
struct tce_error;
struct tce_output;

/* argv[0..argc) joined by single spaces into buf (truncated to size), the
 * first one preceded by prefix ("" for none). */
void tce_cli_join_args(int argc, char **argv, const char *prefix, char *buf,
                       size_t size);

/* getopt_long returned '?' or ':' for argv[optind - 1]: print "tcemu CMD:
 * error: unknown or incomplete option 'X'" and usage on stderr; returns
 * TCE_EXIT_USAGE. */
int tce_cli_bad_option(const char *cmd, char **argv, void (*usage)(FILE *));

/* The option cases a parse_args() that returns TCE_E* codes leaves to the
 * default branch: 'h' gives 1 (help), ':' "option 'X' needs a value",
 * anything else "unknown option 'X'" (TCE_EUSAGE, in err). */
int tce_cli_getopt_other(int c, char **argv, struct tce_error *err);

/* After getopt: 0 when no operand is left (optind >= argc), else
 * TCE_EUSAGE "unexpected argument 'X'" (the first one, at most 100
 * characters of it) in err.  Every command takes options only. */
int tce_cli_no_operands(int argc, char **argv, struct tce_error *err);

/* tce_output_open / tce_output_commit with the error printed on stderr:
 * TCE_EXIT_OK, or TCE_EXIT_RUNTIME when the file cannot be written. */
int tce_cli_output_open(struct tce_output *o, const char *path);
int tce_cli_output_commit(struct tce_output *o);

/*
 * The options the commands share, described once (as IOR's option table):
 * a command names the ones it takes (TCE_CLI_* bits), adds its own
 * struct option rows, and tce_cli_next() stores the shared ones' values in
 * struct tce_cli_common.  Each command keeps its own usage text.
 *
 *   struct tce_cli_parser p;
 *   struct tce_cli_common co = {0};
 *   tce_cli_parser_init(&p, TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_HELP,
 *                       own_longopts, "r:");
 *   while ((c = tce_cli_next(&p, argc, argv, &co)) != -1)
 *       switch (c) { case 0: break;  (a shared option, stored)
 *                    case 'r': ...; case 'h': usage; default: bad option }
 */
enum tce_cli_opt {
    TCE_CLI_OPT_TOPOLOGY,    /* -t, --topology FILE */
    TCE_CLI_OPT_JOB,         /* -j, --job FILE */
    TCE_CLI_OPT_GPUS,        /* -g, --gpus LIST */
    TCE_CLI_OPT_JSON,        /* --json FILE|- */
    TCE_CLI_OPT_CSV,         /* --csv FILE|- */
    TCE_CLI_OPT_CALIBRATION, /* -c, --calibration FILE */
    TCE_CLI_OPT_PLAN,        /* -p, --plan NAME */
    TCE_CLI_OPT_HELP,        /* -h, --help: returned as 'h' */
    TCE_CLI_OPT_COUNT
};

#define TCE_CLI_TOPOLOGY (1u << TCE_CLI_OPT_TOPOLOGY)
#define TCE_CLI_JOB (1u << TCE_CLI_OPT_JOB)
#define TCE_CLI_GPUS (1u << TCE_CLI_OPT_GPUS)
#define TCE_CLI_JSON (1u << TCE_CLI_OPT_JSON)
#define TCE_CLI_CSV (1u << TCE_CLI_OPT_CSV)
#define TCE_CLI_CALIBRATION (1u << TCE_CLI_OPT_CALIBRATION)
#define TCE_CLI_PLAN (1u << TCE_CLI_OPT_PLAN)
#define TCE_CLI_HELP (1u << TCE_CLI_OPT_HELP)

/* Values of the shared options (NULL: not given). */
struct tce_cli_common {
    const char *topology, *job, *gpus, *json, *csv, *calibration, *plan;
};

struct tce_cli_option {
    const char *name; /* long name */
    int val;          /* getopt value (the short letter, or a capital for
                         long-only options) */
    int has_short;    /* -val also works */
    int has_arg;      /* required_argument or no_argument */
    size_t offset;    /* of the value in struct tce_cli_common */
};

/* The shared options, indexed by enum tce_cli_opt. */
extern const struct tce_cli_option tce_cli_options[TCE_CLI_OPT_COUNT];

#define TCE_CLI_LONGOPTS_MAX 32
#define TCE_CLI_SHORTOPTS_MAX 64

struct tce_cli_parser {
    unsigned which;
    int last; /* enum tce_cli_opt of the shared option tce_cli_next last
                 stored (-1: none yet) */
    struct option longopts[TCE_CLI_LONGOPTS_MAX];
    char shortopts[TCE_CLI_SHORTOPTS_MAX];
};

/* The shared options in which, then the command's own (longopts up to a
 * {NULL} row, may be NULL; shortopts its short letters in getopt's
 * syntax, may be NULL; a leading ':' makes a missing value return ':');
 * resets getopt (optind 1, opterr 0).  Returns 0, or
 * TCE_EINTERNAL when the tables do not fit. */
int tce_cli_parser_init(struct tce_cli_parser *p, unsigned which,
                        const struct option *longopts, const char *shortopts);

/* getopt_long over the parser's tables: a shared option's value is stored
 * in co and 0 returned; 'h' for help; anything else as getopt_long
 * returns it (the command's own options, '?' for unknown ones, -1 at the
 * end). */
int tce_cli_next(struct tce_cli_parser *p, int argc, char **argv,
                 struct tce_cli_common *co);

/* --json - and --csv - both given: print "tcemu CMD: error: --json - and
 * --csv - cannot both write to stdout" and return 1; else 0. */
int tce_cli_stdout_clash(const char *cmd, const struct tce_cli_common *co);

/* project --trace FILE: the modelled timeline of p's iteration (timeline.h)
 * as Chrome trace-event JSON (src/cli_trace.c): an exit status. */
struct tce_scenario;
struct tce_projection;
int tce_cli_project_trace(const char *path, const struct tce_scenario *s,
                          const struct tce_projection *p);

/* Whether the human table goes to stdout: neither --json - nor --csv -. */
int tce_cli_human(const struct tce_cli_common *co);

#endif
