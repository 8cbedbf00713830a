/*
 * The value tree of the TOML parser: node allocation and freeing, tables
 * with a hash index once they grow (so lock files and channel manifests
 * with thousands of keys stay linear), arrays, and the read-only accessors
 * of toml.h.  Freeing recurses, bounded by the parser's depth limit.
 */
#include "xrust/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_priv.h"

/* Tables reaching this many keys get a hash index; smaller ones scan. */
#define INDEX_MIN 16

void xr_toml_free(struct xr_toml *v)
{
  size_t i;

  if (!v)
    return;
  if (v->type == XR_TOML_TABLE) {
    for (i = 0; i < v->u.t.len; i++) {
      free(v->u.t.ent[i].key);
      xr_toml_free(v->u.t.ent[i].val);
    }
    free(v->u.t.ent);
    free(v->u.t.idx);
  } else if (v->type == XR_TOML_ARRAY) {
    for (i = 0; i < v->u.a.len; i++)
      xr_toml_free(v->u.a.v[i]);
    free(v->u.a.v);
  }
  free(v);
}

static size_t key_hash(const char *k, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  size_t i;

  for (i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 1099511628211ULL;
  }
  return (size_t)(h ^ (h >> 32));
}

struct xr_toml *xr_toml_tbl_find(const struct xr_toml *t, const char *k,
                                 size_t n)
{
  const struct entry *e;
  size_t i, mask, h, s;

  if (t->u.t.idx) {
    mask = t->u.t.icap - 1;
    h = key_hash(k, n) & mask;
    for (;;) {
      s = t->u.t.idx[h];
      if (!s)
        return NULL;
      e = &t->u.t.ent[s - 1];
      if (e->klen == n && !memcmp(e->key, k, n))
        return e->val;
      h = (h + 1) & mask;
    }
  }
  for (i = 0; i < t->u.t.len; i++) {
    e = &t->u.t.ent[i];
    if (e->klen == n && !memcmp(e->key, k, n))
      return e->val;
  }
  return NULL;
}

static void idx_put(size_t *idx, size_t icap, const struct entry *e,
                    size_t pos)
{
  size_t mask = icap - 1, h = key_hash(e->key, e->klen) & mask;

  while (idx[h])
    h = (h + 1) & mask;
  idx[h] = pos + 1;
}

/* Keeps the index at most a quarter full so probes stay short. */
static int idx_update(struct xr_toml *t)
{
  size_t len = t->u.t.len, icap, i, *idx;

  if (len < INDEX_MIN)
    return 0;
  if (t->u.t.idx && len * 4 <= t->u.t.icap) {
    idx_put(t->u.t.idx, t->u.t.icap, &t->u.t.ent[len - 1], len - 1);
    return 0;
  }
  icap = 64;
  while (icap < len * 8)
    icap *= 2;
  idx = calloc(icap, sizeof(*idx));
  if (!idx)
    return XR_ENOMEM;
  for (i = 0; i < len; i++)
    idx_put(idx, icap, &t->u.t.ent[i], i);
  free(t->u.t.idx);
  t->u.t.idx = idx;
  t->u.t.icap = icap;
  return 0;
}

/* Takes ownership of KEY and VAL, freeing them if it fails. */
int xr_toml_tbl_add(struct xr_toml *t, char *key, size_t klen,
                    struct xr_toml *val)
{
  struct entry *ne;
  size_t cap;

  if (t->u.t.len == t->u.t.cap) {
    cap = t->u.t.cap ? t->u.t.cap * 2 : 8;
    ne = realloc(t->u.t.ent, cap * sizeof(*ne));
    if (!ne) {
      free(key);
      xr_toml_free(val);
      return XR_ENOMEM;
    }
    t->u.t.ent = ne;
    t->u.t.cap = cap;
  }
  ne = &t->u.t.ent[t->u.t.len++];
  ne->key = key;
  ne->klen = klen;
  ne->val = val;
  return idx_update(t);
}

