package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// moveCheck says whether process looks for articles whose file moved (see
// move): not at all; in a scan, where any stored file that changed while
// nobody watched may have been renamed away; or live, where a deletion or
// a move away seen at the old name says so.
type moveCheck int

const (
	noMoves moveCheck = iota
	scanMoves
	liveMoves
)

// process publishes, updates, moves or unpublishes each of rels. Files
// are read and parsed in parallel, a window at a time, the next window
// while the one before is handled and stored (storing is serial, and
// would leave a processor idle); what they hold is handled in the order
// of rels, and stored in batches, so that the result does not depend on
// timing. moves looks for renames seen half (see move).
// Once ctx is done it stops after the window at hand: each batch is its
// own transaction, and the files left are unchanged in the store, so the
// next scan finds them.
func (w *Watcher) process(ctx context.Context, rels []string, moves moveCheck) {
	// Runs of new content and runs of deletions are each stored in one
	// transaction, in the order they come.
	var batch []storage.Item
	var gone []string
	var drafts []loaded
	size := 0
	flush := func() {
		if len(batch) > 0 {
			w.put(batch...)
			batch, size = nil, 0
		}
	}
	flushGone := func() {
		if len(gone) > 0 {
			w.unpublish(gone...)
			gone = nil
		}
		w.withdraw(drafts)
		drafts = nil
	}
	taken := make(map[string]string) // slugs of the files stored here, to their paths
	ahead := w.loadAhead(rels, 0)
	defer func() {
		if ahead != nil {
			<-ahead // stopped early: the reading goroutines end first
		}
	}()
	for start := 0; start < len(rels) && ctx.Err() == nil; start += loadWindow {
		chunk := rels[start:min(start+loadWindow, len(rels))]
		results := <-ahead
		ahead = w.loadAhead(rels, start+loadWindow)
		w.claim(chunk, results, taken)
		for i, r := range results {
			rel := chunk[i]
			w.handled()
			// A file gone, or now reached through a link (which is never
			// followed), is no longer an article of the folder.
			if errors.Is(r.err, fs.ErrNotExist) || errors.Is(r.err, errSymlink) {
				if errors.Is(r.err, errSymlink) {
					w.accept(rel, r)
				}
				flush()
				gone = append(gone, rel)
				continue
			}
			if !w.accept(rel, r) {
				continue
			}
			w.notice(rel, r)
			if r.it.Draft {
				flush()
				drafts = append(drafts, r)
				continue
			}
			flushGone()
			w.date(&r.it, moves == liveMoves)
			if moves != noMoves && w.move(r.it, moves == liveMoves) {
				continue
			}
			batch = append(batch, r.it)
			size += int(r.fp.Size)
			if len(batch) == batchSize || size >= batchBytes {
				flush()
			}
		}
	}
	flush()
	flushGone()
}

// claim refuses, in results, each file that would have the URL of
// another: one stored (that is still there; a file renamed to another
// case of its suffix keeps its URL), or one before it in rels, noted in
// taken, which claim adds the others to.
func (w *Watcher) claim(rels []string, results []loaded, taken map[string]string) {
	var ask []string
	for i, r := range results {
		if r.err == nil && !r.it.Draft {
			ask = append(ask, rels[i])
		}
	}
	holders, err := w.store.SlugHolders(ask...)
	if err != nil {
		w.log.Error("cannot look up URLs", "count", len(ask), "err", err)
	}
	for i, r := range results {
		if r.err != nil || r.it.Draft {
			continue
		}
		rel, slug := rels[i], article.Slug(rels[i])
		holder, ok := holders[rel]
		if ok {
			_, err := os.Lstat(w.abs(holder))
			ok = !errors.Is(err, fs.ErrNotExist)
		}
		if p, held := taken[slug]; !ok && held && p != rel {
			holder, ok = p, true
		}
		if ok {
			results[i].err = &takenError{slug: slug, holder: holder}
			continue
		}
		taken[slug] = rel
	}
}

