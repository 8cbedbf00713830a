/*
 * The scalar readers of the TOML parser: the four string kinds with every
 * escape (decoded into the parser's scratch buffer), integers in four
 * bases with TOML's underscore, sign and leading-zero rules and int64
 * range checks, floats (converted independently of the C locale, which
 * Make sets from the environment), and the four date-time kinds with
 * calendar checks.  Each records the text as written and a canonical text.
 */
#include "xrust/toml.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "toml_priv.h"

static int add_utf8(struct xr_buf *b, unsigned long cp)
{
  char u[4];
  size_t n;

  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return xr_buf_add(b, u, n);
}

/*
 * Decodes the escape at p->p (a backslash) into p->buf.  In multi-line
 * strings a backslash ending a line swallows all whitespace and newlines
 * that follow it.
 */
static int escape(struct parser *p, int multiline)
{
  const char *bs = p->p, *q = p->p + 1;
  char fb[16];
  unsigned long cp = 0;
  int want, i, h, rc = 0;
  char c;

  if (q >= p->end)
    return xr_toml_perr_at(p, bs, "unterminated escape sequence");
  c = *q;
  switch (c) {
  case 'b': c = '\b'; break;
  case 't': c = '\t'; break;
  case 'n': c = '\n'; break;
  case 'f': c = '\f'; break;
  case 'r': c = '\r'; break;
  case '"': break;
  case '\\': break;
  case 'u':
  case 'U':
    want = c == 'u' ? 4 : 8;
    for (i = 0; i < want; i++) {
      h = q + 1 + i < p->end ? xr_hexval((unsigned char)q[1 + i]) : -1;
      if (h < 0)
        return xr_toml_perr_at(p, bs,
                               "invalid unicode escape '\\%c%.*s': expected "
                               "%d hex digits", c, i, q + 1, want);
      cp = (cp << 4) | (unsigned long)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return xr_toml_perr_at(p, bs, "invalid unicode escape '\\%c%.*s': not a "
                             "unicode scalar value", c, want, q + 1);
    if (add_utf8(&p->buf, cp))
      return xr_nomem(p->err);
    p->p = q + 1 + want;
    return 0;
  default:
    if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      p->p = q;
      xr_toml_skip_ws(p);
      if (!xr_toml_at_newline(p))
        return xr_toml_perr_at(p, bs, "invalid escape: '\\' followed by "
                               "whitespace must end the line");
      while (xr_toml_at_newline(p)) {
        xr_toml_eat_newline(p);
        xr_toml_skip_ws(p);
      }
      return 0;
    }
    if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
      return xr_toml_perr_at(p, bs, "invalid escape '\\%c'", c);
    return xr_toml_perr_at(p, bs, "invalid escape: '\\' followed by %s",
                           FOUND(p, q, fb));
  }
  if (xr_buf_addc(&p->buf, c))
    rc = xr_nomem(p->err);
  p->p = q + 1;
  return rc;
}

/*
 * One string of any kind at p->p, decoded into p->buf; leaves p->p after
 * the closing delimiter.  QUOTE is '"' or '\''; ML for the triple forms.
 */
