/* output/bt_report.h (library-private): the back-test summary of a map
 * (rtm/evaluate_truth.h) in reports - Markdown, JSON and one plain
 * sentence saying whether the map forecasts or explains. */
#ifndef RTM_BT_REPORT_H
#define RTM_BT_REPORT_H

#include <stdio.h>
#include "core/json.h"
#include "rtm/evaluate_truth.h"

/* One sentence on surface i of b (the last is the prior counts) into buf. */
const char *rtm_bt_verdict(const rtm_bt_summary *b, int i, char *buf, size_t n);
/* "## Does the map forecast?" with the PAI table and the verdicts. */
void rtm_bt_summary_md(FILE *o, const rtm_bt_summary *b);
/* "backtest": {...} as a key of the current object. */
void rtm_bt_summary_json(rtm_json *w, const rtm_bt_summary *b);

#endif
