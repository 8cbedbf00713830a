/*
 * xr_toolchain_ensure: from a request (channel, host, targets, components,
 * profile) to an installed toolchain directory in the store.  This file
 * owns the decision between the lock and the manifest, fetching and
 * verifying the channel manifest, writing the lock, installing each
 * component into its own store entry (rust-installer tarballs extracted
 * while they download, installer metadata kept aside in .xrust-meta and
 * checked against the extracted tree), and assembling toolchains from
 * component entries by hard links.  See the top of toolchain.h for the
 * store layout.
 */
#include "xrust/toolchain.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/manifest.h"
#include "xrust/sha256.h"
#include "xrust/store.h"
#include "xrust/strv.h"
#include "xrust/tclock.h"

#define META ".xrust-meta"
#define SHA_MAX 4096
#define MANIFEST_MAX (64u * 1024 * 1024)

/* The built-in small download: the fetch engine's text download. */
static int get_builtin(void *ctx, const char *url, size_t max,
                       struct xr_buf *out, struct xr_err *err)
{
  const struct xr_fetch_config *fc = ctx;

  return xr_fetch_text(fc, url, max, out, err);
}

/* ---- resolving ---------------------------------------------------------- */

struct resolved {
  struct xr_manifest m;
  char sha[XR_SHA256_HEX];
};

/* Fetches and verifies the manifest of CH from the configured server. */
static int fetch_manifest(const struct xr_tc_config *cfg,
                          const struct xr_channel *ch, struct resolved *r,
                          struct xr_err *err)
{
  struct xr_buf url = XR_BUF_INIT, shaurl = XR_BUF_INIT;
  struct xr_buf sha = XR_BUF_INIT, text = XR_BUF_INIT;
  xr_tc_get_fn get = cfg->get ? cfg->get : get_builtin;
  void *get_ctx = cfg->get ? cfg->get_ctx : (void *)&cfg->fetch;
  int rc;

  if (xr_channel_manifest_url(cfg->server, ch, &url) ||
      xr_buf_printf(&shaurl, "%s.sha256", url.data)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = get(get_ctx, shaurl.data, SHA_MAX, &sha, err);
  if (rc)
    goto out;
  /* "<hex>  <file name>"; rustup reads the first 64 characters. */
  if (sha.len >= 64 && strchr(" \t\r\n", sha.data[64]))
    sha.data[64] = '\0';
  if (strlen(xr_buf_str(&sha)) != 64 || !xr_sha256_valid(sha.data)) {
    rc = xr_fail(err, XR_EMANIFEST, "'%s' does not hold a sha256 digest",
                 shaurl.data);
    goto out;
  }
  rc = get(get_ctx, url.data, MANIFEST_MAX, &text, err);
  if (rc)
    goto out;
  rc = xr_sha256_mem(text.data ? text.data : "", text.len, r->sha, err);
  if (rc)
    goto out;
  if (strcasecmp(r->sha, sha.data) != 0) {
    rc = xr_fail(err, XR_ECHECKSUM, "cannot verify '%s': sha256 mismatch "
                 "(expected %s, got %s)", url.data, sha.data, r->sha);
    goto out;
  }
  rc = xr_manifest_parse(&r->m, xr_buf_str(&text), text.len, url.data,
                         err);
out:
  xr_buf_release(&url);
  xr_buf_release(&shaurl);
  xr_buf_release(&sha);
  xr_buf_release(&text);
  return rc;
}

static const char *profile_of(const char *p)
{
  return p && *p ? p : "minimal";
}

/*
 * Resolves REQ into a new lock NL.  OLD is the existing lock when it was
 * made for the same channel, host and profile: it is then extended from
 * the manifest of its own date, whose sha256 must not have changed, and
 * its artifacts are kept as they are.
 */
static int resolve(const struct xr_tc_config *cfg,
                   const struct xr_tc_request *req, const struct
                   xr_channel *ch, const char *chan,
                   const struct xr_tclock *old, struct xr_tclock *nl,
                   struct xr_err *err)
{
  struct resolved r;
  struct xr_plan_request pr;
  struct xr_plan plan;
  struct xr_channel mch = *ch;
  struct xr_buf url = XR_BUF_INIT;
  size_t i;
  int rc;

