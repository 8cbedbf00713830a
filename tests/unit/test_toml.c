/*
 * Unit tests of the TOML parser API (toml.h): accessors, key paths,
 * positions, raw and canonical text, error messages with their line and
 * column, the redefinition rules, resource limits (deep nesting, big
 * tables), the JSON writer and the TOML writer (toml_write.h).  The
 * full conformance suite runs from tests/cli/toml-conformance.sh.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/toml.h"
#include "xrust/toml_write.h"

static struct xr_toml *parse(const char *s, struct xr_err *err)
{
  xr_err_clear(err);
  return xr_toml_parse(s, strlen(s), "t.toml", err);
}

/* Parses S, which must fail; returns the message (static storage). */
static const char *fails(const char *s)
{
  static struct xr_err err;
  struct xr_toml *t = parse(s, &err);

  if (t) {
    xr_toml_free(t);
    return "(parsed)";
  }
  if (err.code != XR_ETOML)
    return "(wrong code)";
  return err.msg;
}

static double now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(scalar_accessors)
{
  struct xr_err err;
  struct xr_toml *t = parse("i = -42\nh = 0xff\no = 0o17\nb = 0b101\n"
                            "f = 6.25e-1\nt = true\nn = false\n"
                            "s = \"caf\\u00e9\"\nl = 'C:\\x'\n"
                            "big = 9_223_372_036_854_775_807\n"
                            "small = -9223372036854775808\n", &err);

  REQUIRE(t);
  CHECK(xr_toml_type(t) == XR_TOML_TABLE);
  CHECK(xr_toml_len(t) == 11);
  CHECK(xr_toml_int(xr_toml_get(t, "i")) == -42);
  CHECK(xr_toml_int(xr_toml_get(t, "h")) == 255);
  CHECK(xr_toml_int(xr_toml_get(t, "o")) == 15);
  CHECK(xr_toml_int(xr_toml_get(t, "b")) == 5);
  CHECK(xr_toml_int(xr_toml_get(t, "big")) == INT64_MAX);
  CHECK(xr_toml_int(xr_toml_get(t, "small")) == INT64_MIN);
  CHECK_STR(xr_toml_str(xr_toml_get(t, "small")), "-9223372036854775808");
  CHECK(xr_toml_type(xr_toml_get(t, "f")) == XR_TOML_FLOAT);
  CHECK(xr_toml_float(xr_toml_get(t, "f")) == 0.625);
  CHECK(xr_toml_float(xr_toml_get(t, "i")) == -42.0);
  CHECK(xr_toml_bool(xr_toml_get(t, "t")) == 1);
  CHECK(xr_toml_bool(xr_toml_get(t, "n")) == 0);
  CHECK_STR(xr_toml_str(xr_toml_get(t, "t")), "true");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "s")), "caf\xc3\xa9");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "l")), "C:\\x");
  CHECK(xr_toml_get(t, "missing") == NULL);
  CHECK(xr_toml_str(t) == NULL);
  CHECK(xr_toml_raw(t) == NULL);
  xr_toml_free(t);
}

