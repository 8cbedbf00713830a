# layers.mk: the layers every cargo build of xrust goes through, as
# templates, and the helpers of their recipes (mk/README.md, "Layers").
# Included by xrust.mk for every Makefile: rules.mk instantiates the
# templates for a cargo project's targets, crate.mk for each crate a C
# project embeds with xrust-crate.  Every layer is a stamp file under a
# state directory X ($(XRUST_OUT)/.xrust for a cargo project):
#
#   L1 toolchain  $(XRUST_TOOLCHAIN), from $(rust-toolchain) at parse time
#   L2 vendor     X/vendor.stamp     <- Cargo.lock (the tree: X/../vendor)
#   -  stub       X/stub.stamp       <- manifests, lock
#   L3 deps       X/KEY/deps.stamp   <- L1 L2 stub config
#   L4 crate      X/KEY/crate.stamp  <- L3, sources (.d)
#
# KEY is the target's name (cross-KEY) or triple.  Every KEY of X
# builds in one cargo target directory, X/target: cargo keeps what it
# compiles for the host (build scripts, proc-macros and what they depend
# on) in X/target/<profile>/ and what it compiles for a triple in
# X/target/<triple>/, and finds the host's part fresh when another triple
# needs it, so a project compiles its host artefacts once for all its
# targets.  Cargo locks the directory for a whole run; a cargo waiting for
# the lock would hold one of Make's job slots idle, so the cargo runs of
# the targets a run's goals ask for are put in a row (xrust__serialize),
# each with every job slot.  KEY/config records
# what else a build depends on (toolchain, profile, features, flags,
# RUSTFLAGS, linker, SDK); it is rewritten only when its content changes,
# so only a real change rebuilds L3 and L4.  The dependency layer builds
# the workspace with stub sources (naersk's trick), so editing the crate
# never recompiles a dependency.  What comes out of L4 (binaries, a C
# library) is the business of the file that instantiates the templates.
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

# $(call xrust__upper,TEXT): TEXT upper-cased, with `-` and `.` as `_`.
# Nested substitutions, four letters a line: a recursive $(call) over a
# table of pairs (Buildroot's UPPERCASE) costs a no-op's parse 2.5
# million instructions, a fifth of it, for the one triple it converts.
xrust__upper = $(call xrust__up7,$(call xrust__up6,$(call xrust__up5,$(call \
  xrust__up4,$(call xrust__up3,$(call xrust__up2,$(call xrust__up1,$(1))))))))
xrust__up1 = $(subst a,A,$(subst b,B,$(subst c,C,$(subst d,D,$(1)))))
xrust__up2 = $(subst e,E,$(subst f,F,$(subst g,G,$(subst h,H,$(1)))))
xrust__up3 = $(subst i,I,$(subst j,J,$(subst k,K,$(subst l,L,$(1)))))
xrust__up4 = $(subst m,M,$(subst n,N,$(subst o,O,$(subst p,P,$(1)))))
xrust__up5 = $(subst q,Q,$(subst r,R,$(subst s,S,$(subst t,T,$(1)))))
xrust__up6 = $(subst u,U,$(subst v,V,$(subst w,W,$(subst x,X,$(1)))))
xrust__up7 = $(subst y,Y,$(subst z,Z,$(subst -,_,$(subst .,_,$(1)))))

# CARGO_TARGET_<TRIPLE>_... names: the triple upper-cased, with `-` and
# `.` as `_`.
xrust__env = CARGO_TARGET_$(strip $(call xrust__upper,$(1)))

