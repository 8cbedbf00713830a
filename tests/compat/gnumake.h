/*
 * The loadable-object interface of GNU Make's development branch (after
 * 4.4.1), written from its documentation for the ABI test: the setup
 * function receives GMK_ABI_VERSION before the file location, and an
 * optional <name>_gmk_unload function is called before the object is
 * closed.  tests/make/abi.sh compiles module/plugin/plugin.c against this
 * header and loads the result into abi1-host.c, which plays the part of
 * Make.
 */
#ifndef XRUST_COMPAT_GNUMAKE_H
#define XRUST_COMPAT_GNUMAKE_H

#define GMK_ABI_VERSION 1

typedef struct {
  const char *filenm;
  unsigned long lineno;
} gmk_floc;

typedef char *(*gmk_func_ptr)(const char *nm, unsigned int argc,
                              char **argv);

#define GMK_EXPORT

GMK_EXPORT void gmk_free(char *str);
GMK_EXPORT char *gmk_alloc(unsigned int len);
GMK_EXPORT void gmk_eval(const char *buffer, const gmk_floc *floc);
GMK_EXPORT char *gmk_expand(const char *str);
GMK_EXPORT void gmk_add_function(const char *name, gmk_func_ptr func,
                                 unsigned int min_args,
                                 unsigned int max_args, unsigned int flags);

#define GMK_FUNC_DEFAULT 0x00
#define GMK_FUNC_NOEXPAND 0x01

#endif
