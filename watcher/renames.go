package watcher

import (
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// renames pairs the two halves of each rename in the watched folders by
// their cookie: it holds the name a file was moved away from until the
// move in with the same cookie comes (the kernel queues it right after
// the move away) or, the file having gone outside the watched folders,
// until Settle has passed.
type renames struct {
	from   map[uint32]movedOut
	pruned time.Time // when entries past their time were last dropped
}

type movedOut struct {
	rel string
	at  time.Time
}

// out notes that rel was moved away at now under cookie.
func (r *renames) out(cookie uint32, rel string, now time.Time, settle time.Duration) {
	if r.from == nil {
		r.from = make(map[uint32]movedOut)
	}
	// At most once per settle delay, so that a burst of moves out of
	// the folders costs no more than their number.
	if now.Sub(r.pruned) > settle {
		for c, m := range r.from {
			if now.Sub(m.at) > settle {
				delete(r.from, c)
			}
		}
		r.pruned = now
	}
	r.from[cookie] = movedOut{rel, now}
}

// in returns the name that the file moved in under cookie had within the
// watched folders, or "" if it came from outside them.
func (r *renames) in(cookie uint32) string {
	m, ok := r.from[cookie]
	if !ok {
		return ""
	}
	delete(r.from, cookie)
	return m.rel
}

// fresh holds the articles just published from a close, by path, with
// the moment: one renamed before Settle has passed was a temporary file,
// written then renamed into place, and takes the key of its new name
// (see move).
type fresh map[string]time.Time

// within reports whether rel was published from a close less than settle
// before now.
func (f fresh) within(rel string, now time.Time, settle time.Duration) bool {
	t, ok := f[rel]
	return ok && now.Sub(t) < settle
}

// prune forgets the articles published settle or more before now.
func (f fresh) prune(now time.Time, settle time.Duration) {
	for rel, t := range f {
		if now.Sub(t) >= settle {
			delete(f, rel)
		}
	}
}

// folderMovedIn handles a folder moved in at rel. Renamed within the
// watched folders (from, which the rename's cookie named), its articles
// move with it at once, in one store write, keeping their ids and dates:
// no removal, no restore. Moved in from outside, its files are read at
// once. A folder moved out stays a deletion of its articles, after Settle
// (see unwatch). The watches move with the two halves, in their order
// (see folder); the files under rel are then read again after Settle, in
// case a write came before the watch, which costs no store write for a
// file as it was. Every file moved is, found or not: rel (or a folder
// under it) gone again before its watch is taken raises no event the
// watcher heeds, as it never watched it, and what was moved there would
// stay published.
func (w *Watcher) folderMovedIn(from, rel string) {
	if ignored(path.Base(rel)) {
		return
	}
	if from == "" || ignored(path.Base(from)) {
		w.readFolder(rel)
		return
	}
	moved, err := w.store.MoveFolder(from, rel)
	if err != nil {
		// Its articles are removed after Settle, and restored once read.
		w.log.Error("cannot move the articles of a folder", "from", from, "path", rel, "err", err)
		w.readFolder(rel)
		return
	}
	for _, old := range moved {
		p := rel + strings.TrimPrefix(old, from)
		w.deb.cancel(old)
		delete(w.tentative, old)
		delete(w.vacated, old)
		delete(w.firstSeen, old)
		w.stored(p, storage.Moved)
		w.log.Info("article moved", "from", old, "path", p)
		w.schedule(p, w.opts.Settle)
	}
	w.moveSections(from, rel)
}

// readFolder has every article file under rel read at once.
func (w *Watcher) readFolder(rel string) {
	top := w.abs(rel)
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		r, ok := w.rel(p)
		switch {
		case err != nil || !ok:
			return nil // unreadable: the folder's watch and rescans tell
		case d.IsDir() && p != top && ignored(d.Name()):
			return filepath.SkipDir
		case !d.IsDir() && watched(r):
			w.schedule(r, 0)
		}
		return nil
	})
	if err != nil {
		w.log.Warn("cannot read folder", "path", rel, "err", err)
	}
}
