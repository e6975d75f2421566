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

// writers tells whether a process holds the regular file rel, under
// root, open for writing: the kernel grants a read lease (fcntl
// F_SETLEASE, F_RDLCK) only when none does (granted, and the lease is
// given back at once), and refuses it with EAGAIN when one does (busy).
// Neither, where no lease can be had (a file of another user without
// CAP_LEASE, a file system without leases, not a regular file).
//
// A file found in a folder made a moment before, whose writer closed it
// before the folder was watched, is then read at once instead of after
// -settle: with a folder per article, that was every new article. So is
// a file that arrives whole by a hard link, which raises no close. And a
// scan leaves a file that is busy to its close.
func writers(root, rel string) (granted, busy bool) {
	fi, err := statBeneath(root, rel)
	if err != nil || !fi.Mode().IsRegular() {
		return false, false // a FIFO or a device is never opened
	}
	f, err := openBeneath(root, rel)
	if err != nil {
		return false, false
	}
	defer f.Close() // read-only; closing gives a lease back too
	c, err := f.SyscallConn()
	if err != nil {
		return false, false
	}
	_ = c.Control(func(fd uintptr) {
		_, err := unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_RDLCK)
		// An empty file may be one just made, whose writer's open
		// does not count as a writer yet: the kernel tells of the
		// creation first. Only its close says it is complete.
		granted, busy = err == nil && fi.Size() > 0, errors.Is(err, unix.EAGAIN)
		if granted {
			_, _ = unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_UNLCK)
		}
	})
	return granted, busy
}
