package watcher

import (
	"io/fs"
	"os"
	"path/filepath"
)

// openRooted opens rel under root where openat2 is missing: os.Root
// refuses links that lead out of root (an error, so a refusal); the file
// itself must not be a link.
func openRooted(root, rel string) (*os.File, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := r.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, errSymlink
	}
	return r.OpenFile(filepath.FromSlash(rel), os.O_RDONLY|nonblock, 0)
}

// lstatRooted is statBeneath where openat2 is missing: os.Root refuses
// links that lead out of root; a link at the end is described, not
// followed.
func lstatRooted(root, rel string) (os.FileInfo, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Lstat(filepath.FromSlash(rel))
}

// unwritten reports whether no process holds the file rel, under root,
// open for writing, as far as the system can tell (see writers).
func unwritten(root, rel string) bool {
	granted, _ := writers(root, rel)
	return granted
}
