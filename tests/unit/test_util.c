/* test_util.c - strict parsing, JSON encoder, error codes. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/util.h"

static void test_parse_int64(void **state)
{
    struct tce_error err;
    int64_t v = 0;
    (void)state;

    assert_int_equal(tce_parse_int64("42", 0, 100, &v, &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(tce_parse_int64("42x", 0, 100, &v, &err), TCE_EPARSE);
    assert_int_equal(tce_parse_int64("", 0, 100, &v, &err), TCE_EPARSE);
    assert_int_equal(tce_parse_int64(" 4", 0, 100, &v, &err), TCE_EPARSE);
    assert_int_equal(tce_parse_int64("101", 0, 100, &v, &err), TCE_ERANGE);
    assert_int_equal(tce_parse_int64("99999999999999999999", 0, INT64_MAX, &v,
                                     &err),
                     TCE_ERANGE);
    assert_int_equal(tce_exit_status(TCE_ERANGE), TCE_EXIT_USAGE);
}

static void test_parse_size(void **state)
{
    static const struct {
        const char *in;
        int64_t bytes;
        int ret;
    } cases[] = {
        /* nccl-tests' convention: K M G T are powers of 1024 */
        {"8", 8, 0},
        {"64B", 64, 0},
        {"1K", 1024, 0},
        {"1k", 1024, 0},
        {"1Ki", 1024, 0},
        {"256M", 268435456, 0},
        {"256m", 268435456, 0},
        {"256Mi", 268435456, 0},
        {"4MiB", 4194304, 0},
        {"1G", INT64_C(1073741824), 0},
        {"2GiB", INT64_C(2147483648), 0},
        {"1T", INT64_C(1099511627776), 0},
        {"1.5K", 1536, 0},
        {"0.5K", 512, 0},
        {"1.5", 0, TCE_EPARSE},
        {"0.3", 0, TCE_EPARSE},
        {"1Q", 0, TCE_EPARSE},
        {"1KB", 0, TCE_EPARSE},
        {"1Kq", 0, TCE_EPARSE},
        {"k", 0, TCE_EPARSE},
        {"", 0, TCE_EPARSE},
        {"-1", 0, TCE_EPARSE},
        {"99999999T", 0, TCE_ERANGE},
        {"1e30G", 0, TCE_ERANGE},
    };
    struct tce_error err;
    int64_t v;
    size_t i;
    (void)state;

    for (i = 0; i < TCE_ARRAY_SIZE(cases); i++) {
        v = 0;
        assert_int_equal(tce_parse_size(cases[i].in, &v, &err), cases[i].ret);
        if (cases[i].ret == 0)
            assert_int_equal(v, cases[i].bytes);
    }
}

static void test_gpu_list(void **state)
{
    struct tce_gpu_list l;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_parse_gpu_list("1024:65536:x2", &l, &err), 0);
    assert_int_equal(l.n, 7);
    assert_int_equal(l.gpus[0], 1024);
    assert_int_equal(l.gpus[6], 65536);
    assert_int_equal(tce_parse_gpu_list("8,16,24", &l, &err), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.gpus[2], 24);
    assert_int_equal(tce_parse_gpu_list("8:64:+8", &l, &err), 0);
    assert_int_equal(l.n, 8);
    assert_int_equal(tce_parse_gpu_list("8:4:x2", &l, &err), TCE_ERANGE);
    assert_int_equal(tce_parse_gpu_list("8:64:x1", &l, &err), TCE_ERANGE);
    assert_int_equal(tce_parse_gpu_list("8:64", &l, &err), TCE_EPARSE);
    assert_int_equal(tce_parse_gpu_list("0", &l, &err), TCE_ERANGE);
    assert_int_equal(tce_parse_gpu_list("a,b", &l, &err), TCE_EPARSE);
    /* a step that would overflow int64 ends the range (was signed
     * overflow, undefined behaviour, at the third value) */
    assert_int_equal(
        tce_parse_gpu_list("1:1099511627776:x1099511627776", &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.gpus[1], INT64_C(1099511627776));
    assert_int_equal(
        tce_parse_gpu_list("1099511627776:1099511627776:+1099511627776", &l,
                           &err),
        0);
    assert_int_equal(l.n, 1);
}

