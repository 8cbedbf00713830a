# rules.mk: the rules for a cargo project (mk/README.md, sections
# "Layers" and "Targets").  Included by xrust.mk when the project
# directory has a Cargo.toml (or XRUST_CRATE_DIR names one).  The layer
# templates of layers.mk, instantiated once per target NAME, and above
# them:
#
#   L5 outputs    $(XRUST_OUT)/NAME/.stamp   <- L4: the binaries, copied
#
# then the goals (cross-NAME, test-NAME, show, dist, ...).  The
# templates here follow layers.mk's rules for spelling `$`.

# universal2-darwin is no triple: it is made of the two Apple targets,
# which get rules (and rust-std) whether XRUST_TARGETS names them or not.
# $(call xrust__uniq,LIST): LIST without repeated words, in order.
xrust__uniq = $(if $(1),$(firstword $(1)) $(call xrust__uniq,$(filter-out \
  $(firstword $(1)),$(1))))
xrust__fat := $(filter universal2-darwin,$(XRUST_TARGETS))
xrust__thin := $(strip $(call xrust__uniq,$(filter-out universal2-darwin,\
  $(XRUST_TARGETS)) $(if $(xrust__fat),aarch64-darwin x86_64-darwin)))
# The triple a name stands for, for show, help and dist.
xrust__triple = $(if $(filter universal2-darwin,$(1)),universal2-apple-darwin,$(rust-target $(1)))

# The toolchain.  $(rust-toolchain) reads the nearest rust-toolchain.toml
# and xrust.lock; a build keeps its answer in $(xrust__x)/toolchain.mk
# with the key of what else decides it (the targets, the settings it
# reads, which toolchain files exist on the way up from the project), so
# that a later parse reads neither file: it checks the key, that the
# toolchain is still installed (one stat), and Make remakes the file, and
# re-executes itself, when a toolchain file or xrust.lock is newer, as for
# crate-vars.mk below.  XRUST_UPDATE and xrust-update always resolve.
ifneq ($(xrust__need_tc),)
ifeq ($(xrust__dry),)
ifneq ($(filter xrust-update,$(xrust__goals)),)
XRUST_UPDATE := 1
endif
# $(call xrust__updirs,DIR): DIR and every directory above it.
xrust__updirs = $(if $(filter-out /,$(1)),$(1) $(call \
  xrust__updirs,$(patsubst %/,%,$(dir $(1)))),/)
# Recursive: the key written after a resolution names the xrust.lock it
# wrote.
xrust__tc_files = $(wildcard $(foreach d,$(call xrust__updirs,$(realpath \
  $(XRUST_PROJECT_DIR))),$(patsubst //%,/%,$(d)/rust-toolchain \
  $(d)/rust-toolchain.toml))) $(wildcard $(XRUST_LOCK))
xrust__tc_key = $(strip targets=$(xrust__thin) host=$(XRUST_HOST) \
  channel=$(XRUST_CHANNEL) home=$(abspath $(XRUST_HOME)) \
  lock=$(XRUST_LOCK) server=$(XRUST_DIST_SERVER) files=$(xrust__tc_files))
