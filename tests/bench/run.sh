#!/usr/bin/env bash
# run.sh - `make bench`: Mihwar's throughput and p99 latency against the
# stack's limit, behind lighttpd and behind Apache. The limit is
# hello.fcgi ({"ok":true}, nothing else) through the same server with the
# same pool size, measured in the same run; each row is also given as a
# ratio to it. Progress goes to stderr, markdown tables to stdout.
#
#   make bench
#   DURATION=30s WARMUP=5s CONNS=64 make bench
#
# Rows, behind both servers: hello (the limit), GET /api/healthz, GET
# .../whoami. The last two also behind Apache with mod_fcgid, as on
# shared hosting (apache/fcgid-host.conf, the document root a copy of www/
# with apache/htaccess.example and mihwar.fcgi), once with mod_fcgid's
# default process settings and once with the tuned ones; their ratio is
# to Apache's hello (mod_proxy_fcgi). Behind lighttpd only:
# - reads: GET .../inventory/items/{id} (a random one of ITEMS items the
#   run creates with PUT .../items/by-sku/{sku}; items.lua) and the list
#   page GET .../inventory/items?limit=50, at CONNS connections.
# - the SCIM directory (scim.lua), at CONNS connections, over SCIM_USERS
#   users the run seeds in SQL in its organization (bench-u<N>, e-mail
#   u<N>@bench.example): GET /api/scim/v2/Users?filter=userName eq
#   "bench-u<N>" and ?filter=emails.value eq "u<N>@bench.example" (N at
#   random), and ?startIndex=<random>&count=100, a page deep in the list;
#   then the first and the third one request at a time (wrk -c1 for
#   SCIM_SOLO), median and p95: the figures of issue 9's "under 3 ms at
#   20,000 users". Each answer's totalResults is checked (1, or every
#   user), so a broken filter cannot pass for a fast empty answer.
# - ingestion: POST .../ingestion/order-lines with one 5000-line body
#   (those SKUs) at INGEST_CONNS connections, in lines/s, against the
#   database's own limit measured just before it: rawinsert (tests/bench/
#   rawinsert.c) inserting the same rows into order_history_lines as
#   10 x 500-row prepared INSERTs per 5000-row transaction, RAW_TX
#   transactions in each of INGEST_CONNS threads. Ingestion is rate
#   limited; the run sets rate_limit_per_minute = 1000000 in
#   var/bench/mihwar.conf before it starts a web server.
# - activity ingest: POST /api/v1/ingest/events with one 500-event body
#   (50 workers by externalId) at INGEST_CONNS connections, in events/s,
#   against rawinsert -k activity writing the same rows into
#   activity_events as one prepared 500-row INSERT per transaction.
#   Ingest is rate limited too; the run lifts ingest_rate_per_key and
#   ingest_rate_per_org the same way.
# - the peak RSS (VmHWM) of the FastCGI pool after the read rows, after
#   the SCIM rows, and after the ingestion runs; and the resident size
#   (VmRSS) of every FastCGI process at the end of its pool's rows, max
#   over the pool, once idle (issue 14's aim: under 16 MiB): lighttpd's
#   first pool before the exports restart it, lighttpd's last pool, and
#   Apache's spawn-fcgi pool.
# - webhooks (tests/bench/webhooks.mjs): one worker's deliveries/s draining
#   a backlog to a local receiver, and the lag from an event's commit to
#   its delivery, p50 and p99.
# - import/export (issue 13): a 20,000-row items CSV imported through
#   POST /api/v1/import-export/items/import (one request at a time, each
#   into a fresh organization, IMPEX_RUNS timed after one untimed; the
#   median) in rows/s, against rawinsert -k items writing the same rows
#   into inventory_items as 40 prepared 500-row INSERTs in one
#   transaction, measured just before; and GET /api/v1/import-export/
#   items.csv of EXPORT_SMALL and of EXPORT_ROWS items (seeded in SQL):
#   its time and the pool's peak RSS, reset (/proc/PID/clear_refs) before
#   each size, so that a flat figure shows the export streams.
#
# Bare baselines (issue 14), behind lighttpd right after its hello rows:
# ../shared/bench/c/item_fcgi.c (one prepared primary-key SELECT, no
# auth, JSON by hand), built from there into $BUILD/bench/item_fcgi and
# served by the hello lighttpd (lighttpd-bare.conf, the same settings and
# pool size), and, when node is installed, ../shared/bench/peer-node
# (Express + mariadb, npm ci there if node_modules is absent) run from
# there; both read the run's items through the view bench.items (the
# table shape they expect) over inventory_items, at random among the
# ITEMS items (paths.lua). The item read and list rows are also given as
# ratios to those two. Either one missing: its row says "skipped: ..."
# and the bench goes on.
# Growth (issue 14; GROWTH=0 skips it, GROWTH_ONLY=1 runs only it), behind
# lighttpd at the end: the item read, the 50-row list and a search for a
# SKU (?search=) at 1,000 and at GROWTH_LARGE items in an organization
# (seeded in SQL), with their growth (time per request, large / small);
# ingestion of the ingestion row's body into an organization without
# order lines and into one holding GROWTH_LINES (seeded in SQL in
# 100,000-row INSERT ... SELECTs, timed); prediction regeneration (one
# mihwar-worker --once pass) for PREDICT_SMALL and for ITEMS items with
# GROWTH_LINES / ITEMS days of daily history each.
#
# Environment:
#   DURATION (10s)  length of each measured wrk run
#   WARMUP   (3s)   a wrk run before each measured one, discarded (0: none)
#   CONNS    (32)   wrk connections (always 2 wrk threads)
#   INGEST_DURATION (8s), INGEST_WARMUP (2s), INGEST_CONNS (4)  the same
#                   for the ingestion row (shorter: it is the heaviest)
#   RAW_TX   (15)   rawinsert's timed transactions per thread (after one
#                   untimed each)
#   ITEMS    (1000) items created for the reads and the ingestion body
#   SCIM_USERS (20000)  users seeded for the SCIM rows (200 to 200000)
#   SCIM_SOLO (5s)  length of each one-connection SCIM latency run
#   WEBHOOK_BACKLOG (1000), WEBHOOK_LAG (200)  deliveries drained, and
#                   events timed one by one, for the webhook rows
#   BENCH_PORT (18090), BENCH_HELLO_PORT (18091), BENCH_FCGID_PORT (18092)
#                   ports for Mihwar, for hello and for Mihwar behind
#                   mod_fcgid; refused if busy
#   IMPEX_RUNS (3)  timed imports (after one untimed), and rawinsert's
#                   timed transactions, for the import row
#   EXPORT_ROWS (100000), EXPORT_SMALL (1000), EXPORT_RUNS (2)  the
#                   exports' sizes, and runs of each (the fastest kept)
#   IMPEX_ONLY (0)  1: only the import/export rows (behind lighttpd; no
#                   hello, SCIM, ingestion, webhook or Apache rows)
#   FCGID_ONLY (0)  1: only the Apache rows, mod_fcgid's among them (no
#                   lighttpd, SCIM, ingestion or webhook rows)
#   BUILD    (build) where `make` put the programs
#   BENCH_SHARED (../shared/bench)  the machine's baselines (above)
#   BENCH_NODE_PORT (18093)  the Node peer's port; refused if busy
#   GROWTH   (1)    0: no growth rows; GROWTH_ONLY (0) 1: only them
#   GROWTH_DURATION (5s), GROWTH_WARMUP (2s)  their wrk runs
#   GROWTH_LARGE (100000), GROWTH_LINES (1000000), PREDICT_SMALL (100)
#                   the large organization's items, the order lines of
#                   the ingestion's full organization (ITEMS items x
#                   GROWTH_LINES / ITEMS days: also the prediction's large
#                   case), the prediction's small case's items
#   PROFILE  (0)    1: perf record -a -g during the item read and the
#                   list page, summarised after the table
#
# Everything runs under var/bench (its own MariaDB, web servers, pools of
# 4 FastCGI processes) and is stopped on exit, failure included. Each run
# starts by emptying order_history_lines there (only runs of the bench
# write it; its rows, rawinsert's included, stay until the next run), so
# that every run inserts into a table of the same size; likewise the SCIM
# users an earlier run seeded are deleted before this run seeds its own.
# A row with non-2xx answers or socket errors fails the run. Needs root
# (the mysql and www-data users), wrk, curl, lighttpd, apache2,
# spawn-fcgi, mariadb.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$TOP/tests/bench
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNS=${CONNS:-32}
INGEST_DURATION=${INGEST_DURATION:-8s}
INGEST_WARMUP=${INGEST_WARMUP:-2s}
INGEST_CONNS=${INGEST_CONNS:-4}
RAW_TX=${RAW_TX:-15}
ITEMS=${ITEMS:-1000}
SCIM_USERS=${SCIM_USERS:-20000}
SCIM_SOLO=${SCIM_SOLO:-5s}
LINES=5000			# lines per ingestion request (the API's most)
EVENTS=500			# events per activity batch (the contract's most)
THREADS=2
PROCS=4
PORT=${BENCH_PORT:-18090}
HELLO_PORT=${BENCH_HELLO_PORT:-18091}
FCGID_PORT=${BENCH_FCGID_PORT:-18092}
FCGID_ONLY=${FCGID_ONLY:-0}
IMPEX_ONLY=${IMPEX_ONLY:-0}
IMPEX_ROWS=20000		# rows of the import (rawinsert -k items writes as many)
IMPEX_RUNS=${IMPEX_RUNS:-3}
EXPORT_ROWS=${EXPORT_ROWS:-100000}
EXPORT_SMALL=${EXPORT_SMALL:-1000}
EXPORT_RUNS=${EXPORT_RUNS:-2}
SHARED=${BENCH_SHARED:-$TOP/../shared/bench}
NODE_PORT=${BENCH_NODE_PORT:-18093}
GROWTH=${GROWTH:-1}
GROWTH_ONLY=${GROWTH_ONLY:-0}
GROWTH_DURATION=${GROWTH_DURATION:-5s}
GROWTH_WARMUP=${GROWTH_WARMUP:-2s}
GROWTH_SMALL=1000
GROWTH_LARGE=${GROWTH_LARGE:-100000}
GROWTH_LINES=${GROWTH_LINES:-1000000}
PREDICT_SMALL=${PREDICT_SMALL:-100}
PROFILE=${PROFILE:-0}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
VAR=$TOP/var/bench
RUN=$VAR/run
LOG=$VAR/log
WEB_USER=www-data
HELLO=$BUILD/bench/hello.fcgi
RAWINSERT=$BUILD/bench/rawinsert
CONF=$VAR/mihwar.conf
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
	stop_fcgid
	stop_pids "$RUN/peer-node.pid" node
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
	[ -n "$PERF_PID" ] &&
	    [ "$(cat /proc/"$PERF_PID"/comm 2>/dev/null)" = perf ] &&
	    kill -INT "$PERF_PID" 2>/dev/null
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
	# The bare C read's pool (lighttpd-bare.conf), when it was built.
	if [ -z "$BARE_SKIP" ] && [ -x "$ITEM_FCGI" ]; then
		export BENCH_ITEM_FCGI=$ITEM_FCGI \
		    BENCH_DB_SOCKET=$(conf_get db_socket)
	else
		unset BENCH_ITEM_FCGI
	fi
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

