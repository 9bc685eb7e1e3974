/*
 * cmd_plot.c - tcemu plot KIND: pictures (PNG, SVG) of projections,
 * comparisons and measured results, drawn by gnuplot.
 *
 * Thin: parses the options, gathers the data (plot_data.h: the projector,
 * planning.h, or a result file), writes one gnuplot script (plot.h) and
 * runs gnuplot on it.  --script keeps that script (it reproduces the
 * pictures alone); the pictures are written to temporary files beside
 * their targets and renamed into place only when gnuplot succeeded
 * (output.h).  Without gnuplot: exit 1 with one line (the script is still
 * written when --script was given).
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcemu/cli.h"
#include "tcemu/economics.h"
#include "tcemu/input.h"
#include "tcemu/output.h"
#include "tcemu/planning.h"
#include "tcemu/plot.h"
#include "tcemu/plot_data.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"
#include "tcemu/util.h"

extern char **environ;

enum kind { K_SCALING, K_PARETO, K_BREAKDOWN, K_BENCH, K_RUN, K_COUNT };
static const char *const kind_name[K_COUNT] = {"scaling", "pareto",
                                               "breakdown", "bench", "run"};

struct opts {
    enum kind kind;
    struct tce_cli_common co;
    const char *topos[TCE_PLANNING_OFFERINGS_MAX];
    int n_topos;
    const char *from, *script;
    struct tce_plot_page page;
    struct tce_planning_goal goal;
    int draw;                  /* -o given: run gnuplot */
    char script_out[2][4096];  /* --script alone: what the script draws */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu plot KIND [OPTIONS] -o FILE.png|FILE.svg [-o ...] "
            "[--script FILE.gp]\n\n"
            "Pictures of tcemu's results, drawn by gnuplot (Debian: "
            "gnuplot-nox), as\nPNG and SVG (by the file's extension).  "
            "Kinds:\n"
            "  scaling   -t TOPOLOGY -j JOB [--gpus LIST]   tokens/s per "
            "GPU, MFU, cost\n"
            "            and days to train against GPUs (modelled)\n"
            "  breakdown -t TOPOLOGY -j JOB [--gpus LIST]   the iteration "
            "breakdown as\n"
            "            stacked bars, one per GPU count (modelled)\n"
            "  pareto    -j JOB -t TOPOLOGY [-t ...] [--deadline DAYS] "
            "[--budget USD]\n"
            "            [--gpus LIST] [--plan NAME]   cost against days "
            "across offerings\n"
            "            and contracts, the Pareto front marked (modelled, "
            "as compare)\n"
            "  bench     --from FILE.json   bus bandwidth against size from "
            "`tcemu bench\n"
            "            --json` (measured)\n"
            "  run       --from FILE.json   measured against modelled time "
            "per op from\n"
            "            `tcemu run --json`\n\n"
            "options:\n"
            "  -o, --output FILE      a picture: FILE.png or FILE.svg "
            "(repeat, up to %d)\n"
            "      --script FILE      also write the gnuplot script; `gnuplot "
            "FILE` redraws\n"
            "                         the pictures alone (data inline); "
            "alone, without -o,\n"
            "                         FILE.gp draws FILE.png and FILE.svg "
            "(no gnuplot needed)\n"
            "      --size WxH         picture size in pixels (default "
            "%dx%d)\n"
            "  -t, --topology FILE    topology (.cfg)\n"
            "  -j, --job FILE         job (.cfg)\n"
            "  -g, --gpus LIST        GPU counts: N,M,... or FIRST:LAST:xK "
            "or FIRST:LAST:+K\n"
            "                         (scaling, breakdown default: the job's "
            "num_gpus x1/4..x4)\n"
            "  -c, --calibration FILE link parameters from tcemu calibrate\n"
            "  -d, --deadline DAYS    pareto: as compare --deadline\n"
            "  -B, --budget USD       pareto: as compare --budget\n"
            "      --hbm-headroom F   pareto: as compare --hbm-headroom\n"
            "  -p, --plan NAME        pareto: only contract NAME\n"
            "      --from FILE        bench, run: the JSON result to draw\n"
            "  -h, --help             this help\n\n"
            "Exit status: 0 ok, 1 gnuplot missing or failed, or a file "
            "cannot be written,\n2 bad usage, configuration or input "
            "file.\n",
            TCE_PLOT_OUTPUTS_MAX, TCE_PLOT_WIDTH, TCE_PLOT_HEIGHT);
}