xrust__tc_mk := $(xrust__x)/toolchain.mk
# $(call xrust__tc_text,PATH): what toolchain.mk says, `$` and `#`
# escaped: the key and the answer.
xrust__tc_esc = $(subst #,\#,$(subst $$,$$$$,$(1)))
define xrust__tc_text
xrust__tc_was := $(call xrust__tc_esc,$(xrust__tc_key))
xrust__tc_path := $(call xrust__tc_esc,$(1))
endef
ifeq ($(filter 1 yes true,$(XRUST_UPDATE)),)
-include $(xrust__tc_mk)
endif
ifneq ($(and $(if $(subst x$(xrust__tc_key),,x$(xrust__tc_was)),,same),$(wildcard \
  $(xrust__tc_path)/bin/cargo)),)
XRUST_TOOLCHAIN := $(xrust__tc_path)
# A toolchain file newer than the answer: the answer is marked stale and
# Make re-executes itself, so that the parse resolves again (and a bad
# toolchain file stops the parse, as on a first build, not a recipe).
xrust__tc_seen := $(xrust__tc_files)
$(xrust__tc_mk): $(xrust__tc_seen)
	$(call xrust__why,$(notdir $@),$?)
	$(file >$@,xrust__tc_was := stale)
	@:
# No rule makes the toolchain files: an explicit empty one spares Make an
# implicit-rule search for each at every parse.
$(xrust__tc_seen): ;
else
# (No rule then: the file written here must not be remade and re-read.)
XRUST_TOOLCHAIN := $(rust-toolchain $(xrust__thin))
$(call xrust__mkdir,$(xrust__tc_mk))$(file >$(xrust__tc_mk),$(call \
  xrust__tc_text,$(XRUST_TOOLCHAIN)))
endif
endif
endif
XRUST_TOOLCHAIN ?= $(XRUST_HOME)/toolchain-not-resolved-under-make-n
XRUST_CARGO ?= $(XRUST_TOOLCHAIN)/bin/cargo

# ---- the variables of the crate ------------------------------------------

# $(rust-crate) parses every Cargo.toml of the workspace and walks the
# source directories.  A build keeps what it found in a generated
# makefile, $(xrust__x)/crate-vars.mk, together with the list of what it
# read (XRUST_CRATE_INPUTS: the manifests, the package directories and
# every directory listed; a new or deleted file changes its directory's
# time), as Kbuild keeps its .cmd files: a later parse includes it, Make
# remakes it when one of those is newer and re-executes itself, and a
# no-op reads no manifest at all.  The record crate-dir holds the crate
# directory the file was made for (a changed XRUST_CRATE_DIR reads the
# crate again); XRUST_OUT names another file.  The empty rules let an
# input that has gone (a removed member) remake the file instead of
# stopping Make.  Only runs that resolve a toolchain keep the file:
# under `make -n` nothing is written (Make would run the rule that
# remakes an included makefile even then), and help, clean and show read
# the manifests as before.  It comes after the toolchain, whose first
# resolution writes xrust.lock beside a package's Cargo.toml: the
# package's directory is an input.
xrust__crate_dir := $(abspath $(XRUST_CRATE_DIR))
xrust__crate_mk := $(xrust__x)/crate-vars.mk
ifneq ($(and $(xrust__need_tc),$(if $(xrust__dry),,keep)),)
xrust__crate_new := $(call xrust__mkdir,$(xrust__x)/crate-dir)$(rust-filechk \
  $(xrust__x)/crate-dir,$(xrust__crate_dir))$(if $(wildcard \
  $(xrust__crate_mk)),,missing)
ifeq ($(xrust__crate_new),)
include $(xrust__crate_mk)
else
$(rust-crate $(xrust__crate_dir),XRUST_CRATE,$(xrust__crate_mk))
endif
# (The recipe's `:` is a command that runs: Make checks a remade
# makefile's time, and re-executes itself, only after one did.)
$(xrust__crate_mk): $(XRUST_CRATE_INPUTS) $(xrust__x)/crate-dir
	$(call xrust__why,$(notdir $@),$?)
	$(rust-crate $(xrust__crate_dir),XRUST_CRATE,$@)
	@:
$(XRUST_CRATE_INPUTS) $(xrust__x)/crate-dir: ;
else
$(rust-crate $(xrust__crate_dir),XRUST_CRATE)
endif

xrust__bins := $(XRUST_CRATE_BINS)
# What out/NAME/ holds for triple $(1): the binaries (NAME.exe on
# Windows), and the libraries when the package's lib has crate types
# staticlib or cdylib.
xrust__outs = $(strip $(if $(xrust__is_windows),$(addsuffix \
  .exe,$(xrust__bins)),$(xrust__bins)) $(call \
  xrust__libfiles,$(1),$(XRUST_CRATE_NAME),$(XRUST_CRATE_LIBS)))

$(eval $(call xrust__crate_rules,XRUST_CRATE,$(xrust__x)))

# ---- L5 and the goals of a target ------------------------------------------

# $(1): name (out/ subdirectory, cross-NAME), $(2): triple.
define xrust__target_rules
$(xrust__o)/$(1)/.stamp: $(xrust__x)/$(1)/crate.stamp
	$$(call xrust__say,OUT,$(XRUST_OUT)/$(1)/)
	$(xrust__q)mkdir -p '$(xrust__o)/$(1)'
	$(xrust__q)$(foreach b,$(call xrust__outs,$(2)),\
	  cp -f '$(xrust__x)/target/$(2)/$(xrust__profile_dir)/$(b)' \
	    '$(xrust__o)/$(1)/$(b).tmp' && \
	  mv -f '$(xrust__o)/$(1)/$(b).tmp' '$(xrust__o)/$(1)/$(b)' &&) :
	$(xrust__q)touch $$@

.PHONY: cross-$(1) test-$(1)
cross-$(1): $(xrust__o)/$(1)/.stamp

# A macOS test binary cannot run here unless this is a Mac, a Windows
# one without Wine: its tests are built, not run, and the recipe says so.
test-$(1): $(xrust__x)/$(1)/deps.stamp
	$$(call xrust__check_linker,$(2))
	$$(call xrust__say,TEST,$(XRUST_CRATE_NAME) ($(1)))
	$(xrust__plus)$(xrust__q)cd '$(XRUST_CRATE_DIR)' && \
	  $$(call xrust__cargo_env,$(2),,$(XRUST_CRATE_ROOT)) \
	  '$(XRUST_CARGO)' test $$(call xrust__cargo_args,$(2),$(xrust__x)) \
	  --target-dir '$(xrust__x)/target'$$(if $$(call \
	  xrust__no_run,$(2)), --no-run && echo 'xrust: $(1): tests built but not \
	  run: a $(XRUST_HOST) host cannot run $(2) binaries$$(if $$(call \
	  xrust__is_windows,$(2)), without Wine (Debian/Ubuntu: apt-get install \
	  wine wine64))' >&2)
endef

# Tests of an Apple triple run on a Mac only; those of a Windows triple
# under Wine (xrust__runner), looked for when the recipe runs.
xrust__no_run = $(or $(and $(xrust__is_apple),$(if $(call \
  xrust__is_apple,$(XRUST_HOST)),,no)),$(and $(xrust__is_windows),$(if \
  $(xrust__runner),,no)))

# $(call xrust__names,NAMES): the targets with rules NAMES stands for, in
# order, once each (universal2-darwin stands for both Apple targets).
xrust__names = $(filter $(xrust__thin) host,$(call xrust__uniq,$(patsubst \
  universal2-darwin,$(xrust__fat_in),$(1))))

# Which targets get their rules.  Expanding and reading a target's
# templates is most of a no-op's parse (about two million instructions a
# target), so a run whose goals are all named per target (cross-NAME,
# test-NAME) or need no target's rules (toolchain, vendor, xrust-update,
# show, help, clean) gets the rules of the targets it names only: `make
# cross-x86_64-linux` reads one target's rules, not those of every target
# in XRUST_TARGETS.  Any other goal (cross-all, dist, a file, a goal of
# the user's Makefile, no goal at all, where the user's default goal may
# be their own) gets every target's.
xrust__own_goals := $(foreach n,$(xrust__thin) host $(xrust__fat),cross-$(n) \
  test-$(n)) toolchain vendor xrust-update show help clean
xrust__lazy := $(and $(MAKECMDGOALS),$(if $(filter-out \
  $(xrust__own_goals),$(MAKECMDGOALS)),,yes))
xrust__ruled := $(if $(xrust__lazy),$(call xrust__names,$(patsubst \
  cross-%,%,$(patsubst test-%,%,$(filter cross-% test-%,$(MAKECMDGOALS))))),$(xrust__thin) \
  host)
$(foreach n,$(xrust__ruled),$(eval $(call xrust__layer_rules,$(n),$(if $(filter \
  host,$(n)),$(XRUST_HOST),$(rust-target $(n))),XRUST_CRATE,$(xrust__x)))$(eval \
  $(call xrust__target_rules,$(n),$(if $(filter host,$(n)),$(XRUST_HOST),$(rust-target \
  $(n))))))
$(if $(xrust__fat),$(eval $(xrust__universal2_rules)))

# The targets share one cargo target directory (layers.mk): the cargo
# runs this run's goals ask for go in a row, every dependency layer
# first (the first compiles the host's artefacts, the others find them
# fresh), then the crate layers, then the tests.  A name a goal builds:
# cross-NAME, test-NAME (tests only), cross-all, test-all, dist, all.
xrust__wanted_built = $(foreach g,$(xrust__goals),$(if $(filter cross-all \
  dist,$(g)),$(XRUST_TARGETS))$(if $(filter all,$(g)),host) $(patsubst \
  cross-%,%,$(filter cross-%,$(g))))
xrust__wanted_tested = $(foreach g,$(xrust__goals),$(if $(filter \
  test-all,$(g)),$(XRUST_TARGETS)) $(patsubst test-%,%,$(filter \
  test-%,$(g))))
xrust__built := $(call xrust__names,$(xrust__wanted_built))
xrust__tested := $(call xrust__names,$(xrust__wanted_tested))
$(call xrust__serialize,$(foreach n,$(call xrust__uniq,$(xrust__built) \
  $(xrust__tested)),$(xrust__x)/$(n)/deps.stamp) $(foreach \
  n,$(xrust__built),$(xrust__x)/$(n)/crate.stamp) $(addprefix \
  test-,$(xrust__tested)))

# ---- user-facing goals -----------------------------------------------------

.PHONY: all cross-all test-all vendor toolchain xrust-update show dist \
        clean help cache-push
all: cross-host
cross-all: $(addprefix cross-,$(XRUST_TARGETS))
test-all: $(addprefix test-,$(XRUST_TARGETS))
vendor: $(xrust__x)/vendor.stamp
toolchain xrust-update:
	@echo '$(XRUST_TOOLCHAIN)'

# The tree of outputs, like `nix flake show`; reads nothing but the disk.
show:
	@echo '$(XRUST_CRATE_NAME) $(XRUST_CRATE_VERSION)'
	@$(foreach n,host $(XRUST_TARGETS),printf '%s %-24s %-28s %s\n' \
	  '$(if $(filter $(n),$(lastword host $(XRUST_TARGETS))),└──,├──)' \
	  '$(if $(filter host,$(n)),all,cross-$(n))' \
	  '$(if $(filter host,$(n)),$(XRUST_HOST),$(call xrust__triple,$(n)))' \
	  '$(foreach b,$(call xrust__outs,$(if $(filter host,$(n)),$(XRUST_HOST),$(call \
	  xrust__triple,$(n)))),$(XRUST_OUT)/$(n)/$(b)$(if $(wildcard \
	  $(xrust__o)/$(n)/$(b)),, (not built)))';$(if $(xrust__show_cache), \
	  printf '    cache: dependency layer %s\n' "$$($(call \
	  xrust__cache_mark,$(n),$(xrust__x)))";))
# make show V=1 with a cache: which dependency layers the cache holds.
xrust__show_cache := $(and $(filter 1 2,$(V)),$(xrust__cache_on))

# The dependency layers built so far, to the cache (cache.mk).
cache-push:
	$(if $(xrust__cache_on),,$(error $(xrust__no_cache_url)))
	$(call xrust__say,PUSH,$(XRUST_CACHE_URL))
	$(xrust__q)st=0; $(foreach n,$(xrust__thin) host,$(call \
	  xrust__cache_push_one,$(n),$(xrust__x),$(XRUST_CRATE_PACKAGES),$(if \
	  $(filter host,$(n)),$(XRUST_HOST),$(rust-target $(n))))) \
	  exit $$st

# Reproducible archives: sorted entries, owner 0, mtimes from
# SOURCE_DATE_EPOCH or the last commit.  git is asked once, when the first
# archive's recipe needs the value, and not at all by a run that makes no
# archive: the variable replaces itself with a simple one on first use.
xrust__commit_time = $(shell git -C '$(XRUST_CRATE_DIR)' log -1 \
  --format=%ct 2>/dev/null || echo 0)
SOURCE_DATE_EPOCH ?= $(eval SOURCE_DATE_EPOCH := \
  $(xrust__commit_time))$(SOURCE_DATE_EPOCH)
# Windows targets get a .zip, as users there expect, the others a
# .tar.gz.
xrust__dist = $(xrust__o)/dist/$(XRUST_CRATE_NAME)-$(XRUST_CRATE_VERSION)-$(1).$(if \
  $(xrust__is_windows),zip,tar.gz)
define xrust__dist_rule
$(call xrust__dist,$(2)): $(xrust__o)/$(1)/.stamp
	$$(call xrust__say,DIST,$$(notdir $$@))
	$(xrust__q)mkdir -p '$(xrust__o)/dist'
	$(xrust__q)$(if $(call xrust__is_windows,$(2)),$(call \
	  xrust__zip,$(1),$(2)),tar --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime=@$$(SOURCE_DATE_EPOCH) -C '$(xrust__o)/$(1)' -cf - \
	  $(call xrust__outs,$(2)) | gzip -n >$$@.tmp && mv -f $$@.tmp $$@)
endef
# $(call xrust__zip,NAME,TRIPLE): the shell commands that pack the outputs
# of NAME into $@ as a reproducible zip: a copy of each file dated
# SOURCE_DATE_EPOCH (zip keeps local DOS times, hence TZ=UTC, and none
# before 1980, hence the floor), entries sorted, without zip's extra
# fields (-X: no uid, gid or extended times) nor directory entries (-D).
xrust__zip = command -v zip >/dev/null || { echo 'xrust: make dist packs \
  $(1) into a .zip, which needs zip, not on PATH (Debian/Ubuntu: apt-get \
  install zip)' >&2; exit 1; }; \
  s='$(xrust__o)/.xrust/$(1)/zip' && rm -rf "$$$$s" && mkdir -p "$$$$s" && \
  cp $(foreach b,$(call xrust__outs,$(2)),'$(xrust__o)/$(1)/$(b)') "$$$$s/" && \
  t=$$(SOURCE_DATE_EPOCH) && { [ "$$$$t" -ge 315532800 ] || t=315532800; } && \
  touch -d "@$$$$t" "$$$$s"/* && rm -f $$@.tmp && (cd "$$$$s" && TZ=UTC \
  zip -q -X -D -9 $$@.tmp $(sort $(call xrust__outs,$(2)))) && rm -rf "$$$$s" && \
  mv -f $$@.tmp $$@
$(if $(xrust__lazy),,$(foreach n,$(XRUST_TARGETS),$(eval $(call \
  xrust__dist_rule,$(n),$(call xrust__triple,$(n))))))
xrust__dists := $(foreach n,$(XRUST_TARGETS),$(call \
  xrust__dist,$(call xrust__triple,$(n))))
dist: $(xrust__o)/dist/SHA256SUMS
$(xrust__o)/dist/SHA256SUMS: $(xrust__dists)
	$(call xrust__say,SUMS,$@)
	$(xrust__q)cd '$(xrust__o)/dist' && sha256sum $(notdir $^) >$@.tmp && \
	  mv -f $@.tmp $@

clean:
	$(call xrust__say,CLEAN,$(XRUST_OUT))
	$(xrust__q)rm -rf '$(xrust__o)'

xrust__help = printf '  %-26s %s\n' $(1) $(2);
help:
	@echo 'xrust targets for $(XRUST_CRATE_NAME) $(XRUST_CRATE_VERSION):'
	@$(call xrust__help,'make','host build into $(XRUST_OUT)/host/')
	@$(foreach n,$(XRUST_TARGETS),$(call xrust__help,'make cross-$(n)',\
	  '$(call xrust__triple,$(n)) into $(XRUST_OUT)/$(n)/'))
	@$(call xrust__help,'make -jN cross-all','every target in XRUST_TARGETS')
	@$(call xrust__help,'make test-NAME','cargo test for NAME (qemu for foreign CPUs)')
	@$(call xrust__help,'make show','the tree of outputs')
	@$(call xrust__help,'make dist','$(XRUST_OUT)/dist/*.tar.gz (*.zip for Windows) and SHA256SUMS')
	@$(call xrust__help,'make vendor','only the vendored crates')
	@$(call xrust__help,'make toolchain','only the toolchain (prints its path)')
	@$(call xrust__help,'make xrust-update','re-resolve the channel and rewrite xrust.lock')
	@$(call xrust__help,'make cache-push','push the dependency layers built so far to XRUST_CACHE_URL')
	@$(call xrust__help,'make clean','remove $(XRUST_OUT)/')
	@echo 'knobs: XRUST_TARGETS XRUST_CHANNEL XRUST_PROFILE XRUST_FEATURES'
	@echo '  XRUST_NO_DEFAULT_FEATURES XRUST_CARGO_FLAGS XRUST_OUT XRUST_HOME'
	@echo '  XRUST_DIST_SERVER XRUST_CRATES_DL XRUST_OFFLINE XRUST_JOBS'
	@echo '  XRUST_MACOS_SDK MACOSX_DEPLOYMENT_TARGET XRUST_WINDOWS_LINKER XRUST_CACHE_URL'
	@echo '  XRUST_CACHE_PUSH XRUST_VENDOR_LINKS V=0|1|2'
