/* gdal_init.c: register GDAL drivers once, silence GDAL's own printing. */
#include "core/gdal.h"

#include <cpl_error.h>
#include <gdal.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    GDALAllRegister();
    /* The library reports errors through rtm_error, never on stderr. */
    CPLSetErrorHandler(CPLQuietErrorHandler);
}

void rtm_gdal_init(void)
{
    pthread_once(&once, init);
}
