/*
 * The target table: short names to Rust triples, the rule that lets full
 * triples through, and detection of the host triple from uname(2).  And
 * the C compiler's table: a `$(CC) -dumpmachine` triple, parsed loosely,
 * to the Rust triple for the same CPU, OS and C library.
 */
#include "xrust/target.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "xrust/buf.h"

struct target_row {
  const char *name;
  const char *triple;
};

static const struct target_row targets[] = {
  { "x86_64-linux", "x86_64-unknown-linux-musl" },
  { "aarch64-linux", "aarch64-unknown-linux-musl" },
  { "x86_64-darwin", "x86_64-apple-darwin" },
  { "aarch64-darwin", "aarch64-apple-darwin" },
  { "x86_64-linux-gnu", "x86_64-unknown-linux-gnu" },
  { "aarch64-linux-gnu", "aarch64-unknown-linux-gnu" },
  { "x86_64-windows", "x86_64-pc-windows-gnu" },
  { "armv7-linux", "armv7-unknown-linux-musleabihf" },
  { "riscv64-linux", "riscv64gc-unknown-linux-musl" },
};

#define TARGET_ROWS (sizeof(targets) / sizeof(targets[0]))

/*
 * A triple has at least three non-empty dash-separated parts made of the
 * characters rustc uses in target names.  Short names have at most two
 * parts, except the "-gnu" rows, which are in the table anyway.
 */
static int looks_like_triple(const char *s)
{
  unsigned parts = 1;
  size_t i, n = strlen(s);

  if (n == 0 || s[0] == '-' || s[n - 1] == '-')
    return 0;
  for (i = 0; i < n; i++) {
    char c = s[i];
    if (c == '-') {
      if (s[i + 1] == '-')
        return 0;
      parts++;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.')) {
      return 0;
    }
  }
  return parts >= 3;
}

const char *xr_target_triple(const char *name, struct xr_err *err)
{
  struct xr_buf known = XR_BUF_INIT;
  size_t i;

  for (i = 0; i < TARGET_ROWS; i++)
    if (!strcmp(name, targets[i].name) || !strcmp(name, targets[i].triple))
      return targets[i].triple;
  if (looks_like_triple(name))
    return name;
  for (i = 0; i < TARGET_ROWS; i++)
    if (xr_buf_printf(&known, "%s%s", i ? " " : "", targets[i].name)) {
      xr_buf_release(&known);
      xr_nomem(err);
      return NULL;
    }
  xr_fail(err, XR_ETARGET,
          "unknown target '%s' (known: %s; or a full triple such as "
          "powerpc64le-unknown-linux-musl)", name, xr_buf_str(&known));
  xr_buf_release(&known);
  return NULL;
}

const char *xr_target_short_name(const char *triple)
{
  size_t i;

  for (i = 0; i < TARGET_ROWS; i++)
    if (!strcmp(triple, targets[i].triple))
      return targets[i].name;
  return NULL;
}

unsigned xr_target_count(void)
{
  return (unsigned)TARGET_ROWS;
}

const char *xr_target_name_at(unsigned i)
{
  return i < TARGET_ROWS ? targets[i].name : NULL;
}

const char *xr_target_triple_at(unsigned i)
{
  return i < TARGET_ROWS ? targets[i].triple : NULL;
}

const char *xr_host_triple(void)
{
  struct utsname u;
  int arm, x86;

  if (uname(&u) != 0)
    return NULL;
  arm = !strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64");
  x86 = !strcmp(u.machine, "x86_64") || !strcmp(u.machine, "amd64");
  if (!strcmp(u.sysname, "Linux")) {
    if (x86)
      return "x86_64-unknown-linux-gnu";
    if (arm)
      return "aarch64-unknown-linux-gnu";
  } else if (!strcmp(u.sysname, "Darwin")) {
    if (x86)
      return "x86_64-apple-darwin";
    if (arm)
      return "aarch64-apple-darwin";
  }
  return NULL;
}

