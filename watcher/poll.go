package watcher

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"time"
)

// Folders the kernel will not watch (it refused a watch, see refusedWatch)
// are polled: every Options.Poll each is looked at, its modification time
// first; only a folder whose time moved is listed again, and the files of
// the others are looked at one by one (an edit in place leaves the
// folder's time as it was). What changed is scheduled as an event would
// schedule it, after Settle, and handled by the same code: a file gone is
// unpublished, one renamed keeps its article (see move), a new subfolder
// is watched, or polled if the kernel still refuses. A pass is spread over
// the turns of Run, pollChunk folders a turn, so that events in watched
// folders wait no longer than before.

// DefaultPoll is Options.Poll when it is zero.
const DefaultPoll = 5 * time.Second

const (
	// pollChunk is how many folders one turn of Run looks at.
	pollChunk = 256
	// mtimeSlack is how close to its listing a folder's time may be for
	// the listing to be trusted: a file made in the same tick of the
	// file system's clock (a jiffy; two seconds on FAT) leaves the time
	// as it was, so such a folder is listed again at the next pass.
	mtimeSlack = 2 * time.Second
)

// polling is the watcher's polled folders.
type polling struct {
	dirs   map[string]*listing // by path under the root
	queue  []string            // folders left to look at in this pass
	began  time.Time           // when the pass under way began
	cause  error               // the kernel's last refusal; nil before any
	warned bool                // the degraded line is logged (see noteFolders)
}

// listing is what a polled folder held when it was last listed.
type listing struct {
	mtime   int64 // the folder's modification time, in ns
	listed  int64 // when it was listed, in ns
	entries []entry
}

// entry is a subfolder, or a file the watcher follows (see watched).
type entry struct {
	name string
	dir  bool
	stamp
}

// stamp is what tells a file changed without reading it.
type stamp struct{ size, mtime int64 }

func stampOf(fi fs.FileInfo) stamp { return stamp{fi.Size(), fi.ModTime().UnixNano()} }

// unsure reports whether the listing may have missed a file made in the
// same tick of the clock as the folder's time (see mtimeSlack).
func (l *listing) unsure() bool { return l.mtime >= l.listed-int64(mtimeSlack) }

// list lists the folder rel: its subfolders, and the files it holds that
// the watcher follows, each with its stamp.
func (w *Watcher) list(rel string) (*listing, error) {
	abs := w.abs(rel)
	fi, err := os.Lstat(abs) // before listing: a change meanwhile moves it again
	if err != nil {
		return nil, err
	}
	des, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	l := &listing{mtime: fi.ModTime().UnixNano(), listed: time.Now().UnixNano()}
	for _, de := range des {
		name := de.Name()
		switch {
		case ignored(name):
		case de.IsDir():
			l.entries = append(l.entries, entry{name: name, dir: true})
		case watched(path.Join(rel, name)):
			if fi, err := de.Info(); err == nil { // else gone meanwhile
				l.entries = append(l.entries, entry{name: name, stamp: stampOf(fi)})
			}
		}
	}
	return l, nil
}

// pollDir has the folder rel polled from now on, listed now: what was
// there is the scan's, or the caller's, to schedule. A folder that cannot
// be listed is left to rescans, like one that cannot be watched.
func (w *Watcher) pollDir(rel string) {
	if _, ok := w.poll.dirs[rel]; ok {
		return
	}
	l, err := w.list(rel)
	if err != nil {
		w.log.Warn("cannot read folder", "path", rel, "err", err)
		return
	}
	w.poll.dirs[rel] = l
}

// startPass starts a pass over the polled folders, unless the last one is
// not over, after trying to watch them again.
func (w *Watcher) startPass() {
	if len(w.poll.queue) > 0 {
		return
	}
	w.retryWatches()
	w.poll.queue = slices.AppendSeq(w.poll.queue[:0], maps.Keys(w.poll.dirs))
	w.poll.began = time.Now()
}

// pollSome looks at the next pollChunk folders of the pass under way.
func (w *Watcher) pollSome() {
	if len(w.poll.queue) == 0 {
		return
	}
	for n := 0; n < pollChunk && len(w.poll.queue) > 0; n++ {
		last := len(w.poll.queue) - 1
		rel := w.poll.queue[last]
		w.poll.queue = w.poll.queue[:last]
		if l, ok := w.poll.dirs[rel]; ok {
			w.look(rel, l)
		}
	}
	if len(w.poll.queue) == 0 {
		w.noteFolders()
		w.log.Debug("poll done", "folders", len(w.poll.dirs), "seconds", time.Since(w.poll.began).Seconds())
	}
}

