#!/usr/bin/env bash
# deps.sh - install the Debian packages Mihwar needs that are missing.
# Non-interactive; runs apt-get only when something is missing.
set -euo pipefail

PKGS="gcc make pkg-config curl ca-certificates wrk lighttpd apache2 spawn-fcgi
      libfcgi-dev libapache2-mod-fcgid mariadb-server mariadb-client libmariadb-dev libjson-c-dev
      libsodium-dev libcurl4-openssl-dev libcunit1-dev libcsv-dev libpng-dev libjpeg62-turbo-dev valgrind iproute2
      nodejs npm chromium fonts-dejavu-core
      clang libclang-rt-14-dev galera-4 rsync"
# galera-4 and rsync: make check-cluster's Galera nodes (rsync moves a
# node's copy when it joins, SST).
# clang and its runtimes (libclang-rt-14-dev holds libFuzzer, linked by
# -fsanitize=fuzzer) are for make fuzz-long only.
# make dist links libcurl.a, which needs the static archives of its own
# dependencies (pkg-config --static --libs libcurl); these -dev packages
# hold them.
PKGS="$PKGS libnghttp2-dev libidn2-dev libssh2-1-dev libpsl-dev
      libunistring-dev libzstd-dev libbrotli-dev libssl-dev zlib1g-dev"

# node and npm may come with the machine rather than from Debian.
command -v node >/dev/null && command -v npm >/dev/null &&
    PKGS=$(echo $PKGS | tr ' ' '\n' | grep -vx 'nodejs\|npm' | tr '\n' ' ')

npm_deps() {	# the test tools from npm (tests/package-lock.json)
	local top
	top=$(cd "$(dirname "$0")/.." && pwd)
	[ -f "$top/tests/package-lock.json" ] || return 0
	[ -d "$top/tests/node_modules" ] &&
	    [ "$top/tests/node_modules/.package-lock.json" -nt "$top/tests/package-lock.json" ] &&
	    return 0
	echo "deps: npm ci (tests/)" >&2
	(cd "$top/tests" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	npm_deps
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "deps: apt-get install ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
# Debian starts the stock services on install; Mihwar runs its own.
for s in lighttpd apache2 mariadb; do
	if command -v systemctl >/dev/null && systemctl is-active -q "$s" 2>/dev/null; then
		systemctl stop "$s" || true
	fi
	service "$s" stop >/dev/null 2>&1 || true
done
npm_deps
