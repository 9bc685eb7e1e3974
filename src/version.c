/* version.c - the tcemu version string (cli.h), in the core so that the
 * core commands need nothing from the runtime.  The build stamps the git
 * hash into this file only (Makefile: TCE_GIT_HASH). */
#include "tcemu/cli.h"

#ifndef TCE_VERSION
#define TCE_VERSION "0.1.0"
#endif
#ifndef TCE_GIT_HASH
#define TCE_GIT_HASH "unknown"
#endif

const char *tce_cli_version(void)
{
    return TCE_VERSION " (git " TCE_GIT_HASH ")";
}
