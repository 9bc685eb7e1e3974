/* cmd_validate.c - tcemu validate (placeholder until its issue lands). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/error.h"

int tce_cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tcemu: error: 'validate' is not implemented yet\n");
    return TCE_EXIT_RUNTIME;
}
