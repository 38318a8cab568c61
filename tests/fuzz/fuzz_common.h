/* fuzz_common.h: helpers shared by the libFuzzer harnesses (tests/fuzz).
 * Each harness writes its input to a file in a private temporary folder
 * (the library reads files, not buffers) and calls one library function. */
#ifndef RTM_FUZZ_COMMON_H
#define RTM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A folder of this process, created on first use, removed at exit. */
static char fuzz_dir[64];

static void fuzz_dir_remove(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0) { /* nothing to do */ }
}

/* Write data to fuzz_dir/name and return the path (static buffer). */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t n)
{
    static char path[128];
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/rtm-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir)) { perror("mkdtemp"); abort(); }
        atexit(fuzz_dir_remove);
    }
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); abort(); }
    if (n && fwrite(data, 1, n, f) != n) { perror(path); abort(); }
    fclose(f);
    return path;
}

#endif
