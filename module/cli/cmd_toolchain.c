/*
 * `xrust toolchain ...`: the toolchain resolver on the command line, for
 * debugging, tests and recipes.  Subcommands:
 *
 *   channel-url SERVER CHANNEL    the manifest URL of CHANNEL
 *   plan MANIFEST --host H [--target T]... [--component C]...
 *        [--profile P] [--channel C] [--server S] [--format F]
 *                                 one line per artifact: pkg target
 *                                 format sha256 url (rewritten to S)
 *   file [DIR]                    the nearest toolchain file, as key=value
 *   lock FILE                     checks an xrust.lock and prints it back
 *   install --host H [--channel C] [--target T]... [--component C]...
 *        [--profile P] [--lock FILE] [--update]
 *                                 xr_toolchain_ensure of the toolchain
 *                                 $(rust-toolchain) would choose
 *                                 (toolchain_choice.h); prints the path
 *   pin [CHANNEL]                 the version CHANNEL (default stable)
 *                                 resolves to now: "1.96.0",
 *                                 "nightly-2026-05-25"; installs nothing
 *
 * install and pin read XRUST_HOME, XRUST_DIST_SERVER, XRUST_DIST_FORMAT,
 * XRUST_OFFLINE, XRUST_JOBS and the rest of settings.h like the Make
 * functions do; install also XRUST_CHANNEL and XRUST_PROJECT_DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/manifest.h"
#include "xrust/settings.h"
#include "xrust/strv.h"
#include "xrust/tclock.h"
#include "xrust/toolchain.h"
#include "xrust/toolchain_choice.h"
#include "xrust/toolfile.h"

#define MAX_LIST 256

struct opts {
  const char *host, *profile, *channel, *server, *format, *lock;
  const char *targets[MAX_LIST];
  size_t ntargets;
  const char *components[MAX_LIST];
  size_t ncomponents;
  int update;
  const char *arg;   /* the one positional argument */
};

static int usage_error(const char *msg, const char *arg)
{
  fprintf(stderr, "xrust: toolchain: %s%s%s%s\n", msg, arg ? " '" : "",
          arg ? arg : "", arg ? "'" : "");
  return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
  int i;

  memset(o, 0, sizeof(*o));
  for (i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;

    if (!strcmp(a, "--update")) {
      o->update = 1;
      continue;
    }
    if (a[0] != '-' || a[1] != '-') {
      if (o->arg)
        return usage_error("unexpected argument", a);
      o->arg = a;
      continue;
    }
    if (i + 1 >= argc)
      return usage_error("missing value after", a);
    if (!strcmp(a, "--host"))
      slot = &o->host;
    else if (!strcmp(a, "--profile"))
      slot = &o->profile;
    else if (!strcmp(a, "--channel"))
      slot = &o->channel;
    else if (!strcmp(a, "--server"))
      slot = &o->server;
    else if (!strcmp(a, "--format"))
      slot = &o->format;
    else if (!strcmp(a, "--lock"))
      slot = &o->lock;
    if (slot) {
      *slot = argv[++i];
    } else if (!strcmp(a, "--target") && o->ntargets < MAX_LIST) {
      o->targets[o->ntargets++] = argv[++i];
    } else if (!strcmp(a, "--component") && o->ncomponents < MAX_LIST) {
      o->components[o->ncomponents++] = argv[++i];
    } else {
      return usage_error("unknown option", a);
    }
  }
  return 0;
}

static int fail(const struct xr_err *err)
{
  fprintf(stderr, "xrust: %s\n", err->msg);
  return 1;
}

static int cmd_channel_url(int argc, char **argv)
{
  struct xr_channel ch;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  int rc = 0;

  if (argc != 2)
    return usage_error("usage: xrust toolchain channel-url SERVER CHANNEL",
                       NULL);
  xr_err_clear(&err);
  if (xr_channel_parse(argv[1], &ch, &err))
    return fail(&err);
  if (xr_channel_manifest_url(argv[0], &ch, &b))
    rc = 1;
  else
    printf("%s\n", b.data);
  xr_buf_release(&b);
  return rc;
}

static int cmd_plan(int argc, char **argv)
{
  struct opts o;
  struct xr_manifest m;
  struct xr_plan_request req;
  struct xr_plan plan;
  struct xr_buf url = XR_BUF_INIT;
  struct xr_err err;
  char id[65];
  size_t i;
  int rc;

  rc = parse_opts(argc, argv, &o);
  if (rc)
    return rc;
  if (!o.arg || !o.host)
    return usage_error("usage: xrust toolchain plan MANIFEST --host H "
                       "[--target T]...", NULL);
  xr_err_clear(&err);
  memset(&req, 0, sizeof(req));
  req.channel = o.channel;
  req.host = o.host;
  req.targets = o.targets;
  req.ntargets = o.ntargets;
  req.components = o.components;
  req.ncomponents = o.ncomponents;
  req.profile = o.profile;
  req.server = o.server;
  if (xr_format_pref_parse(o.format, &req.format, &err))
    return fail(&err);
  if (xr_manifest_parse_file(&m, o.arg, &err))
    return fail(&err);
  xr_plan_init(&plan);
  rc = xr_manifest_plan(&m, &req, &plan, &err);
  if (!rc)
    rc = xr_plan_id(&plan, id, &err);
  for (i = 0; !rc && i < plan.n; i++) {
    const struct xr_artifact *a = &plan.items[i];

    xr_buf_reset(&url);
    if (xr_dist_rewrite_url(a->url, o.server, &url)) {
      rc = xr_nomem(&err);
      break;
    }
    printf("%s %s %s %s %s\n", a->pkg, a->target,
           xr_dist_format_name(a->format), a->sha256, url.data);
  }
  if (!rc)
    printf("id %s\n", id);
  xr_buf_release(&url);
  xr_plan_release(&plan);
  xr_manifest_release(&m);
  return rc ? fail(&err) : 0;
}

