/* util.c - strict parsing and small helpers (see util.h). */
#include "tcemu/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tce_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out,
                    struct tce_error *err)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s))
        return tce_error_set(err, TCE_EPARSE, "'%s' is not an integer",
                             s ? s : "");
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end != '\0')
        return tce_error_set(err, TCE_EPARSE, "'%s' is not an integer", s);
    if (errno == ERANGE || v < min || v > max)
        return tce_error_set(err, TCE_ERANGE,
                             "%s is out of range [%lld, %lld]", s,
                             (long long)min, (long long)max);
    *out = v;
    return 0;
}

int tce_parse_double(const char *s, double min, double max, double *out,
                     struct tce_error *err)
{
    char *end;
    double v;

    if (!s || !*s || isspace((unsigned char)*s))
        return tce_error_set(err, TCE_EPARSE, "'%s' is not a number",
                             s ? s : "");
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v))
        return tce_error_set(err, TCE_EPARSE, "'%s' is not a number", s);
    if (errno == ERANGE || v < min || v > max)
        return tce_error_set(err, TCE_ERANGE, "%s is out of range [%g, %g]",
                             s, min, max);
    *out = v;
    return 0;
}

int tce_parse_size(const char *s, int64_t *out_bytes, struct tce_error *err)
{
    /* nccl-tests' convention (its users type it): K M G T in either case
     * are powers of 1024, as are Ki Mi Gi Ti with or without B */
    static const struct {
        const char *suffix;
        int shift;
    } units[] = {
        {"", 0},     {"B", 0},     {"K", 10},    {"k", 10},   {"M", 20},
        {"m", 20},   {"G", 30},    {"g", 30},    {"T", 40},   {"t", 40},
        {"Ki", 10},  {"KiB", 10},  {"Mi", 20},   {"MiB", 20}, {"Gi", 30},
        {"GiB", 30}, {"Ti", 40},   {"TiB", 40},
    };
    char *end;
    double v, bytes;
    size_t i;

    if (!s || !*s || !isdigit((unsigned char)*s))
        return tce_error_set(err, TCE_EPARSE, "'%s' is not a size",
                             s ? s : "");
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE || !isfinite(v))
        return tce_error_set(err, TCE_ERANGE, "size '%s' is too large", s);
    for (i = 0; i < TCE_ARRAY_SIZE(units); i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        bytes = ldexp(v, units[i].shift);
        if (bytes > ldexp(1.0, 62))
            return tce_error_set(err, TCE_ERANGE, "size '%s' is too large",
                                 s);
        if (bytes != floor(bytes))
            return tce_error_set(err, TCE_EPARSE,
                                 "size '%s' is not a whole number of bytes",
                                 s);
        *out_bytes = (int64_t)bytes;
        return 0;
    }
    return tce_error_set(err, TCE_EPARSE,
                         "size '%s': unknown unit (K, M, G, T = 1024^n, as "
                         "nccl-tests; Ki, Mi, Gi, Ti the same; B optional)",
                         s);
}

int tce_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_mul_overflow(a, b, out) ? TCE_ERANGE : 0;
}

int tce_add_i64(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? TCE_ERANGE : 0;
}

static int push_gpu(struct tce_gpu_list *out, int64_t v, const char *s,
                    struct tce_error *err)
{
    if (out->n >= TCE_GPU_LIST_MAX)
        return tce_error_set(err, TCE_ERANGE,
                             "--gpus '%s' names more than %d counts", s,
                             TCE_GPU_LIST_MAX);
    out->gpus[out->n++] = v;
    return 0;
}

int tce_parse_gpu_list(const char *s, struct tce_gpu_list *out,
                       struct tce_error *err)
{
    const int64_t max = INT64_C(1) << 40;
    char buf[256], *tok, *save = NULL, *p1, *p2;
    int64_t lo, hi, step, v;
    int ret = 0, mult;

