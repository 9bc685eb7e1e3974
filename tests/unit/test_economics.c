/* test_economics.c - contracts, failures and goodput, energy: hand-computed
 * cases (the arithmetic is written out beside each expected value). */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/economics.h"
#include "tcemu/json.h"

static struct tce_contract contract(enum tce_contract_kind kind, double price)
{
    struct tce_contract c;

    memset(&c, 0, sizeof(c));
    strcpy(c.name, "test");
    c.kind = kind;
    c.usd_per_node_hour = price;
    return c;
}

static void test_on_demand_and_spot(void **state)
{
    struct tce_contract c = contract(TCE_CONTRACT_ON_DEMAND, 0.0);
    struct tce_bill b;
    (void)state;

    /* price 0 on an on-demand contract: the list price, 55.04 USD/node-h.
     * 10 nodes x 2 days x 24 h = 480 node-h -> 26419.2 USD. */
    assert_int_equal(tce_econ_price_run(&c, 55.04, 10, 0, 8, 2.0, &b, NULL), 0);
    assert_close(b.total_usd, 26419.2, 1e-12);
    assert_close(b.used_node_hours, 480.0, 1e-12);
    assert_close(b.idle_usd, 0.0, 1e-12);
    assert_close(b.usd_per_used_accelerator_hour, 55.04 / 8, 1e-12);

    /* One hot spare: 11 x 48 = 528 node-h paid, 48 idle (2642.0 USD). */
    assert_int_equal(tce_econ_price_run(&c, 55.04, 10, 1, 8, 2.0, &b, NULL), 0);
    assert_close(b.total_usd, 29061.12, 1e-12);
    assert_close(b.idle_node_hours, 48.0, 1e-12);
    assert_close(b.idle_usd, 2641.92, 1e-12);

    c = contract(TCE_CONTRACT_SPOT, 20.0);
    assert_int_equal(tce_econ_price_run(&c, 55.04, 10, 0, 8, 2.0, &b, NULL), 0);
    assert_close(b.total_usd, 9600.0, 1e-12);
}

static void test_reserved_term(void **state)
{
    struct tce_contract c = contract(TCE_CONTRACT_RESERVED, 20.0);
    struct tce_bill b;
    (void)state;

    c.term_months = 12.0; /* 365 days = 8760 h */
    /* 10 nodes, 30 days: one whole term paid, 10 x 8760 = 87600 node-h,
     * 1,752,000 USD; used 10 x 720 = 7200; idle 80400 node-h. */
    assert_int_equal(tce_econ_price_run(&c, 55.04, 10, 0, 8, 30.0, &b, NULL),
                     0);
    assert_int_equal(b.terms, 1);
    assert_close(b.total_usd, 1752000.0, 1e-12);
    assert_close(b.used_node_hours, 7200.0, 1e-12);
    assert_close(b.idle_node_hours, 80400.0, 1e-12);
    assert_close(b.idle_usd, 80400.0 * 20.0, 1e-12);
    /* 1,752,000 / (7200 x 8) = 30.4166.. USD per used accelerator-hour */
    assert_close(b.usd_per_used_accelerator_hour, 1752000.0 / 57600.0, 1e-12);

    /* 400 days: two terms. */
    assert_int_equal(tce_econ_price_run(&c, 55.04, 10, 0, 8, 400.0, &b, NULL),
                     0);
    assert_int_equal(b.terms, 2);
    assert_close(b.total_usd, 2 * 1752000.0, 1e-12);
}

static void test_capacity_block(void **state)
{
    struct tce_contract c = contract(TCE_CONTRACT_CAPACITY_BLOCK, 40.0);
    struct tce_bill b;
    (void)state;

    c.max_days = 14.0;
    c.lead_days = 7.0;
    /* 30.2 days -> 31 whole days paid in ceil(31/14) = 3 blocks;
     * 4 nodes x 31 x 24 x 40 = 119,040 USD; idle 0.8 day x 4 nodes. */
    assert_int_equal(tce_econ_price_run(&c, 55.04, 4, 0, 8, 30.2, &b, NULL), 0);
    assert_int_equal(b.blocks, 3);
    assert_close(b.total_usd, 119040.0, 1e-12);
    assert_close(b.start_delay_days, 7.0, 1e-12);
    assert_close(b.idle_node_hours, 4 * 0.8 * 24, 1e-9);
}

