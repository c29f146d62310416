# shlib.sh - what the launchers share (scripts/stack.sh, hosting.sh,
# cluster.sh). Sourced; the caller defines die, and LOGS_AT (where a
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
