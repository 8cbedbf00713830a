/*
 * Internal interface of the TOML parser, shared by toml.c (document
 * structure, positions, errors), toml_scalar.c (strings, numbers,
 * date-times) and toml_tree.c (the value tree).  Nothing outside those
 * files includes it; the public API is include/xrust/toml.h.
 */
#ifndef XRUST_TOML_PRIV_H
#define XRUST_TOML_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "xrust/buf.h"
#include "xrust/toml.h"

/*
 * How a table came to exist decides what may still be done to it: an
 * implicit table (an intermediate of a [a.b.c] header) may be defined once
 * by its own header; a table made by dotted keys may be extended by more
 * dotted keys but never by a header of its own; an explicit table cannot
 * be defined again nor reached by dotted keys from elsewhere; an inline
 * table is frozen once written.
 */
enum { TK_IMPLICIT, TK_EXPLICIT, TK_DOTTED, TK_INLINE };
/* Arrays written as values are static; [[x]] arrays may grow. */
enum { AK_STATIC, AK_TABLES };

struct entry {
  char *key;           /* NUL-terminated, may contain NUL (klen counts) */
  size_t klen;
  struct xr_toml *val;
};

struct xr_toml {
  enum xr_toml_type type;
  unsigned char kind;
  unsigned depth;
  unsigned long line, col;
  union {
    struct {
      struct entry *ent;
      size_t len, cap;
      size_t *idx;     /* open addressing; slot holds entry index + 1 */
      size_t icap;     /* a power of two, or 0 without an index */
    } t;
    struct {
      struct xr_toml **v;
      size_t len, cap;
    } a;
    struct {
      const char *raw, *str;  /* both point into text[] */
      size_t slen;
      union {
        int64_t i;
        double f;
        int b;
      } n;
    } s;
  } u;
  char text[];         /* scalars: raw text, NUL, decoded text, NUL */
};

struct pos {
  unsigned long line, col;
};

struct keyseg {
  char *s;             /* decoded, NUL-terminated */
  size_t n;
  int owned;           /* 0 once a table holds s (it stays readable) */
  struct pos pos;
};

struct keypath {
  struct keyseg *v;
  size_t n, cap;
};

struct parser {
  const char *start, *end, *p;
  const char *name;
  int is_path;         /* parsing an xr_toml_path argument */
  struct xr_err *err;
  unsigned long line;
  const char *bol;     /* first byte of the current line */
  const char *cpos;    /* column cache: byte cpos is at column ccol */
  unsigned long ccol;
  struct xr_buf buf;   /* scratch: decoded strings, canonical scalars */
  struct xr_buf num;   /* scratch: numbers handed to strtod */
  struct xr_toml *root, *cur;
};

/* Character classes of the TOML grammar. */
static inline int is_ctrl(unsigned char c)
{
  return (c < 0x20 && c != '\t') || c == 0x7f;
}

static inline int is_bare(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static inline int is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

static inline int is_tok(unsigned char c)
{
  return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* Newlines (LF or CRLF) and the blanks between tokens. */
static inline int xr_toml_at_newline(const struct parser *p)
{
  return p->p < p->end &&
         (*p->p == '\n' ||
          (*p->p == '\r' && p->p + 1 < p->end && p->p[1] == '\n'));
}

static inline void xr_toml_eat_newline(struct parser *p)
{
  p->p += *p->p == '\r' ? 2 : 1;
  p->line++;
  p->bol = p->p;
  p->cpos = p->p;
  p->ccol = 1;
}

static inline void xr_toml_skip_ws(struct parser *p)
{
  while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
    p->p++;
}

/* toml.c: positions and errors. */
struct pos xr_toml_where(struct parser *p, const char *at);
int xr_toml_perr_at(struct parser *p, const char *at, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* Names the character at AT for "found ..." in messages. */
const char *xr_toml_describe(const struct parser *p, const char *at,
                             char *buf, size_t n);
#define FOUND(p, at, b) xr_toml_describe((p), (at), (b), sizeof(b))

/* toml_scalar.c: each reads one scalar at p->p and advances past it. */
int xr_toml_scan_string(struct parser *p, char quote, int ml);
int xr_toml_parse_datetime(struct parser *p, struct pos ps,
                           const char *tend, struct xr_toml **out);
int xr_toml_parse_number(struct parser *p, struct pos ps, const char *e,
                         struct xr_toml **out);
int xr_toml_digits(const char *s, const char *end, int n, int *val);

/* toml_tree.c: building the tree (the add functions take ownership). */
struct xr_toml *xr_toml_tbl_find(const struct xr_toml *t, const char *k,
                                 size_t n);
int xr_toml_tbl_add(struct xr_toml *t, char *key, size_t klen,
                    struct xr_toml *val);
int xr_toml_arr_push(struct xr_toml *a, struct xr_toml *val);
struct xr_toml *xr_toml_new_scalar(enum xr_toml_type type, struct pos ps,
                                   const char *raw, size_t rlen,
                                   const char *str, size_t slen);

#endif