static int add_output(struct opts *o, const char *path, struct tce_error *err)
{
    struct tce_plot_output *out;

    if (o->page.n_outputs == TCE_PLOT_OUTPUTS_MAX)
        return tce_error_set(err, TCE_EUSAGE, "at most %d outputs",
                             TCE_PLOT_OUTPUTS_MAX);
    out = &o->page.outputs[o->page.n_outputs];
    out->path = path;
    if (tce_plot_format_of(path, &out->format, err) < 0)
        return TCE_EUSAGE;
    o->page.n_outputs++;
    return 0;
}

static int parse_size(const char *s, struct tce_plot_page *pg,
                      struct tce_error *err)
{
    char w[16];
    const char *x = strchr(s, 'x');
    int64_t a, b;

    if (!x || (size_t)(x - s) >= sizeof(w))
        return tce_error_set(err, TCE_EUSAGE, "--size '%.40s': want WxH", s);
    memcpy(w, s, (size_t)(x - s));
    w[x - s] = '\0';
    if (tce_parse_int64(w, 200, 8000, &a, err) < 0 ||
        tce_parse_int64(x + 1, 150, 8000, &b, err) < 0)
        return tce_error_set(err, TCE_EUSAGE,
                             "--size '%.40s': want WxH, 200x150 to 8000x8000",
                             s);
    pg->width = (int)a;
    pg->height = (int)b;
    return 0;
}

/* What each kind needs. */
static int check_kind(const struct opts *o, struct tce_error *err)
{
    int model = o->kind == K_SCALING || o->kind == K_BREAKDOWN;

    if (o->page.n_outputs == 0 && !o->script)
        return tce_error_set(err, TCE_EUSAGE,
                             "nothing to write: give -o FILE.png|FILE.svg "
                             "or --script FILE.gp");
    if (o->kind == K_BENCH || o->kind == K_RUN) {
        if (!o->from || o->n_topos || o->co.job)
            return tce_error_set(err, TCE_EUSAGE, "plot %s needs --from "
                                 "FILE.json (and no -t or -j)",
                                 kind_name[o->kind]);
        return 0;
    }
    if (o->from)
        return tce_error_set(err, TCE_EUSAGE, "--from is for bench and run");
    if (!o->co.job || o->n_topos == 0 || (model && o->n_topos > 1))
        return tce_error_set(err, TCE_EUSAGE, "plot %s needs -j JOB and %s",
                             kind_name[o->kind],
                             model ? "one -t TOPOLOGY" : "-t TOPOLOGY ...");
    if (model && (o->goal.deadline_days > 0 || o->goal.budget_usd > 0 ||
                  o->goal.hbm_headroom > 0 || o->co.plan))
        return tce_error_set(err, TCE_EUSAGE,
                             "--deadline, --budget, --hbm-headroom, --plan "
                             "are for pareto");
    return 0;
}

/* --script FILE.gp without -o: the script draws FILE.png and FILE.svg
 * (tcemu-plot.png and .svg for '-'). */
static int script_targets(struct opts *o, struct tce_error *err)
{
    size_t n = strlen(o->script);
    int i, ret = 0;

    if (strcmp(o->script, "-") == 0)
        n = 0;
    else if (n > 3 && strcmp(o->script + n - 3, ".gp") == 0)
        n -= 3;
    for (i = 0; i < 2 && ret == 0; i++) {
        snprintf(o->script_out[i], sizeof(o->script_out[i]), "%.*s.%s",
                 (int)(n ? n : 10), n ? o->script : "tcemu-plot",
                 i ? "svg" : "png");
        ret = add_output(o, o->script_out[i], err);
    }
    return ret;
}