# run_wrk DURATION SCRIPT URL [CONNS [TIMEOUT]]: output in $VAR/wrk.out.
# In the background and waited for, so that a signal stops the run at
# once (on_exit ends it).
WRK_PID=
run_wrk() {
	local c=${4:-$CONNS}
	wrk -t"$((c < THREADS ? c : THREADS))" -c"$c" -d"$1" \
	    --timeout "${5:-5s}" -s "$2" "$3" > "$VAR/wrk.out" 9>&- &
	WRK_PID=$!
	wait "$WRK_PID"
}

# wrk_bench LABEL DURATION WARMUP URL SCRIPT [CONNS [TIMEOUT]]: a warm-up
# run, then the measured one; sets RATE (req/s), P99 (ms), NON2XX, ERRS.
# SETTLE, when set, is a command run before each of them (pool_idle).
wrk_bench() {
	local what=$1 dur=$2 warm=$3 url=$4 script=$BENCH/$5 out
	shift 5
	if [[ $warm != 0 && $warm != 0s ]]; then
		${SETTLE:-}
		run_wrk "$warm" "$script" "$url" "$@" ||
		    die "$what: wrk failed (warm-up)"
	fi
	${SETTLE:-}
	profile_start "${PROFILE_AS:-}" "$dur"
	run_wrk "$dur" "$script" "$url" "$@" || die "$what: wrk failed"
	profile_sum "${PROFILE_AS:-}" "$what"
	out=$(grep '^BENCH ' "$VAR/wrk.out") || die "$what: no BENCH line"
	RATE=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< "$out")
	P99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	NON2XX=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<< "$out")
	ERRS=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<< "$out")
	ERRKINDS=$(sed -n 's/^BENCH_ERRORS //p' "$VAR/wrk.out")
	[[ -n $RATE && -n $P99 && -n $NON2XX && -n $ERRS ]] ||
	    die "$what: cannot read '$out'"
}

# measure SERVER WHAT URL SCRIPT [CONNS [TIMEOUT]]: a row of the main
# table; the first row of a server is its limit.
declare -A LIMIT_RATE
measure() {
	local server=$1 what=$2 url=$3 script=$4 rate p99 non2xx errs
	local ratio note=
	shift 4
	log "$server: $what"
	wrk_bench "$server $what" "$DURATION" "$WARMUP" "$url" "$script" "$@"
	rate=$RATE p99=$P99 non2xx=$NON2XX errs=$ERRS
	[ -n "${LIMIT_RATE[$server]:-}" ] || LIMIT_RATE[$server]=$rate
	ratio=$(awk -v r="$rate" -v l="${LIMIT_RATE[$server]}" \
	    'BEGIN { printf "%.2f", (l > 0 ? r / l : 0) }')
	if [[ $non2xx != 0 || $errs != 0 ]]; then
		note=" (**$non2xx non-2xx, $errs socket errors: ${ERRKINDS:-?}**)"
		BAD+=("$server $what: $non2xx non-2xx, $errs socket errors" \
		    "(${ERRKINDS:-?})")
	fi
	rate=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r }')
	if [ "$rate" = 0 ]; then
		note=" (**no answer within $DURATION**)"
		BAD+=("$server $what: no answer within $DURATION")
	fi
	# A read row (READ_ROW=1) also against the bare baselines.
	if [ "${READ_ROW:-0}" = 1 ]; then
		ROWS+=("| $server: $what$note | $rate | $p99 | $ratio | \
$(vs_bare "$rate") |")
	else
		ROWS+=("| $server: $what$note | $rate | $p99 | $ratio | | |")
	fi
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

# rss_now PID...: the largest current RSS (VmRSS) of these processes.
rss_now() {
	local pid kb max=0
	for pid in "$@"; do
		kb=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status \
		    2>/dev/null) || continue
		[ -n "$kb" ] && ((kb > max)) && max=$kb
	done
	awk -v k="$max" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

# --- resident at the end (issue 14's aim: every FastCGI process under
# 16 MiB resident after the whole bench) --------------------------------
# end_resident WHAT PID...: a row of END_RSS, the largest VmRSS of these
# processes, in MiB, read once they are idle (right after a wrk run a
# process may still be serving the requests wrk left in flight, at its
# peak: that read 20 MiB "resident" after the ingestion runs before).
END_RSS=()
END_RSS_AIM=16
end_resident() {
	local what=$1 pid kb max=0 n=0 mib note=
	shift
	for pid in "$@"; do
		kb=$(proc_kb "$pid" VmRSS)
		((kb > 0)) || continue
		n=$((n + 1))
		((kb > max)) && max=$kb
	done
	((n > 0)) || { log "warning: $what: no FastCGI process"; return 0; }
	mib=$(awk -v k="$max" 'BEGIN { printf "%.1f", k / 1024 }')
	awk -v m="$mib" -v a="$END_RSS_AIM" 'BEGIN { exit !(m >= a) }' &&
	    note=" (**over the aim**)"
	log "resident (VmRSS) at the end, $what: $mib MiB, max of $n$note"
	END_RSS+=("| $what | $n | $mib MiB$note |")
}

# end_lighttpd_pool WHAT: end_resident of lighttpd's pool, once idle.
end_lighttpd_pool() {
	pool_idle
	end_resident "$1" $(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)
}

print_end_resident() {
	[ ${#END_RSS[@]} -gt 0 ] || return 0
	echo
	echo "Resident size (VmRSS) of every mihwar.fcgi at the end of its" \
	    "pool's rows, max over the pool, read once the pool is idle" \
	    "(aim < $END_RSS_AIM MiB):"
	echo
	echo "| pool | processes | resident, max (aim < $END_RSS_AIM MiB) |"
	echo "|---|---:|---:|"
	printf '%s\n' "${END_RSS[@]}"
}

children() {	# children PID NAME: its child processes called NAME
	ps -o pid=,comm= --ppid "$1" | awk -v n="$2" '$2 == n { print $1 }'
}

# pool_idle: wait (up to 60 s) until lighttpd's FastCGI processes have
# used no more than a tick of CPU in half a second. A wrk run that ends
# leaves its last CONNS requests queued to the pool, and the pool serves
# them all even though no one reads the answers: where a request takes a
# few hundred ms, that backlog would eat seconds of the next run.
pool_idle() {
	local pids a b i
	pids=$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)
	for ((i = 0; i < 120; i++)); do
		a=$(pool_ticks $pids)
		sleep 0.5
		b=$(pool_ticks $pids)
		((b - a <= 1)) && break
	done
	((i < 120)) || log "warning: the FastCGI pool is still busy after 60 s"
	db_idle
}

# db_idle: wait (up to 120 s) until no statement of the application's
# database user is running, twice in a row. A process waiting for a slow
# query (a search that reads the whole organization) uses no CPU, so
# pool_idle's measure alone would take it for idle while the backlog is
# still being served.
db_idle() {
	local i n quiet=0 user
	user=$(conf_get db_user)
	for ((i = 0; i < 400; i++)); do
		n=$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST
		    WHERE USER = '$user' AND COMMAND = 'Query'") || n=0
		if [ "$n" = 0 ]; then
			((++quiet >= 2)) && return 0
		else
			quiet=0
		fi
		sleep 0.3
	done
	log "warning: the database still runs the pool's queries after 120 s"
}

pool_ticks() {	# pool_ticks PID...: their user + system CPU, in ticks
	local pid
	for pid in "$@"; do
		cat /proc/"$pid"/stat 2>/dev/null || true
	done | awk '{ t += $14 + $15 } END { print t + 0 }'
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

# --- the database: root over the socket of var/bench -------------------

conf_get() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$CONF" | tail -1; }

sql() {		# sql STATEMENTS: tab-separated rows, no header
	mariadb --no-defaults --socket="$(conf_get db_socket)" -uroot -N -B \
	    "$(conf_get db_name)" -e "$1"
}

# Ingestion is rate limited (120 a minute per key by default; activity
# ingest 600 per key and 3000 per organization); lift each in the file the
# FastCGI processes read (lighttpd hands them MIHWAR_CONF, not the rest of
# this environment). Before a web server starts.
lift_rate_limit() {
	local key want
	for key in rate_limit_per_minute ingest_rate_per_key \
	    ingest_rate_per_org; do
		want="$key = 1000000"
		[ "$(grep "^[[:space:]]*$key\b" "$CONF" | tail -1)" = \
		    "$want" ] && continue
		log "setting $want in $CONF"
		{
			grep -v "^[[:space:]]*$key\b" "$CONF"
			echo "$want"
		} > "$CONF.tmp"
		chgrp "$WEB_USER" "$CONF.tmp"
		chmod 640 "$CONF.tmp"
		mv "$CONF.tmp" "$CONF"
	done
}

# The webhook rows send to a receiver on loopback over http.
allow_local_webhooks() {
	grep -q '^allow_http_webhooks = true' "$CONF" && return 0
	printf 'allow_private_destinations = true\nallow_http_webhooks = true\n' \
	    >> "$CONF"
}

# Webhooks: one worker's deliveries/s and commit-to-delivery lag
# (tests/bench/webhooks.mjs). The outbox backlog of the ingestion runs is
# skipped first, so forecasting does not compete with the measurement.
measure_webhooks() {
	local wrapper=$VAR/stack-wrapper
	log "measuring: webhooks (one worker)"
	sql "INSERT INTO event_cursors (consumer, last_event_id)
	    SELECT c, COALESCE((SELECT MAX(id) FROM events), 0)
	    FROM (SELECT 'predictions' AS c UNION SELECT 'webhooks') x
	    ON DUPLICATE KEY UPDATE last_event_id = VALUES(last_event_id)" ||
	    die "cannot skip the event backlog"
	printf '#!/bin/sh\nVAR=%s PORT=%s PROCS=%s BUILD=%s exec %s "$@" 9>&-\n' \
	    "$VAR" "$PORT" "$PROCS" "$BUILD" "$TOP/scripts/stack.sh" > "$wrapper"
	chmod +x "$wrapper"
	stack worker-start
	WEBHOOKS=$(MIHWAR_BASE_URL=http://127.0.0.1:$PORT \
	    MIHWAR_CTL=$BUILD/mihwarctl MIHWAR_CONF=$CONF MIHWAR_STACK=$wrapper \
	    BACKLOG=${WEBHOOK_BACKLOG:-1000} LAG_EVENTS=${WEBHOOK_LAG:-200} \
	    node "$BENCH/webhooks.mjs") || { BAD+=("webhooks: the run failed");
	    WEBHOOKS=""; }
	stack worker-stop
}

# --- reads and ingestion (behind lighttpd) -------------------------------

API=/api/integrations/v1

# ingest_body FILE: LINES order lines over SKUs BENCH-0000.. (ITEMS of
# them, each line i names SKU i % ITEMS); rawinsert writes the same rows.
ingest_body() {
	awk -v n="$LINES" -v skus="$ITEMS" 'BEGIN {
		printf "{\"externalSourceId\":\"make-bench\",\"lines\":["
		for (i = 0; i < n; i++)
			printf "%s{\"sku\":\"BENCH-%04d\",\"orderDate\":" \
			    "\"2025-%02d-%02d\",\"orderedQty\":%d.%02d," \
			    "\"deliveredQty\":%d}", (i ? "," : ""), i % skus,
			    1 + i % 12, 1 + i % 28, 1 + i % 97, i % 100, i % 97
		printf "]}"
	}' > "$1"
}

# The activity batch: EVENTS events of 50 workers named by externalId.
activity_body() {
	awk -v n="$EVENTS" 'BEGIN {
		printf "{\"events\":["
		for (i = 0; i < n; i++)
			printf "%s{\"eventType\":\"bench.event\",\"category\":" \
			    "\"other\",\"timestamp\":\"2025-06-01T%02d:%02d:00Z\"," \
			    "\"duration\":%d,\"actor\":{\"externalId\":" \
			    "\"bench-worker-%d\",\"displayName\":\"Bench worker %d\"}," \
			    "\"metadata\":{\"n\":%d}}", (i ? "," : ""), i / 60, i % 60,
			    i % 600, i % 50, i % 50, i
		printf "]}"
	}' > "$1"
}

