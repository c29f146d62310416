# testlib.sh - what scripts/check.sh and scripts/check-cluster.sh share:
# the totals of a run (PASSED, FAILED) from CUnit and node --test output.
# Sourced; the caller defines log and VAR (outputs go to $VAR/log).

# Add a CUnit run's "tests" summary row to the totals.
count() {
	local row
	row=$(awk '$1 == "tests" && NF >= 6 { print $4, $5 }' "$1" | tail -1)
	[ -n "$row" ] || { FAILED=$((FAILED + 1)); return; }
	PASSED=$((PASSED + ${row% *}))
	FAILED=$((FAILED + ${row#* }))
}

run_cunit() {	# run_cunit NAME CMD...: run, show, count
	local name=$1 out=$VAR/log/$1.out rc=0
	shift
	log "$name"
	"$@" > "$out" 2>&1 || rc=$?
	cat "$out"
	count "$out"
	[ $rc -eq 0 ] || { log "$name failed (exit $rc)"; return 1; }
}

# Add a node --test (TAP) run's "# pass N" and "# fail N" to the totals.
count_node() {
	local p f
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | tail -1)
	[ -n "$p" ] || { FAILED=$((FAILED + 1)); return; }
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + ${f:-0}))
}

