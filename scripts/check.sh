#!/usr/bin/env bash
# check.sh - every test, run by `make check` after both builds (build/
# with production flags, build/asan with ASan and UBSan):
#   1. unit tests under the sanitizers, then under valgrind;
#   2. every fuzz target over its corpus plus mutations, sanitized;
#   3. the integration tests against the real stack (private MariaDB,
#      the sanitized FastCGI pool, the worker) behind lighttpd, then the
#      same tests behind Apache; any sanitizer report fails the run.
#      Behind lighttpd the CUnit suites talk to the stack through a
#      validating proxy (Stoplight Prism) holding www/openapi.yaml, and
#      every response it finds off the description counts as a failure.
#   4. the same CUnit suites once more as a shared-hosting account runs
#      Mihwar (scripts/hosting.sh): the dist tarball behind Apache with
#      mod_fcgid and its .htaccess, an unprivileged database account, the
#      worker by --once in a loop; and nothing private served over HTTP.
# www/openapi.yaml is linted too (Redocly). Runtime state goes to
# var/test (removed at the start of each run).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export VAR=$TOP/var/test BUILD=$TOP/build/asan PROCS=${PROCS:-4}
STACK=$TOP/scripts/stack.sh
PASSED=0
FAILED=0

log() { echo "[check] $*" >&2; }
# count, count_node, run_cunit (the totals PASSED and FAILED)
. "$TOP/scripts/testlib.sh"

free_port() {
	local p
	for p in $(seq 18180 18280); do
		ss -ltn "sport = :$p" | grep -q LISTEN || { echo "$p"; return; }
	done
	return 1
}

# One file at a time: some files stop and start the stack's worker, which
# a file running beside them would need (2 cores run them one by one
# anyway; a larger machine must too).
run_node() {	# run_node NAME DIR: node's test runner over a folder
	local name=$1 out=$VAR/log/$1.out rc=0
	shift
	[ -d "$1" ] && compgen -G "$1/*.test.mjs" > /dev/null || return 0
	log "$name"
	MIHWAR_BASE_URL=http://127.0.0.1:$PORT MIHWAR_CTL=$BUILD/mihwarctl \
	MIHWAR_CONF=$VAR/mihwar.conf MIHWAR_STACK=$VAR/stack MIHWAR_VAR=$VAR \
	MIHWAR_DB_SOCKET=$VAR/mariadb/mysqld.sock \
	MIHWAR_WORKER=$BUILD/mihwar-worker \
	MIHWAR_PRINTFUL_URL=http://127.0.0.1:$PRINTFUL_PORT \
	    node --test --test-concurrency=1 --test-reporter=tap "$1" \
	    > "$out" 2>&1 || rc=$?
	cat "$out"
	count_node "$out"
	[ $rc -eq 0 ] || { log "$name failed (exit $rc)"; return 1; }
}

asan_reports() {
	if compgen -G "$VAR/log/asan.*" > /dev/null; then
		log "sanitizer reports:"
		cat "$VAR"/log/asan.*
		return 1
	fi
}

NODE_BIN=$TOP/tests/node_modules/.bin
PRISM_PID=

# The API description must be valid OpenAPI. (Two of its paths differ only
# by method, as the route table's do: by-sku/{sku} and {id}/adjustments.)
lint_openapi() {
	local out=$VAR/log/openapi-lint.out
	log "openapi lint"
	if REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	    "$NODE_BIN/redocly" lint --skip-rule no-ambiguous-paths \
	    "$TOP/www/openapi.yaml" > "$out" 2>&1; then
		PASSED=$((PASSED + 1))
	else
		cat "$out"
		log "www/openapi.yaml is not valid OpenAPI"
		FAILED=$((FAILED + 1))
	fi
}

# Start prism proxy on a free loopback port, forwarding to the stack's
# PORT; PRISM_PORT names it. Without --errors it only reports: answers
# pass through unchanged, violations go to its log.
prism_start() {
	local try i
	for try in 1 2 3; do
		PRISM_PORT=$(free_port)
		"$NODE_BIN/prism" proxy "$TOP/www/openapi.yaml" \
		    "http://127.0.0.1:$PORT" --host 127.0.0.1 \
		    --port "$PRISM_PORT" --cors=false \
		    >> "$VAR/log/prism.log" 2>&1 < /dev/null &
		PRISM_PID=$!
		for ((i = 0; i < 600; i++)); do
			kill -0 "$PRISM_PID" 2>/dev/null || break
			grep -q "Prism is listening on http://127.0.0.1:$PRISM_PORT$" \
			    "$VAR/log/prism.log" && return 0
			sleep 0.1
		done
		prism_stop	# taken meanwhile, or too slow: another port
	done
	log "prism proxy did not start (see $VAR/log/prism.log)"
	return 1
}

