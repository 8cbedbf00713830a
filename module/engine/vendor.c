/*
 * Vendoring a Cargo.lock into a cargo directory source.  It owns the
 * policy from lockfile to vendor tree: which packages are fetched (every
 * crates.io package, in one parallel batch through the fetch engine, from
 * the XRUST_CRATES_DL template, verified against the lock's checksum),
 * how they are kept (unpacked once into the store as
 * v1/crates/<name>-<version>-<sha256>/ with their .cargo-checksum.json),
 * how git packages are obtained (the `git` program: a bare clone per
 * repository in v1/git/db/, the locked commit exported with `git archive`
 * into v1/git/checkouts/, the package found by name and its manifest
 * normalised as cargo vendor does), how the project's vendor directory
 * points at them (one symlink per package, which cargo's directory source
 * follows), the cargo configuration that replaces the sources, and the
 * lockfile digest that makes an unchanged vendor tree a no-op.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include "xrust/buf.h"
#include "xrust/crate.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/sha256.h"
#include "xrust/store.h"

#define STAMP ".xrust-lock-sha256"
#define SOURCE_NAME "xrust-vendor"

/* One package of the lockfile being vendored. */
struct vpkg {
  const struct xr_lock_pkg *lp;
  char *vdir;          /* name in the vendor directory */
  struct xr_buf entry; /* published store tree */
  struct xr_buf stage; /* staging directory while fetching */
  struct xr_buf url;
  struct xr_buf src;   /* git: package directory in the checkout */
  struct xr_buf top;   /* git: the checkout */
  int fetch;           /* 1: part of the download batch */
};

struct vendor {
  const struct xr_vendor_config *cfg;
  struct xr_store *s;
  struct xr_lock lock;
  struct vpkg *pkgs;   /* parallel to lock.pkgs; lp NULL: not vendored */
  FILE *out;
  int quiet;
};

static int nomem(struct xr_err *err)
{
  return xr_fail(err, XR_ENOMEM, "out of memory");
}

void xr_vendor_config_init(struct xr_vendor_config *c)
{
  memset(c, 0, sizeof(*c));
}

static int is_dir(const char *p)
{
  struct stat st;

  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes LEN bytes to PATH atomically (temporary file, then rename). */
static int write_atomic(const char *path, const char *data, size_t len,
                        struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT;
  size_t off = 0;
  int fd = -1, rc = 0;

  if (xr_buf_printf(&tmp, "%s.xrust-tmp-%ld", path, (long)getpid()))
    return nomem(err);
  fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", path,
                 strerror(errno));
    goto out;
  }
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", path,
                   strerror(errno));
      goto out;
    }
    off += (size_t)w;
  }
  if (close(fd) != 0) {
    fd = -1;
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", path,
                 strerror(errno));
    goto out;
  }
  fd = -1;
  if (rename(tmp.data, path) != 0)
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", path,
                 strerror(errno));
out:
  if (fd >= 0)
    close(fd);
  if (rc)
    (void)unlink(tmp.data);
  xr_buf_release(&tmp);
  return rc;
}

/* Reads a small file into OUT; XR_ENOTFOUND when it does not exist. */
static int read_small(const char *path, struct xr_buf *out)
{
  char chunk[4096];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

  xr_buf_reset(out);
  if (fd < 0)
    return XR_ENOTFOUND;
  for (;;) {
    n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (xr_buf_add(out, chunk, (size_t)n) || out->len > (1u << 20)) {
      rc = XR_ENOMEM;
      break;
    }
  }
  if (n < 0)
    rc = XR_EIO;
  close(fd);
  if (!rc && !out->data && xr_buf_adds(out, ""))
    rc = XR_ENOMEM;
  return rc;
}

/* Creates DIR and its parents. */
static int mkdirs(const char *dir, struct xr_err *err)
{
  char path[PATH_MAX];
  char *p;

  if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
    return xr_fail(err, XR_EUSAGE, "path too long: '%s'", dir);
  for (p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return xr_fail(err, XR_EIO, "cannot create '%s': %s", path,
                     strerror(errno));
    *p = '/';
  }
  if (mkdir(path, 0755) != 0 && errno != EEXIST)
    return xr_fail(err, XR_EIO, "cannot create '%s': %s", path,
                   strerror(errno));
  return 0;
}

/* The git source key without the commit: "git+URL?branch=x". */
static int git_key(const struct xr_lock_pkg *p, struct xr_buf *out)
{
  const char *hash = strrchr(p->source, '#');

  xr_buf_reset(out);
  return xr_buf_add(out, p->source, (size_t)(hash - p->source));
}

/*
 * A TOML basic string.  Control characters are escaped: a lockfile's git
 * URL or ref may hold any of them, and a raw newline would let it add
 * tables to the cargo configuration.
 */
static int toml_str(struct xr_buf *o, const char *s)
{
  int rc = xr_buf_addc(o, '"');

  for (; *s && !rc; s++) {
    unsigned char c = (unsigned char)*s;

    if (c < 0x20 || c == 0x7f)
      rc = xr_buf_printf(o, "\\u%04x", c);
    else if (c == '"' || c == '\\')
      rc = xr_buf_addc(o, '\\') || xr_buf_addc(o, (char)c);
    else
      rc = xr_buf_addc(o, (char)c);
  }
  return rc || xr_buf_addc(o, '"');
}

