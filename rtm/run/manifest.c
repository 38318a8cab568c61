/* manifest.c: the run manifest and cache keys (see run/manifest.h). */
#include "run/manifest.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

typedef struct file_entry {
    char *role;  /* input role, or output name */
    char *path;
    long long bytes;
    char sha[RTM_SHA256_HEX];
} file_entry;

typedef struct value_entry {
    char *key;
    char *text;  /* NULL: numeric */
    double num;
    long long count;
} value_entry;

typedef struct entries {
    int n, cap;
    void *v;
} entries;

struct rtm_manifest {
    char *job, *id, *run_date, *started, *finished;
    entries inputs, outputs, params, counts, timings;
    int nomem;
};

rtm_manifest *rtm_manifest_new(const char *job_name)
{
    rtm_manifest *m = calloc(1, sizeof *m);
    if (m && job_name && !(m->job = strdup(job_name))) {
        free(m);
        return NULL;
    }
    return m;
}

static void free_files(entries *e)
{
    file_entry *f = e->v;
    for (int i = 0; i < e->n; i++) {
        free(f[i].role);
        free(f[i].path);
    }
    free(e->v);
}

static void free_values(entries *e)
{
    value_entry *v = e->v;
    for (int i = 0; i < e->n; i++) {
        free(v[i].key);
        free(v[i].text);
    }
    free(e->v);
}

void rtm_manifest_free(rtm_manifest *m)
{
    if (!m)
        return;
    free(m->job);
    free(m->id);
    free(m->run_date);
    free(m->started);
    free(m->finished);
    free_files(&m->inputs);
    free_files(&m->outputs);
    free_values(&m->params);
    free_values(&m->counts);
    free_values(&m->timings);
    free(m);
}

/* A new zeroed slot of size sz at the end of e, or NULL. */
static void *grow(entries *e, size_t sz)
{
    if (e->n == e->cap) {
        int cap = e->cap ? 2 * e->cap : 16;
        void *v = realloc(e->v, (size_t)cap * sz);
        if (!v)
            return NULL;
        e->v = v;
        e->cap = cap;
    }
    void *slot = (char *)e->v + (size_t)e->n * sz;
    memset(slot, 0, sz);
    e->n++;
    return slot;
}

static void set_str(rtm_manifest *m, char **dst, const char *s)
{
    free(*dst);
    *dst = s ? strdup(s) : NULL;
    if (s && !*dst)
        m->nomem = 1;
}

void rtm_manifest_set_run(rtm_manifest *m, const char *id, const char *run_date,
                          const char *started, const char *finished)
{
    if (!m)
        return;
    if (id)
        set_str(m, &m->id, id);
    if (run_date)
        set_str(m, &m->run_date, run_date);
    if (started)
        set_str(m, &m->started, started);
    if (finished)
        set_str(m, &m->finished, finished);
}

/* "/vsigzip//data/x.gz" -> "/data/x.gz", "/vsigzip/x.gz" -> "x.gz"; other
 * /vsi paths are hashed as given (and fail unless they are plain files). */
static const char *real_file(const char *path)
{
    if (strncmp(path, "/vsigzip/", 9) == 0)
        return path + 9;
    return path;
}

static int add_file(rtm_manifest *m, entries *e, const char *role, const char *path,
                    char sha_out[RTM_SHA256_HEX], rtm_error *err)
{
    file_entry *f = e->v;
    for (int i = 0; e == &m->inputs && i < e->n; i++)
        if (strcmp(f[i].path, path) == 0) {
            if (sha_out)
                memcpy(sha_out, f[i].sha, RTM_SHA256_HEX);
            return 0;
        }
    char sha[RTM_SHA256_HEX];
    long long bytes;
    int rc = rtm_sha256_file(real_file(path), sha, &bytes, err);
    if (rc)
        return rc;
    file_entry *n = grow(e, sizeof *n);
    if (!n || !(n->role = strdup(role ? role : "")) || !(n->path = strdup(path))) {
        if (n) {
            free(n->role);
            e->n--;
        }
        return rtm_error_set(err, RTM_ERR_NOMEM, "manifest: out of memory");
    }
    n->bytes = bytes;
    memcpy(n->sha, sha, sizeof sha);
    if (sha_out)
        memcpy(sha_out, sha, sizeof sha);
    return 0;
}

int rtm_manifest_add_input(rtm_manifest *m, const char *role, const char *path,
                           char sha_out[RTM_SHA256_HEX], rtm_error *err)
{
    return add_file(m, &m->inputs, role, path, sha_out, err);
}

