/* cmd_compare.c - tcemu compare (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'compare' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
