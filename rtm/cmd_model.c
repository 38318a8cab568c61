/* cmd_model.c: `rtm model`. */
#include <stdio.h>
#include "cmds.h"

int rtm_cmd_model(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtm model: not available in this build yet\n");
    return 1;
}