int xr_vendor_cargo_config(const struct xr_lock *lock, const char *dir,
                           struct xr_buf *out)
{
  static const char *const refs[] = { NULL, "branch", "tag", "rev" };
  struct xr_strv seen = XR_STRV_INIT;
  struct xr_buf key = XR_BUF_INIT;
  size_t i;
  int rc;

  xr_buf_reset(out);
  rc = xr_buf_printf(out, "# Generated by xrust from %s: cargo builds from "
                     "the vendored\n# sources, --offline --locked.\n\n"
                     "[source.crates-io]\nreplace-with = \"%s\"\n",
                     lock->path ? lock->path : "Cargo.lock", SOURCE_NAME);
  for (i = 0; !rc && i < lock->n; i++) {
    const struct xr_lock_pkg *p = &lock->pkgs[i];

    if (p->kind != XR_SRC_GIT)
      continue;
    rc = git_key(p, &key);
    if (rc || xr_strv_has(&seen, key.data))
      continue;
    rc = xr_strv_push(&seen, key.data) || xr_buf_adds(out, "\n[source.") ||
         toml_str(out, key.data) || xr_buf_adds(out, "]\ngit = ") ||
         toml_str(out, p->url) || xr_buf_addc(out, '\n');
    if (!rc && p->git_ref != XR_GIT_DEFAULT)
      rc = xr_buf_printf(out, "%s = ", refs[p->git_ref]) ||
           toml_str(out, p->git_ref_value) || xr_buf_addc(out, '\n');
    if (!rc)
      rc = xr_buf_printf(out, "replace-with = \"%s\"\n", SOURCE_NAME);
  }
  if (!rc)
    rc = xr_buf_printf(out, "\n[source.%s]\ndirectory = ", SOURCE_NAME) ||
         toml_str(out, dir) || xr_buf_addc(out, '\n');
  xr_strv_release(&seen);
  xr_buf_release(&key);
  return rc ? XR_ENOMEM : 0;
}

/* Runs the argument vector ARGV; on failure the message says WHAT. */
static int run(char *const argv[], const char *what, struct xr_err *err)
{
  struct xr_buf errs = XR_BUF_INIT;
  int pfd[2], status = 0, rc = 0;
  char chunk[1024];
  pid_t pid;

  if (pipe(pfd) != 0)
    return xr_fail(err, XR_EIO, "cannot run '%s': %s", argv[0],
                   strerror(errno));
  pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return xr_fail(err, XR_EIO, "cannot run '%s': %s", argv[0],
                   strerror(errno));
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);

    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
    }
    dup2(pfd[1], 2);
    close(pfd[0]);
    setenv("GIT_TERMINAL_PROMPT", "0", 1);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pfd[1]);
  for (;;) {
    ssize_t n = read(pfd[0], chunk, sizeof(chunk));

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (errs.len < 8192 && xr_buf_add(&errs, chunk, (size_t)n))
      break;
  }
  close(pfd[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const char *msg = xr_buf_str(&errs);
    size_t len = errs.len;

    while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
      len--;
    rc = xr_fail(err, XR_EIO, "%s failed: %.*s", what, (int)len, msg);
  }
  xr_buf_release(&errs);
  return rc;
}

/*
 * Hard-links (or copies) the tree SRC to DST.  With DEPTH 0 as a package
 * is copied: no .git, no target/ at the top, no nested packages, no
 * Cargo.toml at the top (written separately); with DEPTH -1 everything.
 */
static int link_tree(const char *src, const char *dst, int depth,
                     struct xr_err *err)
{
  struct xr_buf a = XR_BUF_INIT, b = XR_BUF_INIT, m = XR_BUF_INIT;
  struct dirent *e;
  DIR *d;
  int rc = 0;

  if (depth > 64 || depth < -64)
    return xr_fail(err, XR_ELIMIT, "'%s' is nested too deep", src);
  if (mkdir(dst, 0755) != 0 && errno != EEXIST)
    return xr_fail(err, XR_EIO, "cannot create '%s': %s", dst,
                   strerror(errno));
  d = opendir(src);
  if (!d)
    return xr_fail(err, XR_EIO, "cannot read '%s': %s", src,
                   strerror(errno));
  for (;;) {
    struct stat st;

    e = readdir(d);
    if (!e)
      break;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (depth >= 0 && (!strcmp(e->d_name, ".git") ||
        (depth == 0 && (!strcmp(e->d_name, "target") ||
                        !strcmp(e->d_name, "Cargo.toml") ||
                        !strcmp(e->d_name, ".cargo-checksum.json")))))
      continue;
    xr_buf_reset(&a);
    xr_buf_reset(&b);
    if (xr_buf_printf(&a, "%s/%s", src, e->d_name) ||
        xr_buf_printf(&b, "%s/%s", dst, e->d_name)) {
      rc = nomem(err);
      break;
    }
    if (lstat(a.data, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      xr_buf_reset(&m);
      if (xr_buf_printf(&m, "%s/Cargo.toml", a.data)) {
        rc = nomem(err);
        break;
      }
      if (depth >= 0 && access(m.data, F_OK) == 0)
        continue;
      rc = link_tree(a.data, b.data, depth < 0 ? depth - 1 : depth + 1,
                     err);
    } else if (S_ISREG(st.st_mode)) {
      if (link(a.data, b.data) != 0)
        rc = xr_store_copy_out(a.data, b.data, err);
    } else if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = readlink(a.data, target, sizeof(target) - 1);

      if (n >= 0) {
        target[n] = '\0';
        if (symlink(target, b.data) != 0)
          rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", b.data,
                       strerror(errno));
      }
    }
    if (rc)
      break;
  }
  closedir(d);
  xr_buf_release(&a);
  xr_buf_release(&b);
  xr_buf_release(&m);
  return rc;
}

