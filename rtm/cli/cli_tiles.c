/* cli_tiles.c: --tile I/N and the merge hook of the tileable commands. */
#include "cli/cli_tiles.h"

#include <stdlib.h>
#include <string.h>

static const char *const *merge_files;
static int merge_n;

void rtm_cli_tiles_set_merge(const char *const *files, int n)
{
    merge_files = files;
    merge_n = n;
}

/* Words the tiles of one run may differ in, left out of the recorded
 * command line: --tile (as getopt_long takes it: "--til" or "--tile"; "--ti"
 * is ambiguous), --tile-stats (or "--tile-" and longer prefixes), --threads
 * and -q/--quiet, which never change the values.
 * Returns the words it takes (0: not one of them); *joined: "=VALUE". */
static int dropped(const char *a, int *joined)
{
    size_t n = strcspn(a, "=");
    *joined = a[n] == '=';
    if (n >= 5 && n <= 6 && !strncmp(a, "--tile", n))
        return 1;
    if (n >= 7 && n <= 12 && !strncmp(a, "--tile-stats", n)) {
        *joined = 1; /* no value word follows */
        return 1;
    }
    if (n == 9 && !strncmp(a, "--threads", n))
        return 1;
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        *joined = 1; /* no value word follows */
        return 1;
    }
    return 0;
}

int rtm_cli_tiles_begin(rtm_cli_tiles *t, const rtm_cli *c, int argc, char **argv)
{
    memset(t, 0, sizeof *t);
    rtm_tiling_init(&t->h);
    if (!(t->args = calloc((size_t)argc + 1, sizeof *t->args)))
        return rtm_cli_usage(c, "out of memory");
    for (int k = 0, rest = 0; k < argc; k++) {
        int joined;
        rest |= !strcmp(argv[k], "--");
        if (!rest && dropped(argv[k], &joined)) {
            k += !joined;
            continue;
        }
        t->args[t->nargs++] = argv[k];
    }
    t->h.args = (const char *const *)t->args;
    t->h.nargs = t->nargs;
    t->h.merge = merge_files;
    t->h.nmerge = merge_n;
    return 0;
}

int rtm_cli_tiles_opt(rtm_cli_tiles *t, const rtm_cli *c, const char *arg)
{
    int rows, cols;
    if (rtm_tile_parse_grid(arg, &t->h.index, &rows, &cols))
        return rtm_cli_usage(c, "--tile must be I/N (strips) or I/RxC (R x C rectangles) with "
                             "0 <= I < N = R x C <= %d (got '%s')", RTM_TILE_MAX, arg);
    t->h.count = rows * cols;
    t->h.cols = cols;
    return 0;
}

void rtm_cli_tiles_stats_opt(rtm_cli_tiles *t)
{
    t->h.stats_only = 1;
}

int rtm_cli_tiles_end(rtm_cli_tiles *t, const rtm_cli *c, const char *out)
{
    rtm_error e;
    if (t->h.nmerge > 0) { /* a merge computes nothing: any --tile was the tiles' */
        t->h.count = 0;
        t->h.stats_only = 0;
        return 0;
    }
    if (t->h.stats_only && t->h.count == 0)
        return rtm_cli_usage(c, "--tile-stats needs --tile I/N (the strip whose statistics "
                             "to write)");
    if (t->h.count == 0)
        return 0;
    t->h.tile_base = out;
    if (rtm_tile_path(out, t->h.index, t->h.count, t->path, sizeof t->path, &e))
        return rtm_cli_fail(c, &e);
    t->h.tile_path = t->path;
    return 0;
}

void rtm_cli_tiles_free(rtm_cli_tiles *t)
{
    free(t->args);
    t->args = NULL;
}
