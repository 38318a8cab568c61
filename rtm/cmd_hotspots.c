/* cmd_hotspots.c: `rtm hotspots`. */
#include <stdio.h>
#include "cmds.h"

int rtm_cmd_hotspots(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtm hotspots: not available in this build yet\n");
    return 1;
}
