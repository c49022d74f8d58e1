#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install, idempotently, everything rust_printk_offload needs on Debian 12 (as root):
# Debian packages, bindgen-cli (pinned, from crates.io) and virtme-ng (pinned, from PyPI).
# Prints nothing but a summary when all is present already.
set -euo pipefail
. "$(dirname "$0")/env.sh"

APT_PKGS=(rustc-web rust-web-src rust-web-clippy clang libclang-dev lld llvm flex bison bc libelf-dev
	libssl-dev cpio qemu-system-x86 linux-source-6.12 udev kmod procps util-linux
	python3-pip make gcc shellcheck systemd)
# Without their recommendations: dkms would bring Debian's kernel headers, which nothing
# here uses (scripts/dkms-test.sh builds against the project's own kernel).
APT_PKGS_BARE=(dkms)

# apt_install [APT-GET OPTIONS] -- PACKAGE...: installs those of the packages missing.
apt_updated=0
apt_install() {
	local opts=() missing=() p
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] || rpo_die "missing Debian packages (${missing[*]}); run as root to install them"
	rpo_log "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [ $apt_updated = 0 ]; then
		apt-get update -q >/dev/null || rpo_die "apt-get update failed"
		apt_updated=1
	fi
	apt-get install -y -q "${opts[@]}" "${missing[@]}" >/dev/null ||
		rpo_die "apt-get install failed for: ${missing[*]}"
}
apt_install -- "${APT_PKGS[@]}"
apt_install --no-install-recommends -- "${APT_PKGS_BARE[@]}"

if ! { command -v bindgen >/dev/null && bindgen --version | grep -q " $RPO_BINDGEN_VERSION"; }; then
	command -v cargo >/dev/null || rpo_die "cargo not found: needed to install bindgen-cli $RPO_BINDGEN_VERSION"
	rpo_log "installing bindgen-cli $RPO_BINDGEN_VERSION (cargo, about 75 s)"
	cargo install -q bindgen-cli --locked --version "$RPO_BINDGEN_VERSION" ||
		rpo_die "cargo install bindgen-cli $RPO_BINDGEN_VERSION failed"
fi

if ! { command -v vng >/dev/null && vng --version 2>/dev/null | grep -q "$RPO_VNG_VERSION"; }; then
	rpo_log "installing virtme-ng $RPO_VNG_VERSION (pip)"
	python3 -m pip install -q --root-user-action=ignore "virtme-ng==$RPO_VNG_VERSION" 2>/dev/null ||
		python3 -m pip install -q --break-system-packages "virtme-ng==$RPO_VNG_VERSION" ||
		rpo_die "pip install virtme-ng==$RPO_VNG_VERSION failed"
	hash -r
	command -v vng >/dev/null || rpo_die "virtme-ng installed but 'vng' is not on PATH"
fi

[ -f /usr/src/linux-source-6.12.tar.xz ] || rpo_die "/usr/src/linux-source-6.12.tar.xz missing (package linux-source-6.12)"
rpo_log "toolchain ready: $(rustc --version | cut -d' ' -f1-2), bindgen $(bindgen --version | cut -d' ' -f2), vng $(vng --version | awk '{print $2}')"
