/*
 * test_computetable.c - measured compute tables: row checks, GEMM and
 * attention interpolation against hand-computed values, "not covered"
 * outside the table, and the shipped H100 profile
 * (tests/fixtures/reference/h100-sxm5-80gb.csv, measured on an H100 SXM5
 * 80GB with PyTorch 2.11, 2026-11-28): every row's (m, n, k) derived from
 * its case's shapes gives the profile's FLOPs, every row looks up exactly,
 * and leave-one-out over the layer cases (each case's rows removed, looked
 * up from the others) stays within the bounds argued below.
 */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/computetable.h"

#define PROFILE "tests/fixtures/reference/h100-sxm5-80gb.csv"

/* A row of one timed pass, at tflops. */
static struct tce_computetable_gemm gemm(int64_t m, int64_t n, int64_t k,
                                         enum tce_dtype dt,
                                         enum tce_gemm_pass p, double tflops)
{
    struct tce_computetable_gemm g;
    double s = 2.0 * (double)m * (double)n * (double)k / (tflops * 1e12);

    memset(&g, 0, sizeof(g));
    g.m = m;
    g.n = n;
    g.k = k;
    g.dtype = dt;
    g.fwd_s = p == TCE_GEMM_FWD ? s : 0.0;
    g.dgrad_s = p == TCE_GEMM_DGRAD ? s : 0.0;
    g.wgrad_s = p == TCE_GEMM_WGRAD ? s : 0.0;
    return g;
}

static struct tce_attention_shape attn(int64_t b, int64_t h, int64_t kv,
                                       int64_t d, int64_t s, int causal)
{
    struct tce_attention_shape a;

    memset(&a, 0, sizeof(a));
    a.micro_batch_size = b;
    a.num_attention_heads = h;
    a.num_query_groups = kv;
    a.kv_channels = d;
    a.seq_length = s;
    a.causal = causal;
    return a;
}

static void test_names(void **state)
{
    enum tce_dtype d;
    enum tce_gemm_pass p;

    (void)state;
    assert_string_equal(tce_computetable_dtype_name(TCE_DTYPE_FP8), "fp8");
    assert_string_equal(tce_computetable_pass_name(TCE_GEMM_WGRAD), "wgrad");
    assert_string_equal(tce_computetable_how_name(TCE_TABLE_NOT_COVERED),
                        "not covered");
    assert_null(tce_computetable_dtype_name(TCE_DTYPE_COUNT));
    assert_int_equal(tce_computetable_dtype_parse("bf16", &d), 0);
    assert_int_equal(d, TCE_DTYPE_BF16);
    assert_int_equal(tce_computetable_pass_parse("dgrad", &p), 0);
    assert_int_equal(p, TCE_GEMM_DGRAD);
    assert_int_equal(tce_computetable_pass_parse("bwd", &p), TCE_EPARSE);
    assert_int_equal(tce_computetable_dtype_parse(NULL, &d), TCE_EPARSE);
}

