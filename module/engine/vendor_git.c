/*
 * The git sources of vendoring (vendor_priv.h): git packages are obtained
 * with the `git` program, never a library and never a shell: a bare clone
 * per repository in v1/git/db/ (fetched again when the locked commit is
 * missing), the locked commit exported with `git archive` and unpacked
 * into v1/git/checkouts/, the package found in the checkout by name, and
 * its tree copied by hard links into a store entry of its own with the
 * manifest normalised as cargo vendor does (workspace inheritance
 * resolved, sibling git packages rewritten to ../<their directory>).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vendor_priv.h"
#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/progress.h"
#include "xrust/sha256.h"
#include "xrust/store.h"

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


int xr_vendor_git_url_ok(const char *url)
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


/* What copy_package leaves out; NOMEM is set when a check could not be
 * made. */
struct package_filter {
  struct xr_buf manifest;
  int nomem;
};

/*
 * The tree of a package as cargo vendor takes it: no .git anywhere, no
 * target/, Cargo.toml (written separately) or .cargo-checksum.json at
 * the top, and no nested package (a directory with its own Cargo.toml).
 */
static int package_skip(void *ctx, const char *rel, const char *src,
                        const struct stat *st, int depth)
{
  struct package_filter *f = ctx;
  const char *name = strrchr(rel, '/');

  name = name ? name + 1 : rel;
  if (!strcmp(name, ".git"))
    return 1;
  if (depth == 0 && (!strcmp(name, "target") ||
                     !strcmp(name, "Cargo.toml") ||
                     !strcmp(name, ".cargo-checksum.json")))
    return 1;
  if (!S_ISDIR(st->st_mode))
    return 0;
  xr_buf_reset(&f->manifest);
  if (xr_buf_printf(&f->manifest, "%s/Cargo.toml", src)) {
    f->nomem = 1;
    return 1;
  }
  return access(f->manifest.data, F_OK) == 0;
}

/* Hard-links (or copies) the package tree SRC into DST. */
static int copy_package(const char *src, const char *dst,
                        struct xr_err *err)
{
  struct package_filter f = { XR_BUF_INIT, 0 };
  int rc = xr_fs_link_tree(src, dst, 0, package_skip, &f, err);

  if (!rc && f.nomem)
    rc = xr_nomem(err);
  xr_buf_release(&f.manifest);
  return rc;
}

/* 1 when P is a git package of the lockfile being vendored. */
static int is_git(const struct xr_vendor_pkg *p)
{
  return p->lp && p->lp->kind == XR_SRC_GIT;
}

/* Path rewriting for git packages: a sibling becomes ../<its vdir>. */
struct git_ctx {
  struct xr_vendor_run *v;
};

static char *git_rewrite(void *ctx, const char *dep_dir, int *failed)
{
  struct git_ctx *g = ctx;
  struct xr_buf out = XR_BUF_INIT;
  size_t i;

  (void)failed;
  for (i = 0; i < g->v->lock.n; i++) {
    struct xr_vendor_pkg *p = &g->v->pkgs[i];

    if (!is_git(p) || !p->src.data || strcmp(p->src.data, dep_dir))
      continue;
    if (xr_buf_printf(&out, "../%s", p->vdir))
      break;
    return xr_buf_detach(&out);
  }
  xr_buf_release(&out);
  return NULL;
}

