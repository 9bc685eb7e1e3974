/*
 * test_config.c - unit tests of src/config/: good fixtures load with the
 * right values (defaults, derived defaults, 64-bit integers, includes),
 * every bad fixture fails with the exact first "path:line: error: key:
 * message" line, tce_job_check, calibration writer (exact bytes, round
 * trip), schema defaults, schema printing.
 * Runs from the repository root (fixture paths are relative to it).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tce_test.h"
#include "tcemu/config.h"

#define GOOD "tests/fixtures/good/"
#define BAD "tests/fixtures/bad/"

/* libconfig 1.5 leaks its string buffer on some syntax errors (inside its
 * scanner, strbuf_append); not ours to fix, so LeakSanitizer is told. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

/* Diagnostics captured in memory. */
struct capture {
    char *text;
    size_t len;
    FILE *fp;
    struct tce_diag diag;
};

static void capture_begin(struct capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->text, &c->len);
    assert_non_null(c->fp);
    tce_diag_init(&c->diag, c->fp);
}

static void capture_end(struct capture *c)
{
    fclose(c->fp);
}

/* A file name under BUILD_ROOT (default build), unique to this process. */
static void scratch_path(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/test_config_%s_%d.cfg",
             getenv("BUILD_ROOT") ? getenv("BUILD_ROOT") : "build", name,
             (int)getpid());
}

/* Write text to the scratch file of name; its path in path. */
static void write_scratch(char *path, size_t size, const char *name,
                          const char *text)
{
    FILE *f;

    scratch_path(path, size, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void first_line(const char *text, char *out, size_t size)
{
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text);

    if (n >= size)
        n = size - 1;
    memcpy(out, text, n);
    out[n] = '\0';
}

static int load_kind(enum tce_config_kind kind, const char *path,
                     struct tce_diag *d)
{
    static struct tce_topology t;
    static struct tce_job j;
    static struct tce_calibration c;

    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        return tce_topology_load(path, &t, d);
    case TCE_CONFIG_JOB:
        return tce_job_load(path, &j, d);
    default:
        return tce_calibration_load(path, &c, d);
    }
}

/* ------------------------------------------------------------------------ */

static void test_good_job(void **state)
{
    static struct tce_job j;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_job_load(GOOD "job.cfg", &j, &c.diag), 0);
    capture_end(&c);
    assert_int_equal(c.diag.errors, 0);
    assert_int_equal(c.len, 0);
    free(c.text);
    assert_string_equal(j.path, GOOD "job.cfg");
    assert_string_equal(j.name, "test-gpt");
    assert_string_equal(j.source, "tests/fixtures/good");
    assert_int_equal(j.model.num_layers, 8);
    assert_int_equal(j.model.hidden_size, 1024);
    assert_int_equal(j.model.ffn_hidden_size, 2816);
    assert_int_equal(j.model.num_attention_heads, 16);
    assert_int_equal(j.model.num_query_groups, 4);
    assert_int_equal(j.model.kv_channels, 64);           /* derived h/a */
    assert_int_equal(j.model.moe_ffn_hidden_size, 2816); /* derived = ffn */
    assert_int_equal(j.model.seq_length, 2048);
    assert_int_equal(j.model.vocab_size, 32000);
    assert_true(j.model.swiglu);
    assert_false(j.model.untie_embeddings_and_output_weights);
    assert_int_equal(j.model.num_experts, 0);
    assert_int_equal(j.model.moe_layer_freq, 1);
    assert_int_equal(j.parallel.num_gpus, 8);
    assert_int_equal(j.parallel.tensor_model_parallel_size, 2);
    assert_int_equal(j.parallel.pipeline_model_parallel_size, 2);
    assert_int_equal(j.parallel.virtual_pipeline_model_parallel_size, 2);
    assert_int_equal(j.parallel.context_parallel_size, 1);
    assert_int_equal(j.parallel.expert_model_parallel_size, 1);
    assert_true(j.parallel.sequence_parallel);
    assert_true(j.parallel.use_distributed_optimizer);
    assert_int_equal(j.training.micro_batch_size, 1);
    assert_int_equal(j.training.global_batch_size, 16);
    /* above 2^32: read with the int64 getter */
    assert_true(j.training.train_tokens == INT64_C(15600000000000));
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_SELECTIVE);
    assert_int_equal(j.training.precision, TCE_PRECISION_BF16);
    assert_true(j.training.overlap_grad_reduce);
    assert_false(j.training.tp_comm_overlap);
    /* 0: Megatron-Core's default bucket size (parameters) */
    assert_int_equal(j.training.ddp_bucket_size, 0);
}

static void test_good_job_defaults(void **state)
{
    static struct tce_job j;
    struct capture c;
    const char *text =
        "name = \"min\";\n"
        "model = { num_layers = 4; hidden_size = 256;\n"
        "          num_attention_heads = 8; seq_length = 128;\n"
        "          vocab_size = 1000; };\n"
        "parallel = { num_gpus = 2; };\n"
        "training = { global_batch_size = 4; train_tokens = 512; };\n";
    char path[256];
    (void)state;

    write_scratch(path, sizeof(path), "min", text);
    capture_begin(&c);
    assert_int_equal(tce_job_load(path, &j, &c.diag), 0);
    capture_end(&c);
    free(c.text);
    remove(path);
    assert_int_equal(j.model.ffn_hidden_size, 1024); /* 4h */
    assert_int_equal(j.model.num_query_groups, 8);   /* = heads */
    assert_int_equal(j.model.kv_channels, 32);       /* h / heads */
    assert_int_equal(j.model.moe_ffn_hidden_size, 1024);
    assert_int_equal(j.parallel.tensor_model_parallel_size, 1);
    assert_int_equal(j.parallel.virtual_pipeline_model_parallel_size, 1);
    assert_int_equal(j.training.micro_batch_size, 1);
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);
    assert_int_equal(j.training.precision, TCE_PRECISION_BF16);
    /* 0: Megatron-Core's default bucket size (parameters) */
    assert_int_equal(j.training.ddp_bucket_size, 0);
}

