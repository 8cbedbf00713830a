# xrust: a GNU Make plugin that cross-compiles Rust.
#
# Targets:
#   all (default)  build/xrust.so (the loadable module), build/xrust-engine.so
#                  (what it loads to download and unpack) and build/xrust (the
#                  command-line tool on the same C library)
#   demo           the main job: examples/hello built for every Linux target
#                  and each binary run (installs Debian packages as root)
#   check          every test; ends with "N passed, N failed"
#   check-style    module/README.md's Style rules (banned functions, ...)
#   fuzz           libFuzzer targets for the parsers (needs clang)
#   install        module, engine, mk/ files and tool under $(DESTDIR)$(PREFIX)
#                  (include/xrust/ is the parts' internal interface, not an
#                  installed API: no headers, no libxrust.a)
#   clean          remove build/
#
# Knobs (on the command line or in the environment):
#   V=1            show full commands
#   CC=...         C compiler (gcc or clang; both must build warning-free)
#   CFLAGS=...     optimisation and debug flags (default -O2 -g)
#   SANITIZE=1     build the C tests and the tool with ASan and UBSan (into
#                  build/san/) and run the C-level tests with them
#   PREFIX=...     install prefix (default /usr/local)
#   DESTDIR=...    staging root for packagers
#   PKG_CONFIG=... pkg-config program used for libcurl, libarchive, libcrypto
#   FUZZ_SECONDS=N how long `make fuzz-run` fuzzes each target (default 60)

PREFIX ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif
# make -s: errors only, as Kbuild does.
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
quiet = @:
endif

UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
OS_CPPFLAGS := -D_DARWIN_C_SOURCE
SO_LDFLAGS := -bundle -undefined dynamic_lookup
so_exports =
else
OS_CPPFLAGS := -D_GNU_SOURCE
SO_LDFLAGS := -shared
so_exports = -Wl,--version-script=$(1)
endif

PKGS := libcurl libarchive libcrypto
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
XR_CPPFLAGS := -Iinclude -Imodule $(OS_CPPFLAGS) $(PKG_CFLAGS)
XR_CFLAGS := -std=c99 -fPIC -pthread $(WARN) $(CFLAGS)
XR_LIBS := $(PKG_LIBS) -pthread -lm

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
ifeq ($(SANITIZE),1)
B := build/san
XR_LDFLAGS += $(SAN_FLAGS)
else
B := build
endif

