/* cmd_run.c: `rtm run`. */
#include <stdio.h>
#include "cmds.h"

int rtm_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtm run: not available in this build yet\n");
    return 1;
}
