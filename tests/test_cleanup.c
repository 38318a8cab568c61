/* test_cleanup.c: registered paths are removed on SIGTERM/SIGINT, then the
 * process dies of the same signal; removal never follows a symbolic link. */
#include "core/cleanup.h"
#include "rtm_test.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[256];

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static int touch(const char *p)
{
    FILE *f = fopen(p, "w");
    return f ? fclose(f) : -1;
}

/* dir/NAME/{a, sub/b, sub/deeper/c, link -> victim dir} */
static void make_tree(const char *name, const char *victim, char *root, size_t n)
{
    char p[600];
    snprintf(root, n, "%s/%s", dir, name);
    mkdir(root, 0700);
    snprintf(p, sizeof p, "%s/a", root);
    touch(p);
    snprintf(p, sizeof p, "%s/sub", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/b", root);
    touch(p);
    snprintf(p, sizeof p, "%s/sub/deeper", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/deeper/c", root);
    touch(p);
    snprintf(p, sizeof p, "%s/link", root);
    if (symlink(victim, p) != 0)
        RTM_CHECK(0);
}

static void test_rmtree_no_follow(void)
{
    char victim[300], keep[400], root[400];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(keep, sizeof keep, "%s/keep", victim);
    RTM_CHECK(mkdir(victim, 0700) == 0 && touch(keep) == 0);
    make_tree("tree", victim, root, sizeof root);
    RTM_CHECK(rtm_cleanup_rmtree(root) == 0 && !exists(root));
    RTM_CHECK(exists(keep));
    RTM_CHECK(rtm_cleanup_rmtree(root) == 0); /* already gone */
    /* a symbolic link registered itself is removed, not its target */
    snprintf(root, sizeof root, "%s/alink", dir);
    RTM_CHECK(symlink(victim, root) == 0 && rtm_cleanup_rmtree(root) == 0);
    RTM_CHECK(!exists(root) && exists(keep));
}

static void test_register(void)
{
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/reg-a", dir);
    snprintf(b, sizeof b, "%s/reg-b", dir);
    RTM_CHECK(touch(a) == 0 && touch(b) == 0);
    RTM_CHECK(rtm_cleanup_add(a) == 0 && rtm_cleanup_add(b) == 0);
    rtm_cleanup_remove(b); /* committed: no longer ours to remove */
    rtm_cleanup_run();
    RTM_CHECK(!exists(a) && exists(b));
    rtm_cleanup_run(); /* the table is empty now */
    RTM_CHECK(exists(b));
    unlink(b);
    RTM_CHECK(rtm_cleanup_add("") == -1);
    int n = 0;
    while (n < RTM_CLEANUP_MAX + 1 && rtm_cleanup_add(a) == 0)
        n++;
    RTM_CHECK(n == RTM_CLEANUP_MAX); /* full: refused, not overflowed */
    for (int i = 0; i < n; i++)
        rtm_cleanup_remove(a);
    RTM_CHECK(rtm_cleanup_add(a) == 0);
    rtm_cleanup_remove(a);
}

/* A child registers a tree and gets sig: the tree is gone and the child
 * died of sig. With ignore, the signal was ignored before the handler was
 * installed: it stays ignored and the child exits normally. */
static void signal_child(int sig, int ignore)
{
    char victim[300], root[400];
    int status = 0;
    snprintf(victim, sizeof victim, "%s/victim", dir);
    make_tree(ignore ? "sigign" : "sig", victim, root, sizeof root);
    pid_t pid = fork();
    if (pid == 0) {
        /* the premise of each case, whatever the test runner inherited (a
         * shell's background job starts with SIGINT ignored) */
        signal(sig, ignore ? SIG_IGN : SIG_DFL);
        if (rtm_cleanup_install_signals() != 0 || rtm_cleanup_add(root) != 0)
            _exit(3);
        raise(sig);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (ignore) {
        RTM_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && exists(root));
        rtm_cleanup_rmtree(root);
    } else {
        RTM_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig);
        RTM_CHECK(!exists(root));
    }
    RTM_CHECK(exists(victim));
}

static void test_signals(void)
{
    signal_child(SIGTERM, 0);
    signal_child(SIGINT, 0);
    signal_child(SIGHUP, 0);
    signal_child(SIGINT, 1);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "cleanup"))
        return 1;
    RTM_RUN(test_rmtree_no_follow);
    RTM_RUN(test_register);
    RTM_RUN(test_signals);
    rtm_cleanup_rmtree(dir);
    return RTM_TEST_END();
}
