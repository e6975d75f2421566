//go:build !linux

package watcher

import (
	"os"
	"syscall"
)

const nonblock = syscall.O_NONBLOCK

func openBeneath(root, rel string) (*os.File, error) { return openRooted(root, rel) }

func statBeneath(root, rel string) (os.FileInfo, error) { return lstatRooted(root, rel) }

// writers tells nothing where there are no read leases: a file found in
// a new folder waits -settle (see the Linux version).
func writers(root, rel string) (granted, busy bool) { return false, false }
