package watcher

import (
	"context"

	"github.com/seedfeed/seedfeed/storage"
)

// note names a line that is logged once per version of a file.
type note struct {
	kind string // noteUnknown, noteLinks or noteImage
	rel  string
}

const (
	noteUnknown = "unknown"
	noteLinks   = "links"
	noteImage   = "image"
)

// maxNamed bounds the keys or links one log line names: a front matter of
// 20,000 unknown keys would otherwise log a line of 190 KB. check names
// them all.
const maxNamed = 20

// named is the attributes of a log line naming names under key: at most
// maxNamed of them, and how many more there are, if any.
func named(key string, names []string) []any {
	if len(names) <= maxNamed {
		return []any{key, names}
	}
	return []any{key, names[:maxNamed], "more", len(names) - maxNamed}
}

// once reports whether the line kind about rel is to be logged for
// version (a content hash, and what the line says): it was not logged for
// that version yet.
func (w *Watcher) once(kind, rel, version string) bool {
	k := note{kind, rel}
	if v, ok := w.noted[k]; ok && v == version {
		return false
	}
	w.noted[k] = version
	return true
}

// forget drops what was noted of the file rel, gone.
func (w *Watcher) forget(rel string) {
	delete(w.noted, note{noteUnknown, rel})
	delete(w.noted, note{noteLinks, rel})
	delete(w.noted, note{noteImage, rel})
	delete(w.drafts, rel)
	delete(w.bigImage, rel)
	w.retryWhen(rel, nil)
}

// notice logs, once per version of the file, what of the article r holds
// is left out of the feeds: front-matter keys it does not know, links
// to nothing seedfeed serves (their text is kept), and a local image that
// is missing.
func (w *Watcher) notice(rel string, r loaded) {
	if len(r.it.Unknown) > 0 && w.once(noteUnknown, rel, r.fp.Hash) {
		w.log.Warn("unknown front-matter keys", append([]any{"path", rel}, named("keys", r.it.Unknown)...)...)
	}
	if len(r.it.DroppedLinks) > 0 && w.once(noteLinks, rel, r.fp.Hash) {
		w.log.Warn("links to nothing seedfeed serves; their text is kept", append([]any{"path", rel}, named("links", r.it.DroppedLinks)...)...)
	}
	if r.noImage == nil {
		delete(w.noted, note{noteImage, rel}) // a later loss is news again
		return
	}
	if w.once(noteImage, rel, r.fp.Hash+"\x00"+r.noImage.Error()) {
		w.log.Warn("image missing; article published without it", "path", rel, "image", r.it.MissingImage, "reason", r.noImage)
	}
}

// withdraw unpublishes the drafts among the files rs hold: a draft is
// not published, and a published article that becomes one is taken out
// (see storage.Store.Withdraw). Each draft is logged once per version.
func (w *Watcher) withdraw(rs []loaded) {
	if len(rs) == 0 {
		return
	}
	rels := make([]string, len(rs))
	for i, r := range rs {
		rels[i] = r.it.Path
	}
	removed, ok := w.removeAll(w.store.Withdraw, rels, "cannot unpublish drafts; will retry")
	if !ok {
		return
	}
	w.release(rels...) // a draft holds no URL
	for _, r := range rs {
		rel := r.it.Path
		switch prev, seen := w.drafts[rel]; {
		case len(removed) > 0 && removed[0] == rel:
			removed = removed[1:] // in the order of rels
			w.stored(rel, storage.Removed)
			w.log.Log(context.Background(), w.articleLevel(), "draft: unpublished", "path", rel, "title", r.it.Title)
		case !seen || prev.Hash != r.fp.Hash:
			delete(w.firstSeen, rel)
			w.log.Log(context.Background(), w.articleLevel(), "draft: not published", "path", rel, "title", r.it.Title)
		default:
			delete(w.firstSeen, rel)
		}
		w.drafts[rel] = r.fp
		if w.tally != nil {
			w.tally.drafts++
		}
	}
}
