/*
 * diag.c - diagnostics: "path:line: error: key: message", counted.
 */
#include <stdarg.h>
#include <stdio.h>

#include "config_int.h"

#define TCE_CONFIG_STR_(x) #x
#define TCE_CONFIG_STR(x) TCE_CONFIG_STR_(x)

void tce_diag_init(struct tce_diag *d, FILE *stream)
{
    d->stream = stream;
    d->errors = 0;
    d->warnings = 0;
}

static void vdiag(struct tce_diag *d, const char *what, const char *path,
                  int line, const char *key, const char *fmt, va_list ap)
{
    FILE *out;

    if (!d)
        return; /* no diag: the caller only wants the verdict */
    out = d->stream ? d->stream : stderr;
    if (path && path[0])
        fprintf(out, "%s:%d: %s: ", path, line, what);
    else
        fprintf(out, "tcemu: %s: ", what);
    if (key && key[0])
        fprintf(out, "%s: ", key);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
}

int tce_diag_error(struct tce_diag *d, const char *path, int line,
                   const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag(d, "error", path, line, key, fmt, ap);
    va_end(ap);
    if (d)
        d->errors++;
    return TCE_ECONFIG;
}

void tce_diag_warning(struct tce_diag *d, const char *path, int line,
                      const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag(d, "warning", path, line, key, fmt, ap);
    va_end(ap);
    if (d)
        d->warnings++;
}

const char *tce_config_library_version(void)
{
    static const char version[] =
        TCE_CONFIG_STR(LIBCONFIG_VER_MAJOR) "." TCE_CONFIG_STR(
            LIBCONFIG_VER_MINOR) "." TCE_CONFIG_STR(LIBCONFIG_VER_REVISION);

    return version;
}
