package storage

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// buckets are the buckets of one transaction.
type buckets struct {
	meta, files, articles, published, updated, hashes, tombstones, fingerprints *bolt.Bucket
	// nextUpdated maps a time (Unix nanoseconds) that uniqueUpdated was
	// asked for to the first of its steps not known to be taken: a batch
	// of files sharing a modification time does not walk past the dates
	// it already handed out, once per file.
	nextUpdated map[int64]time.Time
}

func bucketsOf(tx *bolt.Tx) buckets {
	return buckets{
		meta:         tx.Bucket(bucketMeta),
		files:        tx.Bucket(bucketFiles),
		articles:     tx.Bucket(bucketArticles),
		published:    tx.Bucket(bucketPublished),
		updated:      tx.Bucket(bucketUpdated),
		hashes:       tx.Bucket(bucketHashes),
		tombstones:   tx.Bucket(bucketTombstones),
		fingerprints: tx.Bucket(bucketFingerprints),
		nextUpdated:  make(map[int64]time.Time),
	}
}

// changed records in the meta bucket that what the feeds show changed
// now, never moving the moment back (see Store.LastChange).
func (b buckets) changed() error {
	t := time.Now().UTC()
	if prev, err := time.Parse(time.RFC3339Nano, string(b.meta.Get(keyChanged))); err == nil && !t.After(prev) {
		t = prev.Add(time.Nanosecond) // a clock set back must not move it back
	}
	return b.meta.Put(keyChanged, []byte(t.Format(time.RFC3339Nano)))
}

// count returns the article count kept in the meta bucket.
func (b buckets) count() (int, error) {
	n, err := strconv.Atoi(string(b.meta.Get(keyCount)))
	if err != nil {
		return 0, fmt.Errorf("article count: %w", err)
	}
	return n, nil
}

// addCount adds d to the article count kept in the meta bucket.
func (b buckets) addCount(d int) error {
	if d == 0 {
		return nil
	}
	n, err := b.count()
	if err != nil {
		return err
	}
	return b.meta.Put(keyCount, []byte(strconv.Itoa(n+d)))
}

// Put stores items in one transaction, each under its Path. An article
// already stored at that path keeps its Key and Published date; when its
// content hash differs, its title and paragraphs are replaced and its
// Updated moves forward: to it.Updated (the file's date) when that is
// later, else to now. A new path takes the key and published date of the
// last removed article with the same content hash, if there is one, or
// gets a new key and keeps the Published date it comes with. The result
// says, item by item, what changed.
func (s *Store) Put(items ...Item) ([]Change, error) {
	changes := make([]Change, len(items))
	count := 0
	// A write transaction costs an fsync even when it changes nothing;
	// rescans and repeated events mostly bring files stored as they are.
	same, err := s.allStored(items)
	if err != nil || same {
		return changes, err
	}
	err = s.update("store articles", func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		added := 0
		for i, it := range items {
			c, err := b.put(it)
			if err != nil {
				return fmt.Errorf("put %s: %w", it.Path, err)
			}
			changes[i] = c
			if c == Added || c == Restored {
				added++
			}
			if c == Added || c == Updated || c == Restored {
				if err := b.meta.Put(keyPublication, []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
					return err
				}
			}
			if c != Unchanged {
				if err := b.changed(); err != nil {
					return err
				}
			}
		}
		if err := b.addCount(added); err != nil {
			return err
		}
		count, err = b.count()
		return err
	})
	if err != nil {
		return nil, err
	}
	s.count.Store(int64(count))
	for _, c := range changes {
		if c != Unchanged {
			s.notify()
			break
		}
	}
	return changes, nil
}

// allStored reports whether every item is stored with its fingerprint.
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
			if f.File != it.File {
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
	if f.Hash == it.File.Hash {
		if f.File == it.File {
			return Unchanged, nil
		}
		f.File = it.File // touched: record the new time, change nothing shown
		if err := b.fingerprints.Put([]byte(it.Path), encodeFingerprint(it.File)); err != nil {
			return Unchanged, err
		}
		return Unchanged, putJSON(b.files, []byte(it.Path), f)
	}
	if b.tombstones.Get([]byte(it.File.Hash)) != nil {
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
	var a record
	if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
		return Unchanged, err
	}
	updated, err := b.setUpdated(f.Key, a.Updated, edited(later(a.Updated, a.Published), it.Updated))
	if err != nil {
		return Unchanged, err
	}
	a.Title, a.Paragraphs, a.Updated = it.Title, it.Paragraphs, updated
	if err := putJSON(b.articles, []byte(f.Key), a); err != nil {
		return Unchanged, err
	}
	return Updated, b.setFile(it.Path, f, it.File)
}

