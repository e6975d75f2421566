package storage

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// tally is what a write transaction did to what the feeds show, for
// write to finish it.
type tally struct {
	added     int  // articles added or restored, less those removed
	published bool // an article was added, updated or restored
	changed   bool // anything the feeds show changed
}

// note counts one change.
func (t *tally) note(c Change) {
	switch c {
	case Added, Restored:
		t.added++
	case Removed:
		t.added--
	}
	if c == Added || c == Updated || c == Restored {
		t.published = true
	}
	if c != Unchanged {
		t.changed = true
	}
}

// write runs fn in a write transaction and ends it as every write to the
// articles ends: in the same transaction, the count kept in the meta
// bucket takes what fn noted in its tally, LastPublication and
// LastChange move to now when fn noted a publication or a change, and
// the lists take their new members (see listTx.finish); once committed,
// Count follows, the lists' changes are logged (see ChangesSince), and a
// change signals Changed.
func (s *Store) write(what string, fn func(b buckets, t *tally) error) error {
	var t tally
	var lists map[List][]int
	count := 0
	err := s.update(what, func(tx *bolt.Tx) error {
		t, lists = tally{}, nil
		b := bucketsOf(tx)
		if err := fn(b, &t); err != nil {
			return err
		}
		if t.published {
			if err := b.meta.Put(keyPublication, []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
				return err
			}
		}
		if t.changed || b.lx.dirty() {
			now, err := b.changed()
			if err != nil {
				return err
			}
			if lists, err = b.finish(now); err != nil {
				return err
			}
		}
		if err := b.addCount(t.added); err != nil {
			return err
		}
		var err error
		count, err = b.count()
		return err
	})
	if err != nil {
		return err
	}
	s.count.Store(int64(count))
	s.logChanges(lists)
	if t.changed {
		s.notify()
	}
	return nil
}

