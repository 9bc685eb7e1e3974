/* plot.c - gnuplot scripts of tcemu's results (plot.h). */
#include "tcemu/plot.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define PATH_QUOTE_MAX 4096

int tce_plot_format_of(const char *path, enum tce_plot_format *out,
                       struct tce_error *err)
{
    size_t n = path ? strlen(path) : 0, i;

    if (n == 0 || n > PATH_QUOTE_MAX)
        return tce_error_set(err, TCE_EUSAGE, "bad output path '%.200s'",
                             path ? path : "");
    for (i = 0; i < n; i++)
        if (iscntrl((unsigned char)path[i]))
            return tce_error_set(err, TCE_EUSAGE,
                                 "output path '%.200s' has a control "
                                 "character",
                                 path);
    if (n > 4 && strcasecmp(path + n - 4, ".png") == 0) {
        *out = TCE_PLOT_PNG;
        return 0;
    }
    if (n > 4 && strcasecmp(path + n - 4, ".svg") == 0) {
        *out = TCE_PLOT_SVG;
        return 0;
    }
    return tce_error_set(err, TCE_EUSAGE,
                         "output '%.200s': the name must end in .png or .svg",
                         path);
}

/* A double-quoted gnuplot string: \ and " escaped, control characters as
 * spaces, "\n" kept as gnuplot's newline when nl. */
static void dq(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n')
            fputs("\\n", out);
        else if (c == '\\' || c == '"')
            fprintf(out, "\\%c", c);
        else if (iscntrl(c))
            fputc(' ', out);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* A label inside a data block: double-quoted, without quotes, backslashes
 * or control characters (gnuplot takes data strings literally). */
static void data_label(FILE *out, const char *s)
{
    fputc('"', out);
    if (!s || !*s)
        fputc('-', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        fputc(c == '"' ? '\'' : c == '\\' ? '/' : iscntrl(c) ? ' ' : c, out);
    }
    fputc('"', out);
}

/* A number in a data block (NaN for a missing or non-finite value). */
static void num(FILE *out, double x)
{
    if (isfinite(x))
        fprintf(out, " %.9g", x);
    else
        fputs(" NaN", out);
}

static void header(FILE *out, const struct tce_plot_page *pg, const char *kind)
{
    fprintf(out, "# tcemu plot %s: gnuplot script (gnuplot 5.2 or later)\n"
                 "# Reproduce the pictures with: gnuplot THIS_FILE\n",
            kind);
    fputs("# ", out);
    for (const char *s = pg->title ? pg->title : ""; *s; s++)
        fputc(iscntrl((unsigned char)*s) ? ' ' : *s, out);
    fputs("\n", out);
    fputs("reset\nset encoding utf8\n", out);
}

static void terminal(FILE *out, const struct tce_plot_page *pg, int i)
{
    const struct tce_plot_output *o = &pg->outputs[i];
    int w = pg->width > 0 ? pg->width : TCE_PLOT_WIDTH;
    int h = pg->height > 0 ? pg->height : TCE_PLOT_HEIGHT;

    fprintf(out, "\n# ---- output %d ----\n", i + 1);
    if (o->format == TCE_PLOT_PNG)
        fprintf(out, "set terminal pngcairo size %d,%d noenhanced "
                     "font \"sans,11\" background \"#ffffff\"\n",
                w, h);
    else
        fprintf(out, "set terminal svg size %d,%d noenhanced "
                     "font \"sans,11\" background \"#ffffff\"\n",
                w, h);
    fputs("set output ", out);
    dq(out, o->path);
    fputs("\n", out);
}

static void page_title(FILE *out, const struct tce_plot_page *pg,
                       const char *cmd)
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s\n%s", pg->title ? pg->title : "",
             pg->subtitle ? pg->subtitle : "");
    fprintf(out, "%s ", cmd);
    dq(out, buf);
    fputs(" font \"sans,13\"\n", out);
}

static void common(FILE *out)
{
    fputs("set grid lc rgb \"#d0d0d0\"\n"
          "set key outside right top box opaque\n"
          "set border 3\nset tics nomirror\n",
          out);
}

/* ---- scaling ---------------------------------------------------------- */

