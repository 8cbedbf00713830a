# crate.mk: Rust inside C projects (mk/README.md, "C projects").  In any
# Makefile that includes xrust.mk,
#
#   $(eval $(call xrust-crate,NAME,DIR))
#
# builds the library of the cargo package in DIR for the target of the C
# compiler $(CC) (or XRUST_TARGET) through the layers of layers.mk, and
# defines, NAME upper-cased as their prefix (tally -> TALLY_):
#
#   _TARGET     the Rust triple
#   _STATICLIB  $(XRUST_OUT)/NAME/<triple>/lib<name>.a, a file with rules
#   _CDYLIB     .../cdylib/lib<name>.so (.dylib, .dll) when crate-type
#               has cdylib (empty on musl, whose static targets have
#               none); in a directory of its own, so that the .pc file's
#               -l<name> finds the static library
#   _LDLIBS     the native libraries the static library needs, as rustc's
#               --print=native-static-libs gave them when the dependency
#               layer was built (read when a recipe expands it)
#   _INCLUDE    a directory with the C header: made by cbindgen when DIR
#               has a cbindgen.toml, else DIR/include when it exists,
#               else empty
#   _PC         .../NAME.pc, a pkg-config file as cargo-c writes one
#   _RUNNER     qemu-user for a foreign CPU, else empty
#
# The rules it defines never become the Makefile's default goal.  Each
# crate has its own state and outputs under $(XRUST_OUT)/NAME/, so
# several crates in one Makefile, and several C projects in one tree,
# never meet.  All crates of a Makefile share one target and one
# toolchain, resolved at the first call.

# The Rust target of the C compiler, asked once per parse.
xrust__c_triple = $(or $(xrust__c_triple_memo),$(eval xrust__c_triple_memo \
  := $(xrust__c_resolve))$(xrust__c_triple_memo))
xrust__c_resolve = $(if $(strip $(XRUST_TARGET)),$(rust-target \
  $(strip $(XRUST_TARGET))),$(call xrust__c_from_cc,$(xrust__c_probe)))
# One shell asks the compiler for its triple and which C library its
# <features.h> names: musl-gcc prints gcc's own triple (x86_64-linux-gnu)
# but defines neither __GLIBC__ nor __UCLIBC__; a Linux target whose
# preprocessor says so gets the musl form of the Rust triple.
xrust__c_probe = $(or $(shell $(CC) -dumpmachine 2>/dev/null && printf \
  '\043include <features.h>\n' | $(CC) -dM -E - 2>/dev/null | grep -o -E \
  '__(GLIBC|UCLIBC|linux)__' | sort -u),$(error xrust: cannot ask the C \
  compiler '$(CC)' for its target ($(CC) -dumpmachine failed); set CC to \
  a working compiler or XRUST_TARGET to the Rust triple))
xrust__c_from_cc = $(if $(and $(filter __linux__,$(1)),$(if $(filter \
  __GLIBC__ __UCLIBC__,$(1)),,musl)),$(rust-cc-target $(firstword \
  $(1)),musl),$(rust-cc-target $(firstword $(1))))

# The toolchain, resolved at the first call unless rules.mk did it for a
# cargo project, which then must cover the C target too.
xrust__c_toolchain = $(if $(xrust__c_tc_done),,$(eval xrust__c_tc_done := \
  1)$(if $(and $(xrust__need_tc),$(if $(xrust__dry),,yes)),$(eval \
  XRUST_TOOLCHAIN := $(rust-toolchain $(xrust__thin) $(1))))$(eval \
  XRUST_TOOLCHAIN ?= $(XRUST_HOME)/toolchain-not-resolved-under-make-n)$(eval \
  XRUST_CARGO ?= $(XRUST_TOOLCHAIN)/bin/cargo))

xrust__c_upper = $(strip $(call xrust__upper,$(subst -,_,$(1))))
xrust-crate = $(if $(strip $(1)),,$(error xrust-crate: missing NAME: use \
  $$(eval $$(call xrust-crate,NAME,DIR))))$(if $(wildcard \
  $(2)/Cargo.toml),,$(error xrust-crate: no Cargo.toml in '$(2)' (from \
  $$(call xrust-crate,$(1),$(2)))))$(call xrust__c_toolchain,$(call \
  xrust__c_triple))$(eval xrust__c_goal := $(.DEFAULT_GOAL))$(eval $(call \
  xrust__c_crate,$(call xrust__c_upper,$(1)),$(1),$(abspath $(2)),$(call \
  xrust__c_triple)))$(eval .DEFAULT_GOAL := $(xrust__c_goal))

