package watcher

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// Scan is the scan at start-up; see scan. It logs each article at debug,
// its progress at info each Options.Progress (and tells OnProgress), and
// what it did in one line at the end.
func (w *Watcher) Scan(ctx context.Context) error {
	w.obs.Rescan(RescanStartup)
	w.begin(true)
	defer func() { w.tally = nil }()
	if err := w.scan(ctx); err != nil {
		return err
	}
	w.end(RescanStartup)
	return nil
}

// rescanLogged is rescan for the watcher's own reasons: a failure is
// logged here, there being no one else to tell.
func (w *Watcher) rescanLogged(ctx context.Context, why string) {
	if err := w.rescan(ctx, why); err != nil && ctx.Err() == nil {
		w.log.Error("rescan failed", "reason", why, "dir", w.root, "err", err)
	}
}

// rescan scans the whole folder again; why is one of the reasons that
// Observer.Rescan lists. It logs what it found (see end), and returns
// its failure.
func (w *Watcher) rescan(ctx context.Context, why string) error {
	if w.rootGone.Load() {
		// findRoot scans when the folder is back.
		return fmt.Errorf("the seeds folder %s is gone", w.root)
	}
	w.obs.Rescan(why)
	w.begin(false)
	defer func() { w.tally = nil }()
	if err := w.scan(ctx); err != nil {
		return err
	}
	w.end(why)
	return nil
}

// scan reconciles the store with the folder. Stored files that are gone
// are unpublished first, so that a file renamed while nobody watched
// takes its article back (see storage.Store.Put); then files that are new,
// or whose size or modification time differ from what is stored, are
// read and stored in batches. Unchanged files are not read, and neither
// are files with writes in flight, which their events will bring.
func (w *Watcher) scan(ctx context.Context) error {
	w.drain()
	start := w.opts.Now()
	// stored loses each file the walk finds: what is left is gone.
	stored, err := w.store.Fingerprints()
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	found, err := w.walk(ctx, stored)
	w.noteFolders()
	if err != nil {
		return fmt.Errorf("scan %s: %w", w.root, err)
	}
	if found.articles == 0 && len(stored) > 0 {
		// An empty folder where articles were is far likelier a share
		// not mounted, or a folder being replaced, than a newsroom that
		// deleted everything while nobody watched; deletions seen live
		// still unpublish one by one.
		w.log.Error("the seeds folder holds no articles at all; keeping the published ones", "dir", w.root, "published", len(stored))
		return nil
	}
	w.unpublish(gone(stored, found.unreadable)...)
	// Before the articles, which inherit their folders' languages; the
	// stored ones a changed language reaches take it at once, so that a
	// scan stopped short leaves none behind.
	w.relang(w.syncSections(found.sections, found.unreadable))
	// A rename while nobody watched needs no move: the removal above left
	// a tombstone that the new name takes back. Unless another file took
	// the old name: new files are handled first, and one holding the old
	// content of a changed file is that article moved (see move).
	moves := noMoves
	if len(found.changed) > 0 {
		moves = scanMoves
	}
	// Files as they were whose image is not are read again too.
	if err := w.addImagesChanged(&found, stored); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	w.process(ctx, found.added, moves)
	w.process(ctx, found.changed, noMoves)
	if err := ctx.Err(); err != nil {
		return err // stopped; the next scan takes up what is left
	}
	// What the next scan finds new arrived since this one began.
	w.since = start
	if len(found.changed)+len(found.added) >= compactAfter {
		if err := w.store.CompactFingerprints(); err != nil {
			w.log.Error("cannot compact the fingerprints", "err", err)
		}
	}
	return nil
}

// addImagesChanged adds to found.changed the stored articles the walk
// found unchanged whose image changed (see imagesChanged); gone holds the
// stored files the walk did not find.
func (w *Watcher) addImagesChanged(found *survey, gone map[string]storage.Fingerprint) error {
	skip := make(map[string]bool, len(gone)+len(found.changed)+len(found.added))
	for p := range gone {
		skip[p] = true
	}
	for _, p := range slices.Concat(found.changed, found.added) {
		skip[p] = true
	}
	rels, err := w.imagesChanged(skip)
	if err != nil {
		return err
	}
	found.changed = append(found.changed, rels...)
	w.filesDone.Add(-int64(len(rels))) // the walk counted them done
	return nil
}

// survey is what a scan's walk found.
type survey struct {
	changed, added []string // stored files that changed; new files
	unreadable     []string // folders whose stored files must not be dropped
	sections       []string // folders' descriptions (see sections.go)
	articles       int      // article files, read or not
}

