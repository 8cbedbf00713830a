/*
 * xrust.lock, the toolchain lockfile (module/lib/tclock.c): the resolved
 * plan with the manifest's date and sha256, so later builds install
 * exactly the same bytes without fetching the manifest.
 */
#ifndef XRUST_TCLOCK_H
#define XRUST_TCLOCK_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/manifest.h"

struct xr_buf;

#define XR_TCLOCK_VERSION 1

/*
 * xrust.lock.  REQ_TARGETS and REQ_COMPONENTS are what was asked for
 * (component names as the user wrote them), so coverage can be decided
 * without the manifest's renames.  Artifact URLs are canonical (under
 * the default server; see xr_dist_canonical_url).
 */
struct xr_tclock {
  char *channel;
  char *date;
  char *manifest_sha256;
  char *server;                    /* informational */
  char *host;
  char *profile;
  char **targets;
  size_t ntargets;
  char **components;
  size_t ncomponents;
  struct xr_plan plan;
};

void xr_tclock_init(struct xr_tclock *l);
void xr_tclock_release(struct xr_tclock *l);
/* Sets a string field (a copy); NULL clears it. */
int xr_tclock_set(char **field, const char *value, struct xr_err *err);
/* Appends to a string list unless already there. */
int xr_tclock_list_add(char ***list, size_t *n, const char *value,
                       struct xr_err *err);
int xr_tclock_parse(struct xr_tclock *l, const char *data, size_t len,
                    const char *name, struct xr_err *err);
/* *FOUND is 0 and L stays empty when PATH does not exist. */
int xr_tclock_read(struct xr_tclock *l, const char *path, int *found,
                   struct xr_err *err);
/* The file's text: deterministic (lists and artifacts sorted). */
int xr_tclock_format(const struct xr_tclock *l, struct xr_buf *out,
                     struct xr_err *err);
/* Writes PATH atomically (temporary file in the same directory, rename). */
int xr_tclock_write(const struct xr_tclock *l, const char *path,
                    struct xr_err *err);
/*
 * 1 when L was resolved for CHANNEL (canonical text), HOST and PROFILE
 * (NULL or "" = "minimal") and names every target and component asked
 * for; 0 otherwise (the caller re-resolves and extends the lock).
 */
int xr_tclock_covers(const struct xr_tclock *l, const char *channel,
                     const char *host, const char *profile,
                     const char *const *targets, size_t ntargets,
                     const char *const *components, size_t ncomponents);

#endif