static void print_list(const char *key, char **v, size_t n)
{
  size_t i;

  printf("%s=", key);
  for (i = 0; i < n; i++)
    printf("%s%s", i ? " " : "", v[i]);
  printf("\n");
}

static int cmd_file(int argc, char **argv)
{
  struct xr_toolfile tf;
  struct xr_err err;
  int found = 0;

  if (argc > 1)
    return usage_error("usage: xrust toolchain file [DIR]", NULL);
  xr_err_clear(&err);
  if (xr_toolfile_find(&tf, argc ? argv[0] : ".", &found, &err))
    return fail(&err);
  if (!found) {
    printf("file=\n");
    return 0;
  }
  printf("file=%s\nchannel=%s\nprofile=%s\npath=%s\n", tf.file,
         tf.channel ? tf.channel : "", tf.profile ? tf.profile : "",
         tf.tc_path ? tf.tc_path : "");
  print_list("targets", tf.targets, tf.ntargets);
  print_list("components", tf.components, tf.ncomponents);
  xr_toolfile_release(&tf);
  return 0;
}

static int cmd_lock(int argc, char **argv)
{
  struct xr_tclock l;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  int found = 0, rc;

  if (argc != 1)
    return usage_error("usage: xrust toolchain lock FILE", NULL);
  xr_err_clear(&err);
  rc = xr_tclock_read(&l, argv[0], &found, &err);
  if (!rc && !found)
    rc = xr_fail(&err, XR_ENOTFOUND, "cannot open '%s': no such file",
                 argv[0]);
  if (!rc)
    rc = xr_tclock_format(&l, &b, &err);
  if (!rc)
    fputs(b.data, stdout);
  xr_buf_release(&b);
  xr_tclock_release(&l);
  return rc ? fail(&err) : 0;
}

/*
 * The toolchain chosen as $(rust-toolchain) chooses it (--channel, else
 * the nearest rust-toolchain.toml above XRUST_PROJECT_DIR or the current
 * directory, else XRUST_CHANNEL, else stable), installed.
 */
static int cmd_install(int argc, char **argv)
{
  struct opts o;
  struct xr_tc_config cfg;
  struct xr_tc_request req;
  struct xr_tc_choice choice;
  struct xr_err err;
  char *path = NULL;
  size_t i;
  int rc;

  rc = parse_opts(argc, argv, &o);
  if (rc)
    return rc;
  if (o.arg || !o.host)
    return usage_error("usage: xrust toolchain install --host H "
                       "[--channel C] [--target T]...", NULL);
  xr_err_clear(&err);
  xr_tc_config_init(&cfg);
  cfg.fetch.out = stderr;
  if (xr_tc_config_env(&cfg, &err))
    return fail(&err);
  if (o.server)
    cfg.server = o.server;
  if (o.format && xr_format_pref_parse(o.format, &cfg.format, &err))
    return fail(&err);
  cfg.lock_path = o.lock;
  cfg.update = o.update;
  xr_tc_choice_init(&choice);
  choice.profile = o.profile;
  for (i = 0; !rc && i < o.ntargets; i++)
    rc = xr_strv_push_unique(&choice.targets, o.targets[i]);
  for (i = 0; !rc && i < o.ncomponents; i++)
    rc = xr_strv_push_unique(&choice.components, o.components[i]);
  if (rc)
    rc = xr_nomem(&err);
  if (!rc)
    rc = xr_tc_choose(&choice, xr_settings_env(), o.channel, &err);
  if (!rc && !choice.path) {
    xr_tc_choice_request(&choice, o.host, &req);
    rc = xr_toolchain_ensure(&cfg, &req, &path, &err);
  }
  if (!rc)
    printf("%s\n", choice.path ? choice.path : path);
  free(path);
  xr_tc_choice_release(&choice);
  return rc ? fail(&err) : 0;
}

static int cmd_pin(int argc, char **argv)
{
  struct xr_tc_config cfg;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  int rc;

  if (argc > 1)
    return usage_error("usage: xrust toolchain pin [CHANNEL]", NULL);
  xr_err_clear(&err);
  xr_tc_config_init(&cfg);
  cfg.fetch.out = stderr;
  rc = xr_tc_config_env(&cfg, &err);
  if (!rc)
    rc = xr_toolchain_pin(&cfg, argc ? argv[0] : NULL, &b, &err);
  if (!rc)
    printf("%s\n", b.data);
  xr_buf_release(&b);
  return rc ? fail(&err) : 0;
}

int xr_cmd_toolchain(int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
  } subs[] = {
    { "channel-url", cmd_channel_url }, { "plan", cmd_plan },
    { "file", cmd_file }, { "lock", cmd_lock }, { "install", cmd_install },
    { "pin", cmd_pin },
  };
  size_t i;

  if (argc < 2)
    return usage_error("expected channel-url, plan, file, lock, install "
                       "or pin", NULL);
  for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
    if (!strcmp(argv[1], subs[i].name))
      return subs[i].fn(argc - 2, argv + 2);
  return usage_error("unknown subcommand", argv[1]);
}