static void test_take_or_pay(void **state)
{
    struct tce_contract c = contract(TCE_CONTRACT_COMMITMENT, 50.0);
    struct tce_bill b;
    (void)state;

    c.committed_nodes = 100;
    c.term_months = 12.0; /* 8760 h */
    /* Run 80 nodes for 100 days (2400 h) inside the commitment:
     * paid 100 x 8760 = 876,000 node-h x 50 = 43.8M USD;
     * used 80 x 2400 = 192,000 node-h; idle 684,000 node-h = 34.2M USD;
     * 43.8M / (192,000 x 8) = 28.515625 USD per used accelerator-hour. */
    assert_int_equal(tce_econ_price_run(&c, 80.0, 80, 0, 8, 100.0, &b, NULL),
                     0);
    assert_close(b.total_usd, 43.8e6, 1e-12);
    assert_close(b.used_node_hours, 192000.0, 1e-12);
    assert_close(b.idle_node_hours, 684000.0, 1e-12);
    assert_close(b.idle_usd, 34.2e6, 1e-12);
    assert_close(b.overage_usd, 0.0, 1e-12);
    assert_close(b.usd_per_used_accelerator_hour, 28.515625, 1e-12);

    /* 120 nodes for 400 days (9600 h): covered 100 x 8760 = 876,000;
     * beyond 120 x 9600 - 876,000 = 276,000 node-h at on-demand 80 =
     * 22.08M; total 65.88M, nothing idle. */
    assert_int_equal(tce_econ_price_run(&c, 80.0, 120, 0, 8, 400.0, &b, NULL),
                     0);
    assert_close(b.overage_usd, 22.08e6, 1e-12);
    assert_close(b.total_usd, 65.88e6, 1e-12);
    assert_close(b.idle_node_hours, 0.0, 1e-12);

    /* An explicit overage price. */
    c.overage_usd_per_node_hour = 60.0;
    assert_int_equal(tce_econ_price_run(&c, 80.0, 120, 0, 8, 400.0, &b, NULL),
                     0);
    assert_close(b.total_usd, 43.8e6 + 276000.0 * 60.0, 1e-12);

    /* No committed nodes is a configuration error. */
    c.committed_nodes = 0;
    assert_int_equal(tce_econ_price_run(&c, 80.0, 120, 0, 8, 400.0, &b, NULL),
                     TCE_ECONFIG);
}

static void test_intervals(void **state)
{
    (void)state;
    /* Young: sqrt(2 x 20 x 10000) = 632.4555320336759 s */
    assert_close(tce_econ_young_interval_s(20.0, 10000.0), 632.4555320336759,
                 1e-12);
    /* Daly: x = 20/20000 = 0.001;
     * 632.45553 x (1 + 0.0316228/3 + 0.001/9) - 20 = 619.1924715372353 */
    assert_close(tce_econ_daly_interval_s(20.0, 10000.0), 619.1924715372353,
                 1e-12);
    /* Daly past d >= 2M: the MTBF itself. */
    assert_close(tce_econ_daly_interval_s(300.0, 100.0), 100.0, 1e-12);
}

