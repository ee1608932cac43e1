//go:build !linux

package vfs

import (
	"errors"
	"os"
)

func syncfs(*os.File) error { return errors.ErrUnsupported }
