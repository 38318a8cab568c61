/* main.c: the rtm command table; the only place that exits. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("rtm %s\n", RTM_VERSION);
    return 0;
}