# The linker for triple $(1): a C project's own compiler in `c` mode
# ($(2)); else static musl links with the toolchain's own rust-lld and the
# self-contained C runtime; Windows (MinGW) with the MinGW-w64 cross
# compiler or rust-lld (xrust__win_linker); the host's own triple with
# cc; foreign gnu triples with the matching cross compiler, which must
# exist; Apple triples with rust-lld through macos/rust-lld (macos.mk).
xrust__cpu = $(firstword $(subst -, ,$(1)))
xrust__gnu_cc = $(xrust__cpu)-linux-gnu-gcc
# One case a line, the first that applies wins; none for other triples.
xrust__is_musl = $(findstring -linux-musl,$(1))
xrust__is_gnu = $(findstring -linux-gnu,$(1))
xrust__is_apple = $(findstring -apple-darwin,$(1))
xrust__is_windows = $(findstring -windows-gnu,$(1))
xrust__linker = $(or \
  $(if $(filter c,$(2)),$(CC)), \
  $(if $(xrust__is_musl),rust-lld), \
  $(if $(xrust__is_windows),$(xrust__win_linker)), \
  $(if $(filter $(1),$(XRUST_HOST)),cc), \
  $(if $(xrust__is_gnu),$(xrust__gnu_cc)), \
  $(if $(xrust__is_apple),$(XRUST_MK_DIR)/macos/rust-lld))
# Stops when every condition, one a line, holds: a gnu triple, not in
# `c` mode, not the host's, and no cross compiler for it on PATH.
xrust__check_linker = $(if $(and \
  $(xrust__is_gnu), \
  $(if $(filter c,$(2)),,not-c), \
  $(filter-out $(XRUST_HOST),$(1)), \
  $(if $(shell command -v $(xrust__gnu_cc)),,missing)), \
  $(error $(xrust__no_gnu_cc)))$(xrust__check_sdk)$(if \
  $(filter c,$(2)),,$(xrust__check_win))
xrust__no_gnu_cc = xrust: target '$(1)' needs the C cross compiler \
  '$(xrust__gnu_cc)', which is not on PATH (Debian/Ubuntu: apt-get install \
  gcc-$(subst _,-,$(xrust__cpu))-linux-gnu)

# Windows (x86_64-pc-windows-gnu): XRUST_WINDOWS_LINKER `mingw` links
# with the MinGW-w64 cross compiler (x86_64-w64-mingw32-gcc), `rust-lld`
# with the toolchain's own rust-lld and the self-contained MinGW objects
# (crt2.o, import libraries, libgcc) of the target's rust-std, under
# -C link-self-contained=yes; empty (the default): the compiler when it is
# on PATH, else rust-lld when the rust-std ships those objects, else the
# compiler, whose absence xrust__check_win reports with the package to
# install.  PATH is searched with $(wildcard), no shell: the answer is
# part of the config record, written at parse time.
xrust__mingw_cc = $(xrust__cpu)-w64-mingw32-gcc
xrust__on_path = $(firstword $(wildcard $(addsuffix /$(1),$(subst :, ,$(PATH)))))
xrust__win_sc = $(XRUST_TOOLCHAIN)/lib/rustlib/$(1)/lib/self-contained
xrust__win_linker = $(if $(filter rust-lld,$(XRUST_WINDOWS_LINKER)),rust-lld,$(if \
  $(filter mingw,$(XRUST_WINDOWS_LINKER)),$(xrust__mingw_cc),$(if $(call \
  xrust__on_path,$(xrust__mingw_cc)),$(xrust__mingw_cc),$(if $(wildcard \
  $(xrust__win_sc)/crt2.o),rust-lld,$(xrust__mingw_cc)))))
# Stops a Windows build whose linker cannot work: the compiler missing,
# or rust-lld without the self-contained objects; part of
# xrust__check_linker, so it runs only when such a build does.
xrust__check_win = $(if $(xrust__is_windows),$(if $(filter \
  rust-lld,$(xrust__win_linker)),$(if $(wildcard $(xrust__win_sc)/crt2.o),,$(error \
  $(xrust__no_win_sc))),$(if $(call xrust__on_path,$(xrust__mingw_cc)),,$(error \
  $(xrust__no_mingw)))))