TEST(raw_and_canonical_text)
{
  struct xr_err err;
  struct xr_toml *t = parse("h = 0xdead_beef\nf = +1_000.5\ninf = +inf\n"
                            "nan = -nan\nd = 1979-05-27 07:32:00.5z\n"
                            "o = 1979-05-27t07:32:00-07:00\n"
                            "ld = 1979-05-27\nlt = 07:32:00\n"
                            "s = \"a\\tb\"\nm = '''\nx'''\n", &err);

  REQUIRE(t);
  CHECK_STR(xr_toml_raw(xr_toml_get(t, "h")), "0xdead_beef");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "h")), "3735928559");
  CHECK_STR(xr_toml_raw(xr_toml_get(t, "f")), "+1_000.5");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "f")), "+1000.5");
  CHECK(xr_toml_float(xr_toml_get(t, "f")) == 1000.5);
  CHECK_STR(xr_toml_str(xr_toml_get(t, "inf")), "inf");
  CHECK(isinf(xr_toml_float(xr_toml_get(t, "inf"))));
  CHECK_STR(xr_toml_str(xr_toml_get(t, "nan")), "nan");
  CHECK(isnan(xr_toml_float(xr_toml_get(t, "nan"))));
  CHECK(xr_toml_type(xr_toml_get(t, "d")) == XR_TOML_DATETIME);
  CHECK_STR(xr_toml_raw(xr_toml_get(t, "d")), "1979-05-27 07:32:00.5z");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "d")), "1979-05-27T07:32:00.5Z");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "o")),
            "1979-05-27T07:32:00-07:00");
  CHECK(xr_toml_type(xr_toml_get(t, "ld")) == XR_TOML_DATE_LOCAL);
  CHECK(xr_toml_type(xr_toml_get(t, "lt")) == XR_TOML_TIME_LOCAL);
  CHECK_STR(xr_toml_raw(xr_toml_get(t, "s")), "\"a\\tb\"");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "s")), "a\tb");
  CHECK_STR(xr_toml_raw(xr_toml_get(t, "m")), "'''\nx'''");
  CHECK_STR(xr_toml_str(xr_toml_get(t, "m")), "x");
  xr_toml_free(t);
}

TEST(key_paths)
{
  struct xr_err err;
  struct xr_toml *t, *v;

  t = parse("[package]\nname = \"hello\"\n"
            "[target.\"x86_64-unknown-linux-gnu\"]\nlinker = \"cc\"\n"
            "[a.'b.c']\nd = 1\n[[arr]]\nx = 1\n", &err);
  REQUIRE(t);
  CHECK_STR(xr_toml_str(xr_toml_path(t, "package.name", NULL)), "hello");
  CHECK_STR(xr_toml_str(xr_toml_path(
              t, "target.\"x86_64-unknown-linux-gnu\".linker", &err)), "cc");
  CHECK_STR(xr_toml_str(xr_toml_path(
              t, "target.'x86_64-unknown-linux-gnu'.linker", &err)), "cc");
  CHECK(xr_toml_int(xr_toml_path(t, " a . \"b.c\" . d ", &err)) == 1);
  CHECK(xr_toml_path(t, "a.b.c.d", &err) == NULL);
  CHECK(xr_toml_path(t, "package.name.x", &err) == NULL);
  CHECK(xr_toml_path(t, "arr.x", &err) == NULL);
  v = xr_toml_path(t, "package", &err);
  CHECK(xr_toml_type(v) == XR_TOML_TABLE);
  xr_err_clear(&err);
  CHECK(xr_toml_path(t, "a..b", &err) == NULL);
  CHECK(err.code == XR_ETOML);
  CHECK(strstr(err.msg, "invalid key path 'a..b'") != NULL);
  xr_err_clear(&err);
  CHECK(xr_toml_path(t, "", &err) == NULL);
  CHECK(err.code == XR_ETOML);
  xr_err_clear(&err);
  CHECK(xr_toml_path(t, "a b", &err) == NULL);
  CHECK(err.code == XR_ETOML);
  xr_toml_free(t);
}

