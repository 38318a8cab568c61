/* cmd_evaluate.c: `rtm evaluate`. */
#include <stdio.h>
#include "cmds.h"

int rtm_cmd_evaluate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtm evaluate: not available in this build yet\n");
    return 1;
}
