/* cmd_bench.c - tcemu bench (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'bench' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
