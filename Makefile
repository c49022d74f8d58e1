# SPDX-License-Identifier: GPL-2.0
# rust_printk_offload: build the module, run the demo, the tests and the benchmark.
#
#   make                 build the module against KDIR (default: the cached test kernel,
#                        built on first use by scripts/kernel.sh)
#   make KDIR=/path      build against any CONFIG_RUST=y 6.12 tree
#   make demo            set everything up, boot a VM, show the module working
#   make check           set everything up, run host tests and the VM test suite
#   make bench           benchmark none/direct/offload (+ PREEMPT_RT) in the VM; writes
#                        bench/results/latest.json, docs/bench.md, docs/bench-latency-cdf.png
#   make fmt             rustfmt with the kernel's .rustfmt.toml (fmt-check: only check)

RPO_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rust_printk_offload
export PATH := $(RPO_CACHE)/toolchain/bin:$(HOME)/.cargo/bin:$(PATH)

KDIR ?= $(shell $(CURDIR)/scripts/kernel.sh test)
LLVM_FLAG = $(if $(shell grep -s '^CONFIG_CC_IS_CLANG=y' $(KDIR)/.config),LLVM=1)
KMAKE = $(MAKE) -C $(KDIR) $(LLVM_FLAG) CONFIG_RUST_PRINTK_OFFLOAD=m

.PHONY: all modules test-modules bench-modules clean demo check bench host-test vm-test fmt fmt-check setup kernel

all modules:
	$(KMAKE) M=$(CURDIR) modules

test-modules:
	$(KMAKE) M=$(CURDIR)/tests/modules modules

bench-modules:
	$(KMAKE) M=$(CURDIR)/bench/module modules

clean:
	-$(KMAKE) M=$(CURDIR) clean
	-$(KMAKE) M=$(CURDIR)/tests/modules clean
	-$(KMAKE) M=$(CURDIR)/bench/module clean
	rm -f offload_bindings_generated.rs tests/modules/test_bindings_generated.rs bench/module/bench_bindings_generated.rs

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
	cd tests/host && cargo test

vm-test:
	scripts/vm-test.sh

RUSTFMT = rustfmt --edition 2021 --config-path $(or $(wildcard $(KDIR)/source/.rustfmt.toml),$(KDIR)/.rustfmt.toml)
# Not the bindgen output (`*_generated.rs`): the crates mark it #[rustfmt::skip].
RUST_SOURCES = $(filter-out %_generated.rs,$(wildcard rust_printk_offload.rs tests/modules/*.rs \
	bench/module/*.rs tests/host/src/*.rs))

fmt:
	$(RUSTFMT) $(RUST_SOURCES)

fmt-check:
	$(RUSTFMT) --check $(RUST_SOURCES)