xrust__no_mingw = xrust: target '$(1)' needs the MinGW-w64 C cross compiler \
  '$(xrust__mingw_cc)', which is not on PATH$(if $(filter \
  mingw,$(XRUST_WINDOWS_LINKER)),, and the toolchain's rust-std for $(1) ships \
  no self-contained MinGW objects for rust-lld) (Debian/Ubuntu: apt-get \
  install gcc-mingw-w64-$(subst _,-,$(xrust__cpu)))
xrust__no_win_sc = xrust: XRUST_WINDOWS_LINKER=rust-lld: the toolchain's \
  rust-std for $(1) has no self-contained MinGW objects \
  ('$(xrust__win_sc)/crt2.o' is missing); link with the MinGW-w64 C cross \
  compiler instead (XRUST_WINDOWS_LINKER=mingw; Debian/Ubuntu: apt-get \
  install gcc-mingw-w64-$(subst _,-,$(xrust__cpu)))

# The rustc flags that the target $(1) needs whatever RUSTFLAGS say, given
# by xrust-rustc to the compilations for that target only (not to build
# scripts and proc-macros), before any flag of the user's, which can
# override them: rust-lld linking Windows needs the self-contained
# objects, which rustc uses on its own only when the host is Windows; the
# riscv64 musl target is dynamically linked unless told otherwise, where
# the other musl targets default to static.
xrust__target_flags = $(strip $(if $(and $(xrust__is_windows),$(filter \
  rust-lld,$(call xrust__linker,$(1),$(2)))),-C link-self-contained=yes) \
  $(if $(filter riscv64gc-unknown-linux-musl,$(1)),-C target-feature=+crt-static))

# A runner for binaries of a foreign CPU: qemu-user when installed, that
# is when both conditions, one a line, hold.  gnu binaries need the
# target's libc: the multiarch one under / when present (the cross one
# under /usr/<triple> hangs threaded programs).  qemu names the CPUs of
# armv7 and riscv64gc arm and riscv64.  Windows binaries run under Wine
# when it is installed and the host is x86_64: wine64, else wine
# (Debian's wine64 package puts its wine64 in /usr/lib/wine, and the
# `wine` package a /usr/bin/wine that runs it).
xrust__host_cpu = $(call xrust__cpu,$(XRUST_HOST))
xrust__qemu_cpu = $(patsubst armv7,arm,$(patsubst riscv64gc,riscv64,$(xrust__cpu)))
xrust__qemu = $(shell command -v qemu-$(xrust__qemu_cpu) 2>/dev/null)
xrust__multiarch = $(wildcard /lib/ld-linux-$(xrust__cpu).so.1)
xrust__qemu_libc = $(if $(xrust__multiarch),/,/usr/$(xrust__cpu)-linux-gnu)
xrust__wine = $(if $(filter x86_64,$(xrust__host_cpu)),$(shell command -v \
  wine64 2>/dev/null || command -v wine 2>/dev/null))
xrust__runner = $(strip $(if $(xrust__is_windows),$(xrust__wine),$(if $(and \
  $(filter-out $(xrust__host_cpu),$(xrust__cpu)), \
  $(xrust__qemu)), \
  $(xrust__qemu) $(if $(xrust__is_gnu),-L $(xrust__qemu_libc)))))

xrust__profile_dir := $(if $(filter dev test,$(XRUST_PROFILE)),debug,$(if \
  $(filter release bench,$(XRUST_PROFILE)),release,$(XRUST_PROFILE)))
xrust__features := $(if $(strip $(XRUST_FEATURES)),--features \
  '$(strip $(XRUST_FEATURES))') $(if $(filter 1 yes true,\
  $(XRUST_NO_DEFAULT_FEATURES)),--no-default-features)

# Environment and arguments of every cargo run for triple $(1); $(2) is
# `c` for a library built for a C project (crate.mk): its C compiler is
# the linker and the compiler of build scripts, with its CFLAGS and AR.
# $(3) is the crate's workspace root.  rustc runs through xrust-rustc,
# which remaps the store, the workspace and XRUST_OUT to fixed names, and
# runs the user's RUSTC_WRAPPER in turn.  Cargo links build scripts and
# proc-macros with the linker of the host's triple, which it counts in
# their fingerprints: every run names it, the same for every target, or
# the targets sharing X/target would rebuild each other's host
# artefacts.
xrust__cargo_env = RUSTC='$(XRUST_TOOLCHAIN)/bin/rustc' \
  RUSTDOC='$(XRUST_TOOLCHAIN)/bin/rustdoc' RUSTUP_TOOLCHAIN= \
  RUSTC_WRAPPER='$(XRUST_MK_DIR)/xrust-rustc' \
  XRUST_RUSTC_WRAPPER='$(RUSTC_WRAPPER)' \
  XRUST_REMAP_HOME='$(abspath $(XRUST_HOME))' XRUST_REMAP_SRC='$(3)' \
  XRUST_REMAP_VENDOR='$(XRUST_VENDOR_LINKS)' \
  XRUST_REMAP_OUT='$(xrust__o)' \
  PATH='$(XRUST_TOOLCHAIN)/bin':"$$PATH" \
  $(call xrust__env,$(1))_LINKER='$(call xrust__linker,$(1),$(2))' \
  $(if $(filter-out $(XRUST_HOST),$(1)),$(call \
  xrust__env,$(XRUST_HOST))_LINKER='$(call xrust__linker,$(XRUST_HOST))') \
  $(if $(call xrust__runner,$(1)),$(call \
  xrust__env,$(1))_RUNNER='$(call xrust__runner,$(1))') \
  $(if $(call xrust__target_flags,$(1),$(2)),XRUST_RUSTC_TARGET='$(1)' \
  XRUST_RUSTC_TARGET_FLAGS='$(call xrust__target_flags,$(1),$(2))') \
  $(if $(filter c,$(2)),$(xrust__c_env)) \
  $(if $(xrust__is_apple),$(xrust__apple_env))
# The text of the config record (xrust__layer_rules) of triple $(1) in
# mode $(2).
xrust__config_text = toolchain=$(XRUST_TOOLCHAIN) profile=$(XRUST_PROFILE) \
  features=$(xrust__features) cargo-flags=$(XRUST_CARGO_FLAGS) \
  rustflags=$(RUSTFLAGS) target-rustflags=$($(call xrust__env,$(1))_RUSTFLAGS) \
  linker=$(call xrust__linker,$(1),$(2))$(if $(call \
  xrust__target_flags,$(1),$(2)), target-flags=$(call \
  xrust__target_flags,$(1),$(2)))$(if $(call xrust__is_apple,$(1)), \
  $(xrust__apple_config))$(if $(filter c,$(2)), cflags=$(CFLAGS) ar=$(AR))
xrust__c_env = CC_$(xrust__cc_var)='$(CC)' CFLAGS_$(xrust__cc_var)='$(CFLAGS)' \
  AR_$(xrust__cc_var)='$(AR)'
# The suffix of the cc crate's per-target variables (CC_<triple>, ...):
# triple $(1) with `-` as `_`.
xrust__cc_var = $(subst -,_,$(1))
# $(call xrust__cargo_args,TRIPLE,X)
xrust__cargo_args = --offline --locked --config '$(2)/cargo-config.toml' \
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

.PHONY: xrust__force
xrust__force:

# ---- L2 vendor and the stub workspace -------------------------------------

# No lockfile $(1): say how to make one rather than Make's "No rule to
# make target".
xrust__no_lock = xrust: no lockfile '$(1)': xrust builds \
  from Cargo.lock (cargo --locked); create it with 'cargo \
  generate-lockfile' in '$(patsubst %/,%,$(dir $(1)))' \
  and keep it with the sources

# The vendor tree $(1) links into the store: when the store was deleted
# under it (a dangling link), vendoring runs again whatever the timestamps
# say.  One readdir and a stat per package, at parse time.
xrust__vendor_gone = $(if $(filter $(words $(wildcard $(1)/*)),$(words \
  $(wildcard $(1)/*/.))),,xrust__force)
xrust__vendor_dir = $(patsubst %/,%,$(dir $(1)))/vendor

# $(call xrust__vendor_cmd,P,X): vendors the lockfile of project P into
# X's vendor tree, or only checks it when the lockfile did not change.
# Cargo reads the tree through $(XRUST_VENDOR_LINKS)/<lock digest>, a
# link of this user's to it, the same path in every checkout: cargo's
# fingerprints hold the absolute path of each dependency's sources, so
# only then are dependency layers built in one checkout fresh in another
# (the remote cache, cache.mk).  Each layer's recipe runs it again before
# cargo, since another checkout of the same lockfile may have pointed the
# link at its own, identical, tree since.
xrust__vendor_cmd = $(XRUST_TOOL) vendor '$($(1)_LOCK)' \
  '$(call xrust__vendor_dir,$(2))' --config '$(2)/cargo-config.toml' \
  --link-dir '$(XRUST_VENDOR_LINKS)'

# $(call xrust__crate_rules,P,X): the lockfile, vendor and stub rules of
# the cargo project whose $(rust-crate) variables have the prefix P, with
# its state in X.  The lockfile rule has no prerequisites, so an existing
# lockfile never runs it.
define xrust__crate_rules
$($(1)_LOCK):
	$$(error $(call xrust__no_lock,$($(1)_LOCK)))

$(2)/vendor.stamp: $($(1)_LOCK) $(call xrust__vendor_gone,$(call \
    xrust__vendor_dir,$(2))) | $(XRUST_TOOL)
	$(call xrust__say,VENDOR,$($(1)_LOCK))
	$$(call xrust__why,$$(notdir $$@),$$?)
	$(xrust__q)$(call xrust__vendor_cmd,$(1),$(2))
	$(xrust__q)touch $$@

$(2)/stub.stamp: $($(1)_MANIFESTS) $($(1)_LOCK) | $(XRUST_TOOL)
	$(call xrust__say,STUB,$($(1)_NAME))
	$$(call xrust__why,$$(notdir $$@),$$?)
	$(xrust__q)$(XRUST_TOOL) stub '$($(1)_DIR)' '$(2)/stub'
	$(xrust__q)touch $$@

$(foreach d,$(call xrust__src_dirs,$(1)),$(d)/%.rs: ;
)
endef

# No rule makes a crate's Rust sources, but every one of them is a
# prerequisite of its crate layer, and Make looks for an implicit rule to
# remake each (its built-in rules try `lib.rs.c`, `lib.rs.o`, `RCS/`,
# `SCCS/`, ... on the disk): in a no-op of a workspace of 200 packages,
# nine tenths of Make's work.  One empty pattern rule for the `.rs` files
# under the workspace root (and under each directory outside it that
# holds sources: path dependencies) ends each search at once, without
# naming the files: an explicit rule of the user's for a source still
# wins, and prints no "overriding recipe" warning.  (Make prefers the
# pattern rule with the shortest stem: this one's is shorter than that of
# any rule without a directory.)  A deleted source the depfile names is
# "made" by it, as by the depfile's own empty rule, and rebuilds the layer.
# $(call xrust__src_dirs,P): the workspace root of crate P and the
# directories outside it holding its sources.
xrust__src_dirs = $($(1)_ROOT) $(sort $(patsubst %/,%,$(dir $(filter-out \
  $($(1)_ROOT)/%,$(filter %.rs,$($(1)_SOURCES))))))

# ---- L3 and L4, per target -------------------------------------------------

# $(call xrust__serialize,TARGETS): each of the TARGETS (files or phony
# goals that run cargo in one target directory) waits for the one before
# it, by an order-only prerequisite: none is built that was not asked for
# and none rebuilds because another did, but no two run at once.
# $(call xrust__rest,LIST): LIST without its first word.
xrust__rest = $(wordlist 2,$(words $(1)),$(1))
xrust__serialize = $(if $(word 2,$(1)),$(eval $(word 2,$(1)): | $(firstword \
  $(1)))$(call xrust__serialize,$(call xrust__rest,$(1))))

# $(call xrust__layer_rules,KEY,TRIPLE,P,X[,c]).  The config record is
# written when $(call) expands the template, at parse time, by a run that
# resolved the toolchain: `make show`, `help` or `clean` must not replace
# it with a toolchain they did not look up.
#
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
# SDK's version, MACOSX_DEPLOYMENT_TARGET, a C project's CFLAGS): when the
# record changed, the target's build tree goes, so that both layers
# really rebuild.
#
# In `c` mode only the library of package P is built, with `cargo rustc`:
# the dependency layer also asks rustc which native libraries a static
# library of it needs (--print=native-static-libs, kept in KEY/ldlibs),
# and the crate layer gives a shared library its soname.
define xrust__layer_rules
$(if $(xrust__need_tc),$(call xrust__filechk,$(4)/$(1)/config,$(call \
xrust__config_text,$(2),$(5)))$(if $(xrust__cache_on),$(call \
xrust__filechk,$(4)/$(1)/cache-record,$(call xrust__cache_text,$(2),$(5)))))

$(4)/$(1)/deps.stamp: $(4)/stub.stamp $(4)/vendor.stamp $(4)/$(1)/config \
    $(if $(call xrust__is_apple,$(2)),$(xrust__apple_sdk_stamp))
	$$(call xrust__check_linker,$(2),$(5))
	$$(call xrust__say,DEPS,$($(3)_NAME) ($(1)))
	$$(call xrust__why,$(1)/deps.stamp,$$?)
	$(xrust__q)$$(if $$(filter %/config,$$?),rm -rf '$(4)/target/$(2)')
	$(xrust__q)$(call xrust__vendor_cmd,$(3),$(4))
	$(if $(call xrust__cached,$(5)),$(xrust__q)$(call xrust__cache_get,$(1),$(4),$(2)))
	$(xrust__plus)$(xrust__q)$(call xrust__unless_hit,$(1),$(4),$(5)){ $$(call \
	  xrust__clean_own,$(1),$(2),$(3),$(4),$(5)); }
	$(xrust__plus)$(xrust__q)$(call xrust__unless_hit,$(1),$(4),$(5)){ cd '$(4)/stub' && \
	  $$(call xrust__cargo_env,$(2),$(5),$($(3)_ROOT)) '$(XRUST_CARGO)' \
	  $(if $(5),rustc -p '$($(3)_NAME)' --lib,build) \
	  $(xrust__cargo_verbosity) $$(call xrust__cargo_args,$(2),$(4)) \
	  --target-dir '$(4)/target'$(if $(5), -- \
	  --print=native-static-libs 2>'$(4)/$(1)/deps.log' || { cat \
	  '$(4)/$(1)/deps.log' >&2; exit 1; }; $(call xrust__nsl,$(4)/$(1),$(2))); }
	$(xrust__plus)$(xrust__q)$(call xrust__unless_hit,$(1),$(4),$(5)){ $$(call \
	  xrust__clean_own,$(1),$(2),$(3),$(4),$(5)); }
	$(if $(and $(call xrust__cached,$(5)),$(xrust__cache_push)),$(xrust__q)$(call \
	  xrust__unless_hit,$(1),$(4),$(5))$(call xrust__cache_put,$(1),$(4),$(2)))
	$(xrust__q)touch $$@

$(4)/$(1)/crate.stamp: $(4)/$(1)/deps.stamp $($(3)_SOURCES) $($(3)_MANIFESTS)
	$$(call xrust__say,CARGO,$($(3)_NAME) ($(1)))
	$$(call xrust__why,$(1)/crate.stamp,$$?)
	$(xrust__q)$(call xrust__vendor_cmd,$(3),$(4))
	$(xrust__plus)$(xrust__q)cd '$($(3)_DIR)' && \
	  $$(call xrust__cargo_env,$(2),$(5),$($(3)_ROOT)) '$(XRUST_CARGO)' \
	  $(if $(5),rustc -p '$($(3)_NAME)' --lib,build) \
	  $(xrust__cargo_verbosity) $$(call xrust__cargo_args,$(2),$(4)) \
	  --target-dir '$(4)/target'$(if $(5),$(call \
	  xrust__soname,$(2),$($(3)_NAME),$($(3)_LIBS)))
	$(xrust__q)$(XRUST_TOOL) depfile $$@ \
	  '$(4)/target/$(2)/$(xrust__profile_dir)' >'$(4)/$(1)/crate.d'
	$(xrust__q)touch $$@

# The depfile is read with $(file), not included: Make would look for a
# rule to remake an included makefile (an implicit-rule search at every
# parse), and none makes it but the crate layer's recipe.  (A missing
# file reads as nothing.)
$(eval $(file <$(4)/$(1)/crate.d))
# The config record is written at parse time; under `make -n` it is not,
# and this empty rule lets Make report what would run instead of
# stopping (and, as an explicit rule, spares it an implicit-rule search).
$(4)/$(1)/config: ;
endef

# $(call xrust__clean_own,KEY,TRIPLE,P,X,MODE): the command that removes
# what X/target holds of the workspace's own packages, for TRIPLE and for
# the host (their build scripts), and nothing of the dependencies.
xrust__clean_own = cd '$(4)/stub' && $(call xrust__cargo_env,$(2),$(5)) \
  '$(XRUST_CARGO)' clean -q --offline --config '$(4)/cargo-config.toml' \
  --target $(2) --profile $(XRUST_PROFILE) --target-dir '$(4)/target' \
  $(foreach p,$($(3)_PACKAGES),-p $(p))

# $(call xrust__nsl,DIR,TRIPLE): shell commands that pass on what rustc
# said in DIR/deps.log but its native-static-libs notes, and keep the list
# those give in DIR/ldlibs.  On musl, `-lunwind` is the libunwind.a of the
# toolchain's self-contained runtime (musl's C compilers have none).
xrust__nsl = grep -v -e '^note: native-static-libs: ' \
  -e '^note: [Ll]ink against' -e '^$$$$' '$(1)/deps.log' >&2 || :; \
  sed -n 's/^note: native-static-libs: //p' '$(1)/deps.log' $(if $(call \
  xrust__is_musl,$(2)),| sed 's|-lunwind|$(XRUST_TOOLCHAIN)/lib/rustlib/$(2)/lib/self-contained/libunwind.a|') \
  >'$(1)/ldlibs'
# $(call xrust__soname,TRIPLE,NAME,CRATE-TYPES): rustc's arguments giving
# a cdylib its soname, lib<name>.so (Mach-O: its install name); none on
# Windows.
xrust__lib = lib$(subst -,_,$(1))
# The file name of a shared library of crate $(2) for triple $(1).
xrust__dylib = $(if $(xrust__is_apple),$(call xrust__lib,$(2)).dylib,$(if \
  $(findstring -windows,$(1)),$(subst -,_,$(2)).dll,$(call \
  xrust__lib,$(2)).so))
# The libraries a package whose crate types are $(3) and whose name is
# $(2) builds for triple $(1): lib<name>.a for a staticlib; the shared
# library for a cdylib, except on musl, whose static targets drop it.
xrust__libfiles = $(if $(filter staticlib,$(3)),$(call \
  xrust__lib,$(2)).a) $(if $(filter cdylib,$(3)),$(if $(call \
  xrust__is_musl,$(1)),,$(call xrust__dylib,$(1),$(2))))
xrust__soname = $(if $(filter cdylib,$(3)),$(if $(call \
  xrust__is_apple,$(1)), -- -C link-arg=-install_name -C \
  link-arg=@rpath/$(call xrust__lib,$(2)).dylib,$(if $(findstring \
  -windows,$(1)),, -- -C link-arg=-Wl$(xrust__comma)-soname$(xrust__comma)$(call \
  xrust__lib,$(2)).so)))
xrust__comma := ,

include $(XRUST_MK_DIR)/macos.mk
include $(XRUST_MK_DIR)/cache.mk
