package main

import (
	"context"
	"fmt"
	"io"

	"github.com/eddy-streams/eddy/internal/version"
)

// runVersion implements "eddy version": one line with the release version,
// the commit and the Go version the binary was built with.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, version.String())
	return err
}