static void test_goodput_llama3(void **state)
{
    /* Llama 3 405B (energy-and-market.md): 419 unexpected interruptions in
     * 54 days on 16,384 H100 = 2048 nodes of 8 -> 7.759/day, i.e.
     * 419 / 54 / 2048 = 0.0037887 per node-day.  Checkpoint: 405e9
     * parameters x 14 bytes = 5.67 TB, written at 273 GB/s (Megatron SC21)
     * = 20.77 s.  MTBF 86400 / 7.759 = 11135 s; Daly interval 666.3 s;
     * restart 5 min: lost 300 + (666.3 + 20.8)/2 = 643.5 s per interruption;
     * efficiency (1 - 643.5/11135) x 666.3/687.1 = 0.9137 (> 90%, as the
     * paper reports). */
    struct tce_goodput_in in = {
        .nodes = 2048,
        .interruptions_per_node_day = 419.0 / 54.0 / 2048.0,
        .restart_s = 300.0,
        .checkpoint_bytes = 405e9 * TCE_ECON_CHECKPOINT_BYTES_PER_PARAM,
        .checkpoint_write_gbytes_per_s = 273.0,
        .formula = TCE_ECON_DALY,
    };
    struct tce_goodput g;
    (void)state;

    assert_int_equal(tce_econ_goodput(&in, &g, NULL), 0);
    assert_close(g.interruptions_per_day, 7.7592592592592595, 1e-12);
    assert_close(g.mtbf_s, 11135.08353221957, 1e-12);
    assert_close(g.checkpoint_write_s, 20.76923076923077, 1e-12);
    assert_close(g.checkpoint_interval_s, 666.3230177467308, 1e-9);
    assert_close(g.lost_per_interruption_s, 643.5461242579808, 1e-9);
    assert_close(g.efficiency, 0.9137248179360139, 1e-9);
    assert_true(g.efficiency > 0.90);

    /* A 30-minute restart costs another 12 points: 0.7831. */
    in.restart_s = 1800.0;
    assert_int_equal(tce_econ_goodput(&in, &g, NULL), 0);
    assert_close(g.efficiency, 0.7830874124148804, 1e-9);

    /* Interruptions scale with nodes: a quarter of the nodes, a quarter of
     * the interruptions. */
    in.nodes = 512;
    assert_int_equal(tce_econ_goodput(&in, &g, NULL), 0);
    assert_close(g.interruptions_per_day, 7.7592592592592595 / 4, 1e-12);

    /* No failures: full efficiency. */
    in.interruptions_per_node_day = 0.0;
    assert_int_equal(tce_econ_goodput(&in, &g, NULL), 0);
    assert_close(g.efficiency, 1.0, 1e-15);

    /* Failures faster than a restart: no progress, an error. */
    in.interruptions_per_node_day = 1.0; /* 512/day, MTBF 169 s */
    assert_int_equal(tce_econ_goodput(&in, &g, NULL), TCE_ENOFIT);
}

static void test_energy(void **state)
{
    struct tce_energy_in in = {
        .nodes = 2,
        .accelerators_per_node = 8,
        .accelerator_watts = 700.0,
        .node_watts = 10200.0,
        .load = 1.0,
        .hours = 10.0,
        .pue = 1.1,
        .usd_per_kwh = 0.08,
        .grid_kgco2e_per_kwh = 0.4,
    };
    struct tce_energy e;
    (void)state;

    /* Full load: 10.2 kW x 2 nodes x 10 h = 204 kWh IT; x 1.1 = 224.4 kWh;
     * 17.952 USD; 0.08976 tCO2e. */
    assert_int_equal(tce_econ_energy(&in, &e, NULL), 0);
    assert_close(e.it_watts_per_node, 10200.0, 1e-12);
    assert_close(e.it_mwh, 0.204, 1e-12);
    assert_close(e.facility_mwh, 0.2244, 1e-12);
    assert_close(e.electricity_usd, 17.952, 1e-12);
    assert_close(e.tco2e, 0.08976, 1e-12);

    /* Idle accelerators: host 10200 - 5600 = 4600 W + 5600 x 0.25 = 6000 W;
     * half load: 4600 + 5600 x 0.625 = 8100 W. */
    in.load = 0.0;
    assert_int_equal(tce_econ_energy(&in, &e, NULL), 0);
    assert_close(e.it_watts_per_node, 6000.0, 1e-12);
    in.load = 0.5;
    assert_int_equal(tce_econ_energy(&in, &e, NULL), 0);
    assert_close(e.it_watts_per_node, 8100.0, 1e-12);

    /* node_watts 0: host = 0.8 x 5600 = 4480 W; full load 10080 W. */
    in.node_watts = 0.0;
    in.load = 1.0;
    in.grid_kgco2e_per_kwh = 0.0;
    assert_int_equal(tce_econ_energy(&in, &e, NULL), 0);
    assert_close(e.it_watts_per_node, 10080.0, 1e-12);
    assert_close(e.tco2e, 0.0, 1e-15);
}

