/* qml.c: QGIS layer style (.qml) sidecars for rasters (see rtm/output.h).
 *
 * Structure follows the style files QGIS 3 itself writes (Layer Properties >
 * Symbology > Style > Save Style as QML): <qgis><pipe><rasterrenderer> with
 *  - type "singlebandpseudocolor": <rastershader><colorrampshader> and one
 *    <item> per colour stop (QgsSingleBandPseudoColorRenderer,
 *    QgsColorRampShader); colorRampType "INTERPOLATED" for a continuous
 *    ramp, "DISCRETE" for classes: QGIS gives a value the colour of the first
 *    item whose value is >= it, so each item carries its class's upper break
 *    and the last one "inf", as QGIS's own discrete classification does;
 *  - type "paletted": <colorPalette> with one <paletteEntry> per class
 *    (QgsPalettedRasterRenderer).
 * nodataColor="" leaves nodata cells transparent; QGIS takes the nodata value
 * from the GeoTIFF. The document is built as a GDAL XML tree (cpl_minixml.h),
 * which escapes every attribute value. */
#include "rtm/output.h"
#include "output/palette.h"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CPLXMLNode *elem(CPLXMLNode *parent, const char *name)
{
    return CPLCreateXMLNode(parent, CXT_Element, name);
}

static void attr(CPLXMLNode *node, const char *name, const char *value)
{
    CPLAddXMLAttributeAndValue(node, name, value);
}

