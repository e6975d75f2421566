package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/article"
)

// seedsRoot returns the absolute path of the folder dir, links resolved.
func seedsRoot(dir string) (string, error) {
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return "", fmt.Errorf("seeds folder %s: %w", dir, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return "", fmt.Errorf("seeds folder %s: %w", dir, err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("seeds folder %s: not a directory", dir)
	}
	return root, nil
}

// watch adds rel and every folder under it to the watch lists, and
// schedules the files it finds there: a folder moved in whole brings
// files that raised no event of their own.
func (w *Watcher) watch(rel string) error {
	top := w.abs(rel)
	found := false
	defer func() {
		if found {
			w.holdVacated()
		}
		w.noteFolders()
	}()
	return filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == top && rel != "." && errors.Is(err, fs.ErrNotExist) {
				return nil // gone already: its deletion or move away is told
			}
			if p == top {
				return err
			}
			w.log.Warn("cannot read folder", "path", p, "err", err)
			w.walked(p, err)
			return nil
		}
		r, ok := w.rel(p)
		if !ok {
			return nil
		}
		if d.IsDir() {
			if r != "." && ignored(d.Name()) {
				return filepath.SkipDir
			}
			return w.addDir(r)
		}
		w.walked(p, nil)
		if rel != "." && watched(r) {
			switch {
			case w.done == nil:
				w.schedule(r, w.opts.Settle)
			case d.Type().IsRegular() && unwritten(w.root, r):
				// Closed before the folder was watched: no close
				// will be told.
				w.complete1(r)
			default:
				// Maybe still being written: a write or the close
				// decides (see fallback).
				w.fallback(r, w.opts.Settle)
			}
			found = true
		}
		return nil
	})
}

// holdVacated puts off the removal of every file moved away or deleted
// until just after the files just found: a file moved into a folder made
// a moment before raises no event there (the folder was not watched yet),
// and is found only by walking it. Read first, it is taken for the move it
// is, not for a new article after a removal.
func (w *Watcher) holdVacated() {
	at := w.opts.Now().Add(w.opts.Settle + time.Millisecond)
	for v, due := range w.vacated {
		if w.deb.has(v) && due.Before(at) {
			w.vacated[v] = at
			w.deb.touch(v, at)
		}
	}
}

// addDir watches one folder, or polls it if the kernel refuses (see
// poll.go). A polled folder is watched again by retryWatches only, once
// the kernel allows it, not by each walk.
func (w *Watcher) addDir(rel string) error {
	if w.tracked(rel) {
		return nil
	}
	abs := w.abs(rel)
	return w.noteWatch(rel, abs, w.addWatch(abs))
}

// noteWatch notes the outcome err of watching the folder rel (at abs): it
// is watched, or polled if the kernel refused, or err is returned.
func (w *Watcher) noteWatch(rel, abs string, err error) error {
	switch {
	case err == nil:
		w.dirs[rel] = true
	case refusedWatch(err):
		w.degrade(err, errors.Is(err, errNoNotifier))
		w.pollDir(rel)
	case rel == ".":
		return fmt.Errorf("watch %s: %w", abs, err)
	default:
		// Gone since it was listed (its removal is told), or not ours
		// to read (lost+found): the walk and the scan say so.
		w.log.Warn("cannot watch folder", "path", rel, "err", err)
	}
	return nil
}

// tracked reports whether the folder rel is watched or polled.
func (w *Watcher) tracked(rel string) bool {
	_, polled := w.poll.dirs[rel]
	return w.dirs[rel] || polled
}

// unwatch forgets the folder rel, deleted or moved away, and schedules
// every article under it: each is unpublished, or moved where it went.
func (w *Watcher) unwatch(rel string) {
	prefix := rel + "/"
	for d := range w.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			delete(w.dirs, d)
			w.removeWatch(w.abs(d))
		}
	}
	for d := range w.poll.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			delete(w.poll.dirs, d)
		}
	}
	w.noteFolders()
	files, err := w.store.Fingerprints()
	if err != nil {
		w.log.Error("cannot list stored files", "err", err)
		return
	}
	for p := range files {
		if strings.HasPrefix(p, prefix) {
			w.schedule(p, w.opts.Settle)
		}
	}
	w.refusedUnder(prefix)
	w.scheduleImagesUnder(rel)
	w.scheduleSectionsUnder(rel)
}

// lostRoot notes that the seeds folder itself is gone. Its articles stay
// published (a folder being replaced, or a share unmounted, should not
// empty the feeds); findRoot rescans when it is back.
func (w *Watcher) lostRoot() {
	if w.rootGone.Load() {
		return
	}
	w.rootGone.Store(true)
	for d := range w.dirs {
		delete(w.dirs, d)
		w.removeWatch(w.abs(d))
	}
	clear(w.poll.dirs)
	w.poll.queue = w.poll.queue[:0]
	w.noteFolders()
	w.log.Error("seeds folder is gone; its articles stay published until it is back", "dir", w.root)
}

// findRoot watches the seeds folder again once it exists.
func (w *Watcher) findRoot(ctx context.Context) {
	if fi, err := os.Stat(w.root); err != nil || !fi.IsDir() {
		return
	}
	if err := w.watch("."); err != nil {
		w.log.Error("cannot watch seeds folder", "dir", w.root, "err", err)
		return
	}
	w.rootGone.Store(false)
	w.noteFolders()
	w.log.Info("seeds folder is back; rescanning", "dir", w.root)
	w.rescanLogged(ctx, RescanFolderBack)
}

// rel returns the slash-separated path of abs under the root.
func (w *Watcher) rel(abs string) (string, bool) { return relTo(w.root, abs) }

// relTo returns the slash-separated path of abs under root, and false if
// abs is not under root.
func relTo(root, abs string) (string, bool) {
	r, err := filepath.Rel(root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

func (w *Watcher) abs(rel string) string { return filepath.Join(w.root, filepath.FromSlash(rel)) }

// candidate reports whether rel names an article file.
func candidate(rel string) bool {
	return article.Is(rel) && !ignored(path.Base(rel))
}

// ignored reports whether name is hidden or an editor's or a download's
// temporary file.
func ignored(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	switch path.Ext(name) {
	case ".swp", ".swx", ".tmp", ".part", ".crdownload":
		return true
	}
	return false
}