/* Makes sure the bare repository DB has COMMIT, cloning or fetching. */
static int git_db(struct xr_vendor_run *v, const struct xr_lock_pkg *lp,
                  const char *db, struct xr_err *err)
{
  const char *git = v->cfg->git ? v->cfg->git : "git";
  struct xr_buf stage = XR_BUF_INIT, spec = XR_BUF_INIT;
  struct xr_err probe;
  int rc = 0;

  if (xr_buf_printf(&spec, "%s^{commit}", lp->commit))
    return xr_nomem(err);
  if (xr_fs_is_dir(db)) {
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
  xr_progress_say(&v->pr, "GIT", "%s", lp->url);
  if (!xr_fs_is_dir(db)) {
    char *argv[] = { (char *)git, "clone", "--bare", "--quiet", "--",
                     lp->url, NULL, NULL };
    struct xr_buf what = XR_BUF_INIT;

    rc = xr_store_mkstage(v->s, &stage, err);
    if (rc)
      goto out;
    (void)rmdir(stage.data);
    argv[6] = stage.data;
    if (xr_buf_printf(&what, "git clone '%s'", lp->url)) {
      rc = xr_nomem(err);
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
  if (stage.len && xr_fs_is_dir(stage.data)) {
    struct xr_err ignored;

    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  xr_buf_release(&stage);
  xr_buf_release(&spec);
  return rc;
}

/* Exports COMMIT of DB into the store tree CHECKOUT. */
static int git_checkout(struct xr_vendor_run *v, const struct xr_lock_pkg *lp,
                        const char *db, const char *checkout,
                        struct xr_err *err)
{
  const char *git = v->cfg->git ? v->cfg->git : "git";
  struct xr_buf stage = XR_BUF_INIT, tar = XR_BUF_INIT;
  int rc, fd = -1;

  if (xr_fs_is_dir(checkout))
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
  if (rc && stage.data && xr_fs_is_dir(stage.data)) {
    struct xr_err ignored;

    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  xr_buf_release(&stage);
  xr_buf_release(&tar);
  return rc;
}

/*
 * The checkout of git package P at its locked commit, in the store, under
 * the repository's lock: P->top is the checkout, P->src the package's
 * directory in it.
 */
static int checkout_pkg(struct xr_vendor_run *v, struct xr_vendor_pkg *p,
                        struct xr_err *err)
{
  const struct xr_lock_pkg *lp = p->lp;
  struct xr_buf rel = XR_BUF_INIT, db = XR_BUF_INIT, co = XR_BUF_INIT;
  struct xr_store_lock lk = XR_STORE_LOCK_INIT;
  char uh[XR_SHA256_HEX];
  int rc;

  rc = xr_sha256_mem(lp->url, strlen(lp->url), uh, err);
  if (!rc && xr_buf_printf(&rel, "git-%.16s", uh))
    rc = xr_nomem(err);
  if (!rc)
    rc = xr_store_lock(v->s, rel.data, &lk, err);
  if (rc)
    goto out;
  xr_buf_reset(&rel);
  if (xr_buf_printf(&rel, "git/db/%.16s", uh) ||
      xr_store_path(v->s, rel.data, &db)) {
    rc = xr_nomem(err);
  } else {
    xr_buf_reset(&rel);
    if (xr_buf_printf(&rel, "git/checkouts/%.16s-%s", uh, lp->commit) ||
        xr_store_path(v->s, rel.data, &co))
      rc = xr_nomem(err);
  }
  if (!rc && !xr_fs_is_dir(co.data))
    rc = git_db(v, lp, db.data, err);
  if (!rc)
    rc = git_checkout(v, lp, db.data, co.data, err);
  xr_store_unlock(&lk);
  if (!rc && xr_buf_adds(&p->top, co.data))
    rc = xr_nomem(err);
  if (!rc)
    rc = xr_crate_find_package(co.data, lp->name, &p->src, err);
  if (rc)
    rc = xr_err_prefix(err, "git package '%s' %s: ", lp->name,
                       lp->version);
out:
  xr_buf_release(&rel);
  xr_buf_release(&db);
  xr_buf_release(&co);
  return rc;
}

/*
 * The store entry of git package P (once checked out): its tree without
 * nested packages, the normalised manifest as Cargo.toml and the original
 * beside it as Cargo.toml.orig, named after the commit and the manifest's
 * digest.  P->entry is where it is.
 */
static int entry_pkg(struct xr_vendor_run *v, struct xr_vendor_pkg *p,
                     struct xr_err *err)
{
  const struct xr_lock_pkg *lp = p->lp;
  struct xr_buf manifest = XR_BUF_INIT, norm = XR_BUF_INIT;
  struct xr_buf rel = XR_BUF_INIT, stage = XR_BUF_INIT, path = XR_BUF_INIT;
  struct git_ctx g;
  char mh[XR_SHA256_HEX];
  int rc;

  g.v = v;
  if (xr_buf_printf(&manifest, "%s/Cargo.toml", p->src.data)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_crate_normalize(manifest.data, p->top.data, git_rewrite, &g,
                          &norm, err);
  if (!rc)
    rc = xr_sha256_mem(norm.data, norm.len, mh, err);
  if (!rc && (xr_buf_printf(&rel, "crates/%s-%s-git-%.12s-%.12s",
                            lp->name, lp->version, lp->commit, mh) ||
              xr_store_path(v->s, rel.data, &p->entry)))
    rc = xr_nomem(err);
  if (rc || xr_fs_is_dir(p->entry.data))
    goto out;
  rc = xr_store_mkstage(v->s, &stage, err);
  if (!rc)
    rc = copy_package(p->src.data, stage.data, err);
  if (!rc && xr_buf_printf(&path, "%s/Cargo.toml", stage.data))
    rc = xr_nomem(err);
  if (!rc)
    rc = xr_fs_write(path.data, norm.data, norm.len, 0, err);
  if (!rc && xr_buf_adds(&path, ".orig"))
    rc = xr_nomem(err);
  if (!rc && link(manifest.data, path.data) != 0)
    rc = xr_store_copy_out(manifest.data, path.data, err);
  if (!rc)
    rc = xr_vendor_write_checksum(stage.data, NULL, err);
  if (!rc)
    rc = xr_store_publish(stage.data, p->entry.data, err);
  if (rc && stage.data && xr_fs_is_dir(stage.data))
    (void)xr_fs_rmtree(stage.data, NULL);
  if (rc)
    rc = xr_err_prefix(err, "git package '%s' %s: ", lp->name,
                       lp->version);
out:
  xr_buf_release(&manifest);
  xr_buf_release(&norm);
  xr_buf_release(&rel);
  xr_buf_release(&stage);
  xr_buf_release(&path);
  return rc;
}

int xr_vendor_git(struct xr_vendor_run *v, struct xr_err *err)
{
  size_t i;
  int rc = 0;

  /* First every checkout, so that siblings can be found by path. */
  for (i = 0; !rc && i < v->lock.n; i++)
    if (is_git(&v->pkgs[i]))
      rc = checkout_pkg(v, &v->pkgs[i], err);
  for (i = 0; !rc && i < v->lock.n; i++)
    if (is_git(&v->pkgs[i]))
      rc = entry_pkg(v, &v->pkgs[i], err);
  return rc;
}