static void test_evaluate(void **state)
{
    static struct tce_topology t;
    struct tce_econ_in in;
    struct tce_econ out;
    (void)state;

    tce_topology_defaults(&t);
    t.node.accelerators = 8;
    t.node.watts = 10200.0;
    t.accelerator.watts = 700.0;
    t.price.on_demand_usd_per_node_hour = 50.0;
    t.power.pue = 1.0;
    t.power.usd_per_kwh = 0.1;
    t.reliability.interruptions_per_node_day = 419.0 / 54.0 / 2048.0;
    t.reliability.restart_minutes = 5.0;
    t.reliability.checkpoint_write_gbytes_per_s = 273.0;
    t.n_contracts = 1;
    t.contracts[0] = contract(TCE_CONTRACT_SPOT, 20.0);
    strcpy(t.contracts[0].name, "spot");
    t.contracts[0].interruptions_per_node_day = 419.0 / 54.0 / 2048.0;

    memset(&in, 0, sizeof(in));
    in.topo = &t;
    in.gpus = 16384;
    in.ideal_days = 50.0;
    in.checkpoint_bytes = 405e9 * TCE_ECON_CHECKPOINT_BYTES_PER_PARAM;
    in.load = 1.0;
    /* On demand: 50 days / 0.91372 = 54.72 days at 2048 nodes x 50 USD. */
    assert_int_equal(tce_econ_evaluate(&in, &out, NULL), 0);
    assert_int_equal(out.nodes, 2048);
    assert_close(out.train_days, 50.0 / 0.9137248179360139, 1e-9);
    assert_close(out.bill.total_usd, 2048 * 50.0 * 24 * out.train_days, 1e-12);
    assert_close(out.accelerator_hours, 16384 * 24 * out.train_days, 1e-12);
    /* 10.2 kW x 2048 x hours, at 0.1 USD/kWh */
    assert_close(out.energy.electricity_usd,
                 10.2 * 2048 * 24 * out.train_days * 0.1, 1e-12);

    /* Spot doubles the interruption rate, so the run is longer. */
    assert_non_null(tce_econ_find_contract(&t, "spot", &t.contracts[1]));
    in.contract = &t.contracts[0];
    assert_int_equal(tce_econ_evaluate(&in, &out, NULL), 0);
    assert_close(out.goodput.interruptions_per_day, 2 * 7.7592592592592595,
                 1e-12);
    assert_true(out.train_days > 50.0 / 0.9137248179360139 + 1.0);
    assert_null(tce_econ_find_contract(&t, "nope", &t.contracts[1]));
}

/* A topology for the pricing tests: 8 accelerators per node, 50 USD per
 * node-hour list price, no failures. */
static void priced_topology(struct tce_topology *t)
{
    memset(t, 0, sizeof(*t));
    t->node.accelerators = 8;
    t->node.watts = 10200.0;
    t->accelerator.watts = 700.0;
    t->price.on_demand_usd_per_node_hour = 50.0;
    t->power.pue = 1.0;
    t->capacity.max_nodes = 4;
}

/* Bug fix (issue 9): one on-demand price.  Before, an on_demand contract
 * billed its own usd_per_node_hour while the table billed the price key;
 * now every path bills tce_econ_on_demand_price. */
