# rules.mk: the rules for a cargo project, DESIGN.md sections 1 and 3.
# Included by xrust.mk when the project directory has a Cargo.toml (or
# XRUST_CRATE_DIR names one).  Every layer is a stamp file:
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

ifneq ($(xrust__need_tc),)
ifeq ($(xrust__dry),)
ifneq ($(filter xrust-update,$(xrust__goals)),)
XRUST_UPDATE := 1
endif
XRUST_TOOLCHAIN := $(rust-toolchain $(XRUST_TARGETS))
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

# CARGO_TARGET_<TRIPLE>_... names.
xrust__upper = $(subst a,A,$(subst b,B,$(subst c,C,$(subst d,D,$(subst e,E,\
  $(subst f,F,$(subst g,G,$(subst h,H,$(subst i,I,$(subst j,J,$(subst k,K,\
  $(subst l,L,$(subst m,M,$(subst n,N,$(subst o,O,$(subst p,P,$(subst q,Q,\
  $(subst r,R,$(subst s,S,$(subst t,T,$(subst u,U,$(subst v,V,$(subst w,W,\
  $(subst x,X,$(subst y,Y,$(subst z,Z,$(1)))))))))))))))))))))))))))
xrust__env = CARGO_TARGET_$(strip $(call xrust__upper,$(subst -,_,$(subst .,_,$(1)))))

# The linker for a triple: static musl links with the toolchain's own
# rust-lld and the self-contained C runtime; the host's own triple with cc;
# foreign gnu triples with the matching cross compiler, which must exist.
xrust__cpu = $(firstword $(subst -, ,$(1)))
xrust__gnu_cc = $(xrust__cpu)-linux-gnu-gcc
xrust__linker = $(strip \
  $(if $(findstring -linux-musl,$(1)),rust-lld,\
  $(if $(filter $(1),$(XRUST_HOST)),cc,\
  $(if $(findstring -linux-gnu,$(1)),$(xrust__gnu_cc)))))
xrust__check_linker = $(if $(findstring -linux-gnu,$(1)),$(if \
  $(filter $(1),$(XRUST_HOST)),,$(if $(shell command -v $(xrust__gnu_cc)),,\
  $(error xrust: target '$(1)' needs the C cross compiler \
  '$(xrust__gnu_cc)', which is not on PATH (Debian/Ubuntu: apt-get install \
  gcc-$(subst _,-,$(xrust__cpu))-linux-gnu)))))

# A runner for binaries of a foreign CPU: qemu-user when installed.  gnu
# binaries need the target's libc: the multiarch one under / when present
# (the cross one under /usr/<triple> hangs threaded programs).
xrust__host_cpu = $(call xrust__cpu,$(XRUST_HOST))
xrust__qemu = $(shell command -v qemu-$(call xrust__cpu,$(1)) 2>/dev/null)
xrust__runner = $(if $(filter $(call xrust__cpu,$(1)),$(xrust__host_cpu)),,\
  $(if $(xrust__qemu),$(xrust__qemu)$(if $(findstring -linux-gnu,$(1)), -L \
  $(if $(wildcard /lib/ld-linux-$(call xrust__cpu,$(1)).so.1),/,/usr/$(call \
  xrust__cpu,$(1))-linux-gnu)),))

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
  xrust__env,$(1))_RUNNER='$(call xrust__runner,$(1))')
xrust__cargo_args = --offline --locked --config '$(xrust__cargo_config)' \
  --target $(1) --profile $(XRUST_PROFILE) $(xrust__features) \
  $(XRUST_CARGO_FLAGS)

# Kbuild's filechk: rewrite $(1) with $(2) only when the content changes.
define xrust__filechk
ifeq ($$(xrust__dry),)
xrust__mkdir := $$(if $$(wildcard $(dir $(1))),,$$(shell mkdir -p '$(dir $(1))'))
ifneq ($$(rust-filechk $(1),$(2)),)
ifeq ($$(V),2)
$$(info   CONFIG  $(1) changed)
endif
endif
endif
endef

