/*
 * The target table: short names to Rust triples, the rule that lets full
 * triples through, and detection of the host triple from uname(2).
 */
#include "xrust/target.h"

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
          "riscv64gc-unknown-linux-musl)", name, xr_buf_str(&known));
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