static void test_good_topology(void **state)
{
    static struct tce_topology t;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_topology_load(GOOD "topology.cfg", &t, &c.diag), 0);
    capture_end(&c);
    assert_int_equal(c.len, 0);
    free(c.text);
    assert_string_equal(t.name, "test-h100");
    assert_string_equal(t.accelerator.name, "H100-SXM5-80GB");
    assert_close(t.accelerator.bf16_tflops, 989.0, 1e-12);
    assert_close(t.accelerator.fp8_tflops, 1979.0, 1e-12);
    assert_close(t.accelerator.hbm_gib, 80.0, 1e-12);
    assert_close(t.accelerator.matmul_efficiency, 0.7, 1e-12);
    assert_int_equal(t.node.accelerators, 8);
    assert_int_equal(t.scale_up.domain_accelerators, 8);
    assert_close(t.scale_up.bandwidth_gbytes_per_s, 450.0, 1e-12);
    assert_int_equal(t.scale_out.nics_per_node, 8);
    assert_close(t.scale_out.nic_bandwidth_gbit_per_s, 400.0, 1e-12);
    assert_int_equal(t.n_fabric, 2);
    assert_string_equal(t.fabric[1].name, "spine");
    assert_int_equal(t.fabric[1].group_nodes, 4);
    assert_close(t.fabric[1].oversubscription, 2.0, 1e-12);
    assert_int_equal(t.capacity.max_nodes, 4);
    assert_close(t.price.on_demand_usd_per_node_hour, 55.04, 1e-12);
    assert_string_equal(t.price.as_of, "2025-06");
    assert_int_equal(t.n_contracts, 5);
    assert_int_equal(t.contracts[1].kind, TCE_CONTRACT_CAPACITY_BLOCK);
    assert_close(t.contracts[1].max_days, 182.0, 1e-12);
    assert_int_equal(t.contracts[4].kind, TCE_CONTRACT_COMMITMENT);
    assert_int_equal(t.contracts[4].committed_nodes, 2);
    assert_close(t.contracts[2].lead_days, 0.0, 0); /* default */
    assert_close(t.power.pue, 1.2, 1e-12);
    assert_close(t.reliability.interruptions_per_node_day, 0.0038, 1e-12);
}

static void test_topology_defaults(void **state)
{
    static struct tce_topology t;
    struct capture c;
    const char *text =
        "name = \"min\";\n"
        "accelerator = { name = \"X\"; bf16_tflops = 100; hbm_gib = 16;\n"
        "  hbm_gbytes_per_s = 1000; watts = 300; matmul_efficiency = 1; };\n"
        "node = { accelerators = 4; };\n"
        "scale_up = { name = \"shm\"; domain_accelerators = 2;\n"
        "  bandwidth_gbytes_per_s = 10; latency_us = 1; };\n"
        "scale_out = { name = \"tcp\"; nics_per_node = 1;\n"
        "  nic_bandwidth_gbit_per_s = 10; latency_us = 20; };\n"
        "capacity = { max_nodes = 2; };\n"
        "price = { on_demand_usd_per_node_hour = 1; as_of = \"2026\"; };\n"
        "power = { pue = 1; usd_per_kwh = 0.1; };\n";
    char path[256];
    (void)state;

    write_scratch(path, sizeof(path), "topo", text);
    capture_begin(&c);
    assert_int_equal(tce_topology_load(path, &t, &c.diag), 0);
    capture_end(&c);
    free(c.text);
    remove(path);
    /* integers accepted where numbers are expected */
    assert_close(t.accelerator.bf16_tflops, 100.0, 0);
    assert_close(t.accelerator.matmul_efficiency, 1.0, 0);
    assert_close(t.accelerator.memory_efficiency, 0.8, 1e-12);
    assert_close(t.scale_up.efficiency, 0.8, 1e-12);
    assert_close(t.scale_out.efficiency, 0.8, 1e-12);
    assert_close(t.reliability.interruptions_per_node_day, 0.0038, 1e-12);
    assert_close(t.reliability.restart_minutes, 30.0, 1e-12);
    assert_close(t.reliability.checkpoint_write_gbytes_per_s, 273.0, 1e-12);
    assert_int_equal(t.n_fabric, 0);
    assert_int_equal(t.n_contracts, 0);
}

static void test_include_relative(void **state)
{
    static struct tce_job a, b;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_job_load(GOOD "job.cfg", &a, &c.diag), 0);
    assert_int_equal(tce_job_load(GOOD "job-include.cfg", &b, &c.diag), 0);
    capture_end(&c);
    assert_int_equal(c.len, 0);
    free(c.text);
    assert_memory_equal(&a.model, &b.model, sizeof(a.model));
    assert_memory_equal(&a.parallel, &b.parallel, sizeof(a.parallel));
    assert_memory_equal(&a.training, &b.training, sizeof(a.training));
    assert_int_equal(b.origin.n_files, 2);
    assert_string_equal(b.origin.files[1], GOOD "parts/model.cfg");
}

/* Write a with the calibration writer to a scratch file NAME, load it back
 * into b; nothing said (capture c, begun by the caller, ends here). */
static void write_and_reload(const struct tce_calibration *a,
                             struct tce_calibration *b, const char *name,
                             struct capture *c)
{
    char path[256];
    FILE *f;

    scratch_path(path, sizeof(path), name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(tce_calibration_write(a, f), 0);
    fclose(f);
    assert_int_equal(tce_calibration_load(path, b, &c->diag), 0);
    capture_end(c);
    assert_int_equal(c->len, 0);
    free(c->text);
    remove(path);
}

/* A byte order mark and CRLF line ends load like the plain file. */
static void test_bom_crlf(void **state)
{
    static struct tce_job a, b;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_job_load(GOOD "job.cfg", &a, &c.diag), 0);
    assert_int_equal(tce_job_load(GOOD "job-bom-crlf.cfg", &b, &c.diag), 0);
    capture_end(&c);
    assert_int_equal(c.len, 0);
    free(c.text);
    assert_string_equal(a.name, b.name);
    assert_string_equal(a.description, b.description);
    assert_memory_equal(&a.model, &b.model, sizeof(a.model));
    assert_memory_equal(&a.parallel, &b.parallel, sizeof(a.parallel));
    assert_memory_equal(&a.training, &b.training, sizeof(a.training));
    assert_memory_equal(a.origin.line, b.origin.line, sizeof(a.origin.line));
}

static void test_calibration_round_trip(void **state)
{
    static struct tce_calibration a, b;
    const struct tce_calibration_link *l;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_calibration_load(GOOD "calibration.cfg", &a, &c.diag),
                     0);
    assert_int_equal(a.ranks, 8);
    assert_int_equal(a.ranks_per_node, 4);
    assert_string_equal(a.hosts, "node1,node2");
    assert_int_equal(a.n_links, 2);
    l = tce_calibration_find(&a, TCE_LINK_SCALE_OUT);
    assert_non_null(l);
    assert_close(l->latency_us, 25.0, 1e-12);
    assert_close(l->alltoall_efficiency, 0.6, 1e-12);
    assert_close(l->allreduce_efficiency, 1.0, 0); /* default */
    assert_null(tce_calibration_find(&a, TCE_LINK_FABRIC));

    write_and_reload(&a, &b, "cal", &c);
    assert_string_equal(a.mpi_library, b.mpi_library);
    assert_int_equal(b.n_links, 2);
    assert_memory_equal(a.links, b.links, sizeof(a.links));
}

/* A compute-only calibration: provenance, stack, rows; the writer nests
 * the compute group (and its stack group) and reads back the same table;
 * the shipped H100 table loads (45 GEMM shapes, 7 attention rows). */
