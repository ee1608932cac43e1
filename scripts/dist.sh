#!/usr/bin/env bash
# Builds eddy for every platform in DIST_PLATFORMS into dist/, static
# (CGO_ENABLED=0), version-stamped with LDFLAGS (the Makefile passes the ones
# `make build` uses), and writes dist/SHA256SUMS. `make dist` runs it; CI
# too.
#
#   dist/eddy-linux-amd64  dist/eddy-linux-arm64  dist/eddy-darwin-arm64
#   dist/eddy-windows-amd64.exe  dist/SHA256SUMS
#
# Environment:
#   DIST_PLATFORMS  GOOS/GOARCH pairs (default "linux/amd64 linux/arm64 darwin/arm64 windows/amd64")
#   LDFLAGS         extra -ldflags, e.g. the -X version stamps
#   GO              the go command (default go)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

platforms=${DIST_PLATFORMS:-linux/amd64 linux/arm64 darwin/arm64 windows/amd64}
go=${GO:-go}
out=dist

rm -rf "$out"
mkdir -p "$out"
names=()
for p in $platforms; do
	os=${p%/*} arch=${p#*/}
	if [[ -z $os || -z $arch || $os == "$p" ]]; then
		echo "dist: bad platform '$p' (want GOOS/GOARCH)" >&2
		exit 2
	fi
	name=eddy-$os-$arch
	[[ $os == windows ]] && name+=.exe
	echo "dist: $name" >&2
	# -trimpath: no build machine paths in the binary; -s -w: no symbol
	# table or DWARF (panics still name functions and lines).
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$go" build -trimpath \
		-ldflags "-s -w ${LDFLAGS:-}" -o "$out/$name" ./cmd/eddy
	names+=("$name")
done

# SHA256SUMS in the format `sha256sum -c` reads.
if command -v sha256sum >/dev/null 2>&1; then
	(cd "$out" && sha256sum "${names[@]}" >SHA256SUMS)
else
	(cd "$out" && shasum -a 256 "${names[@]}" >SHA256SUMS)
fi
cat "$out/SHA256SUMS"