// add stores the article of a path not stored before.
func (b buckets) add(it Item) (Change, error) {
	change, key, published := Added, "", it.Published
	var t tombstone
	if err := getJSON(b.tombstones, []byte(it.File.Hash), &t); err == nil {
		change, key, published = Restored, b.freeKey(t.Key), t.Published
		if err := b.tombstones.Delete([]byte(it.File.Hash)); err != nil {
			return Unchanged, err
		}
	} else if !errors.Is(err, ErrNotFound) {
		return Unchanged, err
	} else {
		key = b.freeKey(article.Slug(it.Path))
	}
	updated, err := b.setUpdated(key, time.Time{}, later(it.Updated, published))
	if err != nil {
		return Unchanged, err
	}
	a := record{Path: it.Path, Title: it.Title, Paragraphs: it.Paragraphs, Published: published, Updated: updated}
	if err := putJSON(b.articles, []byte(key), a); err != nil {
		return Unchanged, err
	}
	if err := b.setFile(it.Path, file{Key: key}, it.File); err != nil {
		return Unchanged, err
	}
	return change, b.published.Put(dateKey(a.Published, key), nil)
}

// setFile records path's fingerprint, keeping the hash index in step.
func (b buckets) setFile(path string, f file, fp File) error {
	if f.Hash != "" {
		if err := b.hashes.Delete(hashKey(f.Hash, path)); err != nil {
			return err
		}
	}
	f.File = fp
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

// Move records that the file at from is now at it.Path: the article keeps
// its key and published date, takes its fingerprint and, if the content
// differs, its text as an edit, which moves Updated forward as in Put. An
// article stored at it.Path is removed.
func (s *Store) Move(from string, it Item) (Change, error) {
	count := 0
	err := s.update("move "+from, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		// A file renamed over another article replaces it: that article
		// is removed, and leaves its tombstone, as a deletion would.
		if ok, err := b.remove(it.Path); err != nil {
			return fmt.Errorf("move %s over %s: %w", from, it.Path, err)
		} else if ok {
			if err := b.addCount(-1); err != nil {
				return err
			}
		}
		var f file
		if err := getJSON(b.files, []byte(from), &f); err != nil {
			return fmt.Errorf("move %s: %w", from, err)
		}
		var a record
		if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
			return err
		}
		a.Path = it.Path
		if f.Hash != it.File.Hash {
			updated, err := b.setUpdated(f.Key, a.Updated, edited(later(a.Updated, a.Published), it.Updated))
			if err != nil {
				return err
			}
			a.Title, a.Paragraphs, a.Updated = it.Title, it.Paragraphs, updated
		}
		if err := putJSON(b.articles, []byte(f.Key), a); err != nil {
			return err
		}
		if err := b.hashes.Delete(hashKey(f.Hash, from)); err != nil {
			return err
		}
		if err := b.files.Delete([]byte(from)); err != nil {
			return err
		}
		if err := b.fingerprints.Delete([]byte(from)); err != nil {
			return err
		}
		if err := b.changed(); err != nil {
			return err
		}
		if err := b.setFile(it.Path, file{Key: f.Key}, it.File); err != nil {
			return err
		}
		var err error
		count, err = b.count()
		return err
	})
	if err != nil {
		return Unchanged, err
	}
	s.count.Store(int64(count))
	s.notify()
	return Moved, nil
}

// Remove deletes the articles stored at paths, ignoring paths it does not
// hold, and returns the paths it removed. Each leaves a tombstone under
// its content hash (see Put).
func (s *Store) Remove(paths ...string) ([]string, error) {
	var removed []string
	count := 0
	err := s.update("remove articles", func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		removed = removed[:0]
		for _, p := range paths {
			ok, err := b.remove(p)
			if err != nil {
				return fmt.Errorf("remove %s: %w", p, err)
			}
			if ok {
				removed = append(removed, p)
			}
		}
		if len(removed) > 0 {
			if err := b.changed(); err != nil {
				return err
			}
		}
		if err := b.addCount(-len(removed)); err != nil {
			return err
		}
		var err error
		count, err = b.count()
		return err
	})
	if err != nil {
		return nil, err
	}
	s.count.Store(int64(count))
	if len(removed) > 0 {
		s.notify()
	}
	return removed, nil
}

func (b buckets) remove(path string) (bool, error) {
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
	if err := putJSON(b.tombstones, []byte(f.Hash), tombstone{Key: f.Key, Path: path, Published: a.Published}); err != nil {
		return false, err
	}
	for _, err := range []error{
		b.published.Delete(dateKey(a.Published, f.Key)),
		b.deleteUpdated(a.Updated, f.Key),
		b.articles.Delete([]byte(f.Key)),
		b.hashes.Delete(hashKey(f.Hash, path)),
		b.fingerprints.Delete([]byte(path)),
		b.files.Delete([]byte(path)),
	} {
		if err != nil {
			return false, err
		}
	}
	return true, nil
}