static void test_add_rejects(void **state)
{
    struct tce_computetable *t = malloc(sizeof(*t));
    struct tce_computetable_gemm g = gemm(8, 8, 8, TCE_DTYPE_BF16,
                                          TCE_GEMM_FWD, 1.0);
    struct tce_computetable_attention a;
    struct tce_error err;
    int i;

    (void)state;
    tce_computetable_init(t);
    assert_false(tce_computetable_has_rows(t));
    g.k = 0;
    assert_int_equal(tce_computetable_add_gemm(t, &g, &err), TCE_ERANGE);
    assert_non_null(strstr(err.msg, "m, n and k"));
    g.k = 8;
    g.dgrad_s = -1;
    assert_int_equal(tce_computetable_add_gemm(t, &g, &err), TCE_ERANGE);
    assert_non_null(strstr(err.msg, "finite and >= 0"));
    g.dgrad_s = 0;
    g.fwd_s = 0;
    assert_int_equal(tce_computetable_add_gemm(t, &g, &err), TCE_ERANGE);
    assert_non_null(strstr(err.msg, "no pass timed"));
    g.fwd_s = 1e-3;
    g.dtype = TCE_DTYPE_COUNT;
    assert_int_equal(tce_computetable_add_gemm(t, &g, &err), TCE_ERANGE);
    g.dtype = TCE_DTYPE_BF16;
    for (i = 0; i < TCE_COMPUTETABLE_GEMMS_MAX; i++)
        assert_int_equal(tce_computetable_add_gemm(t, &g, NULL), 0);
    assert_int_equal(tce_computetable_add_gemm(t, &g, &err), TCE_ERANGE);
    assert_non_null(strstr(err.msg, "more than"));
    assert_true(tce_computetable_has_rows(t));

    a.shape = attn(1, 8, 3, 128, 2048, 1);
    a.forward_s = 1e-3;
    a.forward_backward_s = 3e-3;
    assert_int_equal(tce_computetable_add_attention(t, &a, &err), TCE_ERANGE);
    assert_non_null(strstr(err.msg, "num_query_groups (3) must divide "
                                    "num_attention_heads (8)"));
    a.shape.num_query_groups = 2;
    a.forward_backward_s = 0.5e-3;
    assert_int_equal(tce_computetable_add_attention(t, &a, &err), TCE_ERANGE);
    a.forward_backward_s = 3e-3;
    assert_int_equal(tce_computetable_add_attention(t, &a, &err), 0);
    free(t);
}

/* Two rows at 100 and 400 TFLOP/s a factor 4 apart in m. */
static void two_rows(struct tce_computetable *t)
{
    struct tce_computetable_gemm a = gemm(1024, 1024, 1024, TCE_DTYPE_BF16,
                                          TCE_GEMM_FWD, 100.0);
    struct tce_computetable_gemm b = gemm(4096, 1024, 1024, TCE_DTYPE_BF16,
                                          TCE_GEMM_FWD, 400.0);

    tce_computetable_init(t);
    assert_int_equal(tce_computetable_add_gemm(t, &a, NULL), 0);
    assert_int_equal(tce_computetable_add_gemm(t, &b, NULL), 0);
}

static void test_gemm_hand_values(void **state)
{
    struct tce_computetable *t = malloc(sizeof(*t));
    enum tce_table_how how;
    double s;

    (void)state;
    two_rows(t);
    /* exact: the row's own time */
    s = tce_computetable_gemm_s(t, 1024, 1024, 1024, TCE_DTYPE_BF16,
                                TCE_GEMM_FWD, &how);
    assert_close(s, 2.0 * 1024 * 1024 * 1024 / 100e12, 1e-12);
    assert_int_equal(how, TCE_TABLE_EXACT);
    /* midpoint in ln m: equal weights, rate = sqrt(100 x 400) = 200 TF/s,
     * t = 2 x 2048 x 1024^2 / 200e12 = 21.47483648 us */
    s = tce_computetable_gemm_s(t, 2048, 1024, 1024, TCE_DTYPE_BF16,
                                TCE_GEMM_FWD, &how);
    assert_close(s, 2.147483648e-5, 1e-9);
    assert_int_equal(how, TCE_TABLE_INTERPOLATED);
    /* m = 1536: d = ln 1.5 and ln(8/3), weights 1/d^3:
     * rate = 109.5787 TF/s, t = 29.39647 us (computed by hand) */
    s = tce_computetable_gemm_s(t, 1536, 1024, 1024, TCE_DTYPE_BF16,
                                TCE_GEMM_FWD, &how);
    assert_close(s, 2.9396467653965172e-05, 1e-9);
    assert_int_equal(how, TCE_TABLE_INTERPOLATED);
    free(t);
}

