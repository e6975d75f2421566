package watcher

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

const nonblock = unix.O_NONBLOCK

// openBeneath opens rel, a path under root, for reading without blocking,
// never through a symbolic link: not the file itself and not a folder on
// the way (openat2 with RESOLVE_NO_SYMLINKS and RESOLVE_BENEATH), so that
// a folder replaced by a link cannot bring in a file from elsewhere. A
// link anywhere on the way is errSymlink.
func openBeneath(root, rel string) (*os.File, error) {
	dir, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(dir)
	fd, err := unix.Openat2(dir, filepath.FromSlash(rel), &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, errSymlink
	case errors.Is(err, unix.ENOSYS):
		return openRooted(root, rel) // a kernel older than 5.6
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: filepath.Join(root, rel), Err: err}
	}
	return os.NewFile(uintptr(fd), filepath.Join(root, rel)), nil
}

// statBeneath returns the file information of rel, a path under root,
// without following a symbolic link on the way (errSymlink) or at the
// end (a link's own information): it opens only the path (O_PATH), so a
// FIFO or a device is looked at, not opened.
func statBeneath(root, rel string) (os.FileInfo, error) {
	dir, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(dir)
	fd, err := unix.Openat2(dir, filepath.FromSlash(rel), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, errSymlink
	case errors.Is(err, unix.ENOSYS):
		return lstatRooted(root, rel)
	case err != nil:
		return nil, &os.PathError{Op: "stat", Path: filepath.Join(root, rel), Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Join(root, rel))
	defer f.Close() // a path descriptor: nothing to flush
	return f.Stat()
}
