#!/usr/bin/env bash
# long.sh BUILD_DIR - make fuzz-long: every target in BUILD_DIR/libfuzzer/
# (linked with libFuzzer, ASan and UBSan) run coverage-guided for
# FUZZ_LONG_RUNS executions (default 1000000), capped at FUZZ_LONG_SECONDS
# (default 1800) per target, on a working copy of its corpus. Afterwards
# the inputs that reach code the corpus does not are merged into
# tests/fuzz/corpus/<name>/ (libFuzzer's -merge=1 keeps only those, and
# judged by edges alone, so the corpus stays small). A
# crash (or a leak, or an input slower than 10 s) stops its target with
# the input saved as BUILD_DIR/libfuzzer/artifacts/<name>-crash-...; the
# other targets still run. One line per target: executions, libFuzzer's
# final cov: and ft: figures, corpus files before and after, crashes.
# tests/fuzz/<name>.dict, where there is one, is libFuzzer's -dict.
# Exits 1 when any target crashed. FUZZ_LONG_TARGETS="json scimpatch"
# runs only those.
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
BUILD_DIR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$BUILD_DIR/libfuzzer
RUNS=${FUZZ_LONG_RUNS:-1000000}
SECONDS_CAP=${FUZZ_LONG_SECONDS:-1800}
ARTIFACTS=$DIR/artifacts
LOGS=$DIR/logs

# The targets asked for, as names (json, scimpatch, ...).
targets() {
	local t
	if [ -n "${FUZZ_LONG_TARGETS:-}" ]; then
		echo "$FUZZ_LONG_TARGETS"
		return
	fi
	for t in "$DIR"/fuzz_*; do
		[ -f "$t" ] && [ -x "$t" ] && echo "${t##*/fuzz_}"
	done
}

count_files() {
	find "$1" -maxdepth 1 -type f | wc -l
}

# fuzz NAME: one target's run, merge and report line; 1 when it crashed.
fuzz() {
	local name=$1 prog=$DIR/fuzz_$1 seeds=$HERE/corpus/$1
	local work=$DIR/work/$1 log=$LOGS/$1.log
	local before after rc execs stats cov ft secs crashes=0 start

	if [ ! -x "$prog" ] || [ ! -d "$seeds" ]; then
		echo "fuzz-long: $name: no $prog or no corpus $seeds" >&2
		return 1
	fi
	rm -rf "$work" "$ARTIFACTS/$name"-*
	mkdir -p "$work"
	cp "$seeds"/* "$work"/
	before=$(count_files "$seeds")
	start=$(date +%s)
	rc=0
	dict=()	# the words of a structured input, where the bytes alone are slow to find them
	[ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")
	"$prog" -runs="$RUNS" -max_total_time="$SECONDS_CAP" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$name-" \
	    "${dict[@]}" "$work" >"$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
	if [ "$rc" -ne 0 ]; then
		crashes=1
		[ -n "$execs" ] ||
		    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	fi
	# What the run found that the seeds do not already cover: new edges
	# only (-use_counters=0), not new hit counts of known ones.
	"$prog" -merge=1 -use_counters=0 -timeout=10 "$seeds" "$work" >"$LOGS/$name.merge.log" 2>&1 ||
	    echo "fuzz-long: $name: merge failed, see $LOGS/$name.merge.log" >&2
	after=$(count_files "$seeds")
	printf '%-11s %9s execs %5ss  cov %5s  ft %6s  corpus %4s -> %4s  crashes %s\n' \
	    "$name" "${execs:-?}" "$secs" "${cov:-?}" "${ft:-?}" "$before" \
	    "$after" "$crashes"
	if [ "$crashes" -ne 0 ]; then
		grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" >&2
		ls "$ARTIFACTS/$name"-* >&2 2>/dev/null
		echo "fuzz-long: $name crashed (exit $rc); log $log" >&2
		return 1
	fi
	return 0
}

mkdir -p "$ARTIFACTS" "$LOGS"
start=$(date +%s)
failed=()
for name in $(targets); do
	fuzz "$name" || failed+=("$name")
done
echo "fuzz-long: $(($(date +%s) - start)) s in all"
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz-long: crashed: ${failed[*]}" >&2
	exit 1
fi