static void scaling_body(FILE *out, const struct tce_plot_page *pg,
                         const struct tce_plot_scaling_point *p, int n,
                         const char *cost_label)
{
    int64_t lo = n > 0 ? p[0].gpus : 1, hi = lo;
    int i;

    for (i = 0; i < n; i++) {
        lo = p[i].gpus < lo ? p[i].gpus : lo;
        hi = p[i].gpus > hi ? p[i].gpus : hi;
    }
    fputs("set multiplot layout 1,3 ", out);
    page_title(out, pg, "title");
    common(out);
    int nofit = 0, over = 0;

    for (i = 0; i < n; i++) {
        nofit |= !p[i].fits_memory;
        over |= p[i].over_capacity;
    }
    fputs("set key below box opaque\nset xtics font \"sans,8\"\n", out);
    fputs("set xlabel \"GPUs\"\n", out);
    if (hi >= 8 * lo)
        fputs("set logscale x 2\nset format x \"%.0f\"\n", out);
    fprintf(out, "set xrange [%g:%g]\n", (double)lo / 1.2,
            (double)hi * 1.2);
    fputs("set title \"Throughput per GPU\"\n"
          "set ylabel \"tokens/s per GPU\"\nset yrange [0:*]\n"
          "plot $scaling using 1:2 with linespoints lw 2 pt 7 lc rgb "
          "\"#1f77b4\" title \"tokens/s per GPU\"",
          out);
    if (nofit)
        fputs(", \\\n     $scaling using 1:($5 == 0 ? $2 : NaN) with points "
              "pt 6 ps 2.5 lc rgb \"#d62728\" title \"does not fit memory\"",
              out);
    if (over)
        fputs(", \\\n     $scaling using 1:($6 == 1 ? $2 : NaN) with points "
              "pt 2 ps 2.5 lc rgb \"#000000\" title \"over capacity\"",
              out);
    fputs("\nunset key\nset title \"Model FLOPs utilisation\"\n"
          "set ylabel \"MFU (% of dense peak)\"\nset yrange [0:*]\n"
          "plot $scaling using 1:3 with linespoints lw 2 pt 7 lc rgb "
          "\"#2ca02c\" title \"MFU\"\n",
          out);
    fputs("set key below box opaque\nset title \"Cost and time to train\"\n"
          "set ylabel ",
          out);
    dq(out, cost_label);
    fputs("\nset y2label \"days to train (failure-free)\"\nset y2tics\n"
          "set yrange [0:*]\nset y2range [0:*]\n"
          "plot $scaling using 1:4 with linespoints lw 2 pt 7 lc rgb "
          "\"#ff7f0e\" title \"cost (USD million)\", \\\n"
          "     $scaling using 1:7 axes x1y2 with linespoints lw 2 pt 5 dt 2 "
          "lc rgb \"#9467bd\" title \"days (right axis)\"\n"
          "unset y2tics\nunset y2label\nunset multiplot\n",
          out);
}

void tce_plot_scaling_script(FILE *out, const struct tce_plot_page *pg,
                             const struct tce_plot_scaling_point *pts, int n,
                             const char *cost_label)
{
    int i;

    header(out, pg, "scaling");
    fputs("# columns: gpus tokens_per_s_per_gpu mfu_percent cost_musd "
          "fits_memory over_capacity days\n$scaling << EOD\n",
          out);
    for (i = 0; i < n; i++) {
        fprintf(out, "%lld", (long long)pts[i].gpus);
        num(out, pts[i].tokens_per_s_per_gpu);
        num(out, pts[i].mfu * 100.0);
        num(out, pts[i].cost_usd / 1e6);
        fprintf(out, " %d %d", pts[i].fits_memory ? 1 : 0,
                pts[i].over_capacity ? 1 : 0);
        num(out, pts[i].days);
        fputs("\n", out);
    }
    fputs("EOD\n", out);
    for (i = 0; i < pg->n_outputs; i++) {
        terminal(out, pg, i);
        scaling_body(out, pg, pts, n, cost_label);
    }
    fputs("set output\n", out);
}

/* ---- pareto ----------------------------------------------------------- */

static int spans_decades(double lo, double hi)
{
    return lo > 0 && hi / lo >= 20.0;
}

