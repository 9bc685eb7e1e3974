/*
 * load.c - the loaders (tce_topology_load, tce_job_load,
 * tce_calibration_load), kind detection and the schema defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "tcemu/datadir.h"
#include "tcemu/graphscope.h" /* host (issue 11) */
#include "tcemu/recompute.h" /* mem (wave 6) */
#include "tcemu/rules.h"

static void copy_origin_files(struct loader *ld)
{
    int i;

    if (!ld->origin)
        return;
    ld->origin->n_files = ld->n_files;
    for (i = 0; i < ld->n_files; i++)
        snprintf(ld->origin->files[i], TCE_TEXT_MAX, "%s", ld->files[i]);
}

int tce_config_detect_kind(const char *path, enum tce_config_kind *kind,
                           struct tce_diag *diag)
{
    struct loader *ld = calloc(1, sizeof(*ld));
    config_setting_t *root;
    int rc;

    *kind = TCE_CONFIG_UNKNOWN;
    if (!ld)
        return TCE_ENOMEM;
    rc = tce_cfg_parse(ld, path, diag, 0);
    if (rc != 0 || ld->errors) {
        rc = TCE_ECONFIG;
        goto out;
    }
    root = config_root_setting(&ld->cfg);
    if (config_setting_get_member(root, "model"))
        *kind = TCE_CONFIG_JOB;
    else if (config_setting_get_member(root, "accelerator"))
        *kind = TCE_CONFIG_TOPOLOGY;
    else if (config_setting_get_member(root, "calibration"))
        *kind = TCE_CONFIG_CALIBRATION;
    else
        rc = tce_cfg_error(
            ld, 0, 1, NULL,
            "cannot tell the kind of file: no 'model' (job), "
            "'accelerator' (topology) or 'calibration' group; use "
            "--kind");
out:
    tce_cfg_release(ld);
    free(ld);
    return rc;
}

/* A compute table a topology names by key (accelerator.compute_calibration
 * or, shape (issue 11), accelerator.gemm_shape_reference: a calibration
 * file relative to the topology's directory) into *out; errors inside that
 * file cite it, a file without a table cites the key. */
static int topology_table(struct tce_topology *t, const char *key,
                          const char *name, struct tce_computetable *out,
                          struct tce_diag *diag)
{
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_TOPOLOGY);
    const char *slash = strrchr(t->path, '/');
    struct tce_calibration *cal;
    char path[2 * TCE_TEXT_MAX + 2];
    int rc = 0, slot;

    tce_computetable_init(out);
    if (!name[0])
        return 0;
    if (name[0] == '/' || !slash)
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - t->path),
                 t->path, name);
    cal = calloc(1, sizeof(*cal));
    if (!cal)
        return TCE_ENOMEM;
    slot = tce_cfg_slot(sc, key);
    rc = tce_calibration_load(path, cal, diag);
    if (rc != 0) {
        rc = tce_diag_error(diag, t->origin.files[t->origin.file[slot]],
                            t->origin.line[slot], key,
                            "cannot load the compute table '%s' (see above)",
                            path);
        goto out;
    }
    if (!tce_computetable_has_rows(&cal->compute)) {
        rc = tce_diag_error(diag, t->origin.files[t->origin.file[slot]],
                            t->origin.line[slot], key,
                            "'%s' has no compute table (calibration.compute)",
                            path);
        goto out;
    }
    *out = cal->compute;
out:
    free(cal);
    return rc;
}

static int topology_compute(struct tce_topology *t, struct tce_diag *diag)
{
    int rc = topology_table(t, "accelerator.compute_calibration",
                            t->accelerator.compute_calibration, &t->compute,
                            diag);

    if (rc == 0)
        rc = topology_table(t, "accelerator.gemm_shape_reference",
                            t->accelerator.gemm_shape_reference,
                            &t->shape_reference, diag);
    /* shape (issue 11): a reference rates shapes against its large GEMMs
     * (gemmshape.h): one without any would be silently unused */
    if (rc == 0 && tce_computetable_has_rows(&t->shape_reference) &&
        !(tce_computetable_large_rate(&t->shape_reference,
                                      100.0 *
                                          t->accelerator.matmul_half_gflop *
                                          1e9) > 0)) {
        const struct schema *sc = tce_cfg_schema(TCE_CONFIG_TOPOLOGY);
        int slot = tce_cfg_slot(sc, "accelerator.gemm_shape_reference");

        rc = tce_diag_error(
            diag, t->origin.files[t->origin.file[slot]],
            t->origin.line[slot], "accelerator.gemm_shape_reference",
            "'%s' has no BF16 GEMM row of at least %.4g GFLOP (100 x "
            "accelerator.matmul_half_gflop) to rate shapes against",
            t->accelerator.gemm_shape_reference,
            100.0 * t->accelerator.matmul_half_gflop);
    }
    return rc;
}

/* The generic loader: parse, walk the schema, then the kind's rules. */
static int load(enum tce_config_kind kind, const char *path, void *obj,
                char *obj_path, struct tce_config_origin *origin,
                struct tce_diag *diag)
{
    const struct schema *sc = tce_cfg_schema(kind);
    struct loader *ld = calloc(1, sizeof(*ld));
    char file[TCE_TEXT_MAX];
    struct tce_error err;
    int rc = 0;

