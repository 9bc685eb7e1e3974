/* cmd_reproduce.c - tcemu reproduce (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_reproduce(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'reproduce' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
