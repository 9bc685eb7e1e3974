/* config.c - placeholder; the config issue replaces it. */
#include <libconfig.h>
#include <stdio.h>

const char *tce_config_library_version(void);

const char *tce_config_library_version(void)
{
    static char buf[32];

    snprintf(buf, sizeof(buf), "%d.%d.%d", LIBCONFIG_VER_MAJOR,
             LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
    return buf;
}
