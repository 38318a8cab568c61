/* cmd_distance.c: `rtm distance`. */
#include <stdio.h>
#include "cmds.h"

int rtm_cmd_distance(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtm distance: not available in this build yet\n");
    return 1;
}
