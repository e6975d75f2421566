package watcher

import (
	"context"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/seedfeed/seedfeed/storage"
)

// event turns one fsnotify event into scheduled work, where fsnotify is
// the notifier: where inotify's own instance is missing (see notify.go).
func (w *Watcher) event(ev fsnotify.Event) {
	w.log.Debug("fs event", "op", ev.Op.String(), "path", ev.Name)
	rel, ok := w.rel(ev.Name)
	if !ok || (rel != "." && ignored(path.Base(rel))) {
		return
	}
	w.obs.Event(strings.ToLower(ev.Op.String()))
	switch {
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(ev.Name)
		if err != nil {
			return // gone already; its Remove event follows
		}
		if fi.IsDir() {
			if err := w.watch(rel); err != nil {
				w.log.Error("cannot watch folder", "path", rel, "err", err)
			}
		} else if watched(rel) && w.done == nil {
			w.schedule(rel, w.opts.Settle)
		}
	case ev.Has(fsnotify.Write):
		if watched(rel) && w.done == nil {
			w.written(rel)
		}
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		switch {
		case rel == ".":
			w.lostRoot()
		case w.tracked(rel):
			w.unwatch(rel)
		case watched(rel) && w.done == nil:
			w.schedule(rel, w.opts.Settle)
		}
	case ev.Has(fsnotify.Chmod):
		w.modeChanged(rel)
	}
}

// modeChanged handles a change of rel's mode, owner or times. Backup and
// antivirus tools change modes all day: only a file refused before
// (unreadable, say) is worth another look. Still refused as it was, it is
// not logged again (see refuse).
func (w *Watcher) modeChanged(rel string) {
	if _, ok := w.refused[rel]; ok {
		w.schedule(rel, w.opts.Settle)
	}
}

// complete handles a completion, one step of a file's history told in
// order: a creation or a write only moves a fallback deadline (a file
// arriving whole by hard link raises nothing else); a close, or a move in,
// has the file read at once, whether it comes from outside (a new file, or
// an edit of the one it replaces) or from another name within (a rename,
// which the two halves' cookie tells; see move). Only a deletion or a move
// away waits, for Settle: a new file may be written under the name
// meanwhile (an editor's save through a backup name), which is then an
// edit, not a removal and a new article.
func (w *Watcher) complete(ctx context.Context, c completion) {
	switch {
	case c.err != nil:
		w.notifierFailed(ctx, c.err)
		return
	case c.overflow:
		w.rescanLogged(ctx, RescanOverflow)
		return
	}
	rel, ok := w.rel(c.path)
	if !ok || (rel != "." && ignored(path.Base(rel))) {
		return
	}
	w.log.Debug("fs event", "op", c.op.event(), "path", c.path, "dir", c.dir)
	w.obs.Event(c.op.event())
	var from string
	switch c.op {
	case opMovedOut:
		w.renames.out(c.cookie, rel, w.opts.Now(), w.opts.Settle)
	case opMovedIn:
		from = w.renames.in(c.cookie)
	}
	if c.dir {
		w.folder(c.op, from, rel)
		return
	}
	// A media file goes through the same steps; when it is due, the
	// articles that show it are read again (see articlesOf).
	if !watched(rel) {
		return
	}
	switch c.op {
	case opVacated, opMovedOut:
		w.schedule(rel, w.opts.Settle)
		w.vacated[rel] = w.opts.Now().Add(w.opts.Settle)
		return
	case opCreated:
		// A file made where one was just deleted or moved away is
		// a new one: that deadline must not read it half-written.
		if _, ok := w.vacated[rel]; ok {
			w.tentative[rel] = true
		}
		if unwritten(w.root, rel) {
			// No writer has it open: made whole (a hard link), or
			// closed already, its close queued behind.
			w.complete1(rel)
			return
		}
		w.fallback(rel, w.opts.Settle)
		return
	case opWritten:
		w.written(rel)
		return
	case opAttrib:
		w.modeChanged(rel)
		return
	case opMovedIn:
		delete(w.closed, rel)
		if from != "" && candidate(from) {
			w.origin[rel] = from
		}
	default:
		w.complete1(rel)
		return
	}
	w.schedule(rel, 0)
}

// complete1 schedules the file rel, complete: its writer closed it, or no
// writer holds it open (see writers).
func (w *Watcher) complete1(rel string) {
	w.closed[rel] = true
	if temporary(path.Base(rel)) {
		// Most likely renamed into place a moment from now: published
		// under its final name only, or under this one after Settle.
		w.schedule(rel, w.opts.Settle)
		return
	}
	w.schedule(rel, 0)
}

