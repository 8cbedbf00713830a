/*
 * The stub workspace of the dependency layer (stub.h), naersk's trick.
 * This file owns which files of a workspace the stub keeps (every
 * member's Cargo.toml, the Cargo.lock), which Rust sources become empty
 * and which need `fn main() {}` (binaries, examples, build scripts, and
 * any target path a manifest names), and building the stub beside its
 * destination before one rename puts it in place.
 */
#include "xrust/stub.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

/* Deeper source trees than this are not walked. */
#define WALK_DEPTH_MAX 32

/* Writes the stub source PATH (its directory made): empty, or a main. */
static int write_stub(const char *path, int main_fn, struct xr_err *err)
{
  static const char text[] = "fn main() {}\n";
  int rc = xr_fs_mkparent(path, err);

  if (!rc)
    rc = xr_fs_write(path, text, main_fn ? sizeof(text) - 1 : 0, 0, err);
  return rc;
}

/* The member-relative paths of targets that need a main function. */
static int main_paths(const char *manifest, struct xr_strv *out,
                      struct xr_err *err)
{
  static const char *const kinds[] = { "bin", "example" };
  struct xr_toml *doc = xr_toml_parse_file(manifest, err);
  const struct xr_toml *v;
  size_t k, i;
  int bad = 0;

  if (!doc)
    return (int)err->code;
  for (k = 0; k < 2; k++) {
    v = xr_toml_get(doc, kinds[k]);
    if (!v || xr_toml_type(v) != XR_TOML_ARRAY)
      continue;
    for (i = 0; i < xr_toml_len(v); i++) {
      const struct xr_toml *p = xr_toml_get(xr_toml_at(v, i), "path");
      if (p && xr_toml_type(p) == XR_TOML_STRING)
        bad |= xr_strv_push(out, xr_toml_str(p));
    }
  }
  v = xr_toml_path(doc, "package.build", NULL);
  if (v && xr_toml_type(v) == XR_TOML_STRING)
    bad |= xr_strv_push(out, xr_toml_str(v));
  xr_toml_free(doc);
  return bad ? xr_nomem(err) : 0;
}

static int needs_main(const char *rel, const struct xr_strv *mains)
{
  const char *base = strrchr(rel, '/');

  base = base ? base + 1 : rel;
  if (!strcmp(base, "main.rs") || !strcmp(rel, "build.rs") ||
      !strncmp(rel, "src/bin/", 8) || !strncmp(rel, "examples/", 9))
    return 1;
  if (xr_strv_has(mains, rel))
    return 1;
  return rel[0] == '.' && rel[1] == '/' && xr_strv_has(mains, rel + 2);
}

/* Writes a stub for every .rs file under SRC/REL into DST/REL. */
static int stub_tree(const char *src, const char *dst, const char *rel,
                     const struct xr_strv *mains, int depth,
                     struct xr_err *err)
{
  struct xr_buf from = XR_BUF_INIT, sub = XR_BUF_INIT, to = XR_BUF_INIT;
  struct dirent *de;
  struct stat st;
  DIR *d;
  int rc = 0;