xrust__bins := $(XRUST_CRATE_BINS)

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

# $(1): name (out/ subdirectory, cross-NAME), $(2): triple
define xrust__target_rules
$(call xrust__filechk,$(xrust__x)/$(1)/config,toolchain=$(XRUST_TOOLCHAIN) \
profile=$(XRUST_PROFILE) features=$(xrust__features) \
cargo-flags=$(XRUST_CARGO_FLAGS) rustflags=$(RUSTFLAGS) \
target-rustflags=$($(call xrust__env,$(2))_RUSTFLAGS) \
linker=$(call xrust__linker,$(2)) sdk=$(XRUST_MACOS_SDK))

$(xrust__x)/$(1)/deps.stamp: $(xrust__x)/stub.stamp \
    $(xrust__x)/vendor.stamp $(xrust__x)/$(1)/config
	$$(call xrust__check_linker,$(2))
	$$(call xrust__say,DEPS,$(XRUST_CRATE_NAME) ($(1)))
	$$(call xrust__why,$(1)/deps.stamp,$$?)
	$(xrust__plus)$(xrust__q)cd '$(xrust__x)/stub' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' build $(xrust__cargo_verbosity) \
	  $$(call xrust__cargo_args,$(2)) --target-dir '$(xrust__x)/$(1)/target'
	$(xrust__plus)$(xrust__q)cd '$(xrust__x)/stub' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' clean -q --offline --config '$(xrust__cargo_config)' \
	  --target $(2) --profile $(XRUST_PROFILE) \
	  --target-dir '$(xrust__x)/$(1)/target' \
	  $(foreach p,$(XRUST_CRATE_PACKAGES),-p $(p))
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
	$(xrust__q)for b in $(xrust__bins); do \
	  cp -f '$(xrust__x)/$(1)/target/$(2)/$(xrust__profile_dir)/'$$$$b \
	    '$(xrust__o)/$(1)/'$$$$b.tmp && \
	  mv -f '$(xrust__o)/$(1)/'$$$$b.tmp '$(xrust__o)/$(1)/'$$$$b || exit 1; \
	done
	$(xrust__q)touch $$@

.PHONY: cross-$(1) test-$(1)
cross-$(1): $(xrust__o)/$(1)/.stamp

test-$(1): $(xrust__x)/$(1)/deps.stamp
	$$(call xrust__check_linker,$(2))
	$$(call xrust__say,TEST,$(XRUST_CRATE_NAME) ($(1)))
	$(xrust__plus)$(xrust__q)cd '$(XRUST_CRATE_DIR)' && $$(call xrust__cargo_env,$(2)) \
	  '$(XRUST_CARGO)' test $$(call xrust__cargo_args,$(2)) \
	  --target-dir '$(xrust__x)/$(1)/target'
endef

$(foreach n,$(XRUST_TARGETS),$(eval $(call \
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
	  '$(if $(filter host,$(n)),$(XRUST_HOST),$(rust-target $(n)))' \
	  '$(foreach b,$(xrust__bins),$(XRUST_OUT)/$(n)/$(b)$(if $(wildcard \
	  $(xrust__o)/$(n)/$(b)),, (not built)))';)

# Reproducible archives: sorted entries, owner 0, mtimes from
# SOURCE_DATE_EPOCH or the last commit.
SOURCE_DATE_EPOCH ?= $(shell git -C '$(XRUST_CRATE_DIR)' log -1 \
  --format=%ct 2>/dev/null || echo 0)
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
  xrust__dist_rule,$(n),$(rust-target $(n)))))
xrust__dists := $(foreach n,$(XRUST_TARGETS),$(call \
  xrust__dist,$(rust-target $(n))))
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
	  '$(rust-target $(n)) into $(XRUST_OUT)/$(n)/'))
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
	@echo '  XRUST_MACOS_SDK V=0|1|2'