static int write_checksum(const char *dir, const char *sha,
                          struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, body = XR_BUF_INIT;
  int rc;

  if (xr_buf_printf(&path, "%s/.cargo-checksum.json", dir) ||
      (sha ? xr_buf_printf(&body, "{\"files\":{},\"package\":\"%s\"}", sha)
           : xr_buf_adds(&body, "{\"files\":{},\"package\":null}")))
    rc = nomem(err);
  else
    rc = write_atomic(path.data, body.data, body.len, err);
  xr_buf_release(&path);
  xr_buf_release(&body);
  return rc;
}

/* Vendor directory names: name-version, made unique by the source. */
static int name_dirs(struct vendor *v, struct xr_err *err)
{
  struct xr_strv used = XR_STRV_INIT;
  struct xr_buf n = XR_BUF_INIT;
  size_t i;
  int rc = 0;

  for (i = 0; !rc && i < v->lock.n; i++) {
    struct vpkg *p = &v->pkgs[i];

    if (!p->lp)
      continue;
    xr_buf_reset(&n);
    if (xr_buf_printf(&n, "%s-%s", p->lp->name, p->lp->version))
      rc = nomem(err);
    if (!rc && xr_strv_has(&used, n.data)) {
      char hex[XR_SHA256_HEX];

      rc = xr_sha256_mem(p->lp->source, strlen(p->lp->source), hex, err);
      if (!rc && xr_buf_printf(&n, "-%.12s", hex))
        rc = nomem(err);
    }
    if (!rc && (xr_strv_push(&used, n.data) ||
                !(p->vdir = xr_strdup(n.data))))
      rc = nomem(err);
  }
  xr_strv_release(&used);
  xr_buf_release(&n);
  return rc;
}

/*
 * Names and versions become path components of the store and of the
 * vendor directory, so only what crates.io allows gets through.
 */
static int safe_word(const char *s, const char *extra)
{
  if (!*s || *s == '.' || *s == '-')
    return 0;
  for (; *s; s++) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || strchr(extra, *s)))
      return 0;
  }
  return 1;
}

/* git URLs: the schemes cargo uses; never git's ext:: or fd:: helpers. */
static int git_url_ok(const char *url)
{
  static const char *const schemes[] = {
    "https://", "http://", "ssh://", "git://", "file://"
  };
  size_t i;

  for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
    if (!strncmp(url, schemes[i], strlen(schemes[i])))
      return 1;
  return 0;
}

static int bad_pkg(struct xr_err *err, const struct xr_lock *l,
                   const struct xr_lock_pkg *p, const char *what)
{
  return xr_fail(err, XR_EMANIFEST, "%s:%lu:%lu: package '%s' %s: %s",
                 l->path, p->line, p->column, p->name, p->version, what);
}

/* Fetches and publishes every registry package missing from the store. */
static int vendor_registry(struct vendor *v, const char *dl, size_t *fetched,
                           struct xr_err *err)
{
  struct xr_fetch_item *items = NULL;
  size_t *which = NULL, n = 0, i;
  int rc = 0;