  xr_manifest_init(&r.m);
  xr_plan_init(&plan);
  if (cfg->fetch.offline) {
    rc = xr_fail(err, XR_EOFFLINE, "cannot resolve channel %s offline "
                 "(XRUST_OFFLINE=1): %s", chan, cfg->lock_path
                 ? "the toolchain lock does not cover this request"
                 : "no toolchain lock");
    goto out;
  }
  if (old) {
    if (strlen(old->date) != 10) {
      rc = xr_fail(err, XR_EMANIFEST, "invalid date '%s' in the toolchain "
                   "lock", old->date);
      goto out;
    }
    memcpy(mch.date, old->date, 11);
  }
  rc = fetch_manifest(cfg, &mch, &r, err);
  if (rc)
    goto out;
  if (old && strcasecmp(r.sha, old->manifest_sha256) != 0) {
    rc = xr_fail(err, XR_ECHECKSUM, "the manifest of channel %s (%s) no "
                 "longer matches the toolchain lock (sha256 %s, locked %s); "
                 "re-resolve with 'make xrust-update'", chan, old->date,
                 r.sha, old->manifest_sha256);
    goto out;
  }
  if (xr_tclock_set(&nl->channel, chan, err) ||
      xr_tclock_set(&nl->date, r.m.date, err) ||
      xr_tclock_set(&nl->manifest_sha256, r.sha, err) ||
      xr_tclock_set(&nl->server, cfg->server && *cfg->server ? cfg->server
                    : XR_DIST_DEFAULT_SERVER, err) ||
      xr_tclock_set(&nl->host, req->host, err) ||
      xr_tclock_set(&nl->profile, profile_of(req->profile), err)) {
    rc = err ? (int)err->code : XR_ENOMEM;
    goto out;
  }
  for (i = 0; old && i < old->ntargets; i++)
    if (xr_tclock_list_add(&nl->targets, &nl->ntargets, old->targets[i],
                           err))
      goto fail;
  for (i = 0; i < req->ntargets; i++)
    if (strcmp(req->targets[i], req->host) &&
        xr_tclock_list_add(&nl->targets, &nl->ntargets, req->targets[i],
                           err))
      goto fail;
  for (i = 0; old && i < old->ncomponents; i++)
    if (xr_tclock_list_add(&nl->components, &nl->ncomponents,
                           old->components[i], err))
      goto fail;
  for (i = 0; i < req->ncomponents; i++)
    if (xr_tclock_list_add(&nl->components, &nl->ncomponents,
                           req->components[i], err))
      goto fail;
  memset(&pr, 0, sizeof(pr));
  pr.channel = chan;
  pr.host = req->host;
  pr.targets = (const char *const *)nl->targets;
  pr.ntargets = nl->ntargets;
  pr.components = (const char *const *)nl->components;
  pr.ncomponents = nl->ncomponents;
  pr.profile = nl->profile;
  pr.server = cfg->server;
  pr.format = cfg->format;
  rc = xr_manifest_plan(&r.m, &pr, &plan, err);
  if (rc)
    goto out;
  /* Locked artifacts first: an extension never changes them. */
  for (i = 0; old && i < old->plan.n; i++) {
    const struct xr_artifact *a = &old->plan.items[i];

    rc = xr_plan_add(&nl->plan, a->pkg, a->target, a->url, a->sha256,
                     a->format, err);
    if (rc)
      goto out;
  }
  for (i = 0; i < plan.n; i++) {
    const struct xr_artifact *a = &plan.items[i];

    xr_buf_reset(&url);
    if (xr_dist_canonical_url(a->url, cfg->server, &url)) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = xr_plan_add(&nl->plan, a->pkg, a->target, url.data, a->sha256,
                     a->format, err);
    if (rc)
      goto out;
  }
  xr_plan_sort(&nl->plan);
  goto out;
fail:
  rc = err ? (int)err->code : XR_ENOMEM;
out:
  xr_buf_release(&url);
  xr_plan_release(&plan);
  xr_manifest_release(&r.m);
  return rc;
}

/* ---- extraction --------------------------------------------------------- */

/* Per tarball: the component directories seen while extracting. */
struct rewrite {
  struct xr_strv seen;
};

static int safe_name(const char *s, size_t n)
{
  if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && !memcmp(s, "..", 2)))
    return 0;
  return !(n >= sizeof(META) - 1 && !memcmp(s, META, sizeof(META) - 1));
}

/*
 * Maps "<component>/<path>" to "<path>", keeps the installer's
 * `components` and each `<component>/manifest.in` under .xrust-meta for
 * the check after extraction, and drops the other top-level files
 * (install.sh, rust-installer-version, version, licences).
 */
static int rewrite_cb(void *ctx, const char *path, struct xr_buf *out,
                      struct xr_err *err)
{
  struct rewrite *rw = ctx;
  const char *slash = strchr(path, '/');
  size_t n, i;

