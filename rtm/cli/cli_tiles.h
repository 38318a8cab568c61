/* cli_tiles.h (CLI only): --tile I/N and `rtm merge` for the tileable
 * commands (rtm/tile.h). */
#ifndef RTM_CLI_TILES_H
#define RTM_CLI_TILES_H

#include "cli/cli.h"
#include "rtm/tile.h"

#define RTM_CLI_TILE_OPTION {"tile", required_argument, 0, 'T' + 1000}
#define RTM_CLI_TILE_STATS_OPTION {"tile-stats", no_argument, 0, 'T' + 1001}
enum { RTM_CLI_OPT_TILE = 'T' + 1000, RTM_CLI_OPT_TILE_STATS = 'T' + 1001 };

#define RTM_CLI_TILE_HELP \
    "  --tile I/N             compute only strip I of N (0 <= I < N) of the grid's rows\n" \
    "                         into OUT.tile-I-of-N.tif; `rtm merge` of the N tiles\n" \
    "                         writes what the whole run writes, byte for byte\n" \
    "  --tile I/RxC           the same for rectangle I of R row strips x C column bands\n" \
    "                         (N = R x C; I = strip x C + band; bands of whole 64-column\n" \
    "                         blocks)\n"

/* model and forecast: the density statistics stage of a batch array. */
#define RTM_CLI_TILE_STATS_HELP(STEM) \
    "  --tile-stats           with --tile I/N: write only strip I's density statistics\n" \
    "                         (OUTDIR/" STEM ".tile-I-of-N.stats, small). Once all N\n" \
    "                         are there, each --tile I/N takes its density thresholds\n" \
    "                         from them and computes only its own rows' densities\n" \
    "                         (without them it computes every row's); the same files\n"\
    "                         either way\n"

typedef struct rtm_cli_tiles {
    rtm_tiling h;        /* what the product is given */
    char **args;         /* the command line without --tile, recorded in tiles */
    int nargs;
    char path[4096];     /* the tile file */
} rtm_cli_tiles;

/* Record the command line (before getopt permutes it) and take the merge's
 * tile files when `rtm merge` runs this command. 0 or an exit code. */
int rtm_cli_tiles_begin(rtm_cli_tiles *t, const rtm_cli *c, int argc, char **argv);
/* --tile-stats. */
void rtm_cli_tiles_stats_opt(rtm_cli_tiles *t);
/* --tile I/N: 0 or a usage error's exit code. */
int rtm_cli_tiles_opt(rtm_cli_tiles *t, const rtm_cli *c, const char *arg);
/* After parsing: the tile file's name from the output -o out. 0 or an exit code. */
int rtm_cli_tiles_end(rtm_cli_tiles *t, const rtm_cli *c, const char *out);
void rtm_cli_tiles_free(rtm_cli_tiles *t);

/* `rtm merge`: the tile files the command is to assemble (set by
 * rtm_cmd_merge before it calls the command). */
void rtm_cli_tiles_set_merge(const char *const *files, int n);

#endif