TEST(lines_and_columns)
{
  struct xr_err err;
  struct xr_toml *t, *a;

  t = parse("# comment\n\n  key = 'v'\n[tbl]\n\"\xc3\xa9\xc3\xa9\" = 1\n"
            "\"\xc3\xa9\" = \"\xc3\xa9\" # x\n"
            "m = \"\"\"\nline\n\"\"\"\nafter = [\n  1,\n    2]\n", &err);
  REQUIRE(t);
  CHECK(xr_toml_line(xr_toml_get(t, "key")) == 3);
  CHECK(xr_toml_column(xr_toml_get(t, "key")) == 9);
  CHECK(xr_toml_line(xr_toml_get(t, "tbl")) == 4);
  CHECK(xr_toml_column(xr_toml_get(t, "tbl")) == 1);
  /* Columns count characters: two 2-byte characters in quotes. */
  CHECK(xr_toml_line(xr_toml_path(t, "tbl.\"\xc3\xa9\xc3\xa9\"", NULL)) ==
        5);
  CHECK(xr_toml_column(xr_toml_path(t, "tbl.'\xc3\xa9\xc3\xa9'", NULL)) ==
        8);
  CHECK(xr_toml_column(xr_toml_path(t, "tbl.\"\xc3\xa9\"", NULL)) == 7);
  CHECK(xr_toml_line(xr_toml_path(t, "tbl.m", NULL)) == 7);
  CHECK(xr_toml_line(xr_toml_path(t, "tbl.after", NULL)) == 10);
  a = xr_toml_path(t, "tbl.after", NULL);
  REQUIRE(xr_toml_len(a) == 2);
  CHECK(xr_toml_line(xr_toml_at(a, 0)) == 11);
  CHECK(xr_toml_column(xr_toml_at(a, 0)) == 3);
  CHECK(xr_toml_line(xr_toml_at(a, 1)) == 12);
  CHECK(xr_toml_column(xr_toml_at(a, 1)) == 5);
  xr_toml_free(t);
}

TEST(error_messages)
{
  CHECK_STR(fails("a = 1\nb c = 2\n"),
            "t.toml:2:3: expected '=' after key, found 'c'");
  CHECK_STR(fails("a = 1\na = 2\n"), "t.toml:2:1: duplicate key 'a'");
  CHECK_STR(fails("s = \"ab\\xc\"\n"), "t.toml:1:8: invalid escape '\\x'");
  CHECK_STR(fails("s = \"\\uD800\"\n"),
            "t.toml:1:6: invalid unicode escape '\\uD800': not a unicode "
            "scalar value");
  CHECK_STR(fails("x = [1, 2\ny = 3\n"),
            "t.toml:2:1: expected ',' or ']' after array element, found "
            "'y'");
  CHECK_STR(fails("x = {a = 1,}\n"),
            "t.toml:1:12: trailing comma not allowed in inline table");
  CHECK_STR(fails("x = {a = 1,\n b = 2}\n"),
            "t.toml:1:12: expected a key, found end of line");
  CHECK_STR(fails("d = 2021-02-29\n"),
            "t.toml:1:5: invalid date: day 29 out of range for 2021-02");
  CHECK_STR(fails("t = 24:00:00\n"),
            "t.toml:1:5: invalid time: hour 24 out of range");
  CHECK_STR(fails("n = 012\n"),
            "t.toml:1:5: leading zeros are not allowed in '012'");
  CHECK_STR(fails("n = 9223372036854775808\n"),
            "t.toml:1:5: integer '9223372036854775808' out of range");
  CHECK_STR(fails("n = 1__0\n"),
            "t.toml:1:5: underscores must sit between digits in '1__0'");
  CHECK_STR(fails("a = 1 b = 2\n"),
            "t.toml:1:7: expected end of line after value, found 'b'");
  CHECK_STR(fails("s = \"open\n"),
            "t.toml:1:10: unterminated string: end of line before closing "
            "quote");
  CHECK_STR(fails("# ok\n# bad \x01\n"),
            "t.toml:2:7: control character U+0001 not allowed in comment");
  CHECK_STR(fails("k = \"\xc3\xa9\xff\"\n"),
            "t.toml:1:7: invalid utf-8 byte 0xFF");
  CHECK_STR(fails("k = \"\xc0\xaf\"\n"),
            "t.toml:1:6: invalid utf-8 byte 0xC0");
  CHECK_STR(fails("k = \"\xed\xa0\x80\"\n"),
            "t.toml:1:6: invalid utf-8 byte 0xED");
  CHECK_STR(fails("a = 1\rb = 2\n"),
            "t.toml:1:6: expected end of line after value, found bare "
            "carriage return");
  CHECK_STR(fails("a = \n"),
            "t.toml:1:5: expected a value, found end of line");
  CHECK_STR(fails("n = 0x\n"),
            "t.toml:1:5: expected digits after '0x' in '0x'");
  CHECK_STR(fails("n = +0x1\n"),
            "t.toml:1:5: a sign is not allowed on hex, octal or binary "
            "integer '+0x1'");
  CHECK_STR(fails("a = tru\n"), "t.toml:1:5: expected a value, found 'tru'");
  CHECK_STR(fails("[a\n"),
            "t.toml:1:3: expected ']' after table name, found end of line");
}

