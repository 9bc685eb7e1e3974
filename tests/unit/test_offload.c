/* test_offload.c - the time of activation offloading (offload.h, issue
 * 11): the offloaded layers of a stage, the copy beyond a layer's forward
 * and backward (hand values), no cost without a host-link figure, and the
 * projector charging n x the exposed copy per microbatch to compute (a
 * whole projection of the fixture GPT job, with and without the host
 * link, against the pure function on the memory model's activations and
 * the projection's own layer times). */
#include "tce_test.h"

#include "tce_fixtures.h"
#include "tcemu/costmodel.h"
#include "tcemu/model.h"
#include "tcemu/offload.h"
#include "tcemu/projector.h"

static void test_layers(void **state)
{
    (void)state;
    assert_int_equal(tce_offload_layers(80, 40), 40);
    assert_int_equal(tce_offload_layers(20, 40), 20); /* the stage's all */
    assert_int_equal(tce_offload_layers(80, 0), 0);
    assert_int_equal(tce_offload_layers(0, 4), 0);
}

static void test_exposed(void **state)
{
    double f, b;

    (void)state;
    /* 3.9 GB at 225 GB/s = 17.33 ms: 5.33 ms beyond a 12 ms forward,
     * nothing beyond a 25 ms backward */
    tce_offload_exposed_s(3.9e9, 225e9, 0.012, 0.025, &f, &b);
    assert_close(f, 3.9e9 / 225e9 - 0.012, 1e-12);
    assert_close(b, 0.0, 0.0);
    /* a copy shorter than both layers is hidden */
    tce_offload_exposed_s(1e9, 225e9, 0.012, 0.025, &f, &b);
    assert_close(f, 0.0, 0.0);
    assert_close(b, 0.0, 0.0);
    /* both exposed */
    tce_offload_exposed_s(9e9, 225e9, 0.012, 0.025, &f, &b);
    assert_close(f, 0.028, 1e-12);
    assert_close(b, 0.015, 1e-12);
    /* no host-link figure, or nothing to copy: hidden */
    tce_offload_exposed_s(9e9, 0.0, 0.012, 0.025, &f, &b);
    assert_close(f + b, 0.0, 0.0);
    tce_offload_exposed_s(0.0, 225e9, 0.012, 0.025, &f, &b);
    assert_close(f + b, 0.0, 0.0);
}

/* The fixture job on one node, PP 1, selective recompute, offloading
 * `layers`; the host link at `gbs` GB/s. */
static void project(int64_t layers, double gbs, struct tce_projection *out,
                    struct tce_memory *mem)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_error err;

    topo(&t);
    t.node.host_link_gbytes_per_s = gbs;
    gpt(&j, 8, 8, 1, 1);
    j.training.global_batch_size = 8;
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    j.training.cpu_offloading_num_layers = layers;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL), 0);
    assert_int_equal(tce_project(&t, &j, &cm, 8, out, &err), 0);
    if (mem) {
        struct tce_layout lay = out->layout;
        assert_int_equal(tce_model_memory(&j, &lay, NULL, mem, NULL), 0);
    }
}

static void test_projection(void **state)
{
    struct tce_projection none, hidden, half, quarter, nolink;
    struct tce_memory mem;
    double act, m, layers_fb;
    int64_t n = 12, L = 48;

    (void)state;
    project(0, 225.0, &none, &mem);
    act = mem.activation_per_layer_bytes;
    m = (double)none.layout.microbatches;
    /* a link this fast hides every copy: identical projections */
    project(n, 225.0, &hidden, NULL);
    assert_close(hidden.iteration_s, none.iteration_s, 1e-12);
    /* links slow enough that every copy outlasts its layer (0.5 s and
     * 0.25 s a copy): each of the 12 offloaded layers adds its copy less
     * the layer, forward and backward, per microbatch, in compute; the
     * two differ by exactly 2 x 0.25 s per offloaded layer */
    project(n, act / 0.5 / 1e9, &half, NULL);
    project(n, act / 0.25 / 1e9, &quarter, NULL);
    assert_close(half.breakdown.compute_s - quarter.breakdown.compute_s,
                 m * (double)n * 2.0 * 0.25, 1e-9);
    assert_close(half.iteration_s - none.iteration_s,
                 half.breakdown.compute_s - none.breakdown.compute_s, 1e-9);
    /* what hid under the layers: one layer's forward and backward, above
     * 0 and below the stage's mean per layer (embedding and head in) */
    layers_fb =
        2.0 * 0.5 -
        (half.breakdown.compute_s - none.breakdown.compute_s) / (m * (double)n);
    assert_true(layers_fb > 0.0);
    assert_true(layers_fb <
                (none.stage_s[0].fwd_s + none.stage_s[0].bwd_s) / (double)L);
    /* the same job with no host-link figure: copies hidden */
    project(n, 0.0, &nolink, NULL);
    assert_close(nolink.iteration_s, none.iteration_s, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_exposed),
        cmocka_unit_test(test_projection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