# The parts are the folders of module/ (module/README.md draws them):
#   module/lib/     the plain-C library every part shares (TOML, Cargo
#                   files, channels and locks, the store, settings);
#   module/plugin/  what Make loads at parse time (build/xrust.so): the
#                   plugin and the loader of the engine, linked with the
#                   library and the plain-C SHA-256 only, so a no-op build
#                   never maps libcurl, libarchive or libcrypto;
#   module/engine/  what needs those libraries (downloads, unpacking,
#                   installing, vendoring), build/xrust-engine.so, loaded by
#                   the plugin the first time a function has such work;
#   module/cli/     the command-line tool build/xrust (cli.c, one cmd_*.c
#                   per subcommand), which links everything directly.
# A new file joins its part by being put in the folder.
LIB_SRCS := $(sort $(wildcard module/lib/*.c))
PLUGIN_SRCS := $(sort $(wildcard module/plugin/*.c))
ENGINE_SRCS := $(sort $(wildcard module/engine/*.c))
TOOL_SRCS := $(sort $(wildcard module/cli/*.c))
# engine.c is the engine's table of entry points for the plugin; the
# tool and the tests call the same functions directly.
ENGINE_TABLE := module/engine/engine.c
ENGINE_LIB_SRCS := $(filter-out $(ENGINE_TABLE),$(ENGINE_SRCS))
obj = $(patsubst module/%.c,$(1)/obj/%.o,$(2))
LIB_OBJS := $(call obj,$(B),$(LIB_SRCS) $(ENGINE_LIB_SRCS))
TOOL_OBJS := $(call obj,$(B),$(TOOL_SRCS))
# Both shared objects are loaded into make itself, so never sanitized.
PLUGIN_OBJS := $(call obj,build,$(PLUGIN_SRCS) \
                 $(filter-out module/lib/sha256.c,$(LIB_SRCS))) \
               build/obj/lib/sha256-portable.o
ENGINE_OBJS := $(call obj,build,$(ENGINE_SRCS) $(LIB_SRCS))
LIB := $(B)/libxrust.a
TOOL := $(B)/xrust
PLUGIN := build/xrust.so
ENGINE := build/xrust-engine.so

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%) \
             $(B)/tests/test_sha256_portable

# TESTS="tests/make/x.sh ..." makes `check` run only those shell tests (the
# unit tests always run).
.PHONY: all demo check check-run check-style fuzz fuzz-run install clean help
.DELETE_ON_ERROR:

all: $(PLUGIN) $(ENGINE) $(TOOL)

# Every output is written under a temporary name and renamed into place, so
# two Make processes building the same tree at once (two projects including
# mk/xrust.mk from one checkout) never see a half-written object.
build/obj/%.o: module/%.c
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) $(XR_CFLAGS) -MMD -MP -MT $@ -MF $@.d.$$$$ \
	  -c $< -o $@.$$$$ && mv -f $@.d.$$$$ $(@:.o=.d) && mv -f $@.$$$$ $@

build/san/obj/%.o: module/%.c
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) $(XR_CFLAGS) $(SAN_FLAGS) -MMD -MP -MT $@ \
	  -MF $@.d.$$$$ -c $< -o $@.$$$$ && mv -f $@.d.$$$$ $(@:.o=.d) \
	  && mv -f $@.$$$$ $@

$(LIB): $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@.$$$$ && $(AR) rcs $@.$$$$ $^ && mv -f $@.$$$$ $@

# The plain-C SHA-256 of the module (module/lib/sha256.c).
build/obj/lib/sha256-portable.o: module/lib/sha256.c
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) $(XR_CFLAGS) -DXR_SHA256_PORTABLE -MMD -MP \
	  -MT $@ -MF $@.d.$$$$ -c $< -o $@.$$$$ && mv -f $@.d.$$$$ $(@:.o=.d) \
	  && mv -f $@.$$$$ $@

build/san/obj/lib/sha256-portable.o: module/lib/sha256.c
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) $(XR_CFLAGS) $(SAN_FLAGS) -DXR_SHA256_PORTABLE \
	  -c $< -o $@.$$$$ && mv -f $@.$$$$ $@

# Each shared object exports only its entry points (module/plugin/xrust.map,
# module/engine/engine.map), so the two copies of the common code never
# bind to each other.  The module must
# not reach any library function it was not linked with: a call would
# fail only when made, inside make.
$(PLUGIN): $(PLUGIN_OBJS) module/plugin/xrust.map
	$(quiet) LD $@
	$(Q)$(CC) $(SO_LDFLAGS) $(XR_CFLAGS) $(call so_exports,module/plugin/xrust.map) \
	  -o $@.$$$$ $(PLUGIN_OBJS) -ldl \
	  && { ! nm -u $@.$$$$ | grep -E ' (xr_|curl_|archive_|EVP_)' >&2 || \
	       { echo "$@: the module needs symbols of the engine" >&2; \
	         rm -f $@.$$$$; exit 1; }; } \
	  && mv -f $@.$$$$ $@

$(ENGINE): $(ENGINE_OBJS) module/engine/engine.map
	$(quiet) LD $@
	$(Q)$(CC) $(SO_LDFLAGS) $(XR_CFLAGS) $(call so_exports,module/engine/engine.map) \
	  -o $@.$$$$ $(ENGINE_OBJS) $(XR_LIBS) && mv -f $@.$$$$ $@

$(TOOL): $(TOOL_OBJS) $(LIB)
	$(quiet) LD $@
	$(Q)$(CC) $(XR_CFLAGS) $(XR_LDFLAGS) -o $@.$$$$ $(TOOL_OBJS) $(LIB) \
	  $(XR_LIBS) && mv -f $@.$$$$ $@

# The same SHA-256 tests against the module's plain-C implementation.
$(B)/tests/test_sha256_portable: tests/unit/test_sha256.c tests/unit/tap.h \
                                 $(B)/obj/lib/sha256-portable.o $(LIB)
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) -Itests/unit $(XR_CFLAGS) $(XR_LDFLAGS) \
	  -o $@.$$$$ $< $(B)/obj/lib/sha256-portable.o $(LIB) $(XR_LIBS) \
	  && mv -f $@.$$$$ $@

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB)
	@mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(XR_CPPFLAGS) -Itests/unit $(XR_CFLAGS) $(XR_LDFLAGS) \
	  -o $@.$$$$ $< $(LIB) $(XR_LIBS) && mv -f $@.$$$$ $@

-include $(wildcard build/obj/*/*.d build/san/obj/*/*.d)

# `make check` first makes sure the Debian packages the tests need are
# there (installing them when run as root), then runs both tiers through
# one driver that counts TAP lines.
check:
	@sh tests/deps.sh
	@$(MAKE) --no-print-directory check-run

check-run: all $(TOOL) $(UNIT_BINS)
	@XRUST_TOOL=$(abspath $(TOOL)) XRUST_BUILD=$(abspath $(B)) \
	  XRUST_SANITIZE=$(SANITIZE) MAKE=$(MAKE) \
	  sh tests/run.sh $(abspath $(UNIT_BINS))

demo:
	@sh tests/deps.sh
	@$(MAKE) --no-print-directory -s all
	@sh examples/demo.sh

check-style:
	@sh tests/check-style.sh

# libFuzzer targets: tests/fuzz/fuzz_*.c, each linked with the library
# sources compiled for fuzzing.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=undefined

fuzz: $(FUZZ_BINS)

build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(ENGINE_LIB_SRCS)
	@mkdir -p $(@D)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(XR_CPPFLAGS) -std=c99 -pthread $(FUZZ_FLAGS) \
	  -o $@ $< $(LIB_SRCS) $(ENGINE_LIB_SRCS) $(XR_LIBS)

fuzz-run: fuzz
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(abspath $(FUZZ_BINS))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/xrust \
	  $(DESTDIR)$(PREFIX)/share/xrust
	install -m 755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/xrust
	install -m 755 $(PLUGIN) $(DESTDIR)$(PREFIX)/lib/xrust/xrust.so
	install -m 755 $(ENGINE) $(DESTDIR)$(PREFIX)/lib/xrust/xrust-engine.so
	install -m 644 mk/*.mk $(DESTDIR)$(PREFIX)/share/xrust/
	install -m 755 mk/xrust-rustc $(DESTDIR)$(PREFIX)/share/xrust/
	install -d $(DESTDIR)$(PREFIX)/share/xrust/macos
	install -m 644 mk/macos/libSystem.syms $(DESTDIR)$(PREFIX)/share/xrust/macos/
	install -m 755 mk/macos/rust-lld mk/macos/no-cc \
	  $(DESTDIR)$(PREFIX)/share/xrust/macos/

clean:
	rm -rf build

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile
