/*
 * `xrust fetch` and `xrust fetch-batch`: the fetch engine on the command
 * line, for tests, recipes, benchmarks and users.  Both go through the
 * store in XRUST_HOME.  A file target (DEST) appears only once verified; an
 * unpack target (DIR) is extracted into a store staging directory and
 * renamed into place, so it never appears partial either (DIR must not
 * exist yet, and must be on the file system of XRUST_HOME).  `fetch
 * --print URL` writes a small unverified body (metadata) to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/store.h"

struct target {
  char *url, *sha, *dir;  /* owned copies (batch lines) or argv */
  struct xr_buf stage;
  unsigned strip;
};

static int parse_strip(const char *s, unsigned *out)
{
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 64)
    return -1;
  *out = (unsigned)v;
  return 0;
}

/* Makes the staging directory of an unpack target. */
static int stage_for(struct xr_store *s, struct target *t,
                     struct xr_fetch_item *it, struct xr_err *err)
{
  struct stat st;
  int rc;

  if (lstat(t->dir, &st) == 0)
    return xr_fail(err, XR_EUSAGE, "cannot unpack into '%s': it exists",
                   t->dir);
  rc = xr_store_mkstage(s, &t->stage, err);
  if (rc)
    return rc;
  it->unpack_dir = t->stage.data;
  it->unpack.strip = t->strip;
  return 0;
}

/*
 * Runs ITEMS (N of them; TARGETS parallel, may be NULL) and publishes the
 * unpacked trees; prints one error line per failed item.
 */
static int run(struct xr_fetch_config *cfg, struct xr_store *s,
               struct xr_fetch_item *items, struct target *targets,
               size_t n)
{
  struct xr_err err;
  size_t i;
  int rc, failed = 0;

  xr_err_clear(&err);
  cfg->store = s;
  rc = xr_fetch_batch(cfg, items, n, &err);
  for (i = 0; i < n; i++) {
    if (!items[i].status && targets && targets[i].dir)
      items[i].status = xr_store_publish(targets[i].stage.data,
                                         targets[i].dir, &items[i].err);
    if (items[i].status) {
      fprintf(stderr, "xrust: %s\n", items[i].err.msg);
      failed = 1;
    }
  }
  if (rc && !failed)
    fprintf(stderr, "xrust: %s\n", err.msg);
  return rc || failed ? 1 : 0;
}

static int open_store(struct xr_store **s, struct xr_fetch_config *cfg)
{
  struct xr_err err;

  xr_err_clear(&err);
  xr_fetch_config_init(cfg);
  cfg->out = stderr;
  if (xr_fetch_config_env(cfg, &err) || xr_store_open(s, NULL, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  return 0;
}

/* Shared options: -q (quiet), -v (verbose). */
static int common_opt(struct xr_fetch_config *cfg, const char *a)
{
  if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
    cfg->quiet = 1;
    return 1;
  }
  if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
    cfg->verbose = 1;
    return 1;
  }
  return 0;
}

#define PRINT_MAX (16 * 1024 * 1024)

/* `fetch --print URL`: xr_fetch_text to stdout. */
static int print_url(struct xr_fetch_config *cfg, const char *url)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  int status = 1;

  xr_err_clear(&err);
  if (xr_fetch_text(cfg, url, PRINT_MAX, &b, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  if (b.len && fwrite(b.data, 1, b.len, stdout) != b.len) {
    fprintf(stderr, "xrust: cannot write the output: %s\n", strerror(errno));
    goto out;
  }
  status = fflush(stdout) ? 1 : 0;
out:
  xr_buf_release(&b);
  return status;
}

int xr_cmd_fetch(int argc, char **argv)
{
  struct xr_fetch_config cfg;
  struct xr_fetch_item it;
  struct target t;
  struct xr_store *s = NULL;
  struct xr_err err;
  const char *pos[3];
  int i, npos = 0, status = 1, print = 0;

  memset(&t, 0, sizeof(t));
  xr_buf_init(&t.stage);
  xr_fetch_item_init(&it);
  xr_err_clear(&err);
  if (open_store(&s, &cfg))
    goto out;
  for (i = 1; i < argc; i++) {
    if (common_opt(&cfg, argv[i]))
      continue;
    if (!strcmp(argv[i], "--print")) {
      print = 1;
    } else if (!strcmp(argv[i], "--unpack") && i + 1 < argc) {
      t.dir = argv[++i];
    } else if (!strcmp(argv[i], "--strip") && i + 1 < argc) {
      if (parse_strip(argv[++i], &t.strip)) {
        fprintf(stderr, "xrust: invalid --strip '%s'\n", argv[i]);
        goto out;
      }
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "xrust: fetch: unknown option '%s'\n", argv[i]);
      goto out;
    } else if (npos < 3) {
      pos[npos++] = argv[i];
    } else {
      npos = 4;
      break;
    }
  }
  if (print && npos == 1 && !t.dir) {
    status = print_url(&cfg, pos[0]);
    goto out;
  }
  if (print || npos != (t.dir ? 2 : 3)) {
    fprintf(stderr, "usage: xrust fetch [-q] [-v] URL SHA256 DEST\n"
                    "       xrust fetch [-q] [-v] --unpack DIR [--strip N] "
                    "URL SHA256\n"
                    "       xrust fetch [-v] --print URL\n");
    status = 2;
    goto out;
  }
  it.url = pos[0];
  it.sha256 = pos[1];
  if (t.dir) {
    if (stage_for(s, &t, &it, &err)) {
      fprintf(stderr, "xrust: %s\n", err.msg);
      goto out;
    }
  } else {
    it.dest = pos[2];
  }
  status = run(&cfg, s, &it, t.dir ? &t : NULL, 1);
out:
  if (t.stage.data && status)
    (void)xr_fs_rmtree(t.stage.data, NULL);
  xr_buf_release(&t.stage);
  xr_store_free(s);
  return status;
}