/*
 * The C compiler's table.  CPUS lists the CPU names compilers print for
 * the row ("armv7*" is a prefix); OS and ENV are the canonical forms
 * cc_parse makes; EXAMPLES are real -dumpmachine outputs, each mapping to
 * RUST (the unit test checks it; `xrust target --cc-table` prints them).
 * Debian's armhf (arm-linux-gnueabihf) is ARMv7, hence armv7- for "arm";
 * musl toolchains' "arm" is ARMv6, like Rust's arm-.
 */
struct cc_row {
  const char *cpus;
  const char *os;
  const char *env;
  const char *rust;
  const char *examples;
};

static const struct cc_row cc_rows[] = {
  { "x86_64", "linux", "gnu", "x86_64-unknown-linux-gnu",
    "x86_64-linux-gnu x86_64-pc-linux-gnu x86_64-redhat-linux "
    "x86_64-unknown-linux-gnu" },
  { "x86_64", "linux", "musl", "x86_64-unknown-linux-musl",
    "x86_64-linux-musl x86_64-alpine-linux-musl" },
  { "i386 i486 i686", "linux", "gnu", "i686-unknown-linux-gnu",
    "i686-linux-gnu i386-linux-gnu i686-redhat-linux" },
  { "i586", "linux", "gnu", "i586-unknown-linux-gnu", "i586-linux-gnu" },
  { "i386 i486 i686", "linux", "musl", "i686-unknown-linux-musl",
    "i686-linux-musl" },
  { "i586", "linux", "musl", "i586-unknown-linux-musl",
    "i586-alpine-linux-musl" },
  { "aarch64", "linux", "gnu", "aarch64-unknown-linux-gnu",
    "aarch64-linux-gnu aarch64-redhat-linux aarch64-none-linux-gnu" },
  { "aarch64", "linux", "musl", "aarch64-unknown-linux-musl",
    "aarch64-linux-musl aarch64-alpine-linux-musl" },
  { "arm armv7*", "linux", "gnueabihf", "armv7-unknown-linux-gnueabihf",
    "arm-linux-gnueabihf arm-unknown-linux-gnueabihf "
    "armv7l-linux-gnueabihf" },
  { "arm", "linux", "gnueabi", "arm-unknown-linux-gnueabi",
    "arm-linux-gnueabi" },
  { "arm armv6*", "linux", "musleabihf", "arm-unknown-linux-musleabihf",
    "arm-linux-musleabihf armv6-alpine-linux-musleabihf" },
  { "armv7*", "linux", "musleabihf", "armv7-unknown-linux-musleabihf",
    "armv7l-linux-musleabihf armv7-alpine-linux-musleabihf" },
  { "arm", "linux", "musleabi", "arm-unknown-linux-musleabi",
    "arm-linux-musleabi" },
  { "riscv64 riscv64gc", "linux", "gnu", "riscv64gc-unknown-linux-gnu",
    "riscv64-linux-gnu riscv64-unknown-linux-gnu" },
  { "riscv64 riscv64gc", "linux", "musl", "riscv64gc-unknown-linux-musl",
    "riscv64-linux-musl riscv64-alpine-linux-musl" },
  { "powerpc64le ppc64le", "linux", "gnu", "powerpc64le-unknown-linux-gnu",
    "powerpc64le-linux-gnu ppc64le-redhat-linux" },
  { "powerpc64le ppc64le", "linux", "musl",
    "powerpc64le-unknown-linux-musl", "powerpc64le-alpine-linux-musl" },
  { "powerpc64 ppc64", "linux", "gnu", "powerpc64-unknown-linux-gnu",
    "powerpc64-linux-gnu" },
  { "powerpc", "linux", "gnu", "powerpc-unknown-linux-gnu",
    "powerpc-linux-gnu" },
  { "s390x", "linux", "gnu", "s390x-unknown-linux-gnu",
    "s390x-linux-gnu s390x-redhat-linux" },
  { "loongarch64", "linux", "gnu", "loongarch64-unknown-linux-gnu",
    "loongarch64-linux-gnu" },
  { "loongarch64", "linux", "musl", "loongarch64-unknown-linux-musl",
    "loongarch64-linux-musl" },
  { "mips64el", "linux", "gnuabi64", "mips64el-unknown-linux-gnuabi64",
    "mips64el-linux-gnuabi64" },
  { "x86_64", "windows", "gnu", "x86_64-pc-windows-gnu",
    "x86_64-w64-mingw32 x86_64-w64-windows-gnu" },
  { "i686", "windows", "gnu", "i686-pc-windows-gnu", "i686-w64-mingw32" },
  { "aarch64 arm64", "darwin", "", "aarch64-apple-darwin",
    "arm64-apple-darwin23.1.0 aarch64-apple-darwin arm64-apple-macos14" },
  { "x86_64", "darwin", "", "x86_64-apple-darwin",
    "x86_64-apple-darwin23.1.0 x86_64-apple-macosx10.12.0" },
  { "x86_64", "freebsd", "", "x86_64-unknown-freebsd",
    "x86_64-unknown-freebsd14.0" },
  { "aarch64", "freebsd", "", "aarch64-unknown-freebsd",
    "aarch64-unknown-freebsd14.0" },
};

