package watcher

import (
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
// counted once per version (see refusal.same).
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
}