int xr_toml_scan_string(struct parser *p, char quote, int ml)
{
  const char *q, *run;
  int basic = quote == '"', rc;
  size_t nq;
  char fb[16];
  unsigned char c;

  xr_buf_reset(&p->buf);
  p->p += ml ? 3 : 1;
  if (ml && xr_toml_at_newline(p))
    xr_toml_eat_newline(p);
  for (;;) {
    q = run = p->p;
    while (q < p->end && *q != quote && !(basic && *q == '\\') &&
           !is_ctrl((unsigned char)*q))
      q++;
    if (q > run && xr_buf_add(&p->buf, run, (size_t)(q - run)))
      return xr_nomem(p->err);
    p->p = q;
    if (q >= p->end) {
      if (ml)
        return xr_toml_perr_at(p, q,
                               "unterminated multi-line string, expected "
                               "%s", basic ? "'\"\"\"'" : "\"'''\"");
      return xr_toml_perr_at(p, q, "unterminated string, expected %s",
                             basic ? "'\"'" : "\"'\"");
    }
    c = (unsigned char)*q;
    if (c == (unsigned char)quote) {
      if (!ml) {
        p->p = q + 1;
        return 0;
      }
      for (nq = 0; q + nq < p->end && q[nq] == quote; nq++)
        ;
      if (nq < 3) {
        if (xr_buf_add(&p->buf, q, nq))
          return xr_nomem(p->err);
        p->p = q + nq;
        continue;
      }
      if (nq > 5)
        return xr_toml_perr_at(p, q + 5,
                               "too many quotes at end of multi-line "
                               "string");
      if (xr_buf_add(&p->buf, q, nq - 3))
        return xr_nomem(p->err);
      p->p = q + nq;
      return 0;
    }
    if (c == '\\') {
      rc = escape(p, ml);
      if (rc)
        return rc;
      continue;
    }
    if (ml && xr_toml_at_newline(p)) {
      if (xr_buf_addc(&p->buf, '\n'))
        return xr_nomem(p->err);
      xr_toml_eat_newline(p);
      continue;
    }
    if (!ml && (c == '\n' || c == '\r'))
      return xr_toml_perr_at(p, q, "unterminated string: %s before closing "
                             "quote", FOUND(p, q, fb));
    return xr_toml_perr_at(p, q, "control character U+%04X not allowed in "
                           "string", c);
  }
}

/* True when S holds N decimal digits; their value goes to *VAL. */
int xr_toml_digits(const char *s, const char *end, int n, int *val)
{
  int i, v = 0;

  if (end - s < n)
    return 0;
  for (i = 0; i < n; i++) {
    if (!is_digit((unsigned char)s[i]))
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *val = v;
  return 1;
}

static int days_in_month(int y, int m)
{
  static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                             31 };

  if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
    return 29;
  return dim[m - 1];
}

/* HH:MM:SS[.frac] at *Q; appends it to p->buf and advances *Q. */
static int scan_time(struct parser *p, const char **qp, const char *tok)
{
  const char *q = *qp, *f;
  int h, m, s;

  if (!xr_toml_digits(q, p->end, 2, &h) || q + 2 >= p->end || q[2] != ':' ||
      !xr_toml_digits(q + 3, p->end, 2, &m))
    return xr_toml_perr_at(p, tok, "invalid time: expected HH:MM:SS");
  if (q + 5 >= p->end || q[5] != ':' || !xr_toml_digits(q + 6, p->end, 2, &s))
    return xr_toml_perr_at(p, tok,
                           "invalid time: expected seconds (HH:MM:SS)");
  if (h > 23)
    return xr_toml_perr_at(p, tok, "invalid time: hour %02d out of range", h);
  if (m > 59)
    return xr_toml_perr_at(p, tok, "invalid time: minute %02d out of range",
                           m);
  if (s > 60)
    return xr_toml_perr_at(p, tok, "invalid time: second %02d out of range",
                           s);
  f = q + 8;
  if (f < p->end && *f == '.') {
    f++;
    if (f >= p->end || !is_digit((unsigned char)*f))
      return xr_toml_perr_at(p, tok,
                             "invalid time: expected digits after '.'");
    while (f < p->end && is_digit((unsigned char)*f))
      f++;
  }
  if (xr_buf_add(&p->buf, q, (size_t)(f - q)))
    return xr_nomem(p->err);
  *qp = f;
  return 0;
}

/*
 * A date, date-time or time starting at p->p.  The canonical text uses
 * 'T' and 'Z' whatever the spelling; TEND is where the plain token ends,
 * so trailing junk ("...Zx") is caught.
 */
int xr_toml_parse_datetime(struct parser *p, struct pos ps, const char *tend,
                           struct xr_toml **out)
{
  const char *s = p->p, *q = s;
  enum xr_toml_type type;
  int y, mo, d, h, m, rc;
  char fb[16];

