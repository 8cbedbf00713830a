/*
 * The toolchain a project asks for (toolchain_choice.h): the precedence
 * of an explicit channel, the nearest toolchain file, XRUST_CHANNEL and
 * stable, in one place for the Make plugin and the tool; and the dist
 * server settings of the toolchain configuration, read through the same
 * settings source.
 */
#include "xrust/toolchain_choice.h"

#include <string.h>

#include "xrust/fetch_config.h"

void xr_tc_choice_init(struct xr_tc_choice *c)
{
  struct xr_strv empty = XR_STRV_INIT;

  memset(c, 0, sizeof(*c));
  xr_toolfile_init(&c->file);
  c->targets = empty;
  c->components = empty;
}

void xr_tc_choice_release(struct xr_tc_choice *c)
{
  xr_toolfile_release(&c->file);
  xr_strv_release(&c->targets);
  xr_strv_release(&c->components);
  xr_tc_choice_init(c);
}

/* Appends each of the N strings of V to L unless it is there. */
static int add_unique(struct xr_strv *l, char **v, size_t n,
                      struct xr_err *err)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (xr_strv_push_unique(l, v[i]))
      return xr_nomem(err);
  return 0;
}

int xr_tc_choose(struct xr_tc_choice *c, const struct xr_settings_src *src,
                 const char *channel, struct xr_err *err)
{
  const char *dir;
  int found = 0, rc;

  if (channel && *channel) {
    c->channel = channel;
    return 0;
  }
  dir = xr_setting_string(src, "XRUST_PROJECT_DIR");
  xr_toolfile_release(&c->file);
  rc = xr_toolfile_find(&c->file, dir ? dir : ".", &found, err);
  if (rc)
    return rc;
  c->channel = xr_setting_string(src, "XRUST_CHANNEL");
  if (!found)
    return 0;
  if (c->file.tc_path) {
    c->path = c->file.tc_path;
    return 0;
  }
  if (c->file.channel)
    c->channel = c->file.channel;
  if (!c->profile)
    c->profile = c->file.profile;
  rc = add_unique(&c->targets, c->file.targets, c->file.ntargets, err);
  if (!rc)
    rc = add_unique(&c->components, c->file.components,
                    c->file.ncomponents, err);
  return rc;
}

void xr_tc_choice_request(const struct xr_tc_choice *c, const char *host,
                          struct xr_tc_request *req)
{
  memset(req, 0, sizeof(*req));
  req->channel = c->channel;
  req->host = host;
  req->targets = (const char *const *)c->targets.v;
  req->ntargets = c->targets.n;
  req->components = (const char *const *)c->components.v;
  req->ncomponents = c->components.n;
  req->profile = c->profile;
}

int xr_tc_config_read(struct xr_tc_config *cfg,
                      const struct xr_settings_src *src, struct xr_err *err)
{
  const char *s;
  int rc;

  rc = xr_fetch_config_read(&cfg->fetch, src, err);
  if (rc)
    return rc;
  s = xr_setting_string(src, "XRUST_DIST_SERVER");
  if (s)
    cfg->server = s;
  return xr_format_pref_parse(xr_setting_string(src, "XRUST_DIST_FORMAT"),
                              &cfg->format, err);
}
