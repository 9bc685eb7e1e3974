/* cmd_run.c - tcemu run (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'run' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
