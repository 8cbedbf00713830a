/*
 * Rust toolchains from the official dist-server format.  Four plain-C
 * parts and one installer build on each other:
 *
 *   channel.c    rustup's channel names ("stable", "1.96", "1.96.0",
 *                "nightly-2026-05-01", "1.96.0-beta.2-2026-05-01"), the
 *                manifest path dist[/DATE]/channel-rust-<c>.toml, and the
 *                rewrite of https://static.rust-lang.org URLs to the
 *                configured server, so a verbatim mirror works.
 *   manifest.c   a v2 channel manifest parsed into structs, and the plan:
 *                which artifacts (pkg, target, url, sha256, format) make a
 *                toolchain for a host, targets, a profile and components.
 *   toolfile.c   rust-toolchain.toml / legacy rust-toolchain, found by
 *                walking up from a directory.
 *   tclock.c     xrust.lock, the toolchain lockfile: the resolved plan with
 *                the manifest's date and sha256, so later builds install
 *                exactly the same bytes without fetching the manifest.
 *   toolchain_lookup.c  the configuration, and what the lock alone says
 *                (covered? installed?), with no network library.
 *   toolchain.c  xr_toolchain_ensure: lock or manifest -> plan -> store.
 *
 * Archive format.  Decompression, not the transfer, dominates on a fast
 * link (xz decodes about 3x slower than gzip), while on a slow link the
 * bytes dominate.  XRUST_DIST_FORMAT=gz|xz|zst|auto picks; auto means zst
 * when the manifest has it (small and fast to decode), else gz when the
 * server is loopback or file://, else xz.  A format the manifest lacks
 * for an artifact falls back to the next best one that it has.
 *
 * Store layout.  A toolchain is a set of components; each installed
 * component (one rust-installer tarball, extracted with its top directory
 * and installer metadata stripped) is its own immutable store entry
 * XRUST_HOME/v1/components/<sha256 of the tarball>.  A toolchain is
 * XRUST_HOME/v1/toolchains/<id>, id = sha256 over the sorted list of its
 * components' sha256s, assembled by hard-linking (copying where links
 * fail) the component trees into a staging directory and published with
 * one rename.  Adding a target later downloads only the new rust-std; the
 * new id's tree is linked from entries already in the store.  A second
 * request for the same set costs one stat of the published directory.
 */
#ifndef XRUST_TOOLCHAIN_H
#define XRUST_TOOLCHAIN_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/fetch.h"

struct xr_buf;
struct xr_toml;

#define XR_DIST_DEFAULT_SERVER "https://static.rust-lang.org"

/* ---- channel.c ------------------------------------------------------ */

/*
 * A parsed channel name.  NAME is what goes into channel-rust-NAME.toml
 * ("stable", "1.96", "1.96.0", "1.96.0-beta.2"; "1.8" becomes "1.8.0" as
 * rustup does for 1.0 to 1.8).  DATE is "YYYY-MM-DD" or "".  HOST is a
 * trailing target triple rustup allows ("stable-x86_64-unknown-linux-gnu")
 * or "".
 */
struct xr_channel {
  char name[32];
  char date[11];
  char host[96];
};

/*
 * Parses S.  Errors (XR_EUSAGE) say what is wrong: "invalid channel 'x':
 * expected stable, beta, nightly or a version like 1.96.0".
 */
int xr_channel_parse(const char *s, struct xr_channel *ch,
                     struct xr_err *err);
/* The canonical text back: "nightly-2026-05-01", "1.96.0". */
int xr_channel_format(const struct xr_channel *ch, struct xr_buf *out);
/*
 * 1 when CH names one release for good: a date, or a full version
 * ("1.96.0", "1.96.0-beta.2"); 0 for stable, beta, nightly and "1.96".
 */
int xr_channel_is_pinned(const struct xr_channel *ch);
/* Appends "dist[/DATE]/channel-rust-NAME.toml" to OUT. */
int xr_channel_manifest_path(const struct xr_channel *ch, struct xr_buf *out);
/*
 * Appends SERVER (trailing slashes dropped) + "/" + the manifest path.
 * SERVER NULL or "" means the default server.
 */
