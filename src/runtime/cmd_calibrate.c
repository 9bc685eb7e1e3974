/* cmd_calibrate.c - tcemu calibrate (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_calibrate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'calibrate' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