  items = calloc(v->lock.n + 1, sizeof(*items));
  which = calloc(v->lock.n + 1, sizeof(*which));
  if (!items || !which) {
    rc = nomem(err);
    goto out;
  }
  for (i = 0; i < v->lock.n; i++) {
    struct vpkg *p = &v->pkgs[i];
    const struct xr_lock_pkg *lp = p->lp;
    struct xr_buf rel = XR_BUF_INIT;

    if (!lp || lp->kind == XR_SRC_GIT)
      continue;
    if (xr_buf_printf(&rel, "crates/%s-%s-%s", lp->name, lp->version,
                      lp->checksum) ||
        xr_store_path(v->s, rel.data, &p->entry)) {
      xr_buf_release(&rel);
      rc = nomem(err);
      goto out;
    }
    xr_buf_release(&rel);
    if (is_dir(p->entry.data))
      continue;
    if (xr_crate_dl_url(dl, lp->name, lp->version, lp->checksum, &p->url)) {
      rc = nomem(err);
      goto out;
    }
    rc = xr_store_mkstage(v->s, &p->stage, err);
    if (rc)
      goto out;
    xr_fetch_item_init(&items[n]);
    items[n].url = p->url.data;
    items[n].sha256 = lp->checksum;
    items[n].unpack_dir = p->stage.data;
    items[n].unpack.strip = 1;
    items[n].name = p->vdir;
    p->fetch = 1;
    which[n++] = i;
  }
  if (n) {
    struct xr_err batch_err;

    xr_err_clear(&batch_err);
    (void)xr_fetch_batch(v->cfg->fetch, items, n, &batch_err);
    for (i = 0; i < n; i++) {
      const struct xr_lock_pkg *lp = v->pkgs[which[i]].lp;

      if (items[i].status && !rc) {
        rc = xr_fail(err, items[i].status, "crate '%s' %s: %s", lp->name,
                     lp->version, items[i].err.msg);
      }
    }
    if (!rc && batch_err.code)
      rc = xr_fail(err, batch_err.code, "%s", batch_err.msg);
  }
  for (i = 0; !rc && i < n; i++) {
    struct vpkg *p = &v->pkgs[which[i]];
    struct xr_buf m = XR_BUF_INIT;

    if (xr_buf_printf(&m, "%s/Cargo.toml", p->stage.data)) {
      rc = nomem(err);
      break;
    }
    if (access(m.data, F_OK) != 0)
      rc = xr_fail(err, XR_EARCHIVE, "crate '%s' %s from '%s' has no "
                   "'%s-%s/Cargo.toml'", p->lp->name, p->lp->version,
                   p->url.data, p->lp->name, p->lp->version);
    xr_buf_release(&m);
    if (!rc)
      rc = write_checksum(p->stage.data, p->lp->checksum, err);
    if (!rc)
      rc = xr_store_publish(p->stage.data, p->entry.data, err);
    if (!rc) {
      xr_buf_reset(&p->stage);
      (*fetched)++;
    }
  }
out:
  for (i = 0; i < v->lock.n && v->pkgs; i++) {
    struct xr_err ignored;

    if (v->pkgs[i].stage.len)
      (void)xr_fs_rmtree(v->pkgs[i].stage.data, &ignored);
  }
  free(items);
  free(which);
  return rc;
}

/* Path rewriting for git packages: a sibling becomes ../<its vdir>. */
struct git_ctx {
  struct vendor *v;
};

static char *git_rewrite(void *ctx, const char *dep_dir, int *failed)
{
  struct git_ctx *g = ctx;
  struct xr_buf out = XR_BUF_INIT;
  size_t i;

  (void)failed;
  for (i = 0; i < g->v->lock.n; i++) {
    struct vpkg *p = &g->v->pkgs[i];

    if (!p->lp || p->lp->kind != XR_SRC_GIT || !p->src.data ||
        strcmp(p->src.data, dep_dir))
      continue;
    if (xr_buf_printf(&out, "../%s", p->vdir))
      break;
    return xr_buf_detach(&out);
  }
  xr_buf_release(&out);
  return NULL;
}