// loadAhead starts loading the window of rels that begins at start, and
// returns where the results come; nil when there is none.
func (w *Watcher) loadAhead(rels []string, start int) <-chan []loaded {
	if start >= len(rels) {
		return nil
	}
	out := make(chan []loaded, 1)
	chunk := rels[start:min(start+loadWindow, len(rels))]
	if len(chunk) == 1 {
		out <- w.loadAll(chunk) // a live event: no goroutine to wait for
		return out
	}
	go func() { out <- w.loadAll(chunk) }()
	return out
}

// loadAll loads rels on every processor at once (see reader).
func (w *Watcher) loadAll(rels []string) []loaded {
	out := make([]loaded, len(rels))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(rels)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(rels); i = int(next.Add(1) - 1) {
				out[i] = w.reader.load(rels[i])
			}
		})
	}
	wg.Wait()
	return out
}

// move stores it as the new place of a stored article with the same
// content whose file is gone, or now holds other content: the second half
// of a rename (the one its cookie names first, see complete), or a file
// renamed away and another written under its name. The file now at the
// old name is then read as a new article. An article published from a
// close less than Settle before is not moved but replaced (see
// storage.Store.Replace): it was a temporary file renamed into place, and
// its temporary name must not become its id.
func (w *Watcher) move(it storage.Item, live bool) bool {
	paths, err := w.store.PathsWithHash(it.File.Hash)
	if err != nil {
		w.log.Error("cannot look up content", "path", it.Path, "err", err)
		return false
	}
	if slices.Contains(paths, it.Path) {
		return false // stored here already
	}
	from, paired := w.origin[it.Path]
	if paired {
		if i := slices.Index(paths, from); i > 0 {
			paths[0], paths[i] = paths[i], paths[0]
		}
	}
	for _, p := range paths {
		present, moved := w.holdsOther(p, it.File.Hash, live)
		// The kernel paired the rename's halves: the article moved,
		// whatever a new file at its old name holds yet (nothing, say).
		if !moved && !(paired && p == from) {
			continue
		}
		w.moved(p, it, present)
		return true
	}
	return false
}

// moved stores that the article at from is now it, found at its new
// place by move; present says whether a file is at from now.
func (w *Watcher) moved(from string, it storage.Item, present bool) {
	var c storage.Change
	var err error
	replace := w.fresh.within(from, w.opts.Now(), w.opts.Settle)
	if replace {
		c, err = w.store.Replace(from, it)
	} else {
		c, err = w.store.Move(from, it)
	}
	if err != nil {
		w.failed(cannotWrite, err, it.Path)
		w.log.Error("cannot move article", "from", from, "path", it.Path, "err", err)
		return
	}
	delete(w.fresh, from)
	w.release(from)
	switch {
	case present && !w.deb.has(from):
		// A new article now, read when its writer is done (a
		// pending deadline, or a close to come, says when).
		w.fallback(from, w.opts.Settle)
	case !present:
		w.deb.cancel(from)
		delete(w.tentative, from)
		delete(w.vacated, from)
	}
	w.succeeded(it.Path)
	delete(w.firstSeen, from)
	w.stored(it.Path, c)
	switch {
	case c == storage.Moved:
		w.log.Log(context.Background(), w.articleLevel(), "article moved", "from", from, "path", it.Path, "title", it.Title)
	case replace:
		w.logStored(c, it, "from", from)
	default:
		// Renamed over a stored article: an edit of that one, and the
		// one moved is removed (see storage.Store.Move).
		w.logStored(c, it, "from", from)
		w.stored(from, storage.Removed)
		w.log.Log(context.Background(), w.articleLevel(), "article removed", "path", from, "into", it.Path)
	}
}

// holdsOther reports whether a file is at rel, and whether the article
// stored there with content hash has gone elsewhere: its file is gone, or
// holds other content now. Live, that takes a deletion or a move away seen
// at rel: a copy followed by an edit of the original is no move. A file
// that cannot be read now (being written, refused) says nothing.
func (w *Watcher) holdsOther(rel, hash string, live bool) (present, moved bool) {
	if _, err := os.Lstat(w.abs(rel)); errors.Is(err, fs.ErrNotExist) {
		return false, true
	}
	if _, ok := w.vacated[rel]; live && !ok {
		return true, false
	}
	r := w.reader.load(rel)
	if errors.Is(r.err, fs.ErrNotExist) {
		return false, true
	}
	return true, r.err == nil && r.fp.Hash != hash
}

