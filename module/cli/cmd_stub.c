/*
 * `xrust stub SRC DST`: the stub workspace of the dependency layer
 * (naersk's trick).  DST receives the workspace's manifests and Cargo.lock
 * unchanged, and in place of every Rust source of every member an empty
 * file, or `fn main() {}` where cargo expects a main function (binaries,
 * examples, build scripts).  Building DST compiles every dependency
 * exactly as the real workspace would, so the crate layer afterwards only
 * compiles the workspace's own packages.  DST is rebuilt from scratch
 * under a temporary name and renamed into place.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

#define WALK_DEPTH_MAX 32

static int mkdirs(const char *path)
{
  char *p = xr_strdup(path), *s;
  int rc = 0;

  if (!p)
    return -1;
  for (s = p + 1; *s && !rc; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
      rc = -1;
    *s = '/';
  }
  if (!rc && mkdir(p, 0755) != 0 && errno != EEXIST)
    rc = -1;
  free(p);
  return rc;
}

static int write_file(const char *path, const char *text)
{
  struct xr_buf dir = XR_BUF_INIT;
  const char *slash = strrchr(path, '/');
  FILE *f;
  int rc = -1;

  if (slash && (xr_buf_add(&dir, path, (size_t)(slash - path)) ||
                mkdirs(xr_buf_str(&dir))))
    goto out;
  f = fopen(path, "wb");
  if (!f)
    goto out;
  rc = fputs(text, f) < 0 ? -1 : 0;
  if (fclose(f) != 0)
    rc = -1;
out:
  xr_buf_release(&dir);
  return rc;
}

static int copy_file(const char *from, const char *to)
{
  char block[16384];
  FILE *in, *out;
  size_t n;
  int rc = 0;

  in = fopen(from, "rb");
  if (!in)
    return -1;
  out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    return -1;
  }
  for (;;) {
    n = fread(block, 1, sizeof(block), in);
    if (n == 0)
      break;
    if (fwrite(block, 1, n, out) != n)
      rc = -1;
  }
  if (ferror(in))
    rc = -1;
  fclose(in);
  if (fclose(out) != 0)
    rc = -1;
  return rc;
}

static int remove_tree(const char *path, int depth)
{
  struct stat st;
  DIR *d;
  struct dirent *de;
  struct xr_buf child = XR_BUF_INIT;
  int rc = 0;

  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode))
    return unlink(path);
  if (depth > 64)
    return -1;
  d = opendir(path);
  if (!d)
    return -1;
  while (!rc) {
    de = readdir(d);
    if (!de)
      break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    xr_buf_reset(&child);
    if (xr_buf_printf(&child, "%s/%s", path, de->d_name))
      rc = -1;
    else
      rc = remove_tree(xr_buf_str(&child), depth + 1);
  }
  closedir(d);
  xr_buf_release(&child);
  return rc ? rc : rmdir(path);
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
  return bad ? xr_fail(err, XR_ENOMEM, "out of memory") : 0;
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
                     const struct xr_strv *mains, int depth)
{
  struct xr_buf from = XR_BUF_INIT, sub = XR_BUF_INIT, to = XR_BUF_INIT;
  struct dirent *de;
  struct stat st;
  DIR *d;
  int rc = 0;

  if (depth > WALK_DEPTH_MAX)
    return 0;
  if (xr_buf_printf(&from, "%s/%s", src, rel))
    return -1;
  d = opendir(xr_buf_str(&from));
  if (!d) {
    xr_buf_release(&from);
    return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
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
      rc = -1;
      break;
    }
    if (stat(xr_buf_str(&to), &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      rc = stub_tree(src, dst, xr_buf_str(&sub), mains, depth + 1);
      continue;
    }
    len = strlen(de->d_name);
    if (len < 4 || strcmp(de->d_name + len - 3, ".rs"))
      continue;
    xr_buf_reset(&to);
    if (xr_buf_printf(&to, "%s/%s", dst, xr_buf_str(&sub)) ||
        write_file(xr_buf_str(&to), needs_main(xr_buf_str(&sub), mains)
                                        ? "fn main() {}\n" : ""))
      rc = -1;
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
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
    goto out;
  }
  if (mkdirs(xr_buf_str(&out)) || copy_file(manifest, xr_buf_str(&path))) {
    rc = xr_fail(err, XR_EIO, "cannot copy '%s' to '%s': %s", manifest,
                 xr_buf_str(&path), strerror(errno));
    goto out;
  }
  for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    if (stub_tree(xr_buf_str(&mdir), xr_buf_str(&out), dirs[i], &mains,
                  0)) {
      rc = xr_fail(err, XR_EIO, "cannot write stubs of '%s' in '%s': %s",
                   xr_buf_str(&mdir), xr_buf_str(&out), strerror(errno));
      goto out;
    }
  /* Build scripts: the default build.rs and any package.build path. */
  xr_buf_reset(&path);
  if (xr_buf_printf(&path, "%s/build.rs", xr_buf_str(&mdir)) == 0 &&
      access(xr_buf_str(&path), F_OK) == 0)
    xr_strv_push_unique(&mains, "build.rs");
  for (i = 0; i < mains.n; i++) {
    const char *rel = mains.v[i];
    struct stat st;

    if (rel[0] == '/')
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", xr_buf_str(&mdir), rel) ||
        stat(xr_buf_str(&path), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", xr_buf_str(&out), rel) ||
        write_file(xr_buf_str(&path), "fn main() {}\n")) {
      rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", xr_buf_str(&path),
                   strerror(errno));
      goto out;
    }
  }
out:
  xr_strv_release(&mains);
  xr_buf_release(&mdir);
  xr_buf_release(&out);
  xr_buf_release(&path);
  return rc;
}

int xr_cmd_stub(int argc, char **argv)
{
  struct xr_crate c;
  struct xr_err err;
  struct xr_buf tmp = XR_BUF_INIT, lock = XR_BUF_INIT;
  const char *dst;
  size_t i;
  int rc;

  if (argc != 3) {
    fprintf(stderr, "usage: xrust stub SRC DST\n");
    return 2;
  }
  dst = argv[2];
  xr_err_clear(&err);
  rc = xr_crate_read(argv[1], &c, &err);
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  if (access(c.lock, R_OK) != 0) {
    fprintf(stderr, "xrust: cannot read '%s': %s (run 'cargo "
            "generate-lockfile' and commit the lockfile)\n", c.lock,
            strerror(errno));
    rc = 1;
    goto out;
  }
  if (xr_buf_printf(&tmp, "%s.tmp.%ld", dst, (long)getpid()) ||
      xr_buf_printf(&lock, "%s/Cargo.lock", xr_buf_str(&tmp))) {
    fprintf(stderr, "xrust: out of memory\n");
    rc = 1;
    goto out;
  }
  remove_tree(xr_buf_str(&tmp), 0);
  for (i = 0; i < c.manifests.n && !rc; i++)
    rc = stub_member(c.root, c.manifests.v[i], xr_buf_str(&tmp), &err);
  if (!rc && copy_file(c.lock, xr_buf_str(&lock)))
    rc = xr_fail(&err, XR_EIO, "cannot copy '%s': %s", c.lock,
                 strerror(errno));
  if (!rc && (remove_tree(dst, 0) || rename(xr_buf_str(&tmp), dst)))
    rc = xr_fail(&err, XR_EIO, "cannot replace '%s': %s", dst,
                 strerror(errno));
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    remove_tree(xr_buf_str(&tmp), 0);
    rc = 1;
  }
out:
  xr_buf_release(&tmp);
  xr_buf_release(&lock);
  xr_crate_release(&c);
  return rc;
}
