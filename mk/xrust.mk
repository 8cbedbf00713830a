# xrust.mk: include this from a project's Makefile to get xrust's Make
# functions ($(rust-target ...), $(rust-toml ...), $(rust-sha256 ...)).
#
#   include /path/to/xrust/mk/xrust.mk
#
# From a source checkout, the module (build/xrust.so, with the engine it
# loads when there is downloading to do, build/xrust-engine.so) and the
# tool (build/xrust) are built on first use and rebuilt when their sources
# change: Make remakes the loaded object and re-executes itself.  From an
# installed copy ($(PREFIX)/share/xrust/xrust.mk) the installed module is
# loaded.  Needs GNU Make 4.3 or newer built with `load` support.  The
# interface (functions, knobs) is described in mk/README.md, section
# "Interface"; the layers of a build in section "Layers"; the targets in
# section "Targets".

ifndef XRUST_MK_INCLUDED
XRUST_MK_INCLUDED := 1

xrust__self := $(abspath $(lastword $(MAKEFILE_LIST)))
XRUST_MK_DIR := $(patsubst %/,%,$(dir $(xrust__self)))

# Our rules never become the user's default goal, except `all` for a
# cargo project whose Makefile has none of its own before the include:
# the goal is saved here and restored at the end of this file.
xrust__goal := $(.DEFAULT_GOAL)

# GNU Make 3.81 (macOS /usr/bin/make) and builds without dlopen have no
# `load`; say so once instead of failing obscurely later.  Make 4.3 is
# recognised by what it can do, not by its version string: its NEWS says
# to look for 'nocomment' in .FEATURES (from 4.3 on, a `#` inside a
# function call is text, not a comment), which 4.2 and older lack.
ifeq ($(filter nocomment,$(.FEATURES)),)
$(error xrust: GNU Make $(MAKE_VERSION) is too old: xrust needs GNU Make 4.3 or newer with 'load' support (Debian/Ubuntu: apt-get install make; macOS: brew install make, then run gmake))
endif
ifeq ($(filter load,$(.FEATURES)),)
$(error xrust: this GNU Make $(MAKE_VERSION) was built without 'load' support: install a GNU Make 4.3 or newer built with dlopen (Debian/Ubuntu: apt-get install make))
endif

ifneq ($(wildcard $(XRUST_MK_DIR)/../module/plugin/plugin.c),)
# A source checkout: build what is missing before loading it, so even the
# first parse of the user's Makefile sees the functions.
XRUST_ROOT := $(patsubst %/,%,$(dir $(XRUST_MK_DIR)))
XRUST_SO := $(XRUST_ROOT)/build/xrust.so
XRUST_ENGINE := $(XRUST_ROOT)/build/xrust-engine.so
XRUST_TOOL := $(XRUST_ROOT)/build/xrust
xrust__build = MAKEFLAGS= MAKELEVEL= $(MAKE) -C $(XRUST_ROOT) \
  --no-print-directory all
ifneq ($(words $(wildcard $(XRUST_SO) $(XRUST_ENGINE) $(XRUST_TOOL))),3)
xrust__log := $(shell $(xrust__build) 1>&2)
ifneq ($(.SHELLSTATUS),0)
$(error xrust: cannot build the module in '$(XRUST_ROOT)': it needs a C compiler, pkg-config and the development files of libcurl, libarchive and OpenSSL (Debian/Ubuntu: apt-get install build-essential pkg-config libcurl4-openssl-dev libarchive-dev libssl-dev))
endif
endif
else
XRUST_ROOT := $(patsubst %/,%,$(dir $(patsubst %/,%,$(dir $(XRUST_MK_DIR)))))
XRUST_SO := $(XRUST_ROOT)/lib/xrust/xrust.so
XRUST_ENGINE := $(XRUST_ROOT)/lib/xrust/xrust-engine.so
XRUST_TOOL := $(XRUST_ROOT)/bin/xrust
endif

-load $(XRUST_SO)

ifeq ($(filter $(XRUST_SO),$(.LOADED)),)
$(error xrust: cannot load '$(XRUST_SO)': run 'make -C $(XRUST_ROOT)' to see why, or reinstall xrust)
endif

ifdef xrust__build
# The rule that remakes what Make loads (the module and its engine) when
# their sources change; Make then re-executes itself with the new module.
# It must not become the user's default goal.  Make unloads the module
# before this recipe runs and re-executes only if the file's time changed,
# so the recipe always touches it: carrying on with the module unloaded
# would leave Make's function table pointing into unmapped memory.  The
# tool is not loaded: its own rule rebuilds it, without a re-execution,
# when a recipe that runs it needs it, and touches it too, so that a
# prerequisite that changed nothing (the top Makefile) is not seen as newer
# by every later no-op.
xrust__src = $(wildcard $(addprefix $(XRUST_ROOT)/module/,$(addsuffix /*.[ch],$(1))))
$(XRUST_SO) $(XRUST_ENGINE): $(call xrust__src,plugin engine lib) \
                             $(wildcard $(XRUST_ROOT)/include/xrust/*.h) \
                             $(XRUST_ROOT)/Makefile
	@$(xrust__build) >&2 && touch $@
$(XRUST_TOOL): $(call xrust__src,cli engine lib) \
               $(wildcard $(XRUST_ROOT)/include/xrust/*.h) $(XRUST_ROOT)/Makefile
	@$(xrust__build) >&2 && touch $@
# No rule makes the sources: an explicit empty one spares Make an
# implicit-rule search for each of them (a hundred files) at every parse,
# most of a no-op's time (GNU Make manual, "Remaking Makefiles").
$(sort $(call xrust__src,plugin engine lib cli) $(wildcard \
  $(XRUST_ROOT)/include/xrust/*.h) $(XRUST_ROOT)/Makefile): ;
endif
# The same for xrust's own makefiles.
$(wildcard $(XRUST_MK_DIR)/*.mk): ;

include $(XRUST_MK_DIR)/config.mk
include $(XRUST_MK_DIR)/init.mk
include $(XRUST_MK_DIR)/layers.mk
include $(XRUST_MK_DIR)/crate.mk

# A cargo project gets the per-target rules, and `all` for a default goal
# when it had none; a C project that only wants the functions sets
# XRUST_NO_RULES=1 or has no Cargo.toml beside its Makefile.
ifeq ($(XRUST_NO_RULES),)
ifneq ($(wildcard $(XRUST_CRATE_DIR)/Cargo.toml),)
include $(XRUST_MK_DIR)/rules.mk
xrust__goal := $(or $(xrust__goal),all)
endif
endif
.DEFAULT_GOAL := $(xrust__goal)

endif # XRUST_MK_INCLUDED
