/*
 * source.c - step 1 of loading: a file and its @include files joined into
 * one buffer (libconfig 1.5 resolves includes against one global directory,
 * not against the including file), with a map from each line of the buffer
 * to its (file, line), so messages cite the file a key is in; loops, missing
 * includes, directories, NUL bytes and huge files are clean errors.  Errors
 * are collected (tce_cfg_error) and reported sorted by file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_int.h"
#include "tcemu/input.h"

int tce_cfg_error(struct loader *ld, int file, int line, const char *key,
                  const char *fmt, ...)
{
    va_list ap;
    struct pending *p;

    ld->errors++;
    if (ld->n_pending >= ERRORS_MAX)
        return TCE_ECONFIG;
    p = &ld->pending[ld->n_pending];
    p->file = file;
    p->line = line;
    p->seq = ld->n_pending++;
    snprintf(p->key, sizeof(p->key), "%s", key ? key : "");
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
    return TCE_ECONFIG;
}

static int pending_cmp(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;

    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Report the errors found so far, by file and line. */
void tce_cfg_flush(struct loader *ld)
{
    int i;

    qsort(ld->pending, (size_t)ld->n_pending, sizeof(ld->pending[0]),
          pending_cmp);
    for (i = 0; i < ld->n_pending; i++) {
        struct pending *p = &ld->pending[i];

        tce_diag_error(ld->diag, ld->files[p->file], p->line, p->key, "%s",
                       p->msg);
    }
    if (ld->errors > ld->n_pending)
        tce_diag_error(ld->diag, ld->files[0], 1, NULL,
                       "%d more errors not shown", ld->errors - ld->n_pending);
    ld->n_pending = 0;
    ld->errors = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 64;
    void *q;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    q = realloc(*p, n * elem);
    if (!q)
        return TCE_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

int tce_cfg_append_line(struct loader *ld, const char *s, size_t n, int file,
                        int line)
{
    void *b = ld->buf, *m = ld->map;
    int rc;

    rc = grow(&b, &ld->cap, ld->len + n + 2, 1);
    ld->buf = b;
    if (rc == 0) {
        rc = grow(&m, &ld->cap_lines, ld->n_lines + 1, sizeof(*ld->map));
        ld->map = m;
    }
    if (rc != 0)
        return rc;
    memcpy(ld->buf + ld->len, s, n);
    ld->len += n;
    ld->buf[ld->len++] = '\n';
    ld->buf[ld->len] = '\0';
    ld->map[ld->n_lines].file = file;
    ld->map[ld->n_lines].line = line;
    ld->n_lines++;
    return 0;
}

/* Lexical state carried from line to line while looking for @include. */
struct lexstate {
    int in_block_comment;
    int in_string;
};

static void lex_line(struct lexstate *ls, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (ls->in_block_comment) {
            if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                ls->in_block_comment = 0;
                i++;
            }
        } else if (ls->in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                ls->in_string = 0;
        } else if (s[i] == '"') {
            ls->in_string = 1;
        } else if (s[i] == '#' ||
                   (s[i] == '/' && i + 1 < n && s[i + 1] == '/')) {
            return;
        } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            ls->in_block_comment = 1;
            i++;
        }
    }
}

/* Is the line `@include "name"`?  1 with name filled, 0 if not, -1 if it
 * is a malformed include. */
static int match_include(const char *s, size_t n, char *name, size_t size)
{
    size_t i = 0, j;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (n - i < 8 || strncmp(s + i, "@include", 8) != 0)
        return 0;
    i += 8;
    if (i >= n || (s[i] != ' ' && s[i] != '\t'))
        return -1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] != '"')
        return -1;
    i++;
    for (j = i; j < n && s[j] != '"'; j++)
        if (s[j] == '\\')
            return -1;
    if (j >= n || j == i || j - i >= size)
        return -1;
    memcpy(name, s + i, j - i);
    name[j - i] = '\0';
    for (j++; j < n; j++) {
        if (s[j] == '#' || (s[j] == '/' && j + 1 < n && s[j + 1] == '/'))
            break;
        if (s[j] != ' ' && s[j] != '\t' && s[j] != '\r')
            return -1;
    }
    return 1;
}