#define CC_ROWS (sizeof(cc_rows) / sizeof(cc_rows[0]))

/*
 * The OS words of C triples: the canonical OS, the ENV a triple without
 * one means (x86_64-redhat-linux is glibc, mingw32 is windows-gnu), and
 * whether a version may follow the word (darwin23.1.0, freebsd14.0).
 */
struct cc_os_word {
  const char *word;
  const char *os;
  const char *bare_env;
  int versioned;
};

static const struct cc_os_word cc_os_words[] = {
  { "linux", "linux", "gnu", 0 },
  { "mingw32", "windows", "gnu", 0 },
  { "windows", "windows", "", 0 },
  { "darwin", "darwin", "", 1 },
  { "macos", "darwin", "", 1 },
  { "macosx", "darwin", "", 1 },
  { "freebsd", "freebsd", "", 1 },
};

#define CC_OS_WORDS (sizeof(cc_os_words) / sizeof(cc_os_words[0]))

/* At most CPU-VENDOR-OS-ENV-MORE; anything longer matches no row. */
#define CC_WORDS 6
#define CC_ENV_MAX 32

struct cc_parts {
  const char *cpu;
  size_t cpu_len;
  const char *os;
  char env[CC_ENV_MAX];
};

/* The OS word W (N bytes long), or NULL when W names no OS we know. */
static const struct cc_os_word *cc_os(const char *w, size_t n)
{
  size_t i, j, k;

  for (i = 0; i < CC_OS_WORDS; i++) {
    k = strlen(cc_os_words[i].word);
    if (n < k || memcmp(w, cc_os_words[i].word, k))
      continue;
    if (n > k && !cc_os_words[i].versioned)
      continue;
    for (j = k; j < n; j++)
      if (!((w[j] >= '0' && w[j] <= '9') || w[j] == '.'))
        break;
    if (j == n)
      return &cc_os_words[i];
  }
  return NULL;
}

/*
 * Splits T into CPU, OS and ENV.  The OS is the second or third word (a
 * vendor, whatever it is, may stand between); ENV is the rest.  -1 when T
 * has empty words, characters no triple has, or no OS word there.
 */
static int cc_parse(const char *t, struct cc_parts *p)
{
  const char *word[CC_WORDS];
  size_t len[CC_WORDS];
  const struct cc_os_word *os = NULL;
  size_t i, n = strlen(t), start = 0, env_len;
  unsigned nw = 0, k;
  const char *env;

  for (i = 0; i <= n; i++) {
    char c = i < n ? t[i] : '-';
    if (c != '-') {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
            c == '.'))
        return -1;
      continue;
    }
    if (i == start || nw == CC_WORDS)
      return -1;
    word[nw] = t + start;
    len[nw++] = i - start;
    start = i + 1;
  }
  for (k = 1; k <= 2 && k < nw && !os; k++)
    os = cc_os(word[k], len[k]);
  if (!os)
    return -1;
  /* The loop left k one past the OS word. */
  env = k < nw ? word[k] : os->bare_env;
  env_len = k < nw ? n - (size_t)(word[k] - t) : strlen(env);
  if (env_len >= sizeof(p->env))
    return -1;
  memcpy(p->env, env, env_len);
  p->env[env_len] = '\0';
  p->cpu = word[0];
  p->cpu_len = len[0];
  p->os = os->os;
  return 0;
}