# create_items: ITEMS items through PUT .../items/by-sku/{sku} (one curl,
# one connection), and their public ids in $VAR/item-ids.
create_items() {
	local codes n
	log "creating $ITEMS items (PUT $API/inventory/items/by-sku/{sku})"
	codes=$(curl -sS -m 120 -X PUT -o /dev/null -w '%{http_code}\n' \
	    -H "Authorization: Bearer $KEY" \
	    -H 'Content-Type: application/json' \
	    --data '{"name":"Bench item","unit":"each","leadTimeDays":7}' \
	    "$APP$API/inventory/items/by-sku/BENCH-[0000-$(printf %04d \
	    $((ITEMS - 1)))]") || die "PUT items: curl failed"
	n=$(grep -c '^201$' <<< "$codes" || true)
	[ "$n" = "$ITEMS" ] || die "PUT items: $n of $ITEMS answered 201" \
	    "($(sort <<< "$codes" | uniq -c | tr '\n' ' '))"
	sql "SELECT i.public_id FROM inventory_items i JOIN organizations o
	    ON o.id = i.org_id WHERE o.slug = '$SLUG'" > "$VAR/item-ids"
	n=$(wc -l < "$VAR/item-ids")
	[ "$n" = "$ITEMS" ] || die "$n items in the database, not $ITEMS"
	# Fresh statistics: the rows an earlier run left or removed (import,
	# export, growth) would otherwise decide the list's plan (a stale
	# count once made it walk the primary key, 500 ms a page).
	sql "ANALYZE TABLE inventory_items" > /dev/null ||
	    die "cannot analyze inventory_items"
	expect "$APP$API/inventory/items/$(head -1 "$VAR/item-ids")" 200 \
	    '"sku"' -H "Authorization: Bearer $KEY"
	expect "$APP$API/inventory/items?limit=50" 200 '"nextCursor"' \
	    -H "Authorization: Bearer $KEY"
}

measure_reads() {
	READ_ROW=1 PROFILE_AS=item BENCH_KEY=$KEY BENCH_IDS=$VAR/item-ids \
	    measure lighttpd "GET $API/inventory/items/{id}" "$APP" items.lua
	READ_ROW=1 PROFILE_AS=list BENCH_KEY=$KEY measure lighttpd \
	    "GET $API/inventory/items?limit=50" \
	    "$APP$API/inventory/items?limit=50" auth.lua
}

# --- the SCIM directory (behind lighttpd) --------------------------------

SCIM=/api/scim/v2/Users

# seed_scim: SCIM_USERS users in the run's organization, as identity
# providers leave them (scim_managed, a SCIM document, one work address),
# written as root in SQL: 20,000 SCIM POSTs would take minutes and
# measure the writes, not the lookups these rows are about. The users an
# earlier run seeded go first, so that every run looks up in tables of the
# same size; ANALYZE so that the plans do not depend on when InnoDB last
# sampled them.
seed_scim() {
	local n
	log "seeding $SCIM_USERS SCIM users in SQL (organization $SLUG)"
	sql "DELETE u FROM users u JOIN organizations o ON o.id = u.org_id
	    WHERE o.slug LIKE 'bench-%' AND u.scim_managed = 1
	    AND u.user_name LIKE 'bench-u%'" ||
	    die "cannot remove the SCIM users of earlier runs"
	sql "$(cat <<SQL
SET @org = (SELECT id FROM organizations WHERE slug = '$SLUG');
INSERT INTO users (public_id, org_id, user_name, display_name, external_id,
    active, scim_managed, scim_json, version)
  SELECT UUID(), @org, CONCAT('bench-u', seq), CONCAT('Bench User ', seq),
    CONCAT('ext-', seq), 1, 1,
    CONCAT('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],',
      '"name":{"givenName":"Bench","familyName":"User ', seq,
      '","formatted":"Bench User ', seq, '"},',
      '"displayName":"Bench User ', seq, '",',
      '"emails":[{"value":"u', seq,
      '@bench.example","type":"work","primary":true}]}'), 1
  FROM seq_1_to_$SCIM_USERS;
INSERT INTO user_emails (user_id, org_id, email, type, is_primary,
    user_active)
  SELECT u.id, u.org_id, CONCAT('u', s.seq, '@bench.example'), 'work', 1, 1
  FROM seq_1_to_$SCIM_USERS s JOIN users u
    ON u.org_id = @org AND u.user_name = CONCAT('bench-u', s.seq);
-- Written behind lib/auth/users.c's back: set the counts it keeps.
UPDATE organizations o SET
  users_total = (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id),
  users_active = (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id
                  AND u.active = 1)
  WHERE o.slug LIKE 'bench-%';
ANALYZE TABLE users, user_emails;
SQL
)" > /dev/null || die "cannot seed the SCIM users"
	n=$(sql "SELECT COUNT(*) FROM user_emails e JOIN organizations o
	    ON o.id = e.org_id WHERE o.slug = '$SLUG'") ||
	    die "cannot count the SCIM users"
	[ "$n" = "$SCIM_USERS" ] || die "$n SCIM users seeded, not $SCIM_USERS"
}

# scim_expect URL TOTAL WANT: one answer, 200, whose totalResults is TOTAL
# and which holds WANT (white space aside).
scim_expect() {
	local url=$1 total=$2 want=$3 got body n
	body=$(mktemp)
	got=$(curl -sS -m 60 -o "$body" -w '%{http_code}' \
	    -H "Authorization: Bearer $SKEY" "$url") ||
	    { rm -f "$body"; die "$url: no answer"; }
	n=$(tr -d ' \n' < "$body" | grep -o '"totalResults":[0-9]*' |
	    cut -d: -f2)
	if [ "$got" != 200 ] || [ "$n" != "$total" ] ||
	    ! tr -d ' \n' < "$body" | grep -qF -- "$want"; then
		log "$url: status $got: $(head -c 300 "$body")"
		rm -f "$body"
		die "$url: want 200, totalResults $total and '$want'"
	fi
	rm -f "$body"
}

# scim_solo MODE WHAT: MODE's requests one at a time for SCIM_SOLO (wrk
# -t1 -c1): the latency of a lookup without queueing; a row of SOLO.
SOLO=()
scim_solo() {
	local mode=$1 what=$2 out p50 p95 mean n
	log "lighttpd: $what, one connection"
	pool_idle
	BENCH_KEY=$SKEY BENCH_SCIM=$mode BENCH_SCIM_USERS=$SCIM_USERS \
	    run_wrk "$SCIM_SOLO" "$BENCH/scim.lua" "$APP" 1 20s ||
	    die "$what: wrk failed (one connection)"
	out=$(grep '^BENCH ' "$VAR/wrk.out") || die "$what: no BENCH line"
	if ! grep -q ' non2xx=0 errors=0$' <<< "$out"; then
		BAD+=("$what, one connection: $out")
	fi
	out=$(grep '^LATENCY ' "$VAR/wrk.out") || die "$what: no LATENCY line"
	p50=$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	p95=$(sed -n 's/.* p95_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	mean=$(sed -n 's/.* mean_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	n=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<< "$out")
	[[ -n $p50 && -n $p95 && -n $mean && -n $n ]] ||
	    die "$what: cannot read '$out'"
	[ "$n" != 0 ] || BAD+=("$what, one connection: no answer within" \
	    "$SCIM_SOLO")
	SOLO+=("| $what | $p50 | $p95 | $mean | $n |")
	log "lighttpd: $what, one connection: median $p50 ms, p95 $p95 ms," \
	    "mean $mean ms, $n requests"
}

