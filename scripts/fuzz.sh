#!/usr/bin/env bash
# Runs every native Go fuzz target (FuzzXxx) in the given packages, one after
# another, each for FUZZTIME (default 30s). `go test -fuzz` accepts one target
# in one package per run, so targets are discovered with `go test -list`.
#
# Usage: FUZZTIME=30s scripts/fuzz.sh [packages...]   (default ./...)
#
# FUZZ_TIMEOUT (default 5m) is each go test's -timeout. Go applies it to
# listing the targets and to running the seed corpus, not to the fuzzing
# itself, which -fuzztime ends.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime=${FUZZTIME:-30s}
timeout=${FUZZ_TIMEOUT:-5m}
if (($# == 0)); then
	set -- ./...
fi

# Only packages that have test files can have fuzz targets.
mapfile -t pkgs < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "$@")

ran=0
for pkg in "${pkgs[@]}"; do
	[[ -n $pkg ]] || continue
	mapfile -t targets < <(go test -list '^Fuzz' -timeout "$timeout" "$pkg" | grep -E '^Fuzz[[:alnum:]_]*$' || true)
	for target in "${targets[@]}"; do
		[[ -n $target ]] || continue
		echo "== $pkg $target ($fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -timeout "$timeout" "$pkg"
		ran=$((ran + 1))
	done
done
echo "fuzzed $ran target(s)"