/* Read file index fi (already in ld->files) into the buffer. */
int tce_cfg_expand_file(struct loader *ld, int fi, int from_file, int from_line)
{
    char *data = NULL;
    const char *why = NULL;
    struct stat st;
    size_t len = 0, pos = 0, n;
    struct lexstate ls = {0, 0};
    char name[TCE_TEXT_MAX], inc[TCE_TEXT_MAX];
    int line = 0, rc = 0, k, m;
    const char *path = ld->files[fi];

    if (tce_input_read(path, &data, &len, &st, &why) != 0) {
        if (from_file < 0)
            rc = tce_cfg_error(ld, fi, 1, NULL, "cannot read file: %s", why);
        else
            rc = tce_cfg_error(ld, from_file, from_line, "@include",
                               "cannot read '%s': %s", path, why);
        goto out;
    }
    if (ld->len + len > (size_t)TCE_INPUT_BYTES_MAX) {
        rc = tce_cfg_error(ld, fi, 1, NULL,
                           "file and its includes exceed 256 KiB together");
        goto out;
    }
    for (k = 0; k < ld->depth; k++) {
        if (ld->chain_dev[k] == st.st_dev && ld->chain_ino[k] == st.st_ino) {
            rc =
                tce_cfg_error(ld, from_file, from_line, "@include",
                              "include loop: '%s' is already being read", path);
            goto out;
        }
    }
    if (ld->depth > INCLUDE_DEPTH_MAX - 1) {
        rc = tce_cfg_error(ld, from_file, from_line, "@include",
                           "includes nested more than %d deep",
                           INCLUDE_DEPTH_MAX);
        goto out;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as some editors write */
    ld->chain_dev[ld->depth] = st.st_dev;
    ld->chain_ino[ld->depth] = st.st_ino;
    ld->depth++;
    while (pos < len) {
        const char *s = data + pos;
        const char *nl = memchr(s, '\n', len - pos);

        n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (memchr(s, '\0', n)) {
            rc = tce_cfg_error(ld, fi, line, NULL,
                               "file contains a NUL byte (binary file?)");
            break;
        }
        if (n > 0 && s[n - 1] == '\r')
            n--; /* CRLF line endings */
        m = (!ls.in_block_comment && !ls.in_string)
                ? match_include(s, n, name, sizeof(name))
                : 0;
        if (m < 0) {
            rc = tce_cfg_error(ld, fi, line, "@include",
                               "expected @include \"FILE\" alone on its line");
            continue;
        }
        if (m > 0) {
            const char *slash = strrchr(path, '/');
            int w, nf;

            if (name[0] == '/' || !slash)
                w = snprintf(inc, sizeof(inc), "%s", name);
            else
                w = snprintf(inc, sizeof(inc), "%.*s/%s", (int)(slash - path),
                             path, name);
            rc = tce_cfg_append_line(ld, "", 0, fi, line);
            if (rc != 0)
                break;
            if (w < 0 || (size_t)w >= sizeof(inc)) {
                rc = tce_cfg_error(ld, fi, line, "@include", "path too long");
                continue;
            }
            nf = tce_cfg_add_file(ld, inc);
            if (nf < 0) {
                rc = tce_cfg_error(ld, fi, line, "@include",
                                   "more than %d files included",
                                   TCE_CONFIG_FILES_MAX - 1);
                continue;
            }
            if (tce_cfg_expand_file(ld, nf, fi, line) != 0)
                rc = TCE_ECONFIG;
            continue;
        }
        lex_line(&ls, s, n);
        rc = tce_cfg_append_line(ld, s, n, fi, line);
        if (rc != 0)
            break;
    }
    ld->depth--;
out:
    free(data);
    if (rc == TCE_ENOMEM)
        tce_cfg_error(ld, fi, line, NULL, "out of memory");
    return rc;
}

int tce_cfg_add_file(struct loader *ld, const char *path)
{
    int i;

    for (i = 0; i < ld->n_files; i++)
        if (strcmp(ld->files[i], path) == 0)
            return i;
    if (ld->n_files >= TCE_CONFIG_FILES_MAX)
        return -1;
    snprintf(ld->files[ld->n_files], TCE_TEXT_MAX, "%s", path);
    return ld->n_files++;
}