TEST(redefinition_rules)
{
  CHECK_STR(fails("[a]\n[a]\n"),
            "t.toml:2:1: table 'a' is already defined at line 1");
  CHECK_STR(fails("a = {}\n[a.b]\n"),
            "t.toml:2:2: cannot extend inline table 'a'");
  CHECK_STR(fails("a = {b = 1}\na.c = 2\n"),
            "t.toml:2:1: cannot extend inline table 'a'");
  CHECK_STR(fails("a.b = 1\n[a]\n"),
            "t.toml:2:1: table 'a' is already defined by dotted keys");
  CHECK_STR(fails("a = [1]\n[[a]]\n"),
            "t.toml:2:1: cannot append to static array 'a'");
  CHECK_STR(fails("[[a]]\n[a]\n"),
            "t.toml:2:1: table 'a' is already defined as an array of "
            "tables");
  CHECK_STR(fails("[a.b.c]\n[a]\nb.c.d = 1\n"),
            "t.toml:3:3: cannot add to table 'b.c' with dotted keys: it "
            "is defined by a header at line 1");
  CHECK_STR(fails("a = 1\na.b = 2\n"),
            "t.toml:2:1: cannot use 'a' as a table: it is already an "
            "integer");
  CHECK_STR(fails("[a]\nb = 1\n[a.b]\n"),
            "t.toml:3:1: duplicate key 'a.b': it is already an integer");
  CHECK_STR(fails("[[a.b]]\n[a]\nb.y = 2\n"),
            "t.toml:3:1: cannot use 'b' as a table: it is already an "
            "array");
  CHECK_STR(fails("[a.b]\n[[a]]\n"),
            "t.toml:2:1: 'a' is already a table, not an array of tables");
  CHECK_STR(fails("a = []\n[a]\n"),
            "t.toml:2:1: duplicate key 'a': it is already an array");
  CHECK_STR(fails("a = {b = 1, b = 2}\n"),
            "t.toml:1:13: duplicate key 'b'");
  CHECK_STR(fails("[\"a b\".c]\n[\"a b\".c]\n"),
            "t.toml:2:1: table '\"a b\".c' is already defined at line 1");
  /* ...while these are all valid. */
  CHECK_STR(fails("[a.b.c]\n[a]\nd = 1\n"), "(parsed)");
  CHECK_STR(fails("[a]\nb.c = 1\nb.d = 2\n[a.b.e]\n"), "(parsed)");
  CHECK_STR(fails("[[a]]\n[a.b]\n[[a]]\n[a.b]\n"), "(parsed)");
  CHECK_STR(fails("x = {a.b = 1, a.c = 2}\n"), "(parsed)");
  CHECK_STR(fails("[[a.b]]\n[a]\nc = 1\n"), "(parsed)");
}

static char *repeat(const char *head, const char *unit, size_t n,
                    const char *tail)
{
  struct xr_buf b = XR_BUF_INIT;
  size_t i;

  xr_buf_adds(&b, head);
  for (i = 0; i < n; i++)
    xr_buf_adds(&b, unit);
  xr_buf_adds(&b, tail);
  return xr_buf_detach(&b);
}