# measure_scim: the three rows at CONNS, then the userName lookup and the
# page one request at a time, each run on an idle pool (pool_idle). A
# longer timeout than the other rows: while every user is read for each
# request, CONNS queued requests take seconds. Each row's first answer is
# checked with curl.
measure_scim() {
	local n s user email page
	n=$(( (RANDOM * 32768 + RANDOM) % SCIM_USERS + 1 ))
	s=$(( (RANDOM * 32768 + RANDOM) % (SCIM_USERS - 100) + 1 ))
	user="GET $SCIM?filter=userName eq \"bench-u{N}\""
	email="GET $SCIM?filter=emails.value eq \"u{N}@bench.example\""
	page="GET $SCIM?startIndex={S}&count=100"
	scim_expect "$APP$SCIM?filter=userName%20eq%20%22bench-u$n%22" 1 \
	    "\"userName\":\"bench-u$n\""
	scim_expect "$APP$SCIM?filter=emails.value%20eq%20%22u$n%40bench.example%22" \
	    1 "\"userName\":\"bench-u$n\""
	scim_expect "$APP$SCIM?startIndex=$s&count=100" "$SCIM_USERS" \
	    '"itemsPerPage":100'
	log "lighttpd: SCIM answers checked (bench-u$n, startIndex $s)"
	BENCH_KEY=$SKEY BENCH_SCIM=username BENCH_SCIM_USERS=$SCIM_USERS \
	    SETTLE=pool_idle measure lighttpd "$user" "$APP" scim.lua \
	    "$CONNS" 20s
	BENCH_KEY=$SKEY BENCH_SCIM=email BENCH_SCIM_USERS=$SCIM_USERS \
	    SETTLE=pool_idle measure lighttpd "$email" "$APP" scim.lua \
	    "$CONNS" 20s
	BENCH_KEY=$SKEY BENCH_SCIM=page BENCH_SCIM_USERS=$SCIM_USERS \
	    SETTLE=pool_idle measure lighttpd "$page" "$APP" scim.lua \
	    "$CONNS" 20s
	scim_solo username "$user"
	scim_solo page "$page"
}

# check_batch WHAT KEY URL BODY STATUS WANT: one request first, answered
# STATUS with WANT in its body (every row in), and the lifted rate limit
# in force; it also makes what rawinsert's rows refer to (a batch, the
# workers).
check_batch() {
	local what=$1 key=$2 url=$3 body=$4 status=$5 want=$6 hdr out
	hdr=$(mktemp) out=$(mktemp)
	curl -sS -m 60 -D "$hdr" -o "$out" -H "Authorization: Bearer $key" \
	    -H 'Content-Type: application/json' --data-binary @"$body" \
	    "$url" || die "$what: no answer"
	if ! head -1 "$hdr" | grep -q " $status" ||
	    ! tr -d ' \n' < "$out" | grep -qF "$want"; then
		log "$what: $(head -1 "$hdr"): $(head -c 300 "$out")"
		rm -f "$hdr" "$out"
		die "$what: want $status and $want"
	fi
	if ! grep -qi '^X-RateLimit-Limit: 1000000' "$hdr"; then
		log "$what: $(grep -i '^X-RateLimit-Limit' "$hdr")"
		rm -f "$hdr" "$out"
		die "$what: the FastCGI processes did not read the lifted" \
		    "rate limits from $CONF"
	fi
	rm -f "$hdr" "$out"
}

# measure_batch WHAT KEY URL BODY N UNIT WANT RAWINSERT-ARGS...: the raw
# limit first (rawinsert with those arguments), then the endpoint with the
# same body every request (batch.lua; an answer without WANT counts as
# not 2xx); sets ROW to the table's row. The raw limit runs first: the
# run second inserts into a bigger table, with the other's pages still
# being flushed, so this order errs against Mihwar.
measure_batch() {
	local what=$1 key=$2 url=$3 body=$4 n=$5 unit=$6 want=$7 out raw
	local rawp99 rows ratio note=
	shift 7
	log "raw limit: rawinsert $*, $INGEST_CONNS threads x $RAW_TX" \
	    "transactions"
	out=$(MIHWAR_CONF=$CONF "$RAWINSERT" "$@" -t "$INGEST_CONNS" \
	    -n "$RAW_TX" -w 1 "$SLUG") || die "rawinsert $* failed"
	raw=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< "$out")
	rawp99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	[[ -n $raw && -n $rawp99 ]] || die "rawinsert: cannot read '$out'"
	raw=$(awk -v r="$raw" 'BEGIN { printf "%.0f", r }')
	log "raw limit: $raw rows/s (p99 $rawp99 ms a transaction)"
	log "lighttpd: POST ${url#$APP}, $n $unit, $INGEST_CONNS connections"
	BENCH_KEY=$key BENCH_BODY=$body BENCH_WANT=$want \
	    wrk_bench "$what" "$INGEST_DURATION" "$INGEST_WARMUP" "$url" \
	    batch.lua "$INGEST_CONNS" 60s
	rows=$(awk -v r="$RATE" -v n="$n" 'BEGIN { printf "%.0f", r * n }')
	ratio=$(awk -v a="$rows" -v b="$raw" \
	    'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	if [[ $NON2XX != 0 || $ERRS != 0 ]]; then
		note=" (**$NON2XX non-2xx or short, $ERRS socket errors**)"
		BAD+=("$what: $NON2XX non-2xx or short, $ERRS socket errors")
	fi
	log "$what: $rows $unit/s ($RATE req/s), p99 $P99 ms, $ratio of" \
	    "the raw limit, $NON2XX non-2xx or short, $ERRS errors"
	ROW="| lighttpd: POST ${url#$APP}$note | $rows | $P99 | $raw | $rawp99 \
| $ratio |"
}

INGEST=()
measure_ingest() {
	check_batch ingestion "$KEY" "$APP$API/ingestion/order-lines" \
	    "$VAR/ingest.json" 201 "\"inserted\":$LINES,"
	measure_batch ingestion "$KEY" "$APP$API/ingestion/order-lines" \
	    "$VAR/ingest.json" "$LINES" lines "\"inserted\":$LINES," -k lines
	INGEST+=("$ROW")
	INGEST_RSS=$(peak_rss $(children "$(cat "$RUN/lighttpd.pid")" \
	    mihwar.fcgi))
	pool_idle	# resident once the requests wrk left are served
	INGEST_RSS_NOW=$(rss_now $(children "$(cat "$RUN/lighttpd.pid")" \
	    mihwar.fcgi))
}

ACTIVITY=()
measure_activity() {
	check_batch activity "$IKEY" "$APP/api/v1/ingest/events" \
	    "$VAR/activity.json" 202 "\"accepted\":$EVENTS,"
	measure_batch activity "$IKEY" "$APP/api/v1/ingest/events" \
	    "$VAR/activity.json" "$EVENTS" events "\"accepted\":$EVENTS," \
	    -k activity -a bench
	ACTIVITY+=("$ROW")
}

# --- import/export (behind lighttpd; issue 13) ---------------------------

IMPEX=/api/v1/import-export

# impex_csv FILE: the IMPEX_ROWS-row items CSV, row n (from 0) as
# rawinsert -k items writes it; no ids (the import makes them), as a
# first spreadsheet of a catalog has none.
impex_csv() {
	awk -v n="$IMPEX_ROWS" 'BEGIN {
		split("common uncommon rare epic", rarity, " ")
		printf "id,name,description,category,subcategory,rarity,metadata\r\n"
		for (i = 0; i < n; i++)
			printf ",Bench item %05d,\"Imported by make bench, row %d\"," \
			    "Category %d,Sub %d,%s,\"{\"\"n\"\":%d,\"\"weight\"\":1.5}\"\r\n",
			    i, i, i % 20, i % 7, rarity[i % 4 + 1], i
	}' > "$1"
}

# new_org SLUG: an organization and its integration key (on stdout).
new_org() {
	local key
	MIHWAR_CONF=$CONF "$BUILD/mihwarctl" --json org create --slug "$1" \
	    --name "Bench $1" > /dev/null || die "mihwarctl org create $1"
	key=$(MIHWAR_CONF=$CONF "$BUILD/mihwarctl" --json key create \
	    --org "$1" --kind integration |
	    sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
	[ -n "$key" ] || die "mihwarctl key create --org $1: no key"
	echo "$key"
}

# import_once KEY FILE: one import of FILE as items, checked (every row
# in, none failed); its seconds on stdout.
import_once() {
	local out got
	out=$(mktemp)
	got=$(curl -sS -m 300 -o "$out" -w '%{http_code} %{time_total}' \
	    -H "Authorization: Bearer $1" -F "file=@$2;type=text/csv" \
	    -F update_existing=false "$APP$IMPEX/items/import") ||
	    { rm -f "$out"; die "import: no answer"; }
	if [ "${got% *}" != 200 ] || ! tr -d ' \n' < "$out" |
	    grep -qF "\"imported_count\":$IMPEX_ROWS,\"failed_count\":0"; then
		log "import: status ${got% *}: $(head -c 300 "$out")"
		rm -f "$out"
		die "import: want 200 with $IMPEX_ROWS rows imported, none failed"
	fi
	rm -f "$out"
	echo "${got#* }"
}

# measure_import: the raw limit first (as measure_batch does), then the
# import, one request at a time into fresh organizations (so that every
# run imports the same rows into an empty catalog, as update_existing=
# false wants); sets IMPORT_ROW.
measure_import() {
	local out raw rawsecs i key secs times=() med rate ratio note=
	impex_csv "$VAR/impex-items.csv"
	log "raw limit: rawinsert -k items, 1 thread x $IMPEX_RUNS" \
	    "transactions of $IMPEX_ROWS rows"
	out=$(MIHWAR_CONF=$CONF "$RAWINSERT" -k items -t 1 -n "$IMPEX_RUNS" \
	    -w 1 "$SLUG") || die "rawinsert -k items failed"
	raw=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< "$out")
	rawsecs=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	[[ -n $raw && -n $rawsecs ]] || die "rawinsert: cannot read '$out'"
	raw=$(awk -v r="$raw" 'BEGIN { printf "%.0f", r }')
	rawsecs=$(awk -v m="$rawsecs" 'BEGIN { printf "%.2f", m / 1000 }')
	log "raw limit: $raw rows/s (slowest transaction $rawsecs s)"
	pool_idle
	for ((i = 0; i <= IMPEX_RUNS; i++)); do
		key=$(new_org "$SLUG-imp$i")
		secs=$(import_once "$key" "$VAR/impex-items.csv")
		log "lighttpd: POST $IMPEX/items/import, $IMPEX_ROWS rows:" \
		    "$(awk -v s="$secs" 'BEGIN { printf "%.3f", s }') s$( ((i == 0)) &&
	    echo ' (untimed)')"
		((i == 0)) || times+=("$secs")
	done
	med=$(printf '%s\n' "${times[@]}" | sort -g |
	    awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] :
	    (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
	rate=$(awk -v n="$IMPEX_ROWS" -v s="$med" \
	    'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	ratio=$(awk -v a="$rate" -v b="$raw" \
	    'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	awk -v r="$ratio" 'BEGIN { exit !(r < 0.3) }' &&
	    note=" (below the aim of 0.3)"
	log "import: $rate rows/s (median $med s), $ratio of the raw limit$note"
	IMPORT_ROW="| lighttpd: POST $IMPEX/items/import, $IMPEX_ROWS rows | \
$rate | $med | $raw | $rawsecs | $ratio |"
}

# seed_items SLUG N: N items in the organization, written in SQL (N
# imports would measure the writes), each as the import's CSV row has it.
seed_items() {
	sql "$(cat <<SQL
SET @org = (SELECT id FROM organizations WHERE slug = '$1');
INSERT INTO inventory_items (public_id, org_id, name, description,
    category, subcategory, rarity, metadata)
  SELECT UUID(), @org, CONCAT('Bench item ', LPAD(seq, 6, '0')),
    CONCAT('Seeded by make bench, row ', seq), CONCAT('Category ', seq % 20),
    CONCAT('Sub ', seq % 7), ELT(seq % 4 + 1, 'common', 'uncommon', 'rare',
    'epic'), CONCAT('{"n":', seq, ',"weight":1.5}')
  FROM seq_1_to_$2;
SQL
)" || die "cannot seed $2 items in $1"
}