  if (depth > WALK_DEPTH_MAX)
    return 0;
  if (xr_buf_printf(&from, "%s/%s", src, rel))
    return xr_nomem(err);
  d = opendir(xr_buf_str(&from));
  if (!d) {
    rc = errno == ENOENT || errno == ENOTDIR ? 0
         : xr_fail(err, XR_EIO, "cannot read '%s': %s", from.data,
                   strerror(errno));
    xr_buf_release(&from);
    return rc;
  }
  while (!rc) {
    size_t len;

    de = readdir(d);
    if (!de)
      break;
    if (de->d_name[0] == '.')
      continue;
    xr_buf_reset(&sub);
    xr_buf_reset(&to);
    if (xr_buf_printf(&sub, "%s/%s", rel, de->d_name) ||
        xr_buf_printf(&to, "%s/%s/%s", src, rel, de->d_name)) {
      rc = xr_nomem(err);
      break;
    }
    if (stat(xr_buf_str(&to), &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      rc = stub_tree(src, dst, xr_buf_str(&sub), mains, depth + 1, err);
      continue;
    }
    len = strlen(de->d_name);
    if (len < 4 || strcmp(de->d_name + len - 3, ".rs"))
      continue;
    xr_buf_reset(&to);
    if (xr_buf_printf(&to, "%s/%s", dst, xr_buf_str(&sub)))
      rc = xr_nomem(err);
    else
      rc = write_stub(to.data, needs_main(sub.data, mains), err);
  }
  closedir(d);
  xr_buf_release(&from);
  xr_buf_release(&sub);
  xr_buf_release(&to);
  return rc;
}

static int stub_member(const char *root, const char *manifest,
                       const char *dst, struct xr_err *err)
{
  static const char *const dirs[] = { "src", "examples", "tests", "benches" };
  struct xr_strv mains = XR_STRV_INIT;
  struct xr_buf mdir = XR_BUF_INIT, out = XR_BUF_INIT, path = XR_BUF_INIT;
  size_t rl = strlen(root), i;
  const char *slash = strrchr(manifest, '/');
  int rc;

  if (!slash || strncmp(manifest, root, rl) ||
      (manifest[rl] != '/' && manifest[rl] != '\0'))
    return xr_fail(err, XR_EUSAGE,
                   "workspace member '%s' is outside the workspace '%s'",
                   manifest, root);
  rc = main_paths(manifest, &mains, err);
  if (rc)
    goto out;
  if (xr_buf_add(&mdir, manifest, (size_t)(slash - manifest)) ||
      xr_buf_printf(&out, "%s%s", dst, xr_buf_str(&mdir) + rl) ||
      xr_buf_printf(&path, "%s/Cargo.toml", xr_buf_str(&out))) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_fs_mkdirs(out.data, err);
  if (!rc)
    rc = xr_fs_copy_file(manifest, path.data, 0666, err);
  for (i = 0; !rc && i < sizeof(dirs) / sizeof(dirs[0]); i++)
    rc = stub_tree(mdir.data, out.data, dirs[i], &mains, 0, err);
  if (rc)
    goto out;
  /* Build scripts: the default build.rs and any package.build path. */
  xr_buf_reset(&path);
  if (xr_buf_printf(&path, "%s/build.rs", xr_buf_str(&mdir)) == 0 &&
      access(xr_buf_str(&path), F_OK) == 0)
    xr_strv_push_unique(&mains, "build.rs");
  for (i = 0; i < mains.n; i++) {
    const char *rel = mains.v[i];

    if (rel[0] == '/')
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", xr_buf_str(&mdir), rel) ||
        !xr_fs_is_file(path.data))
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", xr_buf_str(&out), rel)) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = write_stub(path.data, 1, err);
    if (rc)
      goto out;
  }
out:
  xr_strv_release(&mains);
  xr_buf_release(&mdir);
  xr_buf_release(&out);
  xr_buf_release(&path);
  return rc;
}

int xr_stub_workspace(const char *src, const char *dst, struct xr_err *err)
{
  struct xr_crate c;
  struct xr_buf tmp = XR_BUF_INIT, lock = XR_BUF_INIT;
  size_t i;
  int rc;

  rc = xr_crate_read(src, &c, err);
  if (rc)
    return rc;
  if (access(c.lock, R_OK) != 0) {
    rc = xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                 "cannot read '%s': %s (run 'cargo generate-lockfile' and "
                 "commit the lockfile)", c.lock, strerror(errno));
    goto out;
  }
  /* `make clean all` removes the parent after Make decided to run us. */
  rc = xr_fs_mkparent(dst, err);
  if (!rc)
    rc = xr_fs_mkdtemp(dst, &tmp, err);
  if (rc)
    goto out;
  if (xr_buf_printf(&lock, "%s/Cargo.lock", tmp.data))
    rc = xr_nomem(err);
  for (i = 0; !rc && i < c.manifests.n; i++)
    rc = stub_member(c.root, c.manifests.v[i], tmp.data, err);
  if (!rc)
    rc = xr_fs_copy_file(c.lock, lock.data, 0666, err);
  if (!rc)
    rc = xr_fs_rmtree(dst, err);
  if (!rc && rename(tmp.data, dst) != 0)
    rc = xr_fail(err, XR_EIO, "cannot replace '%s': %s", dst,
                 strerror(errno));
  if (rc)
    (void)xr_fs_rmtree(tmp.data, NULL);
out:
  xr_buf_release(&tmp);
  xr_buf_release(&lock);
  xr_crate_release(&c);
  return rc;
}