/* Takes ownership of VAL, freeing it if it fails. */
int xr_toml_arr_push(struct xr_toml *a, struct xr_toml *val)
{
  struct xr_toml **nv;
  size_t cap;

  if (a->u.a.len == a->u.a.cap) {
    cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
    nv = realloc(a->u.a.v, cap * sizeof(*nv));
    if (!nv) {
      xr_toml_free(val);
      return XR_ENOMEM;
    }
    a->u.a.v = nv;
    a->u.a.cap = cap;
  }
  a->u.a.v[a->u.a.len++] = val;
  return 0;
}

struct xr_toml *xr_toml_new_scalar(enum xr_toml_type type, struct pos ps,
                                   const char *raw, size_t rlen,
                                   const char *str, size_t slen)
{
  struct xr_toml *v;

  v = calloc(1, sizeof(*v) + rlen + slen + 2);
  if (!v)
    return NULL;
  v->type = type;
  v->line = ps.line;
  v->col = ps.col;
  memcpy(v->text, raw, rlen);
  v->text[rlen] = '\0';
  if (slen)
    memcpy(v->text + rlen + 1, str, slen);
  v->text[rlen + 1 + slen] = '\0';
  v->u.s.raw = v->text;
  v->u.s.str = v->text + rlen + 1;
  v->u.s.slen = slen;
  return v;
}

enum xr_toml_type xr_toml_type(const struct xr_toml *v)
{
  return v ? v->type : XR_TOML_TABLE;
}

unsigned long xr_toml_line(const struct xr_toml *v)
{
  return v ? v->line : 0;
}

unsigned long xr_toml_column(const struct xr_toml *v)
{
  return v ? v->col : 0;
}

size_t xr_toml_len(const struct xr_toml *v)
{
  if (!v)
    return 0;
  if (v->type == XR_TOML_TABLE)
    return v->u.t.len;
  if (v->type == XR_TOML_ARRAY)
    return v->u.a.len;
  return 0;
}

struct xr_toml *xr_toml_at(const struct xr_toml *v, size_t i)
{
  if (!v || i >= xr_toml_len(v))
    return NULL;
  if (v->type == XR_TOML_TABLE)
    return v->u.t.ent[i].val;
  return v->u.a.v[i];
}

const char *xr_toml_key(const struct xr_toml *v, size_t i)
{
  if (!v || v->type != XR_TOML_TABLE || i >= v->u.t.len)
    return NULL;
  return v->u.t.ent[i].key;
}

size_t xr_toml_key_len(const struct xr_toml *v, size_t i)
{
  if (!v || v->type != XR_TOML_TABLE || i >= v->u.t.len)
    return 0;
  return v->u.t.ent[i].klen;
}

struct xr_toml *xr_toml_get(const struct xr_toml *table, const char *key)
{
  if (!table || !key || table->type != XR_TOML_TABLE)
    return NULL;
  return xr_toml_tbl_find(table, key, strlen(key));
}

static int is_scalar(const struct xr_toml *v)
{
  return v && v->type != XR_TOML_TABLE && v->type != XR_TOML_ARRAY;
}

const char *xr_toml_str(const struct xr_toml *v)
{
  return is_scalar(v) ? v->u.s.str : NULL;
}

size_t xr_toml_str_len(const struct xr_toml *v)
{
  return is_scalar(v) ? v->u.s.slen : 0;
}

const char *xr_toml_raw(const struct xr_toml *v)
{
  return is_scalar(v) ? v->u.s.raw : NULL;
}

int64_t xr_toml_int(const struct xr_toml *v)
{
  return v && v->type == XR_TOML_INTEGER ? v->u.s.n.i : 0;
}

double xr_toml_float(const struct xr_toml *v)
{
  if (v && v->type == XR_TOML_FLOAT)
    return v->u.s.n.f;
  if (v && v->type == XR_TOML_INTEGER)
    return (double)v->u.s.n.i;
  return 0.0;
}

int xr_toml_bool(const struct xr_toml *v)
{
  return v && v->type == XR_TOML_BOOL ? v->u.s.n.b : 0;
}

int xr_toml_fail(struct xr_err *err, enum xr_code code, const char *name,
                 const struct xr_toml *v, const char *fmt, ...)
{
  char msg[XR_ERR_MSG_MAX];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (!v)
    return xr_fail(err, code, "%s: %s", name, msg);
  return xr_fail(err, code, "%s:%lu:%lu: %s", name, xr_toml_line(v),
                 xr_toml_column(v), msg);
}
