# cache.mk: the remote layer cache (mk/README.md, "The remote cache").
# Included by layers.mk.  With XRUST_CACHE_URL set, the dependency layer
# (L3) of a cargo project's target is looked up in the cache before it is
# built: on a hit `xrust cache get` unpacks it into the target directory
# and cargo compiles no dependency; on a miss it is built here and, with
# XRUST_CACHE_PUSH=1, uploaded (`xrust cache put`: the layer first, its
# index last).  A cache that is down, slow or wrong costs one warning line
# and a local build, never a failed one.  `make cache-push` uploads the
# layers built so far; `make show V=1` says which the cache holds.
#
# The key (`xrust cache key`) is a digest of KEY/cache-record, written at
# parse time, and of the stub workspace (manifests, stub sources, the
# lockfile).  The record is the config record (layers.mk) with what
# differs between machines replaced by stable names: the toolchain by its
# content-addressed directory name, xrust's mk/ directory, XRUST_OUT and
# XRUST_HOME by placeholders.  The layer is only valid where cargo finds
# the dependencies' sources at the same path, which the stable vendor
# link (xrust__vendor_cmd) provides.
#
# Libraries built for C projects (crate.mk, `c` mode) are not cached:
# their layer also holds what rustc said about native libraries.

xrust__cache_on := $(strip $(XRUST_CACHE_URL))
xrust__cache_push := $(and $(xrust__cache_on),$(filter 1 yes true YES TRUE \
  Yes True,$(XRUST_CACHE_PUSH)))

# Bad values stop the parse, naming the variable, its value and what is
# expected (a typo must not turn the cache off without a word).
ifneq ($(filter-out 0 1 no yes false true NO YES FALSE TRUE No Yes False \
  True,$(XRUST_CACHE_PUSH)),)
$(error xrust: XRUST_CACHE_PUSH='$(XRUST_CACHE_PUSH)': expected 1, yes or \
  true to upload layers, or 0, no, false or empty not to)
