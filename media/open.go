package media

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// errSymlink refuses a path with a symbolic link on the way or at its end.
var errSymlink = errors.New("a symbolic link: links are not followed")

// linkError is errSymlink for the path up to the link, segs[:n].
type linkError struct{ n int }

func (linkError) Error() string        { return errSymlink.Error() }
func (linkError) Is(target error) bool { return target == errSymlink }

// openBeneath opens segs, a path under root, for reading, one segment at a
// time from the folder opened before it, none through a symbolic link:
// every segment is opened with O_NOFOLLOW, so a folder or a file replaced
// by a link between two requests, or during one, cannot bring in a file
// from elsewhere. The file is opened without blocking, so a FIFO named
// like an image is opened and refused, not waited on. A link is a
// linkError; a name missing, or a file on the way where a folder should
// be, is an error that wraps fs.ErrNotExist or unix.ENOTDIR.
func openBeneath(root string, segs []string) (*os.File, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	for i, seg := range segs {
		flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if i < len(segs)-1 {
			flags |= unix.O_DIRECTORY
		} else {
			flags |= unix.O_NONBLOCK
		}
		next, err := unix.Openat(fd, seg, flags, 0)
		if errors.Is(err, unix.ENOTDIR) && isLink(fd, seg) {
			// O_DIRECTORY with O_NOFOLLOW answers ENOTDIR for a link
			// on Linux, where the file itself gets ELOOP.
			err = unix.ELOOP
		}
		// The folder is read only: closing it loses nothing.
		_ = unix.Close(fd)
		switch {
		case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EMLINK): // EMLINK: the BSDs' ELOOP for O_NOFOLLOW
			return nil, linkError{i + 1}
		case err != nil:
			return nil, &os.PathError{Op: "open", Path: filepath.Join(root, filepath.Join(segs[:i+1]...)), Err: err}
		}
		fd = next
	}
	return os.NewFile(uintptr(fd), filepath.Join(root, filepath.Join(segs...))), nil
}

// isLink reports whether name in the folder dir is a symbolic link.
func isLink(dir int, name string) bool {
	var st unix.Stat_t
	return unix.Fstatat(dir, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK
}
