package watcher

import (
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// Check reads every article file under dir as the watcher would, stores
// nothing, and calls report for each, in path order: with the item that
// would be published and a nil error; with the reason the file would be
// refused; or, for an article whose local image is missing (or not a
// regular file), with the item published without it (Image nil,
// MissingImage set) and an error wrapping ErrMissingImage that says why,
// which is not a refusal. A draft is reported with a nil error and
// it.Draft set: it would not be published. Two files with one URL
// (dup.txt and dup.md) are told apart as a start-up scan into an empty
// database tells them: the first in path order holds the URL, the other
// is refused as bad_name. Hidden and temporary files are skipped, as the
// watcher skips them.
func Check(dir string, opts Options, report func(rel string, it storage.Item, err error)) error {
	root, err := seedsRoot(dir)
	if err != nil {
		return err
	}
	rd := newReader(root, opts.withDefaults())
	holders := map[string]string{} // slug → the file that holds its URL
	return walkSeeds(root, func(r string, err error) {
		if err != nil {
			report(r, storage.Item{}, err)
			return
		}
		if !candidate(r) {
			return
		}
		l := rd.load(r)
		if l.err == nil && !l.it.Draft {
			slug := l.it.Slug()
			if holder, taken := holders[slug]; taken {
				l.err = &takenError{slug: slug, holder: holder}
			} else {
				holders[slug] = r
			}
		}
		switch {
		case l.err != nil:
			report(r, storage.Item{}, l.err)
		case l.noImage != nil:
			report(r, l.it, fmt.Errorf("%w: %s: %v", ErrMissingImage, l.it.MissingImage, l.noImage))
		default:
			report(r, l.it, nil)
		}
	})
}

// CheckSections reads every folder's description file (article.SectionFile)
// under dir as the watcher would, stores nothing, and calls report for
// each, in path order: with what it says, or with the reason it would be
// refused (the folder's section would then keep what it had).
func CheckSections(dir string, opts Options, report func(rel string, s article.Section, err error)) error {
	root, err := seedsRoot(dir)
	if err != nil {
		return err
	}
	rd := newReader(root, opts.withDefaults())
	return walkSeeds(root, func(r string, err error) {
		if err != nil || !article.IsSection(r) {
			return // Check reports the folders it cannot read
		}
		data, _, err := rd.read(r)
		var s article.Section
		if err == nil {
			s, err = article.ParseSection(r, data, rd.parse)
		}
		report(r, s, err)
	})
}

// walkSeeds calls fn, in path order, with each file under root that the
// watcher does not skip (hidden and temporary files, and folders), or
// with the error of a folder it cannot read.
func walkSeeds(root string, fn func(rel string, err error)) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		r, _ := relTo(root, p)
		if err != nil {
			if p == root {
				return err
			}
			fn(r, err)
			return nil
		}
		if r != "." && ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			fn(r, nil)
		}
		return nil
	})
}
