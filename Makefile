# SPDX-License-Identifier: GPL-2.0
# rust_printk_offload: build the module, run the demo, the tests and the benchmark.
#
#   make                 build the module against KDIR (default: the cached test kernel,
#                        built on first use by scripts/kernel.sh)
#   make KDIR=/path      build against your own CONFIG_RUST=y 6.12 build tree
#   make demo            set everything up, boot a VM, show the module working
#   make check           set everything up, run host tests and the VM test suite
#   make bench           benchmark none/direct/offload (+ PREEMPT_RT), 3 VM boots per kernel;
#                        writes bench/results/{latest.json,raw.tar.xz}, docs/bench-results.md,
#                        docs/bench-latency-ccdf.png
#   make object          the module's object only (RPO_API_OVERLAY=DIR: see tests/api/)
#   make clippy          the kernel's clippy build of the module (CLIPPY=1), warnings as errors
#   make rust-analyzer   rust-project.json for rust-analyzer (the kernel's crates and ours)
#   make install         install the module into /lib/modules/<release>/updates/ of KDIR's
#                        release (INSTALL_MOD_PATH= prefixes it), then depmod
#   make uninstall       remove what make install put there, then depmod
#   make host-test       the pure logic's unit tests on the host (cargo test)
#   make loom            the loom model checks of the lock-free protocols
#   make vm-test         the VM selftest suite (TESTS="a.sh b.sh" runs only those)
#   make mutants         seeded defects (tests/mutants/*.patch) against the tests that
#                        must catch them; writes tests/mutants/RESULTS.md (hours; MUTANTS=
#                        "01-... 05-..." runs only those)
#   make fmt             rustfmt with the kernel's .rustfmt.toml (fmt-check: only check)
#   make shellcheck      shellcheck over every shell script
#   make clean           remove build products (needs no kernel)
#   make help            this list

RPO_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rust_printk_offload
# The module must be built by the rustc that built the kernel: for the cached kernels that
# is Debian's (scripts/env.sh); with KDIR=, whatever rustc is first on your PATH.
ifeq ($(KDIR),)
export PATH := $(RPO_CACHE)/toolchain/bin:$(HOME)/.cargo/bin:$(PATH)
endif

# The kernel build tree: resolved once, and only by the targets that build against it
# (resolving it may build the cached test kernel).
kdir = $(eval kdir := $(or $(KDIR),$(shell $(CURDIR)/scripts/kernel.sh test)))$(kdir)
KMAKE = $(MAKE) -C $(kdir) $(if $(shell grep -s '^CONFIG_CC_IS_CLANG=y' $(kdir)/.config),LLVM=1) \
	CONFIG_RUST_PRINTK_OFFLOAD=m

MODULE_DIRS = . tests/modules bench/module

.PHONY: all modules object clippy rust-analyzer mutants test-modules bench-modules clean demo check bench host-test loom vm-test \
	fmt fmt-check shellcheck shellcheck-list setup kernel install uninstall help

all modules:
	@$(CURDIR)/scripts/kconfig-check.sh $(kdir)
	$(KMAKE) M=$(CURDIR) modules

# The module's object alone; with RPO_API_OVERLAY=DIR (absolute), built against the
# headers in DIR first: another 6.12.y release's interface shapes (tests/api/).
object:
	@$(CURDIR)/scripts/kconfig-check.sh $(kdir)
	$(KMAKE) M=$(CURDIR) rust_printk_offload.o

# The kernel's clippy build (clippy-driver in place of rustc, with the lints the kernel
# enables), warnings as errors. The object is built again: an up-to-date one would be
# skipped, and with it the lints.
clippy:
	@$(CURDIR)/scripts/kconfig-check.sh $(kdir)
	rm -f rust_printk_offload.o
	$(KMAKE) M=$(CURDIR) CLIPPY=1 KRUSTFLAGS=-Dwarnings rust_printk_offload.o