# hwm_reset PID...: their peak RSS (VmHWM) back to what they hold now.
hwm_reset() {
	local pid
	for pid in "$@"; do
		echo 5 > /proc/"$pid"/clear_refs 2>/dev/null ||
		    log "warning: cannot reset the peak RSS of $pid"
	done
}

proc_kb() {	# proc_kb PID FIELD: VmRSS or VmHWM of PID, in kB (0: gone)
	awk -v f="$2:" '$1 == f { print $2; found = 1 }
	    END { if (!found) print 0 }' /proc/"$1"/status 2>/dev/null || echo 0
}

# export_row N KEY: EXPORT_RUNS exports of N items as CSV, each checked
# (200, N rows and the header), on a pool whose peak RSS was reset just
# before; a row of EXPORTS (the fastest run), with the peak of the
# process that grew most (the one that served it) and its growth.
EXPORTS=()
export_row() {
	local n=$1 key=$2 pool pid got best= lines i mib peak=0 grew=-1 kb
	local -A before
	pool=$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)
	pool_idle
	for pid in $pool; do
		before[$pid]=$(proc_kb "$pid" VmRSS)
	done
	hwm_reset $pool
	for ((i = 0; i < EXPORT_RUNS; i++)); do
		got=$(curl -sS -m 300 -o "$VAR/export.csv" \
		    -w '%{http_code} %{time_total} %{size_download}' \
		    -H "Authorization: Bearer $key" "$APP$IMPEX/items.csv") ||
		    die "export of $n items: no answer"
		lines=$(wc -l < "$VAR/export.csv")
		[ "${got%% *}" = 200 ] && [ "$lines" = $((n + 1)) ] || {
			log "export: $got, $lines lines: $(head -c 300 \
			    "$VAR/export.csv")"
			die "export of $n items: want 200 and $((n + 1)) lines"
		}
		got=${got#* }
		[[ -z $best ]] || awk -v a="${got% *}" -v b="${best% *}" \
		    'BEGIN { exit !(a < b) }' && best=$got
	done
	for pid in $pool; do
		kb=$(proc_kb "$pid" VmHWM)
		((kb - ${before[$pid]} > grew)) || continue
		grew=$((kb - ${before[$pid]}))
		peak=$kb
	done
	((peak > 0)) || die "no FastCGI process to read VmHWM from"
	peak=$(awk -v k="$peak" 'BEGIN { printf "%.1f MiB", k / 1024 }')
	grew=$(awk -v k="$grew" 'BEGIN { printf "%.1f MiB", k / 1024 }')
	mib=$(awk -v b="${best#* }" 'BEGIN { printf "%.1f", b / 1048576 }')
	best=$(awk -v s="${best% *}" 'BEGIN { printf "%.3f", s }')
	log "lighttpd: GET $IMPEX/items.csv, $n items: $best s, $mib MiB," \
	    "peak RSS $peak (+$grew over its resident size before)"
	EXPORTS+=("| lighttpd: GET $IMPEX/items.csv, $n items | $best | \
$(awk -v n="$n" -v s="$best" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') \
| $mib | $peak | $grew |")
}

# measure_export: on a fresh FastCGI pool (the import and the rows
# before grew the processes' heaps, which an export could reuse unseen).
measure_export() {
	local small big
	end_lighttpd_pool "lighttpd, before the exports' fresh pool"
	stack web-stop
	stack web-start lighttpd
	small=$(new_org "$SLUG-x$EXPORT_SMALL")
	big=$(new_org "$SLUG-x$EXPORT_ROWS")
	log "seeding $EXPORT_SMALL and $EXPORT_ROWS items in SQL for the exports"
	seed_items "$SLUG-x$EXPORT_SMALL" "$EXPORT_SMALL"
	seed_items "$SLUG-x$EXPORT_ROWS" "$EXPORT_ROWS"
	export_row "$EXPORT_SMALL" "$small"
	export_row "$EXPORT_ROWS" "$big"
}

# Every run starts from an empty database, made again by stack setup: a
# table holding an earlier run's deleted rows measures them, not the
# code (InnoDB purges them in the background, and a FULLTEXT index keeps
# their ids until it is optimized: every search read 200,000 of them,
# 46 ms a request, in the second of three runs in a row).
fresh_database() {
	mariadb --no-defaults --socket="$(conf_get db_socket)" -uroot -e \
	    "DROP DATABASE IF EXISTS \`$(conf_get db_name)\`" ||
	    die "cannot drop the bench database"
}

measure_impex() {
	measure_import
	measure_export
}

run_lighttpd() {
	local app hello pool scim

	stack web-start lighttpd
	start_hello_lighttpd
	check_endpoints lighttpd
	measure_server lighttpd
	create_items
	measure_bare
	measure_reads
	pool=$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)
	app=$(peak_rss $pool)
	hello=$(peak_rss $(children "$(cat "$RUN/hello-lighttpd.pid")" \
	    hello.fcgi))
	stop_hello_lighttpd	# not needed any more: out of the way
	measure_scim
	[ "$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)" = "$pool" ] ||
	    log "warning: the FastCGI pool changed during the SCIM rows"
	scim=$(peak_rss $pool)
	measure_ingest
	measure_activity
	[ "$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)" = "$pool" ] ||
	    log "warning: the FastCGI pool changed during the ingestion runs"
	measure_webhooks
	RSS+=("behind lighttpd $app after the hello, healthz, whoami and read \
runs (hello.fcgi: $hello), $scim after the SCIM rows as well, \
$INGEST_RSS after the ingestion runs as well ($INGEST_RSS_NOW resident \
then)")
	measure_impex
	[ "$GROWTH" = 0 ] || run_growth
	end_lighttpd_pool "lighttpd, at the end (exports$( [ "$GROWTH" = 0 ] ||
	    echo ', growth'))"
	stack web-stop
}

run_apache() {
	local app hello

	stack web-start apache
	start_hello_apache
	check_endpoints Apache
	measure_server Apache
	app=$(peak_rss $(cat "$RUN/spawn-fcgi.pids"))
	hello=$(peak_rss $(cat "$RUN/hello-spawn-fcgi.pids"))
	RSS+=("behind Apache $app (hello.fcgi: $hello)")
	end_resident "Apache (spawn-fcgi), at the end" \
	    $(cat "$RUN/spawn-fcgi.pids")
	stack web-stop
	stop_hello_apache
}

# --- Apache + mod_fcgid (shared hosting) ---------------------------------

FCGID=http://127.0.0.1:$FCGID_PORT


# start_fcgid defaults|tuned: the host's Apache of apache/fcgid-host.conf
# over a fresh document root under $VAR/fcgid (so each start has no
# FastCGI process yet, as after a quiet spell on a host).
start_fcgid() {
	local root=$VAR/fcgid public=$VAR/fcgid/public defines=()
	[ "$1" = defaults ] && defines+=(-DFCGID_DEFAULTS)
	rm -rf "$root"
	mkdir -p "$public" "$root/run/apache" "$root/run/fcgid" "$root/log"
	chown "$WEB_USER" "$root/run/fcgid"
	cp -R "$TOP/www/." "$public/"
	cp "$BUILD/mihwar.fcgi" "$public/"
	sed "s|^SetEnv MIHWAR_CONF .*|SetEnv MIHWAR_CONF $CONF|" \
	    "$TOP/apache/htaccess.example" > "$public/.htaccess"
	export HOSTING_VAR=$root HOSTING_PORT=$FCGID_PORT \
	    HOSTING_DOCROOT=$public HOSTING_WEB_USER=$WEB_USER HOSTING_CONF=$CONF
	apache2 -f "$TOP/apache/fcgid-host.conf" -t "${defines[@]}" \
	    > "$LOG/fcgid-apache.out" 2>&1 ||
	    die "apache/fcgid-host.conf: $(cat "$LOG/fcgid-apache.out")"
	apache2 -f "$TOP/apache/fcgid-host.conf" -DFOREGROUND "${defines[@]}" \
	    >> "$LOG/fcgid-apache.out" 2>&1 9>&- &
	echo $! > "$RUN/fcgid-apache.pid"
	wait_for "Apache + mod_fcgid" curl -fsS -o /dev/null "$FCGID/api/healthz"
}

# Apache ends mod_fcgid's process manager and its processes with it.
stop_fcgid() { stop_pids "$RUN/fcgid-apache.pid" apache2; }

# The healthz and whoami rows behind mod_fcgid, defaults then tuned, each
# on a pool that starts empty; the limit is Apache's hello (the same
# Apache, mod_proxy_fcgi to 4 processes), measured before. mod_fcgid
# starts a process only after a request found none idle and slept a
# second, and the pool must be larger than the requests in flight (a
# process is idle again only after its answer has gone out, and the
# client's next request may come first): so before the rows a WARMUP
# run at twice CONNS grows the pool, as a host's first busy moment
# would. The defaults stay short of it (ten quick spawns, then one a
# second), the tuned settings grow it at once and keep it.
run_fcgid() {
	local set server wait
	for set in defaults tuned; do
		server="Apache + mod_fcgid, $set"
		start_fcgid "$set"
		expect "$FCGID/api/integrations/v1/whoami" 200 \
		    "\"slug\":\"$SLUG\"" -H "Authorization: Bearer $KEY"
		if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
			run_wrk "$WARMUP" "$BENCH/report.lua" "$FCGID/api/healthz" \
			    "$((2 * CONNS))" || die "$server: wrk failed (pool)"
		fi
		log "$server: $(fcgid_count) mihwar.fcgi processes after a" \
		    "$WARMUP run at $((2 * CONNS)) connections"
		LIMIT_RATE[$server]=${LIMIT_RATE[Apache]}
		# With the defaults a request can wait seconds behind the
		# spawns (one a second): its p99 tells it, where wrk's 5 s
		# timeout would count it an error (one in the second of three
		# runs in a row).
		wait=5s
		[ "$set" = defaults ] && wait=15s
		measure "$server" "GET /api/healthz" "$FCGID/api/healthz" \
		    report.lua "$CONNS" "$wait"
		BENCH_KEY=$KEY measure "$server" \
		    "GET /api/integrations/v1/whoami" \
		    "$FCGID/api/integrations/v1/whoami" auth.lua "$CONNS" "$wait"
		log "$server: $(fcgid_count) mihwar.fcgi processes at the end"
		stop_fcgid
	done
}

