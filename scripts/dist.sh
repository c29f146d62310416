#!/usr/bin/env bash
# dist.sh - lay out mihwar/ for shared hosting and pack it (make dist).
#
#   scripts/dist.sh BUILD_DIR OUT_DIR
#
# BUILD_DIR holds the three programs linked by `make DIST=1`; OUT_DIR gets
# mihwar.tar.gz, which unpacks to:
#   mihwar/public/             the web root: www/'s files, .htaccess, mihwar.fcgi
#   mihwar/bin/                mihwar-worker, mihwarctl
#   mihwar/db/migrations/      *.sql
#   mihwar/mihwar.conf.example the configuration, to copy beside public/
#   mihwar/apache/htaccess.example, mihwar/README, mihwar/VERSION
# Nothing secret is in it and nothing in it is made for this machine: the
# user's mihwar.conf is made on the host, from the example.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${1:?usage: dist.sh BUILD_DIR OUT_DIR}
OUT=${2:?usage: dist.sh BUILD_DIR OUT_DIR}
STAGE=$OUT/stage
PKG=$STAGE/mihwar
TARBALL=$OUT/mihwar.tar.gz

log() { echo "[dist] $*" >&2; }
die() { log "error: $*"; exit 1; }

version() {	# the commit, and -dirty when the tree has changes
	git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown
}

# Strip the copies only: the programs in BUILD_DIR keep their symbols for
# a debugger, the upload is smaller.
install_prog() {	# install_prog NAME DEST_DIR
	[ -x "$BUILD_DIR/$1" ] || die "$BUILD_DIR/$1 missing (run make dist)"
	install -m 755 "$BUILD_DIR/$1" "$2/$1"
	strip "$2/$1"
}

# The example as it fits an unpacked tarball on someone else's server:
# the database is the host's, the secrets are the user's to make, and
# migrations_dir names the unpacked tree. Every other key stays as the
# source tree's example has it.
conf_example() {
	sed -e '1a\
# On shared hosting: copy this file to mihwar.conf next to public/ (never\
# inside it: public/ is the web root), make it readable by your account\
# only (chmod 600), fill in each CHANGE_ME and name the file in\
# public/.htaccess (SetEnv MIHWAR_CONF /absolute/path/mihwar.conf).' \
	    -e '/^# `make run` copies this to var\/mihwar.conf/d' \
	    -e 's|^# secrets\. Every key can be overridden|# Every key can be overridden|' \
	    -e 's|^db_socket = @VAR@/mariadb/mysqld.sock$|# The host'"'"'s MariaDB. db_host = localhost means its unix socket at\
# /run/mysqld/mysqld.sock; where the host keeps it elsewhere (cPanel:\
# /var/lib/mysql/mysql.sock) set db_socket to that path, or use TCP\
# (db_host = 127.0.0.1, db_port = 3306).\
db_host = localhost\
# db_socket = /var/lib/mysql/mysql.sock\
# db_port = 3306|' \
	    -e 's|^db_name = mihwar$|db_name = CHANGE_ME|' \
	    -e 's|^db_user = mihwar$|db_user = CHANGE_ME|' \
	    -e 's|^db_password = @DB_PASSWORD@$|db_password = CHANGE_ME|' \
	    -e 's|^master_key = @MASTER_KEY@$|# Make one with: head -c 32 /dev/urandom \| od -An -tx1 \| tr -d '"'"' \\n'"'"'\
master_key = CHANGE_ME|' \
	    -e 's|^# Where `mihwarctl migrate` finds db/migrations .*|# Where `mihwarctl migrate` finds the migrations (default: db/migrations\
# under the current directory, so: cd mihwar \&\& bin/mihwarctl migrate).|' \
	    -e 's|^# migrations_dir = .*|# migrations_dir = <where you unpacked>/mihwar/db/migrations|' \
	    -e 's|^base_url = http://127.0.0.1:@PORT@$|base_url = https://CHANGE_ME.example|' \
	    "$TOP/mihwar.conf.example"
}

layout() {
	rm -rf "$STAGE"
	install -d -m 755 "$PKG" "$PKG/public" "$PKG/bin" "$PKG/db/migrations" \
	    "$PKG/apache"
	[ -f "$TOP/apache/htaccess.example" ] ||
	    die "apache/htaccess.example missing: public/.htaccess is made from it"

	cp -R "$TOP/www/." "$PKG/public/"
	install -m 644 "$TOP/apache/htaccess.example" "$PKG/public/.htaccess"
	install_prog mihwar.fcgi "$PKG/public"
	install_prog mihwar-worker "$PKG/bin"
	install_prog mihwarctl "$PKG/bin"

	install -m 644 "$TOP"/db/migrations/*.sql "$PKG/db/migrations/"
	install -m 644 "$TOP/apache/htaccess.example" "$PKG/apache/"
	install -m 644 "$TOP/README" "$PKG/README"
	conf_example > "$PKG/mihwar.conf.example"
	! grep -n '@[A-Z_]*@' "$PKG/mihwar.conf.example" ||
	    die "mihwar.conf.example: a placeholder above is left (its line changed?)"
	version > "$PKG/VERSION"

	# suexec and mod_fcgid refuse a program or directory that others
	# may write to; nothing here needs more than the owner's write bit.
	find "$PKG" -type d -exec chmod 755 {} +
	find "$PKG" -type f ! -perm -u+x -exec chmod 644 {} +
}

# Owner 0 and a fixed order and time: the same tree packs to the same
# listing wherever it is built, and unpacking never tries to chown.
pack() {
	local mtime
	mtime=$(git -C "$TOP" log -1 --format=@%ct 2>/dev/null || date +@%s)
	rm -f "$TARBALL"
	tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner \
	    --mtime="$mtime" -czf "$TARBALL" mihwar
	rm -rf "$STAGE"
}

mkdir -p "$OUT"
layout
pack
log "$TARBALL ($(version), $(du -k "$TARBALL" | cut -f1) KiB)"
