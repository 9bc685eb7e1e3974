/* test_computecache.c - compute times by op (computecache.h): the cached
 * time is tce_cost_compute_op_s's, a repeated op is a hit, an op that
 * differs in any field is a miss, another cost model empties the cache,
 * and a full neighbourhood still answers right. */
#include "tce_test.h"
#include "tce_fixtures.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/computecache.h"

static void op_of(struct tce_op *op, double flops, int64_t m)
{
    memset(op, 0, sizeof(*op));
    op->name = "fc1";
    op->kind = TCE_OP_COMPUTE;
    op->count = 1;
    op->flops = flops;
    op->gemm_flops = flops;
    op->bytes = 1e6;
    op->gemm_m = m;
    op->gemm_n = 4096;
    op->gemm_k = 4096;
}

static void test_cache(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm, cm2;
    struct tce_compute_cache *c = malloc(sizeof(*c));
    struct tce_op op, other;
    int i;
    (void)state;

    assert_non_null(c);
    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    cm2 = cm;
    tce_compute_cache_init(c);
    op_of(&op, 2.0 * 8192 * 4096 * 4096, 8192);
    assert_close(tce_compute_cache_op_s(c, &cm, &op),
                 tce_cost_compute_op_s(&cm, &op, NULL), 0);
    assert_close(tce_compute_cache_op_s(c, &cm, &op),
                 tce_cost_compute_op_s(&cm, &op, NULL), 0);
    assert_int_equal(c->hits, 1);
    assert_int_equal(c->misses, 1);
    /* any field: a miss (here the backward flag) */
    other = op;
    other.flags |= TCE_OP_F_BACKWARD;
    tce_compute_cache_op_s(c, &cm, &other);
    assert_int_equal(c->misses, 2);
    /* NULL cache: computed */
    assert_close(tce_compute_cache_op_s(NULL, &cm, &op),
                 tce_cost_compute_op_s(&cm, &op, NULL), 0);
    /* another cost model empties it */
    cm2.matmul_efficiency *= 0.5;
    assert_close(tce_compute_cache_op_s(c, &cm2, &op),
                 tce_cost_compute_op_s(&cm2, &op, NULL), 0);
    assert_int_equal(c->hits, 0);
    assert_int_equal(c->misses, 1);
    /* many shapes (more than the slots): every answer still right */
    for (i = 1; i <= 3 * TCE_COMPUTE_CACHE_SLOTS; i++) {
        op_of(&other, 2.0 * i * 4096 * 4096, i);
        assert_close(tce_compute_cache_op_s(c, &cm2, &other),
                     tce_cost_compute_op_s(&cm2, &other, NULL), 0);
    }
    for (i = 3 * TCE_COMPUTE_CACHE_SLOTS; i >= 1; i -= 7) {
        op_of(&other, 2.0 * i * 4096 * 4096, i);
        assert_close(tce_compute_cache_op_s(c, &cm2, &other),
                     tce_cost_compute_op_s(&cm2, &other, NULL), 0);
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