  xr_buf_reset(&p->buf);
  if (q + 2 < p->end && q[2] == ':') {
    rc = scan_time(p, &q, s);
    if (rc)
      return rc;
    type = XR_TOML_TIME_LOCAL;
    goto done;
  }
  if (!xr_toml_digits(q, p->end, 4, &y) || q[4] != '-' ||
      !xr_toml_digits(q + 5, p->end, 2,
                      &mo) || q + 7 >= p->end || q[7] != '-' ||
      !xr_toml_digits(q + 8, p->end, 2, &d))
    return xr_toml_perr_at(p, s, "invalid date: expected YYYY-MM-DD");
  if (mo < 1 || mo > 12)
    return xr_toml_perr_at(p, s, "invalid date: month %02d out of range", mo);
  if (d < 1 || d > days_in_month(y, mo))
    return xr_toml_perr_at(p, s, "invalid date: day %02d out of range for "
                           "%04d-%02d", d, y, mo);
  if (xr_buf_add(&p->buf, q, 10))
    return xr_nomem(p->err);
  q += 10;
  type = XR_TOML_DATE_LOCAL;
  if (q < p->end && (*q == 'T' || *q == 't' ||
                     (*q == ' ' && q + 3 < p->end &&
                      is_digit((unsigned char)q[1]) &&
                      is_digit((unsigned char)q[2]) && q[3] == ':'))) {
    q++;
    if (xr_buf_addc(&p->buf, 'T'))
      return xr_nomem(p->err);
    rc = scan_time(p, &q, s);
    if (rc)
      return rc;
    type = XR_TOML_DATETIME_LOCAL;
    if (q < p->end && (*q == 'Z' || *q == 'z')) {
      q++;
      if (xr_buf_addc(&p->buf, 'Z'))
        return xr_nomem(p->err);
      type = XR_TOML_DATETIME;
    } else if (q < p->end && (*q == '+' || *q == '-')) {
      if (!xr_toml_digits(q + 1, p->end, 2, &h) || q + 3 >= p->end ||
          q[3] != ':' || !xr_toml_digits(q + 4, p->end, 2, &m))
        return xr_toml_perr_at(p, s, "invalid date-time: expected offset "
                               "+HH:MM or -HH:MM");
      if (h > 23 || m > 59)
        return xr_toml_perr_at(p, s, "invalid date-time: offset %.6s out of "
                               "range", q);
      if (xr_buf_add(&p->buf, q, 6))
        return xr_nomem(p->err);
      q += 6;
      type = XR_TOML_DATETIME;
    }
  }
done:
  if (q < tend || (q < p->end && is_tok((unsigned char)*q)))
    return xr_toml_perr_at(p, q < tend ? q : s, "invalid %s: unexpected %s",
                           type == XR_TOML_TIME_LOCAL ? "time" : "date-time",
                           FOUND(p, q, fb));
  *out = xr_toml_new_scalar(type, ps, s, (size_t)(q - s), p->buf.data,
                    p->buf.len);
  if (!*out)
    return xr_nomem(p->err);
  p->p = q;
  return 0;
}

static int digit_of(unsigned char c, int base)
{
  int v = xr_hexval(c);

  return v >= 0 && v < base;
}

/*
 * Digits of BASE with single underscores between digits, from *QP.
 * Returns the number of digits, or -1 for a misplaced underscore.
 */
static long scan_digits(const char **qp, const char *e, int base)
{
  const char *q = *qp;
  long n = 0;
  int prev = 0;

  while (q < e) {
    if (digit_of((unsigned char)*q, base)) {
      n++;
      prev = 1;
    } else if (*q == '_') {
      if (!prev || q + 1 >= e || !digit_of((unsigned char)q[1], base))
        return -1;
      prev = 0;
    } else {
      break;
    }
    q++;
  }
  *qp = q;
  return n;
}

