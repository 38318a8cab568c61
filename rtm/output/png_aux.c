/* png_aux.c: the CRS sidecar of a PNG map (see rtm/output.h): X.png.aux.xml,
 * GDAL's persistent auxiliary metadata (PAM) format, which GDAL (and so
 * QGIS) and ArcGIS read beside an image; the world file gives the pixel
 * grid, this file its coordinate reference system. Built with GDAL's XML
 * and OSR APIs (the same <PAMDataset><SRS> that GDAL itself writes), to a
 * temporary file renamed into place (core/atomic.h). */
#include "rtm/output.h"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic.h"

int rtm_png_aux_path(const char *png_path, char *out, size_t outsz, rtm_error *err)
{
    size_t n = strlen(png_path);
    if (n + sizeof ".aux.xml" > outsz)
        return rtm_error_set(err, RTM_ERR_ARG, "png: path too long '%s'", png_path);
    memcpy(out, png_path, n);
    memcpy(out + n, ".aux.xml", sizeof ".aux.xml");
    return 0;
}

/* The PAM tree for crs, or NULL (error set). */
static CPLXMLNode *pam_tree(const char *crs, rtm_error *err)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    CPLXMLNode *root = NULL, *node;
    char *wkt = NULL, map[64] = "";
    const int *axes;
    int naxes = 0, i;
    if (!srs) {
        rtm_error_set(err, RTM_ERR_NOMEM, "png: out of memory");
        return NULL;
    }
    /* data axes as the world file has them: x (easting) first */
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRSetFromUserInput(srs, crs) != OGRERR_NONE || OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
        rtm_error_set(err, RTM_ERR_ARG, "png: cannot describe the CRS '%s'", crs);
        goto done;
    }
    axes = OSRGetDataAxisToSRSAxisMapping(srs, &naxes);
    for (i = 0; i < naxes && strlen(map) + 8 < sizeof map; i++)
        snprintf(map + strlen(map), sizeof map - strlen(map), i ? ",%d" : "%d", axes[i]);
    root = CPLCreateXMLNode(NULL, CXT_Element, "PAMDataset");
    node = CPLCreateXMLElementAndValue(root, "SRS", wkt);
    if (naxes > 0)
        CPLAddXMLAttributeAndValue(node, "dataAxisToSRSAxisMapping", map);
done:
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    return root;
}

int rtm_png_aux_write(const char *path, const char *crs, rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    CPLXMLNode *root;
    int ok;
    if (!crs || !*crs)
        return rtm_error_set(err, RTM_ERR_ARG, "png: no CRS for '%s'", path);
    if (!(root = pam_tree(crs, err)))
        return err ? err->code : RTM_ERR_ARG;
    if (rtm_atomic_tmpname(path, tmp, sizeof tmp, err) != 0) {
        CPLDestroyXMLNode(root);
        return err ? err->code : RTM_ERR_IO;
    }
    ok = CPLSerializeXMLTreeToFile(root, tmp);
    CPLDestroyXMLNode(root);
    if (!ok) {
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "png: cannot write '%s'", path);
    }
    return rtm_atomic_commit(tmp, path, err);
}