# $(1): the prefix (TALLY), $(2): NAME, $(3): DIR, $(4): the triple.
# The package's own variables come from $(rust-crate) as xrust__c_NAME_*.
define xrust__c_crate
$$(rust-crate $(3),xrust__c_$(2))
xrust__c_$(2)_out := $(xrust__o)/$(2)/$(4)
xrust__c_$(2)_lib := $$(call xrust__lib,$$(xrust__c_$(2)_NAME))
$(1)_TARGET := $(4)
$(1)_STATICLIB := $$(xrust__c_$(2)_out)/$$(xrust__c_$(2)_lib).a
$(1)_CDYLIB := $$(if $$(filter cdylib,$$(xrust__c_$(2)_LIBS)),$(if $(call \
  xrust__is_musl,$(4)),,$$(xrust__c_$(2)_out)/cdylib/$$(call \
  xrust__dylib,$(4),$$(xrust__c_$(2)_NAME))))
$(1)_LDLIBS = $$(strip $$(file <$(xrust__o)/$(2)/.xrust/$(4)/ldlibs))
$(1)_INCLUDE := $$(if $$(wildcard $(3)/cbindgen.toml),$$(xrust__c_$(2)_out)/include,$$(wildcard \
  $(3)/include))
$(1)_PC := $$(xrust__c_$(2)_out)/$(2).pc
$(1)_RUNNER := $$(call xrust__runner,$(4))
$$(eval $$(call xrust__crate_rules,xrust__c_$(2),$(xrust__o)/$(2)/.xrust))
$$(eval $$(call xrust__layer_rules,$(4),$(4),xrust__c_$(2),$(xrust__o)/$(2)/.xrust,c))
$$(eval $$(call xrust__c_outputs,$(1),$(2),$(3),$(4),$(xrust__o)/$(2)/.xrust/$(4)))
endef

# The outputs of crate NAME ($(2), prefix $(1), in $(3)) for triple $(4),
# whose layers are in $(5): the libraries copied out of cargo's tree
# (each through a temporary name, so a C link never sees half a file),
# the header, the .pc file.  Building a library builds the other two.
xrust__c_cbindgen = $(wildcard $(3)/cbindgen.toml)
define xrust__c_outputs
$($(1)_STATICLIB) $($(1)_CDYLIB): $(5)/crate.stamp $($(1)_PC) \
    $(if $(xrust__c_cbindgen),$($(1)_INCLUDE)/$(xrust__c_$(2)_lib:lib%=%).h)
	$(call xrust__say,LIB,$$(patsubst $(xrust__o)/%,$(XRUST_OUT)/%,$$@))
	$(xrust__q)mkdir -p '$$(@D)' && cp -f '$(xrust__o)/$(2)/.xrust/target/$(4)/$(xrust__profile_dir)/$$(@F)' \
	  '$$@.tmp' && mv -f '$$@.tmp' '$$@'

$($(1)_PC): $(5)/deps.stamp
	$(call xrust__say,PC,$(XRUST_OUT)/$(2)/$(4)/$$(@F))
	$(xrust__q)mkdir -p '$$(@D)'
	$(xrust__q)printf '%s\n' 'prefix=$(xrust__c_$(2)_out)' 'libdir=$$$${prefix}' \
	  'includedir=$(or $($(1)_INCLUDE),$$$${prefix}/include)' '' \
	  'Name: $(2)' 'Description: $(or $(rust-toml $(3)/Cargo.toml,package.description),the \
	  Rust library $(xrust__c_$(2)_NAME))' 'Version: $(xrust__c_$(2)_VERSION)' \
	  'Libs: -L$$$${libdir} -l$(xrust__c_$(2)_lib:lib%=%)' \
	  "Libs.private: $$$$(cat '$(5)/ldlibs')" \
	  'Cflags: -I$$$${includedir}' >'$$@.tmp' && mv -f '$$@.tmp' '$$@'

ifneq ($(xrust__c_cbindgen),)
$($(1)_INCLUDE)/$(xrust__c_$(2)_lib:lib%=%).h: $(3)/cbindgen.toml \
    $(xrust__c_$(2)_SOURCES)
	$(call xrust__say,CBINDGEN,$(XRUST_OUT)/$(2)/$(4)/include/$$(@F))
	$(xrust__q)command -v cbindgen >/dev/null || { echo "xrust: \
	  '$(3)/cbindgen.toml': the C header of $(2) needs cbindgen, which is \
	  not on PATH (Debian/Ubuntu: apt-get install cbindgen)" >&2; exit 1; }
	$(xrust__q)mkdir -p '$$(@D)' && cbindgen -q --config '$(3)/cbindgen.toml' \
	  --lang c --output '$$@.tmp' '$(3)/src/lib.rs' && mv -f '$$@.tmp' '$$@'
endif
endef
