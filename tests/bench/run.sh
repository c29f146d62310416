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
# .../whoami. Behind lighttpd only:
# - reads: GET .../inventory/items/{id} (a random one of ITEMS items the
#   run creates with PUT .../items/by-sku/{sku}; items.lua) and the list
#   page GET .../inventory/items?limit=50, at CONNS connections.
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
# - the peak RSS (VmHWM) of the FastCGI pool before the ingestion runs
#   (after every other lighttpd row) and after them.
# - webhooks (tests/bench/webhooks.mjs): one worker's deliveries/s draining
#   a backlog to a local receiver, and the lag from an event's commit to
#   its delivery, p50 and p99.
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
#   WEBHOOK_BACKLOG (1000), WEBHOOK_LAG (200)  deliveries drained, and
#                   events timed one by one, for the webhook rows
#   BENCH_PORT (18090), BENCH_HELLO_PORT (18091)  ports for Mihwar and for
#                   hello; refused if busy
#   BUILD    (build) where `make` put the programs
#
# Everything runs under var/bench (its own MariaDB, web servers, pools of
# 4 FastCGI processes) and is stopped on exit, failure included. Each run
# starts by emptying order_history_lines there (only runs of the bench
# write it; its rows, rawinsert's included, stay until the next run), so
# that every run inserts into a table of the same size. A row with non-2xx
# answers or socket errors fails the run. Needs root (the mysql and
# www-data users), wrk, curl, lighttpd, apache2, spawn-fcgi, mariadb.
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
LINES=5000			# lines per ingestion request (the API's most)
EVENTS=500			# events per activity batch (the contract's most)
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
wrk_bench() {
	local what=$1 dur=$2 warm=$3 url=$4 script=$BENCH/$5 out
	shift 5
	if [[ $warm != 0 && $warm != 0s ]]; then
		run_wrk "$warm" "$script" "$url" "$@" ||
		    die "$what: wrk failed (warm-up)"
	fi
	run_wrk "$dur" "$script" "$url" "$@" || die "$what: wrk failed"
	out=$(grep '^BENCH ' "$VAR/wrk.out") || die "$what: no BENCH line"
	RATE=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< "$out")
	P99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	NON2XX=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<< "$out")
	ERRS=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<< "$out")
	[[ -n $RATE && -n $P99 && -n $NON2XX && -n $ERRS ]] ||
	    die "$what: cannot read '$out'"
}

# measure SERVER WHAT URL SCRIPT: a row of the main table; the first row
# of a server is its limit.
declare -A LIMIT_RATE
measure() {
	local server=$1 what=$2 url=$3 script=$4 rate p99 non2xx errs
	local ratio note=
	log "$server: $what"
	wrk_bench "$server $what" "$DURATION" "$WARMUP" "$url" "$script"
	rate=$RATE p99=$P99 non2xx=$NON2XX errs=$ERRS
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
	expect "$APP$API/inventory/items/$(head -1 "$VAR/item-ids")" 200 \
	    '"sku"' -H "Authorization: Bearer $KEY"
	expect "$APP$API/inventory/items?limit=50" 200 '"nextCursor"' \
	    -H "Authorization: Bearer $KEY"
}

measure_reads() {
	BENCH_KEY=$KEY BENCH_IDS=$VAR/item-ids measure lighttpd \
	    "GET $API/inventory/items/{id}" "$APP" items.lua
	BENCH_KEY=$KEY measure lighttpd "GET $API/inventory/items?limit=50" \
	    "$APP$API/inventory/items?limit=50" auth.lua
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

run_lighttpd() {
	local app hello pool

	stack web-start lighttpd
	start_hello_lighttpd
	check_endpoints lighttpd
	measure_server lighttpd
	create_items
	measure_reads
	pool=$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)
	app=$(peak_rss $pool)
	hello=$(peak_rss $(children "$(cat "$RUN/hello-lighttpd.pid")" \
	    hello.fcgi))
	stop_hello_lighttpd	# not needed any more: out of the way
	measure_ingest
	measure_activity
	[ "$(children "$(cat "$RUN/lighttpd.pid")" mihwar.fcgi)" = "$pool" ] ||
	    log "warning: the FastCGI pool changed during the ingestion runs"
	measure_webhooks
	RSS+=("behind lighttpd $app after the hello, healthz, whoami and read \
runs (hello.fcgi: $hello), $INGEST_RSS after the ingestion runs as well \
($INGEST_RSS_NOW resident then)")
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
	    "127.0.0.1; $PROCS FastCGI processes; $ITEMS items;" \
	    "$(lighttpd -v | cut -d' ' -f1)," \
	    "$(apache2 -v | sed -n 's/^Server version: //p')," \
	    "MariaDB $(mariadbd --version | awk '{ print $3 }');" \
	    "CPUs busy with other work: $BUSY_BEFORE before, $BUSY_AFTER after."
	echo
	echo "| what | req/s | p99 ms | ratio to the limit |"
	echo "|---|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
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
	echo
	echo "Peak RSS (VmHWM) of mihwar.fcgi, max over the pool:" \
	    "${RSS[0]}; ${RSS[1]} after its runs."
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
for p in "$PORT" "$HELLO_PORT"; do
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
stack setup
lift_rate_limit
allow_local_webhooks
sql 'TRUNCATE TABLE order_history_lines' || die "cannot empty order_history_lines"
sql 'TRUNCATE TABLE activity_events' || die "cannot empty activity_events"
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
log "organization $SLUG, integration key ${KEY:0:12}..., ingest key" \
    "${IKEY:0:12}..."

run_lighttpd
run_apache
stop_all
trap - EXIT
log "stopped what it started"
BUSY_AFTER=$(cpu_busy)
print_table
[ ${#BAD[@]} -eq 0 ] || exit 1
