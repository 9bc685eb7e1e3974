/* cmd_show.c - tcemu show (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_show(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'show' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