// folder handles what a completion tells of the folder rel: made (it is
// watched, with what it holds), deleted or moved away (forgotten, its
// articles unpublished after Settle unless they turn up elsewhere), moved
// in (from, if it was renamed within the folders: see folderMovedIn), or,
// for the seeds folder itself, gone.
func (w *Watcher) folder(op fileOp, from, rel string) {
	switch op {
	case opGone:
		if rel == "." {
			w.lostRoot()
		}
		// Another folder's parent tells of it.
	case opVacated, opMovedOut:
		if w.tracked(rel) {
			w.unwatch(rel)
		}
	case opMovedIn:
		w.folderMovedIn(from, rel)
		fallthrough
	case opCreated:
		if err := w.watch(rel); err != nil {
			w.log.Error("cannot watch folder", "path", rel, "err", err)
		}
	}
}

// temporary reports whether name is what a tool that writes a file then
// renames it into place names its temporary file, and that is not
// ignored as hidden or temporary already: Python's tempfile ("tmp", 8
// characters of [a-z0-9_], then the suffix asked for, as mkstemp(suffix=
// ".txt") gives) and mktemp(1) ("tmp.", 10 letters or digits, then
// --suffix). Go's os.CreateTemp puts digits where the pattern has a star,
// which a name of the desk's own can hold too: not recognised.
func temporary(name string) bool {
	rest, ok := strings.CutPrefix(name, "tmp")
	if !ok {
		return false
	}
	random, n := rest, 8
	if r, ok := strings.CutPrefix(rest, "."); ok {
		random, n = r, 10
	}
	if len(random) <= n || random[n] != '.' {
		return false
	}
	for _, c := range []byte(random[:n]) {
		lower := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !(lower || n == 8 && c == '_' || n == 10 && 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// written schedules a file that is being written. Where close
// notifications exist, the close (or a move into the folder) schedules it;
// each write only moves a fallback deadline, for writers that never close,
// to openTimeout after it: a file is read once its writer closes it, or
// once it has gone that long without a write. Elsewhere every write
// postpones the file until it settles.
func (w *Watcher) written(rel string) {
	if w.done != nil {
		w.fallback(rel, w.opts.openTimeout)
		return
	}
	w.schedule(rel, w.opts.Settle)
}

// schedule has rel processed after delay, or later if more events come.
func (w *Watcher) schedule(rel string, delay time.Duration) {
	now := w.opts.Now()
	w.seen(rel, now)
	delete(w.tentative, rel)
	w.future.cancel(rel) // read again now: refused again, it waits anew
	w.deb.touch(rel, now.Add(delay))
}

// fallback has rel processed after delay unless something firmer than a
// fallback (a close, a move) has it due already: the deadline for files
// whose completion no notification will tell.
func (w *Watcher) fallback(rel string, delay time.Duration) {
	if w.deb.has(rel) && !w.tentative[rel] {
		return
	}
	now := w.opts.Now()
	w.seen(rel, now)
	w.tentative[rel] = true
	w.future.cancel(rel)
	w.deb.touch(rel, now.Add(delay))
}

// due takes the files whose time has come from the debouncer, in the
// order process handles them. Files at vacated paths go last: a file moved
// elsewhere is found at its new place before its old name's new file is
// read.
func (w *Watcher) due() []string {
	due := w.deb.settled(w.opts.Now())
	slices.SortStableFunc(due, func(a, b string) int {
		_, va := w.vacated[a]
		_, vb := w.vacated[b]
		switch {
		case !va && vb:
			return -1
		case va && !vb:
			return 1
		}
		return 0
	})
	for _, rel := range due {
		delete(w.tentative, rel)
	}
	return due
}

// seen notes when work for rel began, for the publication latency.
func (w *Watcher) seen(rel string, now time.Time) {
	if _, ok := w.firstSeen[rel]; !ok {
		w.firstSeen[rel] = now
	}
}

// stored tells the observer what a store write did to rel.
func (w *Watcher) stored(rel string, c storage.Change) {
	var latency time.Duration
	if t, ok := w.firstSeen[rel]; ok {
		latency = w.opts.Now().Sub(t)
		delete(w.firstSeen, rel)
	}
	if c != storage.Unchanged {
		w.obs.Stored(c, latency)
	}
	w.count(c)
}

// maxDrain bounds the events drain takes at once, so that a flood of
// events cannot keep due files waiting.
const maxDrain = 4096

// drain schedules the events already waiting: a scan then knows which
// files are being written, and Run handles a burst in batches.
func (w *Watcher) drain() {
	for range maxDrain {
		select {
		case ev, ok := <-w.fsEvents():
			if !ok {
				return
			}
			w.event(ev)
		case c, ok := <-w.doneEvents():
			if !ok || c.err != nil || c.overflow {
				// Run handles these: they need its context.
				w.held = append(w.held, c)
				return
			}
			w.complete(context.Background(), c)
		default:
			return
		}
	}
}
