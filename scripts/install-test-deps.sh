#!/usr/bin/env bash
# Installs what `make test` needs beyond Go, on Debian or Ubuntu, when it is
# missing. It is idempotent and prints nothing when everything is present;
# it runs `apt-get update` only when a package has to be installed.
#
# To give a new test suite a dependency, add a line in the "Requirements"
# section below (need_cmd, need_python_module, need_file, need_glob, npm_ci).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

apt_pkgs=()

# need_cmd CMD PKG...: install the Debian packages PKG... unless CMD is on PATH.
need_cmd() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 || apt_pkgs+=("$@")
}

# need_file PATH PKG...: install PKG... unless PATH exists.
need_file() {
	local path=$1
	shift
	[[ -e $path ]] || apt_pkgs+=("$@")
}

# need_glob PATTERN PKG...: install PKG... unless a path matches PATTERN.
need_glob() {
	local pattern=$1
	shift
	compgen -G "$pattern" >/dev/null || apt_pkgs+=("$@")
}

# need_python_module MODULE PKG...: install PKG... unless python3 can import MODULE.
need_python_module() {
	local mod=$1
	shift
	python3 -c "import $mod" >/dev/null 2>&1 || apt_pkgs+=("$@")
}

# go_tool NAME MODULE@VERSION: install a Go program into bin/tools (where
# the tests look for it) unless bin/tools/NAME is there, at that version.
go_tools=()
go_tool() { go_tools+=("$1 $2"); }

# npm_ci DIR: install DIR's Node packages from its package-lock.json when
# node_modules is missing or older than the lock file. Call it after the apt
# packages are in (see the end of this script).
npm_dirs=()
npm_ci() { npm_dirs+=("$1"); }

# ---- Requirements -----------------------------------------------------------

# make runs the test entry point.
need_cmd make make
# On Linux, go test -race needs cgo: a C compiler and the C library headers.
if [[ $(uname -s) == Linux ]]; then
	need_cmd "$(go env CC)" gcc
	need_file /usr/include/stdlib.h libc6-dev
fi

# The interop suite (interop/run.sh) drives the server with real clients:
# Debian's AWS CLI and boto3 (checked by path, not on PATH: a pyenv or pip
# install may shadow them, and interop/run.sh runs /usr/bin/aws and
# /usr/bin/python3), and the JavaScript SDK from interop/js/package-lock.json.
need_file /usr/bin/aws awscli
need_file /usr/lib/python3/dist-packages/boto3/__init__.py python3-boto3
need_cmd node nodejs
need_cmd npm npm
npm_ci interop/js
# dynalite, the reference DynamoDB server of the differential tests
# (interop/ddbdiff) and of bench/ddbbench, from interop/dynalite/package-lock.json.
npm_ci interop/dynalite
# PostgreSQL, which plays Redshift in the Firehose Redshift destination's
# tests (internal/pgtest runs initdb and pg_ctl from Debian's
# /usr/lib/postgresql/<version>/bin; without them those tests are skipped).
command -v pg_ctl >/dev/null 2>&1 || need_glob '/usr/lib/postgresql/*/bin/pg_ctl' postgresql
# logrotate, which rotates the log under `eddy agent` in its rotation test
# (cmd/eddy/agent_test.go).
need_file /usr/sbin/logrotate logrotate
# versitygw, the real S3-compatible server of the Firehose S3 delivery tests
# (internal/versitytest; its posix backend serves a directory). Built from
# source by `go install` (about 1m40s on 2 busy cores, downloads included);
# keep the version in step with versitytest.Version.
go_tool versitygw github.com/versity/versitygw/cmd/versitygw@v1.8.0
# nats-server, the NATS JetStream cluster under `interop/run.sh --cluster` and
# bench/clusterbench (three processes on 127.0.0.1). The version go.mod pins.
go_tool nats-server github.com/nats-io/nats-server/v2@v2.15.3

# ---- Installation -----------------------------------------------------------

if ((${#apt_pkgs[@]} > 0)); then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "install-test-deps: missing packages ${apt_pkgs[*]}, and apt-get is not available; install them by hand" >&2
		exit 1
	fi
	sudo=()
	if ((EUID != 0)); then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "install-test-deps: need root or sudo to install ${apt_pkgs[*]}" >&2
			exit 1
		fi
		sudo=(sudo)
	fi
	echo "install-test-deps: installing ${apt_pkgs[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

# The pinned @aws-sdk/client-kinesis needs Node.js 20 or later (Debian 12's
# nodejs is 18): say so now rather than fail obscurely later.
if command -v node >/dev/null 2>&1; then
	node_major=$(node -p 'process.versions.node.split(".")[0]')
	if ((node_major < 20)); then
		echo "install-test-deps: Node.js $(node --version) is too old for interop/js (needs 20 or later," \
			"e.g. from NodeSource); its suite will fail" >&2
	fi
fi

for tool in "${go_tools[@]}"; do
	read -r name mod <<<"$tool"
	stamp=bin/tools/.$name.version
	if [[ ! -x bin/tools/$name || $(cat "$stamp" 2>/dev/null) != "$mod" ]]; then
		echo "install-test-deps: go install $mod into bin/tools" >&2
		GOBIN=$PWD/bin/tools go install "$mod"
		echo "$mod" >"$stamp"
	fi
done

for dir in "${npm_dirs[@]}"; do
	lock=$dir/package-lock.json
	stamp=$dir/node_modules/.package-lock.json
	if [[ ! -e $stamp || $lock -nt $stamp ]]; then
		echo "install-test-deps: npm ci in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
done