    if (!ld)
        return TCE_ENOMEM;
    /* -t aws-p5, -j llama3-70b: a NAME is a shipped file (datadir.h) */
    if (tce_datadir_resolve(kind == TCE_CONFIG_TOPOLOGY ? TCE_DATA_TOPOLOGY
                            : kind == TCE_CONFIG_JOB    ? TCE_DATA_JOB
                                                        : TCE_DATA_PATH,
                            path, file, sizeof(file), &err) != 0) {
        free(ld);
        return tce_diag_error(diag, NULL, 0, NULL, "%s", err.msg);
    }
    path = file;
    tce_cfg_defaults(sc, obj);
    if (tce_cfg_list_base(sc, sc->n_fields) > TCE_CONFIG_SLOTS_MAX) {
        free(ld);
        return tce_diag_error(diag, path, 1, NULL,
                              "internal: schema has more keys than "
                              "TCE_CONFIG_SLOTS_MAX");
    }
    rc = tce_cfg_parse(ld, path, diag, 1);
    ld->origin = origin;
    copy_origin_files(ld);
    snprintf(obj_path, TCE_TEXT_MAX, "%s", path ? path : "");
    if (rc != 0) {
        rc = TCE_ECONFIG;
        goto out;
    }
    tce_cfg_check_members(ld, sc, "", "", config_root_setting(&ld->cfg));
    tce_cfg_walk(ld, sc, config_root_setting(&ld->cfg), obj, "", 0);
    if (ld->errors) {
        rc = TCE_ECONFIG;
        goto out;
    }
    tce_cfg_flush(ld);
    switch (kind) {
    case TCE_CONFIG_JOB:
        tce_job_derive(obj);
        rc = tce_job_check(obj, diag);
        break;
    case TCE_CONFIG_TOPOLOGY:
        rc = tce_cfg_topology_check(obj, diag);
        if (rc == 0)
            rc = topology_compute(obj, diag);
        break;
    case TCE_CONFIG_CALIBRATION:
        rc = tce_cfg_calibration_check(obj, diag);
        break;
    default:
        rc = TCE_EINTERNAL;
        break;
    }
out:
    tce_cfg_release(ld);
    free(ld);
    return rc;
}

int tce_topology_load(const char *path, struct tce_topology *out,
                      struct tce_diag *diag)
{
    return load(TCE_CONFIG_TOPOLOGY, path, out, out->path, &out->origin, diag);
}

int tce_job_load(const char *path, struct tce_job *out, struct tce_diag *diag)
{
    return load(TCE_CONFIG_JOB, path, out, out->path, &out->origin, diag);
}

int tce_calibration_load(const char *path, struct tce_calibration *out,
                         struct tce_diag *diag)
{
    return load(TCE_CONFIG_CALIBRATION, path, out, out->path, &out->origin,
                diag);
}

const struct tce_calibration_link *
tce_calibration_find(const struct tce_calibration *c, enum tce_link_class l)
{
    int i;

    for (i = 0; i < c->n_links; i++)
        if (c->links[i].link == l)
            return &c->links[i];
    return NULL;
}

void tce_job_defaults(struct tce_job *job)
{
    tce_cfg_defaults(tce_cfg_schema(TCE_CONFIG_JOB), job);
}

void tce_topology_defaults(struct tce_topology *topo)
{
    tce_cfg_defaults(tce_cfg_schema(TCE_CONFIG_TOPOLOGY), topo);
}

void tce_calibration_link_defaults(struct tce_calibration_link *link)
{
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);

    tce_cfg_defaults(sc->fields[tce_cfg_slot(sc, "calibration.links")].elem,
                     link);
}

/* The derived keys (F_DERIVED in the schema): 0 is never a loaded value
 * (their minimum is 1), so 0 means "not in the file". */
void tce_job_derive(struct tce_job *job)
{
    struct tce_model *m = &job->model;

    if (m->ffn_hidden_size == 0)
        m->ffn_hidden_size = 4 * m->hidden_size;
    if (m->num_query_groups == 0)
        m->num_query_groups = m->num_attention_heads;
    if (m->kv_channels == 0 && m->num_attention_heads > 0)
        m->kv_channels = m->hidden_size / m->num_attention_heads;
    if (m->moe_ffn_hidden_size == 0)
        m->moe_ffn_hidden_size = m->ffn_hidden_size;
    /* repro (issue 11): the pipeline layout, parsed once (errors are
     * reported by tce_job_check's rule) */
    tce_rule_parse_pipeline_layout(&job->parallel, NULL);
    /* mem (wave 6): --recompute-modules, parsed once (errors are reported
     * by tce_job_check) */
    if (tce_recompute_parse(job->training.recompute_modules,
                            &job->training.recompute_modules_mask, NULL) != 0)
        job->training.recompute_modules_mask = 0;
    /* host (issue 11): --cuda-graph-modules, parsed once (errors are
     * reported by tce_job_check) */
    if (tce_graphscope_parse(job->training.cuda_graph_modules,
                             &job->training.cuda_graph_modules_mask,
                             NULL) != 0)
        job->training.cuda_graph_modules_mask = 0;
}