// walk goes through the folder for scan: it watches each folder again,
// and sorts out the article files to read, taking each file it finds
// out of stored. The start-up scan takes what New's walk found instead.
func (w *Watcher) walk(ctx context.Context, stored map[string]storage.Fingerprint) (survey, error) {
	var found survey
	visit := func(p string, d fs.DirEntry, err error) error {
		return w.visit(ctx, &found, stored, p, d, err)
	}
	if first := w.firstWalk; first != nil && w.tally != nil && w.tally.first {
		w.firstWalk = nil
		err := first.replay(visit, w.abs)
		// New's walk went through folders side by side; files are
		// read in the order a walk meets them, whatever the timing.
		slices.SortFunc(found.added, walkOrder)
		slices.SortFunc(found.changed, walkOrder)
		return found, err
	}
	w.firstWalk = nil
	return found, filepath.WalkDir(w.root, visit)
}

// visit is walk's step at p, which a walk found as d, or, replaying New's
// walk, an article file (d nil).
func (w *Watcher) visit(ctx context.Context, found *survey, stored map[string]storage.Fingerprint, p string, d fs.DirEntry, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r, ok := w.rel(p)
	if err != nil {
		if p == w.root {
			return err
		}
		w.log.Warn("cannot read folder", "path", r, "err", err)
		found.unreadable = append(found.unreadable, r+"/")
		return nil
	}
	isDir := d != nil && d.IsDir()
	if !ok || (r != "." && ignored(path.Base(r))) {
		if isDir {
			return filepath.SkipDir
		}
		return nil
	}
	if isDir {
		// Watch again even a folder watched already: a watch can be
		// lost without an event (a file system unmounted under it).
		delete(w.dirs, r)
		if err := w.addDir(r); err != nil {
			w.log.Error("cannot watch folder", "path", r, "err", err)
		}
		return nil
	}
	if article.IsSection(r) {
		found.sections = append(found.sections, r)
		return nil
	}
	if !candidate(r) {
		return nil
	}
	info := os.Lstat
	if d != nil {
		info = func(string) (fs.FileInfo, error) { return d.Info() }
	}
	w.survey(found, stored, r, func() (fs.FileInfo, error) { return info(p) })
	return nil
}

// survey sorts out the article file rel for scan; info looks at it.
func (w *Watcher) survey(found *survey, stored map[string]storage.Fingerprint, rel string, info func() (fs.FileInfo, error)) {
	found.articles++
	f, known := stored[rel]
	delete(stored, rel)
	if !w.toRead(rel, info, f, known) {
		w.found(true)
		return
	}
	w.found(false)
	if known {
		found.changed = append(found.changed, rel)
	} else {
		found.added = append(found.added, rel)
	}
}

// busyAge is how recently a file a scan finds must have been modified for
// the scan to ask whether a writer holds it open (see writers): a file
// being written was modified a moment ago, and older files, all of them
// at a first import, cost nothing more. A polled folder tells no close,
// so a scan reads its files as they are.
const busyAge = time.Minute

// toRead reports whether the article file rel, which info looks at, must
// be read: it is new, or differs from f, what is stored of it (if known),
// and is not refused as it is, nor being written.
func (w *Watcher) toRead(rel string, info func() (fs.FileInfo, error), f storage.Fingerprint, known bool) bool {
	if w.deb.has(rel) {
		return false // its events bring it
	}
	fi, err := info()
	if err != nil {
		return false // gone since the folder was read
	}
	if known && f.Size == fi.Size() && f.ModTime == fi.ModTime().UnixNano() {
		return false
	}
	if _, polled := w.poll.dirs[path.Dir(rel)]; !polled && w.done != nil && w.opts.Now().Sub(fi.ModTime()) < busyAge {
		if _, busy := writers(w.root, rel); busy {
			return false // being written: its close brings it
		}
	}
	if f, ok := w.refused[rel]; ok && f.fp.Size == fi.Size() && f.fp.ModTime.Equal(fi.ModTime()) && w.bigImage[rel] == "" && !w.freed(rel) {
		return false // refused as it is; logged then (its image may change, its URL be freed)
	}
	if f, ok := w.drafts[rel]; ok && f.Size == fi.Size() && f.ModTime.Equal(fi.ModTime()) {
		return false // a draft as it is; logged then
	}
	return true
}

// gone returns the stored files that the walk did not find, but for those
// in folders it could not read.
func gone(stored map[string]storage.Fingerprint, unreadable []string) []string {
	var paths []string
	for p := range stored {
		if !slices.ContainsFunc(unreadable, func(dir string) bool { return strings.HasPrefix(p, dir) }) {
			paths = append(paths, p)
		}
	}
	return paths
}
