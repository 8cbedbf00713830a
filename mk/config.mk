# config.mk: the knobs and their defaults (mk/README.md, section
# "Interface", says what each one does).  Every knob can be set in the
# Makefile before the include, on the command line or in the environment;
# user values always win.  Included by xrust.mk.

XRUST_TARGETS ?= x86_64-linux aarch64-linux x86_64-darwin aarch64-darwin
XRUST_PROFILE ?= release
XRUST_FEATURES ?=
XRUST_NO_DEFAULT_FEATURES ?=
XRUST_CARGO_FLAGS ?=
XRUST_OUT ?= out
ifeq ($(XDG_CACHE_HOME),)
XRUST_HOME ?= $(HOME)/.cache/xrust
else
XRUST_HOME ?= $(XDG_CACHE_HOME)/xrust
endif
ifeq ($(RUSTUP_DIST_SERVER),)
XRUST_DIST_SERVER ?= https://static.rust-lang.org
else
XRUST_DIST_SERVER ?= $(RUSTUP_DIST_SERVER)
endif
XRUST_CRATES_DL ?= https://static.crates.io/crates/{crate}/{crate}-{version}.crate
XRUST_OFFLINE ?=
XRUST_JOBS ?= 8
XRUST_MACOS_SDK ?= $(SDKROOT)
XRUST_WINDOWS_LINKER ?=
XRUST_CACHE_URL ?=
XRUST_CACHE_PUSH ?=
XRUST_VENDOR_LINKS ?= /tmp/xrust-vendor
V ?= 0

# The directory of the Makefile that included us: where xrust.lock lives
# and where the search for rust-toolchain.toml starts.
# Under `make -f .../xrust.mk init` that is the current directory.
ifeq ($(abspath $(firstword $(MAKEFILE_LIST))),$(xrust__self))
XRUST_PROJECT_DIR ?= $(CURDIR)
else
XRUST_PROJECT_DIR ?= $(patsubst %/,%,$(dir $(abspath $(firstword $(MAKEFILE_LIST)))))
endif
XRUST_CRATE_DIR ?= $(XRUST_PROJECT_DIR)
XRUST_LOCK ?= $(XRUST_PROJECT_DIR)/xrust.lock

# The tool and cargo see the same settings as the module.
export XRUST_HOME XRUST_DIST_SERVER XRUST_CRATES_DL XRUST_OFFLINE XRUST_JOBS \
  XRUST_UNPACK_JOBS XRUST_ALLOW_HTTP
