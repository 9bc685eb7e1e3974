/* cmd_search.c - tcemu search (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_search(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'search' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