// more is ready while a pass is under way, so that Run comes back to it.
func (w *Watcher) more() <-chan struct{} {
	if len(w.poll.queue) == 0 {
		return nil
	}
	return w.ready
}

// look schedules what changed in the polled folder rel since l.
func (w *Watcher) look(rel string, l *listing) {
	fi, err := os.Lstat(w.abs(rel))
	switch {
	case rel == "." && (err != nil || !fi.IsDir()):
		if errors.Is(err, fs.ErrNotExist) || err == nil {
			w.lostRoot()
		}
		return
	case errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir():
		// Its parent's watch or poll tells of it, and of its articles
		// (see unwatch): one look at the store for the whole subtree.
		delete(w.poll.dirs, rel)
		return
	case err != nil:
		return // unreadable for now: looked at again next pass
	}
	if fi.ModTime().UnixNano() != l.mtime || l.unsure() {
		w.relist(rel, l)
		return
	}
	for i := range l.entries {
		e := &l.entries[i]
		if e.dir {
			continue
		}
		fi, err := os.Lstat(w.abs(path.Join(rel, e.name)))
		if err != nil {
			w.relist(rel, l) // gone, so the folder changed after all
			return
		}
		if s := stampOf(fi); s != e.stamp {
			e.stamp = s
			w.schedule(path.Join(rel, e.name), w.opts.Settle)
		}
	}
}

// relist lists the polled folder rel again, and schedules what changed
// since l: files and folders gone first, as events would tell them (a
// folder renamed is then watched, or polled, under its new name), then
// those new or changed.
func (w *Watcher) relist(rel string, l *listing) {
	now, err := w.list(rel)
	if err != nil {
		return // gone or unreadable: see look
	}
	was := make(map[string]entry, len(l.entries))
	for _, e := range l.entries {
		was[e.name] = e
	}
	isDir := make(map[string]bool, len(now.entries))
	for _, e := range now.entries {
		isDir[e.name] = e.dir
	}
	for _, e := range l.entries {
		if dir, ok := isDir[e.name]; !ok || dir != e.dir {
			w.vanished(path.Join(rel, e.name), e.dir)
		}
	}
	for _, e := range now.entries {
		old, known := was[e.name]
		n := path.Join(rel, e.name)
		switch {
		case e.dir && (!known || !old.dir):
			if err := w.watch(n); err != nil {
				w.log.Error("cannot watch folder", "path", n, "err", err)
			}
		case !e.dir && (!known || old.dir || old.stamp != e.stamp):
			w.schedule(n, w.opts.Settle)
		}
	}
	*l = *now
}

// vanished schedules what a file or folder gone from a polled folder
// held, as its deletion would.
func (w *Watcher) vanished(rel string, dir bool) {
	if dir {
		w.unwatch(rel)
		return
	}
	w.schedule(rel, w.opts.Settle)
	w.vacated[rel] = w.opts.Now().Add(w.opts.Settle)
}

// retryWatches watches polled folders again once the kernel allows it:
// while it refuses, that costs one try a pass. Each folder watched is
// looked at a last time, for what changed since the last pass.
func (w *Watcher) retryWatches() {
	if w.poll.cause == nil || len(w.poll.dirs) == 0 {
		return
	}
	if w.done == nil && w.fs == nil {
		if err := w.openNotifier(); err != nil || w.done == nil && w.fs == nil {
			return
		}
	}
	// Any one first: sorting the folders costs more than a try.
	for d := range w.poll.dirs {
		if !w.rewatch(d) {
			return
		}
		break
	}
	for _, d := range slices.Sorted(maps.Keys(w.poll.dirs)) {
		if !w.rewatch(d) {
			break
		}
	}
	w.noteFolders()
}

// rewatch tries to watch the polled folder rel, and reports false if the
// kernel refused.
func (w *Watcher) rewatch(rel string) bool {
	err := w.addWatch(w.abs(rel))
	if refusedWatch(err) {
		w.poll.cause = err
		return false
	}
	l := w.poll.dirs[rel]
	delete(w.poll.dirs, rel)
	if err == nil {
		w.dirs[rel] = true
		w.look(rel, l)
	}
	return true
}
