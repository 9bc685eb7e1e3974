/* test_breakdown.c - the one table of breakdown parts: every part has its
 * names, the struct's fields in table order, the accessor reads the right
 * field, charges map to their parts, the JSON object follows the table. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/breakdown.h"
#include "tcemu/json.h"
#include "tcemu/projector.h"

static void test_table(void **state)
{
    static const char *const json[TCE_PART_COUNT] = {
        "compute",    "tp_exposed", "cp_exposed", "ep_exposed",
        "dp_exposed", "pp_bubble",  "pp_p2p",     "optimizer",
        "stack_overhead"}; /* stack */
    static const char *const field[TCE_PART_COUNT] = {
        "compute_s",    "tp_exposed_s", "cp_exposed_s", "ep_exposed_s",
        "dp_exposed_s", "pp_bubble_s",  "pp_p2p_s",     "optimizer_s",
        "stack_overhead_s"}; /* stack */
    int i;
    (void)state;

    assert_int_equal(TCE_PART_COUNT, 9); /* stack: stack_overhead */
    assert_int_equal(TCE_CHARGE_COUNT, 7);
    assert_int_equal(sizeof(struct tce_breakdown),
                     TCE_PART_COUNT * sizeof(double));
    for (i = 0; i < TCE_PART_COUNT; i++) {
        const struct tce_breakdown_part *d = tce_breakdown_part(i);

        assert_non_null(d);
        assert_int_equal(d->id, i);
        assert_string_equal(d->json, json[i]);
        assert_string_equal(d->field, field[i]);
        assert_true(d->human && d->human[0] && d->meaning && d->meaning[0]);
        assert_true(d->fmt && d->fmt[0]);
        assert_int_equal(d->offset, (size_t)i * sizeof(double));
    }
    assert_null(tce_breakdown_part(TCE_PART_COUNT));
    assert_string_equal(tce_breakdown_parts[TCE_PART_PP_BUBBLE].human,
                        "bubbl(s)");
    assert_int_equal(tce_breakdown_parts[TCE_PART_PP_BUBBLE].charge,
                     TCE_CHARGE_NONE);
}

static void test_get(void **state)
{
    struct tce_breakdown b;
    (void)state;

    memset(&b, 0, sizeof(b));
    b.compute_s = 1.0;
    b.tp_exposed_s = 2.0;
    b.pp_bubble_s = 6.0;
    b.optimizer_s = 8.0;
    assert_true(tce_breakdown_get(&b, TCE_PART_COMPUTE) == 1.0);
    assert_true(tce_breakdown_get(&b, TCE_PART_TP) == 2.0);
    assert_true(tce_breakdown_get(&b, TCE_PART_PP_BUBBLE) == 6.0);
    assert_true(tce_breakdown_get(&b, TCE_PART_OPTIMIZER) == 8.0);
    assert_true(tce_breakdown_get(&b, TCE_PART_PP_P2P) == 0.0);
    assert_true(tce_breakdown_get(&b, TCE_PART_COUNT) == 0.0);
}

static void test_charges(void **state)
{
    (void)state;

    assert_int_equal(tce_breakdown_part_of_charge(TCE_CHARGE_COMPUTE),
                     TCE_PART_COMPUTE);
    assert_int_equal(tce_breakdown_part_of_charge(TCE_CHARGE_DP), TCE_PART_DP);
    assert_int_equal(tce_breakdown_part_of_charge(TCE_CHARGE_PP),
                     TCE_PART_PP_P2P);
    assert_int_equal(tce_breakdown_part_of_charge(TCE_CHARGE_OPTIMIZER),
                     TCE_PART_OPTIMIZER);
    assert_int_equal(tce_breakdown_part_of_charge(TCE_CHARGE_COUNT),
                     TCE_PART_COUNT);
    assert_string_equal(tce_charge_name(TCE_CHARGE_COMPUTE), "compute");
    assert_string_equal(tce_charge_name(TCE_CHARGE_TP), "tp_exposed");
    assert_string_equal(tce_charge_name(TCE_CHARGE_PP), "pp_p2p");
    assert_string_equal(tce_charge_name(TCE_CHARGE_COUNT), "unknown");
}

static void test_json(void **state)
{
    struct tce_breakdown b;
    struct tce_json j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    assert_non_null(f);
    memset(&b, 0, sizeof(b));
    b.compute_s = 0.5;
    b.pp_bubble_s = 0.25;
    tce_json_init(&j, f);
    tce_json_object_begin(&j, NULL);
    tce_projector_breakdown_json(&j, "breakdown_s", &b);
    tce_json_finish(&j);
    fclose(f);
    assert_non_null(strstr(buf, "\"breakdown_s\": {"));
    assert_non_null(strstr(buf, "\"compute\": 0.5"));
    assert_non_null(strstr(buf, "\"pp_bubble\": 0.25"));
    /* in table order */
    assert_true(strstr(buf, "\"dp_exposed\"") < strstr(buf, "\"pp_bubble\""));
    assert_true(strstr(buf, "\"pp_bubble\"") < strstr(buf, "\"pp_p2p\""));
    assert_true(strstr(buf, "\"pp_p2p\"") < strstr(buf, "\"optimizer\""));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_charges),
        cmocka_unit_test(test_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
