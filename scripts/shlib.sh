# shlib.sh - what the launchers share (scripts/stack.sh, hosting.sh,
# cluster.sh): processes by their pid files, and the database's grant. Sourced; the caller defines die, and LOGS_AT (where a
# process that did not come up left its logs).

# A live process by its pid file (a killed one may linger a moment as a
# zombie).
alive() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null &&
	    ! grep -q '^[0-9]* (.*) Z' "/proc/$(cat "$1")/stat" 2>/dev/null
}

wait_for() {	# wait_for WHAT SECONDS CMD...: until CMD succeeds, or die
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up (logs in $LOGS_AT)"
}

# stop_pidfile FILE NAME [SECONDS]: TERM (then KILL after SECONDS, 30)
# the pid in FILE, but only while that pid is still a NAME process: a
# stale file after a crash or reboot must not hit an unrelated process.
stop_pidfile() {
	local f=$1 name=$2 secs=${3:-30} pid i
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$name" ]; then
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < secs * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

# kill_pidfile FILE NAME: kill -9, as a crash would (fault tests), the
# NAME process whose pid is in FILE.
kill_pidfile() {
	[ "$(cat /proc/"$(cat "$1" 2>/dev/null)"/comm 2>/dev/null)" = "$2" ] &&
	    kill -9 "$(cat "$1")"
	rm -f "$1"
}

# db_grant_on SOCKET: the database and its user as mihwar.conf names
# them (the caller's conf_get reads it), made through the server at
# SOCKET as root.
db_grant_on() {
	local name user pw
	name=$(conf_get db_name)
	user=$(conf_get db_user)
	pw=$(conf_get db_password)
	[[ $name =~ ^[A-Za-z0-9_]+$ && $user =~ ^[A-Za-z0-9_]+$ &&
	    $pw =~ ^[A-Za-z0-9]+$ ]] || die "db_name, db_user, db_password: letters and digits only"
	mariadb --no-defaults --socket="$1" -uroot <<-SQL
	CREATE DATABASE IF NOT EXISTS \`$name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$pw';
	ALTER USER '$user'@'localhost' IDENTIFIED BY '$pw';
	GRANT ALL PRIVILEGES ON \`$name\`.* TO '$user'@'localhost';
	SQL
}