int xr_channel_manifest_url(const char *server, const struct xr_channel *ch,
                            struct xr_buf *out);
/*
 * Appends URL to OUT with a leading https://static.rust-lang.org replaced
 * by SERVER (trailing slashes dropped), as rustup does for manifest URLs;
 * other URLs are kept.  SERVER NULL or "" keeps every URL.
 */
int xr_dist_rewrite_url(const char *url, const char *server,
                        struct xr_buf *out);
/*
 * The inverse, for lockfiles: a URL under SERVER is written back under
 * the default server, so a lock stays valid against any mirror.
 */
int xr_dist_canonical_url(const char *url, const char *server,
                          struct xr_buf *out);
/* 1 when SERVER is file:// or an http(s) URL on a loopback host. */
int xr_dist_server_is_local(const char *server);

enum xr_dist_format {
  XR_FMT_GZ,
  XR_FMT_XZ,
  XR_FMT_ZST
};

enum xr_format_pref {
  XR_FMT_PREF_AUTO,
  XR_FMT_PREF_GZ,
  XR_FMT_PREF_XZ,
  XR_FMT_PREF_ZST
};

/* "gz", "xz", "zst". */
const char *xr_dist_format_name(enum xr_dist_format f);
/* Parses "gz", "xz", "zst"; -1 for anything else. */
int xr_dist_format_parse(const char *s, enum xr_dist_format *f);
/* Parses XRUST_DIST_FORMAT ("auto", "", NULL = auto); XR_EUSAGE if bad. */
int xr_format_pref_parse(const char *s, enum xr_format_pref *p,
                         struct xr_err *err);
/*
 * Chooses among the formats an artifact has (HAVE is a bit set of
 * 1 << enum xr_dist_format, never 0) following the rule at the top.
 */
enum xr_dist_format xr_dist_format_choose(enum xr_format_pref pref,
                                          const char *server,
                                          unsigned have);

/* ---- manifest.c ----------------------------------------------------- */

/* A {pkg, target} reference from pkg.rust's components or extensions. */
struct xr_mf_ref {
  const char *pkg;
  const char *target;
};

/* pkg.<name>.target.<triple>.  Unset strings are NULL. */
struct xr_mf_target {
  const char *triple;
  int available;
  const char *url, *hash;          /* .tar.gz */
  const char *xz_url, *xz_hash;
  const char *zst_url, *zst_hash;
  struct xr_mf_ref *components;    /* only in pkg.rust */
  size_t ncomponents;
  struct xr_mf_ref *extensions;
  size_t nextensions;
};

struct xr_mf_pkg {
  const char *name;
  const char *version;             /* may be NULL */
  const char *git_commit_hash;     /* may be NULL */
  struct xr_mf_target *targets;
  size_t ntargets;
};

struct xr_mf_rename {
  const char *from, *to;
};

struct xr_mf_profile {
  const char *name;
  const char **components;
  size_t ncomponents;
};

/*
 * A parsed manifest.  Every string points into the TOML tree it owns;
 * everything lives until xr_manifest_release.
 */
struct xr_manifest {
  struct xr_toml *root;
  const char *version;             /* manifest-version, "2" */
  const char *date;                /* "YYYY-MM-DD" */
  struct xr_mf_pkg *pkgs;
  size_t npkgs;
  struct xr_mf_rename *renames;
  size_t nrenames;
  struct xr_mf_profile *profiles;
  size_t nprofiles;
};

void xr_manifest_init(struct xr_manifest *m);
void xr_manifest_release(struct xr_manifest *m);
/*
 * Parses LEN bytes of DATA (NAME in messages).  XR_ETOML for bad TOML,
 * XR_EMANIFEST with NAME:LINE:COLUMN for a well-formed file that is not a
 * v2 manifest.
 */
int xr_manifest_parse(struct xr_manifest *m, const char *data, size_t len,
                      const char *name, struct xr_err *err);
int xr_manifest_parse_file(struct xr_manifest *m, const char *path,
                           struct xr_err *err);

const struct xr_mf_pkg *xr_manifest_pkg(const struct xr_manifest *m,
                                        const char *name);
