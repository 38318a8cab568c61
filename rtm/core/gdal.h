/* core/gdal.h: one-time GDAL set-up shared by every module that uses GDAL/OGR. */
#ifndef RTM_GDAL_H
#define RTM_GDAL_H

#ifdef __cplusplus
extern "C" {
#endif

/** Register GDAL/OGR drivers and install a quiet error handler so the library
 *  never prints GDAL messages (they are read back with CPLGetLastErrorMsg and
 *  returned in rtm_error). Safe to call many times from any thread. */
void rtm_gdal_init(void);

#ifdef __cplusplus
}
#endif
#endif