TEST(deep_nesting)
{
  struct xr_err err;
  struct xr_toml *t;
  char *s;

  s = repeat("a = ", "[", 200000, "");
  CHECK(parse(s, &err) == NULL);
  CHECK(strstr(err.msg, "nesting too deep") != NULL);
  free(s);
  s = repeat("a = ", "{b = ", 200000, "");
  CHECK(parse(s, &err) == NULL);
  CHECK(strstr(err.msg, "nesting too deep") != NULL);
  free(s);
  s = repeat("[a", ".a", 200000, "]\n");
  CHECK(parse(s, &err) == NULL);
  CHECK(strstr(err.msg, "nesting too deep") != NULL);
  free(s);
  s = repeat("a", ".a", 200000, " = 1\n");
  CHECK(parse(s, &err) == NULL);
  CHECK(strstr(err.msg, "nesting too deep") != NULL);
  free(s);
  /* Just under the limit parses, and frees without trouble. */
  s = repeat("a = ", "[", XR_TOML_MAX_DEPTH, "");
  {
    char *t2 = repeat(s, "]", XR_TOML_MAX_DEPTH, "\n");
    t = parse(t2, &err);
    CHECK(t != NULL);
    xr_toml_free(t);
    free(t2);
  }
  free(s);
}

TEST(large_documents)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  struct xr_toml *t, *pkgs;
  char key[32];
  double t0, dt;
  size_t i;

  for (i = 0; i < 100000; i++)
    xr_buf_printf(&b, "key%zu = %zu\n", i, i);
  for (i = 0; i < 20000; i++)
    xr_buf_printf(&b, "[[package]]\nname = \"p%zu\"\nversion = \"1.0\"\n"
                  "dependencies = [\"a\", \"b 1.0\"]\n", i);
  t0 = now();
  t = xr_toml_parse(b.data, b.len, "big", &err);
  dt = now() - t0;
  REQUIRE(t);
  fprintf(stderr, "# %zu bytes parsed in %.1f ms\n", b.len, dt * 1000);
  CHECK(dt < 2.0);
  CHECK(xr_toml_len(t) == 100001);
  for (i = 0; i < 100000; i += 997) {
    snprintf(key, sizeof(key), "key%zu", i);
    CHECK(xr_toml_int(xr_toml_get(t, key)) == (int64_t)i);
  }
  pkgs = xr_toml_get(t, "package");
  CHECK(xr_toml_len(pkgs) == 20000);
  CHECK_STR(xr_toml_str(xr_toml_get(xr_toml_at(pkgs, 19999), "name")),
            "p19999");
  xr_toml_free(t);
  /* A single line with 100k array elements stays linear. */
  xr_buf_reset(&b);
  xr_buf_adds(&b, "a = [");
  for (i = 0; i < 100000; i++)
    xr_buf_adds(&b, "1, ");
  xr_buf_adds(&b, "2]\n");
  t0 = now();
  t = xr_toml_parse(b.data, b.len, "line", &err);
  dt = now() - t0;
  REQUIRE(t);
  CHECK(dt < 2.0);
  CHECK(xr_toml_len(xr_toml_get(t, "a")) == 100001);
  CHECK(xr_toml_column(xr_toml_at(xr_toml_get(t, "a"), 100000)) ==
        6 + 3 * 100000);
  xr_toml_free(t);
  xr_buf_release(&b);
}

TEST(embedded_nul)
{
  struct xr_err err;
  struct xr_toml *t = parse("s = \"a\\u0000b\"\n\"k\\u0000\" = 1\n", &err);
  const struct xr_toml *s;

  REQUIRE(t);
  s = xr_toml_get(t, "s");
  CHECK(xr_toml_str_len(s) == 3);
  CHECK(memcmp(xr_toml_str(s), "a\0b", 4) == 0);
  CHECK(xr_toml_key_len(t, 1) == 2);
  CHECK(memcmp(xr_toml_key(t, 1), "k\0", 3) == 0);
  /* A raw NUL byte is a control character, not the end of input. */
  CHECK(xr_toml_parse("a = 1\0", 6, "nul", &err) == NULL);
  CHECK(err.code == XR_ETOML);
  xr_toml_free(t);
}