# fcgid_count: the mihwar.fcgi processes under this run's mod_fcgid
# (children of its process manager, a child of Apache).
fcgid_count() {
	local pm n=0
	for pm in $(children "$(cat "$RUN/fcgid-apache.pid")" apache2); do
		n=$((n + $(children "$pm" mihwar.fcgi | wc -l)))
	done
	echo "$n"
}

# --- the bare baselines (issue 14) ----------------------------------------

# ../shared/bench (the machine's baselines; BENCH_SHARED overrides where):
# its c/item_fcgi.c is built from there into $BUILD/bench/item_fcgi and
# served by the hello lighttpd (lighttpd-bare.conf) at /items/{id}, and
# its peer-node/server.js runs from there on BENCH_NODE_PORT. Both read
# "bench.items" (id, tenant_id, sku, name, qty_on_hand), the table shape
# they were written for: here a view over this run's inventory_items
# (org_id as tenant_id, stock_on_hand as qty_on_hand), so the same rows
# of the same table are read. A part that cannot run says why in its row
# (BARE_SKIP, NODE_SKIP) and the bench goes on.
BARE_SKIP=
NODE_SKIP=
BARE_RATE=
NODE_RATE=
ITEM_FCGI=$BUILD/bench/item_fcgi
NODE_URL=http://127.0.0.1:$NODE_PORT