prism_stop() {
	[ -n "$PRISM_PID" ] || return 0
	kill "$PRISM_PID" 2>/dev/null || true
	wait "$PRISM_PID" 2>/dev/null || true
	PRISM_PID=
}

# Count the run through prism: a failure when it saw no request or
# reported any response off the description (each shown after the
# request it answered). Request violations are the tests' bad requests.
prism_verdict() {
	local log=$VAR/log/prism.log bad
	if ! grep -q "Request received" "$log"; then
		log "prism saw no requests"
		FAILED=$((FAILED + 1))
		return
	fi
	bad=$(awk '/Request received/ { req = $0 }
	    /Violation: response/ { print req; print }' "$log")
	if [ -n "$bad" ]; then
		log "responses that www/openapi.yaml does not describe:"
		echo "$bad" >&2
		FAILED=$((FAILED + 1))
	else
		log "prism: every response matched www/openapi.yaml"
		PASSED=$((PASSED + 1))
	fi
}

# The Printful stand-in the fulfillment tests reach through
# printful_api_base (tests/fulfillment/printful-standin.mjs).
printful_start() {
	local i p
	# The stack's PORT is not listening yet: skip it by hand.
	for p in $(seq 18180 18280); do
		[ "$p" != "$PORT" ] || continue
		ss -ltn "sport = :$p" | grep -q LISTEN || break
	done
	PRINTFUL_PORT=$p
	node tests/fulfillment/printful-standin.mjs --port "$PRINTFUL_PORT" \
	    --token pf-test-token > "$VAR/log/printful.log" 2>&1 < /dev/null &
	PRINTFUL_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on http://127.0.0.1:$PRINTFUL_PORT" \
		    "$VAR/log/printful.log" && return 0
		sleep 0.1
	done
	log "the Printful stand-in did not start (see $VAR/log/printful.log)"
	return 1
}

printful_stop() {
	[ -n "${PRINTFUL_PID:-}" ] || return 0
	kill "$PRINTFUL_PID" 2>/dev/null || true
	wait "$PRINTFUL_PID" 2>/dev/null || true
	PRINTFUL_PID=
}

cleanup() {
	prism_stop
	printful_stop
	"$STACK" stop >/dev/null 2>&1 || true
	[ ! -x "$VAR/hosting-stack" ] || "$VAR/hosting-stack" stop >/dev/null 2>&1 || true
}

integration() {	# integration lighttpd|apache
	local kind=$1 weblog base=http://127.0.0.1:$PORT direct=
	"$STACK" web-start "$kind"
	weblog=$VAR/log/lighttpd-error.log
	[ "$kind" = apache ] && weblog=$VAR/log/apache-error.log
	# Behind lighttpd the suites go through prism; the few requests it
	# cannot carry unchanged go straight to MIHWAR_DIRECT_URL (itest.c).
	if [ "$kind" = lighttpd ]; then
		prism_start
		direct=$base
		base=http://127.0.0.1:$PRISM_PORT
	fi
	MIHWAR_BASE_URL=$base MIHWAR_DIRECT_URL=$direct \
	MIHWAR_CTL=$BUILD/mihwarctl \
	MIHWAR_CONF=$VAR/mihwar.conf MIHWAR_STACK=$VAR/stack \
	MIHWAR_WEB_LOG=$weblog MIHWAR_DB_SOCKET=$VAR/mariadb/mysqld.sock \
	MIHWAR_MAX_BODY=$(sed -n 's/^max_body_bytes *= *//p' "$VAR/mihwar.conf") \
	    run_cunit "integration-$kind" "$BUILD/integration-tests"
	if [ "$kind" = lighttpd ]; then
		prism_stop
		prism_verdict
		run_node webhooks tests/webhooks
		run_node worker tests/worker
		run_node hosting tests/hosting
		run_node cases tests/cases
		run_node scim tests/scim
		run_node inventory tests/inventory
		run_node impex tests/impex
		run_node search tests/search
		run_node checklists tests/checklists
		run_node fulfillment tests/fulfillment
		run_node browser tests/browser
		# Restarts the pool (process_header, key_cache_seconds) and
		# restores the stack's configuration after.
		run_node keycache tests/keycache
	fi
	"$STACK" web-stop
}

# The suites again as a shared-hosting account runs Mihwar
# (scripts/hosting.sh): the host's Apache with mod_fcgid and AllowOverride
# All serving the dist tarball's public/ through its .htaccess, a
# database account with only the privileges README names, migrations by
# the tarball's mihwarctl with it, and mihwar-worker --once every 2 s for
# cron. Suite by suite, to leave out "web server errors": it finds the
# pool through stack.sh's pid files and restarts Apache's spawn-fcgi
# pool, neither of which mod_fcgid has (the .htaccess's error documents
# are checked by hosting.sh exposure instead). "database restart" goes
# last, as in main.c, through hosting.sh's db-kill and db-start.
HOSTING=$TOP/scripts/hosting.sh
hosting() {
	local suites suite name
	export HOSTING_PORT
	HOSTING_PORT=$(free_port)
	printf '#!/bin/sh\nVAR=%s HOSTING_PORT=%s BUILD=%s exec %s "$@"\n' \
	    "$VAR" "$HOSTING_PORT" "$TOP/build" "$HOSTING" > "$VAR/hosting-stack"
	chmod +x "$VAR/hosting-stack"
	EXTRA_CONF=$HOSTING_CONF "$VAR/hosting-stack" start
	local conf=$VAR/hosting/home/mihwar/mihwar.conf
	local bin=$VAR/hosting/home/mihwar/bin
	log "hosting: exposure"
	if "$VAR/hosting-stack" exposure > "$VAR/log/hosting-exposure.out" 2>&1; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
	fi
	cat "$VAR/log/hosting-exposure.out"
	suites=$(sed -n 's/.*CU_add_suite("\([^"]*\)".*/\1/p' \
	    tests/integration/*.c | grep -vx 'web server errors\|database restart')
	log "hosting: leaving out the suite \"web server errors\" (the test" \
	    "stack's pid files and spawn-fcgi pool; mod_fcgid has neither)"
	while IFS= read -r suite; do
		name=integration-hosting-$(tr ' ' - <<< "$suite")
		MIHWAR_ITEST_SUITE=$suite \
		MIHWAR_BASE_URL=http://127.0.0.1:$HOSTING_PORT MIHWAR_DIRECT_URL= \
		MIHWAR_CTL=$bin/mihwarctl MIHWAR_CONF=$conf \
		MIHWAR_STACK=$VAR/hosting-stack \
		MIHWAR_WEB_LOG=$VAR/hosting/log/apache-error.log \
		MIHWAR_DB_SOCKET=$VAR/hosting/mariadb/mysqld.sock \
		MIHWAR_MAX_BODY=$(sed -n 's/^max_body_bytes *= *//p' "$conf") \
		    run_cunit "$name" "$BUILD/integration-tests"
	done <<< "$suites"$'\n'"database restart"
	"$VAR/hosting-stack" stop
}

main() {
	"$STACK" stop >/dev/null 2>&1 || true
	rm -rf "$VAR"
	mkdir -p "$VAR/log"
	trap cleanup EXIT

	run_cunit unit-asan "$BUILD/unit-tests"
	run_cunit unit-valgrind valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    "$TOP/build/unit-tests"
	log "fuzz targets"
	tests/fuzz/run.sh "$BUILD"
	PASSED=$((PASSED + 1))
	lint_openapi

	PORT=$(free_port)
	export PORT
	printf '#!/bin/sh\nVAR=%s PORT=%s BUILD=%s exec %s "$@"\n' \
	    "$VAR" "$PORT" "$BUILD" "$STACK" > "$VAR/stack"
	chmod +x "$VAR/stack"
	# Sanitizer reports of every process land in files we check after.
	export ASAN_OPTIONS=log_path=$VAR/log/asan:detect_leaks=1
	export UBSAN_OPTIONS=log_path=$VAR/log/asan:print_stacktrace=1
	"$STACK" setup
	printful_start
	# Tests reach their receivers on loopback over http, retry within
	# seconds, and take over a dead worker's delivery after 5 s.
	# The same for the hosting run's mihwar.conf (hosting.sh appends it).
	HOSTING_CONF=$(cat <<-CONF
	allow_private_destinations = true
	allow_http_webhooks = true
	webhook_retry_schedule = 0,1,1,1
	webhook_lease_seconds = 5
	printful_api_base = http://127.0.0.1:$PRINTFUL_PORT
	printful_api_token = pf-test-token
	printful_webhook_token = pfwh-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	stripe_webhook_secret = whsec_test$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
	CONF
	)
	cat >> "$VAR/mihwar.conf" <<-CONF
	allow_private_destinations = true
	allow_http_webhooks = true
	webhook_retry_schedule = 0,1,1,1
	webhook_lease_seconds = 5
	printful_api_base = http://127.0.0.1:$PRINTFUL_PORT
	printful_api_token = pf-test-token
	printful_webhook_token = pfwh-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	stripe_webhook_secret = whsec_test$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
	CONF
	"$STACK" worker-start
	integration lighttpd
	integration apache
	"$STACK" stop
	hosting
	asan_reports
	echo "check: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
