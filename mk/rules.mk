# rules.mk: the rules for a cargo project (mk/README.md, sections
# "Layers" and "Targets").  Included by xrust.mk when the project
# directory has a Cargo.toml (or XRUST_CRATE_DIR names one).  Every layer
# is a stamp file:
#
#   L1 toolchain  $(XRUST_TOOLCHAIN), from $(rust-toolchain) at parse time
#   L2 vendor     $(XRUST_OUT)/.xrust/vendor.stamp      <- Cargo.lock
#   -  stub       $(XRUST_OUT)/.xrust/stub.stamp        <- manifests, lock
#   L3 deps       $(XRUST_OUT)/.xrust/NAME/deps.stamp   <- L1 L2 stub config
#   L4 crate      $(XRUST_OUT)/.xrust/NAME/crate.stamp  <- L3, sources (.d)
#   L5 outputs    $(XRUST_OUT)/NAME/.stamp              <- L4
#
# NAME/config records what else a build depends on (toolchain, profile,
# features, flags, RUSTFLAGS, SDK); it is rewritten only when its content
# changes, so only a real change rebuilds L3 and L4.  The dependency layer
# builds the workspace with stub sources (naersk's trick), so editing the
# crate never recompiles a dependency.
#
# The per-target rules come from templates (`define` blocks instantiated
# with $(eval $(call TEMPLATE,ARGS))), which Make expands twice, so a
# template spells `$` in one of three ways:
#
#   $(1), $(x)  expanded by $(call), once per target at parse time: the
#               arguments, and values fixed for the whole run (paths, the
#               toolchain, the profile, the quiet prefix $(xrust__q));
#   $$(x)       left for $(eval) to read as $(x), which Make expands in
#               a recipe just before running it: automatic variables ($$@,
#               $$?) and the helpers of a recipe (xrust__say, xrust__why,
#               xrust__cargo_env, and the linker check, which must stop
#               only a build that needs the missing compiler, not every
#               parse);
#   $$$$        a `$` that reaches the shell.  The templates need none: a
#               list known at parse time is spelled out with $(foreach).
#
# Outside templates, recipes and recursive (`=`) variables use one `$`
# for Make and `$$` for the shell, as usual.

xrust__o := $(abspath $(XRUST_OUT))
xrust__x := $(xrust__o)/.xrust
xrust__vendor := $(xrust__o)/vendor
xrust__cargo_config := $(xrust__x)/cargo-config.toml

# Goals that must never touch the network nor need a toolchain.
xrust__offline_goals := help clean show init
xrust__goals := $(if $(MAKECMDGOALS),$(MAKECMDGOALS),all)
xrust__need_tc := $(filter-out $(xrust__offline_goals),$(xrust__goals))
# `make -n` shows what would run and downloads nothing.
xrust__dry := $(findstring n,$(firstword -$(MAKEFLAGS)))
# Cargo runs as a recursive command ("+") so that it joins Make's
# jobserver; but "+" lines run even under -n, so not then.
xrust__plus := $(if $(xrust__dry),,+)

XRUST_HOST := $(rust-target host)
$(rust-crate $(XRUST_CRATE_DIR),XRUST_CRATE)

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

ifneq ($(xrust__need_tc),)
ifeq ($(xrust__dry),)
ifneq ($(filter xrust-update,$(xrust__goals)),)
XRUST_UPDATE := 1
endif
XRUST_TOOLCHAIN := $(rust-toolchain $(xrust__thin))
endif
endif
XRUST_TOOLCHAIN ?= $(XRUST_HOME)/toolchain-not-resolved-under-make-n
XRUST_CARGO ?= $(XRUST_TOOLCHAIN)/bin/cargo

ifneq ($(filter 1 2,$(V)),)
xrust__q :=
xrust__say = @:
xrust__cargo_verbosity := -v
else
xrust__q := @
xrust__say = @printf '  %-7s %s\n' $(1) '$(2)' >&2
xrust__cargo_verbosity := -q
endif
# make -s: errors only, as Kbuild does; the tool's progress lines stop too
# (it reads -s from MAKEFLAGS).
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
xrust__say = @:
endif
# V=2 also says why a layer rebuilt: the prerequisites newer than it.
xrust__why = $(if $(filter 2,$(V)),@printf '  WHY     %s: %s\n' '$(1)' \
  '$(if $(2),$(2),it does not exist yet)' >&2)

