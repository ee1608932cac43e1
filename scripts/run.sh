#!/usr/bin/env bash
# Runs the Eddy API server for `make run`. Extra arguments for `eddy serve`
# come from RUN_ARGS (the Makefile sets --data-dir ./eddy-data).
#
# Usage: scripts/run.sh [path/to/eddy]
set -euo pipefail

bin=${1:-bin/eddy}
# RUN_ARGS is split into words on purpose.
# shellcheck disable=SC2086
exec "$bin" serve ${RUN_ARGS:-}
