/*
 * parse.c - step 2 and the libconfig parse: integer literals that libconfig
 * 1.5 would silently wrap (past 32 bits without the L suffix, past 64 bits
 * with it) found in the joined text, then the text parsed; the literals are
 * reported against the settings they belong to.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static int is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '*';
}

/* Where the lexer stands: inside a string or a comment, or in code. */
struct lex {
    int line, in_str, in_block, in_line;
};

/* One step over s at i: the index after what was consumed.  *code is 1 when
 * s[i] is code (not inside a string or a comment, not a newline); then the
 * caller consumes it itself and nothing was consumed here. */
static size_t lex_step(const char *s, size_t i, size_t n, struct lex *lx,
                       int *code)
{
    char c = s[i];

    *code = 0;
    if (c == '\n') {
        lx->line++;
        lx->in_line = 0;
        return i + 1;
    }
    if (lx->in_line)
        return i + 1;
    if (lx->in_block) {
        if (c == '*' && i + 1 < n && s[i + 1] == '/') {
            lx->in_block = 0;
            return i + 2;
        }
        return i + 1;
    }
    if (lx->in_str) {
        if (c == '\\' && i + 1 < n && s[i + 1] != '\n')
            return i + 2;
        if (c == '"')
            lx->in_str = 0;
        return i + 1;
    }
    if (c == '"') {
        lx->in_str = 1;
        return i + 1;
    }
    if (c == '#' || (c == '/' && i + 1 < n && s[i + 1] == '/')) {
        lx->in_line = 1;
        return i + 1;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
        lx->in_block = 1;
        return i + 2;
    }
    *code = 1;
    return i;
}

/* libconfig 1.5 checks each new setting against its siblings one by one,
 * so its parse grows with the square of a group's size: 2,000 settings in
 * one group parse in about 0.5 s on a 2-core development machine (Debian
 * 12), 4,000 in about 2 s.  A file (with its includes) may hold at most
 * SETTINGS_MAX; the shipped files hold fewer than 100.  0, or the line of
 * the setting past the cap. */
#define SETTINGS_MAX 2000
static int settings_over_cap(const struct loader *ld)
{
    struct lex lx = {1, 0, 0, 0};
    size_t i = 0, n = ld->len;
    int code, count = 0;

    while (i < n) {
        i = lex_step(ld->buf, i, n, &lx, &code);
        if (!code)
            continue;
        if ((ld->buf[i] == '=' || ld->buf[i] == ':') && ++count > SETTINGS_MAX)
            return lx.line;
        i++;
    }
    return 0;
}