void tce_plot_pareto_script(FILE *out, const struct tce_plot_page *pg,
                            const struct tce_plot_pareto_point *pts, int n,
                            double deadline_days, double budget_usd)
{
    double dlo = INFINITY, dhi = 0, clo = INFINITY, chi = 0, last = -1;
    int i, k, best;

    header(out, pg, "pareto");
    fputs("# columns: days cost_musd pareto cheapest fastest meets_deadline "
          "label\n$rows << EOD\n",
          out);
    for (i = 0; i < n; i++) {
        num(out, pts[i].days);
        num(out, pts[i].cost_usd / 1e6);
        fprintf(out, " %d %d %d %d ", pts[i].pareto, pts[i].cheapest,
                pts[i].fastest, pts[i].meets_deadline);
        data_label(out, pts[i].label);
        fputs("\n", out);
        if (isfinite(pts[i].days) && isfinite(pts[i].cost_usd)) {
            dlo = fmin(dlo, pts[i].days);
            dhi = fmax(dhi, pts[i].days);
            clo = fmin(clo, pts[i].cost_usd / 1e6);
            chi = fmax(chi, pts[i].cost_usd / 1e6);
        }
    }
    if (deadline_days > 0)
        dhi = fmax(dhi, deadline_days);
    if (budget_usd > 0)
        chi = fmax(chi, budget_usd / 1e6);
    /* the front, by days (a line through it) */
    fputs("EOD\n# the Pareto front, fastest first\n$front << EOD\n", out);
    for (k = 0; k < n; k++) {
        best = -1;
        for (i = 0; i < n; i++)
            if (pts[i].pareto && pts[i].days > last &&
                (best < 0 || pts[i].days < pts[best].days))
                best = i;
        if (best < 0)
            break;
        num(out, pts[best].days);
        num(out, pts[best].cost_usd / 1e6);
        fputs("\n", out);
        last = pts[best].days;
    }
    fputs("EOD\n", out);
    for (i = 0; i < pg->n_outputs; i++) {
        terminal(out, pg, i);
        page_title(out, pg, "set title");
        common(out);
        fputs("set xlabel \"days to train (lead time and failures "
              "included)\"\nset ylabel \"cost (USD million)\"\n",
              out);
        if (spans_decades(clo, chi))
            fprintf(out, "set logscale y\nset yrange [%.6g:%.6g]\n",
                    clo / 1.5, chi * 1.5);
        else
            fprintf(out, "set yrange [0:%.6g]\n", chi * 1.15);
        if (spans_decades(dlo, dhi))
            fprintf(out, "set logscale x\nset xrange [%.6g:%.6g]\n",
                    dlo / 1.5, dhi * 3);
        else
            fprintf(out, "set xrange [0:%.6g]\n", dhi * 1.35);
        if (deadline_days > 0)
            fprintf(out, "set arrow 1 from %.9g, graph 0 to %.9g, graph 1 "
                         "nohead dt 2 lw 2 lc rgb \"#d62728\"\n"
                         "set label 1 \"deadline %g days\" at %.9g, graph "
                         "0.97 offset 0.5,0 textcolor rgb \"#d62728\"\n",
                    deadline_days, deadline_days, deadline_days,
                    deadline_days);
        if (budget_usd > 0)
            fprintf(out, "set arrow 2 from graph 0, first %.9g to graph 1, "
                         "first %.9g nohead dt 3 lw 2 lc rgb \"#2ca02c\"\n"
                         "set label 2 \"budget USD %gM\" at graph 0.01, first "
                         "%.9g offset 0,0.7 textcolor rgb \"#2ca02c\"\n",
                    budget_usd / 1e6, budget_usd / 1e6, budget_usd / 1e6,
                    budget_usd / 1e6);
        fputs("plot $front using 1:2 with lines lw 2 lc rgb \"#1f77b4\" "
              "title \"Pareto front\", \\\n"
              "     $rows using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 1.5 "
              "lc rgb \"#999999\" title \"dominated\", \\\n"
              "     $rows using 1:($3 == 1 ? $2 : NaN) with points pt 7 ps 2 "
              "lc rgb \"#1f77b4\" title \"on the front\", \\\n"
              "     $rows using 1:($4 == 1 ? $2 : NaN) with points pt 3 ps 3.5 "
              "lw 2 lc rgb \"#ff7f0e\" title \"cheapest\", \\\n"
              "     $rows using 1:($5 == 1 ? $2 : NaN) with points pt 8 ps 3.5 "
              "lw 2 lc rgb \"#9467bd\" title \"fastest\", \\\n"
              "     $rows using 1:($3 + $4 + $5 > 0 ? $2 : NaN):7 with labels "
              "left offset 1.2,0.5 font \"sans,10\" notitle, \\\n"
              "     $rows using 1:($3 + $4 + $5 == 0 ? $2 : NaN):7 with labels "
              "left offset 1,-0.5 font \"sans,7\" tc rgb \"#808080\" "
              "notitle\n",
              out);
        fputs("unset arrow\nunset label\nunset logscale\n", out);
    }
    fputs("set output\n", out);
}

