/* cmd_evaluate_opts.c: the parts of `rtm evaluate` that do not fit its
 * parser - the help text and coverages with units (risk factors: cli_factors.c). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cmd_evaluate_priv.h"

const char RTM_EVALUATE_HELP[] =
    "Usage: rtm evaluate [OPTIONS] -o OUTDIR [NAME=]SURFACE.tif... EVENTS...\n"
    "       rtm evaluate --backtest --months YYYY-MM..YYYY-MM [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "How well prediction surfaces (risk, KDE, ...) point at later events: hit rate,\n"
    "PAI, PEI and RRI at chosen area coverages, the hit-rate and PAI curves, the area\n"
    "under the hit-rate curve, and how concentrated the test events are.\n\n"
    "Surfaces:\n"
    "  [NAME=]FILE.tif        a surface (positional, or --surface); NAME defaults to\n"
    "                         the file name without extension. Every surface must be\n"
    "                         on one grid (same size, origin, cell size, CRS); the\n"
    "                         first one sets the grid. A cell is evaluated only where\n"
    "                         every surface has data (and inside --study-area).\n"
    "  -s, --surface [NAME=]FILE  a surface (for names not ending in .tif/.tiff)\n"
    "  --kde-bandwidths R,R.. quartic KDE of the training events at each radius\n"
    "                         (CRS units), named kdeR (e.g. kde500). Training events\n"
    "                         within R of the evaluated area count too (no edge loss)\n"
    "  --prior-counts         the training counts per cell as a surface ('prior')\n"
    "  --factor NAME=FILE[:OP]  a risk factor (as rtm model); with factors the Risk\n"
    "                         Terrain Model is re-fitted on the training events (each\n"
    "                         step's in a back-test), named 'rtm'; --block D sets its\n"
    "                         block length (default 2 cells)\n"
    "  --refit-forecast       the forecast (as rtm forecast, default options)\n"
    "                         re-fitted on the training events (each step's in a\n"
    "                         back-test) and forecasting the month after them,\n"
    "                         named 'forecast'; needs 3 months of training\n"
    "  --combine A*B          the product of two named surfaces, each divided by its\n"
    "                         maximum first (e.g. rrs*kde500); repeatable\n"
    "Test events: the positional EVENTS files, with the event options below\n"
    "  (--where, --from/--to ...). Events on cells outside the evaluated area are\n"
    "  skipped and counted.\n"
    "Training events (needed by --kde-bandwidths, --prior-counts, --factor, and RRI):\n"
    "  --train-events FILE    training event file or glob (repeatable; the same\n"
    "                         --where, fields and CRS options apply)\n"
    "  --train-from YYYY-MM, --train-to YYYY-MM  month window of the training events\n"
    "  With training events, newplaces.csv gives the metrics over the cells without a\n"
    "  training event (where counts cannot help).\n"
    "Metrics (rtm/evaluate.h; n = test events in the flagged cells, N = all test events\n"
    "in the evaluated area, a = flagged cells, A = evaluated cells):\n"
    "  hit rate = n/N; PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008);\n"
    "  PEI = n/n*, n* = events in the best a cells ranked by the test counts (Hunt 2016);\n"
    "  RRI = Levine's recapture rate index (n/N)/(n1/N1) with n1, N1 the TRAINING\n"
    "  events in the flagged cells and in total (Levine 2008); without training\n"
    "  events RRI is NaN (reported as 'n/a'); AUC = area under the hit-rate curve\n"
    "  against area fraction (0.5 = random, 1 = perfect).\n"
    "  Cells are ranked by value, highest first. Ties: cells with equal values are\n"
    "  one block; when the coverage ends inside a block, the block is credited PRO\n"
    "  RATA (its events x the fraction of its cells flagged), so results do not depend\n"
    "  on cell order. NaN values rank last. A surface whose tie block at a coverage\n"
    "  is larger than the flagged area is too coarse for it: a warning says so.\n"
    "  --coverages C,C..      area coverages: percent (default 1,2,5,10,20), an area\n"
    "                         (0.5km2, 50ha) or a number of cells (100cells)\n"
    "Uncertainty:\n"
    "  --bootstrap B          B-replicate percentile bootstrap intervals on hit rate\n"
    "                         and PAI, resampling the test events (uncertainty.csv)\n"
    "  --compare A,B          is A better than B? paired: bootstrap interval of the\n"
    "                         hit-rate difference and McNemar's exact test on events\n"
    "                         one captures and the other not (compare.csv); repeatable\n"
    "  --seed N               bootstrap seed (default 1; written to the files)\n"
    "Concentration of the test events (in metrics.md and concentration.csv): share of\n"
    "  events in the top P % of cells (Lorenz curve, ties pro rata), the area holding\n"
    "  50 % of events, Gini coefficient (population form, and Bernasco & Steenbeek's\n"
    "  generalized form for sparse counts).\n"
    "Back-test:\n"
    "  --backtest             rolling monthly back-test on the EVENTS' Month field:\n"
    "                         train on months 1..k, test on month k+1, k = --min-train,\n"
    "                         then roll forward one month at a time. Surfaces: the\n"
    "                         --kde-bandwidths, the RTM of --factor, the forecast\n"
    "                         of --refit-forecast and --prior-counts\n"
    "                         (implied), each re-made from the step's training months,\n"
    "                         --combine, and any fixed surface files.\n"
    "  --months FROM..TO      the months, e.g. 2018-01..2018-05 (required)\n"
    "  --min-train K          training months of the first step (default 1)\n"
    "  --window W             train on the last W months only (sliding window;\n"
    "                         default: all months so far)\n"
    "Output:\n"
    "  -o, --output DIR       directory (created): metrics.csv, metrics.md, curves.csv,\n"
    "                         concentration.csv, hitrate.png, pai.png (newplaces.csv,\n"
    "                         uncertainty.csv, compare.csv as asked); with --backtest\n"
    "                         backtest.csv, backtest.md, backtest_pai_C.png\n"
    "  --threads N            KDE threads (results identical for any N)\n"
    "  -q, --quiet            no progress or summary\n\n"
    RTM_CLI_EVENT_HELP
    "  (--dst-crs, --bbox, --resolution set the grid only when no surface file is given)\n"
    "\nExample:\n"
    "  rtm evaluate --from 2018-05 --to 2018-05 --train-events 'crimes/2018-0[1-4]*.csv.gz' \\\n"
    "    --kde-bandwidths 250,500,1000 --prior-counts --combine rrs*kde500 \\\n"
    "    --coverages 1,5,0.5km2 --bootstrap 1000 --compare kde500,rrs \\\n"
    "    -o eval rrs=model/rrs.tif crimes/2018-05-essex-street.csv.gz\n";

int rtm_eval_cli_coverages(const char *arg, double *v, int *unit, int max)
{
    char *s = strdup(arg), *save = NULL, *tok;
    int n = 0, bad = !s;
    for (tok = s ? strtok_r(s, ",", &save) : NULL; tok && !bad;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == max || rtm_eval_coverage_parse(tok, &v[n], &unit[n], NULL))
            bad = 1;
        else
            n++;
    }
    free(s);
    return bad || n == 0 ? -1 : n;
}