static void test_one_on_demand_price(void **state)
{
    static struct tce_topology t;
    struct tce_contract scratch;
    const struct tce_contract *c;
    struct tce_econ_in in;
    struct tce_econ a, b;
    struct tce_bill bill;
    (void)state;

    priced_topology(&t);
    assert_close(tce_econ_on_demand_price(&t), 50.0, 0);
    /* no price key: the on_demand contract's price */
    t.price.on_demand_usd_per_node_hour = 0.0;
    t.n_contracts = 2;
    t.contracts[0] = contract(TCE_CONTRACT_SPOT, 20.0);
    t.contracts[1] = contract(TCE_CONTRACT_ON_DEMAND, 42.0);
    assert_close(tce_econ_on_demand_price(&t), 42.0, 0);
    t.n_contracts = 0;
    assert_close(tce_econ_on_demand_price(&t), 0.0, 0);

    /* a contract that disagrees with the key (config validation rejects
     * it; here the economics alone): the key is billed on every path */
    priced_topology(&t);
    t.n_contracts = 1;
    t.contracts[0] = contract(TCE_CONTRACT_ON_DEMAND, 55.04);
    strcpy(t.contracts[0].name, "on-demand");
    assert_int_equal(
        tce_econ_price_run(&t.contracts[0], 50.0, 2, 0, 8, 1.0, &bill, NULL),
        0);
    assert_close(bill.total_usd, 2 * 24 * 50.0, 1e-12);
    assert_close(bill.usd_per_node_hour, 50.0, 0);
    memset(&in, 0, sizeof(in));
    in.topo = &t;
    in.gpus = 16;
    in.ideal_days = 10.0;
    in.load = 1.0;
    assert_int_equal(tce_econ_evaluate(&in, &a, NULL), 0); /* NULL: list */
    c = tce_econ_find_contract(&t, "on-demand", &scratch);
    assert_ptr_equal(c, &t.contracts[0]);
    in.contract = c;
    assert_int_equal(tce_econ_evaluate(&in, &b, NULL), 0);
    assert_close(a.bill.total_usd, 2 * 24 * 10.0 * 50.0, 1e-12);
    assert_true(a.bill.total_usd == b.bill.total_usd);
    assert_close(b.bill.usd_per_node_hour, 50.0, 0);

    /* an on_demand contract at 0 = the list price, and reported as such */
    t.contracts[0].usd_per_node_hour = 0.0;
    assert_int_equal(tce_econ_evaluate(&in, &b, NULL), 0);
    assert_true(a.bill.total_usd == b.bill.total_usd);
    assert_close(b.bill.usd_per_node_hour, 50.0, 0);
    /* the synthetic on-demand contract carries the one price */
    c = tce_econ_find_contract(&t, "on_demand", &scratch);
    assert_non_null(c);
    assert_close(tce_econ_find_contract(&t, NULL, &scratch)->usd_per_node_hour,
                 50.0, 0);
}

/* Bug fix (issue 9): rentals are whole nodes.  Before, the table billed
 * 4 GPUs of an 8-GPU node as half a node while --plan billed the node. */
static void test_price_projection(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    struct tce_projection p;
    struct tce_projection_price pr;
    struct tce_contract scratch;
    (void)state;

    priced_topology(&t);
    memset(&job, 0, sizeof(job));
    memset(&p, 0, sizeof(p));
    p.layout.gpus = 4;
    p.time_to_train_days = 10.0;
    p.utilisation = 0.5;
    assert_int_equal(tce_econ_price_projection(&t, &job, NULL, &p, &pr, NULL),
                     0);
    assert_int_equal(pr.nodes, 1);
    assert_close(pr.gpu_hours, 4 * 240.0, 1e-12);     /* what the run uses */
    assert_close(pr.cost_usd, 1 * 240.0 * 50.0, 1e-12); /* a whole node */
    assert_false(pr.have_plan);
    /* 1 node at load 0.5: host 4600 W + 8 x 700 x (0.25 + 0.75 x 0.5) */
    assert_close(pr.energy_mwh, (4600.0 + 5600.0 * 0.625) * 240.0 / 1e6,
                 1e-12);
    /* the bill under the on-demand contract agrees (no failures) */
    assert_int_equal(tce_econ_price_projection(
                         &t, &job, tce_econ_find_contract(&t, NULL, &scratch),
                         &p, &pr, NULL),
                     0);
    assert_true(pr.have_plan);
    assert_close(pr.plan.bill.total_usd, pr.cost_usd, 1e-12);
    assert_close(pr.plan.accelerator_hours, pr.gpu_hours, 1e-12);
    /* whole nodes: 16 GPUs, 2 nodes, per-GPU and per-node agree */
    p.layout.gpus = 16;
    assert_int_equal(tce_econ_price_projection(&t, &job, NULL, &p, &pr, NULL),
                     0);
    assert_close(pr.cost_usd, pr.gpu_hours * 50.0 / 8, 1e-15);
}