static int parse(int argc, char **argv, struct opts *o, struct tce_error *err)
{
    enum { OPT_SCRIPT = 256, OPT_SIZE, OPT_FROM, OPT_HEADROOM };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"script", required_argument, NULL, OPT_SCRIPT},
        {"size", required_argument, NULL, OPT_SIZE},
        {"from", required_argument, NULL, OPT_FROM},
        {"deadline", required_argument, NULL, 'd'},
        {"budget", required_argument, NULL, 'B'},
        {"hbm-headroom", required_argument, NULL, OPT_HEADROOM},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    int c, k, ret = 0;

    memset(o, 0, sizeof(*o));
    if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "--help") == 0)
        return argc < 2 ? tce_error_set(err, TCE_EUSAGE, "which KIND?") : 1;
    for (k = 0; k < K_COUNT; k++)
        if (strcmp(argv[1], kind_name[k]) == 0)
            break;
    if (k == K_COUNT)
        return tce_error_set(err, TCE_EUSAGE,
                             "unknown kind '%.40s' (scaling, pareto, "
                             "breakdown, bench, run)",
                             argv[1]);
    o->kind = (enum kind)k;
    tce_cli_parser_init(&p,
                        TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_GPUS |
                            TCE_CLI_CALIBRATION | TCE_CLI_PLAN | TCE_CLI_HELP,
                        longopts, ":o:d:B:");
    argc--;
    argv++;
    while (ret == 0 && (c = tce_cli_next(&p, argc, argv, &o->co)) != -1) {
        switch (c) {
        case 0:
            if (p.last != TCE_CLI_OPT_TOPOLOGY)
                break;
            if (o->n_topos >= TCE_PLANNING_OFFERINGS_MAX)
                ret = tce_error_set(err, TCE_EUSAGE, "at most %d topologies",
                                    TCE_PLANNING_OFFERINGS_MAX);
            else
                o->topos[o->n_topos++] = o->co.topology;
            break;
        case 'o':
            ret = add_output(o, optarg, err);
            break;
        case OPT_SCRIPT:
            ret = o->script ? tce_error_set(err, TCE_EUSAGE,
                                            "--script given twice")
                            : 0;
            o->script = optarg;
            break;
        case OPT_SIZE:
            ret = parse_size(optarg, &o->page, err);
            break;
        case OPT_FROM:
            o->from = optarg;
            break;
        case 'd':
            ret = tce_planning_parse_deadline(optarg, &o->goal, err);
            break;
        case 'B':
            ret = tce_planning_parse_budget(optarg, &o->goal, err);
            break;
        case OPT_HEADROOM:
            ret = tce_planning_parse_hbm_headroom(optarg, &o->goal, err);
            break;
        default:
            ret = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (ret == 0)
        ret = tce_cli_no_operands(argc, argv, err);
    if (ret == 0)
        ret = check_kind(o, err);
    o->draw = o->page.n_outputs > 0;
    if (ret == 0 && !o->draw) /* the script draws NAME.png and NAME.svg */
        ret = script_targets(o, err);
    return ret;
}

/* ---- gathering -------------------------------------------------------- */

static int load_one(const struct opts *o, struct tce_scenario *s,
                    struct tce_error *err)
{
    struct tce_scenario_files f = {o->topos[0], o->co.job, o->co.calibration};
    struct tce_diag diag;
    int ret;

    tce_diag_init(&diag, stderr);
    ret = tce_scenario_load(s, &f, &diag, err);
    if (diag.errors && ret < 0)
        err->code = 0; /* already reported */
    return ret;
}

/* --gpus, else the job's num_gpus / 4 .. x 4 (x2 steps). */
static int gpu_list(const struct opts *o, const struct tce_scenario *s,
                    struct tce_gpu_list *l, struct tce_error *err)
{
    char buf[64];
    int64_t n = s->job.parallel.num_gpus;

    if (o->co.gpus)
        return tce_parse_gpu_list(o->co.gpus, l, err);
    snprintf(buf, sizeof(buf), "%lld:%lld:x2",
             (long long)(n / 4 > 0 ? n / 4 : 1), (long long)n * 4);
    return tce_parse_gpu_list(buf, l, err);
}

static int sweep(const struct opts *o, struct tce_plot_sweep *sw,
                 char *title, char *sub, size_t size, struct tce_error *err)
{
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_gpu_list l;
    int i, ret;

    if (!s)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    ret = load_one(o, s, err);
    if (ret == 0)
        ret = gpu_list(o, s, &l, err);
    if (ret == 0)
        ret = tce_plot_sweep(s, &l, sw, err);
    if (ret < 0)
        goto out;
    for (i = 0; i < sw->n_skipped; i++)
        fprintf(stderr, "tcemu plot: %lld GPUs skipped: %s\n",
                (long long)sw->skipped_gpus[i], sw->skipped_why[i]);
    snprintf(title, size, "%s: %s on %s",
             o->kind == K_SCALING ? "Scaling" : "Iteration breakdown",
             s->job.name, s->topo.name);
    if (o->kind == K_SCALING)
        snprintf(sub, size,
                 "modelled by tcemu's projector (nothing ran); cost: whole "
                 "nodes on demand at USD %.2f per node-hour, failure-free",
                 tce_econ_on_demand_price(&s->topo));
    else
        snprintf(sub, size,
                 "modelled by tcemu's projector (nothing ran): exposed "
                 "seconds per part; the parts add up to the iteration");
out:
    free(s);
    return ret;
}

static int pareto(const struct opts *o, struct tce_plot_pareto_data *pd,
                  char *title, char *sub, size_t size, struct tce_error *err)
{
    struct tce_scenario *sc = calloc((size_t)o->n_topos, sizeof(*sc));
    struct tce_planning *pl = calloc(1, sizeof(*pl));
    struct tce_search_backend be;
    struct tce_gpu_list gl;
    int64_t gpus[TCE_PLANNING_SCALES_MAX];
    struct tce_diag diag;
    char headroom[48] = "";
    int i, k, n, ret = 0;

    if (!sc || !pl) {
        ret = tce_error_set(err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    tce_diag_init(&diag, stderr);
    if (tce_job_load(o->co.job, &sc[0].job, &diag) < 0)
        ret = TCE_ECONFIG;
    for (i = 0; i < o->n_topos; i++)
        if (tce_topology_load(o->topos[i], &sc[i].topo, &diag) < 0)
            ret = TCE_ECONFIG;
    if (ret < 0) {
        err->code = 0; /* reported through diag */
        goto out;
    }
    if (o->co.gpus && (ret = tce_parse_gpu_list(o->co.gpus, &gl, err)) < 0)
        goto out;
    tce_planning_init(pl, &sc[0].job, &o->goal);
    for (i = 0; i < o->n_topos && ret == 0; i++) {
        sc[i].job = sc[0].job;
        ret = tce_scenario_rebuild(&sc[i], err);
        if (ret < 0)
            break;
        n = 0;
        if (!o->co.gpus)
            n = tce_planning_scales(&sc[i], &o->goal, gpus,
                                    TCE_PLANNING_SCALES_MAX, err);
        for (k = 0; o->co.gpus && k < gl.n && n < TCE_PLANNING_SCALES_MAX; k++)
            if (!tce_econ_over_capacity(&sc[i].topo, gl.gpus[k]))
                gpus[n++] = gl.gpus[k];
        if (n < 0) {
            ret = n;
            break;
        }
        tce_search_projector_backend(&sc[i], &be);
        ret = tce_planning_add_offering(pl, &sc[i], &be, gpus, n, err);
    }
    for (i = 0; i < o->n_topos && ret == 0; i++)
        tce_planning_add_rows(pl, i, o->co.plan);
    if (ret == 0)
        ret = tce_planning_evaluate(pl, err);
    if (ret < 0)
        goto out;
    tce_plot_pareto_points(pl, pd);
    if (pd->n == 0) {
        ret = tce_error_set(err, TCE_ENOFIT, "no offering has a layout of "
                                             "%s at the scales asked",
                            sc[0].job.name);
        goto out;
    }
    snprintf(title, size, "Cost against time to train: %s (%d offering%s)",
             sc[0].job.name, o->n_topos, o->n_topos > 1 ? "s" : "");
    if (o->goal.hbm_headroom > 0)
        snprintf(headroom, sizeof(headroom), " leaving %.0f%% of HBM free",
                 100.0 * o->goal.hbm_headroom);
    snprintf(sub, size,
             "modelled by tcemu (projector, failures, prices of the "
             "topology files); each offering and contract at its best "
             "layout%s",
             headroom);
out:
    free(pl);
    free(sc);
    return ret;
}

static int read_from(const char *path, char **text, size_t *len,
                     struct tce_error *err)
{
    const char *why = NULL;

    if (tce_input_read(path, text, len, NULL, &why) < 0)
        return tce_error_set(err, TCE_ECONFIG, "cannot read '%.300s': %s",
                             path, why);
    return 0;
}

/* ---- writing and running ---------------------------------------------- */

/* The gnuplot on PATH: 1 when found. */
static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char dir[4096];
    const char *p, *e;

    for (p = path ? path : ""; *p; p = *e ? e + 1 : e) {
        size_t n;

        e = strchr(p, ':');
        if (!e)
            e = p + strlen(p);
        n = (size_t)(e - p);
        if (n == 0 || n + 10 >= sizeof(dir))
            continue;
        memcpy(dir, p, n);
        memcpy(dir + n, "/gnuplot", 9);
        if (access(dir, X_OK) == 0)
            return 1;
    }
    return 0;
}

struct gather {
    enum kind kind;
    struct tce_plot_sweep *sw;
    struct tce_plot_pareto_data *pd;
    struct tce_plot_bench_data *bd;
    struct tce_plot_run_data *rd;
    char modelled_title[160];
    double deadline_days, budget_usd;
};

static void write_script(FILE *f, const struct tce_plot_page *pg,
                         const struct gather *g)
{
    switch (g->kind) {
    case K_SCALING:
        tce_plot_scaling_script(f, pg, g->sw->pts, g->sw->n,
                                "cost to train (USD million, on demand)");
        break;
    case K_BREAKDOWN:
        tce_plot_breakdown_script(f, pg, &g->sw->breakdown);
        break;
    case K_PARETO:
        tce_plot_pareto_script(f, pg, g->pd->pts, g->pd->n, g->deadline_days,
                               g->budget_usd);
        break;
    case K_BENCH:
        tce_plot_bench_script(f, pg, g->bd->series, g->bd->n_series);
        break;
    default:
        tce_plot_run_script(f, pg, g->rd->ops, g->rd->n, g->modelled_title);
        break;
    }
}

static int run_gnuplot(const char *script, struct tce_error *err)
{
    posix_spawn_file_actions_t fa;
    char *args[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int rc, st = 0;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return tce_error_set(err, TCE_EIO, "cannot run gnuplot: %s",
                             strerror(rc));
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return tce_error_set(err, TCE_EIO, "gnuplot: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return tce_error_set(err, TCE_EIO, "gnuplot failed (%s %d)",
                             WIFEXITED(st) ? "exit" : "signal",
                             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    return 0;
}

/* Draw: outputs to temporary files, a temporary script naming them,
 * gnuplot, then every output renamed into place. */
static int draw(const struct opts *o, const struct gather *g,
                struct tce_error *err)
{
    struct tce_output outs[TCE_PLOT_OUTPUTS_MAX];
    struct tce_plot_page tmp = o->page;
    const char *dir = getenv("TMPDIR");
    char gp_path[4096];
    int i, n_open = 0, fd = -1, ret = 0;
    FILE *f = NULL;

    snprintf(gp_path, sizeof(gp_path), "%s/tcemu-plot-XXXXXX",
             dir && *dir ? dir : "/tmp");
    for (i = 0; i < o->page.n_outputs; i++) {
        ret = tce_output_open(&outs[i], o->page.outputs[i].path, err);
        if (ret < 0)
            goto out;
        n_open++;
        tmp.outputs[i].path =
            outs[i].in_place ? outs[i].path : outs[i].tmp_path;
    }
    fd = mkstemp(gp_path);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        ret = tce_error_set(err, TCE_EIO, "cannot create a temporary script "
                                          "in %s: %s",
                            dir && *dir ? dir : "/tmp", strerror(errno));
        goto out;
    }
    write_script(f, &tmp, g);
    if (fclose(f) != 0) {
        f = NULL;
        ret = tce_error_set(err, TCE_EIO, "cannot write %s", gp_path);
        goto out;
    }
    f = NULL;
    ret = run_gnuplot(gp_path, err);
    for (i = 0; i < n_open && ret == 0; i++)
        ret = tce_output_commit(&outs[i], err);
    if (ret == 0)
        n_open = 0;
out:
    if (f)
        fclose(f);
    if (fd >= 0)
        unlink(gp_path);
    for (i = 0; i < n_open; i++)
        tce_output_abort(&outs[i]);
    return ret;
}

static int gather(struct opts *o, struct gather *g, char *title, char *sub,
                  size_t size, struct tce_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int ret = 0;

    g->kind = o->kind;
    g->deadline_days = o->goal.deadline_days;
    g->budget_usd = o->goal.budget_usd;
    if (o->kind == K_SCALING || o->kind == K_BREAKDOWN)
        return sweep(o, g->sw, title, sub, size, err);
    if (o->kind == K_PARETO)
        return pareto(o, g->pd, title, sub, size, err);
    ret = read_from(o->from, &text, &len, err);
    if (ret == 0 && o->kind == K_BENCH) {
        ret = tce_plot_bench_read(o->from, text, len, g->bd, err);
        snprintf(title, size, "Bus bandwidth against size: tcemu bench, "
                              "group %s (%lld ranks)",
                 g->bd->group, (long long)g->bd->group_size);
        snprintf(sub, size, "measured by tcemu bench over MPI (%.300s)",
                 o->from);
    } else if (ret == 0) {
        ret = tce_plot_run_read(o->from, text, len, g->rd, err);
        snprintf(title, size, "Measured against modelled per op: %.200s "
                              "on %.200s",
                 g->rd->job, g->rd->topology);
        snprintf(sub, size,
                 "measured by tcemu run (%lld iterations%s; tp %lld pp %lld "
                 "dp %lld, %s); modelled by the projector",
                 (long long)g->rd->iterations,
                 g->rd->complete ? "" : ", INCOMPLETE", (long long)g->rd->tp,
                 (long long)g->rd->pp, (long long)g->rd->dp,
                 g->rd->schedule);
        snprintf(g->modelled_title, sizeof(g->modelled_title),
                 "modelled (compute x time scale %g: what the emulator "
                 "aimed at)",
                 g->rd->time_scale);
    }
    free(text);
    return ret;
}

int tce_cmd_plot(int argc, char **argv)
{
    struct opts o;
    struct gather g;
    struct tce_output so;
    struct tce_error err;
    char title[512], sub[512];
    int i, ret;

    memset(&g, 0, sizeof(g));
    tce_error_clear(&err);
    ret = parse(argc, argv, &o, &err);
    if (ret == 1) {
        usage(stdout);
        return TCE_EXIT_OK;
    }
    if (ret < 0) {
        fprintf(stderr, "tcemu plot: error: %s\n", err.msg);
        if (ret == TCE_EUSAGE)
            fprintf(stderr, "Run 'tcemu plot --help' for the kinds and "
                            "options.\n");
        return tce_exit_status(ret);
    }
    for (i = 0; i < o.page.n_outputs && ret == 0 && o.draw; i++)
        ret = tce_output_check(o.page.outputs[i].path, &err);
    if (ret == 0 && o.script)
        ret = tce_output_check(o.script, &err);
    g.sw = calloc(1, sizeof(*g.sw));
    g.pd = calloc(1, sizeof(*g.pd));
    g.bd = calloc(1, sizeof(*g.bd));
    g.rd = calloc(1, sizeof(*g.rd));
    if (ret == 0 && (!g.sw || !g.pd || !g.bd || !g.rd))
        ret = tce_error_set(&err, TCE_ENOMEM, "out of memory");
    if (ret == 0)
        ret = gather(&o, &g, title, sub, sizeof(title), &err);
    if (ret < 0)
        goto out;
    o.page.title = title;
    o.page.subtitle = sub;
    if (o.script) {
        ret = tce_output_open(&so, o.script, &err);
        if (ret < 0)
            goto out;
        write_script(so.fp, &o.page, &g);
        ret = tce_output_commit(&so, &err);
        if (ret < 0)
            goto out;
    }
    if (!o.draw)
        goto out;
    if (!have_gnuplot()) {
        ret = tce_error_set(&err, TCE_EIO,
                            "gnuplot not found on PATH (Debian: apt-get "
                            "install gnuplot-nox)%s%s%s",
                            o.script ? "; the script is in '" : "",
                            o.script ? o.script : "", o.script ? "'" : "");
        goto out;
    }
    ret = draw(&o, &g, &err);
    for (i = 0; i < o.page.n_outputs && ret == 0; i++)
        printf("# plot %s: wrote %s\n", kind_name[o.kind],
               o.page.outputs[i].path);
out:
    if (ret < 0 && err.code != 0)
        fprintf(stderr, "tcemu plot: error: %s\n", err.msg);
    if (g.bd)
        tce_plot_bench_release(g.bd);
    free(g.sw);
    free(g.pd);
    free(g.bd);
    free(g.rd);
    return ret < 0 ? tce_exit_status(ret) : TCE_EXIT_OK;
}