# $(call xrust__tr,TEXT,FROM,TO): TEXT with each word of the list FROM
# replaced by the word at the same place in the list TO (Buildroot's
# UPPERCASE does the same with a table of pairs).
xrust__tr = $(if $(2),$(call xrust__tr,$(subst $(firstword $(2)),$(firstword \
  $(3)),$(1)),$(call xrust__rest,$(2)),$(call xrust__rest,$(3))),$(1))
xrust__rest = $(wordlist 2,$(words $(1)),$(1))

# CARGO_TARGET_<TRIPLE>_... names: the triple upper-cased, with `-` and
# `.` as `_`.
xrust__env_from := a b c d e f g h i j k l m n o p q r s t u v w x y z - .
xrust__env_to   := A B C D E F G H I J K L M N O P Q R S T U V W X Y Z _ _
xrust__upper = $(call xrust__tr,$(1),$(xrust__env_from),$(xrust__env_to))
xrust__env = CARGO_TARGET_$(strip $(call xrust__upper,$(1)))

# The linker for a triple: static musl links with the toolchain's own
# rust-lld and the self-contained C runtime; the host's own triple with cc;
# foreign gnu triples with the matching cross compiler, which must exist.
xrust__cpu = $(firstword $(subst -, ,$(1)))
xrust__gnu_cc = $(xrust__cpu)-linux-gnu-gcc
# One case a line, the first that applies wins; none for other triples.
xrust__is_musl = $(findstring -linux-musl,$(1))
xrust__is_gnu = $(findstring -linux-gnu,$(1))
xrust__is_apple = $(findstring -apple-darwin,$(1))
xrust__linker = $(or \
  $(if $(xrust__is_musl),rust-lld), \
  $(if $(filter $(1),$(XRUST_HOST)),cc), \
  $(if $(xrust__is_gnu),$(xrust__gnu_cc)), \
  $(if $(xrust__is_apple),$(XRUST_MK_DIR)/macos/rust-lld))
# Stops when every condition, one a line, holds: a gnu triple, not the
# host's, and no cross compiler for it on PATH.
xrust__check_linker = $(if $(and \
  $(xrust__is_gnu), \
  $(filter-out $(XRUST_HOST),$(1)), \
  $(if $(shell command -v $(xrust__gnu_cc)),,missing)), \
  $(error $(xrust__no_gnu_cc)))$(xrust__check_sdk)
xrust__no_gnu_cc = xrust: target '$(1)' needs the C cross compiler \
  '$(xrust__gnu_cc)', which is not on PATH (Debian/Ubuntu: apt-get install \
  gcc-$(subst _,-,$(xrust__cpu))-linux-gnu)

# A runner for binaries of a foreign CPU: qemu-user when installed, that
# is when both conditions, one a line, hold.  gnu binaries need the
# target's libc: the multiarch one under / when present (the cross one
# under /usr/<triple> hangs threaded programs).
xrust__host_cpu = $(call xrust__cpu,$(XRUST_HOST))
xrust__qemu = $(shell command -v qemu-$(xrust__cpu) 2>/dev/null)
xrust__multiarch = $(wildcard /lib/ld-linux-$(xrust__cpu).so.1)
xrust__qemu_libc = $(if $(xrust__multiarch),/,/usr/$(xrust__cpu)-linux-gnu)
xrust__runner = $(strip $(if $(and \
  $(filter-out $(xrust__host_cpu),$(xrust__cpu)), \
  $(xrust__qemu)), \
  $(xrust__qemu) $(if $(xrust__is_gnu),-L $(xrust__qemu_libc))))

xrust__profile_dir := $(if $(filter dev test,$(XRUST_PROFILE)),debug,$(if \
  $(filter release bench,$(XRUST_PROFILE)),release,$(XRUST_PROFILE)))
xrust__features := $(if $(strip $(XRUST_FEATURES)),--features \
  '$(strip $(XRUST_FEATURES))') $(if $(filter 1 yes true,\
  $(XRUST_NO_DEFAULT_FEATURES)),--no-default-features)

