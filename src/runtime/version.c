/* version.c - --version: tcemu (src/version.c), MPI library and libconfig
 * versions. */
#include <mpi.h>
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/runtime.h"

const char *tce_config_library_version(void);

void tce_cli_print_version(FILE *out)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];

    tce_rt_mpi_library(lib, sizeof(lib));
    fprintf(out, "tcemu %s\n", tce_cli_version());
    fprintf(out, "MPI: %s (MPI %d.%d)\n", lib, MPI_VERSION, MPI_SUBVERSION);
    fprintf(out, "libconfig: %s\n", tce_config_library_version());
}
