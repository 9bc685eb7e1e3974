/* error.c - error codes, messages and the error record (see error.h). */
#include "tcemu/error.h"

#include <string.h>

struct code_info {
    int code;
    int exit_status;
    const char *msg;
};

static const struct code_info code_table[] = {
#define TCE_ERRNO_ROW(name, value, exit_status, msg) {value, exit_status, msg},
    TCE_ERRNO_MAP(TCE_ERRNO_ROW)
#undef TCE_ERRNO_ROW
};

static const struct code_info *find(int code)
{
    size_t i;

    for (i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
        if (code_table[i].code == code)
            return &code_table[i];
    return NULL;
}

const char *tce_strerror(int code)
{
    const struct code_info *ci;

    if (code == 0)
        return "success";
    ci = find(code);
    return ci ? ci->msg : "unknown error";
}

int tce_exit_status(int code)
{
    const struct code_info *ci;

    if (code == 0)
        return TCE_EXIT_OK;
    ci = find(code);
    return ci ? ci->exit_status : TCE_EXIT_RUNTIME;
}

static void copy(char *dst, size_t size, const char *src)
{
    size_t n;

    if (!src)
        src = "";
    n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void vset(struct tce_error *err, int code, const char *file, int line,
                 const char *key, const char *fmt, va_list ap)
{
    err->code = code;
    copy(err->file, sizeof(err->file), file);
    err->line = line;
    copy(err->key, sizeof(err->key), key);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int tce_error_set(struct tce_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        vset(err, code, NULL, 0, NULL, fmt, ap);
        va_end(ap);
    }
    return code;
}

int tce_error_set_at(struct tce_error *err, int code, const char *file,
                     int line, const char *key, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        vset(err, code, file, line, key, fmt, ap);
        va_end(ap);
    }
    return code;
}

void tce_error_clear(struct tce_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

void tce_error_print(const struct tce_error *err, FILE *stream)
{
    const char *msg = err->msg[0] ? err->msg : tce_strerror(err->code);

    if (err->file[0]) {
        fprintf(stream, "%s:%d: error: ", err->file, err->line);
        if (err->key[0])
            fprintf(stream, "%s: ", err->key);
        fprintf(stream, "%s\n", msg);
    } else {
        fprintf(stream, "tcemu: error: %s\n", msg);
    }
}