# Environment and arguments of every cargo run for triple $(1).
xrust__cargo_env = RUSTC='$(XRUST_TOOLCHAIN)/bin/rustc' \
  RUSTDOC='$(XRUST_TOOLCHAIN)/bin/rustdoc' RUSTUP_TOOLCHAIN= \
  PATH='$(XRUST_TOOLCHAIN)/bin':"$$PATH" \
  $(call xrust__env,$(1))_LINKER='$(call xrust__linker,$(1))' \
  $(if $(call xrust__runner,$(1)),$(call \
  xrust__env,$(1))_RUNNER='$(call xrust__runner,$(1))') \
  $(if $(xrust__is_apple),$(xrust__apple_env))
xrust__cargo_args = --offline --locked --config '$(xrust__cargo_config)' \
  --target $(1) --profile $(XRUST_PROFILE) $(xrust__features) \
  $(XRUST_CARGO_FLAGS)

# Kbuild's filechk: $(call xrust__filechk,FILE,TEXT) rewrites FILE with
# TEXT only when the content changes, making FILE's directory first when
# it is missing (one stat, no shell, when it exists); not under `make -n`.
# Expands to nothing.
xrust__filechk = $(if $(xrust__dry),,$(xrust__mkdir)$(if \
  $(rust-filechk $(1),$(2)),$(xrust__changed)))
xrust__mkdir = $(if $(wildcard $(dir $(1))),,$(shell mkdir -p '$(dir $(1))'))
xrust__changed = $(if $(filter 2,$(V)),$(info   CONFIG  $(1) changed))

xrust__bins := $(XRUST_CRATE_BINS)

# $(call xrust__clean_own,NAME,TRIPLE): the recipe line that removes what
# NAME's target tree holds of the workspace's own packages, for TRIPLE and
# for the host (their build scripts), and nothing of the dependencies.
xrust__clean_own = cd '$(xrust__x)/stub' && $(call xrust__cargo_env,$(2)) \
  '$(XRUST_CARGO)' clean -q --offline --config '$(xrust__cargo_config)' \
  --target $(2) --profile $(XRUST_PROFILE) \
  --target-dir '$(xrust__x)/$(1)/target' \
  $(foreach p,$(XRUST_CRATE_PACKAGES),-p $(p))

# The config records are written at parse time; under `make -n` they are
# not, and this rule lets Make report what would run instead of stopping.
$(xrust__x)/%/config: ;

# ---- L2 vendor and the stub workspace -------------------------------------

# No lockfile: say how to make one rather than Make's "No rule to make
# target".  The rule has no prerequisites, so an existing lockfile never
# runs it.
xrust__no_lock = xrust: no lockfile '$(XRUST_CRATE_LOCK)': xrust builds \
  from Cargo.lock (cargo --locked); create it with 'cargo \
  generate-lockfile' in '$(patsubst %/,%,$(dir $(XRUST_CRATE_LOCK)))' \
  and keep it with the sources
$(XRUST_CRATE_LOCK):
	$(error $(xrust__no_lock))

# The vendor tree links into the store: when the store was deleted under
# it (a dangling link), vendoring runs again whatever the timestamps say.
# One readdir and a stat per package, at parse time.
xrust__vendor_links := $(wildcard $(xrust__vendor)/*)
ifneq ($(words $(xrust__vendor_links)),$(words $(wildcard $(xrust__vendor)/*/.)))
xrust__vendor_gone := xrust__force
endif
.PHONY: xrust__force
xrust__force:

$(xrust__x)/vendor.stamp: $(XRUST_CRATE_LOCK) $(xrust__vendor_gone) \
                          | $(XRUST_TOOL)
	$(call xrust__say,VENDOR,$(XRUST_CRATE_LOCK))
	$(call xrust__why,$(notdir $@),$?)
	$(xrust__q)$(XRUST_TOOL) vendor '$(XRUST_CRATE_LOCK)' '$(xrust__vendor)' \
	  --config '$(xrust__cargo_config)'
	$(xrust__q)touch $@

$(xrust__x)/stub.stamp: $(XRUST_CRATE_MANIFESTS) $(XRUST_CRATE_LOCK) \
                        | $(XRUST_TOOL)
	$(call xrust__say,STUB,$(XRUST_CRATE_NAME))
	$(call xrust__why,$(notdir $@),$?)
	$(xrust__q)$(XRUST_TOOL) stub '$(XRUST_CRATE_DIR)' '$(xrust__x)/stub'
	$(xrust__q)touch $@

