/* trace.c - Chrome trace-event JSON (see trace.h). */
#include "tcemu/trace.h"

#include <string.h>

void tce_trace_begin(struct tce_trace *t, FILE *out, const char *title,
                     const char *engine)
{
    memset(t, 0, sizeof(*t));
    t->pid = 1;
    tce_json_init(&t->j, out);
    t->j.pretty = 0;
    tce_json_object_begin(&t->j, NULL);
    tce_json_string(&t->j, "displayTimeUnit", "ms");
    tce_json_object_begin(&t->j, "otherData");
    tce_json_string(&t->j, "title", title);
    tce_json_string(&t->j, "engine", engine);
    tce_json_object_end(&t->j);
    tce_json_array_begin(&t->j, "traceEvents");
    tce_json_object_begin(&t->j, NULL);
    tce_json_string(&t->j, "name", "process_name");
    tce_json_string(&t->j, "ph", "M");
    tce_json_int(&t->j, "pid", t->pid);
    tce_json_object_begin(&t->j, "args");
    tce_json_string(&t->j, "name", engine);
    tce_json_object_end(&t->j);
    tce_json_object_end(&t->j);
}

static void metadata(struct tce_trace *t, const char *what, int64_t track,
                     const char *s, int64_t i)
{
    tce_json_object_begin(&t->j, NULL);
    tce_json_string(&t->j, "name", what);
    tce_json_string(&t->j, "ph", "M");
    tce_json_int(&t->j, "pid", t->pid);
    tce_json_int(&t->j, "tid", track);
    tce_json_object_begin(&t->j, "args");
    if (s)
        tce_json_string(&t->j, "name", s);
    else
        tce_json_int(&t->j, "sort_index", i);
    tce_json_object_end(&t->j);
    tce_json_object_end(&t->j);
}

void tce_trace_track(struct tce_trace *t, int64_t track, const char *name)
{
    metadata(t, "thread_name", track, name, 0);
    metadata(t, "thread_sort_index", track, NULL, track);
}

void tce_trace_event(struct tce_trace *t, const struct tce_trace_event *e)
{
    int i;

    tce_json_object_begin(&t->j, NULL);
    tce_json_string(&t->j, "name", e->name);
    tce_json_string(&t->j, "cat", e->cat ? e->cat : "op");
    tce_json_string(&t->j, "ph", "X");
    tce_json_int(&t->j, "pid", t->pid);
    tce_json_int(&t->j, "tid", e->track);
    tce_json_double(&t->j, "ts", e->start_us);
    tce_json_double(&t->j, "dur", e->dur_us > 0 ? e->dur_us : 0.0);
    if (e->n_args > 0) {
        tce_json_object_begin(&t->j, "args");
        for (i = 0; i < e->n_args && i < TCE_TRACE_ARGS_MAX; i++) {
            if (e->args[i].s)
                tce_json_string(&t->j, e->args[i].key, e->args[i].s);
            else
                tce_json_double(&t->j, e->args[i].key, e->args[i].d);
        }
        tce_json_object_end(&t->j);
    }
    tce_json_object_end(&t->j);
}

void tce_trace_end(struct tce_trace *t)
{
    tce_json_finish(&t->j); /* closes the array and the document */
}
