/* base64.c: RFC 4648 section 4 base64 (with '=' padding) through GDAL's
 * CPLBase64Encode (see output/html.h). */
#include "output/html.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *rtm_base64(const void *data, size_t n)
{
    /* CPLBase64Encode takes an int count; GDAL allocates with CPLMalloc,
     * so the text is copied into a plain malloc block the caller frees */
    if (n > (size_t)INT_MAX / 4 * 3 - 3)
        return NULL;
    char *g = CPLBase64Encode((int)n, (const GByte *)data);
    if (!g)
        return NULL;
    size_t len = strlen(g);
    char *out = malloc(len + 1);
    if (out)
        memcpy(out, g, len + 1);
    CPLFree(g);
    return out;
}