func (w *Watcher) put(items ...storage.Item) {
	changes, err := w.store.Put(items...)
	if err != nil {
		paths := make([]string, len(items))
		for i, it := range items {
			paths[i] = it.Path
		}
		w.failed(cannotWrite, err, paths...) // before the log line, which tests wait for
		w.log.Error("cannot store articles; will retry", "count", len(items), "first", items[0].Path, "err", err)
		return
	}
	for i, c := range changes {
		it := items[i]
		w.succeeded(it.Path)
		w.stored(it.Path, c)
		if c == storage.Added && w.closed[it.Path] {
			w.fresh[it.Path] = w.opts.Now()
		}
		w.logStored(c, it)
	}
}

// logStored logs what a store write did to it: published, updated or
// restored, with the charset its file was decoded from when not UTF-8.
func (w *Watcher) logStored(c storage.Change, it storage.Item, attrs ...any) {
	var msg string
	switch c {
	case storage.Added:
		msg = "article published"
	case storage.Updated:
		msg = "article updated"
	case storage.Restored:
		msg = "article restored"
	default:
		return
	}
	attrs = append([]any{"path", it.Path, "title", it.Title}, attrs...)
	if it.Charset != "" {
		attrs = append(attrs, "charset", it.Charset)
	}
	w.log.Log(context.Background(), w.articleLevel(), msg, attrs...)
}

// unpublish removes the articles of files that are gone, unless the
// seeds folder itself is: then they stay until it is back.
func (w *Watcher) unpublish(rels ...string) {
	if len(rels) == 0 {
		return
	}
	if fi, err := os.Stat(w.root); err != nil || !fi.IsDir() {
		w.lostRoot()
		return
	}
	for _, rel := range rels {
		delete(w.refused, rel)
		w.forget(rel)
	}
	removed, ok := w.removeAll(w.store.Remove, rels, "cannot remove articles; will retry")
	if !ok {
		return
	}
	for _, rel := range removed {
		w.stored(rel, storage.Removed)
		w.log.Log(context.Background(), w.articleLevel(), "article removed", "path", rel)
	}
	for _, rel := range rels {
		delete(w.firstSeen, rel) // the ones not stored either
	}
	w.release(rels...)
}

// removeAll takes rels out of the store with remove (Remove or
// Withdraw) and returns the paths removed; a failure is logged with msg
// and retried, and ok is false.
func (w *Watcher) removeAll(remove func(...string) ([]string, error), rels []string, msg string) (removed []string, ok bool) {
	removed, err := remove(rels...)
	if err != nil {
		w.failed(cannotWrite, err, rels...)
		w.log.Error(msg, "count", len(rels), "first", rels[0], "err", err)
		return nil, false
	}
	w.succeeded(rels...)
	return removed, true
}

const cannotWrite = "cannot write to the database"

// failed schedules rels again after a failed store write (or a read that
// failed for want of resources), waiting longer after each failure, and
// has Err report it, as what failed, until none waits.
func (w *Watcher) failed(what string, err error, rels ...string) {
	for _, rel := range rels {
		n := w.retries[rel]
		w.retries[rel] = n + 1
		w.schedule(rel, min(minRetry<<min(n, 10), maxRetry))
	}
	werr := fmt.Errorf("%s, %d files wait for a retry: %w", what, len(w.retries), err)
	w.retryErr.Store(&werr)
}

// succeeded forgets the failures of rels, which need no retry now:
// stored, or refused since. Err is clear again once no file waits.
func (w *Watcher) succeeded(rels ...string) {
	for _, rel := range rels {
		delete(w.retries, rel)
	}
	if len(w.retries) == 0 {
		w.retryErr.Store(nil)
	}
}
