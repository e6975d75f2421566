package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// refusal is what was logged of a refused file: the file as it was read,
// and the name of the reason.
type refusal struct {
	fp     storage.File
	reason string
}

// same reports whether r and o refuse one version of a file for one
// reason: the same bytes, when they were read (a copy that sets the
// file's time after closing it, as cp -p and Python's shutil.copy2 do,
// has it read twice, with two times), else the same size and time.
func (r refusal) same(o refusal) bool {
	if r.reason != o.reason {
		return false
	}
	if r.fp.Hash != "" || o.fp.Hash != "" {
		return r.fp.Hash == o.fp.Hash
	}
	return r.fp == o.fp
}

// refuse does accept's bookkeeping for a refused file: logged and
// counted once per version (see refusal.same), and read again without an
// event when what refused it may change (see retryWhen).
func (w *Watcher) refuse(rel string, r loaded) {
	delete(w.firstSeen, rel)
	w.succeeded(rel) // no store write to retry for a refused file
	now := refusal{r.fp, Reason(r.err)}
	if prev, ok := w.refused[rel]; !ok || !prev.same(now) {
		w.log.Warn("file refused", "path", rel, "reason", r.err)
		w.obs.Refused(now.reason)
		w.countRefused(now.reason)
	}
	w.refused[rel] = now
	w.retryWhen(rel, r.err)
}

// takenError refuses a file whose URL another file holds: two names that
// differ only in their suffix (x.txt and x.md, x.txt and x.TXT).
type takenError struct {
	slug, holder string
}

func (e *takenError) Error() string {
	return fmt.Sprintf("%v: its URL, ending /%s, is taken by %s", errBadName, e.slug, e.holder)
}

func (e *takenError) Unwrap() error { return errBadName }

// retryWhen notes when rel, refused for err, is worth reading again
// though the file itself did not change: once the file that holds its URL
// holds it no more (see release), or once its date comes (see wake). A
// nil err forgets both, as any event for rel does (see schedule).
func (w *Watcher) retryWhen(rel string, err error) {
	delete(w.twins, rel)
	w.future.cancel(rel)
	var taken *takenError
	var ahead *article.FutureDateError
	switch {
	case errors.As(err, &taken):
		w.twins[rel] = taken.holder
	case errors.As(err, &ahead):
		w.future.touch(rel, ahead.Due())
	}
}

// release has the files refused for the URL that one of paths held read
// again at once, now that it holds it no more (its file deleted, moved,
// or a draft now): the first of them, by path, takes the URL. One whose
// writer is at work is left to its events.
func (w *Watcher) release(paths ...string) {
	if len(w.twins) == 0 {
		return
	}
	gone := make(map[string]bool, len(paths))
	for _, p := range paths {
		gone[p] = true
	}
	var rels []string
	for rel, holder := range w.twins {
		if gone[holder] && !w.deb.has(rel) {
			rels = append(rels, rel)
		}
	}
	slices.Sort(rels)
	for _, rel := range rels {
		w.schedule(rel, 0)
	}
}

// freed reports whether rel was refused for a URL whose holder's file is
// gone: a scan reads it again, for the holder's removal may be what the
// scan finds.
func (w *Watcher) freed(rel string) bool {
	holder, ok := w.twins[rel]
	if !ok {
		return false
	}
	_, err := os.Lstat(w.abs(holder))
	return errors.Is(err, fs.ErrNotExist)
}

// wake schedules, at once, the files refused for a date in the future
// whose date has come; one whose writer is at work is left to its events.
func (w *Watcher) wake() {
	for _, rel := range w.future.settled(w.opts.Now()) {
		if !w.deb.has(rel) {
			w.schedule(rel, 0)
		}
	}
}

// refusedUnder schedules, after Settle, the files under the folder prefix
// (ending in a slash) that wait for a URL or a date: moved or deleted with
// the folder, they are gone from there, and are forgotten once read.
func (w *Watcher) refusedUnder(prefix string) {
	var rels []string
	for rel := range w.twins {
		rels = append(rels, rel)
	}
	for rel := range w.future.due {
		rels = append(rels, rel)
	}
	for _, rel := range rels {
		if strings.HasPrefix(rel, prefix) {
			w.schedule(rel, w.opts.Settle)
		}
	}
}
