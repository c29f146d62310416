#!/usr/bin/env bash
# check.sh - is the make dist tarball what shared hosting needs?
#
#   tests/dist/check.sh [build/dist/mihwar.tar.gz]
#
# Unpacks it into a scratch directory and checks: the layout the README
# and scripts/hosting.sh rely on; that the three programs need nothing
# beyond the C library family (ldd); that each one starts from the
# unpacked tree as an ordinary user (no root: as nobody when run as
# root); that public/ holds nothing but what a browser may fetch. Ends
# with "dist-check: N passed, N failed"; exit 1 when any failed.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TARBALL=${1:-$TOP/build/dist/mihwar.tar.gz}
case $TARBALL in /*) ;; *) TARBALL=$PWD/$TARBALL ;; esac
PROGS="public/mihwar.fcgi bin/mihwar-worker bin/mihwarctl"
# The C library family: what every Linux host with glibc has.
ALLOWED_LIBS='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|/lib64/ld-linux-x86-64\.so\.2|ld-linux-x86-64\.so\.2)$'

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

[ -f "$TARBALL" ] || { echo "dist-check: no $TARBALL (make dist)" >&2; exit 1; }
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
tar -C "$SCRATCH" -xzf "$TARBALL"
PKG=$SCRATCH/mihwar

check_layout() {
	local f
	for f in public/.htaccess public/mihwar.fcgi public/mihwar.css \
	    bin/mihwar-worker bin/mihwarctl mihwar.conf.example \
	    apache/htaccess.example README VERSION; do
		[ -f "$PKG/$f" ] && ok "layout: mihwar/$f" || bad "layout: mihwar/$f missing"
	done
	# Every file of www/ and every migration, not just a sample.
	(cd "$TOP/www" && find . -type f) | while read -r f; do
		[ -f "$PKG/public/$f" ] || echo "$f"
	done > "$SCRATCH/missing-www"
	[ -s "$SCRATCH/missing-www" ] &&
	    bad "layout: www/ files missing from public/: $(tr '\n' ' ' < "$SCRATCH/missing-www")" ||
	    ok "layout: public/ has all of www/"
	if diff -q <(cd "$TOP/db/migrations" && ls -- *.sql) \
	    <(cd "$PKG/db/migrations" && ls -- *.sql) >/dev/null; then
		ok "layout: db/migrations/*.sql"
	else
		bad "layout: db/migrations differs from the tree's"
	fi
	cmp -s "$PKG/public/.htaccess" "$PKG/apache/htaccess.example" &&
	    ok "layout: public/.htaccess is apache/htaccess.example" ||
	    bad "layout: public/.htaccess differs from apache/htaccess.example"
}

# Only what a browser may fetch: no configuration, SQL, README or program
# other than the FastCGI one (the .htaccess refuses them too; this keeps
# them from being there at all).
check_public() {
	local extra
	extra=$(cd "$PKG/public" && find . -type f \( -name '*.conf' -o \
	    -name '*.conf.*' -o -name '*.sql' -o -name '*.example' -o \
	    -name 'README*' -o -name 'mihwar-worker' -o -name 'mihwarctl' \))
	[ -z "$extra" ] && ok "public/: nothing private" ||
	    bad "public/: private files: $extra"
}

check_conf_example() {
	local f=$PKG/mihwar.conf.example
	grep -q '@[A-Z_]*@' "$f" && bad "conf example: a @…@ placeholder of make run is left" ||
	    ok "conf example: no make run placeholder"
	grep -q '^# migrations_dir = <where you unpacked>/mihwar/db/migrations$' "$f" &&
	    ok "conf example: migrations_dir names the unpacked tree" ||
	    bad "conf example: no migrations_dir line for the unpacked tree"
}

# No program or directory writable by others: suexec and mod_fcgid
# refuse to run such a program.
check_modes() {
	local loose
	loose=$(find "$PKG" -perm /022 -printf '%P\n')
	[ -z "$loose" ] && ok "modes: nothing group- or world-writable" ||
	    bad "modes: writable by others: $loose"
}

check_libs() {
	local p libs other
	for p in $PROGS; do
		libs=$(ldd "$PKG/$p" | awk '{print $1}')
		other=$(echo "$libs" | grep -Ev "$ALLOWED_LIBS" || true)
		[ -z "$other" ] && ok "ldd $p: $(echo $libs | tr '\n' ' ')" ||
		    bad "ldd $p: needs $(echo $other | tr '\n' ' ')"
	done
	# Informational: the oldest glibc that can run them.
	echo "note glibc needed: $(objdump -T "$PKG"/bin/* "$PKG/public/mihwar.fcgi" |
	    grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
}

# Run as an ordinary account: as nobody when this runs as root, over a
# copy of the tree that account owns (as an uploaded tree would be).
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

# Each program starts (the dynamic linker finds all it needs: 127 and
# "error while loading shared libraries" otherwise) and exits by itself.
check_start() {
	local p out rc
	[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$SCRATCH" && chmod 755 "$SCRATCH"
	for p in "bin/mihwarctl --help" "bin/mihwar-worker --no-such-flag" \
	    "public/mihwar.fcgi"; do
		rc=0
		out=$(cd "$PKG" && MIHWAR_CONF=$PKG/no-such.conf as_user \
		    timeout 10 ./$p </dev/null 2>&1) || rc=$?
		if [ "$rc" -ge 124 ] || grep -q 'error while loading' <<<"$out"; then
			bad "start $p as $(as_user id -un): exit $rc: $(head -c 300 <<<"$out")"
		else
			ok "start $p as $(as_user id -un): exit $rc"
		fi
	done
	grep -q 'usage: mihwarctl' < <(cd "$PKG" && as_user ./bin/mihwarctl --help 2>&1) &&
	    ok "mihwarctl --help prints its usage" || bad "mihwarctl --help: no usage"
}

check_layout
check_public
check_conf_example
check_modes
check_libs
check_start
echo "dist-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
