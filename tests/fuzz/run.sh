#!/usr/bin/env bash
# run.sh BUILD_DIR - run every fuzz target built in BUILD_DIR/fuzz/ over
# its seed corpus (tests/fuzz/corpus/<name>/) plus FUZZ_RUNS mutations
# (driver.c; default 20000, FUZZ_SEED 1). Stops at the first failure with
# its exit status; a crashing input is written to BUILD_DIR/fuzz/artifacts.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
BUILD_DIR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ARTIFACTS=$BUILD_DIR/fuzz/artifacts

shopt -s nullglob
targets=("$BUILD_DIR"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no targets in $BUILD_DIR/fuzz/ (make $BUILD_DIR/fuzz/fuzz_json ...)" >&2
	exit 1
fi
mkdir -p "$ARTIFACTS"
export FUZZ_ARTIFACT_DIR=$ARTIFACTS

for t in "${targets[@]}"; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	corpus=$HERE/corpus/${name#fuzz_}
	if [ ! -d "$corpus" ]; then
		echo "fuzz: $name: no seed corpus at $corpus" >&2
		exit 1
	fi
	rc=0
	"$t" "$corpus" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $name failed (exit $rc); input in $ARTIFACTS" >&2
		exit "$rc"
	fi
done
