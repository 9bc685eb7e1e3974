/*
 * main.c - bin/tcemu: dispatch to a subcommand.  The only file that exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
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
    {"run", tce_cmd_run, "emulate a training step on MPI ranks and time it (mpirun)"},
    {"bench", tce_cmd_bench, "nccl-tests style collective benchmark (mpirun)"},
    {"calibrate", tce_cmd_calibrate, "measure link parameters and write a calibration file (mpirun)"},
};

static void usage(FILE *out)
{
    size_t i;

    fprintf(out,
            "usage: tcemu COMMAND [OPTIONS]\n"
            "       tcemu --version | --help\n\n"
            "Training-cluster emulator: project and emulate large-model "
            "training runs.\n\ncommands:\n");
    for (i = 0; i < TCE_ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nRun 'tcemu COMMAND --help' for a command's options.\n"
            "Exit status: 0 ok, 1 runtime failure, 2 bad usage or "
            "configuration,\n3 a check failed, 4 a hang was detected.\n");
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
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return stdout_status(TCE_EXIT_OK);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        tce_cli_print_version(stdout);
        return stdout_status(TCE_EXIT_OK);
    }
    for (i = 0; i < TCE_ARRAY_SIZE(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            exit(stdout_status(commands[i].fn(argc - 1, argv + 1)));
    fprintf(stderr, "tcemu: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TCE_EXIT_USAGE;
}