# ---- L3 to L5, per target -------------------------------------------------

# $(1): name (out/ subdirectory, cross-NAME), $(2): triple.  The config
# record is written when $(call) expands the template, at parse time.
define xrust__target_rules
$(call xrust__filechk,$(xrust__x)/$(1)/config,toolchain=$(XRUST_TOOLCHAIN) \
profile=$(XRUST_PROFILE) features=$(xrust__features) \
cargo-flags=$(XRUST_CARGO_FLAGS) rustflags=$(RUSTFLAGS) \
target-rustflags=$($(call xrust__env,$(2))_RUSTFLAGS) \
linker=$(call xrust__linker,$(2))$(if $(call xrust__is_apple,$(2)), \
$(xrust__apple_config)))

# After building the stub, `cargo clean -p` removes what it compiled of
# the workspace's own packages.  Those outputs carry the names and hashes
# the real build uses, and their records list the sources relative to the
# package, so cargo would find them fresh against real sources older than
# the stub build and the crate layer would hand out the empty stubs.  The
# same clean runs before the stub build, for the other way round: the
# real build script a crate layer compiled (for the host, so it outlives
# a change of the config record) would be found fresh against the older
# stub and run in the stub, where the files it reads are missing.
#
# cargo does not see everything the config record holds (SDKROOT, the
# SDK's version, MACOSX_DEPLOYMENT_TARGET): when the record changed, the
# target's build tree goes, so that both layers really rebuild.
$(xrust__x)/$(1)/deps.stamp: $(xrust__x)/stub.stamp \
    $(xrust__x)/vendor.stamp $(xrust__x)/$(1)/config \
    $(if $(call xrust__is_apple,$(2)),$(xrust__apple_sdk_stamp))
	$$(call xrust__check_linker,$(2))
	$$(call xrust__say,DEPS,$(XRUST_CRATE_NAME) ($(1)))
	$$(call xrust__why,$(1)/deps.stamp,$$?)
	$(xrust__q)$$(if $$(filter %/config,$$?),rm -rf \
	  '$(xrust__x)/$(1)/target/$(2)')
	$(xrust__plus)$(xrust__q)$$(call xrust__clean_own,$(1),$(2))
	$(xrust__plus)$(xrust__q)cd '$(xrust__x)/stub' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' build $(xrust__cargo_verbosity) \
	  $$(call xrust__cargo_args,$(2)) --target-dir '$(xrust__x)/$(1)/target'
	$(xrust__plus)$(xrust__q)$$(call xrust__clean_own,$(1),$(2))
	$(xrust__q)touch $$@

$(xrust__x)/$(1)/crate.stamp: $(xrust__x)/$(1)/deps.stamp \
    $(XRUST_CRATE_SOURCES) $(XRUST_CRATE_MANIFESTS)
	$$(call xrust__say,CARGO,$(XRUST_CRATE_NAME) ($(1)))
	$$(call xrust__why,$(1)/crate.stamp,$$?)
	$(xrust__plus)$(xrust__q)cd '$(XRUST_CRATE_DIR)' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' build $(xrust__cargo_verbosity) \
	  $$(call xrust__cargo_args,$(2)) --target-dir '$(xrust__x)/$(1)/target'
	$(xrust__q)$(XRUST_TOOL) depfile $$@ \
	  '$(xrust__x)/$(1)/target/$(2)/$(xrust__profile_dir)' \
	  >'$(xrust__x)/$(1)/crate.d'
	$(xrust__q)touch $$@

-include $(xrust__x)/$(1)/crate.d

$(xrust__o)/$(1)/.stamp: $(xrust__x)/$(1)/crate.stamp
	$$(call xrust__say,OUT,$(XRUST_OUT)/$(1)/)
	$(xrust__q)mkdir -p '$(xrust__o)/$(1)'
	$(xrust__q)$(foreach b,$(xrust__bins),\
	  cp -f '$(xrust__x)/$(1)/target/$(2)/$(xrust__profile_dir)/$(b)' \
	    '$(xrust__o)/$(1)/$(b).tmp' && \
	  mv -f '$(xrust__o)/$(1)/$(b).tmp' '$(xrust__o)/$(1)/$(b)' &&) :
	$(xrust__q)touch $$@