// Put stores items in one transaction, each under its Path. An article
// already stored at that path keeps its Key and Published date; when its
// content hash differs, or the state of its local image (see
// Item.MissingImage), its text and metadata are replaced and its Updated
// moves forward: to it.Updated (the file's date) when that is later, else
// to now. A new path takes the key and published date of the last removed
// article with the same content hash, if there is one, and its updated
// date too, unless it comes back in the other format (.md for .txt, or
// the reverse: see sameFormat), an edit; or it gets a new key and keeps
// the Published date it comes with.
//
// An article with a Date is published at that date, new, restored or
// edited: an edit of the date moves Published (and Updated, never before
// it), under the same key. A new one is also updated at that date. The
// result says, item by item, what changed.
func (s *Store) Put(items ...Item) ([]Change, error) {
	changes := make([]Change, len(items))
	// A write transaction costs an fsync even when it changes nothing;
	// rescans and repeated events mostly bring files stored as they are.
	same, err := s.allStored(items)
	if err != nil || same {
		return changes, err
	}
	err = s.write("store articles", func(b buckets, t *tally) error {
		for i, it := range items {
			c, err := b.put(it)
			if err != nil {
				return fmt.Errorf("put %s: %w", it.Path, err)
			}
			changes[i] = c
			t.note(c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// allStored reports whether every item is stored with its fingerprint and
// the state of its image.
func (s *Store) allStored(items []Item) (bool, error) {
	same := true
	err := s.view("compare fingerprints", func(tx *bolt.Tx) error {
		files := tx.Bucket(bucketFiles)
		for _, it := range items {
			var f file
			if err := getJSON(files, []byte(it.Path), &f); errors.Is(err, ErrNotFound) {
				same = false
				return nil
			} else if err != nil {
				return err
			}
			if f.File != it.File || !sameMedia(f.Image, mediaOf(it)) {
				same = false
				return nil
			}
		}
		return nil
	})
	return same, err
}

func (b buckets) put(it Item) (Change, error) {
	var f file
	if err := getJSON(b.files, []byte(it.Path), &f); errors.Is(err, ErrNotFound) {
		return b.add(it)
	} else if err != nil {
		return Unchanged, err
	}
	if f.Hash != it.File.Hash && b.tombstones.Get([]byte(it.File.Hash)) != nil {
		// The file now holds a removed article (another file renamed over
		// it, seen after that file's removal): that article comes back,
		// and the one it replaces goes, leaving its own tombstone.
		if _, err := b.remove(it.Path); err != nil {
			return Unchanged, err
		}
		if err := b.addCount(-1); err != nil {
			return Unchanged, err
		}
		return b.add(it)
	}
	return b.update(f, it)
}

// update stores it over f, the file stored at it.Path: an edit of its
// article if the content differs, else only the file's new fingerprint.
func (b buckets) update(f file, it Item) (Change, error) {
	img := mediaOf(it)
	if f.Hash == it.File.Hash && sameMedia(f.Image, img) {
		if f.File == it.File {
			return Unchanged, nil
		}
		f.File = it.File // touched: record the new time, change nothing shown
		if err := b.fingerprints.Put([]byte(it.Path), encodeFingerprint(it.File)); err != nil {
			return Unchanged, err
		}
		return Unchanged, putJSON(b.files, []byte(it.Path), f)
	}
	var a record
	if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
		return Unchanged, err
	}
	old := placingOf(&a)
	if err := b.edit(f.Key, &a, it); err != nil {
		return Unchanged, err
	}
	if err := b.putArticle(f.Key, old, &a); err != nil {
		return Unchanged, err
	}
	return Updated, b.setFile(it.Path, f, it.File, img)
}

// add stores the article of a path not stored before.
func (b buckets) add(it Item) (Change, error) {
	change, key, published, updated := Added, "", it.Published, later(it.Updated, it.Published)
	var t tombstone
	if err := getJSON(b.tombstones, []byte(it.File.Hash), &t); err == nil {
		change, key, published = Restored, b.freeKey(t.Key), t.Published
		updated = later(it.Updated, published)
		switch {
		case t.Updated.IsZero():
		case sameFormat(t.Path, it.Path):
			updated = t.Updated
		default:
			// Back in the other format: parsed anew, an edit.
			updated = edited(later(t.Updated, published), it.Updated)
		}
		if err := b.tombstones.Delete([]byte(it.File.Hash)); err != nil {
			return Unchanged, err
		}
	} else if !errors.Is(err, ErrNotFound) {
		return Unchanged, err
	} else {
		key = b.freeKey(article.Slug(it.Path))
	}
	if d := dateOf(it); !d.IsZero() {
		// A new article dated by its file is updated at that date too,
		// as Hugo and jekyll-feed date one without a modification date.
		if published = d; change == Added {
			updated = d
		}
		updated = later(updated, published)
	}
	updated, err := b.setUpdated(key, time.Time{}, updated)
	if err != nil {
		return Unchanged, err
	}
	a := record{Path: it.Path, Published: published, Updated: updated}
	a.setText(it)
	if err := b.putArticle(key, nil, &a); err != nil {
		return Unchanged, err
	}
	if err := b.setFile(it.Path, file{Key: key}, it.File, mediaOf(it)); err != nil {
		return Unchanged, err
	}
	return change, b.published.Put(dateKey(a.Published, key), nil)
}

// setFile records path's fingerprint and image state, keeping the hash
// and image indexes in step.
func (b buckets) setFile(path string, f file, fp File, img *media) error {
	if f.Hash != "" {
		if err := b.hashes.Delete(hashKey(f.Hash, path)); err != nil {
			return err
		}
	}
	if err := b.setImage(path, f.Image, img); err != nil {
		return err
	}
	f.File, f.Image = fp, img
	if err := b.hashes.Put(hashKey(fp.Hash, path), nil); err != nil {
		return err
	}
	if err := b.fingerprints.Put([]byte(path), encodeFingerprint(fp)); err != nil {
		return err
	}
	return putJSON(b.files, []byte(path), f)
}

// freeKey returns want, or want with the smallest numeric suffix that no
// stored article uses: a key stays with its article when the file is
// renamed, so a new file at the old path needs another one.
func (b buckets) freeKey(want string) string {
	key := want
	for n := 2; b.articles.Get([]byte(key)) != nil; n++ {
		key = want + "-" + strconv.Itoa(n)
	}
	return key
}

// Remove deletes the articles stored at paths, ignoring paths it does not
// hold, and returns the paths it removed. Each leaves a tombstone under
// its content hash (see Put).
func (s *Store) Remove(paths ...string) ([]string, error) {
	return s.removeAll("remove articles", paths, true)
}

// Withdraw deletes the articles stored at paths as Remove does, but
// leaves no tombstone: an article its file takes back (a draft again) is
// published anew when the file gives it back, at its date or at that
// moment, not restored with its old dates. Its key is free again for it.
func (s *Store) Withdraw(paths ...string) ([]string, error) {
	return s.removeAll("withdraw articles", paths, false)
}

// removeAll does Remove's work, leaving tombstones when tomb is set.
func (s *Store) removeAll(what string, paths []string, tomb bool) ([]string, error) {
	// A deletion of a file never stored (refused, a draft) needs no
	// write, whose commit would cost an fsync.
	if stored, err := s.anyStored(paths); err != nil || !stored {
		return nil, err
	}
	var removed []string
	err := s.write(what, func(b buckets, t *tally) error {
		removed = removed[:0]
		for _, p := range paths {
			ok, err := b.drop(p, tomb)
			if err != nil {
				return fmt.Errorf("remove %s: %w", p, err)
			}
			if ok {
				removed = append(removed, p)
				t.note(Removed)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return removed, nil
}

// anyStored reports whether any of paths is stored.
func (s *Store) anyStored(paths []string) (bool, error) {
	found := false
	err := s.view("look up files", func(tx *bolt.Tx) error {
		files := tx.Bucket(bucketFiles)
		found = slices.ContainsFunc(paths, func(p string) bool { return files.Get([]byte(p)) != nil })
		return nil
	})
	return found, err
}

func (b buckets) remove(path string) (bool, error) { return b.drop(path, true) }

// drop deletes the article stored at path from every bucket, leaving a
// tombstone under its content hash when tomb is set (see Remove and
// Replace). It reports whether path held an article.
func (b buckets) drop(path string, tomb bool) (bool, error) {
	var f file
	if err := getJSON(b.files, []byte(path), &f); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var a record
	if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
		return false, err
	}
	if tomb {
		if err := putJSON(b.tombstones, []byte(f.Hash), tombstone{Key: f.Key, Path: path, Published: a.Published, Updated: a.Updated}); err != nil {
			return false, err
		}
	}
	for _, err := range []error{
		b.relist(f.Key, placingOf(&a), nil),
		b.published.Delete(dateKey(a.Published, f.Key)),
		b.deleteUpdated(a.Updated, f.Key),
		b.articles.Delete([]byte(f.Key)),
		b.unindex(path, f),
	} {
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// unindex deletes path, whose file record is f, from the buckets and
// indexes of files.
func (b buckets) unindex(path string, f file) error {
	for _, err := range []error{
		b.hashes.Delete(hashKey(f.Hash, path)),
		b.setImage(path, f.Image, nil),
		b.fingerprints.Delete([]byte(path)),
		b.files.Delete([]byte(path)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