static void test_checked_arithmetic(void **state)
{
    int64_t v = 0;
    (void)state;

    assert_int_equal(tce_mul_i64(INT64_C(1) << 40, INT64_C(1) << 20, &v), 0);
    assert_int_equal(v, INT64_C(1) << 60);
    assert_int_equal(tce_mul_i64(INT64_C(1) << 40, INT64_C(1) << 40, &v),
                     TCE_ERANGE);
    assert_int_equal(tce_add_i64(INT64_MAX, 1, &v), TCE_ERANGE);
    assert_int_equal(tce_add_i64(INT64_MAX - 1, 1, &v), 0);
    assert_int_equal(v, INT64_MAX);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"a"), 1);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xc3\xa9"), 2);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xe2\x82\xac"),
                     3);
    assert_int_equal(
        tce_utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xff"), 0);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\x80"), 0);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xc0\xaf"), 0);
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xed\xa0\x80"),
                     0); /* surrogate */
    assert_int_equal(tce_utf8_seq_len((const unsigned char *)"\xc3"), 0);
    assert_int_equal(
        tce_utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80"), 0);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(tce_edit_distance("hidden_size", "hiden_size"), 1);
    assert_int_equal(tce_edit_distance("abc", "abc"), 0);
    assert_int_equal(tce_edit_distance("", "abc"), 3);
}

static void test_json(void **state)
{
    struct tce_json j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    tce_json_init(&j, f);
    j.pretty = 0;
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "s", "a\"b\n");
    tce_json_array_begin(&j, "a");
    tce_json_int(&j, NULL, 1);
    tce_json_double(&j, NULL, 0.5);
    tce_json_double(&j, NULL, NAN);
    tce_json_bool(&j, NULL, 1);
    tce_json_finish(&j); /* closes the array and the object */
    fclose(f);
    assert_string_equal(buf,
                        "{\"s\":\"a\\\"b\\n\",\"a\":[1,0.5,null,true]}\n");
    free(buf);
}

static void test_json_invalid_utf8(void **state)
{
    struct tce_json j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    tce_json_init(&j, f);
    j.pretty = 0;
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "s", "ok \xc3\xa9, bad \xff\xc3 end");
    tce_json_finish(&j);
    fclose(f);
    /* valid sequences pass, every other byte becomes U+FFFD */
    assert_string_equal(buf,
                        "{\"s\":\"ok \xc3\xa9, bad \\ufffd\\ufffd end\"}\n");
    free(buf);
}

static void test_error_print(void **state)
{
    struct tce_error err;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    assert_int_equal(tce_error_set_at(&err, TCE_ECONFIG, "jobs/x.cfg", 7,
                                      "model.hidden_size", "must be > 0 (got %d)",
                                      -1),
                     TCE_ECONFIG);
    tce_error_print(&err, f);
    fclose(f);
    assert_string_equal(
        buf, "jobs/x.cfg:7: error: model.hidden_size: must be > 0 (got -1)\n");
    free(buf);
}

/* Megatron-LM's name-list options: separators, unknown names, copies. */
static void test_name_list(void **state)
{
    static const struct tce_name_bit names[] = {{"a", 1u}, {"bb", 2u},
                                                {"c", 4u}};
    unsigned m = 99;
    struct tce_error e;
    char dst[8];

    (void)state;
    assert_int_equal(tce_parse_name_list("", names, 3, "x", &m, NULL), 0);
    assert_int_equal(m, 0);
    assert_int_equal(tce_parse_name_list(NULL, names, 3, "x", &m, NULL), 0);
    assert_int_equal(m, 0);
    assert_int_equal(
        tce_parse_name_list(" bb,\ta , bb", names, 3, "x", &m, NULL), 0);
    assert_int_equal(m, 3u);
    m = 7;
    tce_error_clear(&e);
    assert_int_equal(tce_parse_name_list("a,b", names, 3, "thing", &m, &e),
                     TCE_ECONFIG);
    assert_string_equal(e.msg, "unknown thing 'b' (a, bb, c)");
    assert_int_equal(m, 7u); /* unchanged */
    memset(dst, 'z', sizeof(dst));
    assert_int_equal(tce_copy_list(dst, sizeof(dst), "a,bb,c", "k", NULL),
                     0);
    assert_string_equal(dst, "a,bb,c");
    tce_error_clear(&e);
    assert_int_equal(tce_copy_list(dst, sizeof(dst), "a,bb,c,a", "k", &e),
                     TCE_ECONFIG);
    assert_string_equal(e.msg, "k: list longer than 7 characters");
    assert_string_equal(dst, "a,bb,c");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int64),  cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_gpu_list),     cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_json),         cmocka_unit_test(test_error_print),
        cmocka_unit_test(test_checked_arithmetic),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_name_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
