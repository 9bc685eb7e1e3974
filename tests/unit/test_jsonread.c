/* test_jsonread.c - the strict JSON reader: values and escapes decoded,
 * members found, and every malformed document refused with its line and
 * column (table-driven). */
#include "tce_test.h"

#include <string.h>

#include "tcemu/jsonread.h"

static void test_values(void **state)
{
    const char *text = "{\"a\": [1, -2.5e3, true, false, null],\n"
                       " \"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\","
                       " \"o\": {\"k\": 0}, \"e\": []}";
    struct tce_jsonread d;
    const struct tce_jnode *root, *a, *x;
    int ok;
    (void)state;

    assert_int_equal(tce_jsonread_parse(&d, text, strlen(text), NULL), 0);
    root = tce_jsonread_node(&d, d.root);
    assert_int_equal(root->type, TCE_JOBJECT);
    assert_int_equal(root->n, 4);
    a = tce_jsonread_get(&d, root, "a");
    assert_int_equal(a->type, TCE_JARRAY);
    assert_int_equal(a->n, 5);
    x = tce_jsonread_node(&d, a->first);
    assert_close(x->d, 1.0, 0);
    x = tce_jsonread_node(&d, x->next);
    assert_close(x->d, -2500.0, 0);
    assert_int_equal(tce_jsonread_node(&d, x->next)->type, TCE_JTRUE);
    assert_string_equal(tce_jsonread_str(&d, root, "s"),
                        "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_close(tce_jsonread_num(&d, tce_jsonread_get(&d, root, "o"), "k",
                                  &ok),
                 0.0, 0);
    assert_int_equal(ok, 1);
    tce_jsonread_num(&d, root, "s", &ok);
    assert_int_equal(ok, 0); /* a string, not a number */
    assert_null(tce_jsonread_get(&d, root, "missing"));
    assert_int_equal(tce_jsonread_get(&d, root, "e")->n, 0);
    tce_jsonread_release(&d);
}

static void test_errors(void **state)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "line 1, column 1: unexpected end of input"},
        {"{\"a\": 1,}", "line 1, column 9: expected a member name"},
        {"[1, 2", "line 1, column 6: expected ',' or ']'"},
        {"{\"a\" 1}", "line 1, column 6: expected ':'"},
        {"\n\n  tru", "line 3, column 3: unexpected character"},
        {"01", "line 1, column 2: text after the JSON value"},
        {"1.", "line 1, column 1: bad number"},
        {"-", "line 1, column 1: bad number"},
        {"\"abc", "unterminated string"},
        {"\"a\tb\"", "control character in a string"},
        {"\"\\x\"", "bad escape"},
        {"\"\\ud800\"", "unpaired surrogate"},
        {"\"\\u0000\"", "\\u0000 in a string"},
        {"\"\xff\"", "invalid UTF-8"},
        {"[] []", "text after the JSON value"},
        {"/* c */ 1", "unexpected character"},
    };
    struct tce_jsonread d;
    struct tce_error err;
    char deep[200];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tce_error_clear(&err);
        assert_int_equal(tce_jsonread_parse(&d, bad[i].text,
                                            strlen(bad[i].text), &err),
                         TCE_EPARSE);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("'%s': got '%s', want '%s'", bad[i].text, err.msg,
                     bad[i].msg);
        assert_null(d.nodes);
    }
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    assert_int_equal(tce_jsonread_parse(&d, deep, strlen(deep), &err),
                     TCE_EPARSE);
    assert_non_null(strstr(err.msg, "nested too deep"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
