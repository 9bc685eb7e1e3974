/*
 * version.h - the tcemu version string, "0.1.0 (git abc1234)": in the core
 * (src/version.c, the only file the build stamps with the git hash), so
 * the core commands and reports need nothing from the runtime.
 */
#ifndef TCEMU_VERSION_H
#define TCEMU_VERSION_H

const char *tce_cli_version(void);

#endif
