/* product/forecast_priv.h (library-private): the forecast product's report
 * writers (forecast_report.c). */
#ifndef RTM_FORECAST_PRIV_H
#define RTM_FORECAST_PRIV_H

#include "product/product_priv.h"
#include "rtm/forecast.h"

/* What the values are: "expected events per cell in 2018-06". */
void rtm_fc_units(const rtm_forecast *f, char *buf, size_t n);
int rtm_fc_write_json(const rtm_forecast_product *p, const rtm_forecast *f,
                      const rtm_events *ev, rtm_outset *out, rtm_error *err);
int rtm_fc_write_md(const rtm_forecast_product *p, const rtm_forecast *f, const rtm_events *ev,
                    rtm_outset *out, rtm_error *err);

#endif