/* Whether CPU (N bytes long) is one of the space-separated CPUS. */
static int cc_cpu_match(const char *cpus, const char *cpu, size_t n)
{
  const char *s = cpus;
  size_t k;

  while (*s) {
    k = strcspn(s, " ");
    if (k > 0 && s[k - 1] == '*') {
      if (n >= k - 1 && !memcmp(cpu, s, k - 1))
        return 1;
    } else if (k == n && !memcmp(cpu, s, n)) {
      return 1;
    }
    s += k;
    while (*s == ' ')
      s++;
  }
  return 0;
}

/* The row P falls in, or NULL. */
static const struct cc_row *cc_row_of(const struct cc_parts *p)
{
  size_t i;

  for (i = 0; i < CC_ROWS; i++)
    if (!strcmp(p->os, cc_rows[i].os) && !strcmp(p->env, cc_rows[i].env) &&
        cc_cpu_match(cc_rows[i].cpus, p->cpu, p->cpu_len))
      return &cc_rows[i];
  return NULL;
}

/*
 * Replaces the C library of a linux ENV with LIBC: gnu... and musl...
 * swap their first word (gnueabihf, musleabihf).  -1 when ENV has no C
 * library to replace or the result does not fit.
 */
static int cc_set_libc(struct cc_parts *p, const char *libc)
{
  char env[CC_ENV_MAX];
  const char *rest;
  int n;

  if (strcmp(p->os, "linux"))
    return -1;
  if (!strncmp(p->env, "gnu", 3))
    rest = p->env + 3;
  else if (!strncmp(p->env, "musl", 4))
    rest = p->env + 4;
  else
    return -1;
  n = snprintf(env, sizeof(env), "%s%s", libc, rest);
  if (n < 0 || (size_t)n >= sizeof(env))
    return -1;
  memcpy(p->env, env, (size_t)n + 1);
  return 0;
}

const char *xr_target_from_cc_libc(const char *cc_triple, const char *libc,
                                   struct xr_err *err)
{
  static const char hint[] = "($(CC) -dumpmachine); set XRUST_TARGET to "
                             "the Rust triple";
  const struct cc_row *row;
  struct cc_parts p;
  int ok;

  if (libc && *libc && strcmp(libc, "gnu") && strcmp(libc, "musl")) {
    xr_fail(err, XR_EUSAGE, "unknown C library '%s' (expected gnu or musl)",
            libc);
    return NULL;
  }
  if (!*cc_triple) {
    xr_fail(err, XR_ETARGET, "empty C compiler target (expected what "
            "$(CC) -dumpmachine prints, e.g. x86_64-linux-gnu); set "
            "XRUST_TARGET to the Rust triple");
    return NULL;
  }
  ok = !cc_parse(cc_triple, &p);
  if (ok && libc && *libc) {
    /* The CPU as the compiler's own row reads it is kept: Debian's
     * arm-linux-gnueabihf is ARMv7, and so is its musl-gcc. */
    row = cc_row_of(&p);
    if (row) {
      p.cpu = row->rust;
      p.cpu_len = strcspn(row->rust, "-");
    }
    ok = !cc_set_libc(&p, libc);
  }
  row = ok ? cc_row_of(&p) : NULL;
  if (row)
    return row->rust;
  if (libc && *libc)
    xr_fail(err, XR_ETARGET, "no Rust target for the C compiler's target "
            "'%s' with the %s C library %s", cc_triple, libc, hint);
  else
    xr_fail(err, XR_ETARGET, "no Rust target for the C compiler's target "
            "'%s' %s", cc_triple, hint);
  return NULL;
}

const char *xr_target_from_cc(const char *cc_triple, struct xr_err *err)
{
  return xr_target_from_cc_libc(cc_triple, NULL, err);
}

unsigned xr_target_cc_count(void)
{
  return (unsigned)CC_ROWS;
}

const char *xr_target_cc_examples_at(unsigned i)
{
  return i < CC_ROWS ? cc_rows[i].examples : NULL;
}

const char *xr_target_cc_rust_at(unsigned i)
{
  return i < CC_ROWS ? cc_rows[i].rust : NULL;
}