# The kernel's own generator, with this directory as the external tree: it adds each crate
# root named in a Kbuild (the module, the test and benchmark modules). 6.12's
# `make M=... rust-analyzer` looks for rust/Makefile under M and stops. The edition of
# `core` follows the rustc that built the kernel, where the generator asks for it. Written
# to RUST_PROJECT, replaced only by a complete file.
RUST_PROJECT ?= rust-project.json
rust-analyzer:
	@set -e; kdir=$(abspath $(kdir)); ksrc=$$kdir; \
	if [ -e $$kdir/source ]; then ksrc=$$(readlink -f $$kdir/source); fi; \
	gen=$$ksrc/scripts/generate_rust_analyzer.py; sysroot=$$(rustc --print sysroot); \
	edition=""; if grep -q core_edition $$gen; then \
		edition=$$(awk -F= '$$1 == "CONFIG_RUSTC_VERSION" { print ($$2 >= 108700 ? 2024 : 2021) }' \
			$$kdir/include/config/auto.conf); fi; \
	python3 $$gen --cfgs='core=--cfg no_fp_fmt_parse' $$edition $$ksrc $$kdir $$sysroot \
		$${RUST_LIB_SRC:-$$sysroot/lib/rustlib/src/rust/library} $(CURDIR) >$(RUST_PROJECT).tmp || \
		{ rm -f $(RUST_PROJECT).tmp; exit 1; }; \
	mv $(RUST_PROJECT).tmp $(RUST_PROJECT); echo "$(RUST_PROJECT) written"

# Kbuild's modules_install puts an external module into updates/ (so it wins over an
# in-tree copy) and runs depmod for KDIR's release, under INSTALL_MOD_PATH if set.
install: modules
	$(KMAKE) M=$(CURDIR) modules_install

uninstall:
	@rel=$$(cat $(kdir)/include/config/kernel.release) && \
	dir="$(INSTALL_MOD_PATH)/lib/modules/$$rel/updates" && \
	echo "  RM      $$dir/rust_printk_offload.ko*" && \
	rm -f "$$dir"/rust_printk_offload.ko* && \
	if [ -e "$(INSTALL_MOD_PATH)/lib/modules/$$rel" ]; then \
		depmod -b "$(or $(INSTALL_MOD_PATH),/)" "$$rel"; fi

test-modules:
	$(KMAKE) M=$(CURDIR)/tests/modules modules

bench-modules:
	$(KMAKE) M=$(CURDIR)/bench/module modules

clean:
	rm -f $(foreach d,$(MODULE_DIRS),$(addprefix $(d)/,*.o *.ko *.mod *.mod.c .*.cmd .*.d \
		*.rmeta *_generated.rs *_generated.rs.tmp modules.order Module.symvers))
	rm -rf tests/host/target

setup:
	scripts/setup.sh

kernel: setup
	scripts/kernel.sh test

demo:
	scripts/demo.sh

check:
	scripts/check.sh

bench:
	scripts/bench.sh

host-test:
	cd tests/host && CARGO_TARGET_DIR=$(RPO_CACHE)/cargo/host cargo test --release

# As make check runs them: at most 3 preemptions per execution.
loom:
	cd tests/host && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=$(RPO_CACHE)/cargo/loom LOOM_MAX_PREEMPTIONS=3 \
		cargo test --release

vm-test:
	scripts/vm-test.sh $(TESTS)

mutants:
	scripts/mutants.sh $(MUTANTS)

help:
	@sed -n '3,/^$$/s/^#   //p' $(firstword $(MAKEFILE_LIST))

RUSTFMT = rustfmt --edition 2021 --config-path $(CURDIR)/.rustfmt.toml
# Not the bindgen output (`*_generated.rs`): the crates mark it #[rustfmt::skip].
RUST_SOURCES = $(filter-out %_generated.rs,$(wildcard rust_printk_offload.rs src/*.rs \
	src/*/*.rs tests/modules/*.rs bench/module/*.rs tests/host/src/*.rs))

fmt:
	$(RUSTFMT) $(RUST_SOURCES)

fmt-check:
	$(RUSTFMT) --check $(RUST_SOURCES)

SHELL_SCRIPTS = $(sort $(wildcard .ci/run scripts/*.sh scripts/guest/*.sh tests/*/*.sh bench/*.sh))

shellcheck-list:
	@echo $(SHELL_SCRIPTS)

shellcheck:
	shellcheck -x -P SCRIPTDIR $(SHELL_SCRIPTS)