TEST(crlf_line_endings)
{
  struct xr_err err;
  struct xr_toml *t = parse("a = 1\r\n# c\r\n[t]\r\nm = \"\"\"\r\nx\r\n"
                            "y \\\r\n  z\"\"\"\r\nb = 2\r\n", &err);

  REQUIRE(t);
  CHECK(xr_toml_line(xr_toml_path(t, "t.b", NULL)) == 8);
  CHECK(xr_toml_column(xr_toml_path(t, "t.b", NULL)) == 5);
  CHECK_STR(xr_toml_str(xr_toml_path(t, "t.m", NULL)), "x\ny z");
  xr_toml_free(t);
  CHECK_STR(fails("m = '''a\rb'''\n"),
            "t.toml:1:9: control character U+000D not allowed in string");
  CHECK_STR(fails("# x\r\n"), "(parsed)");
  CHECK_STR(fails("# x\ry\n"),
            "t.toml:1:4: control character U+000D not allowed in comment");
}

TEST(document_order_and_json)
{
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;
  struct xr_toml *t = parse("z = \"q\\\"\\\\\\u0001\\u007f\xc3\xa9\"\n"
                            "a = [1, 2.5, {x = true}]\n"
                            "[[t]]\n[[t]]\nd = 07:00:00\n", &err);

  REQUIRE(t);
  CHECK_STR(xr_toml_key(t, 0), "z");
  CHECK_STR(xr_toml_key(t, 1), "a");
  CHECK_STR(xr_toml_key(t, 2), "t");
  CHECK(xr_toml_key(t, 3) == NULL);
  REQUIRE(xr_toml_to_json(t, &out) == 0);
  CHECK_STR(out.data,
            "{\"z\":{\"type\":\"string\",\"value\":\"q\\\"\\\\\\u0001"
            "\\u007f\xc3\xa9\"},\"a\":[{\"type\":\"integer\",\"value\":"
            "\"1\"},{\"type\":\"float\",\"value\":\"2.5\"},{\"x\":{\"type\""
            ":\"bool\",\"value\":\"true\"}}],\"t\":[{},{\"d\":{\"type\":"
            "\"time-local\",\"value\":\"07:00:00\"}}]}");
  xr_buf_release(&out);
  xr_toml_free(t);
}

/* toml_write.h: a table written back reads as the same document. */
TEST(writer_round_trip)
{
  struct xr_buf text = XR_BUF_INIT, path = XR_BUF_INIT;
  struct xr_buf j1 = XR_BUF_INIT, j2 = XR_BUF_INIT;
  struct xr_err err;
  struct xr_toml *t = parse("top = \"a\\tb\\u0001\\\"\"\n"
                            "\"odd key\" = [1, {x = 1.5}, []]\n"
                            "[s.sub]\nk = true\n"
                            "[[arr]]\nn = 1\n[[arr]]\nn = 2\n"
                            "[arr.inner]\nd = 1979-05-27\n", &err);
  struct xr_toml *u;

  REQUIRE(t);
  REQUIRE(xr_toml_put_table(&text, &path, t, 0) == 0);
  CHECK_STR(text.data,
            "top = \"a\\tb\\u0001\\\"\"\n"
            "\"odd key\" = [1, { x = 1.5 }, []]\n"
            "\n[s]\n\n[s.sub]\nk = true\n"
            "\n[[arr]]\nn = 1\n\n[[arr]]\nn = 2\n"
            "\n[arr.inner]\nd = 1979-05-27\n");
  CHECK(path.len == 0);
  u = parse(text.data, &err);
  REQUIRE(u);
  REQUIRE(xr_toml_to_json(t, &j1) == 0);
  REQUIRE(xr_toml_to_json(u, &j2) == 0);
  CHECK_STR(j2.data, j1.data);
  CHECK(xr_toml_is_table_array(xr_toml_get(t, "arr")));
  CHECK(!xr_toml_is_table_array(xr_toml_get(t, "odd key")));
  xr_buf_reset(&text);
  CHECK(xr_toml_put_key(&text, "a-b_1", 5) == 0 &&
        xr_toml_put_key(&text, "a.b", 3) == 0 &&
        xr_toml_put_key(&text, "", 0) == 0);
  CHECK_STR(text.data, "a-b_1\"a.b\"\"\"");
  xr_buf_release(&text);
  xr_buf_release(&path);
  xr_buf_release(&j1);
  xr_buf_release(&j2);
  xr_toml_free(t);
  xr_toml_free(u);
}