int rtm_manifest_add_output(rtm_manifest *m, const char *name, const char *path,
                            rtm_error *err)
{
    return add_file(m, &m->outputs, name, path, NULL, err);
}

int rtm_manifest_inputs_digest(const rtm_manifest *m, char hex[RTM_SHA256_HEX])
{
    const file_entry *f = m->inputs.v;
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    if (rtm_sha256_init(&c))
        return -1;
    for (int i = 0; i < m->inputs.n; i++) {
        rtm_sha256_update(&c, f[i].role, strlen(f[i].role) + 1);
        rtm_sha256_update(&c, f[i].sha, strlen(f[i].sha) + 1);
    }
    if (rtm_sha256_final(&c, d))
        return -1;
    rtm_sha256_to_hex(d, hex);
    return 0;
}

/* The entry called key (replaced) or a new one. */
static value_entry *value_slot(rtm_manifest *m, entries *e, const char *key)
{
    value_entry *v = e->v;
    for (int i = 0; i < e->n; i++)
        if (strcmp(v[i].key, key) == 0) {
            free(v[i].text);
            v[i].text = NULL;
            return &v[i];
        }
    value_entry *n = grow(e, sizeof *n);
    if (n && !(n->key = strdup(key))) {
        e->n--;
        n = NULL;
    }
    if (!n)
        m->nomem = 1;
    return n;
}

void rtm_manifest_param(rtm_manifest *m, const char *key, const char *value)
{
    value_entry *v = m && key ? value_slot(m, &m->params, key) : NULL;
    if (v && !(v->text = strdup(value ? value : "")))
        m->nomem = 1;
}

void rtm_manifest_param_num(rtm_manifest *m, const char *key, double value)
{
    value_entry *v = m && key ? value_slot(m, &m->params, key) : NULL;
    if (v)
        v->num = value;
}

void rtm_manifest_count(rtm_manifest *m, const char *key, long long n)
{
    value_entry *v = m && key ? value_slot(m, &m->counts, key) : NULL;
    if (v)
        v->count = n;
}

void rtm_manifest_timing(rtm_manifest *m, const char *step, double seconds)
{
    value_entry *v = m && step ? value_slot(m, &m->timings, step) : NULL;
    if (v)
        v->num = seconds;
}

static void write_files(rtm_json *w, const char *key, const entries *e, const char *rolekey)
{
    const file_entry *f = e->v;
    rtm_json_key(w, key);
    rtm_json_begin_array(w);
    for (int i = 0; i < e->n; i++) {
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, rolekey, f[i].role);
        if (strcmp(rolekey, "role") == 0)
            rtm_json_kv_string(w, "path", f[i].path);
        rtm_json_kv_int(w, "bytes", f[i].bytes);
        rtm_json_kv_string(w, "sha256", f[i].sha);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

static void write_values(rtm_json *w, const char *key, const entries *e, int counts)
{
    const value_entry *v = e->v;
    rtm_json_key(w, key);
    rtm_json_begin_object(w);
    for (int i = 0; i < e->n; i++) {
        rtm_json_key(w, v[i].key);
        if (counts)
            rtm_json_int(w, v[i].count);
        else if (v[i].text)
            rtm_json_string(w, v[i].text);
        else
            rtm_json_double(w, v[i].num);
    }
    rtm_json_end_object(w);
}

int rtm_manifest_write(const rtm_manifest *m, const char *path, rtm_error *err)
{
    if (m->nomem)
        return rtm_error_set(err, RTM_ERR_NOMEM, "manifest: out of memory");
    rtm_json *w = rtm_json_new();
    if (!w)
        return rtm_error_set(err, RTM_ERR_NOMEM, "manifest: out of memory");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "software", "rtm");
    rtm_json_kv_string(w, "version", RTM_VERSION);
    rtm_json_kv_string(w, "job", m->job);
    rtm_json_key(w, "run");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "id", m->id);
    rtm_json_kv_string(w, "run_date", m->run_date);
    rtm_json_kv_string(w, "started", m->started);
    rtm_json_kv_string(w, "finished", m->finished);
    rtm_json_end_object(w);
    write_files(w, "inputs", &m->inputs, "role");
    write_values(w, "parameters", &m->params, 0);
    write_values(w, "counts", &m->counts, 1);
    write_files(w, "outputs", &m->outputs, "name");
    write_values(w, "timings_s", &m->timings, 0);
    rtm_json_end_object(w);
    int rc = rtm_json_write_file(w, path, err);
    rtm_json_free(w);
    return rc;
}