static void test_calibration_compute(void **state)
{
    static struct tce_calibration a, b, h;
    const struct tce_computetable *t = &a.compute;
    struct capture c;
    char path[256];
    FILE *f;
    int i;
    (void)state;

    capture_begin(&c);
    assert_int_equal(
        tce_calibration_load(GOOD "calibration-compute.cfg", &a, &c.diag), 0);
    assert_int_equal(a.n_links, 0);
    assert_string_equal(t->device, "NVIDIA H100 80GB HBM3");
    assert_string_equal(t->stack.framework_version, "2.11.0+cu130");
    assert_true(t->stack.flash_attention);
    assert_false(t->stack.cuda_graphs);
    assert_close(t->launch_gap_us, 7.25, 1e-12);
    assert_int_equal(t->n_gemms, 2);
    assert_int_equal(t->gemms[0].k, 8192);
    assert_close(t->gemms[0].dgrad_s, 0.0003097, 1e-12);
    assert_int_equal(t->gemms[1].dtype, TCE_DTYPE_FP8);
    assert_true(t->gemms[1].wgrad_s == 0.0);
    assert_int_equal(t->n_attention, 1);
    assert_int_equal(t->attention[0].shape.num_query_groups, 1);
    assert_true(t->attention[0].shape.causal);

    scratch_path(path, sizeof(path), "calc");
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(tce_calibration_write(&a, f), 0);
    fclose(f);
    assert_int_equal(tce_calibration_load(path, &b, &c.diag), 0);
    assert_int_equal(tce_calibration_load(
                         "topologies/compute/h100-sxm5-80gb-pytorch2.11.cfg",
                         &h, &c.diag),
                     0);
    capture_end(&c);
    assert_int_equal(c.len, 0);
    free(c.text);
    remove(path);
    assert_string_equal(b.compute.device, t->device);
    assert_string_equal(b.compute.stack.framework, "PyTorch");
    assert_int_equal(b.compute.n_gemms, 2);
    assert_int_equal(b.compute.n_attention, 1);
    for (i = 0; i < 2; i++) {
        assert_int_equal(b.compute.gemms[i].m, t->gemms[i].m);
        assert_int_equal(b.compute.gemms[i].dtype, t->gemms[i].dtype);
        assert_close(b.compute.gemms[i].fwd_s, t->gemms[i].fwd_s, 1e-8);
    }
    assert_close(b.compute.attention[0].forward_backward_s,
                 t->attention[0].forward_backward_s, 1e-8);
    assert_int_equal(h.compute.n_gemms, 45);
    assert_int_equal(h.compute.n_attention, 7);
    assert_string_equal(h.compute.date, "2026-11-28");
}

/* The writer walks the schema: its exact bytes (those of the hand-written
 * writer it replaced) and a round trip of every field. */
static void test_calibration_write_bytes(void **state)
{
    static struct tce_calibration a, b;
    static const char expect[] =
        "# tcemu calibration file (tcemu validate reads it)\n"
        "calibration = {\n"
        "  tcemu_version = \"0.1.0 (git 0000000)\";\n"
        "  mpi_library = \"Open MPI v4.1.4\";\n"
        "  path = \"mpi_ranks\";\n"
        "  date = \"2026-11-26T10:00:00Z\";\n"
        "  hosts = \"a\\\"b\\\\cd\";\n"
        "  ranks = 8L;\n"
        "  ranks_per_node = 4L;\n"
        "  links = (\n"
        "    { link = \"scale_up\"; latency_us = 0.333333333; "
        "bandwidth_gbytes_per_s = 9.5;\n"
        "      rms_rel_error = 0.04; points = 14L;\n"
        "      allreduce_efficiency = 0.9; allgather_efficiency = 1;\n"
        "      reducescatter_efficiency = 1; alltoall_efficiency = 0.8;\n"
        "      sendrecv_efficiency = 1; },\n"
        "    { link = \"scale_out\"; latency_us = 25; "
        "bandwidth_gbytes_per_s = 1.1;\n"
        "      rms_rel_error = 0.07; points = 123456789012L;\n"
        "      allreduce_efficiency = 1; allgather_efficiency = 1;\n"
        "      reducescatter_efficiency = 1; alltoall_efficiency = 0.6;\n"
        "      sendrecv_efficiency = 1; }\n"
        "  );\n"
        "};\n";
    struct capture c;
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_calibration_load(GOOD "calibration.cfg", &a, &c.diag),
                     0);
    a.links[0].latency_us = 1.0 / 3.0;
    a.links[1].points = INT64_C(123456789012);
    snprintf(a.hosts, sizeof(a.hosts), "a\"b\\c\td");
    f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(tce_calibration_write(&a, f), 0);
    fclose(f);
    assert_string_equal(text, expect);
    free(text);

    /* round trip: every field equal (values exact in 9 digits, in range) */
    a.links[0].latency_us = 0.125;
    a.links[1].points = 1000000;
    snprintf(a.hosts, sizeof(a.hosts), "h\"1\\,h2");
    write_and_reload(&a, &b, "calbytes", &c);
    assert_string_equal(a.tcemu_version, b.tcemu_version);
    assert_string_equal(a.mpi_library, b.mpi_library);
    assert_string_equal(a.date, b.date);
    assert_string_equal(a.hosts, b.hosts);
    assert_int_equal(a.ranks, b.ranks);
    assert_int_equal(a.ranks_per_node, b.ranks_per_node);
    assert_int_equal(a.n_links, b.n_links);
    assert_memory_equal(a.links, b.links, sizeof(a.links));
}

/* A measured pattern's points (point_bytes, point_us: arrays of numbers)
 * round-trip through the writer: whole sizes written as floats (libconfig
 * arrays hold one type), times to 9 digits. */
static void test_calibration_points(void **state)
{
    static struct tce_calibration a, b;
    struct tce_calibration_coll *e;
    struct capture c;
    int i;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_calibration_load(GOOD "calibration-collectives.cfg",
                                          &a, &c.diag),
                     0);
    assert_true(a.n_colls > 0);
    e = &a.colls[0];
    assert_int_equal(e->n_point_bytes, 0); /* older files: none */
    for (i = 0; i < 3; i++) {
        e->point_bytes[i] = 1024.0 * (double)(1 << (2 * i));
        e->point_us[i] = 40.5 + 12.25 * i;
    }
    e->n_point_bytes = e->n_point_us = 3;
    write_and_reload(&a, &b, "calpoints", &c);
    assert_int_equal(b.colls[0].n_point_bytes, 3);
    assert_int_equal(b.colls[0].n_point_us, 3);
    for (i = 0; i < 3; i++) {
        assert_close(b.colls[0].point_bytes[i], e->point_bytes[i], 0);
        assert_close(b.colls[0].point_us[i], e->point_us[i], 1e-9);
    }
}

/* tce_job_defaults / tce_topology_defaults: the schema's default column,
 * what a loaded file holds for every key it leaves out. */