/* ---- breakdown -------------------------------------------------------- */

void tce_plot_breakdown_script(FILE *out, const struct tce_plot_page *pg,
                               const struct tce_plot_breakdown *b)
{
    static const char *const colour[] = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    const int n_colour = (int)(sizeof(colour) / sizeof(colour[0]));
    int i, k, pc;

    header(out, pg, "breakdown");
    fputs("# seconds per iteration; one row per bar, one column per part, "
          "then the total\n$bd << EOD\n\"bar\"",
          out);
    for (k = 0; k < b->n_parts; k++) {
        fputc(' ', out);
        data_label(out, b->part_names[k]);
    }
    fputs(" \"total\"\n", out);
    for (i = 0; i < b->n_bars; i++) {
        double total = 0;

        data_label(out, b->bar_labels[i]);
        for (k = 0; k < b->n_parts; k++) {
            double x = b->seconds[(size_t)i * (size_t)b->n_parts + (size_t)k];

            num(out, x);
            total += isfinite(x) ? x : 0;
        }
        num(out, total);
        fputs("\n", out);
    }
    fputs("EOD\n", out);
    for (i = 0; i < pg->n_outputs; i++) {
        terminal(out, pg, i);
        fputs("set multiplot layout 1,2 ", out);
        page_title(out, pg, "title");
        common(out);
        fputs("set style data histograms\nset style histogram rowstacked\n"
              "set style fill solid 0.85 border rgb \"#404040\"\n"
              "set boxwidth 0.6\nset key below box opaque\n"
              "set yrange [0:*]\nset xlabel \"GPUs\"\nset grid noxtics\n"
              "set title \"Seconds per iteration\"\n"
              "set ylabel \"seconds per iteration\"\n",
              out);
        for (pc = 0; pc < 2; pc++) {
            if (pc == 1)
                fputs("set title \"Share of the iteration\"\n"
                      "set ylabel \"% of the iteration\"\n"
                      "set yrange [0:100]\nunset key\n",
                      out);
            fputs("plot ", out);
            for (k = 0; k < b->n_parts; k++) {
                fputs(k ? ", \\\n     " : "", out);
                if (pc)
                    fprintf(out, "$bd using (100 * column(%d) / column(%d))"
                                 ":xtic(1) title columnhead(%d)",
                            k + 2, b->n_parts + 2, k + 2);
                else
                    fprintf(out, "$bd using %d:xtic(1) title columnhead(%d)",
                            k + 2, k + 2);
                fprintf(out, " lc rgb \"%s\"", colour[k % n_colour]);
            }
            fputs("\n", out);
        }
        fputs("unset multiplot\n", out);
    }
    fputs("set output\n", out);
}

/* ---- bench ------------------------------------------------------------ */

static void size_tics(FILE *out, double lo, double hi)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double x = 1, step;
    int first = 1, e = 0;

    while (x * 2 <= lo)
        x *= 2, e++;
    /* powers of 2, at most about a dozen labels */
    step = 1;
    while (log2(hi / x) / step > 12)
        step *= 2;
    fputs("set xtics (", out);
    for (; x <= hi * 1.0001; x *= pow(2, step), e += (int)step) {
        int u = e / 10 < 4 ? e / 10 : 4;

        fprintf(out, "%s\"%.0f %s\" %.0f", first ? "" : ", ",
                x / pow(1024, u), unit[u], x);
        first = 0;
    }
    fputs(")\n", out);
}