/* The entry for TRIPLE, else the "*" entry, else NULL. */
const struct xr_mf_target *xr_mf_pkg_target(const struct xr_mf_pkg *p,
                                            const char *triple);
/* renames.<NAME>.to, or NAME itself. */
const char *xr_manifest_rename(const struct xr_manifest *m,
                               const char *name);
const struct xr_mf_profile *xr_manifest_profile(const struct xr_manifest *m,
                                                const char *name);

/*
 * Appends to OUT the pinned form of CH as manifest M resolves it, for a
 * rust-toolchain.toml that must not move: stable and "1.96" become the
 * version of pkg.rust ("1.96.0"), beta and nightly their dated form
 * ("nightly-2026-05-25"); a pinned CH is kept as it is.  A manifest
 * without a usable version or date is an error (XR_EMANIFEST).
 */
int xr_manifest_pin(const struct xr_manifest *m, const struct xr_channel *ch,
                    struct xr_buf *out, struct xr_err *err);

/* One tarball to install. */
struct xr_artifact {
  char *pkg;                       /* "rustc", "rust-std", ... */
  char *target;                    /* a triple or "*" */
  char *url;                       /* as the manifest or lock has it */
  char sha256[65];
  enum xr_dist_format format;
};

struct xr_plan {
  struct xr_artifact *items;
  size_t n;
};

void xr_plan_init(struct xr_plan *p);
void xr_plan_release(struct xr_plan *p);
/* Adds a copy; a second {pkg, target} replaces nothing and returns 0. */
int xr_plan_add(struct xr_plan *p, const char *pkg, const char *target,
                const char *url, const char *sha256,
                enum xr_dist_format format, struct xr_err *err);
/* Sorts by pkg, then target (the lockfile's order). */
void xr_plan_sort(struct xr_plan *p);
/*
 * Writes the toolchain id (hex sha256 over the sorted sha256s, one per
 * line) into ID.
 */
int xr_plan_id(const struct xr_plan *p, char id[65], struct xr_err *err);

struct xr_plan_request {
  const char *channel;             /* for messages; may be NULL */
  const char *host;                /* required */
  const char *const *targets;      /* rust-std for each (host implied) */
  size_t ntargets;
  const char *const *components;   /* extra, through renames */
  size_t ncomponents;
  const char *profile;             /* NULL or "": "minimal" */
  const char *server;              /* decides the auto format */
  enum xr_format_pref format;
};

/*
 * Selects the artifacts for REQ: the profile's components that exist for
 * the host (a missing one is skipped, as rustup does, an unavailable one
 * is an error), rust-std for every target, then the extra components for
 * the host (or "*").  URLs are copied as the manifest has them.  Errors
 * name what is missing, the channel and the manifest date:
 * "component 'rust-std' is not available for target 'x' in channel
 * 1.96.0 (manifest 2026-05-25)".
 */
int xr_manifest_plan(const struct xr_manifest *m,
                     const struct xr_plan_request *req, struct xr_plan *out,
                     struct xr_err *err);

/* ---- toolfile.c ----------------------------------------------------- */

/*
 * rust-toolchain.toml or legacy rust-toolchain.  Unset strings are NULL.
 * TC_PATH (the `path` key) is made absolute relative to the file.
 */
struct xr_toolfile {
  char *file;
  char *channel;
  char *profile;
  char *tc_path;
  char **components;
  size_t ncomponents;
  char **targets;
  size_t ntargets;
};

void xr_toolfile_init(struct xr_toolfile *tf);
void xr_toolfile_release(struct xr_toolfile *tf);
/*
 * Parses the contents of a toolchain file named FILE.  LEGACY is 1 for a
 * file named rust-toolchain, which may also be one line of plain text.
 * Errors read "FILE:LINE:COLUMN: ..." (XR_ETOML).
 */
int xr_toolfile_parse(struct xr_toolfile *tf, const char *file,
                      const char *data, size_t len, int legacy,
                      struct xr_err *err);