  if (!slash) {
    if (strcmp(path, "components"))
      return 0;
    return xr_buf_adds(out, META "/components") ? xr_nomem(err) : 1;
  }
  n = (size_t)(slash - path);
  if (!safe_name(path, n) || !safe_name(slash + 1, strcspn(slash + 1, "/")))
    return xr_fail(err, XR_EUNSAFE, "unexpected path '%s' in an installer "
                   "tarball", path);
  for (i = 0; i < rw->seen.n; i++)
    if (strlen(rw->seen.v[i]) == n && !memcmp(rw->seen.v[i], path, n))
      break;
  if (i == rw->seen.n && xr_strv_pushn(&rw->seen, path, n))
    return xr_nomem(err);
  if (!strcmp(slash + 1, "manifest.in"))
    return xr_buf_printf(out, META "/%.*s/manifest.in", (int)n, path)
           ? xr_nomem(err) : 1;
  return xr_buf_adds(out, slash + 1) ? xr_nomem(err) : 1;
}

/* Checks one manifest.in against the tree extracted in STAGE. */
static int check_manifest_in(const char *stage, const char *name,
                             const char *comp, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT, text = XR_BUF_INIT;
  char *line, *next;
  struct stat st;
  int rc;

  if (xr_buf_printf(&p, "%s/" META "/%s/manifest.in", stage, comp)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_fs_read(p.data, MANIFEST_MAX, &text, err);
  if (rc) {
    rc = xr_fail(err, XR_EARCHIVE, "'%s': component '%s' has no "
                 "manifest.in", name, comp);
    goto out;
  }
  for (line = text.data; line && *line; line = next) {
    int dir;
    const char *rel;

    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    if (!*line)
      continue;
    dir = !strncmp(line, "dir:", 4);
    if (!dir && strncmp(line, "file:", 5)) {
      rc = xr_fail(err, XR_EARCHIVE, "'%s': bad line '%s' in %s/manifest.in",
                   name, line, comp);
      goto out;
    }
    rel = line + (dir ? 4 : 5);
    xr_buf_reset(&p);
    if (xr_buf_printf(&p, "%s/%s", stage, rel)) {
      rc = xr_nomem(err);
      goto out;
    }
    if (lstat(p.data, &st) || (dir ? !S_ISDIR(st.st_mode)
                                   : S_ISDIR(st.st_mode))) {
      rc = xr_fail(err, XR_EARCHIVE, "'%s': '%s' is listed in "
                   "%s/manifest.in but missing", name, rel, comp);
      goto out;
    }
  }
out:
  xr_buf_release(&p);
  xr_buf_release(&text);
  return rc;
}

/*
 * After extraction: `components` names every component directory that
 * had files, and every entry of each manifest.in is there.
 */
static int check_tarball(const char *stage, const char *name,
                         const struct rewrite *rw, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT, text = XR_BUF_INIT;
  char *line, *next;
  size_t i;
  int rc;

  if (xr_buf_printf(&p, "%s/" META "/components", stage)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_fs_read(p.data, SHA_MAX * 16, &text, err);
  if (rc) {
    rc = xr_fail(err, XR_EARCHIVE, "'%s' is not a rust-installer tarball "
                 "(no 'components')", name);
    goto out;
  }
  for (i = 0; i < rw->seen.n; i++) {
    const char *s = text.data;
    size_t n = strlen(rw->seen.v[i]);
    int listed = 0;

    while (s && *s && !listed) {
      size_t len = strcspn(s, "\n");

      while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
      listed = len == n && !memcmp(s, rw->seen.v[i], n);
      s = strchr(s, '\n');
      if (s)
        s++;
    }
    if (!listed) {
      rc = xr_fail(err, XR_EARCHIVE, "'%s': directory '%s' is not a listed "
                   "component", name, rw->seen.v[i]);
      goto out;
    }
  }
  for (line = text.data; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    line[strcspn(line, "\r ")] = '\0';
    if (!*line)
      continue;
    if (!safe_name(line, strlen(line)) || strchr(line, '/')) {
      rc = xr_fail(err, XR_EUNSAFE, "'%s': bad component name '%s'", name,
                   line);
      goto out;
    }
    rc = check_manifest_in(stage, name, line, err);
    if (rc)
      goto out;
  }
out:
  xr_buf_release(&p);
  xr_buf_release(&text);
  return rc;
}

/* ---- assembling --------------------------------------------------------- */

/* The installer metadata of a component entry stays out of toolchains. */
static int skip_meta(void *ctx, const char *rel, const char *src,
                     const struct stat *st, int depth)
{
  (void)ctx;
  (void)src;
  (void)st;
  return depth == 0 && !strcmp(rel, META);
}

/*
 * Mirrors the component entry SRC into the toolchain DST by hard links.
 * A path that already exists is kept: components are assembled in a
 * fixed order, so the first one wins deterministically.
 */
static int link_component(const char *src, const char *dst,
                          struct xr_err *err)
{
  return xr_fs_link_tree(src, dst, XR_FS_KEEP, skip_meta, NULL, err);
}

/*
 * lib/rustlib/components, as rustup writes it: one name per line.  The
 * file in STAGE is a hard link into a component entry, so it is replaced,
 * never written through.
 */
static int write_components(const char *stage, const struct xr_plan *plan,
                            struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT, text = XR_BUF_INIT;
  size_t i;
  int rc = 0;

  for (i = 0; i < plan->n; i++) {
    const struct xr_artifact *a = &plan->items[i];

    if (strcmp(a->target, "*") ? xr_buf_printf(&text, "%s-%s\n", a->pkg,
                                               a->target)
                               : xr_buf_printf(&text, "%s\n", a->pkg)) {
      rc = xr_nomem(err);
      goto out;
    }
  }
  if (xr_buf_printf(&p, "%s/lib/rustlib", stage)) {
    rc = xr_nomem(err);
    goto out;
  }
  if (!xr_fs_is_dir(p.data))
    goto out;
  if (xr_buf_adds(&p, "/components"))
    rc = xr_nomem(err);
  else
    rc = xr_fs_write(p.data, xr_buf_str(&text), text.len, 0, err);
out:
  xr_buf_release(&p);
  xr_buf_release(&text);
  return rc;
}

struct job {
  struct xr_buf url, stage, entry;
  struct rewrite rw;
  size_t item;   /* index in the batch, or (size_t)-1 when installed */
};

static const char *base_name(const char *url)
{
  const char *s = strrchr(url, '/');

  return s ? s + 1 : url;
}

/*
 * A gc root "toolchain-<id>" keeping the toolchain, its component entries
 * and their tarballs (for offline reinstalls); `xrust gc` drops none of
 * them until the root file is removed.
 */
static int write_root(struct xr_store *st, const struct xr_plan *plan,
                      const char *tcdir, struct xr_err *err)
{
  struct xr_buf name = XR_BUF_INIT, text = XR_BUF_INIT;
  const char *id = base_name(tcdir);
  size_t i;
  int rc = 0;

  if (xr_buf_printf(&name, "toolchain-%s", id) ||
      xr_buf_printf(&text, "# xrust toolchain\nentry toolchains/%s\n", id))
    rc = xr_nomem(err);
  for (i = 0; !rc && i < plan->n; i++)
    if (xr_buf_printf(&text, "entry components/%s\nblob %s\n",
                      plan->items[i].sha256, plan->items[i].sha256))
      rc = xr_nomem(err);
  if (!rc)
    rc = xr_store_root_write(st, name.data, text.data, err);
  xr_buf_release(&name);
  xr_buf_release(&text);
  return rc;
}

/* Installs the components of PLAN missing from the store, then TCDIR. */
static int install(const struct xr_tc_config *cfg, const struct xr_plan *plan,
                   const char *root, const char *tcdir, struct xr_err *err)
{
  struct xr_store *st = NULL;
  struct xr_fetch_config fc = cfg->fetch;
  struct xr_fetch_item *items = NULL;
  struct job *jobs = NULL;
  struct xr_buf stage = XR_BUF_INIT;
  size_t i, n = 0;
  int rc;

  rc = xr_store_open(&st, root, err);
  if (rc)
    goto out;
  jobs = calloc(plan->n ? plan->n : 1, sizeof(*jobs));
  items = calloc(plan->n ? plan->n : 1, sizeof(*items));
  if (!jobs || !items) {
    rc = xr_nomem(err);
    goto out;
  }
  for (i = 0; i < plan->n; i++) {
    const struct xr_artifact *a = &plan->items[i];
    struct job *j = &jobs[i];

    j->item = (size_t)-1;
    if (xr_store_path(st, "components/", &j->entry) ||
        xr_buf_adds(&j->entry, a->sha256)) {
      rc = xr_nomem(err);
      goto out;
    }
    if (xr_fs_is_dir(j->entry.data))
      continue;
    if (xr_dist_rewrite_url(a->url, cfg->server, &j->url)) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = xr_store_mkstage(st, &j->stage, err);
    if (rc)
      goto out;
    j->item = n;
    xr_fetch_item_init(&items[n]);
    items[n].url = j->url.data;
    items[n].sha256 = a->sha256;
    items[n].unpack_dir = j->stage.data;
    items[n].unpack.strip = 1;
    items[n].unpack.rewrite = rewrite_cb;
    items[n].unpack.rewrite_ctx = &j->rw;
    n++;
  }
  if (n) {
    fc.store = st;
    rc = xr_fetch_batch(&fc, items, n, err);
    if (rc)
      goto out;
  }
  for (i = 0; i < plan->n; i++) {
    struct job *j = &jobs[i];

    if (j->item == (size_t)-1)
      continue;
    rc = check_tarball(j->stage.data, base_name(j->url.data), &j->rw, err);
    if (!rc)
      rc = xr_store_publish(j->stage.data, j->entry.data, err);
    if (rc)
      goto out;
  }
  rc = xr_store_mkstage(st, &stage, err);
  for (i = 0; !rc && i < plan->n; i++)
    rc = link_component(jobs[i].entry.data, stage.data, err);
  if (!rc)
    rc = write_components(stage.data, plan, err);
  if (!rc)
    rc = xr_store_publish(stage.data, tcdir, err);
  if (!rc)
    rc = write_root(st, plan, tcdir, err);
out:
  for (i = 0; jobs && i < plan->n; i++) {
    xr_buf_release(&jobs[i].url);
    xr_buf_release(&jobs[i].stage);
    xr_buf_release(&jobs[i].entry);
    xr_strv_release(&jobs[i].rw.seen);
  }
  free(jobs);
  free(items);
  xr_buf_release(&stage);
  /* Also removes staging directories a failure left behind. */
  xr_store_free(st);
  return rc;
}

/* ---- the entry point ---------------------------------------------------- */

static int same_lock(const struct xr_tclock *a, const struct xr_tclock *b,
                     struct xr_err *err)
{
  struct xr_buf x = XR_BUF_INIT, y = XR_BUF_INIT;
  int same = 0;

  if (!xr_tclock_format(a, &x, err) && !xr_tclock_format(b, &y, err))
    same = x.len == y.len && !memcmp(x.data, y.data, x.len);
  xr_buf_release(&x);
  xr_buf_release(&y);
  return same;
}

int xr_toolchain_ensure(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req, char **path,
                        struct xr_err *err)
{
  struct xr_tc_lookup lk;
  struct xr_tclock nl;
  const struct xr_tclock *use;
  char *dir = NULL;
  int rc;

  *path = NULL;
  xr_tclock_init(&nl);
  rc = xr_toolchain_lookup(cfg, req, &lk, err);
  if (rc)
    goto out;
  if (lk.covered && lk.installed) {
    *path = lk.dir;
    lk.dir = NULL;
    goto out;
  }
  use = &lk.lock;
  if (!lk.covered) {
    int extend = lk.found && !cfg->update &&
                 !strcmp(lk.lock.channel, lk.channel) &&
                 !strcmp(lk.lock.host, req->host) &&
                 !strcmp(profile_of(lk.lock.profile),
                         profile_of(req->profile));

    rc = resolve(cfg, req, &lk.ch, lk.channel, extend ? &lk.lock : NULL,
                 &nl, err);
    if (rc)
      goto out;
    use = &nl;
    rc = xr_tc_toolchain_dir(lk.root, &nl.plan, &dir, err);
    if (rc)
      goto out;
  } else {
    dir = lk.dir;
    lk.dir = NULL;
  }
  if (!xr_fs_is_dir(dir)) {
    rc = install(cfg, &use->plan, lk.root, dir, err);
    if (rc)
      goto out;
  }
  if (use == &nl && cfg->lock_path &&
      (!lk.found || !same_lock(&lk.lock, &nl, err))) {
    rc = xr_tclock_write(&nl, cfg->lock_path, err);
    if (rc)
      goto out;
  }
  *path = dir;
  dir = NULL;
out:
  free(dir);
  xr_tc_lookup_release(&lk);
  xr_tclock_release(&nl);
  return rc;
}

int xr_toolchain_pin(const struct xr_tc_config *cfg, const char *channel,
                     struct xr_buf *out, struct xr_err *err)
{
  struct xr_channel ch;
  struct resolved r;
  int rc;

  rc = xr_channel_parse(channel && *channel ? channel : "stable", &ch, err);
  if (rc)
    return rc;
  xr_manifest_init(&r.m);
  if (!xr_channel_is_pinned(&ch))
    rc = fetch_manifest(cfg, &ch, &r, err);
  if (!rc)
    rc = xr_manifest_pin(&r.m, &ch, out, err);
  xr_manifest_release(&r.m);
  return rc;
}