void tce_plot_bench_script(FILE *out, const struct tce_plot_page *pg,
                           const struct tce_plot_series *s, int n_series)
{
    double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;
    int i, k;

    header(out, pg, "bench");
    for (k = 0; k < n_series; k++) {
        fprintf(out, "# %s: size_bytes busbw_gbytes_per_s\n$s%d << EOD\n",
                s[k].name, k);
        for (i = 0; i < s[k].n; i++) {
            fprintf(out, "%.0f", s[k].x[i]);
            num(out, s[k].y[i]);
            fputs("\n", out);
            if (s[k].x[i] > 0) {
                xlo = fmin(xlo, s[k].x[i]);
                xhi = fmax(xhi, s[k].x[i]);
            }
            if (s[k].y[i] > 0) {
                ylo = fmin(ylo, s[k].y[i]);
                yhi = fmax(yhi, s[k].y[i]);
            }
        }
        fputs("EOD\n", out);
    }
    for (i = 0; i < pg->n_outputs; i++) {
        terminal(out, pg, i);
        page_title(out, pg, "set title");
        common(out);
        fputs("set key inside top left box opaque\n"
              "set xlabel \"message size (nccl-tests size: the whole buffer)"
              "\"\nset ylabel \"bus bandwidth (GB/s, 1 GB = 1e9 bytes)\"\n"
              "set logscale x 2\n",
              out);
        if (xhi > 0)
            size_tics(out, xlo, xhi);
        if (spans_decades(ylo, yhi))
            fputs("set logscale y\nset format y \"%g\"\n", out);
        else
            fputs("set yrange [0:*]\n", out);
        fputs("plot ", out);
        for (k = 0; k < n_series; k++) {
            fprintf(out, "%s$s%d using 1:2 with linespoints lw 2 pt 7 title ",
                    k ? ", \\\n     " : "", k);
            dq(out, s[k].name);
        }
        if (n_series == 0)
            fputs("NaN notitle", out);
        fputs("\nunset logscale\nunset xtics\nset xtics\n", out);
    }
    fputs("set output\n", out);
}

/* ---- run -------------------------------------------------------------- */

void tce_plot_run_script(FILE *out, const struct tce_plot_page *pg,
                         const struct tce_plot_run_op *ops, int n,
                         const char *modelled_title)
{
    int i;

    header(out, pg, "run");
    fputs("# milliseconds per op: label measured_mean modelled measured_min "
          "measured_max\n$run << EOD\n",
          out);
    for (i = 0; i < n; i++) {
        data_label(out, ops[i].label);
        num(out, ops[i].measured_s * 1e3);
        num(out, ops[i].modelled_s * 1e3);
        num(out, ops[i].measured_min_s * 1e3);
        num(out, ops[i].measured_max_s * 1e3);
        fputs("\n", out);
    }
    fputs("EOD\n", out);
    for (i = 0; i < pg->n_outputs; i++) {
        terminal(out, pg, i);
        page_title(out, pg, "set title");
        common(out);
        fputs("set key inside top left box opaque\n"
              "set ylabel \"time per op (ms, log scale)\"\n"
              "set logscale y\nset format y \"%g\"\n"
              "set xtics rotate by -60 font \"sans,8\" scale 0\n"
              "set grid noxtics\nset style fill solid 0.8 border -1\n"
              "set boxwidth 0.4\nset xrange [-1:*]\n",
              out);
        fprintf(out, "set xrange [-1:%d]\n", n);
        fputs("plot $run using ($0 - 0.2):2:(0.4):xtic(1) with boxes "
              "lc rgb \"#1f77b4\" title \"measured (mean; bar: min to max "
              "over ranks)\", \\\n"
              "     $run using ($0 - 0.2):2:4:5 with yerrorbars pt -1 lc rgb "
              "\"#000000\" notitle, \\\n"
              "     $run using ($0 + 0.2):3:(0.4) with boxes lc rgb "
              "\"#ff7f0e\" title ",
              out);
        dq(out, modelled_title);
        fputs("\nunset logscale\n", out);
    }
    fputs("set output\n", out);
}