static int make_float(struct parser *p, struct pos ps, const char *s,
                      const char *e, int special, struct xr_toml **out)
{
  const char *dp = localeconv()->decimal_point, *q;
  char *end = NULL;
  double f;
  int neg = *s == '-';

  xr_buf_reset(&p->buf);
  xr_buf_reset(&p->num);
  if (special) {
    q = e - 3;
    f = *q == 'i' ? (neg ? -HUGE_VAL : HUGE_VAL) : NAN;
    if (xr_buf_adds(&p->buf, *q == 'n' ? "nan" : neg ? "-inf" : "inf"))
      return xr_nomem(p->err);
  } else {
    for (q = s; q < e; q++) {
      if (*q == '_')
        continue;
      if (xr_buf_addc(&p->buf, *q) ||
          (*q == '.' ? xr_buf_adds(&p->num, dp) : xr_buf_addc(&p->num, *q)))
        return xr_nomem(p->err);
    }
    errno = 0;
    f = strtod(p->num.data, &end);
    if (!end || *end)
      return xr_toml_perr_at(p, s, "invalid float '%.*s'", (int)(e - s), s);
  }
  *out = xr_toml_new_scalar(XR_TOML_FLOAT, ps, s, (size_t)(e - s), p->buf.data,
                    p->buf.len);
  if (!*out)
    return xr_nomem(p->err);
  (*out)->u.s.n.f = f;
  p->p = e;
  return 0;
}

int xr_toml_parse_number(struct parser *p, struct pos ps, const char *e,
                         struct xr_toml **out)
{
  const char *s = p->p, *q = s, *r;
  uint64_t v = 0, lim;
  int neg = 0, sign = 0, base = 10, isfloat = 0, dv;
  long n;
  char num[32];
  int tl = (int)(e - s > 200 ? 200 : e - s);

  if (*q == '+' || *q == '-') {
    sign = 1;
    neg = *q == '-';
    q++;
  }
  if (e - q == 3 && (!memcmp(q, "inf", 3) || !memcmp(q, "nan", 3)))
    return make_float(p, ps, s, e, 1, out);
  if (e - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' ||
                                    q[1] == 'b')) {
    base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
    if (sign)
      return xr_toml_perr_at(p, s,
                             "a sign is not allowed on hex, octal or binary "
                             "integer '%.*s'", tl, s);
    q += 2;
  }
  r = q;
  n = scan_digits(&r, e, base);
  if (n < 0)
    return xr_toml_perr_at(p, s,
                           "underscores must sit between digits in '%.*s'",
                           tl, s);
  if (n == 0 && base != 10)
    return xr_toml_perr_at(p, s, "expected digits after '%.2s' in '%.*s'",
                           q - 2,
                           tl, s);
  if (n == 0)
    return xr_toml_perr_at(p, s, "expected a value, found '%.*s'", tl, s);
  if (base == 10 && *q == '0' && n > 1)
    return xr_toml_perr_at(p, s, "leading zeros are not allowed in '%.*s'",
                           tl, s);
  if (base == 10 && r < e && *r == '.') {
    r++;
    n = scan_digits(&r, e, 10);
    if (n <= 0)
      return xr_toml_perr_at(p, s,
                             "invalid float '%.*s': expected digits after "
                             "'.'", tl, s);
    isfloat = 1;
  }
  if (base == 10 && r < e && (*r == 'e' || *r == 'E')) {
    r++;
    if (r < e && (*r == '+' || *r == '-'))
      r++;
    n = scan_digits(&r, e, 10);
    if (n <= 0)
      return xr_toml_perr_at(p, s, "invalid float '%.*s': expected exponent "
                             "digits", tl, s);
    isfloat = 1;
  }
  if (r != e)
    return xr_toml_perr_at(p, s, "invalid number '%.*s'", tl, s);
  if (isfloat)
    return make_float(p, ps, s, e, 0, out);
  lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (r = q; r < e; r++) {
    if (*r == '_')
      continue;
    dv = xr_hexval((unsigned char)*r);
    if (v > (lim - (uint64_t)dv) / (uint64_t)base)
      return xr_toml_perr_at(p, s, "integer '%.*s' out of range", tl, s);
    v = v * (uint64_t)base + (uint64_t)dv;
  }
  if (neg)
    v = (uint64_t)0 - v;
  snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
  *out = xr_toml_new_scalar(XR_TOML_INTEGER, ps, s, (size_t)(e - s), num,
                    strlen(num));
  if (!*out)
    return xr_nomem(p->err);
  (*out)->u.s.n.i = (int64_t)v;
  p->p = e;
  return 0;
}
