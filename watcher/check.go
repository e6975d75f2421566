package watcher

import (
	"io/fs"
	"path/filepath"

	"github.com/seedfeed/seedfeed/storage"
)

// Check reads every article file under dir as the watcher would, stores
// nothing, and calls report for each, in path order: with the item that
// would be published, or with the reason the file would be refused.
// Hidden and temporary files are skipped, as the watcher skips them.
func Check(dir string, opts Options, report func(rel string, it storage.Item, err error)) error {
	root, err := seedsRoot(dir)
	if err != nil {
		return err
	}
	rd := newReader(root, opts.withDefaults())
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		r, _ := relTo(root, p)
		if err != nil {
			if p == root {
				return err
			}
			report(r, storage.Item{}, err)
			return nil
		}
		if r != "." && ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !candidate(r) {
			return nil
		}
		it, _, err := rd.load(r)
		report(r, it, err)
		return nil
	})
}
