/* nccltests.c - read nccl-tests output (nccltests.h). */
#include "tcemu/nccltests.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/input.h"

#define LINE_MAX_CHARS 4096
#define TOKENS_MAX 64

/* The binaries tcemu reads, and the kind each measures. */
static const struct {
    const char *name; /* without "_perf" */
    int kind;         /* enum tce_coll; -1: not calibrated */
} tests[] = {
    /* longest names first: "all_reduce" must win over "reduce" */
    {"reduce_scatter", TCE_COLL_REDUCE_SCATTER},
    {"all_reduce", TCE_COLL_ALL_REDUCE},
    {"all_gather", TCE_COLL_ALL_GATHER},
    {"alltoallv", -1},
    {"alltoall", TCE_COLL_ALL_TO_ALL},
    {"sendrecv", TCE_COLL_SENDRECV},
    {"broadcast", TCE_COLL_BROADCAST},
    {"hypercube", -1},
    {"reduce", -1},
    {"gather", -1},
    {"scatter", -1},
};
#define N_TESTS (sizeof(tests) / sizeof(tests[0]))

static const struct {
    const char *name;
    int bytes;
} types[] = {
    {"int8", 1},   {"uint8", 1},  {"int32", 4},    {"uint32", 4},
    {"int64", 8},  {"uint64", 8}, {"half", 2},     {"float", 4},
    {"double", 8}, {"bfloat16", 2}, {"f8e4m3", 1}, {"f8e5m2", 1},
};

/* Parser state for one input. */
struct pstate {
    const char *file;
    int line;
    int header_line; /* of the "# nThread" line, 0 before */
    int table;       /* the column header was seen */
    int per_iter;    /* -I: 4 more columns per placement */
    int timestamp;   /* -S: a date and a time end each row */
    size_t cap_rows, cap_ranks;
    struct tce_nccltests_run *run;
    struct tce_error *err;
};

int tce_nccltests_type_bytes(const char *type)
{
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(type, types[i].name) == 0)
            return types[i].bytes;
    return 0;
}