/* Makes sure the bare repository DB has COMMIT, cloning or fetching. */
static int git_db(struct vendor *v, const struct xr_lock_pkg *lp,
                  const char *db, struct xr_err *err)
{
  const char *git = v->cfg->git ? v->cfg->git : "git";
  struct xr_buf stage = XR_BUF_INIT, spec = XR_BUF_INIT;
  struct xr_err probe;
  int rc = 0;

  if (xr_buf_printf(&spec, "%s^{commit}", lp->commit))
    return nomem(err);
  if (is_dir(db)) {
    char *argv[] = { (char *)git, "--git-dir", (char *)db, "cat-file",
                     "-e", spec.data, NULL };

    if (run(argv, "git cat-file", &probe) == 0)
      goto out;
  }
  if (v->cfg->fetch && v->cfg->fetch->offline) {
    rc = xr_fail(err, XR_EOFFLINE, "offline: commit %s of '%s' is not in "
                 "the store", lp->commit, lp->url);
    goto out;
  }
  if (v->out && !v->quiet)
    fprintf(v->out, "  GIT     %s\n", lp->url);
  if (!is_dir(db)) {
    char *argv[] = { (char *)git, "clone", "--bare", "--quiet", "--",
                     lp->url, NULL, NULL };
    struct xr_buf what = XR_BUF_INIT;

    rc = xr_store_mkstage(v->s, &stage, err);
    if (rc)
      goto out;
    (void)rmdir(stage.data);
    argv[6] = stage.data;
    if (xr_buf_printf(&what, "git clone '%s'", lp->url)) {
      rc = nomem(err);
      goto out;
    }
    rc = run(argv, what.data, err);
    xr_buf_release(&what);
    if (!rc)
      rc = xr_store_publish(stage.data, db, err);
    if (rc)
      goto out;
  } else {
    char *argv[] = { (char *)git, "--git-dir", (char *)db, "fetch",
                     "--quiet", "--", lp->url,
                     "+refs/heads/*:refs/heads/*",
                     "+refs/tags/*:refs/tags/*", NULL };

    rc = run(argv, "git fetch", err);
    if (rc)
      goto out;
  }
  {
    char *argv[] = { (char *)git, "--git-dir", (char *)db, "cat-file",
                     "-e", spec.data, NULL };

    if (run(argv, "git cat-file", &probe) != 0) {
      char *fargv[] = { (char *)git, "--git-dir", (char *)db, "fetch",
                        "--quiet", "--", lp->url, lp->commit, NULL };

      if (run(fargv, "git fetch", &probe) != 0 ||
          run(argv, "git cat-file", &probe) != 0)
        rc = xr_fail(err, XR_ENOTFOUND, "commit %s not found in '%s'",
                     lp->commit, lp->url);
    }
  }
out:
  if (stage.len && is_dir(stage.data)) {
    struct xr_err ignored;

    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  xr_buf_release(&stage);
  xr_buf_release(&spec);
  return rc;
}

/* Exports COMMIT of DB into the store tree CHECKOUT. */
static int git_checkout(struct vendor *v, const struct xr_lock_pkg *lp,
                        const char *db, const char *checkout,
                        struct xr_err *err)
{
  const char *git = v->cfg->git ? v->cfg->git : "git";
  struct xr_buf stage = XR_BUF_INIT, tar = XR_BUF_INIT;
  int rc, fd = -1;

  if (is_dir(checkout))
    return 0;
  rc = xr_store_mktemp(v->s, &tar, &fd, err);
  if (rc)
    goto out;
  close(fd);
  {
    char *argv[] = { (char *)git, "--git-dir", (char *)db, "archive",
                     "--format=tar", "-o", tar.data, lp->commit, NULL };

    rc = run(argv, "git archive", err);
  }
  if (!rc)
    rc = xr_store_mkstage(v->s, &stage, err);
  if (!rc)
    rc = xr_unpack_file(tar.data, stage.data, NULL, NULL, err);
  if (!rc)
    rc = xr_store_publish(stage.data, checkout, err);
out:
  if (tar.data)
    (void)unlink(tar.data);
  if (rc && stage.data && is_dir(stage.data)) {
    struct xr_err ignored;

    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  xr_buf_release(&stage);
  xr_buf_release(&tar);
  return rc;
}

static int vendor_git(struct vendor *v, struct xr_err *err)
{
  struct xr_buf rel = XR_BUF_INIT, db = XR_BUF_INIT, co = XR_BUF_INIT;
  struct xr_buf manifest = XR_BUF_INIT, norm = XR_BUF_INIT;
  struct xr_buf stage = XR_BUF_INIT, path = XR_BUF_INIT;
  struct xr_store_lock lk = XR_STORE_LOCK_INIT;
  struct git_ctx g;
  size_t i;
  int rc = 0;

  g.v = v;
  /* First every checkout, so that siblings can be found by path. */
  for (i = 0; !rc && i < v->lock.n; i++) {
    struct vpkg *p = &v->pkgs[i];
    const struct xr_lock_pkg *lp = p->lp;
    char uh[XR_SHA256_HEX];

    if (!lp || lp->kind != XR_SRC_GIT)
      continue;
    rc = xr_sha256_mem(lp->url, strlen(lp->url), uh, err);
    if (rc)
      break;
    xr_buf_reset(&rel);
    if (xr_buf_printf(&rel, "git-%.16s", uh)) {
      rc = nomem(err);
      break;
    }
    rc = xr_store_lock(v->s, rel.data, &lk, err);
    if (rc)
      break;
    xr_buf_reset(&rel);
    if (xr_buf_printf(&rel, "git/db/%.16s", uh) ||
        xr_store_path(v->s, rel.data, &db)) {
      rc = nomem(err);
    } else {
      xr_buf_reset(&rel);
      if (xr_buf_printf(&rel, "git/checkouts/%.16s-%s", uh, lp->commit) ||
          xr_store_path(v->s, rel.data, &co))
        rc = nomem(err);
    }
    if (!rc && !is_dir(co.data))
      rc = git_db(v, lp, db.data, err);
    if (!rc)
      rc = git_checkout(v, lp, db.data, co.data, err);
    xr_store_unlock(&lk);
    if (!rc && xr_buf_adds(&p->top, co.data))
      rc = nomem(err);
    if (!rc)
      rc = xr_crate_find_package(co.data, lp->name, &p->src, err);
    if (rc)
      rc = xr_err_prefix(err, "git package '%s' %s: ", lp->name,
                         lp->version);
  }
  for (i = 0; !rc && i < v->lock.n; i++) {
    struct vpkg *p = &v->pkgs[i];
    const struct xr_lock_pkg *lp = p->lp;
    char mh[XR_SHA256_HEX];

    if (!lp || lp->kind != XR_SRC_GIT)
      continue;
    xr_buf_reset(&manifest);
    if (xr_buf_printf(&manifest, "%s/Cargo.toml", p->src.data)) {
      rc = nomem(err);
      break;
    }
    rc = xr_crate_normalize(manifest.data, p->top.data, git_rewrite, &g,
                            &norm, err);
    if (!rc)
      rc = xr_sha256_mem(norm.data, norm.len, mh, err);
    xr_buf_reset(&rel);
    if (!rc && (xr_buf_printf(&rel, "crates/%s-%s-git-%.12s-%.12s",
                              lp->name, lp->version, lp->commit, mh) ||
                xr_store_path(v->s, rel.data, &p->entry)))
      rc = nomem(err);
    if (rc || is_dir(p->entry.data))
      continue;
    rc = xr_store_mkstage(v->s, &stage, err);
    if (!rc)
      rc = link_tree(p->src.data, stage.data, 0, err);
    xr_buf_reset(&path);
    if (!rc && xr_buf_printf(&path, "%s/Cargo.toml", stage.data))
      rc = nomem(err);
    if (!rc)
      rc = write_atomic(path.data, norm.data, norm.len, err);
    if (!rc && xr_buf_adds(&path, ".orig"))
      rc = nomem(err);
    if (!rc && link(manifest.data, path.data) != 0)
      rc = xr_store_copy_out(manifest.data, path.data, err);
    if (!rc)
      rc = write_checksum(stage.data, NULL, err);
    if (!rc)
      rc = xr_store_publish(stage.data, p->entry.data, err);
    if (rc && stage.data && is_dir(stage.data)) {
      struct xr_err ignored;

      (void)xr_fs_rmtree(stage.data, &ignored);
    }
    if (rc)
      rc = xr_err_prefix(err, "git package '%s' %s: ", lp->name,
                         lp->version);
  }
  xr_buf_release(&rel);
  xr_buf_release(&db);
  xr_buf_release(&co);
  xr_buf_release(&manifest);
  xr_buf_release(&norm);
  xr_buf_release(&stage);
  xr_buf_release(&path);
  return rc;
}

#define MARKER ".xrust-entry"

/*
 * What the vendor directory entry PATH stands for, in OUT: a link's target,
 * or the store entry named by a copied tree's marker file.  *IS_LINK tells
 * which; returns 1 when PATH is neither (not ours, or absent).
 */
static int entry_of(const char *path, struct xr_buf *out, int *is_link)
{
  struct xr_buf marker = XR_BUF_INIT;
  char target[PATH_MAX];
  ssize_t n = readlink(path, target, sizeof(target) - 1);
  int rc = 1;

  xr_buf_reset(out);
  *is_link = n >= 0;
  if (n >= 0) {
    target[n] = '\0';
    return xr_buf_adds(out, target) ? -1 : 0;
  }
  if (xr_buf_printf(&marker, "%s/%s", path, MARKER))
    return -1;
  if (read_small(marker.data, out) == 0) {
    while (out->len && out->data[out->len - 1] == '\n')
      out->data[--out->len] = '\0';
    rc = 0;
  }
  xr_buf_release(&marker);
  return rc;
}

/*
 * Removes PATH when it is a temporary (.xrust-tmp-PID-..., .xrust-old-...)
 * of a process that no longer runs.
 */
static void debris(const char *path, const char *name)
{
  struct xr_err ignored;
  const char *p;
  char *end;
  long pid;

  if (!strncmp(name, ".xrust-tmp-", 11))
    p = name + 11;
  else if (!strncmp(name, ".xrust-old-", 11))
    p = name + 11;
  else
    return;
  pid = strtol(p, &end, 10);
  if (end == p || *end != '-' || pid <= 0)
    return;
  if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
    return;
  if (unlink(path) != 0)
    (void)xr_fs_rmtree(path, &ignored);
}

/* Puts TMP at FINAL, which may be a file, a link or a directory. */
static int replace(const char *tmp, const char *final, struct xr_err *err)
{
  struct xr_buf old = XR_BUF_INIT;
  struct stat st;
  int rc = 0;

  if (lstat(final, &st) == 0 && (S_ISDIR(st.st_mode) || is_dir(tmp))) {
    /* rename() cannot swap a directory and a non-directory: move the old
     * one aside first. */
    const char *slash = strrchr(final, '/');

    if (!slash || xr_buf_printf(&old, "%.*s/.xrust-old-%ld-%s",
                                (int)(slash - final), final, (long)getpid(),
                                slash + 1))
      return nomem(err);
    if (rename(final, old.data) != 0)
      rc = xr_fail(err, XR_EIO, "cannot replace '%s': %s", final,
                   strerror(errno));
  }
  if (!rc && rename(tmp, final) != 0)
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", final,
                 strerror(errno));
  if (!rc && old.data) {
    if (lstat(old.data, &st) == 0 && !S_ISDIR(st.st_mode))
      rc = unlink(old.data) == 0 ? 0 : xr_fail(err, XR_EIO,
                                               "cannot remove '%s': %s",
                                               old.data, strerror(errno));
    else
      rc = xr_fs_rmtree(old.data, err);
  }
  xr_buf_release(&old);
  return rc;
}

/*
 * Makes DIR/<vdir> stand for each entry (a symlink, or with cfg->copy a
 * tree of hard links carrying a marker file) and removes what this code
 * made for packages no longer in the lockfile.
 */
static int link_dir(struct vendor *v, const char *dir, struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, tmp = XR_BUF_INIT, cur = XR_BUF_INIT;
  struct xr_buf base = XR_BUF_INIT, marker = XR_BUF_INIT;
  struct xr_strv want = XR_STRV_INIT;
  struct dirent *e;
  size_t i;
  DIR *d;
  int rc = 0, is_link;

  if (xr_store_path(v->s, "crates/", &base))
    return nomem(err);
  for (i = 0; !rc && i < v->lock.n; i++) {
    struct vpkg *p = &v->pkgs[i];

    if (!p->lp)
      continue;
    xr_buf_reset(&path);
    xr_buf_reset(&tmp);
    if (xr_strv_push(&want, p->vdir) ||
        xr_buf_printf(&path, "%s/%s", dir, p->vdir) ||
        xr_buf_printf(&tmp, "%s/.xrust-tmp-%ld-%s", dir, (long)getpid(),
                      p->vdir)) {
      rc = nomem(err);
      break;
    }
    if (entry_of(path.data, &cur, &is_link) == 0 &&
        !strcmp(cur.data, p->entry.data) && is_link == !v->cfg->copy)
      continue;
    (void)unlink(tmp.data);
    if (!v->cfg->copy) {
      if (symlink(p->entry.data, tmp.data) != 0)
        rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", tmp.data,
                     strerror(errno));
    } else {
      struct xr_err ignored;

      (void)xr_fs_rmtree(tmp.data, &ignored);
      rc = link_tree(p->entry.data, tmp.data, -1, err);
      xr_buf_reset(&marker);
      if (!rc && xr_buf_printf(&marker, "%s/%s", tmp.data, MARKER))
        rc = nomem(err);
      if (!rc)
        rc = write_atomic(marker.data, p->entry.data,
                          strlen(p->entry.data), err);
    }
    if (!rc)
      rc = replace(tmp.data, path.data, err);
    if (rc) {
      struct xr_err ignored;

      (void)xr_fs_rmtree(tmp.data, &ignored);
    }
  }
  d = rc ? NULL : opendir(dir);
  for (; d && !rc;) {
    e = readdir(d);
    if (!e)
      break;
    if (xr_strv_has(&want, e->d_name))
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", dir, e->d_name)) {
      rc = nomem(err);
      break;
    }
    if (e->d_name[0] == '.') {
      debris(path.data, e->d_name);
      continue;
    }
    /* Only what this code made (for the store's crates) goes away. */
    if (entry_of(path.data, &cur, &is_link) != 0 ||
        strncmp(cur.data, base.data, base.len))
      continue;
    if (is_link)
      (void)unlink(path.data);
    else
      rc = xr_fs_rmtree(path.data, err);
  }
  if (d)
    closedir(d);
  xr_strv_release(&want);
  xr_buf_release(&path);
  xr_buf_release(&tmp);
  xr_buf_release(&cur);
  xr_buf_release(&base);
  xr_buf_release(&marker);
  return rc;
}