TEST(dates_and_leap_years)
{
  CHECK_STR(fails("d = 2000-02-29\n"), "(parsed)");
  CHECK_STR(fails("d = 2024-02-29T00:00:60Z\n"), "(parsed)");
  CHECK_STR(fails("d = 1900-02-29\n"),
            "t.toml:1:5: invalid date: day 29 out of range for 1900-02");
  CHECK_STR(fails("d = 2023-04-31\n"),
            "t.toml:1:5: invalid date: day 31 out of range for 2023-04");
  CHECK_STR(fails("d = 2023-13-01\n"),
            "t.toml:1:5: invalid date: month 13 out of range");
  CHECK_STR(fails("d = 2023-01-01T10:60:00\n"),
            "t.toml:1:5: invalid time: minute 60 out of range");
  CHECK_STR(fails("d = 2023-01-01T10:00\n"),
            "t.toml:1:5: invalid time: expected seconds (HH:MM:SS)");
  CHECK_STR(fails("d = 2023-01-01T10:00:00+24:00\n"),
            "t.toml:1:5: invalid date-time: offset +24:00 out of range");
}

TEST(parse_file_and_io_errors)
{
  char path[] = "/tmp/xrust-toml-XXXXXX";
  struct xr_err err;
  struct xr_toml *t;
  FILE *f;
  int fd = mkstemp(path);

  REQUIRE(fd >= 0);
  f = fdopen(fd, "w");
  REQUIRE(f);
  fputs("[x]\ny = 'z'\nbad\n", f);
  fclose(f);
  t = xr_toml_parse_file(path, &err);
  CHECK(t == NULL);
  CHECK(err.code == XR_ETOML);
  CHECK(strncmp(err.msg, path, strlen(path)) == 0);
  CHECK(strstr(err.msg, ":3:4: expected '=' after key") != NULL);
  f = fopen(path, "w");
  REQUIRE(f);
  fputs("[x]\ny = 'z'\n", f);
  fclose(f);
  t = xr_toml_parse_file(path, &err);
  REQUIRE(t);
  CHECK_STR(xr_toml_str(xr_toml_path(t, "x.y", NULL)), "z");
  xr_toml_free(t);
  unlink(path);
  CHECK(xr_toml_parse_file(path, &err) == NULL);
  CHECK(err.code == XR_EIO);
}

/* Make calls setlocale(LC_ALL, ""): a decimal comma must not matter. */
TEST(floats_ignore_locale)
{
  static const char *names[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE",
                                 "C.UTF-8" };
  struct xr_err err;
  struct xr_toml *t;
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (setlocale(LC_NUMERIC, names[i]))
      break;
  t = parse("f = 3.25\ng = 1e2\n", &err);
  REQUIRE(t);
  CHECK(xr_toml_float(xr_toml_get(t, "f")) == 3.25);
  CHECK(xr_toml_float(xr_toml_get(t, "g")) == 100.0);
  xr_toml_free(t);
  setlocale(LC_NUMERIC, "C");
}

TAP_MAIN(TAP_CASE(scalar_accessors), TAP_CASE(raw_and_canonical_text),
         TAP_CASE(key_paths), TAP_CASE(lines_and_columns),
         TAP_CASE(error_messages), TAP_CASE(redefinition_rules),
         TAP_CASE(deep_nesting), TAP_CASE(large_documents),
         TAP_CASE(embedded_nul), TAP_CASE(crlf_line_endings),
         TAP_CASE(document_order_and_json), TAP_CASE(writer_round_trip),
         TAP_CASE(dates_and_leap_years),
         TAP_CASE(parse_file_and_io_errors), TAP_CASE(floats_ignore_locale))
