# shellcheck shell=bash
# Shared by the qemu/ scripts: where things are cached and which kernels exist.

KCOAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KCOAP_CACHE=${KCOAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kcoap}

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }

# Debian's source package for the debug kernel.
KSRC_PKG=linux-source-6.12
KSRC_TARBALL=/usr/src/$KSRC_PKG.tar.xz

ksrc_version() { dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null; }

# The extracted source tree (shared by the debug build, checkpatch and kunit.py).
ksrc_dir() { echo "$KCOAP_CACHE/src-$(ksrc_version)/$KSRC_PKG"; }

ksrc_extract() {
	local src
	src=$(ksrc_dir)
	[ -f "$src/.kcoap-extracted" ] && return
	[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing: apt-get install $KSRC_PKG"
	note "extracting $KSRC_TARBALL"
	rm -rf "$(dirname "$src")"
	mkdir -p "$(dirname "$src")"
	tar -C "$(dirname "$src")" -xf "$KSRC_TARBALL"
	touch "$src/.kcoap-extracted"
}

# Cache key: the config fragment and the source version.
kdebug_key() {
	{ cat "$KCOAP_TOP/qemu/debug.config"; ksrc_version; } | sha256sum | cut -c1-16
}
kdebug_dir() { echo "$KCOAP_CACHE/kernel-$(kdebug_key)"; }

# Debian's stock kernels: the newest installed release of a series.
stock_release() { # 6.1 | 6.12
	local series=$1 d
	for d in /usr/src/linux-headers-"$series".*-amd64; do
		[ -e "$d" ] || continue
		basename "$d" | sed 's/^linux-headers-//'
	done | sort -V | tail -n 1
}
