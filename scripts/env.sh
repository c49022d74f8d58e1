# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Common environment for rust_printk_offload scripts. Source it; it defines no side effects
# beyond variables and a PATH with Debian's rustc first (the kernel and the module must be
# built by the same rustc, and only Debian's rustc-web has the matching rust-src here).

RPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RPO_KVER=6.12
RPO_CACHE=${RPO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust_printk_offload}
RPO_TOOLBIN=$RPO_CACHE/toolchain/bin
RPO_BINDGEN_VERSION=0.73.2
RPO_VNG_VERSION=1.42
export RPO_BINDGEN_VERSION RPO_VNG_VERSION

mkdir -p "$RPO_TOOLBIN"
for t in rustc rustdoc clippy-driver; do
	[ -e "$RPO_TOOLBIN/$t" ] || [ ! -e "/usr/bin/$t" ] || ln -sf "/usr/bin/$t" "$RPO_TOOLBIN/$t"
done
# With KDIR= (the user's own kernel) the user's rustc stays first: it must be the one that
# built that kernel.
if [ -z "${KDIR:-}" ]; then
	export PATH="$RPO_TOOLBIN:$HOME/.cargo/bin:$PATH"
else
	export PATH="$PATH:$HOME/.cargo/bin"
fi
# pip installs console scripts here for root without a venv (pyenv or plain Debian python).
for d in "$HOME/.local/bin" /usr/local/bin; do
	case ":$PATH:" in *":$d:"*) ;; *) PATH="$PATH:$d" ;; esac
done
export RPO_ROOT RPO_KVER RPO_CACHE RPO_TOOLBIN

# rpo_kdir VARIANT: the kernel build directory to use. For the test kernel that is $KDIR when
# the user gave one (their own build); otherwise the cached build of VARIANT, built on
# first use by scripts/kernel.sh.
rpo_kdir() {
	if [ "$1" = test ] && [ -n "${KDIR:-}" ]; then
		[ -f "$KDIR/.config" ] || rpo_die "KDIR=$KDIR is not a configured kernel build"
		echo "$KDIR"
	else
		"$RPO_ROOT/scripts/kernel.sh" "$1"
	fi
}

rpo_log() { printf '[rpo] %s\n' "$*" >&2; }
rpo_die() { printf '[rpo] error: %s\n' "$*" >&2; exit 1; }