static void test_gemm_not_covered(void **state)
{
    struct tce_computetable *t = malloc(sizeof(*t));
    struct tce_computetable_gemm far = gemm(4096, 65536, 65536,
                                            TCE_DTYPE_BF16, TCE_GEMM_FWD,
                                            700.0);
    enum tce_table_how how = TCE_TABLE_EXACT;

    (void)state;
    two_rows(t);
    /* outside the box in m (both sides), n and k */
    assert_true(tce_computetable_gemm_s(t, 8192, 1024, 1024, TCE_DTYPE_BF16,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    assert_true(tce_computetable_gemm_s(t, 512, 1024, 1024, TCE_DTYPE_BF16,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    assert_true(tce_computetable_gemm_s(t, 2048, 2048, 1024, TCE_DTYPE_BF16,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    /* another pass or dtype: no rows at all */
    assert_true(tce_computetable_gemm_s(t, 1024, 1024, 1024, TCE_DTYPE_BF16,
                                        TCE_GEMM_DGRAD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    assert_true(tce_computetable_gemm_s(t, 1024, 1024, 1024, TCE_DTYPE_FP8,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    /* inside the box but far from every row: the radius refuses it */
    assert_int_equal(tce_computetable_add_gemm(t, &far, NULL), 0);
    assert_true(tce_computetable_gemm_s(t, 2048, 1024, 65536, TCE_DTYPE_BF16,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    /* bad query, no table */
    assert_true(tce_computetable_gemm_s(NULL, 1, 1, 1, TCE_DTYPE_BF16,
                                        TCE_GEMM_FWD, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    free(t);
}

/* Rows at s = 2048 (100 TF/s forward, 50 forward+backward) and s = 8192
 * (400 and 200): the query s = 4096 lies half-way in ln FLOPs. */
static void test_attention_hand_values(void **state)
{
    struct tce_computetable *t = malloc(sizeof(*t));
    struct tce_computetable_attention r;
    struct tce_attention_shape q = attn(1, 8, 2, 128, 4096, 1);
    enum tce_table_how how;
    double f;

    (void)state;
    tce_computetable_init(t);
    r.shape = attn(1, 8, 8, 128, 2048, 1);
    f = tce_computetable_attention_flops(&r.shape);
    assert_close(f, 4.0 * 8 * 2048 * 1024 * 128, 1e-15);
    r.forward_s = f / 100e12;
    r.forward_backward_s = 3.5 * f / 50e12;
    assert_int_equal(tce_computetable_add_attention(t, &r, NULL), 0);
    r.shape = attn(1, 8, 8, 128, 8192, 1);
    f = tce_computetable_attention_flops(&r.shape);
    r.forward_s = f / 400e12;
    r.forward_backward_s = 3.5 * f / 200e12;
    assert_int_equal(tce_computetable_add_attention(t, &r, NULL), 0);

    /* 34.359738368 GFLOP at 200 TF/s forward, 3.5x at 100 TF/s */
    assert_close(tce_computetable_attention_s(t, &q, 0, &how),
                 1.7179869184e-4, 1e-9);
    assert_int_equal(how, TCE_TABLE_INTERPOLATED);
    assert_close(tce_computetable_attention_s(t, &q, 1, &how),
                 1.20259084288e-3 - 1.7179869184e-4, 1e-9);
    assert_int_equal(how, TCE_TABLE_INTERPOLATED);
    /* exact row */
    q = attn(1, 8, 8, 128, 8192, 1);
    f = tce_computetable_attention_flops(&q);
    assert_close(tce_computetable_attention_s(t, &q, 0, &how), f / 400e12,
                 1e-12);
    assert_int_equal(how, TCE_TABLE_EXACT);
    assert_close(tce_computetable_attention_s(t, &q, 1, &how),
                 3.5 * f / 200e12 - f / 400e12, 1e-12);
    /* outside the FLOP range, another head dim, not causal: not covered */
    q = attn(1, 8, 8, 128, 16384, 1);
    assert_true(tce_computetable_attention_s(t, &q, 0, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    q = attn(1, 8, 8, 64, 4096, 1);
    assert_true(tce_computetable_attention_s(t, &q, 0, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    q = attn(1, 8, 8, 128, 4096, 0);
    assert_true(tce_computetable_attention_s(t, &q, 1, &how) == 0.0);
    assert_int_equal(how, TCE_TABLE_NOT_COVERED);
    /* a window shorter than the sequence: window keys per query */
    q = attn(2, 4, 4, 128, 8192, 1);
    q.window_size = 1024;
    assert_close(tce_computetable_attention_flops(&q),
                 4.0 * 2 * 4 * 8192 * 1024 * 128, 1e-15);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* The shipped H100 profile                                                  */

struct profile_row {
    char case_name[32];
    char op[32];
    char phase[16];
    double flops;
    double seconds;
};

struct profile {
    int n;
    struct profile_row rows[256];
};

/* A layer case's shapes, as the profile's header gives them. */
struct layer_case {
    const char *name;
    int64_t hidden, ffn, heads, kv_heads, seq, tp, micro_batch;
    int swiglu;
};

static const struct layer_case cases[] = {
    {"llama3-8b-tp1", 4096, 14336, 32, 8, 8192, 1, 1, 1},
    {"llama3-70b-tp8", 8192, 28672, 64, 8, 8192, 8, 1, 1},
    {"llama3-405b-tp8", 16384, 53248, 128, 8, 8192, 8, 1, 1},
    {"llama3-405b-tp4", 16384, 53248, 128, 8, 8192, 4, 1, 1},
    {"gpt3-175b-tp8", 12288, 49152, 96, 96, 2048, 8, 1, 0},
    {"gpt3-175b-tp8-mb4", 12288, 49152, 96, 96, 2048, 8, 4, 0},
    {"sc21-18b-tp8", 6144, 24576, 48, 48, 2048, 8, 1, 0},
};
#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

static const struct layer_case *find_case(const char *name)
{
    const struct layer_case *c = NULL;
    int i;

    for (i = 0; i < N_CASES && !c; i++)
        if (strcmp(cases[i].name, name) == 0)
            c = &cases[i];
    return c;
}

static void load_profile(struct profile *p)
{
    FILE *f = fopen(PROFILE, "r");
    char line[512];
    int header = 1;

    assert_non_null(f);
    p->n = 0;
    while (fgets(line, sizeof(line), f)) {
        struct profile_row *r = &p->rows[p->n];
        char *tok[6], *save = NULL, *s = line;
        int i;

        if (line[0] == '#')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        for (i = 0; i < 6; i++) {
            tok[i] = strtok_r(s, ",\n", &save);
            s = NULL;
            if (i < 5)
                assert_non_null(tok[i]);
        }
        assert_true(p->n < 256);
        snprintf(r->case_name, sizeof(r->case_name), "%s", tok[0]);
        snprintf(r->op, sizeof(r->op), "%s", tok[1]);
        snprintf(r->phase, sizeof(r->phase), "%s", tok[2]);
        r->flops = strtod(tok[3], NULL);
        r->seconds = strtod(tok[4], NULL) * 1e-3;
        p->n++;
    }
    fclose(f);
    assert_true(p->n > 150);
}

/* The (m, n, k) of a GEMM row from its case: 1 when the row is a GEMM. */
static int gemm_shape(const struct profile_row *r, int64_t *m, int64_t *n,
                      int64_t *k, enum tce_dtype *dt, enum tce_gemm_pass *p)
{
    const struct layer_case *c = find_case(r->case_name);
    int ok = 1;

    *dt = TCE_DTYPE_BF16;
    if (strcmp(r->phase, "fwd") == 0)
        *p = TCE_GEMM_FWD;
    else if (strcmp(r->phase, "bwd_dgrad") == 0)
        *p = TCE_GEMM_DGRAD;
    else if (strcmp(r->phase, "bwd_wgrad") == 0)
        *p = TCE_GEMM_WGRAD;
    else
        return 0;
    if (c) {
        int64_t hd = c->hidden / c->heads;

        *m = c->seq * c->micro_batch;
        if (strcmp(r->op, "qkv") == 0) {
            *n = (c->heads + 2 * c->kv_heads) * hd / c->tp;
            *k = c->hidden;
        } else if (strcmp(r->op, "attn_proj") == 0) {
            *n = c->hidden;
            *k = c->heads * hd / c->tp;
        } else if (strcmp(r->op, "fc1") == 0) {
            *n = (c->swiglu ? 2 : 1) * c->ffn / c->tp;
            *k = c->hidden;
        } else if (strcmp(r->op, "fc2") == 0) {
            *n = c->hidden;
            *k = c->ffn / c->tp;
        } else {
            ok = 0;
        }
    } else if (strcmp(r->case_name, "moe-expert") == 0) {
        /* DeepSeek-V3 experts: fc1 7168 -> 2 x 2048, fc2 2048 -> 7168 */
        *m = strtoll(strstr(r->op, "_m") + 2, NULL, 10);
        *n = strncmp(r->op, "fc1", 3) == 0 ? 4096 : 7168;
        *k = strncmp(r->op, "fc1", 3) == 0 ? 7168 : 2048;
    } else if (strcmp(r->case_name, "square") == 0) {
        *m = *n = *k = strtoll(r->op + 4, NULL, 10);
    } else if (strcmp(r->case_name, "peak") == 0) {
        *m = *n = *k = 8192;
        if (strstr(r->op, "fp8"))
            *dt = TCE_DTYPE_FP8;
    } else {
        ok = 0;
    }
    return ok;
}

/* The attention of a layer case: heads and KV heads of one TP shard. */
static struct tce_attention_shape case_attention(const struct layer_case *c)
{
    int64_t kv = c->kv_heads / c->tp;

    return attn(c->micro_batch, c->heads / c->tp, kv > 0 ? kv : 1,
                c->hidden / c->heads, c->seq, 1);
}

/* The time of pass p of row g, to be set. */
static double *pass_slot(struct tce_computetable_gemm *g, enum tce_gemm_pass p)
{
    return p == TCE_GEMM_FWD ? &g->fwd_s
                             : p == TCE_GEMM_DGRAD ? &g->dgrad_s : &g->wgrad_s;
}

/* Fill t from the profile, leaving out the rows of case `skip` (NULL:
 * none): the passes of one (m, n, k, dtype) share a table row.  Returns
 * the number of measurements (passes) added. */
static int build_table(const struct profile *p, const char *skip,
                       struct tce_computetable *t)
{
    int i, j, n = 0;

    tce_computetable_init(t);
    for (i = 0; i < p->n; i++) {
        const struct profile_row *r = &p->rows[i];
        struct tce_computetable_gemm g;
        enum tce_gemm_pass ps;

        if (skip && strcmp(r->case_name, skip) == 0)
            continue;
        memset(&g, 0, sizeof(g));
        if (!gemm_shape(r, &g.m, &g.n, &g.k, &g.dtype, &ps))
            continue;
        n++;
        for (j = 0; j < t->n_gemms; j++) {
            struct tce_computetable_gemm *e = &t->gemms[j];

            if (e->m == g.m && e->n == g.n && e->k == g.k &&
                e->dtype == g.dtype && *pass_slot(e, ps) == 0) {
                *pass_slot(e, ps) = r->seconds;
                break;
            }
        }
        if (j < t->n_gemms)
            continue;
        *pass_slot(&g, ps) = r->seconds;
        assert_int_equal(tce_computetable_add_gemm(t, &g, NULL), 0);
    }
    for (j = 0; j < N_CASES; j++) {
        struct tce_computetable_attention a;

        if (skip && strcmp(cases[j].name, skip) == 0)
            continue;
        a.shape = case_attention(&cases[j]);
        a.forward_s = a.forward_backward_s = 0;
        for (i = 0; i < p->n; i++) {
            const struct profile_row *r = &p->rows[i];

            if (strcmp(r->case_name, cases[j].name) != 0 ||
                strcmp(r->op, "attn_core") != 0)
                continue;
            if (strcmp(r->phase, "fwd") == 0)
                a.forward_s = r->seconds;
            else
                a.forward_backward_s = r->seconds;
        }
        assert_int_equal(tce_computetable_add_attention(t, &a, NULL), 0);
    }
    return n;
}

/* Every GEMM row: 2 m n k equals the profile's FLOPs (printed with six
 * significant digits); every attention row: the causal-half count. */
static void test_profile_shapes_match_flops(void **state)
{
    struct profile *p = malloc(sizeof(*p));
    int i, j, gemms = 0, attns = 0;

    (void)state;
    load_profile(p);
    for (i = 0; i < p->n; i++) {
        const struct profile_row *r = &p->rows[i];
        int64_t m, n, k;
        enum tce_dtype dt;
        enum tce_gemm_pass ps;

        if (gemm_shape(r, &m, &n, &k, &dt, &ps)) {
            assert_close(2.0 * (double)m * (double)n * (double)k, r->flops,
                         1e-5);
            gemms++;
        }
        if (strcmp(r->op, "attn_core") == 0) {
            const struct layer_case *c = find_case(r->case_name);
            struct tce_attention_shape a = case_attention(c);
            double f = tce_computetable_attention_flops(&a);

            assert_close(strcmp(r->phase, "fwd") == 0 ? f : 3.5 * f,
                         r->flops, 1e-5);
            attns++;
        }
    }
    assert_int_equal(gemms, 7 * 12 + 36 + 9 + 2);
    assert_int_equal(attns, 2 * N_CASES);
    for (j = 0; j < N_CASES; j++)
        assert_int_equal(cases[j].hidden % cases[j].heads, 0);
    free(p);
}

/* Every measured row looked up with its own shape returns its own time. */
static void test_profile_exact(void **state)
{
    struct profile *p = malloc(sizeof(*p));
    struct tce_computetable *t = malloc(sizeof(*t));
    enum tce_table_how how;
    int i, j;

    (void)state;
    load_profile(p);
    assert_int_equal(build_table(p, NULL, t), 131);
    assert_int_equal(t->n_gemms, 45); /* 43 shapes x 3 passes, 2 fwd only */
    for (i = 0; i < p->n; i++) {
        const struct profile_row *r = &p->rows[i];
        int64_t m, n, k;
        enum tce_dtype dt;
        enum tce_gemm_pass ps;

        if (!gemm_shape(r, &m, &n, &k, &dt, &ps))
            continue;
        assert_close(tce_computetable_gemm_s(t, m, n, k, dt, ps, &how),
                     r->seconds, 1e-12);
        assert_int_equal(how, TCE_TABLE_EXACT);
    }
    for (j = 0; j < t->n_attention; j++) {
        const struct tce_computetable_attention *a = &t->attention[j];

        assert_close(tce_computetable_attention_s(t, &a->shape, 0, &how),
                     a->forward_s, 1e-12);
        assert_int_equal(how, TCE_TABLE_EXACT);
        assert_close(tce_computetable_attention_s(t, &a->shape, 1, &how),
                     a->forward_backward_s - a->forward_s, 1e-12);
    }
    free(t);
    free(p);
}

/*
 * Leave-one-out: each layer case's GEMM and attention rows removed, its
 * ops looked up from the rest.  Shapes the rest does not cover fall back
 * to aws-p5's curve (989 TF/s x 0.72 x g / (g + 0.79 GFLOP)), as the cost
 * model does.  Bounds:
 *   - the layer's twelve GEMMs together within 15% (issue 10's leave-one-
 *     out bound; every case comes within 9% today);
 *   - a single GEMM within 50%: the measured rates of neighbouring shapes
 *     differ that much where cuBLAS changes kernels (sc21's attn_proj,
 *     2048 x 6144 x 768, runs at 362-401 TF/s, slower than every shape
 *     near it, and comes out 26-37% fast);
 *   - attention forward+backward within 40% where covered (its rate
 *     doubles from 2 to 13 GFLOP; the case with the least FLOPs is
 *     outside the rest's range and must say "not covered").
 */
static double curve_s(double flops)
{
    return flops / (989e12 * 0.72 * flops / (flops + 0.79e9));
}

static void test_profile_leave_one_out(void **state)
{
    struct profile *p = malloc(sizeof(*p));
    struct tce_computetable *t = malloc(sizeof(*t));
    int i, j;

    (void)state;
    load_profile(p);
    for (j = 0; j < N_CASES; j++) {
        const struct layer_case *c = &cases[j];
        struct tce_attention_shape a = case_attention(c);
        double meas = 0, model = 0, af, ab, meas_fb = 0, worst = 0;
        enum tce_table_how how, how_b;

        build_table(p, c->name, t);
        printf("# leave-one-out %s:", c->name);
        for (i = 0; i < p->n; i++) {
            const struct profile_row *r = &p->rows[i];
            int64_t m, n, k;
            enum tce_dtype dt;
            enum tce_gemm_pass ps;
            double s, err;

            if (strcmp(r->case_name, c->name) != 0)
                continue;
            if (strcmp(r->op, "attn_core") == 0 &&
                strcmp(r->phase, "fwd+bwd") == 0)
                meas_fb = r->seconds;
            if (!gemm_shape(r, &m, &n, &k, &dt, &ps))
                continue;
            s = tce_computetable_gemm_s(t, m, n, k, dt, ps, &how);
            if (how == TCE_TABLE_NOT_COVERED)
                s = curve_s(r->flops);
            err = s / r->seconds - 1;
            printf(" %s/%s %+.1f%%%s", r->op, tce_computetable_pass_name(ps),
                   100 * err, how == TCE_TABLE_NOT_COVERED ? "(curve)" : "");
            worst = fabs(err) > worst ? fabs(err) : worst;
            meas += r->seconds;
            model += s;
        }
        {   /* a prepared table (costmodel.c prepares its copy) answers
               the same */
            struct tce_computetable *u = malloc(sizeof(*u));
            enum tce_table_how h1, h2;

            *u = *t;
            tce_computetable_prepare(u);
            for (i = 0; i < t->n_gemms; i++) {
                const struct tce_computetable_gemm *g = &t->gemms[i];
                double x = tce_computetable_gemm_s(t, g->m * 3 / 2, g->n,
                                                   g->k, g->dtype,
                                                   TCE_GEMM_WGRAD, &h1);

                assert_true(x == tce_computetable_gemm_s(u, g->m * 3 / 2,
                                                         g->n, g->k, g->dtype,
                                                         TCE_GEMM_WGRAD,
                                                         &h2));
                assert_int_equal(h1, h2);
            }
            free(u);
        }
        af = tce_computetable_attention_s(t, &a, 0, &how);
        ab = tce_computetable_attention_s(t, &a, 1, &how_b);
        assert_int_equal(how, how_b);
        printf("\n#   GEMMs %.3f ms measured, %.3f modelled (%+.1f%%); worst "
               "op %.0f%%; attention fwd+bwd ",
               meas * 1e3, model * 1e3, 100 * (model / meas - 1), 100 * worst);
        if (how == TCE_TABLE_NOT_COVERED)
            printf("not covered\n");
        else
            printf("%+.1f%%\n", 100 * ((af + ab) / meas_fb - 1));
        assert_true(fabs(model / meas - 1) < 0.15);
        assert_true(worst < 0.50);
        if (how != TCE_TABLE_NOT_COVERED)
            assert_true(fabs((af + ab) / meas_fb - 1) < 0.40);
        else
            assert_string_equal(c->name, "sc21-18b-tp8");
    }
    free(t);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_add_rejects),
        cmocka_unit_test(test_gemm_hand_values),
        cmocka_unit_test(test_gemm_not_covered),
        cmocka_unit_test(test_attention_hand_values),
        cmocka_unit_test(test_profile_shapes_match_flops),
        cmocka_unit_test(test_profile_exact),
        cmocka_unit_test(test_profile_leave_one_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
