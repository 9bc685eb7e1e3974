/* test_trace.c - the Chrome trace-event writer: metadata, complete events
 * with arguments, a closed document (python3 parses it in the e2e tests
 * that write real traces). */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/trace.h"

static void test_trace(void **state)
{
    struct tce_trace t;
    struct tce_trace_event e;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    tce_trace_begin(&t, f, "tcemu project", "modelled");
    tce_trace_track(&t, 0, "stage 0");
    memset(&e, 0, sizeof(e));
    e.name = "qkv";
    e.cat = "compute";
    e.track = 0;
    e.start_us = 1.5;
    e.dur_us = 2.0;
    e.n_args = 2;
    e.args[0].key = "group";
    e.args[0].s = "tp";
    e.args[1].key = "bytes";
    e.args[1].d = 4096;
    tce_trace_event(&t, &e);
    tce_trace_end(&t);
    fclose(f);
    assert_non_null(strstr(buf, "\"traceEvents\":["));
    assert_non_null(strstr(buf, "{\"name\":\"thread_name\",\"ph\":\"M\","
                                "\"pid\":1,\"tid\":0,\"args\":{\"name\":"
                                "\"stage 0\"}}"));
    assert_non_null(strstr(buf, "{\"name\":\"qkv\",\"cat\":\"compute\","
                                "\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":1.5,"
                                "\"dur\":2,\"args\":{\"group\":\"tp\","
                                "\"bytes\":4096}}"));
    assert_string_equal(buf + len - 3, "]}\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
