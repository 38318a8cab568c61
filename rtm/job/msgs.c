/* msgs.c: a growable list of messages (see rtm_msgs in rtm/job.h). */
#include "rtm/job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void rtm_msgs_free(rtm_msgs *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        free(m->msg[i]);
    free(m->msg);
    m->msg = NULL;
    m->n = m->cap = 0;
}

int rtm_msgs_add(rtm_msgs *m, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (len < 0)
        return -1;
    if (m->n == m->cap) {
        int cap = m->cap ? 2 * m->cap : 8;
        char **v = realloc(m->msg, (size_t)cap * sizeof *v);
        if (!v) {
            free(s);
            return -1;
        }
        m->msg = v;
        m->cap = cap;
    }
    m->msg[m->n++] = s;
    return 0;
}