/*
 * 1 when every link of the vendor directory DIR still resolves (a store
 * entry removed by hand makes the next run repair the tree).
 */
static int links_ok(const char *dir)
{
  struct xr_buf path = XR_BUF_INIT;
  struct dirent *e;
  struct stat st;
  DIR *d = opendir(dir);
  int ok = d != NULL;

  while (ok) {
    e = readdir(d);
    if (!e)
      break;
    if (e->d_name[0] == '.')
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", dir, e->d_name) ||
        stat(path.data, &st) != 0)
      ok = 0;
  }
  if (d)
    closedir(d);
  xr_buf_release(&path);
  return ok;
}

/* A gc root keeping this vendor directory's entries. */
static int write_root(struct vendor *v, const char *dir, struct xr_err *err)
{
  struct xr_buf body = XR_BUF_INIT, name = XR_BUF_INIT, base = XR_BUF_INIT;
  char hex[XR_SHA256_HEX];
  size_t i;
  int rc;

  rc = xr_sha256_mem(dir, strlen(dir), hex, err);
  if (rc)
    return rc;
  if (xr_store_path(v->s, NULL, &base) ||
      xr_buf_printf(&name, "vendor-%.16s", hex) ||
      xr_buf_printf(&body, "# vendor directory\nowner %s\n", dir)) {
    rc = nomem(err);
    goto out;
  }
  for (i = 0; i < v->lock.n; i++) {
    const char *e = v->pkgs[i].entry.data;

    if (!v->pkgs[i].lp || !e)
      continue;
    if (xr_buf_printf(&body, "entry %s\n", e + base.len + 1)) {
      rc = nomem(err);
      goto out;
    }
  }
  rc = xr_store_root_write(v->s, name.data, body.data, err);
out:
  xr_buf_release(&body);
  xr_buf_release(&name);
  xr_buf_release(&base);
  return rc;
}