static void test_schema_defaults(void **state)
{
    static struct tce_job j;
    static struct tce_topology t;
    static struct tce_calibration_link l;
    (void)state;

    memset(&j, 0x5a, sizeof(j));
    tce_job_defaults(&j);
    assert_int_equal(j.parallel.tensor_model_parallel_size, 1);
    assert_int_equal(j.parallel.virtual_pipeline_model_parallel_size, 1);
    assert_int_equal(j.parallel.expert_model_parallel_size, 1);
    assert_int_equal(j.training.micro_batch_size, 1);
    /* 0: Megatron-Core's default bucket size (parameters) */
    assert_int_equal(j.training.ddp_bucket_size, 0);
    assert_int_equal(j.training.use_flash_attn, 1);
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);
    assert_int_equal(j.model.moe_layer_freq, 1);
    assert_int_equal(j.model.ffn_hidden_size, 0); /* derived */
    assert_int_equal(j.origin.n_files, 0);
    assert_string_equal(j.name, "");
    j.model.hidden_size = 1024;
    j.model.num_attention_heads = 16;
    tce_job_derive(&j);
    assert_int_equal(j.model.ffn_hidden_size, 4096);
    assert_int_equal(j.model.num_query_groups, 16);
    assert_int_equal(j.model.kv_channels, 64);
    assert_int_equal(j.model.moe_ffn_hidden_size, 4096);

    memset(&t, 0x5a, sizeof(t));
    tce_topology_defaults(&t);
    assert_close(t.scale_up.efficiency, 0.8, 0);
    assert_close(t.scale_out.efficiency, 0.8, 0);
    assert_close(t.accelerator.memory_efficiency, 0.8, 0);
    assert_close(t.fabric[0].oversubscription, 0.0, 0);
    assert_int_equal(t.n_fabric, 0);
    assert_int_equal(t.n_contracts, 0);
    assert_close(t.reliability.checkpoint_write_gbytes_per_s, 273.0, 0);
    assert_close(t.reliability.restart_minutes, 30.0, 0);

    memset(&l, 0x5a, sizeof(l));
    tce_calibration_link_defaults(&l);
    assert_close(l.allreduce_efficiency, 1.0, 0);
    assert_close(l.sendrecv_efficiency, 1.0, 0);
    assert_int_equal(l.points, 0);
}

struct bad_case {
    const char *file;
    enum tce_config_kind kind;
    const char *first; /* exact first line on the diagnostics stream */
};

