/*
 * The part of $(rust-toolchain) that needs no network and no archive
 * library: the toolchain configuration, and what the lock alone says about
 * a request (is it covered, where would it live, is it installed).  The
 * module Make loads answers a covered, installed request from here with a
 * stat; only otherwise does it load the engine (toolchain.c and the fetch
 * engine behind it).
 */
#include "xrust/toolchain_lookup.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/fetch_config.h"
#include "xrust/manifest.h"
#include "xrust/sha256.h"
#include "xrust/store.h"
#include "xrust/tclock.h"
#include "xrust/toolchain_choice.h"

void xr_tc_config_init(struct xr_tc_config *c)
{
  memset(c, 0, sizeof(*c));
  xr_fetch_config_init(&c->fetch);
  c->format = XR_FMT_PREF_AUTO;
}

int xr_tc_config_env(struct xr_tc_config *c, struct xr_err *err)
{
  return xr_tc_config_read(c, xr_settings_env(), err);
}

int xr_tc_toolchain_dir(const char *root, const struct xr_plan *plan,
                        char **dir, struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  char id[XR_SHA256_HEX];
  int rc;

  *dir = NULL;
  rc = xr_plan_id(plan, id, err);
  if (rc)
    return rc;
  if (xr_buf_printf(&b, "%s/" XR_STORE_LAYOUT "/toolchains/%s", root, id))
    return xr_nomem(err);
  *dir = xr_buf_detach(&b);
  return *dir ? 0 : xr_nomem(err);
}

void xr_tc_lookup_release(struct xr_tc_lookup *lk)
{
  xr_tclock_release(&lk->lock);
  free(lk->channel);
  free(lk->root);
  free(lk->dir);
  memset(lk, 0, sizeof(*lk));
}

int xr_toolchain_lookup(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req,
                        struct xr_tc_lookup *lk, struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  struct stat st;
  int rc;

  memset(lk, 0, sizeof(*lk));
  xr_tclock_init(&lk->lock);
  if (!req->host || !*req->host)
    return xr_fail(err, XR_EUSAGE, "no host triple given");
  rc = xr_channel_parse(req->channel && *req->channel ? req->channel
                        : "stable", &lk->ch, err);
  if (rc)
    return rc;
  if (lk->ch.host[0] && strcmp(lk->ch.host, req->host))
    return xr_fail(err, XR_EUSAGE, "channel '%s' names host '%s', but the "
                   "host is '%s'", req->channel, lk->ch.host, req->host);
  lk->ch.host[0] = '\0';
  if (xr_channel_format(&lk->ch, &b))
    return xr_nomem(err);
  lk->channel = xr_buf_detach(&b);
  if (!lk->channel)
    return xr_nomem(err);
  if (cfg->fetch.store_root && *cfg->fetch.store_root) {
    if (xr_buf_adds(&b, cfg->fetch.store_root)) {
      xr_buf_release(&b);
      return xr_nomem(err);
    }
  } else {
    rc = xr_store_default_root(&b, err);
    if (rc) {
      xr_buf_release(&b);
      return rc;
    }
  }
  lk->root = xr_buf_detach(&b);
  if (!lk->root)
    return xr_nomem(err);
  if (cfg->lock_path) {
    rc = xr_tclock_read(&lk->lock, cfg->lock_path, &lk->found, err);
    if (rc)
      return rc;
  }
  lk->covered = lk->found && !cfg->update &&
                xr_tclock_covers(&lk->lock, lk->channel, req->host,
                                 req->profile, req->targets, req->ntargets,
                                 req->components, req->ncomponents);
  if (!lk->covered)
    return 0;
  rc = xr_tc_toolchain_dir(lk->root, &lk->lock.plan, &lk->dir, err);
  if (rc)
    return rc;
  lk->installed = stat(lk->dir, &st) == 0 && S_ISDIR(st.st_mode);
  return 0;
}