/*
 * Walks up from DIR looking for rust-toolchain, then rust-toolchain.toml,
 * in each directory; the first one found is parsed.  *FOUND is 0 when
 * there is none (not an error).
 */
int xr_toolfile_find(struct xr_toolfile *tf, const char *dir, int *found,
                     struct xr_err *err);

/* ---- tclock.c ------------------------------------------------------- */

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

/* ---- toolchain.c ---------------------------------------------------- */

/*
 * Small unverified downloads (a manifest's .sha256, then the manifest,
 * checked against it): append at most MAX bytes of URL to OUT.
 */
typedef int (*xr_tc_get_fn)(void *ctx, const char *url, size_t max,
                            struct xr_buf *out, struct xr_err *err);

struct xr_tc_config {
  struct xr_fetch_config fetch;    /* store root, jobs, offline, output */
  const char *server;              /* NULL or "": the default server */
  enum xr_format_pref format;
  const char *lock_path;           /* xrust.lock to honour and write, or
                                      NULL for none */
  int update;                      /* re-resolve even if the lock covers */
  xr_tc_get_fn get;                /* NULL: built-in (file:// only, until
                                      fetch.h has a text download) */
  void *get_ctx;
};

/* Defaults (fetch config from xr_fetch_config_init), no environment. */
void xr_tc_config_init(struct xr_tc_config *c);
/*
 * Applies the environment: the fetch engine's variables, XRUST_DIST_SERVER
 * (else RUSTUP_DIST_SERVER), XRUST_DIST_FORMAT.  Strings point into the
 * environment.
 */
int xr_tc_config_env(struct xr_tc_config *c, struct xr_err *err);

struct xr_tc_request {
  const char *channel;             /* NULL or "": "stable" */
  const char *host;
  const char *const *targets;
  size_t ntargets;
  const char *const *components;
  size_t ncomponents;
  const char *profile;             /* NULL or "": "minimal" */
};

/*
 * What the lock alone says about REQ (toolchain_lookup.c: no network, no
 * archive library).  COVERED: the lock names everything REQ asks for
 * (never with cfg->update); then DIR is where the toolchain lives and
 * INSTALLED says whether it is there.  Everything is owned; release with
 * xr_tc_lookup_release (also after an error).
 */
struct xr_tc_lookup {
  struct xr_channel ch;            /* the request's channel, host cleared */
  char *channel;                   /* its canonical text */
  char *root;                      /* the store root */
  struct xr_tclock lock;           /* the lock as read (empty if none) */
  int found;                       /* the lockfile exists */
  int covered;
  char *dir;                       /* only when covered */
  int installed;                   /* only when covered */
};

int xr_toolchain_lookup(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req,
                        struct xr_tc_lookup *lk, struct xr_err *err);
void xr_tc_lookup_release(struct xr_tc_lookup *lk);
/* ROOT/v1/toolchains/<id of PLAN>, malloc'd. */
int xr_tc_toolchain_dir(const char *root, const struct xr_plan *plan,
                        char **dir, struct xr_err *err);

/*
 * Makes sure the toolchain for REQ is installed and sets *PATH (malloc'd)
 * to its directory, XRUST_HOME/v1/toolchains/<id>.  The plan comes from
 * the lock when it covers REQ; otherwise the channel manifest is fetched,
 * verified against its .sha256 and planned (a lock for the same channel,
 * host and profile is extended from the manifest of its own date, which
 * must still have the locked sha256).  When the toolchain directory
 * exists this costs a stat; else missing components are downloaded in one
 * parallel batch and extracted while they arrive, each into its store
 * entry, and the toolchain is assembled from them.  The lock, if any, is
 * written once the toolchain is installed and only when it changed.
 */
int xr_toolchain_ensure(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req, char **path,
                        struct xr_err *err);

/*
 * Appends to OUT the pinned form of CHANNEL (xr_manifest_pin).  A pinned
 * CHANNEL needs no network; otherwise its manifest is fetched and
 * verified as xr_toolchain_ensure does, and nothing is installed.
 */
int xr_toolchain_pin(const struct xr_tc_config *cfg, const char *channel,
                     struct xr_buf *out, struct xr_err *err);

#endif
