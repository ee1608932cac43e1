//go:build !linux

package vfs

import (
	"errors"
	"os"
)

func syncfs(*os.File) error { return errors.ErrUnsupported }

func preallocate(*os.File, int64, int64) error { return errors.ErrUnsupported }
