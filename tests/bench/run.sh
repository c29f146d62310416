#!/usr/bin/env bash
# run.sh - `make bench`: Mihwar's throughput and p99 latency against the
# stack's limit, behind lighttpd and behind Apache. The limit is
# hello.fcgi ({"ok":true}, nothing else) through the same server with the
# same pool size, measured in the same run; each row is also given as a
# ratio to it. Progress goes to stderr, a markdown table to stdout.
#
#   make bench
#   DURATION=30s WARMUP=5s CONNS=64 make bench
#
# Environment:
#   DURATION (10s)  length of each measured wrk run
#   WARMUP   (3s)   a wrk run before each measured one, discarded (0: none)
#   CONNS    (32)   wrk connections (always 2 wrk threads)
#   BENCH_PORT (18090), BENCH_HELLO_PORT (18091)  ports for Mihwar and for
#                   hello; refused if busy
#   BUILD    (build) where `make` put the programs
#
# Everything runs under var/bench (its own MariaDB, web servers, pools of
# 4 FastCGI processes) and is stopped on exit, failure included. A row
# with non-2xx answers or socket errors fails the run. Needs root (the
# mysql and www-data users), wrk, curl, lighttpd, apache2, spawn-fcgi.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$TOP/tests/bench
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNS=${CONNS:-32}
THREADS=2
PROCS=4
PORT=${BENCH_PORT:-18090}
HELLO_PORT=${BENCH_HELLO_PORT:-18091}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
VAR=$TOP/var/bench
RUN=$VAR/run
LOG=$VAR/log
WEB_USER=www-data
HELLO=$BUILD/bench/hello.fcgi
APP=http://127.0.0.1:$PORT
LIMIT=http://127.0.0.1:$HELLO_PORT

