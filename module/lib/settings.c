/*
 * The knobs of xrust (settings.h): their table and the one reader of each
 * kind.  The table follows README.md's table of variables; its defaults
 * are the ones the configuration structures start from
 * (xr_fetch_config_init), so a default is written once.  Values come
 * through the caller's getter, so the tool (environment) and the plugin
 * (Make variable, then environment) share every rule.
 */
#include "xrust/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUM(name, min, max, def, doc) \
  { name, XR_SETTING_NUMBER, min, max, def, NULL, doc }
#define FLAG(name, doc) { name, XR_SETTING_FLAG, 0, 1, 0, NULL, doc }
#define STR(name, fallback, doc) \
  { name, XR_SETTING_STRING, 0, 0, 0, fallback, doc }

static const struct xr_setting table[] = {
  STR("XRUST_CHANNEL", NULL, "the channel when no rust-toolchain.toml "
      "(or rust-toolchain) is found; else stable"),
  STR("XRUST_PROJECT_DIR", NULL, "where the search for rust-toolchain.toml "
      "starts (the Makefile's directory; the tool: the current one)"),
  STR("XRUST_LOCK", NULL, "the toolchain lock (xrust.lock)"),
  STR("XRUST_HOME", NULL, "the store; $XDG_CACHE_HOME/xrust, else "
      "~/.cache/xrust"),
  STR("XRUST_DIST_SERVER", "RUSTUP_DIST_SERVER", "the Rust dist server; "
      "https://static.rust-lang.org"),
  STR("XRUST_DIST_FORMAT", NULL, "auto, zst, gz or xz"),
  STR("XRUST_CRATES_DL", NULL, "the crate download URL template"),
  FLAG("XRUST_OFFLINE", "never touch the network"),
  FLAG("XRUST_UPDATE", "re-resolve the toolchain even if the lock "
       "covers it"),
  NUM("XRUST_JOBS", 1, 256, 8, "parallel downloads"),
  NUM("XRUST_UNPACK_JOBS", 0, 256, 0, "archives decoded at once (0: the "
      "CPUs online)"),
  STR("XRUST_ALLOW_HTTP", NULL, "origins allowed over plain http:// "
      "besides loopback"),
  NUM("XRUST_FETCH_RETRIES", 0, 100, 5, "transient failures retried"),
  NUM("XRUST_FETCH_BACKOFF_MS", 0, 600000, 500, "first retry delay, "
      "doubled each time"),
  NUM("XRUST_FETCH_STALL_SECONDS", 1, 3600, 30, "seconds below 1 kB/s "
      "before a transfer counts as stalled"),
  NUM("V", 0, 2, 0, "0 short lines, 1 full commands and URLs, 2 also why "
      "a layer rebuilt"),
  STR("MAKEFLAGS", NULL, "make -s prints nothing but errors"),
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

static const char *env_get(void *ctx, const char *name)
{
  (void)ctx;
  return getenv(name);
}

static const struct xr_settings_src env_src = { env_get, NULL };

const struct xr_settings_src *xr_settings_env(void)
{
  return &env_src;
}

const struct xr_setting *xr_settings_table(size_t *n)
{
  *n = TABLE_LEN;
  return table;
}

const struct xr_setting *xr_setting_find(const char *name)
{
  size_t i;

  for (i = 0; i < TABLE_LEN; i++)
    if (!strcmp(table[i].name, name))
      return &table[i];
  return NULL;
}

/* The knob NAME of KIND, or an internal error. */
static const struct xr_setting *knob(const char *name,
                                     enum xr_setting_kind kind,
                                     struct xr_err *err)
{
  const struct xr_setting *s = xr_setting_find(name);

  if (!s || s->kind != kind)
    xr_fail(err, XR_EINTERNAL, "'%s' is not a setting of this kind", name);
  return s && s->kind == kind ? s : NULL;
}

/* The value of NAME, NULL when unset or empty. */
static const char *raw(const struct xr_settings_src *src, const char *name)
{
  const char *v = src->get(src->ctx, name);

  return v && *v ? v : NULL;
}

int xr_setting_flag(const struct xr_settings_src *src, const char *name,
                    int *on, struct xr_err *err)
{
  static const char *const yes[] = { "1", "yes", "true" };
  static const char *const no[] = { "0", "no", "false" };
  const struct xr_setting *s = knob(name, XR_SETTING_FLAG, err);
  const char *v;
  size_t i;

  if (!s)
    return XR_EINTERNAL;
  v = raw(src, name);
  if (!v) {
    *on = s->def != 0;
    return 0;
  }
  for (i = 0; i < 3; i++) {
    if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
      *on = !strcasecmp(v, yes[i]);
      return 0;
    }
  }
  return xr_fail(err, XR_EUSAGE, "invalid '%s': '%s' (expected 1, yes or "
                 "true, or 0, no or false)", name, v);
}

int xr_setting_number(const struct xr_settings_src *src, const char *name,
                      unsigned long *out, struct xr_err *err)
{
  const struct xr_setting *s = knob(name, XR_SETTING_NUMBER, err);
  const char *v;
  char *end;
  unsigned long x;

  if (!s)
    return XR_EINTERNAL;
  v = raw(src, name);
  if (!v)
    return 0;
  errno = 0;
  x = strtoul(v, &end, 10);
  if (*v < '0' || *v > '9' || errno || *end || x < s->min || x > s->max)
    return xr_fail(err, XR_EUSAGE, "invalid '%s': '%s' (expected a number "
                   "from %lu to %lu)", name, v, s->min, s->max);
  *out = x;
  return 0;
}

const char *xr_setting_string(const struct xr_settings_src *src,
                              const char *name)
{
  const struct xr_setting *s = knob(name, XR_SETTING_STRING, NULL);
  const char *v;

  if (!s)
    return NULL;
  v = raw(src, name);
  if (!v && s->fallback)
    v = raw(src, s->fallback);
  return v;
}

int xr_makeflags_silent(const char *makeflags)
{
  const char *v = makeflags;

  if (!v || !*v || *v == '-' || *v == ' ')
    return 0;
  return memchr(v, 's', strcspn(v, " ")) != NULL;
}

int xr_settings_silent(const struct xr_settings_src *src)
{
  return xr_makeflags_silent(xr_setting_string(src, "MAKEFLAGS"));
}
