/* cmd_project.c - tcemu project (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_project(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'project' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
