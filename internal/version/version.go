// Package version reports which build of Eddy is running.
//
// The release version and the commit are injected at link time:
//
//	go build -ldflags "-X github.com/eddy-streams/eddy/internal/version.Version=v0.1.0 \
//	    -X github.com/eddy-streams/eddy/internal/version.Commit=abc123" ./cmd/eddy
//
// The Makefile's build target does this. Without -ldflags, Version is the
// development default and the commit comes from the VCS stamp the go command
// records in the binary (runtime/debug.ReadBuildInfo), when there is one.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags -X. They are variables, not constants, so the linker can
// overwrite them.
var (
	// Version is the release version, such as "v0.1.0".
	Version = "v0.1.0-dev"
	// Commit is the VCS revision the binary was built from; "" means
	// unknown, in which case Revision consults the build info.
	Commit = ""
)

// shortLen is how many hex digits of a commit hash Revision shows.
const shortLen = 12

// Revision returns the commit the binary was built from: Commit if it was set
// at link time, else the vcs.revision the go command stamped into the binary
// (shortened, with "-dirty" appended for a modified work tree), else "unknown".
func Revision() string {
	if Commit != "" {
		return Commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return revisionFrom(info.Settings)
}

// revisionFrom extracts the revision from build settings.
func revisionFrom(settings []debug.BuildSetting) string {
	var rev string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > shortLen {
		rev = rev[:shortLen]
	}
	if modified {
		rev += "-dirty"
	}
	return rev
}

// String returns the one-line description "eddy VERSION (commit REV, GOVERSION)" that
// `eddy version` prints, for example
// "eddy v0.1.0-dev (commit 1a2b3c4d5e6f, go1.26.8)".
func String() string {
	return fmt.Sprintf("eddy %s (commit %s, %s)", Version, Revision(), runtime.Version())
}