int xr_vendor(const struct xr_vendor_config *cfg, const char *lockfile,
              const char *dir_in, struct xr_vendor_stats *stats,
              struct xr_err *err)
{
  struct xr_vendor_stats st;
  struct xr_fetch_config fdefault;
  struct xr_vendor_config cdefault;
  struct vendor v;
  struct xr_buf stamp = XR_BUF_INIT, old = XR_BUF_INIT, conf = XR_BUF_INIT;
  struct xr_store *own = NULL;
  char lock_hex[XR_SHA256_HEX], dir[PATH_MAX], want[XR_SHA256_HEX + 8];
  const char *dl;
  size_t i;
  int rc;

  memset(&st, 0, sizeof(st));
  memset(&v, 0, sizeof(v));
  if (!cfg) {
    xr_vendor_config_init(&cdefault);
    cfg = &cdefault;
  }
  if (!cfg->fetch) {
    xr_fetch_config_init(&fdefault);
    cdefault = *cfg;
    cdefault.fetch = &fdefault;
    cfg = &cdefault;
  }
  v.cfg = cfg;
  v.out = cfg->fetch->out;
  v.quiet = cfg->fetch->quiet;
  dl = cfg->dl ? cfg->dl : getenv("XRUST_CRATES_DL");
  if (!dl || !*dl)
    dl = XR_CRATES_DL_DEFAULT;
  rc = xr_sha256_file(lockfile, lock_hex, err);
  if (rc)
    goto out;
  rc = mkdirs(dir_in, err);
  if (rc)
    goto out;
  if (!realpath(dir_in, dir)) {
    rc = xr_fail(err, XR_EIO, "cannot resolve '%s': %s", dir_in,
                 strerror(errno));
    goto out;
  }
  /* The stamp records the lock's digest and how the tree was made. */
  snprintf(want, sizeof(want), "%s%s\n", lock_hex, cfg->copy ? " copy" : "");
  if (xr_buf_printf(&stamp, "%s/%s", dir, STAMP)) {
    rc = nomem(err);
    goto out;
  }
  if (!cfg->force && read_small(stamp.data, &old) == 0 &&
      !strcmp(old.data, want) &&
      (!cfg->config_out || access(cfg->config_out, F_OK) == 0) &&
      links_ok(dir)) {
    st.unchanged = 1;
    goto out;
  }
  rc = xr_lock_read(lockfile, &v.lock, err);
  if (rc)
    goto out;
  v.pkgs = calloc(v.lock.n + 1, sizeof(*v.pkgs));
  if (!v.pkgs) {
    rc = nomem(err);
    goto out;
  }
  for (i = 0; i < v.lock.n; i++) {
    const struct xr_lock_pkg *lp = &v.lock.pkgs[i];

    xr_buf_init(&v.pkgs[i].entry);
    if (lp->kind == XR_SRC_PATH)
      continue;
    if (!safe_word(lp->name, "_-") || !safe_word(lp->version, ".+-_")) {
      rc = bad_pkg(err, &v.lock, lp, "invalid name or version");
      goto out;
    }
    if (lp->kind == XR_SRC_GIT && !git_url_ok(lp->url)) {
      rc = bad_pkg(err, &v.lock, lp, "unsupported git url (expected "
                   "https, http, ssh, git or file)");
      goto out;
    }
    if (lp->kind == XR_SRC_GIT) {
      v.pkgs[i].lp = lp;
      st.git++;
      continue;
    }
    if (!xr_lock_is_crates_io(lp)) {
      rc = bad_pkg(err, &v.lock, lp, "only crates.io and git sources can "
                   "be vendored");
      goto out;
    }
    if (!lp->checksum) {
      rc = bad_pkg(err, &v.lock, lp, "no checksum in the lockfile");
      goto out;
    }
    v.pkgs[i].lp = lp;
    st.registry++;
  }
  rc = name_dirs(&v, err);
  if (rc)
    goto out;
  v.s = cfg->fetch->store;
  if (!v.s) {
    rc = xr_store_open(&own, cfg->fetch->store_root, err);
    if (rc)
      goto out;
    v.s = own;
  }
  rc = vendor_registry(&v, dl, &st.fetched, err);
  if (!rc)
    rc = vendor_git(&v, err);
  if (!rc)
    rc = link_dir(&v, dir, err);
  if (!rc)
    rc = write_root(&v, dir, err);
  if (rc)
    goto out;
  if (cfg->config_out) {
    if (xr_vendor_cargo_config(&v.lock, dir, &conf)) {
      rc = nomem(err);
      goto out;
    }
    if (read_small(cfg->config_out, &old) != 0 || strcmp(old.data,
                                                         conf.data)) {
      char *slash = strrchr(cfg->config_out, '/');

      xr_buf_reset(&old);
      if (slash && slash != cfg->config_out &&
          xr_buf_add(&old, cfg->config_out,
                     (size_t)(slash - cfg->config_out)))
        rc = nomem(err);
      if (!rc && old.len)
        rc = mkdirs(old.data, err);
      if (!rc)
        rc = write_atomic(cfg->config_out, conf.data, conf.len, err);
    }
    if (rc)
      goto out;
  }
  rc = write_atomic(stamp.data, want, strlen(want), err);
out:
  for (i = 0; v.pkgs && i < v.lock.n; i++) {
    free(v.pkgs[i].vdir);
    xr_buf_release(&v.pkgs[i].entry);
    xr_buf_release(&v.pkgs[i].stage);
    xr_buf_release(&v.pkgs[i].url);
    xr_buf_release(&v.pkgs[i].src);
    xr_buf_release(&v.pkgs[i].top);
  }
  free(v.pkgs);
  xr_lock_release(&v.lock);
  xr_store_free(own);
  xr_buf_release(&stamp);
  xr_buf_release(&old);
  xr_buf_release(&conf);
  if (stats)
    *stats = st;
  return rc;
}
