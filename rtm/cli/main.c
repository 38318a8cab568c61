/* main.c: the rtm command table, and the only place that exits.
 * Each command parses its options into a library options struct and makes
 * the library calls; see rtm/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_mpi.h"
#include "cli/cmds.h"
#include "core/cleanup.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"kde", rtm_cmd_kde, "kernel density heatmap of point events (GeoTIFF, PNG)"},
    {"distance", rtm_cmd_distance, "distance to the nearest feature of a layer (GeoTIFF)"},
    {"model", rtm_cmd_model, "Risk Terrain Model: risk factors to relative risk (RRS map, report)"},
    {"evaluate", rtm_cmd_evaluate, "hit rate, PAI, PEI of surfaces against later events"},
    {"hotspots", rtm_cmd_hotspots, "Getis-Ord Gi* hot spots of event counts"},
    {"change", rtm_cmd_change, "change between two periods: dual KDE, permutation test, SPPT"},
    {"forecast", rtm_cmd_forecast, "expected events per cell next month: a fitted forecast, back-tested"},
    {"dosage", rtm_cmd_dosage, "patrol dosage: minutes and visits per place and day from pings"},
    {"places", rtm_cmd_places, "patrol places: N squares or discs holding the most harm"},
    {"emerging", rtm_cmd_emerging, "emerging hot spots: space-time Gi*, trends, Esri categories"},
    {"trial", rtm_cmd_trial, "randomised patrol trial: design the schedule, evaluate the effect"},
    {"knox", rtm_cmd_knox, "near repeats: the Knox test with permuted event times"},
    {"repeats", rtm_cmd_repeats, "repeat locations ranked by events, with concentration"},
    {"merge", rtm_cmd_merge,
     "assemble the tile files of kde, distance, hotspots, change or emerging --tile I/N"},
    {"run", rtm_cmd_run, "run a job file (all surfaces, maps and the briefing report)"},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: rtm COMMAND [OPTIONS] [INPUTS...]\n\n"
               "Risk Terrain Modeling and crime hot-spot mapping.\n\nCommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n'rtm COMMAND --help' describes each command's options.\n"
               "Global options: --help, --version. 'rtm help names' lists the names of\n"
               "every enumerated option (kernel, units, family ...), shared with job files.\n\n"
               "Exit status: 0 success, 1 failure (bad data, unreadable input, output not\n"
               "written), 2 usage error (unknown option, bad value).\n");
}

int main(int argc, char **argv)
{
    size_t i;
    rtm_cleanup_install_signals(); /* staged outputs go on SIGTERM/SIGINT */
    if (argc < 2) {
        usage(stderr);
        return RTM_EXIT_USAGE;
    }
    if (argc > 2 && !strcmp(argv[1], "help") && !strcmp(argv[2], "names")) {
        rtm_cli_print_names(stdout);
        return RTM_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return RTM_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("rtm %s\n", RTM_VERSION);
        return RTM_EXIT_OK;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name))
            return rtm_cli_mpi_main(COMMANDS[i].fn, COMMANDS[i].name, argc - 1, argv + 1);
    fprintf(stderr, "rtm: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return RTM_EXIT_USAGE;
}
