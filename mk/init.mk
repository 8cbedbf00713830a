# init.mk: `make -f /path/to/xrust/mk/xrust.mk init` turns the cargo
# project in the current directory into an xrust project, like
# `nix flake init -t`: it writes the two-line Makefile template (and,
# when there is none, a rust-toolchain.toml pinning the version that
# XRUST_CHANNEL, default stable, resolves to now: `xrust toolchain pin`
# reads the channel manifest and installs nothing).  An existing Makefile
# is kept unless FORCE=1.

xrust__init_targets := x86_64-linux aarch64-linux x86_64-linux-gnu \
  aarch64-linux-gnu x86_64-darwin aarch64-darwin x86_64-windows \
  armv7-linux riscv64-linux

.PHONY: init
init: | $(XRUST_TOOL)
	@test -f '$(XRUST_PROJECT_DIR)/Cargo.toml' || { echo \
	  "xrust: no Cargo.toml in '$(XRUST_PROJECT_DIR)': run init in a cargo project" >&2; \
	  exit 1; }
	@if test -e '$(XRUST_PROJECT_DIR)/Makefile' && test '$(FORCE)' != 1; \
	then echo "xrust: '$(XRUST_PROJECT_DIR)/Makefile' exists; use FORCE=1 to replace it" >&2; \
	  exit 1; fi
	@printf '%s\n' 'XRUST_TARGETS := $(xrust__init_targets)' \
	  'include $(XRUST_MK_DIR)/xrust.mk' >'$(XRUST_PROJECT_DIR)/Makefile.tmp' \
	  && mv -f '$(XRUST_PROJECT_DIR)/Makefile.tmp' '$(XRUST_PROJECT_DIR)/Makefile'
	@echo '  INIT    $(XRUST_PROJECT_DIR)/Makefile'
	@if ! test -e '$(XRUST_PROJECT_DIR)/rust-toolchain.toml' && \
	  ! test -e '$(XRUST_PROJECT_DIR)/rust-toolchain'; then \
	  ch='$(or $(XRUST_CHANNEL),stable)'; \
	  pin=$$('$(XRUST_TOOL)' toolchain pin "$$ch") || { pin=$$ch; echo \
	    "xrust: warning: '$$ch' not pinned to a version; the first build pins it in xrust.lock" >&2; }; \
	  printf '%s\n' '[toolchain]' "channel = \"$$pin\"" \
	    'profile = "minimal"' >'$(XRUST_PROJECT_DIR)/rust-toolchain.toml'; \
	  echo '  INIT    $(XRUST_PROJECT_DIR)/rust-toolchain.toml'; fi
