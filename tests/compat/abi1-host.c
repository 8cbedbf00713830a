/*
 * A stand-in for the development branch of GNU Make: it exports the gmk_*
 * functions, dlopens the module built against tests/compat/gnumake.h,
 * calls its setup with GMK_ABI_VERSION, calls the functions the module
 * registered, checks what they return and what they evaluate on errors,
 * and calls the unload hook as that Make does before dlclose.
 *
 * usage: abi1-host MODULE.so   (prints "ok ..." lines, exits 0 on success)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnumake.h"

#define MAX_FUNCS 64

struct registered {
  char name[256];
  gmk_func_ptr fn;
  unsigned int min_args, max_args;
};

static struct registered funcs[MAX_FUNCS];
static unsigned nfuncs;
static char evaluated[4096];

void gmk_free(char *str)
{
  free(str);
}

char *gmk_alloc(unsigned int len)
{
  char *p = malloc(len ? len : 1);
  if (!p)
    abort();
  return p;
}

void gmk_eval(const char *buffer, const gmk_floc *floc)
{
  size_t n = strlen(evaluated);
  (void)floc;
  snprintf(evaluated + n, sizeof(evaluated) - n, "%s\n", buffer);
}

char *gmk_expand(const char *str)
{
  char *r = gmk_alloc(1);
  (void)str;
  r[0] = '\0';
  return r;
}

void gmk_add_function(const char *name, gmk_func_ptr func,
                      unsigned int min_args, unsigned int max_args,
                      unsigned int flags)
{
  (void)flags;
  if (nfuncs == MAX_FUNCS)
    abort();
  snprintf(funcs[nfuncs].name, sizeof(funcs[nfuncs].name), "%s", name);
  funcs[nfuncs].fn = func;
  funcs[nfuncs].min_args = min_args;
  funcs[nfuncs].max_args = max_args;
  nfuncs++;
}

static gmk_func_ptr find(const char *name)
{
  unsigned i;
  for (i = 0; i < nfuncs; i++)
    if (!strcmp(funcs[i].name, name))
      return funcs[i].fn;
  return NULL;
}

int main(int argc, char **argv)
{
  int (*setup)(unsigned int, const gmk_floc *);
  void (*unload)(void);
  gmk_floc floc = { "Makefile", 1 };
  char arg0[] = "aarch64-linux", arg1[] = "nonsense";
  char *args[2] = { arg0, NULL };
  gmk_func_ptr fn;
  void *h;
  char *r;
  int fails = 0;

  if (argc != 2)
    return 2;
  h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
  if (!h) {
    printf("not ok - dlopen: %s\n", dlerror());
    return 1;
  }
  *(void **)&setup = dlsym(h, "xrust_gmk_setup");
  *(void **)&unload = dlsym(h, "xrust_gmk_unload");
  if (!setup || !dlsym(h, "plugin_is_GPL_compatible")) {
    printf("not ok - missing setup or plugin_is_GPL_compatible\n");
    return 1;
  }
  if (setup(GMK_ABI_VERSION, &floc) == 0) {
    printf("not ok - setup refused ABI version %d\n", GMK_ABI_VERSION);
    return 1;
  }
  printf("ok - setup accepted ABI version %d\n", GMK_ABI_VERSION);
  fn = find("rust-target");
  if (!fn) {
    printf("not ok - rust-target not registered\n");
    return 1;
  }
  r = fn("rust-target", 1, args);
  if (r && !strcmp(r, "aarch64-unknown-linux-musl")) {
    printf("ok - rust-target aarch64-linux -> %s\n", r);
  } else {
    printf("not ok - rust-target returned '%s'\n", r ? r : "(null)");
    fails++;
  }
  free(r);
  args[0] = arg1;
  r = fn("rust-target", 1, args);
  if (!r && strstr(evaluated, "unknown target 'nonsense'") &&
      strstr(evaluated, "$(error xrust:")) {
    printf("ok - an unknown target raises $(error)\n");
  } else {
    printf("not ok - unknown target: returned '%s', evaluated '%s'\n",
           r ? r : "(null)", evaluated);
    fails++;
  }
  free(r);
  if (unload) {
    unload();
    printf("ok - unload hook called\n");
  } else {
    printf("not ok - no xrust_gmk_unload\n");
    fails++;
  }
  dlclose(h);
  return fails ? 1 : 0;
}