static void attrf(CPLXMLNode *node, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void attrf(CPLXMLNode *node, const char *name, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    CPLAddXMLAttributeAndValue(node, name, buf);
}

/* name="a" value="b" ... from a NULL-terminated list of pairs. */
static void attrs(CPLXMLNode *node, const char *const *pairs)
{
    for (int k = 0; pairs[k]; k += 2)
        attr(node, pairs[k], pairs[k + 1]);
}

static void color_attr(CPLXMLNode *node, const unsigned char c[3])
{
    attrf(node, "color", "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* <qgis ...><pipe><provider>, returning the pipe. */
static CPLXMLNode *put_head(CPLXMLNode *qgis)
{
    static const char *const top[] = {"version", "3.16.0-Hannover", "styleCategories",
                                      "AllStyleCategories", "hasScaleBasedVisibilityFlag", "0",
                                      "minScale", "1e+08", "maxScale", "0", NULL};
    static const char *const rs[] = {"enabled", "false", "maxOversampling", "2",
                                     "zoomedInResamplingMethod", "nearestNeighbour",
                                     "zoomedOutResamplingMethod", "nearestNeighbour", NULL};
    attrs(qgis, top);
    CPLXMLNode *pipe = elem(qgis, "pipe");
    attrs(elem(elem(pipe, "provider"), "resampling"), rs);
    return pipe;
}

static void put_minmax_origin(CPLXMLNode *r)
{
    elem(r, "rasterTransparency");
    CPLXMLNode *m = elem(r, "minMaxOrigin");
    CPLCreateXMLElementAndValue(m, "limits", "None");
    CPLCreateXMLElementAndValue(m, "extent", "WholeRaster");
    CPLCreateXMLElementAndValue(m, "statAccuracy", "Exact");
    CPLCreateXMLElementAndValue(m, "cumulativeCutLower", "0.02");
    CPLCreateXMLElementAndValue(m, "cumulativeCutUpper", "0.98");
    CPLCreateXMLElementAndValue(m, "stdDevFactor", "2");
}

/* What follows the renderer in the pipe, and the blend mode. */
static void put_tail(CPLXMLNode *qgis, CPLXMLNode *pipe)
{
    static const char *const bc[] = {"brightness", "0", "contrast", "0", "gamma", "1", NULL};
    static const char *const hs[] = {"saturation", "0", "grayscaleMode", "0", "colorizeOn", "0",
                                     "colorizeRed", "255", "colorizeGreen", "128",
                                     "colorizeBlue", "128", "colorizeStrength", "100",
                                     "invertColors", "0", NULL};
    attrs(elem(pipe, "brightnesscontrast"), bc);
    attrs(elem(pipe, "huesaturation"), hs);
    attr(elem(pipe, "rasterresampler"), "maxOversampling", "2");
    CPLCreateXMLElementAndValue(pipe, "resamplingStage", "resamplingFilter");
    CPLCreateXMLElementAndValue(qgis, "blendMode", "0");
}

/* <rasterrenderer type=...> with the attributes every renderer has. */
static CPLXMLNode *put_renderer(CPLXMLNode *pipe, const char *type)
{
    CPLXMLNode *r = elem(pipe, "rasterrenderer");
    attr(r, "type", type);
    attr(r, "band", "1");
    attr(r, "opacity", "1");
    attr(r, "alphaBand", "-1");
    attr(r, "nodataColor", "");
    return r;
}

/* The pseudocolor renderer and its colour ramp shader over [vmin, vmax]. */
static CPLXMLNode *put_shader(CPLXMLNode *pipe, const char *kind, double vmin, double vmax)
{
    CPLXMLNode *r = put_renderer(pipe, "singlebandpseudocolor");
    attrf(r, "classificationMin", "%.17g", vmin);
    attrf(r, "classificationMax", "%.17g", vmax);
    put_minmax_origin(r);
    CPLXMLNode *s = elem(elem(r, "rastershader"), "colorrampshader");
    attr(s, "colorRampType", kind);
    attr(s, "classificationMode", "1");
    attr(s, "clip", "0");
    attrf(s, "minimumValue", "%.17g", vmin);
    attrf(s, "maximumValue", "%.17g", vmax);
    attr(s, "labelPrecision", "4");
    return s;
}

static void put_item(CPLXMLNode *shader, const char *value, const char *label, int alpha,
                     const unsigned char c[3])
{
    CPLXMLNode *it = elem(shader, "item");
    attrf(it, "alpha", "%d", alpha);
    attr(it, "value", value);
    attr(it, "label", label);
    color_attr(it, c);
}

/* Continuous surfaces: the ramp's stops spread linearly over [vmin, vmax]. */
static void put_pseudocolor(CPLXMLNode *pipe, int ramp, double vmin, double vmax)
{
    if (!isfinite(vmin) || !isfinite(vmax)) {
        vmin = 0;
        vmax = 1;
    }
    if (!(vmax > vmin))
        vmax = vmin + 1;
    /* a diverging ramp keeps its neutral centre at 0 (z-scores, residuals) */
    if (ramp == RTM_RAMP_DIVERGING && vmin < 0 && vmax > 0) {
        double a = fmax(-vmin, vmax);
        vmin = -a;
        vmax = a;
    }
    CPLXMLNode *s = put_shader(pipe, "INTERPOLATED", vmin, vmax);
    int n = rtm_ramp_nstops(ramp);
    for (int k = 0; k < n; k++) {
        double pos;
        unsigned char c[3];
        char val[64], lab[64];
        rtm_ramp_stop(ramp, k, &pos, c);
        double v = k == n - 1 ? vmax : vmin + pos * (vmax - vmin);
        snprintf(val, sizeof val, "%.17g", v);
        snprintf(lab, sizeof lab, "%.4g", v);
        put_item(s, val, lab, 255, c);
    }
}

/* Classed surfaces (the PNG map's classes): class k, (b[k], b[k+1]], gets
 * rtm_ramp_class_color(ramp, k, n) up to b[k+1]; the last class runs on to
 * "inf" and class 0 down to -inf (as rtm_class_index places values outside
 * the breaks); values <= o->qml_transparent_below are transparent, as on
 * the map. */
static void put_classed(CPLXMLNode *pipe, int ramp, const rtm_geotiff_opts *o)
{
    int n = o->qml_nclasses;
    const double *b = o->qml_breaks;
    double hide = o->qml_transparent_below;
    CPLXMLNode *s = put_shader(pipe, "DISCRETE", b[0], b[n]);
    char val[64], lab[160];
    unsigned char c[3] = {255, 255, 255};
    if (isfinite(hide) && hide < b[1]) {
        snprintf(val, sizeof val, "%.17g", hide);
        snprintf(lab, sizeof lab, "\xe2\x89\xa4 %.4g (not shown)", hide);
        put_item(s, val, lab, 0, c);
    }
    for (int k = 0; k < n; k++) {
        rtm_ramp_class_color(ramp, k, n, c);
        if (k == n - 1)
            snprintf(val, sizeof val, "inf");
        else
            snprintf(val, sizeof val, "%.17g", b[k + 1]);
        snprintf(lab, sizeof lab, "%.4g \xe2\x80\x93 %.4g", b[k], b[k + 1]);
        put_item(s, val, lab, 255, c);
    }
}

/* Categorical surfaces: one palette entry per class (output/palette.h). */
static int put_paletted(CPLXMLNode *pipe, int ramp, const double *classes, int nclasses,
                        const char *const *labels, const char *const *colors, rtm_error *err)
{
    rtm_palette pal;
    if (rtm_palette_build(ramp, classes, nclasses, labels, &pal, err) != 0)
        return RTM_ERR_NOMEM;
    rtm_palette_recolor(&pal, colors);
    CPLXMLNode *r = put_renderer(pipe, "paletted");
    put_minmax_origin(r);
    CPLXMLNode *cp = elem(r, "colorPalette");
    for (int k = 0; k < pal.n; k++) {
        char num[64];
        CPLXMLNode *e = elem(cp, "paletteEntry");
        snprintf(num, sizeof num, "%.17g", pal.value[k]);
        attr(e, "value", num);
        attr(e, "alpha", "255");
        color_attr(e, pal.rgb[k]);
        attr(e, "label", pal.label[k] ? pal.label[k] : num);
    }
    rtm_palette_free(&pal);
    return 0;
}

/* Classed options are usable: 1..RTM_CLASS_MAX finite non-decreasing breaks. */
static int check_classes(const rtm_geotiff_opts *o, rtm_error *err)
{
    int n = o->qml_nclasses;
    if (n == 0 || o->categorical)
        return 0;
    if (n < 0 || n > RTM_CLASS_MAX || !o->qml_breaks)
        return rtm_error_set(err, RTM_ERR_ARG,
                             "qml: qml_nclasses must be 0..%d with qml_breaks (got %d)",
                             RTM_CLASS_MAX, n);
    for (int k = 0; k <= n; k++)
        if (!isfinite(o->qml_breaks[k]) || (k > 0 && o->qml_breaks[k] < o->qml_breaks[k - 1]))
            return rtm_error_set(err, RTM_ERR_ARG,
                                 "qml: break %d (%g) is not finite and non-decreasing", k,
                                 o->qml_breaks[k]);
    return 0;
}

/* The serialised tree as a malloc'd string (GDAL allocates with CPLMalloc). */
static char *serialize(CPLXMLNode *doc, rtm_error *err)
{
    char *g = CPLSerializeXMLTree(doc), *out = NULL;
    if (g && (out = malloc(strlen(g) + 1)))
        memcpy(out, g, strlen(g) + 1);
    CPLFree(g);
    if (!out)
        rtm_error_set(err, RTM_ERR_NOMEM, "qml: out of memory");
    return out;
}

char *rtm_qml_build(const rtm_geotiff_opts *o, double vmin, double vmax,
                    const double *classes, int nclasses, rtm_error *err)
{
    rtm_geotiff_opts def;
    int ramp, rc = 0;
    char *out = NULL;
    if (!o) {
        rtm_geotiff_opts_init(&def);
        o = &def;
    }
    if (rtm_ramp_parse(o->qml_ramp, &ramp, err) != 0 || check_classes(o, err) != 0)
        return NULL;
    /* the DOCTYPE line QGIS writes, then the <qgis> element */
    CPLXMLNode *doc = CPLCreateXMLNode(NULL, CXT_Literal,
                                       "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>");
    CPLXMLNode *qgis = CPLCreateXMLNode(NULL, CXT_Element, "qgis");
    doc->psNext = qgis;
    CPLXMLNode *pipe = put_head(qgis);
    if (o->categorical)
        rc = put_paletted(pipe, ramp, classes, nclasses, o->class_labels,
                          o->class_colors, err);
    else if (o->qml_nclasses > 0)
        put_classed(pipe, ramp, o);
    else
        put_pseudocolor(pipe, ramp, vmin, vmax);
    put_tail(qgis, pipe);
    if (rc == 0)
        out = serialize(doc, err);
    CPLDestroyXMLNode(doc);
    return out;
}

int rtm_qml_path(const char *path, char *out, size_t outsz, rtm_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    size_t stem = (dot && dot != name) ? (size_t)(dot - path) : strlen(path);
    int n = snprintf(out, outsz, "%.*s.qml", (int)stem, path);
    if (n < 0 || (size_t)n >= outsz)
        return rtm_error_set(err, RTM_ERR_ARG, "qml: path '%s' is too long", path);
    return 0;
}
