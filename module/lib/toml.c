/*
 * The TOML 1.0 parser behind toml.h: a single forward pass over the bytes
 * (after one UTF-8 validation pass) that builds the value tree, enforces
 * every redefinition rule of the specification with a small "how was this
 * table created" tag per table, and reports the first error as
 * "NAME:LINE:COLUMN: message".  This file owns the document structure
 * (keys, tables, arrays, headers), positions and error messages, and
 * key-path lookup; toml_scalar.c reads strings, numbers and date-times,
 * toml_tree.c owns the tree.  Recursion is bounded by XR_TOML_MAX_DEPTH,
 * so no input can exhaust the stack.
 */
#include "xrust/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/fs.h"
#include "toml_priv.h"

static char *dupmem(const char *s, size_t n)
{
  char *d = malloc(n + 1);

  if (!d)
    return NULL;
  if (n)
    memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

/* ---- positions and errors ------------------------------------------ */

/*
 * Columns count characters.  Values are created in document order, so
 * counting forward from the last answer keeps this linear even on one
 * enormous line.
 */
struct pos xr_toml_where(struct parser *p, const char *at)
{
  struct pos ps;
  const char *q = p->bol;
  unsigned long col = 1;

  ps.line = p->line;
  if (at < p->bol)
    at = p->bol;
  if (p->cpos >= p->bol && at >= p->cpos) {
    q = p->cpos;
    col = p->ccol;
  }
  for (; q < at; q++)
    if (((unsigned char)*q & 0xC0) != 0x80)
      col++;
  p->cpos = at;
  p->ccol = col;
  ps.col = col;
  return ps;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int perr_pos(struct parser *p, struct pos ps, const char *fmt, ...)
{
  char msg[XR_ERR_MSG_MAX];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (p->is_path)
    return xr_fail(p->err, XR_ETOML, "invalid key path '%s': %s at "
                   "column %lu", p->name, msg, ps.col);
  return xr_fail(p->err, XR_ETOML, "%s:%lu:%lu: %s", p->name, ps.line,
                 ps.col, msg);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int xr_toml_perr_at(struct parser *p, const char *at, const char *fmt, ...)
{
  char msg[XR_ERR_MSG_MAX];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return perr_pos(p, xr_toml_where(p, at), "%s", msg);
}

/* Names the character at AT for "found ..." in messages. */
const char *xr_toml_describe(const struct parser *p, const char *at,
                             char *buf, size_t n)
{
  unsigned char c;
  unsigned long cp;
  int k, i;

  if (at >= p->end)
    return "end of input";
  c = (unsigned char)*at;
  if (c == '\n' || (c == '\r' && at + 1 < p->end && at[1] == '\n'))
    return "end of line";
  if (c == '\r')
    return "bare carriage return";
  if (c > 0x20 && c < 0x7f && c != '\'') {
    snprintf(buf, n, "'%c'", c);
    return buf;
  }
  if (c == '\'')
    return "\"'\"";
  if (c == ' ')
    return "space";
  if (c < 0x80) {
    snprintf(buf, n, "U+%04X", c);
    return buf;
  }
  k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  cp = c & (0x3F >> k);
  for (i = 1; i <= k && at + i < p->end; i++)
    cp = (cp << 6) | ((unsigned char)at[i] & 0x3F);
  snprintf(buf, n, "U+%04lX", cp);
  return buf;
}


/* A key for a message: control characters become '?', long ones cut. */
static void show_key(struct xr_buf *out, const char *k, size_t n)
{
  size_t i;
  int bare = n > 0;

  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-'))
      bare = 0;
  }
  if (!bare)
    xr_buf_addc(out, '"');
  for (i = 0; i < n && i < 100; i++) {
    unsigned char c = (unsigned char)k[i];
    xr_buf_addc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
  }
  if (i < n)
    xr_buf_adds(out, "...");
  if (!bare)
    xr_buf_addc(out, '"');
}

/* Formats segments 0..upto of KP as a dotted key into BUF. */
static const char *show_path(const struct keypath *kp, size_t upto,
                             char *buf, size_t n)
{
  struct xr_buf b = XR_BUF_INIT;
  size_t i;

  for (i = 0; i <= upto && i < kp->n; i++) {
    if (i)
      xr_buf_addc(&b, '.');
    show_key(&b, kp->v[i].s, kp->v[i].n);
  }
  snprintf(buf, n, "%s", xr_buf_str(&b));
  xr_buf_release(&b);
  return buf;
}

static const char *type_phrase(const struct xr_toml *v)
{
  switch (v->type) {
  case XR_TOML_TABLE: return "a table";
  case XR_TOML_ARRAY: return "an array";
  case XR_TOML_STRING: return "a string";
  case XR_TOML_INTEGER: return "an integer";
  case XR_TOML_FLOAT: return "a float";
  case XR_TOML_BOOL: return "a boolean";
  default: return "a date-time";
  }
}

static struct xr_toml *new_container(struct parser *p,
                                     enum xr_toml_type type, int kind,
                                     unsigned depth, struct pos ps,
                                     int *rc)
{
  struct xr_toml *v;

  if (depth > XR_TOML_MAX_DEPTH) {
    *rc = perr_pos(p, ps, "nesting too deep (more than %d levels)",
                   XR_TOML_MAX_DEPTH);
    return NULL;
  }
  v = calloc(1, sizeof(*v));
  if (!v) {
    *rc = xr_nomem(p->err);
    return NULL;
  }
  v->type = type;
  v->kind = (unsigned char)kind;
  v->depth = depth;
  v->line = ps.line;
  v->col = ps.col;
  *rc = 0;
  return v;
}

/* ---- lexical helpers ----------------------------------------------- */

static int skip_comment(struct parser *p)
{
  const char *q;
  unsigned char c;

  for (q = p->p + 1; q < p->end; q++) {
    c = (unsigned char)*q;
    if (c == '\n' || (c == '\r' && q + 1 < p->end && q[1] == '\n'))
      break;
    if (is_ctrl(c))
      return xr_toml_perr_at(p, q, "control character U+%04X not allowed in "
                             "comment", c);
  }
  p->p = q;
  return 0;
}

/* Whitespace, comments and newlines, as allowed between array items. */
static int skip_wscnl(struct parser *p)
{
  int rc;

  for (;;) {
    xr_toml_skip_ws(p);
    if (p->p < p->end && *p->p == '#') {
      rc = skip_comment(p);
      if (rc)
        return rc;
    } else if (xr_toml_at_newline(p)) {
      xr_toml_eat_newline(p);
    } else {
      return 0;
    }
  }
}

/* The whole input must be UTF-8 without overlongs or surrogates. */
static int check_utf8(struct parser *p)
{
  const unsigned char *s = (const unsigned char *)p->start;
  const unsigned char *e = (const unsigned char *)p->end;
  const unsigned char *q = s, *bol = s;
  unsigned long line = 1;
  unsigned char c, lo, hi;
  int k, i;

  while (q < e) {
    c = *q;
    if (c < 0x80) {
      if (c == '\n') {
        line++;
        bol = q + 1;
      }
      q++;
      continue;
    }
    lo = 0x80;
    hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      k = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      k = 2;
      if (c == 0xE0)
        lo = 0xA0;
      else if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      k = 3;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F;
    } else {
      goto bad;
    }
    if (e - q <= k)
      goto bad;
    for (i = 1; i <= k; i++) {
      if (q[i] < lo || q[i] > hi)
        goto bad;
      lo = 0x80;
      hi = 0xBF;
    }
    q += k + 1;
  }
  return 0;
bad:
  p->line = line;
  p->bol = (const char *)bol;
  p->cpos = p->bol;
  p->ccol = 1;
  return xr_toml_perr_at(p, (const char *)q, "invalid utf-8 byte 0x%02X", c);
}

/* ---- keys ---------------------------------------------------------- */

static void keypath_release(struct keypath *kp)
{
  size_t i;

  for (i = 0; i < kp->n; i++)
    if (kp->v[i].owned)
      free(kp->v[i].s);
  free(kp->v);
  kp->v = NULL;
  kp->n = kp->cap = 0;
}

static int simple_key(struct parser *p, struct keyseg *seg)
{
  const char *s = p->p, *q;
  char fb[16];
  int rc;

  seg->s = NULL;
  seg->n = 0;
  seg->owned = 1;
  seg->pos = xr_toml_where(p, s);
  if (s < p->end && (*s == '"' || *s == '\'')) {
    if (s + 2 < p->end && s[1] == *s && s[2] == *s)
      return xr_toml_perr_at(p, s, "multi-line strings cannot be keys");
    rc = xr_toml_scan_string(p, *s, 0);
    if (rc)
      return rc;
    seg->s = dupmem(p->buf.data ? p->buf.data : "", p->buf.len);
    seg->n = p->buf.len;
  } else {
    for (q = s; q < p->end && is_bare((unsigned char)*q); q++)
      ;
    if (q == s)
      return xr_toml_perr_at(p, s, "expected a key, found %s",
                             FOUND(p, s, fb));
    seg->s = dupmem(s, (size_t)(q - s));
    seg->n = (size_t)(q - s);
    p->p = q;
  }
  return seg->s ? 0 : xr_nomem(p->err);
}

/* A dotted key; leaves p->p after the whitespace that follows it. */
static int parse_key(struct parser *p, struct keypath *kp)
{
  struct keyseg *nv;
  size_t cap;
  int rc;

  for (;;) {
    if (kp->n == kp->cap) {
      cap = kp->cap ? kp->cap * 2 : 4;
      nv = realloc(kp->v, cap * sizeof(*nv));
      if (!nv)
        return xr_nomem(p->err);
      kp->v = nv;
      kp->cap = cap;
    }
    rc = simple_key(p, &kp->v[kp->n]);
    if (rc)
      return rc;
    kp->n++;
    xr_toml_skip_ws(p);
    if (p->p >= p->end || *p->p != '.')
      return 0;
    p->p++;
    xr_toml_skip_ws(p);
  }
}

/* ---- values -------------------------------------------------------- */

static int parse_value(struct parser *p, unsigned depth,
                       struct xr_toml **out);
static int parse_keyval(struct parser *p, struct xr_toml *tbl);

static int parse_array(struct parser *p, unsigned depth, struct pos ps,
                       struct xr_toml **out)
{
  struct xr_toml *a, *v;
  char fb[16];
  int rc;

  a = new_container(p, XR_TOML_ARRAY, AK_STATIC, depth, ps, &rc);
  if (!a)
    return rc;
  p->p++;
  for (;;) {
    rc = skip_wscnl(p);
    if (rc)
      goto out;
    if (p->p < p->end && *p->p == ']')
      break;
    if (p->p >= p->end) {
      rc = xr_toml_perr_at(p, p->p, "unterminated array, expected ']'");
      goto out;
    }
    rc = parse_value(p, depth + 1, &v);
    if (!rc)
      rc = xr_toml_arr_push(a, v);
    if (!rc)
      rc = skip_wscnl(p);
    if (rc)
      goto out;
    if (p->p < p->end && *p->p == ',') {
      p->p++;
      continue;
    }
    if (p->p < p->end && *p->p == ']')
      break;
    rc = xr_toml_perr_at(p, p->p, "expected ',' or ']' after array element, "
                         "found %s", FOUND(p, p->p, fb));
    goto out;
  }
  p->p++;
out:
  if (rc)
    xr_toml_free(a);
  else
    *out = a;
  return rc;
}

static int parse_inline(struct parser *p, unsigned depth, struct pos ps,
                        struct xr_toml **out)
{
  struct xr_toml *t;
  char fb[16];
  int rc;

  t = new_container(p, XR_TOML_TABLE, TK_INLINE, depth, ps, &rc);
  if (!t)
    return rc;
  p->p++;
  xr_toml_skip_ws(p);
  if (p->p < p->end && *p->p == '}')
    goto close;
  for (;;) {
    rc = parse_keyval(p, t);
    if (rc)
      goto out;
    xr_toml_skip_ws(p);
    if (p->p < p->end && *p->p == '}')
      break;
    if (p->p >= p->end || *p->p != ',') {
      rc = xr_toml_perr_at(p, p->p,
                           "expected ',' or '}' in inline table, found "
                           "%s", FOUND(p, p->p, fb));
      goto out;
    }
    p->p++;
    xr_toml_skip_ws(p);
    if (p->p < p->end && *p->p == '}') {
      rc = xr_toml_perr_at(p, p->p,
                           "trailing comma not allowed in inline table");
      goto out;
    }
  }
close:
  p->p++;
out:
  if (rc)
    xr_toml_free(t);
  else
    *out = t;
  return rc;
}

static int parse_value(struct parser *p, unsigned depth,
                       struct xr_toml **out)
{
  const char *s = p->p, *e;
  struct pos ps;
  char fb[16];
  int rc, ml, year;

  *out = NULL;
  if (s >= p->end)
    return xr_toml_perr_at(p, s, "expected a value, found end of input");
  ps = xr_toml_where(p, s);
  switch (*s) {
  case '"':
  case '\'':
    ml = s + 2 < p->end && s[1] == *s && s[2] == *s;
    rc = xr_toml_scan_string(p, *s, ml);
    if (rc)
      return rc;
    *out = xr_toml_new_scalar(XR_TOML_STRING, ps, s, (size_t)(p->p - s),
                      p->buf.data, p->buf.len);
    return *out ? 0 : xr_nomem(p->err);
  case '[':
    return parse_array(p, depth, ps, out);
  case '{':
    return parse_inline(p, depth, ps, out);
  default:
    break;
  }
  for (e = s; e < p->end && is_tok((unsigned char)*e); e++)
    ;
  if (e == s)
    return xr_toml_perr_at(p, s, "expected a value, found %s",
                           FOUND(p, s, fb));
  if ((e - s == 4 && !memcmp(s, "true", 4)) ||
      (e - s == 5 && !memcmp(s, "false", 5))) {
    *out = xr_toml_new_scalar(XR_TOML_BOOL, ps, s, (size_t)(e - s), s,
                      (size_t)(e - s));
    if (!*out)
      return xr_nomem(p->err);
    (*out)->u.s.n.b = *s == 't';
    p->p = e;
    return 0;
  }
  if ((e - s >= 3 && is_digit((unsigned char)s[0]) &&
       is_digit((unsigned char)s[1]) && s[2] == ':') ||
      (e - s >= 5 && xr_toml_digits(s, e, 4, &year) && s[4] == '-'))
    return xr_toml_parse_datetime(p, ps, e, out);
  return xr_toml_parse_number(p, ps, e, out);
}

/* ---- tables -------------------------------------------------------- */

/*
 * Hands the key of segment I to a table.  The table outlives KP, so the
 * segment may still be read (for messages) but no longer frees it.
 */
static char *take_key(struct keypath *kp, size_t i)
{
  kp->v[i].owned = 0;
  return kp->v[i].s;
}

/*
 * Adds segment I of KP to *T as a new table of KIND and steps into it (the
 * first time a dotted key or a header names it).
 */
static int add_table(struct parser *p, struct xr_toml **t,
                     struct keypath *kp, size_t i, int kind)
{
  struct keyseg *seg = &kp->v[i];
  struct xr_toml *nt;
  int rc;

  nt = new_container(p, XR_TOML_TABLE, kind, (*t)->depth + 1, seg->pos,
                     &rc);
  if (!nt)
    return rc;
  if (xr_toml_tbl_add(*t, take_key(kp, i), seg->n, nt))
    return xr_nomem(p->err);
  *t = nt;
  return 0;
}

/*
 * Steps from *T into segment I of a dotted key in a key/value pair,
 * creating the table if needed.  Dotted keys may only pass through tables
 * that dotted keys made (or that a header made implicitly); a table
 * defined by a header or written inline is closed to them.
 */
static int descend_dotted(struct parser *p, struct xr_toml **t,
                          struct keypath *kp, size_t i)
{
  struct keyseg *seg = &kp->v[i];
  struct xr_toml *v = xr_toml_tbl_find(*t, seg->s, seg->n);
  char pb[256];

  if (!v)
    return add_table(p, t, kp, i, TK_DOTTED);
  if (v->type == XR_TOML_TABLE &&
      (v->kind == TK_DOTTED || v->kind == TK_IMPLICIT)) {
    v->kind = TK_DOTTED;
    *t = v;
    return 0;
  }
  show_path(kp, i, pb, sizeof(pb));
  if (v->type == XR_TOML_TABLE && v->kind == TK_INLINE)
    return perr_pos(p, seg->pos, "cannot extend inline table '%s'", pb);
  if (v->type == XR_TOML_TABLE)
    return perr_pos(p, seg->pos, "cannot add to table '%s' with dotted "
                    "keys: it is defined by a header at line %lu", pb,
                    v->line);
  return perr_pos(p, seg->pos, "cannot use '%s' as a table: it is "
                  "already %s", pb, type_phrase(v));
}

static int parse_keyval(struct parser *p, struct xr_toml *tbl)
{
  struct keypath kp = { NULL, 0, 0 };
  struct xr_toml *t = tbl, *v = NULL;
  struct keyseg *last;
  char fb[16], pb[256];
  size_t i;
  int rc;

  rc = parse_key(p, &kp);
  if (rc)
    goto out;
  if (p->p >= p->end || *p->p != '=') {
    rc = xr_toml_perr_at(p, p->p, "expected '=' after key, found %s",
                         FOUND(p, p->p, fb));
    goto out;
  }
  p->p++;
  xr_toml_skip_ws(p);
  for (i = 0; i + 1 < kp.n; i++) {
    rc = descend_dotted(p, &t, &kp, i);
    if (rc)
      goto out;
  }
  last = &kp.v[kp.n - 1];
  if (xr_toml_tbl_find(t, last->s, last->n)) {
    rc = perr_pos(p, last->pos, "duplicate key '%s'",
                  show_path(&kp, kp.n - 1, pb, sizeof(pb)));
    goto out;
  }
  rc = parse_value(p, t->depth + 1, &v);
  if (rc)
    goto out;
  rc = xr_toml_tbl_add(t, take_key(&kp, kp.n - 1), last->n, v);
  if (rc)
    rc = xr_nomem(p->err);
out:
  keypath_release(&kp);
  return rc;
}

/* Steps through segment I of a [header] on the way to its last key. */
static int descend_header(struct parser *p, struct xr_toml **t,
                          struct keypath *kp, size_t i)
{
  struct keyseg *seg = &kp->v[i];
  struct xr_toml *v = xr_toml_tbl_find(*t, seg->s, seg->n);
  char pb[256];

  if (!v)
    return add_table(p, t, kp, i, TK_IMPLICIT);
  if (v->type == XR_TOML_TABLE && v->kind != TK_INLINE) {
    *t = v;
    return 0;
  }
  if (v->type == XR_TOML_ARRAY && v->kind == AK_TABLES) {
    *t = v->u.a.v[v->u.a.len - 1];
    return 0;
  }
  show_path(kp, i, pb, sizeof(pb));
  if (v->type == XR_TOML_TABLE)
    return perr_pos(p, seg->pos, "cannot extend inline table '%s'", pb);
  if (v->type == XR_TOML_ARRAY)
    return perr_pos(p, seg->pos, "cannot extend static array '%s' with a "
                    "header", pb);
  return perr_pos(p, seg->pos, "cannot use '%s' as a table: it is "
                  "already %s", pb, type_phrase(v));
}

static int parse_header(struct parser *p)
{
  struct keypath kp = { NULL, 0, 0 };
  const char *s = p->p;
  struct pos ps = xr_toml_where(p, s);
  struct xr_toml *t = p->root, *v, *nt = NULL, *a;
  struct keyseg *last;
  int aot = s + 1 < p->end && s[1] == '[', rc;
  char fb[16], pb[256];
  size_t i;

  p->p += aot ? 2 : 1;
  xr_toml_skip_ws(p);
  rc = parse_key(p, &kp);
  if (rc)
    goto out;
  if (aot && !(p->p + 1 < p->end && p->p[0] == ']' && p->p[1] == ']')) {
    rc = xr_toml_perr_at(p, p->p, "expected ']]' after array of tables name, "
                         "found %s", FOUND(p, p->p, fb));
    goto out;
  }
  if (!aot && (p->p >= p->end || *p->p != ']')) {
    rc = xr_toml_perr_at(p, p->p, "expected ']' after table name, found %s",
                         FOUND(p, p->p, fb));
    goto out;
  }
  p->p += aot ? 2 : 1;
  for (i = 0; i + 1 < kp.n; i++) {
    rc = descend_header(p, &t, &kp, i);
    if (rc)
      goto out;
  }
  last = &kp.v[kp.n - 1];
  v = xr_toml_tbl_find(t, last->s, last->n);
  show_path(&kp, kp.n - 1, pb, sizeof(pb));
  if (!aot && v && v->type == XR_TOML_TABLE && v->kind == TK_IMPLICIT) {
    v->kind = TK_EXPLICIT;
    v->line = ps.line;
    v->col = ps.col;
    p->cur = v;
    goto out;
  }
  if (aot && v && v->type == XR_TOML_ARRAY && v->kind == AK_TABLES) {
    a = v;
  } else if (v) {
    if (v->type == XR_TOML_TABLE && v->kind == TK_INLINE)
      rc = perr_pos(p, ps, "cannot redefine inline table '%s'", pb);
    else if (v->type == XR_TOML_TABLE && v->kind == TK_DOTTED)
      rc = perr_pos(p, ps, "table '%s' is already defined by dotted keys",
                    pb);
    else if (v->type == XR_TOML_TABLE && aot)
      rc = perr_pos(p, ps, "'%s' is already a table, not an array of "
                    "tables", pb);
    else if (v->type == XR_TOML_TABLE)
      rc = perr_pos(p, ps, "table '%s' is already defined at line %lu",
                    pb, v->line);
    else if (v->type == XR_TOML_ARRAY && v->kind == AK_TABLES)
      rc = perr_pos(p, ps, "table '%s' is already defined as an array of "
                    "tables", pb);
    else if (v->type == XR_TOML_ARRAY && aot)
      rc = perr_pos(p, ps, "cannot append to static array '%s'", pb);
    else
      rc = perr_pos(p, ps, "duplicate key '%s': it is already %s", pb,
                    type_phrase(v));
    goto out;
  } else if (aot) {
    a = new_container(p, XR_TOML_ARRAY, AK_TABLES, t->depth + 1, ps, &rc);
    if (!a)
      goto out;
    rc = xr_toml_tbl_add(t, take_key(&kp, kp.n - 1), last->n, a);
    if (rc) {
      rc = xr_nomem(p->err);
      goto out;
    }
  } else {
    a = NULL;
  }
  nt = new_container(p, XR_TOML_TABLE, TK_EXPLICIT,
                     (a ? a->depth : t->depth) + 1, ps, &rc);
  if (!nt)
    goto out;
  if (a)
    rc = xr_toml_arr_push(a, nt);
  else
    rc = xr_toml_tbl_add(t, take_key(&kp, kp.n - 1), last->n, nt);
  if (rc) {
    rc = xr_nomem(p->err);
    goto out;
  }
  p->cur = nt;
out:
  keypath_release(&kp);
  return rc;
}

static int parse_doc(struct parser *p)
{
  char fb[16];
  const char *what;
  int rc;

  if (p->end - p->p >= 3 && !memcmp(p->p, "\xEF\xBB\xBF", 3)) {
    p->p += 3;
    p->bol = p->cpos = p->p;
  }
  for (;;) {
    xr_toml_skip_ws(p);
    if (p->p >= p->end)
      return 0;
    what = "comment";
    if (*p->p == '[') {
      rc = parse_header(p);
      what = "table header";
    } else if (*p->p != '#' && !xr_toml_at_newline(p)) {
      rc = parse_keyval(p, p->cur);
      what = "value";
    } else {
      rc = 0;
    }
    if (rc)
      return rc;
    xr_toml_skip_ws(p);
    if (p->p < p->end && *p->p == '#') {
      rc = skip_comment(p);
      if (rc)
        return rc;
    }
    if (p->p >= p->end)
      return 0;
    if (!xr_toml_at_newline(p))
      return xr_toml_perr_at(p, p->p,
                             "expected end of line after %s, found %s",
                             what, FOUND(p, p->p, fb));
    xr_toml_eat_newline(p);
  }
}

static void parser_init(struct parser *p, const char *data, size_t len,
                        const char *name, struct xr_err *err)
{
  memset(p, 0, sizeof(*p));
  p->start = p->p = p->bol = p->cpos = data ? data : "";
  p->end = p->start + (data ? len : 0);
  p->name = name ? name : "<input>";
  p->err = err;
  p->line = 1;
  p->ccol = 1;
  xr_buf_init(&p->buf);
  xr_buf_init(&p->num);
}

struct xr_toml *xr_toml_parse(const char *data, size_t len, const char *name,
                              struct xr_err *err)
{
  struct parser p;
  struct pos ps = { 1, 1 };
  int rc;

  parser_init(&p, data, len, name, err);
  p.root = new_container(&p, XR_TOML_TABLE, TK_EXPLICIT, 0, ps, &rc);
  p.cur = p.root;
  if (p.root)
    rc = check_utf8(&p);
  if (!rc)
    rc = parse_doc(&p);
  xr_buf_release(&p.buf);
  xr_buf_release(&p.num);
  if (rc) {
    xr_toml_free(p.root);
    return NULL;
  }
  return p.root;
}

struct xr_toml *xr_toml_parse_file(const char *path, struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_toml *root = NULL;

  /* Any file that cannot be read, missing or not, is XR_EIO here. */
  if (xr_fs_read(path, XR_TOML_FILE_MAX, &b, err) == 0)
    root = xr_toml_parse(b.data, b.len, path, err);
  else if (err && err->code == XR_ENOTFOUND)
    err->code = XR_EIO;
  xr_buf_release(&b);
  return root;
}

struct xr_toml *xr_toml_path(const struct xr_toml *root, const char *path,
                             struct xr_err *err)
{
  struct keypath kp = { NULL, 0, 0 };
  const struct xr_toml *v = root;
  struct parser p;
  char fb[16];
  size_t i;
  int rc;

  if (!path)
    path = "";
  parser_init(&p, path, strlen(path), path, err);
  p.is_path = 1;
  xr_toml_skip_ws(&p);
  rc = parse_key(&p, &kp);
  if (!rc && p.p < p.end)
    rc = xr_toml_perr_at(&p, p.p, "expected '.' or end of path, found %s",
                         FOUND(&p, p.p, fb));
  for (i = 0; !rc && v && i < kp.n; i++) {
    if (v->type != XR_TOML_TABLE)
      v = NULL;
    else
      v = xr_toml_tbl_find(v, kp.v[i].s, kp.v[i].n);
  }
  keypath_release(&kp);
  xr_buf_release(&p.buf);
  xr_buf_release(&p.num);
  return rc ? NULL : (struct xr_toml *)v;
}

