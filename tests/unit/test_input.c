/* test_input.c - bounded, non-blocking whole-file reads: regular files
 * only, a FIFO with no writer refused at once, the size cap. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcemu/error.h"
#include "tcemu/input.h"

static void test_input(void **state)
{
    char dir[] = "/tmp/tce-test-input-XXXXXX", path[128], cmd[160];
    char *data = NULL;
    size_t len = 0;
    const char *why = NULL;
    FILE *f;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.cfg", dir);
    f = fopen(path, "w");
    fputs("name = \"x\";\n", f);
    fclose(f);
    assert_int_equal(tce_input_read(path, &data, &len, NULL, &why), 0);
    assert_int_equal(len, 12);
    assert_string_equal(data, "name = \"x\";\n");
    free(data);

    /* a FIFO with no writer: refused, not waited for */
    snprintf(path, sizeof(path), "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(tce_input_read(path, &data, &len, NULL, &why), TCE_EIO);
    assert_string_equal(why, "not a regular file");
    assert_null(data);

    assert_int_equal(tce_input_read(dir, &data, &len, NULL, &why), TCE_EIO);
    assert_string_equal(why, "is a directory, not a file");

    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(tce_input_read(path, &data, &len, NULL, &why), TCE_EIO);

    /* one byte over the cap */
    snprintf(path, sizeof(path), "%s/big.cfg", dir);
    f = fopen(path, "w");
    for (len = 0; len < TCE_INPUT_BYTES_MAX + 1; len++)
        fputc('#', f);
    fclose(f);
    assert_int_equal(tce_input_read(path, &data, &len, NULL, &why), TCE_EIO);
    assert_string_equal(why, TCE_INPUT_TOO_LARGE);
    assert_int_equal(truncate(path, TCE_INPUT_BYTES_MAX), 0);
    assert_int_equal(tce_input_read(path, &data, &len, NULL, &why), 0);
    assert_int_equal(len, TCE_INPUT_BYTES_MAX);
    free(data);

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* content lines of a buffer: comments and blank lines skipped, every line
 * counted, CR dropped, the last line without a newline kept */
static void test_next_line(void **state)
{
    char buf[] = "# head\r\na,b\r\n\n# c\nc,d\n\ne";
    char *cur = buf, *l;
    int n = 0;

    (void)state;
    l = tce_input_next_line(&cur, &n);
    assert_string_equal(l, "a,b");
    assert_int_equal(n, 2);
    l = tce_input_next_line(&cur, &n);
    assert_string_equal(l, "c,d");
    assert_int_equal(n, 5);
    l = tce_input_next_line(&cur, &n);
    assert_string_equal(l, "e");
    assert_int_equal(n, 7);
    assert_null(tce_input_next_line(&cur, &n));
    assert_null(tce_input_next_line(&cur, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input),
        cmocka_unit_test(test_next_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
