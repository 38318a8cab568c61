/* palette.c: class values, labels and colours of categorical rasters (see
 * output/palette.h). */
#include "output/palette.h"
#include "rtm/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The value of a "VALUE=LABEL" item and its label, or NULL. */
static const char *parse_item(const char *item, double *v)
{
    char *end;
    *v = strtod(item, &end);
    return end != item && *end == '=' && isfinite(*v) ? end + 1 : NULL;
}

/* Label of class value v, or NULL (the first item for v wins). */
static const char *find_label(const char *const *labels, double v)
{
    double lv;
    for (int k = 0; labels && labels[k]; k++) {
        const char *lab = parse_item(labels[k], &lv);
        if (lab && lv == v)
            return lab;
    }
    return NULL;
}

int rtm_palette_build(int ramp, const double *classes, int nclasses,
                      const char *const *labels, rtm_palette *p, rtm_error *err)
{
    int nl = 0, n = 0, m = 0;
    double lv;
    memset(p, 0, sizeof *p);
    while (labels && labels[nl])
        nl++;
    size_t cap = (size_t)nclasses + (size_t)nl + 1;
    p->value = malloc(cap * sizeof *p->value);
    p->label = malloc(cap * sizeof *p->label);
    p->rgb = malloc(cap * sizeof *p->rgb);
    if (!p->value || !p->label || !p->rgb) {
        rtm_palette_free(p);
        return rtm_error_set(err, RTM_ERR_NOMEM, "palette: out of memory");
    }
    for (int k = 0; k < nclasses; k++)
        p->value[n++] = classes[k];
    for (int k = 0; k < nl; k++)
        if (parse_item(labels[k], &lv))
            p->value[n++] = lv;
    qsort(p->value, (size_t)n, sizeof *p->value, cmp_double);
    for (int k = 0; k < n; k++)
        if (m == 0 || p->value[k] != p->value[m - 1])
            p->value[m++] = p->value[k];
    p->n = m;
    for (int k = 0; k < m; k++) {
        p->label[k] = find_label(labels, p->value[k]);
        rtm_ramp_class_color(ramp, k, m, p->rgb[k]);
    }
    return 0;
}

int rtm_palette_color_of(const char *const *colors, double v, unsigned char rgb[3])
{
    double cv;
    unsigned r, g, b;
    for (int k = 0; colors && colors[k]; k++) {
        const char *c = parse_item(colors[k], &cv);
        if (c && cv == v && sscanf(c, "#%2x%2x%2x", &r, &g, &b) == 3) {
            rgb[0] = (unsigned char)r, rgb[1] = (unsigned char)g, rgb[2] = (unsigned char)b;
            return 1;
        }
    }
    return 0;
}

void rtm_palette_recolor(rtm_palette *p, const char *const *colors)
{
    for (int k = 0; colors && k < p->n; k++)
        rtm_palette_color_of(colors, p->value[k], p->rgb[k]);
}

void rtm_palette_free(rtm_palette *p)
{
    free(p->value);
    free(p->label);
    free(p->rgb);
    memset(p, 0, sizeof *p);
}