static int fail(struct pstate *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An input error at the current line (line 0: the file as a whole). */
static int fail(struct pstate *ps, const char *fmt, ...)
{
    char msg[TCE_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tce_error_set_at(ps->err, TCE_EPARSE, ps->file, ps->line, NULL,
                            "%s", msg);
}

static int split(char *s, char **tok, int max)
{
    int n = 0;

    while (*s) {
        while (*s && isspace((unsigned char)*s))
            *s++ = '\0';
        if (!*s)
            break;
        if (n == max)
            return -1;
        tok[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
    }
    return n;
}

static int is_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int to_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int to_dbl(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return (errno || end == s || *end || !isfinite(*out)) ? -1 : 0;
}

/* Which test a name like ".../all_reduce_perf_mpi" names: its index, or -1.
 * The name must start at a word boundary and be followed by "_perf". */
static int find_test(const char *s)
{
    const char *p;
    size_t i;

    for (p = strstr(s, "_perf"); p; p = strstr(p + 1, "_perf")) {
        for (i = 0; i < N_TESTS; i++) {
            size_t n = strlen(tests[i].name);
            const char *start = p - n;

            if (start < s || strncmp(start, tests[i].name, n) != 0)
                continue;
            if (start > s && (isalnum((unsigned char)start[-1]) ||
                              start[-1] == '_'))
                continue;
            return (int)i;
        }
    }
    return -1;
}

static void set_test(struct tce_nccltests_run *r, int t, const char *from)
{
    snprintf(r->test, sizeof(r->test), "%s_perf", tests[t].name);
    r->kind = (enum tce_coll)(tests[t].kind < 0 ? 0 : tests[t].kind);
    r->kind_from = from;
}

/* Remove an Open MPI --tag-output or srun --label prefix; 1 when the line
 * is a tagged stderr line (skipped). */
static int strip_prefix(char **line)
{
    char *s = *line;

    if (s[0] == '[') {
        char *q = s + 1;

        while (isdigit((unsigned char)*q) || *q == ',')
            q++;
        if (q > s + 1 && *q == ']' && q[1] == '<') {
            char *gt = strchr(q, '>');

            if (gt && gt[1] == ':') {
                *line = gt + 2;
                return strncmp(q + 1, "<stderr>", 8) == 0;
            }
        }
        return 0;
    }
    while (*s == ' ')
        s++;
    if (isdigit((unsigned char)*s)) {
        char *q = s;

        while (isdigit((unsigned char)*q))
            q++;
        if (q[0] == ':' && (q[1] == ' ' || q[1] == '\0'))
            *line = q + 1;
    }
    return 0;
}

static int add_rank(struct pstate *ps, char **tok, int n, const char *raw)
{
    struct tce_nccltests_run *r = ps->run;
    struct tce_nccltests_rank rk;
    int64_t v;
    int i;
    const char *br;

    memset(&rk, 0, sizeof(rk));
    rk.line = ps->line;
    if (to_i64(tok[1], &v) != 0 || v < 0 || v > INT_MAX)
        return fail(ps, "rank line: bad rank number '%s'", tok[1]);
    rk.rank = (int)v;
    for (i = 2; i + 1 < n; i++) {
        if (strcmp(tok[i], "Group") == 0 && to_i64(tok[i + 1], &v) == 0)
            rk.group = (int)v;
        else if (strcmp(tok[i], "on") == 0)
            snprintf(rk.host, sizeof(rk.host), "%s", tok[i + 1]);
        else if (strcmp(tok[i], "device") == 0 && to_i64(tok[i + 1], &v) == 0)
            rk.device = (int)v;
    }
    if (!rk.host[0])
        return fail(ps, "rank line without 'on HOST'");
    for (i = 0; i < r->n_rank_lines; i++) {
        if (r->rank_lines[i].rank == rk.rank) {
            return fail(ps,
                        "rank %s listed twice (first at line %d): two runs "
                        "in one file?",
                        tok[1], r->rank_lines[i].line);
        }
    }
    if ((size_t)r->n_rank_lines == ps->cap_ranks) {
        size_t cap = ps->cap_ranks ? 2 * ps->cap_ranks : 16;
        void *p = realloc(r->rank_lines, cap * sizeof(*r->rank_lines));

        if (!p)
            return tce_error_set(ps->err, TCE_ENOMEM, "out of memory");
        r->rank_lines = p;
        ps->cap_ranks = cap;
    }
    r->rank_lines[r->n_rank_lines++] = rk;
    if (rk.rank == 0 && (br = strchr(raw, ']')) != NULL) {
        while (*++br == ' ')
            ;
        snprintf(r->device, sizeof(r->device), "%s", br);
    }
    return 0;
}

/* "# nThread 1 nGpus 8 minBytes .. warmup iters: 5 iters: 20 agg iters: 1" */
static int header_line(struct pstate *ps, char **tok, int n)
{
    struct tce_nccltests_run *r = ps->run;
    int64_t v;
    int i;

    if (ps->header_line) {
        return fail(ps,
                    "a second nccl-tests header (the first is at line %d): "
                    "give each run its own file; if every process printed "
                    "one, nccl-tests was built without MPI=1 and each "
                    "process ran alone",
                    ps->header_line);
    }
    ps->header_line = ps->line;
    for (i = 0; i + 1 < n; i++) {
        if (to_i64(tok[i + 1], &v) != 0 || v < 0 || v > INT_MAX)
            continue;
        if (strcmp(tok[i], "nThread") == 0)
            r->nthreads = (int)v;
        else if (strcmp(tok[i], "nGpus") == 0)
            r->ngpus = (int)v;
        else if (strcmp(tok[i], "iters:") == 0 && i > 0 &&
                 strcmp(tok[i - 1], "warmup") == 0)
            r->warmup_iters = (int)v;
        else if (strcmp(tok[i], "iters:") == 0 &&
                 (i == 0 || strcmp(tok[i - 1], "agg") != 0))
            r->iters = (int)v;
    }
    return 0;
}

static void column_header(struct pstate *ps, char **tok, int n)
{
    int i;

    ps->table = 1;
    ps->per_iter = 0;
    ps->timestamp = 0;
    for (i = 0; i < n; i++) {
        if (strcmp(tok[i], "i_min") == 0)
            ps->per_iter = 1;
        else if (strcmp(tok[i], "timestamp") == 0)
            ps->timestamp = 1;
        else if (strcmp(tok[i], "error") == 0)
            ps->run->wrong_is_error = 1;
    }
}

/* A '#' line: header, rank line, column header, footer, or nothing. */
static int comment_line(struct pstate *ps, char *body)
{
    struct tce_nccltests_run *r = ps->run;
    char raw[LINE_MAX_CHARS];
    char *tok[TOKENS_MAX];
    const char *colon;
    int n, t;

    snprintf(raw, sizeof(raw), "%s", body);
    n = split(body, tok, TOKENS_MAX);
    if (n <= 0)
        return 0;
    if (n >= 3 && strcmp(tok[1], "version") == 0 &&
        (strcmp(tok[0], "nccl-tests") == 0 ||
         strcmp(tok[0], "rccl-tests") == 0)) {
        snprintf(r->version, sizeof(r->version), "%s", tok[2]);
    } else if (n >= 4 && strcmp(tok[0], "Collective") == 0 &&
               strcmp(tok[2], "starting:") == 0) {
        t = find_test(tok[3]);
        if (t < 0)
            return fail(ps, "unknown nccl-tests binary '%s'", tok[3]);
        if (strcmp(r->kind_from, "header") == 0 &&
            strncmp(r->test, tests[t].name, strlen(tests[t].name)) != 0)
            return fail(ps, "a second collective (%s) in one file", tok[3]);
        set_test(r, t, "header");
    } else if (strcmp(tok[0], "nThread") == 0) {
        return header_line(ps, tok, n);
    } else if (n >= 2 && strcmp(tok[0], "Rank") == 0 && is_int(tok[1])) {
        return add_rank(ps, tok, n, raw);
    } else if (n >= 3 && strcmp(tok[0], "size") == 0 &&
               strcmp(tok[1], "count") == 0) {
        column_header(ps, tok, n);
    } else if (strncmp(raw + strspn(raw, " "), "Avg bus bandwidth", 17) ==
                   0 &&
               (colon = strchr(raw, ':')) != NULL) {
        char *end;
        double v = strtod(colon + 1, &end);

        if (end != colon + 1 && isfinite(v))
            r->avg_busbw_gbytes_per_s = v;
    } else if (strncmp(raw + strspn(raw, " "), "Out of bounds values", 20) ==
                   0 &&
               (colon = strchr(raw, ':')) != NULL) {
        char *end;
        long long v = strtoll(colon + 1, &end, 10);

        if (end != colon + 1)
            r->out_of_bounds = v;
    }
    return 0;
}

static int meas(struct pstate *ps, char **tok, const char *where,
                struct tce_nccltests_meas *m)
{
    static const char *const names[] = {"time", "algbw", "busbw"};
    double *dst[3];
    int i;

    dst[0] = &m->time_us;
    dst[1] = &m->algbw_gbytes_per_s;
    dst[2] = &m->busbw_gbytes_per_s;
    for (i = 0; i < 3; i++) {
        char what[64];

        snprintf(what, sizeof(what), "%s (%s)", names[i], where);
        if (to_dbl(tok[i], dst[i]) != 0)
            return fail(ps, "'%s' is not a number in column %s", tok[i],
                        what);
        if (*dst[i] < 0.0)
            return fail(ps, "negative %s: '%s'", what, tok[i]);
    }
    if (strcmp(tok[3], "N/A") == 0) {
        m->wrong = -1.0;
    } else if (to_dbl(tok[3], &m->wrong) != 0 || m->wrong < 0.0) {
        return fail(ps, "'%s' is not a count in column #wrong (%s)", tok[3],
                    where);
    }
    return 0;
}

static int data_row(struct pstate *ps, char *body)
{
    struct tce_nccltests_run *r = ps->run;
    struct tce_nccltests_row row;
    char *tok[TOKENS_MAX];
    int n, per, mid, i, rc;

    memset(&row, 0, sizeof(row));
    row.line = ps->line;
    row.root = -1;
    n = split(body, tok, TOKENS_MAX);
    if (n < 0)
        return fail(ps, "too many columns for an nccl-tests row");
    if (ps->timestamp && n >= 2)
        n -= 2;
    per = ps->per_iter ? 8 : 4;
    mid = n - 3 - 2 * per;
    if (mid < 0 || mid > 2)
        return fail(ps,
                    "an nccl-tests row needs size, count, type, [redop], "
                    "[root] and the out-of-place and in-place time, algbw, "
                    "busbw and #wrong");
    if (to_i64(tok[0], &row.bytes) != 0 || row.bytes < 0)
        return fail(ps, "bad size '%s'", tok[0]);
    if (to_i64(tok[1], &row.count) != 0 || row.count < 0)
        return fail(ps, "bad count '%s'", tok[1]);
    snprintf(row.type, sizeof(row.type), "%s", tok[2]);
    for (i = 3; i < 3 + mid; i++) {
        int64_t v;

        if (is_int(tok[i]) && to_i64(tok[i], &v) == 0 && v >= INT_MIN &&
            v <= INT_MAX)
            row.root = (int)v;
        else
            snprintf(row.redop, sizeof(row.redop), "%s", tok[i]);
    }
    rc = meas(ps, tok + 3 + mid, "out-of-place", &row.out_of_place);
    if (rc == 0)
        rc = meas(ps, tok + 3 + mid + per, "in-place", &row.in_place);
    if (rc != 0)
        return rc;
    if ((size_t)r->n_rows == ps->cap_rows) {
        size_t cap = ps->cap_rows ? 2 * ps->cap_rows : 32;
        void *p = realloc(r->rows, cap * sizeof(*r->rows));

        if (!p)
            return tce_error_set(ps->err, TCE_ENOMEM, "out of memory");
        r->rows = p;
        ps->cap_rows = cap;
    }
    r->rows[r->n_rows++] = row;
    return 0;
}

static int one_line(struct pstate *ps, char *line)
{
    char *s;
    int t;

    if (strip_prefix(&line))
        return 0;
    s = line + strspn(line, " \t\r");
    if (*s == '#')
        return comment_line(ps, s + 1);
    if (isdigit((unsigned char)*s)) {
        size_t d = strspn(s, "0123456789");

        if (ps->table && (s[d] == ' ' || s[d] == '\t'))
            return data_row(ps, s);
        return 0;
    }
    /* a command line or log naming the binary */
    if (!ps->run->kind_from[0] && (t = find_test(s)) >= 0)
        set_test(ps->run, t, "command line");
    return 0;
}

/* Ranks, groups and nodes from the rank lines or the first row. */
static int summarise(struct pstate *ps)
{
    struct tce_nccltests_run *r = ps->run;
    int i, j, most = 0, uniform = 1, g0 = 0, ng = 0, bytes;

    r->ranks = r->n_rank_lines;
    for (i = 0; i < r->n_rank_lines; i++) {
        const struct tce_nccltests_rank *ri = &r->rank_lines[i];
        int same = 0, first = 1, seen_group = 0, first_in_g0 = 1;

        for (j = 0; j < r->n_rank_lines; j++) {
            const struct tce_nccltests_rank *rj = &r->rank_lines[j];

            if (strcmp(rj->host, ri->host) == 0) {
                same++;
                if (j < i)
                    first = 0;
                if (j < i && rj->group == ri->group)
                    first_in_g0 = 0;
            }
            if (j < i && rj->group == ri->group)
                seen_group = 1;
        }
        if (ri->group == r->rank_lines[0].group && first_in_g0)
            r->group_nodes++;
        if (first) {
            r->nodes++;
            if (most && same != most)
                uniform = 0;
            if (same > most)
                most = same;
        }
        ng += !seen_group;
        g0 += r->rank_lines[i].group == r->rank_lines[0].group;
    }
    r->ranks_per_node = most;
    r->nodes_uniform = r->nodes > 0 && uniform;
    r->groups = ng ? ng : 1;
    r->group_ranks = g0;
    if (r->kind != TCE_COLL_ALL_GATHER && r->kind != TCE_COLL_REDUCE_SCATTER &&
        r->kind != TCE_COLL_ALL_TO_ALL)
        return 0;
    for (i = 0; i < r->n_rows; i++) {
        const struct tce_nccltests_row *row = &r->rows[i];
        int64_t per;

        bytes = tce_nccltests_type_bytes(row->type);
        if (row->count <= 0 || bytes <= 0)
            continue;
        per = row->count * bytes;
        ps->line = row->line;
        if (row->bytes % per != 0 || row->bytes / per > INT_MAX)
            return fail(ps, "size / count is not a whole rank count");
        if (!r->group_ranks) {
            r->ranks = r->group_ranks = (int)(row->bytes / per);
            r->ranks_derived = 1;
            r->groups = 1;
        } else if (row->bytes / per != r->group_ranks) {
            return fail(ps,
                        "size / count says %lld ranks but the rank lines "
                        "give %d",
                        (long long)(row->bytes / per), r->group_ranks);
        }
        break;
    }
    return 0;
}

int tce_nccltests_parse(const char *text, size_t len, const char *path,
                        struct tce_nccltests_run *out, struct tce_error *err)
{
    struct pstate ps;
    char line[LINE_MAX_CHARS];
    size_t pos = 0;
    int rc = 0, t;

    memset(out, 0, sizeof(*out));
    memset(&ps, 0, sizeof(ps));
    ps.file = path ? path : "<input>";
    ps.run = out;
    ps.err = err;
    out->kind_from = "";
    out->avg_busbw_gbytes_per_s = -1.0;
    out->out_of_bounds = -1;
    snprintf(out->path, sizeof(out->path), "%s", path ? path : "");
    while (pos < len && rc == 0) {
        size_t end = pos, n;

        while (end < len && text[end] != '\n')
            end++;
        n = end - pos < sizeof(line) - 1 ? end - pos : sizeof(line) - 1;
        memcpy(line, text + pos, n);
        line[n] = '\0';
        ps.line++;
        rc = one_line(&ps, line);
        pos = end + 1;
    }
    if (rc != 0)
        goto out;
    ps.line = 0;
    if (!ps.table) {
        rc = fail(&ps,
                  "no nccl-tests table (the '#  size  count  type ...' "
                  "column header) in this file");
        goto out;
    }
    if (out->n_rows == 0) {
        rc = fail(&ps, "an nccl-tests table without rows");
        goto out;
    }
    if (!out->kind_from[0] && path) {
        const char *base = strrchr(path, '/');

        if ((t = find_test(base ? base + 1 : path)) >= 0)
            set_test(out, t, "file name");
    }
    if (!out->kind_from[0]) {
        rc = fail(&ps,
                  "cannot tell which collective this is: no '# Collective "
                  "test starting' line and no *_perf command in the file; "
                  "name the file after the binary (all_reduce_perf.txt)");
        goto out;
    }
    t = find_test(out->test);
    if (t < 0 || tests[t].kind < 0) {
        rc = fail(&ps,
                  "%s: tcemu calibrates all_reduce, all_gather, "
                  "reduce_scatter, alltoall, sendrecv and broadcast",
                  out->test);
        goto out;
    }
    rc = summarise(&ps);
out:
    if (rc != 0)
        tce_nccltests_release(out);
    return rc;
}

int tce_nccltests_load(const char *path, struct tce_nccltests_run *out,
                       struct tce_error *err)
{
    char *text = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = tce_input_read(path, &text, &len, NULL, &why);
    if (rc != 0) {
        rc = tce_error_set_at(err, TCE_EIO, path, 0, NULL, "cannot read: %s",
                              why ? why : "error");
        goto out;
    }
    rc = tce_nccltests_parse(text, len, path, out, err);
out:
    free(text);
    return rc;
}

void tce_nccltests_release(struct tce_nccltests_run *run)
{
    if (!run)
        return;
    free(run->rows);
    free(run->rank_lines);
    run->rows = NULL;
    run->rank_lines = NULL;
    run->n_rows = 0;
    run->n_rank_lines = 0;
}

int tce_nccltests_points(const struct tce_nccltests_run *run, int in_place,
                         double *bytes, double *time_s, int max)
{
    int i, n = 0;

    for (i = 0; i < run->n_rows && n < max; i++) {
        const struct tce_nccltests_meas *m = in_place
                                                 ? &run->rows[i].in_place
                                                 : &run->rows[i].out_of_place;

        if (run->rows[i].bytes <= 0 || !(m->time_us > 0.0))
            continue;
        bytes[n] = (double)run->rows[i].bytes;
        time_s[n] = m->time_us * 1e-6;
        n++;
    }
    return n;
}
