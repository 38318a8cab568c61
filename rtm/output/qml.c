/* qml.c: QGIS layer style (.qml) sidecars for rasters (see rtm_geotiff.h).
 *
 * Structure follows the style files QGIS 3 itself writes (Layer Properties >
 * Symbology > Style > Save Style as QML): <qgis><pipe><rasterrenderer> with
 *  - type "singlebandpseudocolor": <rastershader><colorrampshader
 *    colorRampType="INTERPOLATED" classificationMode="1"> and one <item> per
 *    colour stop (QgsSingleBandPseudoColorRenderer, QgsColorRampShader);
 *  - type "paletted": <colorPalette> with one <paletteEntry> per class
 *    (QgsPalettedRasterRenderer).
 * nodataColor="" leaves nodata cells transparent; QGIS takes the nodata value
 * from the GeoTIFF. */
#include "rtm/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* XML attribute escaping. */
static void put_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n': fputs("&#10;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void put_head(FILE *f)
{
    fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
          "<qgis version=\"3.16.0-Hannover\" styleCategories=\"AllStyleCategories\" "
          "hasScaleBasedVisibilityFlag=\"0\" minScale=\"1e+08\" maxScale=\"0\">\n"
          "  <pipe>\n"
          "    <provider>\n"
          "      <resampling enabled=\"false\" maxOversampling=\"2\" "
          "zoomedInResamplingMethod=\"nearestNeighbour\" "
          "zoomedOutResamplingMethod=\"nearestNeighbour\"/>\n"
          "    </provider>\n",
          f);
}

static void put_minmax_origin(FILE *f)
{
    fputs("      <rasterTransparency/>\n"
          "      <minMaxOrigin>\n"
          "        <limits>None</limits>\n"
          "        <extent>WholeRaster</extent>\n"
          "        <statAccuracy>Exact</statAccuracy>\n"
          "        <cumulativeCutLower>0.02</cumulativeCutLower>\n"
          "        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n"
          "        <stdDevFactor>2</stdDevFactor>\n"
          "      </minMaxOrigin>\n",
          f);
}

static void put_tail(FILE *f)
{
    fputs("    </rasterrenderer>\n"
          "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
          "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\" "
          "colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" "
          "colorizeStrength=\"100\" invertColors=\"0\"/>\n"
          "    <rasterresampler maxOversampling=\"2\"/>\n"
          "    <resamplingStage>resamplingFilter</resamplingStage>\n"
          "  </pipe>\n"
          "  <blendMode>0</blendMode>\n"
          "</qgis>\n",
          f);
}

/* Continuous surfaces: the ramp's stops spread linearly over [vmin, vmax]. */
static void put_pseudocolor(FILE *f, int ramp, double vmin, double vmax)
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
    fprintf(f,
            "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" "
            "alphaBand=\"-1\" nodataColor=\"\" classificationMin=\"%.17g\" "
            "classificationMax=\"%.17g\">\n",
            vmin, vmax);
    put_minmax_origin(f);
    fprintf(f,
            "      <rastershader>\n"
            "        <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" "
            "clip=\"0\" minimumValue=\"%.17g\" maximumValue=\"%.17g\" labelPrecision=\"4\">\n",
            vmin, vmax);
    int n = rtm_ramp_nstops(ramp);
    for (int k = 0; k < n; k++) {
        double pos;
        unsigned char c[3];
        rtm_ramp_stop(ramp, k, &pos, c);
        double v = k == n - 1 ? vmax : vmin + pos * (vmax - vmin);
        fprintf(f,
                "          <item alpha=\"255\" value=\"%.17g\" label=\"%.4g\" "
                "color=\"#%02x%02x%02x\"/>\n",
                v, v, c[0], c[1], c[2]);
    }
    fputs("        </colorrampshader>\n"
          "      </rastershader>\n",
          f);
}

/* Label of class value v from "VALUE=LABEL" items, or NULL. */
static const char *class_label(const char *const *labels, double v)
{
    for (int k = 0; labels && labels[k]; k++) {
        char *end;
        double lv = strtod(labels[k], &end);
        if (end != labels[k] && *end == '=' && lv == v)
            return end + 1;
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct union of classes and labelled values; returns the count or
 * -1 on allocation failure (*out malloc'd). */
static int class_union(const double *classes, int nclasses, const char *const *labels,
                       double **out)
{
    int nl = 0, n = 0;
    while (labels && labels[nl])
        nl++;
    double *u = malloc(((size_t)nclasses + (size_t)nl + 1) * sizeof *u);
    if (!u)
        return -1;
    for (int k = 0; k < nclasses; k++)
        u[n++] = classes[k];
    for (int k = 0; k < nl; k++) {
        char *end;
        double lv = strtod(labels[k], &end);
        if (end != labels[k] && *end == '=' && isfinite(lv))
            u[n++] = lv;
    }
    qsort(u, (size_t)n, sizeof *u, cmp_double);
    int m = 0;
    for (int k = 0; k < n; k++)
        if (m == 0 || u[k] != u[m - 1])
            u[m++] = u[k];
    *out = u;
    return m;
}

/* Categorical surfaces: one palette entry per class, coloured by position of
 * the value within the class range (so a symmetric Gi* range puts 0 at the
 * diverging ramp's neutral centre). */
static int put_paletted(FILE *f, int ramp, const double *classes, int nclasses,
                        const char *const *labels)
{
    double *u;
    int n = class_union(classes, nclasses, labels, &u);
    if (n < 0)
        return -1;
    fputs("    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" "
          "nodataColor=\"\">\n",
          f);
    put_minmax_origin(f);
    fputs("      <colorPalette>\n", f);
    for (int k = 0; k < n; k++) {
        double t = n > 1 ? (u[k] - u[0]) / (u[n - 1] - u[0]) : 0.5;
        unsigned char c[3];
        char num[64];
        const char *lab = class_label(labels, u[k]);
        rtm_ramp_color(ramp, t, c);
        snprintf(num, sizeof num, "%.17g", u[k]);
        fprintf(f, "        <paletteEntry value=\"%s\" alpha=\"255\" color=\"#%02x%02x%02x\" label=\"",
                num, c[0], c[1], c[2]);
        put_xml(f, lab ? lab : num);
        fputs("\"/>\n", f);
    }
    fputs("      </colorPalette>\n", f);
    free(u);
    return 0;
}

char *rtm_qml_build(const rtm_geotiff_opts *o, double vmin, double vmax,
                    const double *classes, int nclasses, rtm_error *err)
{
    rtm_geotiff_opts def;
    int ramp;
    if (!o) {
        rtm_geotiff_opts_init(&def);
        o = &def;
    }
    if (rtm_ramp_parse(o->qml_ramp, &ramp, err) != 0)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        rtm_error_set(err, RTM_ERR_NOMEM, "qml: out of memory");
        return NULL;
    }
    int rc = 0;
    put_head(f);
    if (o->categorical)
        rc = put_paletted(f, ramp, classes, nclasses, o->class_labels);
    else
        put_pseudocolor(f, ramp, vmin, vmax);
    put_tail(f);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        rtm_error_set(err, RTM_ERR_NOMEM, "qml: out of memory");
        return NULL;
    }
    return buf;
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
