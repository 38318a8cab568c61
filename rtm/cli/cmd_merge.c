/* cmd_merge.c: `rtm merge` - assemble the tile files of a tiled command
 * (rtm/tile.h) and finish it: the command line recorded in the tiles is run
 * again with the tiles' values instead of computing them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"

static const char HELP[] =
    "Usage: rtm merge TILE...\n\n"
    "Assemble the N tile files that `rtm kde|distance|hotspots|change|emerging|\n"
    "model|forecast ... --tile I/N` (or I/RxC) wrote (one per I, in any order)\n"
    "through a GDAL VRT and finish the command they record: its GeoTIFFs, maps and\n"
    "other files, byte for byte what the command writes without --tile (a model's\n"
    "or forecast's tiles: the strips' pattern tables, in the .parts file beside\n"
    "each tile, merged, then the fit). Run it in the folder the tiles were made\n"
    "from (the command's input and output names are relative to it). Every tile\n"
    "must come from the same command line and grid, each tile 0..N-1 exactly\n"
    "once, and match the checksum it recorded.\n\n"
    "Example (a Slurm array of 8, or any batch array):\n"
    "  rtm kde --radius 500 -o kde.tif --tile $SLURM_ARRAY_TASK_ID/8 crimes.csv\n"
    "  rtm merge kde.tile-*-of-08.tif\n";

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} TILED[] = {{"kde", rtm_cmd_kde}, {"distance", rtm_cmd_distance},
             {"hotspots", rtm_cmd_hotspots}, {"change", rtm_cmd_change},
             {"emerging", rtm_cmd_emerging}, {"model", rtm_cmd_model},
             {"forecast", rtm_cmd_forecast}};

int rtm_cmd_merge(int argc, char **argv)
{
    rtm_cli c = {0, "merge"};
    rtm_tile_info info;
    rtm_error e;
    int rc = -1;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(HELP, stdout);
        return RTM_EXIT_OK;
    }
    if (argc < 2)
        return rtm_cli_usage(&c, "no tile files (rtm merge TILE...)");
    if (argv[1][0] == '-')
        return rtm_cli_usage(&c, "unknown option '%s'", argv[1]);
    if (rtm_tile_read_info(argv[1], &info, &e))
        return rtm_cli_fail(&c, &e);
    for (size_t k = 0; k < sizeof TILED / sizeof *TILED; k++)
        if (info.nargs > 0 && !strcmp(info.args[0], TILED[k].name) &&
            !strcmp(info.product, TILED[k].name)) {
            rtm_cli_tiles_set_merge((const char *const *)argv + 1, argc - 1);
            optind = 0; /* the command parses its own line afresh */
            rc = TILED[k].fn(info.nargs, info.args);
            rtm_cli_tiles_set_merge(NULL, 0);
        }
    if (rc < 0)
        rc = rtm_cli_usage(&c, "'%s' is a tile of '%s', which rtm merge does not finish",
                           argv[1], info.product);
    rtm_tile_info_free(&info);
    return rc;
}
