#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) a cached kernel for rust_printk_offload and print its build directory.
#   scripts/kernel.sh [test|release|rt]      default: test
# The cache lives outside the repo ($RPO_CACHE, default ~/.cache/rust_printk_offload) and is
# keyed by kernel version + config fragments + toolchain versions: a second call with nothing
# changed prints the directory in well under a second.
set -euo pipefail
. "$(dirname "$0")/env.sh"

variant=${1:-test}
case $variant in test | release | rt) ;; *) rpo_die "unknown kernel variant '$variant' (test|release|rt)" ;; esac
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || rpo_die "$tarball missing: run scripts/setup.sh"

# Built with clang (LLVM=1): CONFIG_RUST && CONFIG_KASAN requires CC_IS_CLANG, and one
# compiler for kernel, bindgen and module keeps the C flags bindgen sees exact.
kmake=(make -C "$RPO_CACHE/src/linux-source-6.12" ARCH=x86_64 LLVM=1)
frags=("$RPO_ROOT/configs/base.config" "$RPO_ROOT/configs/$variant.config")
# The key: what the source is, what we configure, and which compilers build it.
key=$({
	stat -c '%s %Y' "$tarball"
	dpkg-query -W -f='${Version}\n' linux-source-6.12 2>/dev/null || true
	cat "${frags[@]}"
	gcc --version | head -1
	rustc --version
	bindgen --version
	clang --version | head -1
} | sha256sum | cut -c1-12)

src=$RPO_CACHE/src/linux-source-6.12
out=$RPO_CACHE/build/$variant-$key
if [ -f "$out/.rpo-complete" ]; then
	echo "$out"
	exit 0
fi
# One build of a tree at a time: a second caller waits for the first and reuses its work.
mkdir -p "$RPO_CACHE/build"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.rpo-complete" ]; then
	echo "$out"
	exit 0
fi

exec 8>"$RPO_CACHE/src.lock"
flock 8
if [ ! -f "$src/.rpo-extracted" ]; then
	rpo_log "extracting $tarball"
	rm -rf "$src" && mkdir -p "$RPO_CACHE/src"
	tar -C "$RPO_CACHE/src" -xf "$tarball"
	touch "$src/.rpo-extracted"
fi
flock -u 8

mkdir -p "$out"
rpo_log "configuring $variant kernel in $out"
"${kmake[@]}" -s O="$out" tinyconfig >/dev/null
LLVM=1 "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >"$out/merge.log"
"${kmake[@]}" -s O="$out" olddefconfig >/dev/null

# Every option the fragments ask for must have survived olddefconfig (dependencies can drop
# them silently). A dropped option is a broken config, not a warning.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want="# $opt is not set" ;;
	*) continue ;;
	esac
	val=${line#*=}
	have=$(grep -E "^($opt=|# $opt is not set)" "$out/.config" || true)
	if [ "$val" = n ] || [ "${want#\# }" != "$want" ]; then
		[ -z "$have" ] || [ "$have" = "# $opt is not set" ] || { rpo_log "config: wanted $opt off, got '$have'"; bad=1; }
	elif [ "$have" != "$want" ]; then
		rpo_log "config: wanted '$want', got '${have:-unset}'"
		bad=1
	fi
done < <(cat "${frags[@]}" | awk '
	# Later fragments override earlier ones (rt.config turns PREEMPT_VOLUNTARY off): keep
	# only the last line per option.
	/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o); last[o] = $0; order[++n] = o; next }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { o = $2; last[o] = $0; order[++n] = o; next }
	END { for (i = 1; i <= n; i++) if (!(order[i] in done)) { done[order[i]] = 1; print last[order[i]] } }')
[ $bad = 0 ] || rpo_die "config fragments not satisfied for $variant (see above; $out/.config)"

rpo_log "building $variant kernel (make -j$(($(nproc) + 1))); log: $out/build.log"
start=$(date +%s)
if ! "${kmake[@]}" O="$out" -j$(($(nproc) + 1)) >"$out/build.log" 2>&1; then
	tail -30 "$out/build.log" >&2
	rpo_die "kernel build failed ($out/build.log)"
fi
echo "$(($(date +%s) - start))" >"$out/.rpo-build-seconds"
touch "$out/.rpo-complete"
rpo_log "built $variant kernel in $(cat "$out/.rpo-build-seconds") s"
echo "$out"
