/*
 * main.c - bin/tcemu: dispatch to a subcommand.  The only file that exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/datadir.h"
#include "tcemu/error.h"
#include "tcemu/runtime_cmd.h"
#include "tcemu/util.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"validate", tce_cmd_validate, "check topology, job and calibration files"},
    {"show", tce_cmd_show, "print a topology and job, resolved, with derived figures"},
    {"project", tce_cmd_project, "project iteration time, MFU, memory, time and cost at any scale"},
    {"reproduce", tce_cmd_reproduce, "compare projections with the published measurements shipped"},
    {"search", tce_cmd_search, "find the best layouts of a job on a topology"},
    {"compare", tce_cmd_compare, "compare offerings and contracts for one training run"},
    {"plot", tce_cmd_plot, "draw projections, comparisons and results as PNG/SVG (gnuplot)"},
    {"run", tce_cmd_run, "emulate a training step on MPI ranks and time it (mpirun)"},
    {"bench", tce_cmd_bench, "nccl-tests style collective benchmark (mpirun)"},
    {"calibrate", tce_cmd_calibrate, "measure link parameters and write a calibration file (mpirun)"},
};

static void usage(FILE *out)
{
    size_t i;

    fprintf(out,
            "usage: tcemu COMMAND [OPTIONS]\n"
            "       tcemu help [COMMAND] | --version | --help | --data-dir\n\n"
            "Training-cluster emulator: project and emulate large-model "
            "training runs.\n\ncommands:\n");
    for (i = 0; i < TCE_ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nRun 'tcemu COMMAND --help' (or 'tcemu help COMMAND') for a "
            "command's options.\n"
            "-t NAME and -j NAME (no '/', no .cfg) name a shipped topology "
            "or job,\nlooked up in the directories 'tcemu --data-dir' "
            "prints.\n"
            "Exit status: 0 ok, 1 runtime failure, 2 bad usage or "
            "configuration,\n3 a check failed, 4 a hang was detected.\n");
}

static const struct command *find(const char *name)
{
    size_t i;

    for (i = 0; i < TCE_ARRAY_SIZE(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* "tcemu: error: unknown command 'X'; did you mean 'Y'?" (the nearest
 * command within edit distance 2), and where to look. */
static int unknown_command(const char *name)
{
    const char *best = NULL;
    int d, best_d = 3;
    size_t i;

    for (i = 0; i < TCE_ARRAY_SIZE(commands); i++) {
        d = tce_edit_distance(name, commands[i].name);
        if (d < best_d) {
            best_d = d;
            best = commands[i].name;
        }
    }
    fprintf(stderr, "tcemu: error: unknown command '%s'", name);
    if (best)
        fprintf(stderr, "; did you mean '%s'?", best);
    fprintf(stderr, "\nRun 'tcemu --help' for the list of commands.\n");
    return TCE_EXIT_USAGE;
}

/* tcemu help [COMMAND]: the command's own --help (or the global usage). */
static int help(int argc, char **argv)
{
    char name[32], opt[] = "--help";
    char *hargv[3] = {name, opt, NULL};
    const struct command *c;

    if (argc < 3) {
        usage(stdout);
        return TCE_EXIT_OK;
    }
    if (argc > 3) {
        fprintf(stderr, "tcemu: error: help takes one COMMAND\n");
        return TCE_EXIT_USAGE;
    }
    c = find(argv[2]);
    if (!c)
        return unknown_command(argv[2]);
    snprintf(name, sizeof(name), "%s", c->name);
    return c->fn(2, hargv);
}

/* tcemu --data-dir: the directories searched for NAMEs, in order. */
static int data_dirs(void)
{
    struct tce_datadir d;
    int i;

    tce_datadir_init_process(&d);
    for (i = 0; i < d.n; i++)
        printf("%s\n", d.roots[i].dir);
    return TCE_EXIT_OK;
}

/* Results go to stdout: a command whose output did not all reach it
 * (a full disk, a closed pipe, /dev/full) has failed, whatever it says. */
static int stdout_status(int status)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tcemu: error: cannot write standard output: %s\n",
                errno ? strerror(errno) : "a write failed");
        if (status == TCE_EXIT_OK)
            status = TCE_EXIT_RUNTIME;
    }
    return status;
}

int main(int argc, char **argv)
{
    const struct command *c;

    if (argc < 2) {
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return stdout_status(TCE_EXIT_OK);
    }
    if (strcmp(argv[1], "help") == 0)
        exit(stdout_status(help(argc, argv)));
    if (strcmp(argv[1], "--data-dir") == 0)
        return stdout_status(data_dirs());
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        tce_cli_print_version(stdout);
        return stdout_status(TCE_EXIT_OK);
    }
    c = find(argv[1]);
    if (c)
        exit(stdout_status(c->fn(argc - 1, argv + 1)));
    return unknown_command(argv[1]);
}