static void test_nodes_and_capacity(void **state)
{
    static struct tce_topology t;
    (void)state;

    priced_topology(&t);
    assert_int_equal(tce_econ_nodes(&t, 1), 1);
    assert_int_equal(tce_econ_nodes(&t, 8), 1);
    assert_int_equal(tce_econ_nodes(&t, 9), 2);
    assert_int_equal(tce_econ_nodes(&t, 32), 4);
    assert_false(tce_econ_over_capacity(&t, 32));
    assert_true(tce_econ_over_capacity(&t, 33));
    t.capacity.max_nodes = 0; /* unknown: never over */
    assert_false(tce_econ_over_capacity(&t, 1 << 20));
}

static void test_print_and_json(void **state)
{
    static struct tce_topology t;
    struct tce_contract c = contract(TCE_CONTRACT_COMMITMENT, 50.0);
    struct tce_econ_in in;
    struct tce_econ e;
    struct tce_json j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    tce_topology_defaults(&t);
    t.reliability.interruptions_per_node_day = 0.0; /* no failures */
    t.node.accelerators = 8;
    t.accelerator.watts = 700.0;
    t.price.on_demand_usd_per_node_hour = 80.0;
    c.committed_nodes = 100;
    c.term_months = 12.0;
    memset(&in, 0, sizeof(in));
    in.topo = &t;
    in.contract = &c;
    in.gpus = 640;
    in.ideal_days = 100.0;
    assert_int_equal(tce_econ_evaluate(&in, &e, NULL), 0);
    /* No failures configured: 100 days; 80 of 100 committed nodes. */
    assert_close(e.bill.total_usd, 43.8e6, 1e-12);
    assert_close(e.bill.idle_usd, 34.2e6, 1e-12);

    f = open_memstream(&buf, &len);
    assert_non_null(f);
    tce_econ_print(f, &c, 640, &e);
    fclose(f);
    assert_non_null(
        strstr(buf, "# plan test (commitment, 50.00 USD/node-hour"));
    assert_non_null(strstr(buf, "effective training time 100.0%"));
    assert_non_null(strstr(buf, "(3.42e+07 USD paid but idle)"));
    free(buf);
    buf = NULL;

    f = open_memstream(&buf, &len);
    assert_non_null(f);
    tce_json_init(&j, f);
    tce_econ_json(&j, NULL, &c, &e);
    tce_json_finish(&j);
    fclose(f);
    assert_non_null(strstr(buf, "\"kind\": \"commitment\""));
    assert_non_null(strstr(buf, "\"idle_usd\": 34200000"));
    assert_non_null(strstr(buf, "\"mtbf_s\": null")); /* infinite */
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_demand_and_spot),
        cmocka_unit_test(test_reserved_term),
        cmocka_unit_test(test_capacity_block),
        cmocka_unit_test(test_take_or_pay),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_goodput_llama3),
        cmocka_unit_test(test_energy),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_print_and_json),
        cmocka_unit_test(test_one_on_demand_price),
        cmocka_unit_test(test_price_projection),
        cmocka_unit_test(test_nodes_and_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