.PHONY: cross-$(1) test-$(1)
cross-$(1): $(xrust__o)/$(1)/.stamp

# A macOS test binary cannot run here unless this is a Mac: its tests
# are built, not run, and the recipe says so.
test-$(1): $(xrust__x)/$(1)/deps.stamp
	$$(call xrust__check_linker,$(2))
	$$(call xrust__say,TEST,$(XRUST_CRATE_NAME) ($(1)))
	$(xrust__plus)$(xrust__q)cd '$(XRUST_CRATE_DIR)' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' test $$(call xrust__cargo_args,$(2)) \
	  --target-dir '$(xrust__x)/$(1)/target'$(if $(call \
	  xrust__no_run,$(2)), --no-run && echo 'xrust: $(1): tests built but \
	  not run: a $(XRUST_HOST) host cannot run $(2) binaries' >&2)
endef

# Tests of an Apple triple run on a Mac only.
xrust__no_run = $(and $(xrust__is_apple),$(if $(call \
  xrust__is_apple,$(XRUST_HOST)),,no))

include $(XRUST_MK_DIR)/macos.mk
$(foreach n,$(xrust__thin),$(eval $(call \
  xrust__target_rules,$(n),$(rust-target $(n)))))
$(eval $(call xrust__target_rules,host,$(XRUST_HOST)))

# ---- user-facing goals -----------------------------------------------------

.PHONY: all cross-all test-all vendor toolchain xrust-update show dist \
        clean help
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
	  '$(foreach b,$(xrust__bins),$(XRUST_OUT)/$(n)/$(b)$(if $(wildcard \
	  $(xrust__o)/$(n)/$(b)),, (not built)))';)

# Reproducible archives: sorted entries, owner 0, mtimes from
# SOURCE_DATE_EPOCH or the last commit.  git is asked once, when the first
# archive's recipe needs the value, and not at all by a run that makes no
# archive: the variable replaces itself with a simple one on first use.
xrust__commit_time = $(shell git -C '$(XRUST_CRATE_DIR)' log -1 \
  --format=%ct 2>/dev/null || echo 0)
SOURCE_DATE_EPOCH ?= $(eval SOURCE_DATE_EPOCH := \
  $(xrust__commit_time))$(SOURCE_DATE_EPOCH)
xrust__dist = $(xrust__o)/dist/$(XRUST_CRATE_NAME)-$(XRUST_CRATE_VERSION)-$(1).tar.gz
define xrust__dist_rule
$(call xrust__dist,$(2)): $(xrust__o)/$(1)/.stamp
	$$(call xrust__say,DIST,$$(notdir $$@))
	$(xrust__q)mkdir -p '$(xrust__o)/dist'
	$(xrust__q)tar --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime=@$$(SOURCE_DATE_EPOCH) -C '$(xrust__o)/$(1)' -cf - \
	  $(xrust__bins) | gzip -n >$$@.tmp && mv -f $$@.tmp $$@
endef
$(foreach n,$(XRUST_TARGETS),$(eval $(call \
  xrust__dist_rule,$(n),$(call xrust__triple,$(n)))))
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
	@$(call xrust__help,'make dist','$(XRUST_OUT)/dist/*.tar.gz and SHA256SUMS')
	@$(call xrust__help,'make vendor','only the vendored crates')
	@$(call xrust__help,'make toolchain','only the toolchain (prints its path)')
	@$(call xrust__help,'make xrust-update','re-resolve the channel and rewrite xrust.lock')
	@$(call xrust__help,'make clean','remove $(XRUST_OUT)/')
	@echo 'knobs: XRUST_TARGETS XRUST_CHANNEL XRUST_PROFILE XRUST_FEATURES'
	@echo '  XRUST_NO_DEFAULT_FEATURES XRUST_CARGO_FLAGS XRUST_OUT XRUST_HOME'
	@echo '  XRUST_DIST_SERVER XRUST_CRATES_DL XRUST_OFFLINE XRUST_JOBS'
	@echo '  XRUST_MACOS_SDK MACOSX_DEPLOYMENT_TARGET V=0|1|2'
