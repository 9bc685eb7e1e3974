/* input.c - bounded, non-blocking whole-file reads (see input.h). */
#include "tcemu/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/error.h"
#include "tcemu/util.h"

int tce_input_read(const char *path, char **out, size_t *len,
                   struct stat *st_out, const char **why)
{
    int rc = tce_input_read_max(path, TCE_INPUT_BYTES_MAX, out, len, st_out,
                                why);

    if (rc != 0 && *why && strcmp(*why, "file too large") == 0)
        *why = TCE_INPUT_TOO_LARGE;
    return rc;
}

int tce_input_read_max(const char *path, size_t max_bytes, char **out,
                       size_t *len, struct stat *st_out, const char **why)
{
    struct stat st;
    char *data = NULL;
    size_t n = 0;
    ssize_t k;
    int fd, rc = TCE_EIO;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        *why = strerror(errno);
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a directory, not a file";
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        goto out;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        *why = "file too large";
        goto out;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        *why = "out of memory";
        goto out;
    }
    /* a regular file that grows while read is cut at its fstat size */
    while (n < (size_t)st.st_size) {
        k = read(fd, data + n, (size_t)st.st_size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *why = strerror(errno);
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    data[n] = '\0';
    if (st_out)
        *st_out = st;
    *out = data;
    *len = n;
    data = NULL;
    rc = 0;
out:
    free(data);
    if (fd >= 0)
        close(fd);
    return rc;
}

char *tce_input_next_line(char **cursor, int *lineno)
{
    char *line, *next;

    while ((line = *cursor) != NULL) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        *cursor = next;
        (*lineno)++;
        line[strcspn(line, "\r")] = '\0';
        if (line[0] != '#' && line[0] != '\0')
            return line;
    }
    return NULL;
}

#define CSV_FIELDS_MAX 64

int tce_csv_read(const char *path, const struct tce_csv_table *t,
                 int *n_rows, struct tce_error *err)
{
    char *data = NULL, *next, *line, *f[CSV_FIELDS_MAX];
    const char *why = NULL;
    size_t len = 0;
    int lineno = 0, have_header = 0, nf, ret = 0;
    struct tce_error e;

    *n_rows = 0;
    if (tce_input_read(path, &data, &len, NULL, &why) != 0)
        return tce_error_set(err, TCE_EUSAGE, "cannot read %s: %s", path,
                             why);
    next = data;
    while ((line = tce_input_next_line(&next, &lineno)) != NULL) {
        nf = tce_csv_split(line, f, CSV_FIELDS_MAX);
        if (nf < 0) {
            ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                   "unterminated quoted field");
            goto out;
        }
        if (!have_header) {
            if (t->header(f, nf, t->ctx) != 0) {
                ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                       "not %s", t->header_what);
                goto out;
            }
            have_header = 1;
            continue;
        }
        if (*n_rows >= t->max_rows) {
            ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                   "more than %d rows", t->max_rows);
            goto out;
        }
        tce_error_clear(&e);
        if (t->row(f, nf, lineno, t->ctx, &e) != 0) {
            ret = tce_error_set_at(err, TCE_ECONFIG, path, lineno, "",
                                   "bad row: %s", e.msg);
            goto out;
        }
        (*n_rows)++;
    }
    if (*n_rows == 0)
        ret = tce_error_set(err, TCE_ECONFIG, "%s: no data rows", path);
out:
    free(data);
    return ret;
}
