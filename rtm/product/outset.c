/* outset.c: a product's output files, staged and committed together
 * (rtm/product.h). Files go to a staging folder made with mkdtemp beside
 * their destination (so renaming them in is atomic, on one file system);
 * commit fsyncs every staged file, then renames each into place. */
#include "rtm/product.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTSET_MAX 256

typedef struct stage {
    char *dir;    /* destination folder ("." for none) */
    char *tmp;    /* its staging folder (dir/.rtm-XXXXXX), NULL in a staged outset */
} stage;

typedef struct entry {
    char *name;   /* as given by the product */
    char *staged; /* where the writer writes it */
    char *dest;   /* final path (NULL in a staged outset) */
} entry;

struct rtm_outset {
    char *root;   /* staged outset: the run's staging folder; else NULL */
    stage st[OUTSET_MAX];
    int nst;
    entry e[OUTSET_MAX];
    int n;
};

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "output: out of memory");
}

int rtm_outset_open(rtm_outset **out, rtm_error *err)
{
    if (!(*out = calloc(1, sizeof **out)))
        return oom(err);
    return 0;
}

int rtm_outset_open_staged(const char *dir, rtm_outset **out, rtm_error *err)
{
    int rc = rtm_outset_open(out, err);
    if (!rc && !((*out)->root = strdup(dir))) {
        free(*out);
        *out = NULL;
        return oom(err);
    }
    return rc;
}

/* A name from a product or a job: no "..", not empty, not absolute inside a
 * staged outset (where it must stay in the staging folder). */
static int name_ok(const rtm_outset *o, const char *name)
{
    const char *p = name;
    if (!name[0] || (o->root && name[0] == '/'))
        return 0;
    while (o->root && *p) {
        size_t len = strcspn(p, "/");
        if ((len == 2 && !strncmp(p, "..", 2)) || (len == 1 && p[0] == '.') || len == 0)
            return 0;
        p += len + (p[len] == '/');
    }
    return name[strlen(name) - 1] != '/';
}

/* mkdir -p of the parents of path inside root (staged outsets). */
static int make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int r = mkdir(path, 0777);
        *s = '/';
        if (r && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* The staging folder for destination folder dir (made on first use). */
static const char *stage_for(rtm_outset *o, const char *dir, rtm_error *err)
{
    char tmpl[4200];
    int i;
    for (i = 0; i < o->nst; i++)
        if (!strcmp(o->st[i].dir, dir))
            return o->st[i].tmp;
    if (o->nst == OUTSET_MAX) {
        rtm_error_set(err, RTM_ERR_ARG, "output: too many output folders");
        return NULL;
    }
    if (snprintf(tmpl, sizeof tmpl, "%s/.rtm-XXXXXX", dir) >= (int)sizeof tmpl ||
        !mkdtemp(tmpl)) {
        rtm_error_set(err, RTM_ERR_IO, "output: cannot write in '%s': %s", dir,
                      strerror(errno));
        return NULL;
    }
    if (!(o->st[i].dir = strdup(dir)) || !(o->st[i].tmp = strdup(tmpl))) {
        rmdir(tmpl);
        free(o->st[i].dir);
        oom(err);
        return NULL;
    }
    o->nst++;
    return o->st[i].tmp;
}

/* Split name into folder and file; fill e->staged and e->dest. */
static int place(rtm_outset *o, entry *e, rtm_error *err)
{
    const char *slash = strrchr(e->name, '/'), *tmp;
    char dir[4096];
    if (o->root) {
        if (asprintf(&e->staged, "%s/%s", o->root, e->name) < 0)
            return oom(err);
        if (make_parents(e->staged))
            return rtm_error_set(err, RTM_ERR_IO, "output: cannot make the folder of '%s'",
                                 e->name);
        return 0;
    }
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - e->name) : 1,
             slash ? (slash == e->name ? "/" : e->name) : ".");
    if (!(tmp = stage_for(o, dir, err)))
        return err ? err->code : RTM_ERR_IO;
    if (asprintf(&e->staged, "%s/%s", tmp, slash ? slash + 1 : e->name) < 0 ||
        !(e->dest = strdup(e->name)))
        return oom(err);
    return 0;
}

static const entry *find(const rtm_outset *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->e[i].name, name))
            return &o->e[i];
    return NULL;
}

static const char *add(rtm_outset *o, const char *name, rtm_error *err)
{
    entry *e;
    if (!name_ok(o, name)) {
        rtm_error_set(err, RTM_ERR_ARG, "output: unsafe output name '%s'", name);
        return NULL;
    }
    if (find(o, name)) {
        rtm_error_set(err, RTM_ERR_ARG, "output: '%s' would be written twice (outputs "
                      "collide)", name);
        return NULL;
    }
    if (o->n == OUTSET_MAX) {
        rtm_error_set(err, RTM_ERR_ARG, "output: too many output files");
        return NULL;
    }
    e = &o->e[o->n];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name)) || place(o, e, err)) {
        if (!e->name)
            oom(err);
        free(e->name);
        free(e->staged);
        free(e->dest);
        return NULL;
    }
    o->n++;
    return e->staged;
}

const char *rtm_outset_file(rtm_outset *o, const char *name, rtm_error *err)
{
    return add(o, name, err);
}

int rtm_outset_sidecar(rtm_outset *o, const char *name, rtm_error *err)
{
    return add(o, name, err) ? 0 : (err ? err->code : RTM_ERR_ARG);
}

int rtm_outset_count(const rtm_outset *o)
{
    return o->n;
}

const char *rtm_outset_name(const rtm_outset *o, int i)
{
    return i >= 0 && i < o->n ? o->e[i].name : NULL;
}

const char *rtm_outset_staged(const rtm_outset *o, const char *name)
{
    const entry *e = find(o, name);
    return e ? e->staged : NULL;
}

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
    int rc;
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static void release(rtm_outset *o, int remove_files)
{
    for (int i = 0; i < o->n; i++) {
        if (remove_files && !o->root)
            unlink(o->e[i].staged);
        free(o->e[i].name);
        free(o->e[i].staged);
        free(o->e[i].dest);
    }
    for (int i = 0; i < o->nst; i++) {
        rmdir(o->st[i].tmp);
        free(o->st[i].dir);
        free(o->st[i].tmp);
    }
    free(o->root);
    free(o);
}

int rtm_outset_commit(rtm_outset *o, rtm_error *err)
{
    struct stat sb;
    int i, rc = 0;
    if (!o)
        return 0;
    for (i = 0; i < o->n && !rc; i++)
        if (stat(o->e[i].staged, &sb) || !S_ISREG(sb.st_mode) || fsync_path(o->e[i].staged, 0))
            rc = rtm_error_set(err, RTM_ERR_IO, "output: '%s' was not written", o->e[i].name);
    for (i = 0; i < o->n && !rc && !o->root; i++)
        if (rename(o->e[i].staged, o->e[i].dest))
            rc = rtm_error_set(err, RTM_ERR_IO, "output: cannot replace '%s': %s",
                               o->e[i].dest, strerror(errno));
    for (i = 0; i < o->nst && !rc; i++)
        fsync_path(o->st[i].dir, 1);
    release(o, 1);
    return rc;
}

void rtm_outset_abort(rtm_outset *o)
{
    if (o)
        release(o, 1);
}