    out->n = 0;
    if (!s || strlen(s) >= sizeof(buf) || !*s)
        return tce_error_set(err, TCE_EPARSE, "bad --gpus '%s'", s ? s : "");
    strcpy(buf, s);
    if (strchr(buf, ':')) {
        p1 = strchr(buf, ':');
        *p1++ = '\0';
        p2 = strchr(p1, ':');
        if (!p2)
            return tce_error_set(err, TCE_EPARSE,
                                 "--gpus '%s': a range is FIRST:LAST:xK or "
                                 "FIRST:LAST:+K",
                                 s);
        *p2++ = '\0';
        if (*p2 != 'x' && *p2 != '+')
            return tce_error_set(err, TCE_EPARSE,
                                 "--gpus '%s': the step is xK (multiply) or "
                                 "+K (add)",
                                 s);
        mult = *p2 == 'x';
        if ((ret = tce_parse_int64(buf, 1, max, &lo, err)) ||
            (ret = tce_parse_int64(p1, 1, max, &hi, err)) ||
            (ret = tce_parse_int64(p2 + 1, 1, max, &step, err)))
            return ret;
        if (hi < lo || (mult && step < 2))
            return tce_error_set(err, TCE_ERANGE,
                                 "--gpus '%s': empty or endless range", s);
        for (v = lo;;) {
            if ((ret = push_gpu(out, v, s, err)))
                return ret;
            /* the next count, stopping before it passes LAST (or int64) */
            if (mult ? tce_mul_i64(v, step, &v) : tce_add_i64(v, step, &v))
                break;
            if (v > hi)
                break;
        }
        return 0;
    }
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if ((ret = tce_parse_int64(tok, 1, max, &v, err)))
            return ret;
        if ((ret = push_gpu(out, v, s, err)))
            return ret;
    }
    if (out->n == 0)
        return tce_error_set(err, TCE_EPARSE, "bad --gpus '%s'", s);
    return 0;
}

int tce_edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    int row[129], i, j, prev, tmp;

    if (la > 128 || lb > 128)
        return 1000;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            tmp = row[j];
            row[j] = prev + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < row[j])
                row[j] = row[j - 1] + 1;
            if (tmp + 1 < row[j])
                row[j] = tmp + 1;
            prev = tmp;
        }
    }
    return row[lb];
}

double tce_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t tce_utf8_seq_len(const unsigned char *p)
{
    size_t n, i;
    unsigned cp;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

int tce_parse_name_list(const char *list, const struct tce_name_bit *names,
                        size_t n, const char *what, unsigned *mask,
                        struct tce_error *err)
{
    const char *p = list ? list : "";
    unsigned m = 0;

    while (*p) {
        size_t len, i;
        int found = 0;

        p += strspn(p, " \t,");
        len = strcspn(p, " \t,");
        if (len == 0)
            break;
        for (i = 0; i < n; i++)
            if (strlen(names[i].name) == len &&
                strncmp(names[i].name, p, len) == 0) {
                m |= names[i].bit;
                found = 1;
            }
        if (!found) {
            char known[256];
            size_t at = 0;

            known[0] = '\0';
            for (i = 0; i < n && at < sizeof(known); i++)
                at += (size_t)snprintf(known + at, sizeof(known) - at,
                                       "%s%s", i ? ", " : "", names[i].name);
            return tce_error_set(err, TCE_ECONFIG,
                                 "unknown %s '%.*s' (%s)", what,
                                 (int)(len > 64 ? 64 : len), p, known);
        }
        p += len;
    }
    *mask = m;
    return 0;
}

int tce_copy_list(char *dst, size_t size, const char *list, const char *key,
                  struct tce_error *err)
{
    size_t n = strlen(list);

    if (n >= size)
        return tce_error_set(err, TCE_ECONFIG,
                             "%s: list longer than %zu characters", key,
                             size - 1);
    memcpy(dst, list, n + 1);
    return 0;
}

/* Split one CSV record in place (RFC 4180: "a, ""b""" is one field);
 * returns the number of fields, or -1 on an unterminated quote. */
int tce_csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *r = line, *w;

    for (;;) {
        if (n == max)
            return n;
        f[n++] = w = r;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0')
                    return -1;
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            while (*r && *r != ',')
                r++;
        } else {
            while (*r && *r != ',')
                w = ++r;
        }
        if (*r == '\0') {
            *w = '\0';
            return n;
        }
        *w = '\0';
        r++;
    }
}