static void scan_literals(struct loader *ld)
{
    const char *s = ld->buf;
    size_t i = 0, n = ld->len;
    struct lex lx = {1, 0, 0, 0};
    int code;
    char last[TCE_NAME_MAX] = "";

    while (i < n) {
        char c = s[i];
        int line;

        i = lex_step(s, i, n, &lx, &code);
        if (!code)
            continue;
        line = lx.line;
        if (isalpha((unsigned char)c) || c == '*' || c == '_') {
            size_t j = i;

            while (j < n && is_name_char((unsigned char)s[j]))
                j++;
            snprintf(last, sizeof(last), "%.*s", (int)(j - i), s + i);
            i = j;
        } else if (isdigit((unsigned char)c) ||
                   ((c == '-' || c == '+') && i + 1 < n &&
                    isdigit((unsigned char)s[i + 1]))) {
            size_t j = i + 1, k, ls = 0;
            int hex = 0, isfloat = 0;
            char text[GOT_MAX];
            long long v;

            if (c == '0' && j < n && (s[j] == 'x' || s[j] == 'X')) {
                hex = 1;
                j++;
                while (j < n && isxdigit((unsigned char)s[j]))
                    j++;
            } else {
                while (j < n && isdigit((unsigned char)s[j]))
                    j++;
                if (j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E'))
                    isfloat = 1;
            }
            if (isfloat) {
                while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '.' ||
                                 ((s[j] == '-' || s[j] == '+') &&
                                  (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                    j++;
                i = j;
                continue;
            }
            for (k = j; k < n && s[k] == 'L'; k++)
                ls++;
            snprintf(text, sizeof(text), "%.*s", (int)(j - i), s + i);
            errno = 0;
            v = strtoll(text, NULL, hex ? 16 : 10);
            if (ld->n_bad < BADLIT_MAX &&
                (errno == ERANGE ||
                 (ls == 0 && (v > INT_MAX || v < INT_MIN)))) {
                struct badlit *b = &ld->bad[ld->n_bad++];

                b->line = line;
                snprintf(b->name, sizeof(b->name), "%s", last);
                snprintf(b->text, sizeof(b->text), "%.*s", (int)(k - i), s + i);
                b->too_big_64 = errno == ERANGE;
            }
            i = k;
        } else {
            i++;
        }
    }
}

/* Find a setting by name and line anywhere below s. */
static config_setting_t *find_at(config_setting_t *s, const char *name,
                                 unsigned line, int depth)
{
    int i, n;
    config_setting_t *hit;

    if (depth > 64 || !config_setting_is_aggregate(s))
        return NULL;
    n = config_setting_length(s);
    for (i = 0; i < n; i++) {
        config_setting_t *c = config_setting_get_elem(s, (unsigned)i);
        const char *cn = config_setting_name(c);

        if (config_setting_source_line(c) == line && cn &&
            strcmp(cn, name) == 0 && !config_setting_is_aggregate(c))
            return c;
        hit = find_at(c, name, line, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

/* Dotted path of a setting, for messages. */
static void path_of(const config_setting_t *s, char *buf, size_t size)
{
    const config_setting_t *chain[32];
    int n = 0, i;
    size_t used = 0;

    buf[0] = '\0';
    while (s && config_setting_parent(s) && n < 32) {
        chain[n++] = s;
        s = config_setting_parent(s);
    }
    for (i = n - 1; i >= 0; i--) {
        const char *nm = config_setting_name(chain[i]);
        int w;

        if (nm)
            w = snprintf(buf + used, size - used, "%s%s", used ? "." : "", nm);
        else
            w = snprintf(buf + used, size - used, "[%d]",
                         config_setting_index(chain[i]));
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static void report_literals(struct loader *ld)
{
    int i;

    for (i = 0; i < ld->n_bad; i++) {
        struct badlit *b = &ld->bad[i];
        config_setting_t *s = find_at(config_root_setting(&ld->cfg), b->name,
                                      (unsigned)b->line, 0);
        char key[2 * TCE_NAME_MAX] = "";
        struct line_ref r = ld->map[b->line - 1];

        if (s) {
            path_of(s, key, sizeof(key));
            if (ld->n_skip < BADLIT_MAX)
                ld->skip[ld->n_skip++] = s;
        } else {
            snprintf(key, sizeof(key), "%s", b->name);
        }
        if (b->too_big_64)
            tce_cfg_error(ld, r.file, r.line, key,
                          "integer does not fit in 64 bits (got %s)", b->text);
        else
            tce_cfg_error(
                ld, r.file, r.line, key,
                "integer does not fit in 32 bits: libconfig needs the L "
                "suffix, write %sL (got %s)",
                b->text, b->text);
    }
}

void tce_cfg_release(struct loader *ld)
{
    tce_cfg_flush(ld);
    if (ld->parsed)
        config_destroy(&ld->cfg);
    free(ld->buf);
    free(ld->map);
    ld->buf = NULL;
    ld->map = NULL;
    ld->parsed = 0;
}

/* Read, lex and parse path.  0, or TCE_ECONFIG after reporting. */
int tce_cfg_parse(struct loader *ld, const char *path, struct tce_diag *diag,
                  int lex)
{
    int fi, over;
    config_setting_t *root;

    memset(ld, 0, sizeof(*ld));
    ld->diag = diag;
    fi = tce_cfg_add_file(ld, path ? path : "");
    if (!path || !path[0])
        return tce_cfg_error(ld, fi, 1, NULL, "no file name");
    tce_cfg_expand_file(ld, fi, -1, 0);
    if (ld->errors)
        return TCE_ECONFIG;
    if (!ld->buf && tce_cfg_append_line(ld, "", 0, fi, 1) != 0)
        return tce_cfg_error(ld, fi, 1, NULL, "out of memory");
    if ((over = settings_over_cap(ld)) > 0) {
        struct line_ref r = ld->map[over - 1];

        return tce_cfg_error(ld, r.file, r.line, NULL,
                             "more than %d settings in the file and its "
                             "includes (the parser's time grows with their "
                             "square)",
                             SETTINGS_MAX);
    }
    config_init(&ld->cfg);
    ld->parsed = 1;
    if (config_read_string(&ld->cfg, ld->buf) != CONFIG_TRUE) {
        int l = config_error_line(&ld->cfg);
        struct line_ref r = {fi, 1};
        const char *text = config_error_text(&ld->cfg);

        if (l >= 1 && (size_t)l <= ld->n_lines) {
            r = ld->map[l - 1];
        } else if (l > 0 && ld->n_lines > 0) {
            r = ld->map[ld->n_lines - 1];
            if (text && strcmp(text, "syntax error") == 0)
                text = "syntax error at end of file (unclosed group, list "
                       "or string?)";
        }
        if (text && strcmp(text, "memory exhausted") == 0)
            text = "nesting too deep (parser stack exhausted)";
        return tce_cfg_error(ld, r.file, r.line, NULL, "%s",
                             text ? text : "syntax error");
    }
    root = config_root_setting(&ld->cfg);
    if (config_setting_length(root) == 0)
        return tce_cfg_error(ld, fi, 1, NULL,
                             "no settings in the file (empty file?)");
    if (lex) {
        /* not fatal: the settings concerned are skipped by the walk */
        scan_literals(ld);
        report_literals(ld);
    }
    return 0;
}