log() { echo "[bench] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Mihwar's part of the stack, under var/bench. fd 9 (the lock) is not
# handed to the daemons, so that a leftover cannot hold it; its output
# goes to stderr with the progress.
stack() {
	VAR=$VAR PORT=$PORT PROCS=$PROCS BUILD=$BUILD \
	    "$TOP/scripts/stack.sh" "$@" >&2 9>&-
}

# --- processes: every pid we or stack.sh started is in a file in $RUN ---

# Keep in FILE only the pids whose command is still NAME (a file left by
# a run that was killed may name pids that now belong to someone else).
own_pids() {	# own_pids FILE NAME
	local f=$1 name=$2 pid keep=()
	[ -f "$f" ] || return 0
	for pid in $(cat "$f"); do
		[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$name" ] &&
		    keep+=("$pid")
	done
	if [ ${#keep[@]} -gt 0 ]; then
		printf '%s\n' "${keep[@]}" > "$f"
	else
		rm -f "$f"
	fi
}

stop_pids() {	# stop_pids FILE NAME: TERM, wait up to 10 s, then KILL
	local f=$1 name=$2 pid i
	own_pids "$f" "$name"
	[ -f "$f" ] || return 0
	kill $(cat "$f") 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		for pid in $(cat "$f"); do
			kill -0 "$pid" 2>/dev/null && { sleep 0.1; continue 2; }
		done
		break
	done
	kill -9 $(cat "$f") 2>/dev/null || true
	rm -f "$f"
}

stop_hello_lighttpd() { stop_pids "$RUN/hello-lighttpd.pid" lighttpd; }

stop_hello_apache() {
	stop_pids "$RUN/hello-apache.pid" apache2
	stop_pids "$RUN/hello-spawn-fcgi.pids" hello.fcgi
	rm -f "$RUN/hello-fcgi.sock"
}

stop_all() {
	[ -d "$RUN" ] || return 0
	stop_hello_lighttpd
	stop_hello_apache
	own_pids "$RUN/mariadbd.pid" mariadbd
	own_pids "$RUN/lighttpd.pid" lighttpd
	own_pids "$RUN/apache.pid" apache2
	own_pids "$RUN/spawn-fcgi.pids" mihwar.fcgi
	own_pids "$RUN/worker.pid" mihwar-worker
	stack stop || log "warning: scripts/stack.sh stop failed"
}

on_exit() {
	local rc=$?
	trap - EXIT
	[ -n "$WRK_PID" ] &&
	    [ "$(cat /proc/"$WRK_PID"/comm 2>/dev/null)" = wrk ] &&
	    kill "$WRK_PID" 2>/dev/null
	stop_all
	exit "$rc"
}

wait_for() {	# wait_for WHAT CMD...: retry CMD for up to 15 s
	local what=$1 i
	shift
	for ((i = 0; i < 150; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up (logs in $LOG)"
}

port_free() { ! ss -ltn "sport = :$1" | grep -q LISTEN; }

# expect URL STATUS SUBSTRING [curl args...]: one request, checked.
expect() {
	local url=$1 want=$2 sub=$3 got body
	shift 3
	body=$(mktemp)
	got=$(curl -sS -m 5 -o "$body" -w '%{http_code}' "$@" "$url") ||
	    { rm -f "$body"; die "$url: no answer"; }
	if [ "$got" != "$want" ] || ! grep -qF -- "$sub" "$body"; then
		log "$url: status $got: $(head -c 300 "$body")"
		rm -f "$body"
		die "$url: want status $want and '$sub'"
	fi
	rm -f "$body"
}

# --- the two hello servers (the limit) -----------------------------------

hello_env() {
	export BENCH_TOP=$TOP BENCH_VAR=$VAR BENCH_HELLO_PORT=$HELLO_PORT \
	    BENCH_PROCS=$PROCS BENCH_HELLO=$HELLO BENCH_WEB_USER=$WEB_USER
}

start_hello_lighttpd() {
	local conf=$BENCH/lighttpd-hello.conf
	hello_env
	lighttpd -tt -f "$conf" > "$LOG/hello-lighttpd.out" 2>&1 ||
	    die "$conf: $(cat "$LOG/hello-lighttpd.out")"
	lighttpd -D -f "$conf" >> "$LOG/hello-lighttpd.out" 2>&1 9>&- &
	echo $! > "$RUN/hello-lighttpd.pid"
	wait_for "lighttpd (hello)" curl -fsS -o /dev/null "$LIMIT/hello"
}

start_hello_apache() {
	local conf=$BENCH/apache-hello.conf
	hello_env
	rm -f "$RUN/hello-fcgi.sock"
	spawn-fcgi -s "$RUN/hello-fcgi.sock" -M 0600 -U "$WEB_USER" \
	    -G "$WEB_USER" -u "$WEB_USER" -g "$WEB_USER" -F "$PROCS" \
	    -P "$RUN/hello-spawn-fcgi.pids" -- "$HELLO" \
	    >> "$LOG/hello-spawn-fcgi.out" 2>&1 9>&- ||
	    die "spawn-fcgi: $(cat "$LOG/hello-spawn-fcgi.out")"
	mkdir -p "$RUN/hello-apache"
	apache2 -f "$conf" -t > "$LOG/hello-apache.out" 2>&1 ||
	    die "$conf: $(cat "$LOG/hello-apache.out")"
	apache2 -f "$conf" -DFOREGROUND >> "$LOG/hello-apache.out" 2>&1 9>&- &
	echo $! > "$RUN/hello-apache.pid"
	wait_for "Apache (hello)" curl -fsS -o /dev/null "$LIMIT/hello"
}

# --- measuring -----------------------------------------------------------

ROWS=()
BAD=()

# run_wrk DURATION SCRIPT URL: output in $VAR/wrk.out. In the background
# and waited for, so that a signal stops the run at once (on_exit ends it).
WRK_PID=
run_wrk() {
	wrk -t"$THREADS" -c"$CONNS" -d"$1" --timeout 5s -s "$2" "$3" \
	    > "$VAR/wrk.out" 9>&- &
	WRK_PID=$!
	wait "$WRK_PID"
}

# measure SERVER WHAT URL SCRIPT: a warm-up run, then the measured one;
# the first row of a server is its limit.
declare -A LIMIT_RATE
measure() {
	local server=$1 what=$2 url=$3 script=$BENCH/$4 out rate p99 non2xx errs
	local ratio note=
	log "$server: $what"
	if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
		run_wrk "$WARMUP" "$script" "$url" ||
		    die "$server $what: wrk failed (warm-up)"
	fi
	run_wrk "$DURATION" "$script" "$url" || die "$server $what: wrk failed"
	out=$(grep '^BENCH ' "$VAR/wrk.out") || die "$server $what: no BENCH line"
	rate=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< "$out")
	p99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	non2xx=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<< "$out")
	errs=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<< "$out")
	[[ -n $rate && -n $p99 && -n $non2xx && -n $errs ]] ||
	    die "$server $what: cannot read '$out'"
	[ -n "${LIMIT_RATE[$server]:-}" ] || LIMIT_RATE[$server]=$rate
	ratio=$(awk -v r="$rate" -v l="${LIMIT_RATE[$server]}" \
	    'BEGIN { printf "%.2f", (l > 0 ? r / l : 0) }')
	if [[ $non2xx != 0 || $errs != 0 ]]; then
		note=" (**$non2xx non-2xx, $errs socket errors**)"
		BAD+=("$server $what: $non2xx non-2xx, $errs socket errors")
	fi
	rate=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r }')
	ROWS+=("| $server: $what$note | $rate | $p99 | $ratio |")
	log "$server: $what: $rate req/s, p99 $p99 ms, $ratio of the limit," \
	    "$non2xx non-2xx, $errs errors"
}

# peak_rss PID...: the largest peak RSS (VmHWM) of these processes, in MiB.
peak_rss() {
	local pid kb max=0 n=0
	for pid in "$@"; do
		kb=$(awk '/^VmHWM:/ { print $2 }' /proc/"$pid"/status \
		    2>/dev/null) || continue
		[ -n "$kb" ] || continue
		n=$((n + 1))
		((kb > max)) && max=$kb
	done
	[ "$n" -gt 0 ] || die "no FastCGI process to read VmHWM from"
	[ "$n" -eq "$PROCS" ] || log "warning: $n FastCGI processes, not $PROCS"
	awk -v k="$max" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

children() {	# children PID NAME: its child processes called NAME
	ps -o pid=,comm= --ppid "$1" | awk -v n="$2" '$2 == n { print $1 }'
}

RSS=()

# cpu_busy: how busy all CPUs are over one second (other work than ours
# makes the numbers of a run less comparable).
cpu_busy() {
	local a b
	a=$(head -1 /proc/stat)
	sleep 1
	b=$(head -1 /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x); split(b, y)
		for (i = 2; i <= n; i++) {
			t += y[i] - x[i]
			if (i == 5 || i == 6) idle += y[i] - x[i]
		}
		printf "%.0f %%", (t > 0 ? 100 * (t - idle) / t : 0)
	}'
}

check_endpoints() {	# check_endpoints SERVER
	expect "$LIMIT/hello" 200 '{"ok":true}'
	expect "$APP/api/healthz" 200 '"db":"up"'
	expect "$APP/api/integrations/v1/whoami" 200 "\"slug\":\"$SLUG\"" \
	    -H "Authorization: Bearer $KEY"
	log "$1: endpoints answer"
}

measure_server() {	# measure_server SERVER: the three rows
	measure "$1" "hello.fcgi, the limit" "$LIMIT/hello" report.lua
	measure "$1" "GET /api/healthz" "$APP/api/healthz" report.lua
	BENCH_KEY=$KEY measure "$1" "GET /api/integrations/v1/whoami" \
	    "$APP/api/integrations/v1/whoami" auth.lua
}

run_lighttpd() {
	local app hello

	stack web-start lighttpd
	start_hello_lighttpd
	check_endpoints lighttpd
	measure_server lighttpd
	app=$(peak_rss $(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi))
	hello=$(peak_rss $(children "$(cat "$RUN/hello-lighttpd.pid")" \
	    hello.fcgi))
	RSS+=("$app behind lighttpd (hello.fcgi: $hello)")
	stack web-stop
	stop_hello_lighttpd
}

run_apache() {
	local app hello

	stack web-start apache
	start_hello_apache
	check_endpoints Apache
	measure_server Apache
	app=$(peak_rss $(cat "$RUN/spawn-fcgi.pids"))
	hello=$(peak_rss $(cat "$RUN/hello-spawn-fcgi.pids"))
	RSS+=("$app behind Apache (hello.fcgi: $hello)")
	stack web-stop
	stop_hello_apache
}

print_table() {
	local rev
	rev=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')
	git -C "$TOP" diff --quiet HEAD 2>/dev/null || rev="$rev+changes"
	echo
	echo "Mihwar $rev, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (nproc);" \
	    "wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up," \
	    "127.0.0.1; $PROCS FastCGI processes;" \
	    "$(lighttpd -v | cut -d' ' -f1)," \
	    "$(apache2 -v | sed -n 's/^Server version: //p')," \
	    "MariaDB $(mariadbd --version | awk '{ print $3 }');" \
	    "CPUs busy with other work: $BUSY_BEFORE before, $BUSY_AFTER after."
	echo
	echo "| what | req/s | p99 ms | ratio to the limit |"
	echo "|---|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Peak RSS (VmHWM) of mihwar.fcgi after the runs, max over the pool:" \
	    "${RSS[0]}; ${RSS[1]}."
	if [ ${#BAD[@]} -gt 0 ]; then
		echo
		echo "**FAILED: rows with non-2xx answers or socket errors:**"
		printf -- '- %s\n' "${BAD[@]}"
	fi
}

# --- main ----------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "run as root (the mysql and www-data users)"
for t in wrk curl lighttpd apache2 spawn-fcgi ss mariadbd; do
	command -v "$t" >/dev/null || die "$t is not installed (make deps)"
done
for p in "$BUILD/mihwar.fcgi" "$BUILD/mihwarctl" "$HELLO"; do
	[ -x "$p" ] || die "$p is not built (make bench builds it)"
done
mkdir -p "$VAR"
exec 9> "$VAR/bench.lock"
flock -n 9 || die "another bench is running under $VAR"
if compgen -G "$RUN/*.pid*" > /dev/null; then
	log "stopping what a killed run left under $VAR"
	stop_all
fi
rm -f "$LOG"/*			# logs of the last run (request lines add up)
for p in "$PORT" "$HELLO_PORT"; do
	port_free "$p" || die "127.0.0.1:$p is busy (not ours; BENCH_PORT" \
	    "and BENCH_HELLO_PORT choose others)"
done
trap on_exit EXIT
trap 'exit 130' INT TERM

BUSY_BEFORE=$(cpu_busy)
[ "${BUSY_BEFORE% %}" -lt 25 ] || log "warning: other work keeps the CPUs" \
    "$BUSY_BEFORE busy: the numbers will be low and noisy"
stack setup
SLUG=bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json org create \
    --slug "$SLUG" --name Bench > /dev/null
KEY=$(MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json key create \
    --org "$SLUG" --kind integration |
    sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
[ -n "$KEY" ] || die "mihwarctl key create: no key"
log "organization $SLUG, integration key ${KEY:0:12}..."

run_lighttpd
run_apache
stop_all
trap - EXIT
log "stopped what it started"
BUSY_AFTER=$(cpu_busy)
print_table
[ ${#BAD[@]} -eq 0 ] || exit 1
