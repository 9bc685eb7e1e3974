/* cli_trace.c - `tcemu project --trace FILE`: the modelled timeline of one
 * iteration (timeline.h) written as Chrome trace-event JSON through the
 * safe writer (output.h). */
#include <stdio.h>

#include "tcemu/cli.h"
#include "tcemu/output.h"
#include "tcemu/projector.h"
#include "tcemu/scenario.h"
#include "tcemu/timeline.h"

int tce_cli_project_trace(const char *path, const struct tce_scenario *s,
                          const struct tce_projection *p)
{
    struct tce_timeline t;
    struct tce_output o;
    struct tce_error err;
    char title[512];
    int status;

    tce_error_clear(&err);
    if (tce_timeline_build(&s->topo, &s->job, &s->cm, &p->layout, &t,
                           &err) != 0) {
        fprintf(stderr, "tcemu project: error: --trace: %s\n", err.msg);
        return tce_exit_status(err.code);
    }
    snprintf(title, sizeof(title),
             "tcemu project: one iteration of %s on %s at %lld GPUs "
             "(modelled)",
             s->job.name, s->topo.name, (long long)p->layout.gpus);
    status = tce_cli_output_open(&o, path);
    if (status == TCE_EXIT_OK) {
        tce_timeline_trace(o.fp, &t, title, p->iteration_s);
        status = tce_cli_output_commit(&o);
    }
    tce_timeline_release(&t);
    return status;
}
