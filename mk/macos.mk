# macos.mk: what the Apple targets (aarch64-darwin, x86_64-darwin) need
# beyond the per-target rules of rules.mk, and universal2-darwin, the
# two merged into fat Mach-O files (mk/README.md, section "macOS").
# Included by layers.mk, whose templates read the variables below;
# rules.mk instantiates the universal2 template.
#
# The Apple libraries come from one of two places:
#
#   XRUST_MACOS_SDK (else SDKROOT): a MacOSX*.sdk directory copied from
#       Xcode or the Command Line Tools; its version is read from its
#       SDKSettings.json; frameworks work, and build scripts that compile
#       C get clang for the target;
#   nothing: xrust writes its own text-based stub of libSystem (and of
#       libc and libm, which rustc always links, and libiconv, which the
#       libc crate links for iconv_open and the like) from the symbol list
#       macos/libSystem.syms, into $(XRUST_OUT)/.xrust/macos-sdk/.
#
# Linking is done by the toolchain's own rust-lld in its Mach-O flavour,
# through macos/rust-lld, which names the missing symbols when a link
# fails for want of them.

xrust__sdk := $(patsubst %/,%,$(strip $(XRUST_MACOS_SDK)))
xrust__stub_sdk := $(xrust__x)/macos-sdk
xrust__sdkroot := $(or $(xrust__sdk),$(xrust__stub_sdk))
xrust__apple_sdk_stamp := $(if $(xrust__sdk),,$(xrust__stub_sdk)/.stamp)

# The SDK's version, from its SDKSettings.json ("Version": "14.5"): read
# at parse time, only when an SDK is given.
ifneq ($(xrust__sdk),)
xrust__sdk_version := $(shell sed -n \
  '/"Version" *: *"[0-9.]*"/{s/.*"Version" *: *"\([0-9.]*\)".*/\1/p;q;}' \
  '$(xrust__sdk)/SDKSettings.json' 2>/dev/null)
endif

# What the config record of an Apple target holds besides the common
# part: cargo notices none of it.
xrust__apple_config = sdk=$(if $(xrust__sdk),$(xrust__sdk),xrust-stub) \
sdk-version=$(xrust__sdk_version) \
deployment-target=$(or $(MACOSX_DEPLOYMENT_TARGET),default)

# A C compiler for build scripts: clang aimed at the SDK when both exist,
# else macos/no-cc, which fails saying which of the two is missing.
# Looked for when a recipe runs, not at parse time.  The minimum macOS is
# given, as rustc has it: without it clang takes an arm64 darwin object
# for iOS unless the SDK's directory is named MacOSX*.sdk, and the link
# then refuses it.
xrust__apple_cc = $(if $(and $(xrust__sdk),$(shell command -v clang \
  2>/dev/null)),clang,$(XRUST_MK_DIR)/macos/no-cc)

# The environment of cargo for Apple triple $(1) (part of xrust__cargo_env).
xrust__apple_env = SDKROOT='$(xrust__sdkroot)' \
  XRUST_MACOS_SDK='$(xrust__sdk)' \
  XRUST_RUST_LLD='$(XRUST_TOOLCHAIN)/lib/rustlib/$(XRUST_HOST)/bin/rust-lld' \
  $(if $(MACOSX_DEPLOYMENT_TARGET),MACOSX_DEPLOYMENT_TARGET='$(strip \
  $(MACOSX_DEPLOYMENT_TARGET))') \
  CC_$(xrust__cc_var)='$(xrust__apple_cc)' \
  $(if $(xrust__sdk),CFLAGS_$(xrust__cc_var)='--target=$(1) \
  -mmacosx-version-min=$(call xrust__apple_min,$(1)) -isysroot $(xrust__sdk)')
# The minimum macOS for Apple triple $(1): rustc's default unless
# MACOSX_DEPLOYMENT_TARGET says otherwise.
xrust__apple_min = $(or $(strip $(MACOSX_DEPLOYMENT_TARGET)),$(if \
  $(findstring x86_64,$(1)),10.12,11.0))

# Stops a build for Apple triple $(1) whose SDK is not one; part of
# xrust__check_linker, so it runs only when such a build does.
xrust__check_sdk = $(if $(and $(xrust__is_apple),$(xrust__sdk)),$(if \
  $(wildcard $(xrust__sdk)/SDKSettings.json),$(if $(xrust__sdk_version),,$(error \
  xrust: XRUST_MACOS_SDK: '$(xrust__sdk)/SDKSettings.json' has no "Version" \
  entry; expected a MacOSX*.sdk from Xcode or the Command Line Tools)),$(error \
  xrust: XRUST_MACOS_SDK: '$(xrust__sdk)' is not a macOS SDK (no \
  SDKSettings.json in it); expected a MacOSX*.sdk directory from Xcode or \
  the Command Line Tools, or leave XRUST_MACOS_SDK and SDKROOT empty for \
  xrust's own libSystem stub)))

$(xrust__stub_sdk)/.stamp: $(XRUST_MK_DIR)/macos/libSystem.syms \
                           | $(XRUST_TOOL)
	$(call xrust__say,TBD,$(XRUST_OUT)/.xrust/macos-sdk/usr/lib/)
	$(call xrust__why,macos-sdk,$?)
	$(xrust__q)mkdir -p '$(xrust__stub_sdk)/usr/lib'
	$(xrust__q)$(XRUST_TOOL) tbd '$<' \
	  $(foreach l,libSystem libc libm libiconv,'$(xrust__stub_sdk)/usr/lib/$(l).tbd')
	$(xrust__q)touch $@

# ---- universal2-darwin ----------------------------------------------------

# Each binary and library of both Apple targets merged into one fat
# Mach-O by the tool (xrust lipo: the slices copied unchanged, so their
# signatures hold).
# Instantiated by rules.mk with $(eval) when XRUST_TARGETS names
# universal2-darwin.
xrust__fat_in := x86_64-darwin aarch64-darwin
define xrust__universal2_rules
$(xrust__o)/universal2-darwin/.stamp: \
    $(foreach n,$(xrust__fat_in),$(xrust__o)/$(n)/.stamp) | $(XRUST_TOOL)
	$(call xrust__say,LIPO,$(XRUST_OUT)/universal2-darwin/)
	$$(call xrust__why,universal2-darwin,$$?)
	$(xrust__q)mkdir -p '$(xrust__o)/universal2-darwin'
	$(xrust__q)$(foreach b,$(call \
	  xrust__outs,universal2-apple-darwin),$(XRUST_TOOL) lipo -create \
	  -output '$(xrust__o)/universal2-darwin/$(b)' \
	  $(foreach n,$(xrust__fat_in),'$(xrust__o)/$(n)/$(b)') &&) :
	$(xrust__q)touch $$@

.PHONY: cross-universal2-darwin test-universal2-darwin
cross-universal2-darwin: $(xrust__o)/universal2-darwin/.stamp
test-universal2-darwin: $(addprefix test-,$(xrust__fat_in))
endef
