package version

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestRevisionFrom(t *testing.T) {
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"none", nil, "unknown"},
		{"short", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}, "abc123"},
		{"long", []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}}, "0123456789ab"},
		{"dirty", []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.modified", Value: "true"},
		}, "0123456789ab-dirty"},
		{"clean", []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.modified", Value: "false"},
		}, "abc123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := revisionFrom(tt.settings); got != tt.want {
				t.Errorf("revisionFrom = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	oldVersion, oldCommit := Version, Commit
	t.Cleanup(func() { Version, Commit = oldVersion, oldCommit })

	Version, Commit = "v1.2.3", "abc123"
	want := "eddy v1.2.3 (commit abc123, " + runtime.Version() + ")"
	if got := String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}

	// Without an injected commit, the build info decides; a test binary
	// carries no VCS stamp, but whatever comes back must not be empty.
	Commit = ""
	if got := Revision(); got == "" {
		t.Error("Revision() is empty without an injected commit")
	}
}