endif
ifneq ($(xrust__cache_on),)
ifneq ($(words $(xrust__cache_on)),1)
$(error xrust: XRUST_CACHE_URL='$(xrust__cache_on)': expected one URL)
endif
ifeq ($(filter s3://% http://% https://% file:///%,$(xrust__cache_on)),)
$(error xrust: XRUST_CACHE_URL='$(xrust__cache_on)': expected \
  s3://BUCKET/PREFIX, https://HOST/PATH, http://HOST/PATH or file:///PATH)
endif
endif
# $(call xrust__cached,MODE): non-empty when layers of MODE go through
# the cache.
xrust__cached = $(and $(xrust__cache_on),$(if $(filter c,$(1)),,yes))

# $(call xrust__cache_text,TRIPLE,MODE): the cache record.
xrust__cache_text = format=1 triple=$(1) $(subst $(abspath \
  $(XRUST_HOME)),<home>,$(subst $(xrust__o),<out>,$(subst \
  $(XRUST_MK_DIR),<mk>,$(subst $(XRUST_TOOLCHAIN),<toolchain>/$(notdir \
  $(XRUST_TOOLCHAIN)),$(call xrust__config_text,$(1),$(2))))))

# $(call xrust__cache_key,KEY,X): the command that writes the key of
# X/KEY's dependency layer to X/KEY/cache.key.
xrust__cache_key = $(XRUST_TOOL) cache key '$(2)/$(1)/cache-record' \
  '$(2)/stub' >'$(2)/$(1)/cache.key'

# $(call xrust__cache_get,KEY,X,TRIPLE): looks the layer up; X/KEY/cache.hit
# says it came from the cache.  The tool exits with 1 on a miss and on a
# cache that failed, which it says in one warning line; that marks the
# cache down (X/cache.down) and the other layers of the next 5 minutes
# skip it without a word, so a cache that is down costs one line and one
# timeout, not one per target.  A hit is unpacked into X/KEY/layer, then
# merged into the target directory the targets of X share (layers.mk):
# the triple's part replaces what was there, the host's part fills in
# what is missing (what is there already has the same name, so the same
# inputs).
xrust__cache_get = rm -f '$(2)/$(1)/cache.hit'; if test -z "`find \
  '$(2)/cache.down' -mmin -5 2>/dev/null`" && $(xrust__cache_key); then \
  $(XRUST_TOOL) cache get $(xrust__cache_q) '$(XRUST_CACHE_URL)' \
  "`cat '$(2)/$(1)/cache.key'`" '$(2)/$(1)/layer' 2>'$(2)/$(1)/cache.log' \
  && $(xrust__cache_merge) && touch '$(2)/$(1)/cache.hit'; rm -rf \
  '$(2)/$(1)/layer'; cat '$(2)/$(1)/cache.log' >&2; grep -q \
  '^xrust: warning: cache' '$(2)/$(1)/cache.log' && touch '$(2)/cache.down'; \
  fi; :
xrust__cache_q := $(if $(filter 1 2,$(V)),-v)
xrust__cache_merge = mkdir -p '$(2)/target' && rm -rf '$(2)/target/$(3)' && \
  mv '$(2)/$(1)/layer/$(3)' '$(2)/target/$(3)' && { test ! -d \
  '$(2)/$(1)/layer/$(xrust__profile_dir)' || cp -pRn \
  '$(2)/$(1)/layer/$(xrust__profile_dir)' '$(2)/target/'; }
# What of X/target is TRIPLE's dependency layer (`xrust cache put`).
xrust__cache_only = --only '$(xrust__profile_dir)' --only '$(1)'

# $(call xrust__unless_hit,KEY,X,MODE): the prefix of a command of the
# dependency layer's recipe that a hit skips.
xrust__unless_hit = $(if $(call xrust__cached,$(3)),test -e \
  '$(2)/$(1)/cache.hit' || )

# $(call xrust__cache_put,KEY,X,TRIPLE): uploads X/KEY's layer after a
# local build, unless the cache is marked down; a failure is a warning
# (the tool's line), never a failed build.
xrust__cache_put = { test -n "`find '$(2)/cache.down' -mmin -5 \
  2>/dev/null`" || $(XRUST_TOOL) cache put $(xrust__cache_q) \
  '$(XRUST_CACHE_URL)' "`cat '$(2)/$(1)/cache.key'`" '$(2)/target' \
  $(call xrust__cache_only,$(3)) || :; }

# $(call xrust__cache_push_one,KEY,X,PACKAGES,TRIPLE): pushes X/KEY's
# dependency layer when it is up to date (newer than its config record,
# the stub and the vendor tree), leaving out what the crate layers added
# of the workspace's own PACKAGES; says why when it is not.
xrust__cache_push_one = if test -e '$(2)/$(1)/deps.stamp' && \
  test '$(2)/$(1)/deps.stamp' -nt '$(2)/$(1)/config' && \
  test '$(2)/$(1)/deps.stamp' -nt '$(2)/stub.stamp' && \
  test '$(2)/$(1)/deps.stamp' -nt '$(2)/vendor.stamp'; then \
  $(xrust__cache_key) && $(XRUST_TOOL) cache put $(xrust__cache_q) \
  '$(XRUST_CACHE_URL)' "`cat '$(2)/$(1)/cache.key'`" '$(2)/target' \
  $(call xrust__cache_only,$(4)) $(foreach p,$(3),--exclude-crate '$(p)') \
  || st=1; else \
  echo '  SKIP    $(1): no dependency layer for the current settings (make \
  cross-$(1) first)' >&2; fi;
xrust__no_cache_url = xrust: make cache-push needs XRUST_CACHE_URL, the \
  remote cache (s3://BUCKET/PREFIX, https://HOST/PATH or file:///PATH)

# $(call xrust__cache_mark,KEY,X): for `make show V=1`, whether the
# cache holds X/KEY's dependency layer (shell commands printing one word).
xrust__cache_mark = if test -e '$(2)/$(1)/cache-record' && test -d \
  '$(2)/stub'; then k=$$($(XRUST_TOOL) cache key '$(2)/$(1)/cache-record' \
  '$(2)/stub') && $(XRUST_TOOL) cache has '$(XRUST_CACHE_URL)' "$$k" \
  2>/dev/null; case $$? in 0) echo held;; 1) echo absent;; *) echo \
  unreachable;; esac; else echo 'not keyed yet'; fi