/* Splits LINE into at most 4 whitespace-separated fields. */
static int split(char *line, char **f)
{
  int n = 0;
  char *p = line;

  while (*p && n < 5) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p || *p == '#')
      break;
    f[n++] = p;
    while (*p && *p != ' ' && *p != '\t')
      p++;
    if (*p)
      *p++ = '\0';
  }
  return n;
}

int xr_cmd_fetch_batch(int argc, char **argv)
{
  struct xr_fetch_config cfg;
  struct xr_fetch_item *items = NULL;
  struct target *targets = NULL;
  struct xr_store *s = NULL;
  struct xr_err err;
  const char *list = NULL;
  char line[8192];
  size_t n = 0, cap = 0, i, lineno = 0;
  FILE *f = NULL;
  int a, status = 1;

  xr_err_clear(&err);
  if (open_store(&s, &cfg))
    goto out;
  for (a = 1; a < argc; a++) {
    if (common_opt(&cfg, argv[a]))
      continue;
    if (list || (argv[a][0] == '-' && argv[a][1])) {
      list = NULL;
      break;
    }
    list = argv[a];
  }
  if (!list) {
    fprintf(stderr, "usage: xrust fetch-batch [-q] [-v] LISTFILE\n"
                    "  each line: URL SHA256 [UNPACK_DIR [STRIP]]\n");
    status = 2;
    goto out;
  }
  f = strcmp(list, "-") ? fopen(list, "r") : stdin;
  if (!f) {
    fprintf(stderr, "xrust: cannot open '%s': %s\n", list, strerror(errno));
    goto out;
  }
  while (fgets(line, sizeof(line), f)) {
    char *fld[5];
    int nf;

    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    nf = split(line, fld);
    if (!nf)
      continue;
    if (nf < 2 || nf > 4) {
      fprintf(stderr, "xrust: '%s' line %zu: expected URL SHA256 "
              "[UNPACK_DIR [STRIP]]\n", list, lineno);
      goto out;
    }
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      struct xr_fetch_item *ni = realloc(items, nc * sizeof(*ni));
      struct target *nt;

      if (!ni)
        goto nomem;
      items = ni;
      nt = realloc(targets, nc * sizeof(*nt));
      if (!nt)
        goto nomem;
      targets = nt;
      cap = nc;
    }
    xr_fetch_item_init(&items[n]);
    memset(&targets[n], 0, sizeof(targets[n]));
    xr_buf_init(&targets[n].stage);
    n++;
    targets[n - 1].url = xr_strdup(fld[0]);
    targets[n - 1].sha = xr_strdup(fld[1]);
    if (!targets[n - 1].url || !targets[n - 1].sha)
      goto nomem;
    items[n - 1].url = targets[n - 1].url;
    items[n - 1].sha256 = targets[n - 1].sha;
    if (nf >= 3) {
      targets[n - 1].dir = xr_strdup(fld[2]);
      if (!targets[n - 1].dir)
        goto nomem;
      if (nf == 4 && parse_strip(fld[3], &targets[n - 1].strip)) {
        fprintf(stderr, "xrust: '%s' line %zu: invalid strip '%s'\n", list,
                lineno, fld[3]);
        goto out;
      }
      if (stage_for(s, &targets[n - 1], &items[n - 1], &err)) {
        fprintf(stderr, "xrust: %s\n", err.msg);
        goto out;
      }
    }
  }
  status = run(&cfg, s, items, targets, n);
  goto out;
nomem:
  xr_nomem(&err);
  fprintf(stderr, "xrust: %s\n", err.msg);
out:
  if (f && f != stdin)
    fclose(f);
  for (i = 0; i < n; i++) {
    if (targets[i].stage.data && (status || items[i].status))
      (void)xr_fs_rmtree(targets[i].stage.data, NULL);
    xr_buf_release(&targets[i].stage);
    free(targets[i].url);
    free(targets[i].sha);
    free(targets[i].dir);
  }
  free(items);
  free(targets);
  xr_store_free(s);
  return status;
}