/* One expected line per row, kept whole so that it can be grepped. */
/* clang-format off */
static const struct bad_case bad_cases[] = {
    {"calibration-duplicate-link.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-duplicate-link.cfg:14: error: calibration.links[1].link: second entry for link 'scale_up' (first is links[0])"},
    {"calibration-bad-path.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-bad-path.cfg:5: error: calibration.path: expected one of mpi_ranks, nccl_device (got \"nvlink\")"},
    {"calibration-missing-links.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-missing-links.cfg:2: error: calibration.links: missing required key"},
    {"calibration-range.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-range.cfg:10: error: calibration.links[0].bandwidth_gbytes_per_s: must be in (0, 1000000] (got 0.0)"},
    {"compute-dtype.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-dtype.cfg:18: error: calibration.compute.gemms[1].dtype: expected one of bf16, fp8 (got \"fp16\")"},
    {"compute-fwd-bwd.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-fwd-bwd.cfg:21: error: calibration.compute.attention[0]: attention row: need 0 < forward_s (0.0003576) < forward_backward_s (0.0003)"},
    {"compute-groups.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-groups.cfg:21: error: calibration.compute.attention[0]: attention row: num_query_groups (3) must divide num_attention_heads (8)"},
    {"compute-links-version.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-links-version.cfg:2: error: calibration.tcemu_version: missing required key"},
    {"compute-missing-device.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-missing-device.cfg:5: error: calibration.compute.device: missing required key"},
    {"compute-no-rows.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-no-rows.cfg:5: error: calibration.compute.gemms: a compute table needs gemms or attention rows (got none)"},
    {"compute-sustained-range.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-sustained-range.cfg:17: error: calibration.compute.sustained_ratio: must be in (0, 1] (got 1.04)"},
    {"compute-range.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-range.cfg:17: error: calibration.compute.gemms[0].m: must be in [1, 1073741824] (got 0)"},
    {"compute-untimed.cfg", TCE_CONFIG_CALIBRATION,
     BAD "compute-untimed.cfg:18: error: calibration.compute.gemms[1]: GEMM row: no pass timed (fwd_s, dgrad_s and wgrad_s all 0)"},
    {"topology-compute-bad.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "compute-groups.cfg:21: error: calibration.compute.attention[0]: attention row: num_query_groups (3) must divide num_attention_heads (8)"},
    {"topology-compute-missing.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "parts/no-such-file.cfg:1: error: cannot read file: No such file or directory"},
    {"topology-compute-none.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "topology-compute-none.cfg:17: error: accelerator.compute_calibration: 'tests/fixtures/bad/../good/calibration.cfg' has no compute table (calibration.compute)"},
    {"topology-shape-none.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "topology-shape-none.cfg:16: error: accelerator.gemm_shape_reference: 'tests/fixtures/bad/../good/calibration.cfg' has no compute table (calibration.compute)"},
    {"topology-shape-small.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "topology-shape-small.cfg:17: error: accelerator.gemm_shape_reference: '../good/calibration-compute.cfg' has no BF16 GEMM row of at least 1e+04 GFLOP (100 x accelerator.matmul_half_gflop) to rate shapes against"},
    {"cross-commitment-nodes.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-commitment-nodes.cfg:71: error: contracts[4].committed_nodes: must be in [1, capacity.max_nodes = 4] (got 64)"},
    {"cross-contract-duplicate.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-contract-duplicate.cfg:68: error: contracts[3].name: duplicate contract name 'on-demand' (also contracts[0])"},
    {"cross-on-demand-price.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-on-demand-price.cfg:61: error: contracts[0].usd_per_node_hour: on_demand contract 'on-demand' is 55.04 USD/node-hour but price.on_demand_usd_per_node_hour is 60 (one on-demand price: make them equal or drop the contract's)"},
    {"cross-cp-seq.cfg", TCE_CONFIG_JOB,
     BAD "cross-cp-seq.cfg:12: error: model.seq_length: must be divisible by 2 x context_parallel_size = 4 (got 2050)"},
    {"cross-domain.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-domain.cfg:28: error: scale_up.domain_accelerators: must be a multiple or a divisor of node.accelerators 8 (got 3)"},
    {"cross-ep-dense.cfg", TCE_CONFIG_JOB,
     BAD "cross-ep-dense.cfg:24: error: parallel.expert_model_parallel_size: needs num_experts > 0 (got 2)"},
    {"cross-ep-dp.cfg", TCE_CONFIG_JOB,
     BAD "cross-ep-dp.cfg:26: error: parallel.expert_model_parallel_size: must divide the data parallel size 2 = num_gpus / (tp x pp x cp) (got 4)"},
    {"cross-experts-ep.cfg", TCE_CONFIG_JOB,
     BAD "cross-experts-ep.cfg:26: error: parallel.expert_model_parallel_size: must divide num_experts 6 (got 4)"},
    {"cross-fabric-order.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-fabric-order.cfg:46: error: fabric[1].group_nodes: must be greater than the tier below, 2 (got 2)"},
    {"cross-fp8-dispatch.cfg", TCE_CONFIG_JOB,
     BAD "cross-fp8-dispatch.cfg:34: error: training.moe_fp8_dispatch: needs FP8 (precision = \"fp8\" or fp8 = \"e4m3\" / \"hybrid\")"},
    /* mem (wave 6) */
    {"cross-recompute-modules.cfg", TCE_CONFIG_JOB,
     BAD "cross-recompute-modules.cfg:32: error: training.recompute_modules: unknown module 'attn' (core_attn, mlp, moe_act, layernorm, mla_up_proj, moe, shared_experts)"},
    /* host (issue 11) */
    {"cross-cuda-graph-modules.cfg", TCE_CONFIG_JOB,
     BAD "cross-cuda-graph-modules.cfg:32: error: training.cuda_graph_modules: moe_preprocess needs moe_router (Megatron-Core captures the preprocess only after the router)"},
    {"cross-global-batch.cfg", TCE_CONFIG_JOB,
     BAD "cross-global-batch.cfg:28: error: training.global_batch_size: must be a multiple of data parallel size x micro_batch_size 2 x 1 = 2 (got 15)"},
    {"cross-gpus-tp-pp.cfg", TCE_CONFIG_JOB,
     BAD "cross-gpus-tp-pp.cfg:18: error: parallel.num_gpus: must be a multiple of tensor x pipeline x context parallel sizes 2 x 2 x 1 = 4 (got 10)"},
    {"cross-groups-tp.cfg", TCE_CONFIG_JOB,
     BAD "cross-groups-tp.cfg:11: error: model.num_query_groups: must be divisible by tensor_model_parallel_size 2 (got 1)"},
    {"cross-heads-groups.cfg", TCE_CONFIG_JOB,
     BAD "cross-heads-groups.cfg:11: error: model.num_query_groups: must divide num_attention_heads 16 (got 6)"},
    {"cross-heads-tp.cfg", TCE_CONFIG_JOB,
     BAD "cross-heads-tp.cfg:10: error: model.num_attention_heads: must be divisible by tensor_model_parallel_size 8 (got 20)"},
    {"cross-layers-pp.cfg", TCE_CONFIG_JOB,
     BAD "cross-layers-pp.cfg:7: error: model.num_layers: must be divisible by pipeline x virtual pipeline sizes 2 x 2 = 4 (got 6)"},
    {"cross-mla.cfg", TCE_CONFIG_JOB,
     BAD "cross-mla.cfg:6: error: model.kv_lora_rank: must be > 0 with multi_latent_attention (got 0)"},
    {"cross-moe-first-dense.cfg", TCE_CONFIG_JOB,
     BAD "cross-moe-first-dense.cfg:17: error: model.moe_first_dense_layers: must be less than num_layers 8 (got 8)"},
    {"cross-router-groups.cfg", TCE_CONFIG_JOB,
     BAD "cross-router-groups.cfg:17: error: model.moe_router_num_groups: must divide num_experts = 8 (got 3)"},
    {"cross-topk.cfg", TCE_CONFIG_JOB,
     BAD "cross-topk.cfg:6: error: model.moe_router_topk: must be in [1, num_experts = 8] for an MoE model (got 0)"},
    {"cross-train-tokens.cfg", TCE_CONFIG_JOB,
     BAD "cross-train-tokens.cfg:29: error: training.train_tokens: must be at least one iteration, global_batch_size x seq_length = 32768 (got 1000)"},
    {"cross-vpp-without-pp.cfg", TCE_CONFIG_JOB,
     BAD "cross-vpp-without-pp.cfg:21: error: parallel.virtual_pipeline_model_parallel_size: needs pipeline_model_parallel_size > 1 (got 2)"},
    {"cross-ep-overlap-no-ep.cfg", TCE_CONFIG_JOB,
     BAD "cross-ep-overlap-no-ep.cfg:34: error: training.overlap_moe_expert_parallel_comm: needs expert_model_parallel_size > 1 (got 1)"},
    {"cross-pad-no-capacity.cfg", TCE_CONFIG_JOB,
     BAD "cross-pad-no-capacity.cfg:34: error: training.moe_pad_expert_input_to_capacity: needs training.moe_expert_capacity_factor > 0 (the capacity it pads to)"},
    {"hostile-binary-no-nul.cfg", TCE_CONFIG_JOB,
     BAD "hostile-binary-no-nul.cfg:1: error: syntax error"},
    {"hostile-binary.cfg", TCE_CONFIG_JOB,
     BAD "hostile-binary.cfg:2: error: file contains a NUL byte (binary file?)"},
    {"hostile-comments-only.cfg", TCE_CONFIG_JOB,
     BAD "hostile-comments-only.cfg:1: error: no settings in the file (empty file?)"},
    {"hostile-crlf.cfg", TCE_CONFIG_JOB,
     BAD "hostile-crlf.cfg:7: error: model.num_layers: must be in [1, 100000] (got 0)"},
    {"hostile-deep-nesting.cfg", TCE_CONFIG_JOB,
     BAD "hostile-deep-nesting.cfg:1: error: nesting too deep (parser stack exhausted)"},
    {"hostile-directory.cfg", TCE_CONFIG_JOB,
     BAD "hostile-directory.cfg:1: error: cannot read file: is a directory, not a file"},
    {"hostile-empty.cfg", TCE_CONFIG_JOB,
     BAD "hostile-empty.cfg:1: error: no settings in the file (empty file?)"},
    {"hostile-huge-float.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "hostile-huge-float.cfg:9: error: accelerator.bf16_tflops: must be a finite number (got inf)"},
    {"hostile-huge-int.cfg", TCE_CONFIG_JOB,
     BAD "hostile-huge-int.cfg:29: error: training.train_tokens: integer does not fit in 64 bits (got 99999999999999999999L)"},
    {"hostile-int32-wrap.cfg", TCE_CONFIG_JOB,
     BAD "hostile-int32-wrap.cfg:29: error: training.train_tokens: integer does not fit in 32 bits: libconfig needs the L suffix, write 15600000000000L (got 15600000000000)"},
    {"hostile-long-string.cfg", TCE_CONFIG_JOB,
     BAD "hostile-long-string.cfg:2: error: name: string too long: 5000 bytes, at most 63 (got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\")"},
    {"hostile-many-settings.cfg", TCE_CONFIG_JOB,
     BAD "hostile-many-settings.cfg:2008: error: more than 2000 settings in "
         "the file and its includes (the parser's time grows with their "
         "square)"},
    {"hostile-many-errors.cfg", TCE_CONFIG_JOB,
     BAD "hostile-many-errors.cfg:35: error: unknown_000: unknown key 'unknown_000'"},
    {"hostile-nested-unknown.cfg", TCE_CONFIG_JOB,
     BAD "hostile-nested-unknown.cfg:15: error: model.x: unknown key 'x'"},
    {"include-error-after.cfg", TCE_CONFIG_JOB,
     BAD "include-error-after.cfg:8: error: parallel.num_gpus: must be in [1, 1073741824] (got 0)"},
    {"include-error-inside.cfg", TCE_CONFIG_JOB,
     BAD "parts/bad-model.cfg:8: error: model.seq_length: must be in [1, 16777216] (got 0)"},
    {"include-loop.cfg", TCE_CONFIG_JOB,
     BAD "parts/loop-b.cfg:2: error: @include: include loop: 'tests/fixtures/bad/parts/loop-a.cfg' is already being read"},
    {"include-missing.cfg", TCE_CONFIG_JOB,
     BAD "include-missing.cfg:6: error: @include: cannot read 'tests/fixtures/bad/parts/no-such-file.cfg': No such file or directory"},
    {"missing-contract-key.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "missing-contract-key.cfg:66: error: contracts[2].term_months: missing required key for kind 'reserved'"},
    {"missing-empty-name.cfg", TCE_CONFIG_JOB,
     BAD "missing-empty-name.cfg:2: error: name: must not be empty (got \"\")"},
    {"missing-group.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "missing-group.cfg:1: error: power: missing required group"},
    {"missing-model-key.cfg", TCE_CONFIG_JOB,
     BAD "missing-model-key.cfg:6: error: model.vocab_size: missing required key"},
    {"missing-name.cfg", TCE_CONFIG_JOB,
     BAD "missing-name.cfg:1: error: name: missing required key"},
    {"missing-topology-key.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "missing-topology-key.cfg:35: error: scale_out.latency_us: missing required key"},
    {"range-efficiency-high.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-efficiency-high.cfg:14: error: accelerator.matmul_efficiency: must be in (0, 1] (got 1.5)"},
    {"range-attention-efficiency.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-attention-efficiency.cfg:18: error: accelerator.attention_efficiency: must be in [0, 1] (got 1.5)"},
    {"range-sustained-ratio.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-sustained-ratio.cfg:18: error: accelerator.sustained_compute_ratio: must be in (0, 1] (got 0.0)"},
    {"range-efficiency-zero.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-efficiency-zero.cfg:14: error: accelerator.matmul_efficiency: must be in (0, 1] (got 0)"},
    {"range-negative-tp.cfg", TCE_CONFIG_JOB,
     BAD "range-negative-tp.cfg:19: error: parallel.tensor_model_parallel_size: must be in [1, 1048576] (got -2)"},
    {"range-num-gpus.cfg", TCE_CONFIG_JOB,
     BAD "range-num-gpus.cfg:18: error: parallel.num_gpus: must be in [1, 1073741824] (got 2000000000)"},
    {"range-price-zero.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-price-zero.cfg:55: error: price.on_demand_usd_per_node_hour: "
         "must be in (0, 1000000] (got 0)"},
    {"cross-contract-price-zero.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "cross-contract-price-zero.cfg:68: error: "
         "contracts[3].usd_per_node_hour: spot contract 'spot' needs a price "
         "above 0 (0 means the list price only for on_demand)"},
    {"range-oversubscription.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-oversubscription.cfg:46: error: fabric[1].oversubscription: must be in [1, 1000] (got 0.5)"},
    {"range-price.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-price.cfg:55: error: price.on_demand_usd_per_node_hour: must be in (0, 1000000] (got -1.0)"},
    {"range-pue.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-pue.cfg:76: error: power.pue: must be in [1, 3] (got 0.9)"},
    {"range-too-many-tiers.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "range-too-many-tiers.cfg:44: error: fabric: at most 4 entries (got 5)"},
    {"range-zero-layers.cfg", TCE_CONFIG_JOB,
     BAD "range-zero-layers.cfg:7: error: model.num_layers: must be in [1, 100000] (got 0)"},
    {"syntax-double-equals.cfg", TCE_CONFIG_JOB,
     BAD "syntax-double-equals.cfg:7: error: syntax error"},
    {"syntax-duplicate-key.cfg", TCE_CONFIG_JOB,
     BAD "syntax-duplicate-key.cfg:9: error: duplicate setting name"},
    {"syntax-include-form.cfg", TCE_CONFIG_JOB,
     BAD "syntax-include-form.cfg:6: error: @include: expected @include \"FILE\" alone on its line"},
    {"syntax-unclosed-group.cfg", TCE_CONFIG_JOB,
     BAD "syntax-unclosed-group.cfg:34: error: syntax error at end of file (unclosed group, list or string?)"},
    {"syntax-unterminated-string.cfg", TCE_CONFIG_JOB,
     BAD "syntax-unterminated-string.cfg:34: error: syntax error at end of file (unclosed group, list or string?)"},
    {"type-bool-int.cfg", TCE_CONFIG_JOB,
     BAD "type-bool-int.cfg:14: error: model.swiglu: expected true or false (got 1)"},
    {"type-double-string.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "type-double-string.cfg:9: error: accelerator.bf16_tflops: expected a number (got \"989\")"},
    {"type-enum-int.cfg", TCE_CONFIG_JOB,
     BAD "type-enum-int.cfg:31: error: training.precision: expected a string, one of bf16, fp8 (got 16)"},
    {"type-enum.cfg", TCE_CONFIG_JOB,
     BAD "type-enum.cfg:30: error: training.recompute_granularity: expected one of none, selective, full (got \"partial\")"},
    {"type-group-scalar.cfg", TCE_CONFIG_JOB,
     BAD "type-group-scalar.cfg:17: error: parallel: expected a group (got 8)"},
    {"type-int-float.cfg", TCE_CONFIG_JOB,
     BAD "type-int-float.cfg:7: error: model.num_layers: expected an integer (got 8.0)"},
    {"type-int-string.cfg", TCE_CONFIG_JOB,
     BAD "type-int-string.cfg:8: error: model.hidden_size: expected an integer (got \"1024\")"},
    {"type-list-element.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "type-list-element.cfg:46: error: fabric[1]: expected a group (got 5)"},
    {"type-list-group.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "type-list-group.cfg:44: error: fabric: expected a list of groups ( {...}, {...} ) (got a group)"},
    {"type-string-int.cfg", TCE_CONFIG_JOB,
     BAD "type-string-int.cfg:2: error: name: expected a string (got 5)"},
    {"unknown-key-contract.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "unknown-key-contract.cfg:68: error: contracts[3].interruptions: unknown key 'interruptions' (did you mean 'interruptions_per_node_day'?)"},
    {"unknown-key-misplaced.cfg", TCE_CONFIG_JOB,
     BAD "unknown-key-misplaced.cfg:28: error: training.num_gpus: unknown key 'num_gpus' (did you mean 'parallel.num_gpus'?)"},
    {"unknown-key-nothing-near.cfg", TCE_CONFIG_JOB,
     BAD "unknown-key-nothing-near.cfg:6: error: xyzzy_plugh: unknown key 'xyzzy_plugh'"},
    {"unknown-key-top.cfg", TCE_CONFIG_JOB,
     BAD "unknown-key-top.cfg:3: error: descripton: unknown key 'descripton' (did you mean 'description'?)"},
    {"unknown-key-topology.cfg", TCE_CONFIG_TOPOLOGY,
     BAD "unknown-key-topology.cfg:9: error: accelerator.bf16_tflop: unknown key 'bf16_tflop' (did you mean 'bf16_tflops'?)"},
    {"unknown-key-typo.cfg", TCE_CONFIG_JOB,
     BAD "unknown-key-typo.cfg:8: error: model.hiden_size: unknown key 'hiden_size' (did you mean 'hidden_size'?)"},
    /* stack: the stack overhead and a job's stack group */
    {"stack-overhead-missing.cfg", TCE_CONFIG_CALIBRATION,
     BAD "stack-overhead-missing.cfg:5: error: calibration.stack_overhead.per_microbatch_s: missing required key"},
    {"stack-overhead-points.cfg", TCE_CONFIG_CALIBRATION,
     BAD "stack-overhead-points.cfg:18: error: calibration.stack_overhead.points: a stack overhead is fitted from at least 2 points (got 1)"},
    {"stack-overhead-range-m.cfg", TCE_CONFIG_CALIBRATION,
     BAD "stack-overhead-range-m.cfg:20: error: calibration.stack_overhead.microbatches_max: must be at least microbatches_min 4 (got 2)"},
    {"stack-overhead-range.cfg", TCE_CONFIG_CALIBRATION,
     BAD "stack-overhead-range.cfg:6: error: calibration.stack_overhead.per_iteration_s: must be in [0, 10000] (got -0.06)"},
    {"job-stack-backend.cfg", TCE_CONFIG_JOB,
     BAD "job-stack-backend.cfg:37: error: stack.attention_backend: expected one of unspecified, auto, flash, fused, unfused, local (got \"flash2\")"},
    /* attn (issue 11) */
    {"enum-cp-comm-type.cfg", TCE_CONFIG_JOB,
     BAD "enum-cp-comm-type.cfg:24: error: parallel.cp_comm_type: expected one of p2p, all_gather, a2a (got \"ring\")"},
    {"range-cp-imbalance.cfg", TCE_CONFIG_JOB,
     BAD "range-cp-imbalance.cfg:31: error: training.cp_attention_imbalance: must be in [1, 64] (got 0.5)"},

    /* repro (issue 11): pipeline layouts and MoE Parallel Folding */
    {"cross-pipeline-layout.cfg", TCE_CONFIG_JOB,
     BAD "cross-pipeline-layout.cfg:27: error: parallel.pipeline_model_parallel_layout: has 3 virtual stages, pipeline x virtual pipeline sizes are 2 x 2 = 4"},
    {"syntax-pipeline-layout.cfg", TCE_CONFIG_JOB,
     BAD "syntax-pipeline-layout.cfg:27: error: parallel.pipeline_model_parallel_layout: unbalanced '('"},
    {"cross-ep-fold.cfg", TCE_CONFIG_JOB,
     BAD "cross-ep-fold.cfg:26: error: parallel.expert_model_parallel_size: x expert_tensor_parallel_size (4 x 2) must divide the 4 ranks of a pipeline stage = tp x cp x dp"},
    /* links: calibration.collectives */
    {"calibration-colls-duplicate.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-duplicate.cfg:21: error: calibration.collectives[1]: second entry for this kind, span, ranks_per_node and concurrency (first is collectives[0])"},
    {"calibration-colls-kind.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-kind.cfg:14: error: calibration.collectives[0].kind: expected one of allreduce, allgather, reducescatter, alltoall, sendrecv (got \"broadcast\")"},
    {"calibration-colls-no-links.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-no-links.cfg:2: error: calibration.links: missing required key"},
    {"calibration-colls-regimes.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-regimes.cfg:14: error: calibration.collectives[0]: medium_from_bytes 524288 is above large_from_bytes 16384"},
    {"calibration-colls-sizes.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-sizes.cfg:14: error: calibration.collectives[0]: min_bytes 4194304 is above max_bytes 1024"},
    {"calibration-colls-scale-up-shape.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-scale-up-shape.cfg:21: error: calibration.collectives[1]: a scale_up group is on one node: ranks_per_node 2 must equal group_ranks 4"},
    {"calibration-colls-points.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-points.cfg:14: error: calibration.collectives[0]: point_bytes has 3 sizes but point_us 2 times: one time per size"},
    {"calibration-colls-point-type.cfg", TCE_CONFIG_CALIBRATION,
     BAD "calibration-colls-point-type.cfg:21: error: calibration.collectives[0].point_bytes[0]: expected a number (got \"1 KiB\")"},
};
/* clang-format on */

static void test_bad_fixtures(void **state)
{
    size_t i;
    int failures = 0;
    (void)state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *b = &bad_cases[i];
        struct capture c;
        char path[512], line[1024];
        int rc;

        snprintf(path, sizeof(path), BAD "%s", b->file);
        capture_begin(&c);
        rc = load_kind(b->kind, path, &c.diag);
        capture_end(&c);
        first_line(c.text ? c.text : "", line, sizeof(line));
        if (rc != TCE_ECONFIG || c.diag.errors < 1 ||
            strcmp(line, b->first) != 0) {
            print_error("%s: rc %d, %d errors\n  got:      %s\n"
                        "  expected: %s\n",
                        b->file, rc, c.diag.errors, line, b->first);
            failures++;
        }
        free(c.text);
    }
    assert_int_equal(failures, 0);
}

/* Every bad fixture (*.cfg) has its row in the table (no fixture left
 * unchecked). */
static void test_bad_fixtures_all_listed(void **state)
{
    DIR *d = opendir(BAD);
    struct dirent *e;
    int n = 0, missing = 0;
    size_t i;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int found = 0;

        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        n++;
        for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
            if (strcmp(bad_cases[i].file, e->d_name) == 0)
                found = 1;
        if (!found) {
            print_error("%s has no expected error in bad_cases\n", e->d_name);
            missing++;
        }
    }
    closedir(d);
    assert_int_equal(missing, 0);
    assert_true(n >= 40);
    assert_int_equal((size_t)n, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* Several errors in one file: all reported, sorted by line. */
static void test_all_errors_reported(void **state)
{
    struct capture c;
    const char *expected =
        BAD "hostile-many-errors.cfg:35: error: unknown_000: unknown key "
            "'unknown_000'\n";
    char *last;
    (void)state;

    capture_begin(&c);
    assert_int_equal(
        load_kind(TCE_CONFIG_JOB, BAD "hostile-many-errors.cfg", &c.diag),
        TCE_ECONFIG);
    capture_end(&c);
    assert_true(strncmp(c.text, expected, strlen(expected)) == 0);
    /* 100 shown, then one line for the 50 left out */
    assert_int_equal(c.diag.errors, 101);
    last = strstr(c.text, "50 more errors not shown");
    assert_non_null(last);
    free(c.text);

    capture_begin(&c);
    assert_int_equal(
        load_kind(TCE_CONFIG_JOB, BAD "unknown-key-typo.cfg", &c.diag),
        TCE_ECONFIG);
    capture_end(&c);
    assert_int_equal(c.diag.errors, 1);
    free(c.text);
}

static void test_job_check_gpus(void **state)
{
    static struct tce_job j;
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_job_load(GOOD "job.cfg", &j, &c.diag), 0);
    j.parallel.num_gpus = 16; /* dp 4: 16 % (4 x 1) == 0 */
    assert_int_equal(tce_job_check(&j, &c.diag), 0);
    j.parallel.num_gpus = 12; /* dp 3: 16 % 3 != 0 */
    assert_int_equal(tce_job_check(&j, NULL), TCE_ECONFIG); /* silent */
    assert_int_equal(tce_job_check(&j, &c.diag), TCE_ECONFIG);
    capture_end(&c);
    assert_string_equal(
        c.text, GOOD "job.cfg:28: error: training.global_batch_size: must be "
                     "a multiple of data parallel size x micro_batch_size 3 "
                     "x 1 = 3 (got 16)\n");
    free(c.text);
}

static void test_detect_kind(void **state)
{
    static const struct {
        const char *path;
        enum tce_config_kind kind;
    } cases[] = {
        {GOOD "job.cfg", TCE_CONFIG_JOB},
        {GOOD "job-include.cfg", TCE_CONFIG_JOB},
        {GOOD "job-bom-crlf.cfg", TCE_CONFIG_JOB},
        {GOOD "topology.cfg", TCE_CONFIG_TOPOLOGY},
        {GOOD "calibration.cfg", TCE_CONFIG_CALIBRATION},
    };
    struct capture c;
    enum tce_config_kind k;
    size_t i;
    (void)state;

    capture_begin(&c);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(tce_config_detect_kind(cases[i].path, &k, &c.diag), 0);
        assert_int_equal(k, cases[i].kind);
    }
    assert_int_equal(
        tce_config_detect_kind(BAD "hostile-deep-nesting.cfg", &k, &c.diag),
        TCE_ECONFIG);
    capture_end(&c);
    assert_string_equal(c.text, BAD "hostile-deep-nesting.cfg:1: error: "
                                    "nesting too deep (parser stack "
                                    "exhausted)\n");
    free(c.text);
    assert_string_equal(tce_config_kind_name(TCE_CONFIG_JOB), "job");
    assert_null(tce_config_kind_name(TCE_CONFIG_UNKNOWN));
}

static void test_unreadable(void **state)
{
    struct capture c;
    char path[256], expected[512];
    (void)state;

    write_scratch(path, sizeof(path), "unreadable", "name = \"x\";\n");
    chmod(path, 0);
    if (access(path, R_OK) == 0) { /* root reads anything */
        remove(path);
        skip();
    }
    capture_begin(&c);
    assert_int_equal(load_kind(TCE_CONFIG_JOB, path, &c.diag), TCE_ECONFIG);
    capture_end(&c);
    snprintf(expected, sizeof(expected),
             "%s:1: error: cannot read file: Permission denied\n", path);
    assert_string_equal(c.text, expected);
    free(c.text);
    remove(path);
}

struct visit_count {
    int n, defaults;
    int saw_tokens;
    int fabric, contracts; /* keys of list entries */
};

static void count_value(const struct tce_config_value *v, void *arg)
{
    struct visit_count *vc = arg;

    vc->n++;
    vc->defaults += v->is_default;
    vc->fabric += strncmp(v->key, "fabric[", 7) == 0;
    vc->contracts += strncmp(v->key, "contracts[", 10) == 0;
    if (strcmp(v->key, "training.train_tokens") == 0) {
        assert_int_equal(v->type, TCE_CONFIG_INT);
        assert_true(v->i == INT64_C(15600000000000));
        assert_string_equal(v->unit, "tokens");
        assert_false(v->is_default);
        vc->saw_tokens = 1;
    }
    if (strcmp(v->key, "model.kv_channels") == 0)
        assert_true(v->is_default);
    if (strcmp(v->key, "training.recompute_granularity") == 0)
        assert_string_equal(v->s, "selective");
}

static void test_visit(void **state)
{
    static struct tce_job j;
    static struct tce_topology t;
    struct visit_count vc = {0, 0, 0, 0, 0};
    struct capture c;
    (void)state;

    capture_begin(&c);
    assert_int_equal(tce_job_load(GOOD "job.cfg", &j, &c.diag), 0);
    assert_int_equal(tce_topology_load(GOOD "topology.cfg", &t, &c.diag), 0);
    capture_end(&c);
    free(c.text);
    assert_int_equal(tce_config_visit(TCE_CONFIG_JOB, &j, count_value, &vc), 0);
    assert_true(vc.saw_tokens);
    /* every job key (at least the 43 of the first schema), of which the 24
     * set in job.cfg are not defaults; robust to keys added later */
    assert_true(vc.n >= 43);
    assert_int_equal(vc.n - vc.defaults, 24);
    memset(&vc, 0, sizeof(vc));
    assert_int_equal(
        tce_config_visit(TCE_CONFIG_TOPOLOGY, &t, count_value, &vc), 0);
    /* 2 tiers x 4 keys, 5 contracts x 11 keys, >= 41 scalar keys */
    assert_int_equal(vc.fabric, 2 * 4);
    assert_int_equal(vc.contracts, 5 * 11);
    assert_true(vc.n - vc.fabric - vc.contracts >= 41);
}

static void test_print_keys(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    (void)state;

    assert_non_null(f);
    tce_config_print_keys(TCE_CONFIG_JOB, f);
    fclose(f);
    assert_non_null(strstr(text, "\nmodel.hidden_size "));
    assert_non_null(strstr(text, "training.ddp_bucket_size"));
    assert_non_null(strstr(text, "none, selective, full"));
    free(text);
    f = open_memstream(&text, &len);
    tce_config_print_keys_markdown(TCE_CONFIG_TOPOLOGY, f);
    fclose(f);
    assert_true(strncmp(text,
                        "| key | type | unit | range | default | "
                        "description |\n|---|",
                        50) == 0);
    assert_non_null(strstr(text, "| `contracts[].kind` | enum |"));
    assert_non_null(strstr(text, "| `power.pue` | number | - | [1, 3] | "
                                 "required |"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_job),
        cmocka_unit_test(test_good_job_defaults),
        cmocka_unit_test(test_good_topology),
        cmocka_unit_test(test_topology_defaults),
        cmocka_unit_test(test_include_relative),
        cmocka_unit_test(test_bom_crlf),
        cmocka_unit_test(test_calibration_round_trip),
        cmocka_unit_test(test_calibration_write_bytes),
        cmocka_unit_test(test_calibration_points),
        cmocka_unit_test(test_calibration_compute),
        cmocka_unit_test(test_schema_defaults),
        cmocka_unit_test(test_bad_fixtures),
        cmocka_unit_test(test_bad_fixtures_all_listed),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_job_check_gpus),
        cmocka_unit_test(test_detect_kind),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_visit),
        cmocka_unit_test(test_print_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