# The database "bench" the baselines read: a user with their built-in
# password (bench/bench, as benchdb.c and server.js have it) that may
# only read the view. A merge view, so WHERE id = ? is the primary key.
bare_db() {
	sql "$(cat <<SQL
CREATE DATABASE IF NOT EXISTS bench;
CREATE USER IF NOT EXISTS 'bench'@'localhost' IDENTIFIED BY 'bench';
CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW bench.items AS
  SELECT id, org_id AS tenant_id, sku, name, stock_on_hand AS qty_on_hand
  FROM \`$(conf_get db_name)\`.inventory_items;
GRANT SELECT ON bench.items TO 'bench'@'localhost';
SQL
)"
}

# setup_bare: build item_fcgi, make the view, npm ci the peer if needed.
setup_bare() {
	local c=$SHARED/c
	if [ ! -d "$SHARED" ]; then
		BARE_SKIP="skipped: ../shared/bench not found"
		NODE_SKIP=$BARE_SKIP
		log "$BARE_SKIP ($SHARED): no bare baselines"
		return 0
	fi
	bare_db || { BARE_SKIP="skipped: cannot make the view bench.items"
	    NODE_SKIP=$BARE_SKIP; log "$BARE_SKIP"; return 0; }
	if [ ! -f "$c/item_fcgi.c" ]; then
		BARE_SKIP="skipped: $c/item_fcgi.c not found"
	elif ! ${CC:-cc} -O2 -Wall -Wextra $(mariadb_config --cflags) \
	    -o "$ITEM_FCGI" "$c/item_fcgi.c" "$c/benchdb.c" -lfcgi \
	    $(mariadb_config --libs) > "$LOG/item_fcgi-build.out" 2>&1; then
		BARE_SKIP="skipped: item_fcgi.c did not build"
		log "$BARE_SKIP: $(head -c 300 "$LOG/item_fcgi-build.out")"
	fi
	if ! command -v node > /dev/null; then
		NODE_SKIP="skipped: node is not installed"
	elif [ ! -f "$SHARED/peer-node/server.js" ]; then
		NODE_SKIP="skipped: peer-node/server.js not found"
	elif [ ! -d "$SHARED/peer-node/node_modules" ]; then
		log "npm ci in $SHARED/peer-node"
		(cd "$SHARED/peer-node" && npm ci --no-audit --no-fund) >&2 ||
		    NODE_SKIP="skipped: npm ci failed in peer-node"
	fi
	[ -z "$BARE_SKIP" ] || log "$BARE_SKIP"
	[ -z "$NODE_SKIP" ] || log "$NODE_SKIP"
}

start_node() {
	local i
	[ -z "$NODE_SKIP" ] || return 0
	port_free "$NODE_PORT" || { NODE_SKIP="skipped: 127.0.0.1:$NODE_PORT
is busy"; log "$NODE_SKIP"; return 0; }
	PORT=$NODE_PORT BENCH_DB_SOCKET=$(conf_get db_socket) \
	    node "$SHARED/peer-node/server.js" > "$LOG/peer-node.out" 2>&1 9>&- &
	echo $! > "$RUN/peer-node.pid"
	# Up to 60 s: Node loads Express and opens its pool slowly on a busy
	# machine.
	for ((i = 0; i < 4; i++)); do
		( wait_for "the Node peer" curl -fsS -m 5 -o /dev/null \
		    "$NODE_URL$(head -1 "$VAR/item-ids-bare")" ) 2> /dev/null &&
		    return 0
	done
	die "the Node peer did not come up ($LOG/peer-node.out)"
}

stop_node() { stop_pids "$RUN/peer-node.pid" node; }

# measure_bare: the bare C read and the Node peer's over the ITEMS items
# of the run's organization (their primary keys), at CONNS connections.
measure_bare() {
	local id
	sql "SELECT CONCAT('/items/', i.id) FROM inventory_items i JOIN
	    organizations o ON o.id = i.org_id WHERE o.slug = '$SLUG'" \
	    > "$VAR/item-ids-bare" || die "cannot list the items' ids"
	id=$(head -1 "$VAR/item-ids-bare")
	if [ -z "$BARE_SKIP" ]; then
		expect "$LIMIT$id" 200 '"sku":"BENCH-'
		BENCH_PATHS=$VAR/item-ids-bare BENCH_WANT='"sku":"BENCH-' \
		    measure lighttpd "bare C FastCGI GET /items/{id}" "$LIMIT" \
		    paths.lua
		BARE_RATE=$RATE
	else
		ROWS+=("| lighttpd: bare C FastCGI GET /items/{id} ($BARE_SKIP) \
| – | – | – | | |")
	fi
	start_node
	if [ -z "$NODE_SKIP" ]; then
		expect "$NODE_URL$id" 200 '"sku":"BENCH-'
		LIMIT_RATE[peer]=${LIMIT_RATE[lighttpd]}
		BENCH_PATHS=$VAR/item-ids-bare BENCH_WANT='"sku":"BENCH-' \
		    measure peer "Node $(node --version) Express + mariadb \
GET /items/{id} (one process, pool of 8)" "$NODE_URL" paths.lua
		NODE_RATE=$RATE
		stop_node
	else
		ROWS+=("| peer: Node Express + mariadb GET /items/{id} \
($NODE_SKIP) | – | – | – | | |")
	fi
}

# vs_bare RATE: the cells "ratio to the bare C read | ratio to the peer".
vs_bare() {
	local b=${BARE_RATE:-} n=${NODE_RATE:-}
	awk -v r="$1" -v b="$b" -v n="$n" 'BEGIN {
		printf "%s | %s", (b > 0 ? sprintf("%.2f", r / b) : "–"),
		    (n > 0 ? sprintf("%.2f", r / n) : "–") }'
}

# --- the profile (PROFILE=1) ---------------------------------------------

# With PROFILE=1, wrk_bench runs perf record -a -g for the length of the
# measured run of a row that sets PROFILE_AS (the item read and the list
# page), and profile_sum keeps the top entries of perf report.
PERF_PID=
PROFILES=()
profile_start() {	# profile_start NAME DURATION
	[[ $PROFILE = 1 && -n ${PROFILE_AS:-} ]] || return 0
	perf record -a -g -F 999 -o "$VAR/perf-$1.data" -- sleep "${2%s}" \
	    > "$LOG/perf-$1.out" 2>&1 9>&- &
	PERF_PID=$!
}

profile_sum() {		# profile_sum NAME WHAT
	[[ $PROFILE = 1 && -n ${PROFILE_AS:-} ]] || return 0
	wait "$PERF_PID" || log "warning: perf record failed ($LOG/perf-$1.out)"
	PERF_PID=
	PROFILES+=("" "$2, perf record -a -g -F 999 for the measured" \
	    "run; perf report --no-children, top 10 by dso,sym" \
	    "(% of all samples), then by command:" "")
	PROFILES+=("$(perf report -i "$VAR/perf-$1.data" --no-children \
	    --sort dso,sym -g none --stdio 2>/dev/null | grep '%' |
	    grep -v '^#' | sed -n '1,10s/^/    /p')")
	PROFILES+=("$(perf report -i "$VAR/perf-$1.data" --no-children \
	    --sort comm -g none --stdio 2>/dev/null | grep '%' |
	    grep -v '^#' | sed -n '1,6s/^/    /p')")
}

# --- growth (issue 14; GROWTH=0 skips it, GROWTH_ONLY=1 runs only it) ----

# seed_growth_items SLUG N PREFIX WIDTH: N items with SKUs PREFIX and
# their number from 0 in WIDTH digits, named "Growth item N", in SQL.
seed_growth_items() {
	sql "$(cat <<SQL
SET @org = (SELECT id FROM organizations WHERE slug = '$1');
INSERT INTO inventory_items (public_id, org_id, sku, name, unit, category)
  SELECT UUID(), @org, CONCAT('$3', LPAD(seq, $4, '0')),
    CONCAT('Growth item ', seq), 'each', CONCAT('Category ', seq % 20)
  FROM seq_0_to_$(($2 - 1));
ANALYZE TABLE inventory_items;
SQL
)" > /dev/null || die "cannot seed $2 items in $1"
}

# seed_history SLUG ITEMS DAYS: DAYS days of daily order history for each
# of the organization's ITEMS items (one line a day an item, ending
# 2025-12-31), in one DAY batch; in multi-row INSERTs of at most 100,000
# rows (INSERT ... SELECT from MariaDB's sequence engine).
seed_history() {
	local slug=$1 items=$2 days=$3 n from chunk=100000 stmts=
	n=$((items * days))
	for ((from = 0; from < n; from += chunk)); do
		stmts+="INSERT INTO order_history_lines (org_id, batch_id, item_id,
  order_date, ordered_qty, delivered_qty)
  SELECT @org, @batch, @item0 + seq % $items,
    '2025-12-31' - INTERVAL (seq DIV $items) DAY, 1 + seq % 7, seq % 5
  FROM seq_${from}_to_$((from + chunk < n ? from + chunk - 1 : n - 1));
"
	done
	sql "$(cat <<SQL
SET @org = (SELECT id FROM organizations WHERE slug = '$slug');
SET @item0 = (SELECT MIN(id) FROM inventory_items WHERE org_id = @org);
INSERT INTO import_batches (public_id, org_id, source, period_kind,
    lines_inserted) VALUES (UUID(), @org, 'api', 'DAY', $n);
SET @batch = LAST_INSERT_ID();
$stmts
SQL
)" || die "cannot seed $n order lines in $slug"
}

# The item ids of seeded items are consecutive (one INSERT ... SELECT on
# an otherwise idle table; seed_history relies on it).
check_consecutive() {	# check_consecutive SLUG N
	local got
	got=$(sql "SELECT MAX(i.id) - MIN(i.id) + 1, COUNT(*) FROM
	    inventory_items i JOIN organizations o ON o.id = i.org_id
	    WHERE o.slug = '$1'")
	[ "$got" = "$2	$2" ] || die "$1: item ids not consecutive ($got)"
}

# growth_reads N: the item read, the 50-row list and a search for a SKU
# in an organization of N items (seeded in SQL); sets GR[N,...].
declare -A GR
growth_reads() {
	local n=$1 slug=$SLUG-g$1 key what
	key=$(new_org "$slug")
	log "seeding $n items in SQL ($slug)"
	seed_growth_items "$slug" "$n" G- 6
	sql "SELECT CONCAT('$API/inventory/items/', i.public_id) FROM
	    inventory_items i JOIN organizations o ON o.id = i.org_id
	    WHERE o.slug = '$slug' ORDER BY RAND() LIMIT 10000" \
	    > "$VAR/growth-items" || die "cannot list the items of $slug"
	sql "SELECT CONCAT('$API/inventory/items?limit=50&search=', i.sku)
	    FROM inventory_items i JOIN organizations o ON o.id = i.org_id
	    WHERE o.slug = '$slug' ORDER BY RAND() LIMIT 10000" \
	    > "$VAR/growth-search" || die "cannot list the SKUs of $slug"
	expect "$APP$(head -1 "$VAR/growth-items")" 200 '"sku":"G-' \
	    -H "Authorization: Bearer $key"
	expect "$APP$(head -1 "$VAR/growth-search")" 200 \
	    "\"sku\":\"$(head -1 "$VAR/growth-search" | sed 's/.*search=//')\"" \
	    -H "Authorization: Bearer $key"
	for what in item list search; do
		log "lighttpd: growth, $what, $n items"
		case $what in
		item) BENCH_KEY=$key BENCH_PATHS=$VAR/growth-items \
		    BENCH_WANT='"sku":"G-' SETTLE=pool_idle wrk_bench \
		    "growth $what $n" "$GROWTH_DURATION" "$GROWTH_WARMUP" "$APP" \
		    paths.lua "$CONNS" 20s ;;
		list) BENCH_KEY=$key SETTLE=pool_idle wrk_bench \
		    "growth $what $n" "$GROWTH_DURATION" "$GROWTH_WARMUP" \
		    "$APP$API/inventory/items?limit=50" auth.lua "$CONNS" 20s ;;
		search) BENCH_KEY=$key BENCH_PATHS=$VAR/growth-search \
		    BENCH_WANT='"sku":"G-' SETTLE=pool_idle wrk_bench \
		    "growth $what $n" "$GROWTH_DURATION" "$GROWTH_WARMUP" "$APP" \
		    paths.lua "$CONNS" 20s ;;
		esac
		growth_check "$what, $n items"
		GR[$n,$what]=$RATE GR[$n,$what,p99]=$P99
		log "lighttpd: growth, $what, $n items: $RATE req/s, p99 $P99 ms"
	done
	# The search one request at a time too: its latency without a queue.
	log "lighttpd: growth, search, $n items, one connection"
	BENCH_KEY=$key BENCH_PATHS=$VAR/growth-search BENCH_WANT='"sku":"G-' \
	    SETTLE=pool_idle wrk_bench "growth search1 $n" "$GROWTH_DURATION" \
	    "$GROWTH_WARMUP" "$APP" paths.lua 1 20s
	growth_check "search, $n items, one connection"
	GR[$n,search1]=$RATE GR[$n,search1,p99]=$P99
	log "lighttpd: growth, search, $n items, one connection: $RATE req/s," \
	    "p99 $P99 ms"
}

# growth_check WHAT: a growth row's run had only good answers, and some.
growth_check() {
	[[ $NON2XX = 0 && $ERRS = 0 ]] || BAD+=("growth $1: $NON2XX non-2xx" \
	    "or unexpected, $ERRS socket errors")
	awk -v r="$RATE" 'BEGIN { exit !(r > 0) }' ||
	    BAD+=("growth $1: no answer within $GROWTH_DURATION")
}

# growth_ingest SLUG KEY: the ingestion row's body into SLUG (ITEMS items
# with the body's SKUs); sets RATE, P99 (lines/s in GI_LINES).
growth_ingest() {
	check_batch "ingestion into $1" "$2" "$APP$API/ingestion/order-lines" \
	    "$VAR/ingest.json" 201 "\"inserted\":$LINES,"
	BENCH_KEY=$2 BENCH_BODY=$VAR/ingest.json \
	    BENCH_WANT="\"inserted\":$LINES," SETTLE=pool_idle \
	    wrk_bench "ingestion into $1" "$GROWTH_DURATION" "$GROWTH_WARMUP" \
	    "$APP$API/ingestion/order-lines" batch.lua "$INGEST_CONNS" 60s
	growth_check "ingestion into $1"
	GI_LINES=$(awk -v r="$RATE" -v n="$LINES" 'BEGIN { printf "%.0f", r * n }')
}

# predict_time SLUG KEY ITEMS: one import.completed event for SLUG (a
# one-line DAY ingestion), every event cursor moved past all else first,
# then one pass of the worker (mihwar-worker --once, as the stack runs
# it) timed; checks that ITEMS x 14 daily predictions were written. Sets
# PT (seconds).
predict_time() {
	local slug=$1 key=$2 items=$3 t0 t1 n
	sql "INSERT INTO event_cursors (consumer, last_event_id)
	    SELECT c, COALESCE((SELECT MAX(id) FROM events), 0)
	    FROM (SELECT 'predictions' AS c UNION SELECT 'webhooks') x
	    ON DUPLICATE KEY UPDATE last_event_id = VALUES(last_event_id);
	    UPDATE event_cursors SET last_event_id =
	    (SELECT COALESCE(MAX(id), 0) FROM events)" ||
	    die "cannot move the event cursors"
	printf '{"periodKind":"DAY","lines":[{"sku":"BENCH-0000","orderDate":"2025-12-31","orderedQty":1,"deliveredQty":1}]}' \
	    > "$VAR/predict-one.json"
	check_batch "one line into $slug" "$key" \
	    "$APP$API/ingestion/order-lines" "$VAR/predict-one.json" 201 \
	    '"inserted":1,'
	t0=$(date +%s.%N)
	MIHWAR_CONF=$CONF setpriv --reuid="$WEB_USER" --regid="$WEB_USER" \
	    --init-groups -- "$BUILD/mihwar-worker" --once --max-seconds 600 \
	    >> "$LOG/predict-worker.log" 2>&1 9>&- ||
	    die "mihwar-worker --once failed ($LOG/predict-worker.log)"
	t1=$(date +%s.%N)
	PT=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	n=$(sql "SELECT COUNT(*) FROM predictions p JOIN organizations o
	    ON o.id = p.org_id WHERE o.slug = '$slug' AND p.period_kind = 'DAY'")
	[ "$n" = $((items * 14)) ] || die "$slug: $n daily predictions," \
	    "not $((items * 14)) ($LOG/predict-worker.log)"
	log "prediction regeneration, $slug: $PT s ($n predictions)"
}

GROWTH_ROWS=()
run_growth() {
	local e l s t0 secs n lines days=$((GROWTH_LINES / ITEMS)) pe pl ps
	growth_reads "$GROWTH_SMALL"
	growth_reads "$GROWTH_LARGE"
	for what in item list search search1; do
		GROWTH_ROWS+=("| GET $(growth_label $what), req/s | \
${GR[$GROWTH_SMALL,$what]%.*} | ${GR[$GROWTH_SMALL,$what,p99]} | \
${GR[$GROWTH_LARGE,$what]%.*} | ${GR[$GROWTH_LARGE,$what,p99]} | \
$(awk -v a="${GR[$GROWTH_SMALL,$what]}" -v b="${GR[$GROWTH_LARGE,$what]}" \
    -v p="${GR[$GROWTH_SMALL,$what,p99]}" \
    -v q="${GR[$GROWTH_LARGE,$what,p99]}" 'BEGIN {
	printf "%.2f | %.2f", (b > 0 ? a / b : 0), (p > 0 ? q / p : 0) }') |")
	done
	# Ingestion and prediction: ITEMS items with the body's SKUs each.
	e=$(new_org "$SLUG-he") l=$(new_org "$SLUG-hl") s=$(new_org "$SLUG-hs")
	seed_growth_items "$SLUG-he" "$ITEMS" BENCH- 4
	seed_growth_items "$SLUG-hl" "$ITEMS" BENCH- 4
	seed_growth_items "$SLUG-hs" "$PREDICT_SMALL" BENCH- 4
	check_consecutive "$SLUG-hl" "$ITEMS"
	check_consecutive "$SLUG-hs" "$PREDICT_SMALL"
	lines=$((ITEMS * days))
	log "seeding $lines order lines in SQL ($SLUG-hl: $ITEMS items x" \
	    "$days days)"
	t0=$(date +%s.%N)
	seed_history "$SLUG-hl" "$ITEMS" "$days"
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" \
	    'BEGIN { printf "%.1f", b - a }')
	SEED_NOTE="$lines order lines seeded in $secs s"
	log "$SEED_NOTE; $((PREDICT_SMALL * days)) more in $SLUG-hs"
	seed_history "$SLUG-hs" "$PREDICT_SMALL" "$days"
	sql "ANALYZE TABLE order_history_lines" > /dev/null
	predict_time "$SLUG-hs" "$s" "$PREDICT_SMALL"
	ps=$PT
	predict_time "$SLUG-hl" "$l" "$ITEMS"
	pl=$PT
	GROWTH_ROWS+=("| prediction regeneration, $days days of daily history \
(mihwar-worker --once, s) | $ps ($PREDICT_SMALL items) | | $pl ($ITEMS items) \
| | $(awk -v a="$ps" -v b="$pl" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }') \
(items x$((ITEMS / PREDICT_SMALL))) | |")
	log "lighttpd: growth, ingestion into an empty organization"
	growth_ingest "$SLUG-he" "$e"
	pe=$GI_LINES n=$P99
	log "lighttpd: growth, ingestion into $lines existing lines"
	growth_ingest "$SLUG-hl" "$l"
	GROWTH_ROWS+=("| POST $API/ingestion/order-lines, lines/s (empty \
organization / $lines lines in it) | $pe | $n | $GI_LINES | $P99 | \
$(awk -v a="$pe" -v b="$GI_LINES" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') \
| $(awk -v p="$n" -v q="$P99" 'BEGIN { printf "%.2f", (p > 0 ? q / p : 0) }') |")
}

growth_label() {
	case $1 in
	item) echo "$API/inventory/items/{id}" ;;
	list) echo "$API/inventory/items?limit=50" ;;
	search) echo "$API/inventory/items?limit=50&search={SKU}" ;;
	search1) echo "$API/inventory/items?limit=50&search={SKU} (one \
connection)" ;;
	esac
}

print_growth() {
	echo
	echo "Growth: the same request at $GROWTH_SMALL and at $GROWTH_LARGE" \
	    "items in an organization (seeded in SQL; wrk -c$CONNS" \
	    "-d$GROWTH_DURATION after a $GROWTH_WARMUP warm-up; a search for" \
	    "a random item's SKU, its answer checked for that item); the" \
	    "growth is the time per request large / small (1/req/s), and" \
	    "p99 large / small. Ingestion: the ingestion row's body into an" \
	    "organization without order lines and into one holding them" \
	    "($SEED_NOTE), wrk -c$INGEST_CONNS; its growth is lines/s" \
	    "empty / full. Prediction: one worker pass regenerating an" \
	    "organization's daily predictions, $PREDICT_SMALL and $ITEMS" \
	    "items with $((GROWTH_LINES / ITEMS)) days of history each (one" \
	    "line an item a day)."
	echo
	echo "| what | small | p99 ms | large | p99 ms | growth | p99 growth |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${GROWTH_ROWS[@]}"
}

print_table() {
	local rev
	rev=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')
	git -C "$TOP" diff --quiet HEAD 2>/dev/null || rev="$rev+changes"
	echo
	echo "Mihwar $rev, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (nproc);" \
	    "wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up," \
	    "127.0.0.1; $PROCS FastCGI processes; $ITEMS items;" \
	    "$SCIM_USERS SCIM users;" \
	    "$(lighttpd -v | cut -d' ' -f1)," \
	    "$(apache2 -v | sed -n 's/^Server version: //p')," \
	    "MariaDB $(mariadbd --version | awk '{ print $3 }');" \
	    "CPUs busy with other work: $BUSY_BEFORE before, $BUSY_AFTER after."
	[ "$IMPEX_ONLY" = 1 ] && { print_impex; print_end_resident; print_bad
	    return; }
	[ "$GROWTH_ONLY" = 1 ] && { print_growth; print_end_resident
	    print_bad; return; }
	echo
	echo "| what | req/s | p99 ms | ratio to the limit | to the bare C read | to the Node peer |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	[ "$FCGID_ONLY" = 1 ] && { print_end_resident; print_bad; return; }
	[ ${#PROFILES[@]} -eq 0 ] || printf '%s\n' "${PROFILES[@]}"
	[ "$GROWTH" = 0 ] || print_growth
	echo
	echo "SCIM directory, $SCIM_USERS users in one organization: the" \
	    "userName lookup and the 100-user page above, one request at a" \
	    "time (wrk -t1 -c1 -d$SCIM_SOLO; issue 9's aim: under 3 ms)."
	echo
	echo "| one at a time | median ms | p95 ms | mean ms | requests |"
	echo "|---|---:|---:|---:|---:|"
	printf '%s\n' "${SOLO[@]}"
	echo
	echo "Ingestion: the same $LINES-line body over $ITEMS existing SKUs" \
	    "every request, wrk -c$INGEST_CONNS -d$INGEST_DURATION after a" \
	    "$INGEST_WARMUP warm-up. Raw limit, measured just before:" \
	    "tests/bench/rawinsert, the same rows into order_history_lines," \
	    "$INGEST_CONNS threads x $RAW_TX transactions (after one untimed" \
	    "each) of 10 prepared 500-row INSERTs; its p99 is per $LINES-row" \
	    "transaction."
	echo
	echo "| what | lines/s | p99 ms | raw rows/s | raw p99 ms | ratio to raw |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${INGEST[@]}"
	echo
	echo "Activity ingest: the same $EVENTS-event body (50 workers by" \
	    "externalId) every request, wrk -c$INGEST_CONNS" \
	    "-d$INGEST_DURATION after a $INGEST_WARMUP warm-up. Raw limit," \
	    "measured just before: tests/bench/rawinsert -k activity, the" \
	    "same rows into activity_events (same indexes and partitions)," \
	    "$INGEST_CONNS threads x $RAW_TX transactions of one prepared" \
	    "$EVENTS-row INSERT; its p99 is per transaction. Aim: 0.5 of raw," \
	    "p99 under 250 ms a batch."
	echo
	echo "| what | events/s | p99 ms | raw rows/s | raw p99 ms | ratio to raw |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ACTIVITY[@]}"
	echo "$WEBHOOKS"
	print_impex
	echo
	echo "Peak RSS (VmHWM) of mihwar.fcgi, max over the pool:" \
	    "${RSS[0]}; ${RSS[1]} after its runs."
	print_end_resident
	print_bad
}

print_impex() {
	echo
	echo "Import: a $IMPEX_ROWS-row items CSV (no ids; every row good)" \
	    "through POST $IMPEX/items/import (update_existing=false), one" \
	    "request at a time, each into an organization without items;" \
	    "the median of $IMPEX_RUNS after one untimed. Raw limit, measured" \
	    "just before: tests/bench/rawinsert -k items, the same rows into" \
	    "inventory_items as 40 prepared 500-row INSERTs in one" \
	    "transaction, $IMPEX_RUNS transactions after one untimed (raw" \
	    "seconds: the slowest). Aim: 0.3 of raw."
	echo
	echo "| what | rows/s | seconds | raw rows/s | raw seconds | ratio to raw |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "$IMPORT_ROW"
	echo
	echo "Export: GET $IMPEX/items.csv of an organization with" \
	    "$EXPORT_SMALL items and of one with $EXPORT_ROWS (seeded in" \
	    "SQL), the fastest of $EXPORT_RUNS each; the peak RSS (VmHWM) of" \
	    "the FastCGI process that served them (the one that grew most)," \
	    "every process's reset to its resident size (/proc/PID/clear_refs)" \
	    "before each size, and how much it grew over that."
	echo
	echo "| what | seconds | rows/s | MiB | peak RSS | growth |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${EXPORTS[@]}"
}

print_bad() {
	if [ ${#BAD[@]} -gt 0 ]; then
		echo
		echo "**FAILED: rows with non-2xx answers or socket errors:**"
		printf -- '- %s\n' "${BAD[@]}"
	fi
}

# --- main ----------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "run as root (the mysql and www-data users)"
for t in wrk curl lighttpd apache2 spawn-fcgi ss mariadbd mariadb; do
	command -v "$t" >/dev/null || die "$t is not installed (make deps)"
done
[ "$PROFILE" != 1 ] || command -v perf > /dev/null ||
    die "PROFILE=1: perf is not installed"
[ -f /usr/lib/apache2/modules/mod_fcgid.so ] ||
    die "mod_fcgid is not installed (make deps)"
for p in "$BUILD/mihwar.fcgi" "$BUILD/mihwarctl" "$HELLO" "$RAWINSERT"; do
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
for p in "$PORT" "$HELLO_PORT" "$FCGID_PORT" "$NODE_PORT"; do
	port_free "$p" || die "127.0.0.1:$p is busy (not ours; BENCH_PORT" \
	    "and BENCH_HELLO_PORT choose others)"
done
trap on_exit EXIT
trap 'exit 130' INT TERM

BUSY_BEFORE=$(cpu_busy)
[ "${BUSY_BEFORE% %}" -lt 25 ] || log "warning: other work keeps the CPUs" \
    "$BUSY_BEFORE busy: the numbers will be low and noisy"
[[ $ITEMS =~ ^[0-9]+$ ]] && ((ITEMS >= 50 && ITEMS <= 5000)) ||
    die "ITEMS: 50 to 5000"
[[ $SCIM_USERS =~ ^[0-9]+$ ]] &&
    ((SCIM_USERS >= 200 && SCIM_USERS <= 200000)) ||
    die "SCIM_USERS: 200 to 200000"
stack setup
fresh_database
stack setup
lift_rate_limit
allow_local_webhooks
ingest_body "$VAR/ingest.json"
activity_body "$VAR/activity.json"
SLUG=bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json org create \
    --slug "$SLUG" --name Bench > /dev/null
KEY=$(MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json key create \
    --org "$SLUG" --kind integration |
    sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
[ -n "$KEY" ] || die "mihwarctl key create: no key"
IKEY=$(MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json key create \
    --org "$SLUG" --kind ingest --app bench |
    sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
[ -n "$IKEY" ] || die "mihwarctl key create --kind ingest: no key"
SKEY=$(MIHWAR_CONF=$VAR/mihwar.conf "$BUILD/mihwarctl" --json key create \
    --org "$SLUG" --kind scim |
    sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
[ -n "$SKEY" ] || die "mihwarctl key create --kind scim: no key"
log "organization $SLUG, integration key ${KEY:0:12}..., ingest key" \
    "${IKEY:0:12}..., scim key ${SKEY:0:12}..."
if [ "$GROWTH_ONLY" = 1 ]; then
	stack web-start lighttpd
	run_growth
	end_lighttpd_pool "lighttpd, at the end (growth)"
	stack web-stop
elif [ "$IMPEX_ONLY" = 1 ]; then
	stack web-start lighttpd
	measure_impex
	end_lighttpd_pool "lighttpd, at the end (exports)"
	stack web-stop
elif [ "$FCGID_ONLY" = 1 ]; then
	run_apache
	run_fcgid
else
	seed_scim
	setup_bare
	run_lighttpd
	run_apache
	run_fcgid
fi
stop_all
trap - EXIT
log "stopped what it started"
BUSY_AFTER=$(cpu_busy)
print_table
[ ${#BAD[@]} -eq 0 ] || exit 1
