#!/usr/bin/env bash
# check-cluster.sh - `make check-cluster` (issue 15), run by .ci/run after
# make check: Mihwar on a three-node MariaDB Galera cluster with two web
# nodes and two workers (scripts/cluster.sh, the ASan build), under
# var/cluster-test (removed at the start of each run):
#   1. the CUnit integration suite against web node 1, then web node 2,
#      each straight to its lighttpd (the description is checked by make
#      check's run through prism); its "database restart" suite kills
#      every Galera node and brings the cluster back;
#   2. the fault test (tests/cluster): a mixed load over both web nodes
#      while a Galera node and a worker are killed with kill -9; it
#      prints the counts the README quotes;
#   3. any sanitizer report of any process fails the run.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export CVAR=$TOP/var/cluster-test BUILD=$TOP/build/asan PROCS=${PROCS:-4}
export CLUSTER_PORT=${CLUSTER_PORT:-18700}
VAR=$CVAR
CL=$TOP/scripts/cluster.sh
PASSED=0
FAILED=0

log() { echo "[check-cluster] $*" >&2; }
# count, count_node, run_cunit (the totals PASSED and FAILED)
. "$TOP/scripts/testlib.sh"

cleanup() { "$CL" down >/dev/null 2>&1 || true; }

# The settings make check's stack runs with: receivers on loopback over
# http, retries within seconds, a dead worker's deliveries taken over
# after 5 s.
extra_conf() {
	cat > "$CVAR/extra.conf" <<-CONF
	allow_private_destinations = true
	allow_http_webhooks = true
	webhook_retry_schedule = 0,1,1,1
	webhook_lease_seconds = 5
	CONF
}

# integration N: the CUnit suite against web node N; its MIHWAR_STACK
# runs stack.sh's commands for that node, the database's for the whole
# cluster (cluster.sh stack-of).
integration() {
	local n=$1 web var
	web=$(eval echo "\$CLUSTER_WEB$n")
	var=$CVAR/web$n
	printf '#!/bin/sh\nexec %s stack-of %s "$@"\n' "$CL" "$n" \
	    > "$CVAR/stack$n"
	chmod +x "$CVAR/stack$n"
	MIHWAR_BASE_URL=$web MIHWAR_DIRECT_URL=$web \
	MIHWAR_CTL=$BUILD/mihwarctl MIHWAR_CONF=$var/mihwar.conf \
	MIHWAR_STACK=$CVAR/stack$n MIHWAR_WEB_LOG=$var/log/lighttpd-error.log \
	MIHWAR_DB_SOCKET=$(eval echo "\$CLUSTER_DB$n") \
	MIHWAR_MAX_BODY=$(sed -n 's/^max_body_bytes *= *//p' "$var/mihwar.conf") \
	    run_cunit "integration-web$n" "$BUILD/integration-tests"
}

faults() {
	local out=$CVAR/log/faults.out rc=0
	log "faults"
	CLUSTER_CTL=$CL CLUSTER_WEB1=$CLUSTER_WEB1 CLUSTER_WEB2=$CLUSTER_WEB2 \
	MIHWAR_BASE_URL=$CLUSTER_WEB1 MIHWAR_CTL=$BUILD/mihwarctl \
	MIHWAR_CONF=$CLUSTER_CONF1 MIHWAR_STACK=$CVAR/stack1 \
	MIHWAR_DB_SOCKET=$CLUSTER_DB1 MIHWAR_WORKER=$BUILD/mihwar-worker \
	MIHWAR_VAR=$CVAR/web1 \
	    node --test --test-concurrency=1 --test-reporter=tap tests/cluster \
	    > "$out" 2>&1 || rc=$?
	cat "$out"
	count_node "$out"
	[ $rc -eq 0 ] || { log "faults failed (exit $rc)"; return 1; }
}

asan_reports() {
	if compgen -G "$CVAR/log/asan.*" > /dev/null; then
		log "sanitizer reports:"
		cat "$CVAR"/log/asan.*
		return 1
	fi
}

main() {
	local t0=$SECONDS rc=0
	cleanup
	rm -rf "$CVAR"
	mkdir -p "$CVAR/log"
	chmod 755 "$CVAR"
	chown www-data "$CVAR/log"
	trap cleanup EXIT
	export ASAN_OPTIONS=log_path=$CVAR/log/asan:detect_leaks=1
	export UBSAN_OPTIONS=log_path=$CVAR/log/asan:print_stacktrace=1
	extra_conf
	"$CL" up
	eval "$("$CL" env)"
	# Every step runs, whatever the one before it did, and a sanitizer
	# report is shown even when a step failed: it may be why.
	integration 1 || rc=1
	integration 2 || rc=1
	faults || rc=1
	"$CL" down
	asan_reports || rc=1
	echo "check-cluster: $PASSED passed, $FAILED failed in $((SECONDS - t0)) s"
	[ "$FAILED" -eq 0 ] && [ "$rc" -eq 0 ]
}

main "$@"
