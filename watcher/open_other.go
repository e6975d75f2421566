//go:build !linux

package watcher

import (
	"os"
	"syscall"
)

const nonblock = syscall.O_NONBLOCK

func openBeneath(root, rel string) (*os.File, error) { return openRooted(root, rel) }

func statBeneath(root, rel string) (os.FileInfo, error) { return lstatRooted(root, rel) }
