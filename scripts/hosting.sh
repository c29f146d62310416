#!/usr/bin/env bash
# hosting.sh - Mihwar as a shared-hosting account runs it, under
# $VAR/hosting, for `make check` (scripts/check.sh, step "hosting"):
# the host's Apache with mod_fcgid and AllowOverride All
# (apache/fcgid-host.conf), the host's MariaDB (a private one here, with a
# database and an account that has only the privileges README names), and
# the account's side done as the account would, as www-data and never as
# root: the dist tarball unpacked, mihwar.conf written, the .htaccess's
# SetEnv pointed at it, migrations run by the tarball's mihwarctl with
# that account, and mihwar-worker --once in a loop standing in for cron.
# What the host does runs as root (Apache, MariaDB, the account's
# database); what the account does runs as www-data.
#
#   hosting.sh start               all of it
#   hosting.sh stop                stop everything started under $VAR/hosting
#   hosting.sh web-start | web-stop     the host's Apache alone
#   hosting.sh db-start | db-stop | db-kill   its MariaDB (scripts/stack.sh)
#   hosting.sh cron-start | cron-stop   the worker loop
#   hosting.sh exposure            check that nothing private is served
#
# Environment: VAR (var), HOSTING_PORT (8081), TARBALL
# (build/dist/mihwar.tar.gz), BUILD (build, for the stand-in tarball),
# CRON_SECONDS (2: the pause between two worker runs), FCGID_DEFAULTS=1
# (mod_fcgid's default process settings instead of the tuned ones).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
VAR=${VAR:-var}
case $VAR in /*) ;; *) VAR=$TOP/$VAR ;; esac
HVAR=$VAR/hosting
PORT=${HOSTING_PORT:-8081}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
TARBALL=${TARBALL:-$TOP/build/dist/mihwar.tar.gz}
CRON_SECONDS=${CRON_SECONDS:-2}
RUN=$HVAR/run
LOG=$HVAR/log
HOME_DIR=$HVAR/home		# the account's home directory
APP=$HOME_DIR/mihwar		# the unpacked tarball
CONF=$APP/mihwar.conf		# outside public/, as README says
DOCROOT=$APP/public
ACCOUNT=www-data		# the account (Apache's user too, as on
				# hosts without suexec)
DB_NAME=mihwar			# the integration tests' SQL names it
DB_USER=mihwar_host
# The privileges README names for the account (no GRANT, no CREATE
# DATABASE, nothing global).
DB_PRIVILEGES="SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP"


log() { echo "[hosting] $*" >&2; }
die() { log "error: $*"; exit 1; }

# MariaDB of $VAR/hosting through scripts/stack.sh (the host's server).
stack() { VAR=$HVAR BUILD=$BUILD "$TOP/scripts/stack.sh" "$@"; }

# Run a command as the account: no root from here on.
as_account() {
	setpriv --reuid="$ACCOUNT" --regid="$ACCOUNT" --init-groups -- "$@"
}

# wait_for, stop_pidfile; alive is replaced by this script's own below.
LOGS_AT="$LOG"
. "$TOP/scripts/shlib.sh"

alive() {	# alive PIDFILE COMM
	[ -f "$1" ] && [ "$(cat /proc/"$(cat "$1")"/comm 2>/dev/null)" = "$2" ]
}

# --- the tarball ---------------------------------------------------------

# Unpack as the account would over FTP/SSH, into its home directory.
unpack() {
	[ -f "$TARBALL" ] || die "no $TARBALL: make dist first"
	rm -rf "$HOME_DIR"
	mkdir -p "$HOME_DIR"
	chown "$ACCOUNT:$ACCOUNT" "$HOME_DIR"
	as_account tar -C "$HOME_DIR" -xzf "$TARBALL"
	[ -x "$DOCROOT/mihwar.fcgi" ] && [ -f "$DOCROOT/.htaccess" ] &&
	    [ -x "$APP/bin/mihwarctl" ] && [ -x "$APP/bin/mihwar-worker" ] ||
	    die "$TARBALL does not hold the layout of make dist"
	log "unpacked $TARBALL into $APP"
}

# --- the host's side (root) ----------------------------------------------

dirs() {
	mkdir -p "$HVAR" "$RUN" "$LOG" "$RUN/apache" "$RUN/fcgid"
	chmod 755 "$HVAR"
	chown "$ACCOUNT" "$RUN/fcgid" "$LOG"
}

db_password() {
	[ -f "$HVAR/db-password" ] ||
	    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$HVAR/db-password"
	cat "$HVAR/db-password"
}

# The database and account a control panel makes: a fresh database each
# start, so that the migrations run from nothing with this account.
db_account() {
	stack db-start
	mariadb --no-defaults --socket="$HVAR/mariadb/mysqld.sock" -uroot <<-SQL
	DROP DATABASE IF EXISTS \`$DB_NAME\`;
	CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	DROP USER IF EXISTS '$DB_USER'@'localhost';
	CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$(db_password)';
	GRANT $DB_PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
	SQL
	log "database $DB_NAME, account $DB_USER: $(echo $DB_PRIVILEGES)"
}

web_env() {
	export HOSTING_VAR=$HVAR HOSTING_PORT=$PORT HOSTING_DOCROOT=$DOCROOT \
	    HOSTING_WEB_USER=$ACCOUNT HOSTING_CONF=$CONF
}

web_start() {
	local defines=()
	alive "$RUN/apache.pid" apache2 && die "the host's Apache is running"
	! ss -ltn "sport = :$PORT" | grep -q LISTEN ||
	    die "127.0.0.1:$PORT is busy (HOSTING_PORT= to choose another)"
	[ "${FCGID_DEFAULTS:-0}" = 1 ] && defines+=(-DFCGID_DEFAULTS)
	web_env
	apache2 -f "$TOP/apache/fcgid-host.conf" -t "${defines[@]}" \
	    > "$LOG/apache.out" 2>&1 ||
	    die "apache/fcgid-host.conf: $(cat "$LOG/apache.out")"
	apache2 -f "$TOP/apache/fcgid-host.conf" -DFOREGROUND "${defines[@]}" \
	    >> "$LOG/apache.out" 2>&1 &
	echo $! > "$RUN/apache.pid"
	wait_for "Apache with mod_fcgid" 30 \
	    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/healthz"
	log "Apache + mod_fcgid serving $DOCROOT on http://127.0.0.1:$PORT/" \
	    "(${defines[*]:-tuned, conf from the .htaccess only})"
}

# Apache stops its mod_fcgid process manager and the FastCGI processes
# with it.
web_stop() { stop_pidfile "$RUN/apache.pid" apache2; }

# --- the account's side (as $ACCOUNT) ------------------------------------

# mihwar.conf from the tarball's example: the host's database, a fresh
# master key, the migrations where they were unpacked, the public URL.
# EXTRA_CONF (lines) is appended: the tests' loopback receivers.
write_conf() {
	local keys='db_socket|db_host|db_port|db_name|db_user|db_password'
	keys+='|master_key|migrations_dir|base_url'
	as_account sh -c 'umask 077; cat > "$1"' sh "$CONF" <<-CONF
	$(grep -Ev "^[#[:space:]]*($keys)[[:space:]]*=" "$APP/mihwar.conf.example")

	# Written by scripts/hosting.sh, as README "On shared hosting" says.
	db_socket = $HVAR/mariadb/mysqld.sock
	db_name = $DB_NAME
	db_user = $DB_USER
	db_password = $(db_password)
	master_key = $(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	migrations_dir = $APP/db/migrations
	base_url = http://127.0.0.1:$PORT
	${EXTRA_CONF:-}
	CONF
	# The one line of the .htaccess to edit: where the configuration is.
	as_account sed -i "s|^SetEnv MIHWAR_CONF .*|SetEnv MIHWAR_CONF $CONF|" \
	    "$DOCROOT/.htaccess"
	grep -q "^SetEnv MIHWAR_CONF $CONF\$" "$DOCROOT/.htaccess" ||
	    die "public/.htaccess has no SetEnv MIHWAR_CONF line to edit"
}

migrate() {
	as_account env MIHWAR_CONF="$CONF" "$APP/bin/mihwarctl" migrate ||
	    die "mihwarctl migrate failed with the account's privileges"
}

# The crontab line `* * * * * .../bin/mihwar-worker --once`, every
# CRON_SECONDS instead of every minute. Its own session (setsid), so that
# cron-stop ends the loop and a run in progress together.
cron_start() {
	alive "$RUN/cron.pid" sh && { log "worker loop already running"; return 0; }
	setsid setpriv --reuid="$ACCOUNT" --regid="$ACCOUNT" --init-groups -- \
	    sh -c 'while :; do MIHWAR_CONF="$1" "$2" --once; sleep "$3"; done' \
	    sh "$CONF" "$APP/bin/mihwar-worker" "$CRON_SECONDS" \
	    >> "$LOG/cron.log" 2>&1 < /dev/null &
	echo $! > "$RUN/cron.pid"
	log "mihwar-worker --once every ${CRON_SECONDS}s as $ACCOUNT" \
	    "(log $LOG/cron.log)"
}

cron_stop() {
	local pid i
	alive "$RUN/cron.pid" sh || { rm -f "$RUN/cron.pid"; return 0; }
	pid=$(cat "$RUN/cron.pid")
	kill -TERM -- "-$pid" 2>/dev/null || true
	for ((i = 0; i < 600; i++)); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$RUN/cron.pid"
}

# --- what must not be served ---------------------------------------------

# exposure: the configuration, the migrations, the tarball's other files
# and the .htaccess answer no content over HTTP, under any spelling of
# the path; the public files and the API still answer. Prints one line a
# check and exits 1 if any failed.
exposure() {
	local base=http://127.0.0.1:$PORT bad=0 mig secret p st body
	mig=$(basename "$(ls "$APP"/db/migrations/*.sql | head -1)")
	secret=$(sed -n 's/^master_key *= *//p' "$CONF" | tail -1)
	body=$(mktemp)
	for p in /mihwar.conf /../mihwar.conf /%2e%2e/mihwar.conf \
	    /..%2fmihwar.conf /%2e%2e%2fmihwar.conf /.%2e/mihwar.conf \
	    "/db/migrations/$mig" "/../db/migrations/$mig" \
	    "/%2e%2e/db/migrations/$mig" /mihwar.conf.example \
	    /README /bin/mihwarctl /.htaccess /.htaccess%00 /.ht%61ccess \
	    /apache/htaccess.example "/api/../../mihwar.conf" \
	    "/admin/../../mihwar.conf" /mihwar.fcgi/../../mihwar.conf; do
		st=$(curl -sS --path-as-is -o "$body" -w '%{http_code}' \
		    "$base$p") || st=000
		if [[ $st == 2* ]] || grep -qF -e "$secret" -e 'CREATE TABLE' \
		    -e 'RewriteRule' "$body"; then
			echo "exposure: FAIL $p answered $st: $(head -c 100 "$body")"
			bad=1
		else
			echo "exposure: ok $p ($st)"
		fi
	done
	# What is public still is (else the checks above prove nothing).
	for p in /mihwar.css /openapi.yaml /api/healthz; do
		st=$(curl -sS -o /dev/null -w '%{http_code}' "$base$p") || st=000
		if [ "$st" = 200 ]; then
			echo "exposure: ok $p is served (200)"
		else
			echo "exposure: FAIL $p answered $st, not 200"
			bad=1
		fi
	done
	# A copy of the configuration inside public/ is refused too.
	as_account cp "$CONF" "$DOCROOT/copy.conf"
	st=$(curl -sS -o "$body" -w '%{http_code}' "$base/copy.conf") || st=000
	rm -f "$DOCROOT/copy.conf"
	if [ "$st" = 403 ] && ! grep -qF "$secret" "$body"; then
		echo "exposure: ok a stray public/copy.conf is refused (403)"
	else
		echo "exposure: FAIL public/copy.conf answered $st"
		bad=1
	fi
	rm -f "$body"
	return $bad
}

# --- all of it -------------------------------------------------------------

start() {
	dirs
	cron_stop
	web_stop
	db_account
	unpack
	write_conf
	migrate
	web_start
	cron_start
}

stop_all() {
	cron_stop
	web_stop
	stack db-stop
	log "stopped"
}

[ "$(id -u)" = 0 ] || die "run as root: it plays the host (Apache, MariaDB) too"
cmd=${1:-}
shift || true
case $cmd in
start) start ;;
stop) stop_all ;;
web-start) dirs; web_start ;;	# web-start [apache]: the kind is ignored
web-stop) web_stop ;;
db-start) stack db-start ;;
db-stop) stack db-stop ;;
db-kill) stack db-kill ;;
cron-start) cron_start ;;
cron-stop) cron_stop ;;
exposure) exposure ;;
*) die "usage: hosting.sh start|stop|web-start|web-stop|db-start|db-stop|db-kill|cron-start|cron-stop|exposure" ;;
esac
