#!/usr/bin/env bash
# Runs the Eddy binary for `make run`: the API server when the binary has the
# serve command, otherwise the version and a note. Extra arguments for serve
# come from RUN_ARGS (the Makefile sets --data-dir ./eddy-data).
#
# Usage: scripts/run.sh [path/to/eddy]
set -euo pipefail

bin=${1:-bin/eddy}

# `eddy help` lists each command on an indented line starting with its name.
if "$bin" help | grep -qE '^[[:space:]]+serve([[:space:]]|$)'; then
	# RUN_ARGS is split into words on purpose.
	# shellcheck disable=SC2086
	exec "$bin" serve ${RUN_ARGS:-}
fi

"$bin" version
echo "The API server (eddy serve) arrives with the Kinesis API; this build has only the storage layer."
