/* version.c - tcemu, MPI library and libconfig versions for --version. */
#include <mpi.h>
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/runtime.h"

#ifndef TCE_VERSION
#define TCE_VERSION "0.1.0"
#endif
#ifndef TCE_GIT_HASH
#define TCE_GIT_HASH "unknown"
#endif

const char *tce_config_library_version(void);

const char *tce_cli_version(void)
{
    return TCE_VERSION " (git " TCE_GIT_HASH ")";
}

void tce_cli_print_version(FILE *out)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];

    tce_rt_mpi_library(lib, sizeof(lib));
    fprintf(out, "tcemu %s\n", tce_cli_version());
    fprintf(out, "MPI: %s (MPI %d.%d)\n", lib, MPI_VERSION, MPI_SUBVERSION);
    fprintf(out, "libconfig: %s\n", tce_config_library_version());
}
