package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// record is the stored form of an Item in the articles bucket.
type record struct {
	Path       string    `json:"path"`
	Title      string    `json:"title"`
	Paragraphs []string  `json:"paragraphs"`
	Published  time.Time `json:"published"`
	Updated    time.Time `json:"updated"`
}

// file is the stored form of a path in the files bucket.
type file struct {
	Key string `json:"key"`
	File
}

// tombstone remembers a removed article by the hash of its file, so that
// the same file coming back (renamed, moved while the daemon was down,
// restored from a backup) gets its key and published date back.
type tombstone struct {
	Key       string    `json:"key"`
	Path      string    `json:"path"`
	Published time.Time `json:"published"`
}

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

// Fingerprint is what a scan compares with a file on disk: its size and
// modification time. The fingerprints bucket holds one for every stored
// file in 16 bytes, so that a scan of 100,000 files reads a few
// megabytes, not the files bucket's JSON.
type Fingerprint struct {
	Size    int64
	ModTime int64 // Unix nanoseconds
}

func encodeFingerprint(f File) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(f.Size))
	binary.BigEndian.PutUint64(b[8:], uint64(f.ModTime.UnixNano()))
	return b
}

// hashKey is the hashes bucket's key: content hash, NUL, path.
func hashKey(hash, path string) []byte { return []byte(hash + "\x00" + path) }

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

func later(t, floor time.Time) time.Time {
	if t.Before(floor) {
		return floor
	}
	return t
}

// edited returns the updated date of an article edited now whose updated
// date was prev and whose file is dated mod: the file's date when it is
// later, else now. A version copied in with its older date (rsync -t,
// cp -p) is an edit all the same: moving the date back would date the
// new text before the text readers already have.
func edited(prev, mod time.Time) time.Time {
	if mod.After(prev) {
		return mod
	}
	// Feeds show milliseconds; the monotonic reading must not reach the JSON.
	if now := time.Now().UTC().Truncate(time.Millisecond); now.After(prev) {
		return now
	}
	return prev.Add(updatedStep)
}

// updatedStep separates articles updated at the same moment: validators
// warn about two entries with one updated date, and a batch of files
// copied at once often shares a modification time.
const updatedStep = time.Millisecond

// uniqueUpdated returns t, or the first moment after t in steps of
// updatedStep that no article's updated date holds. One cursor walks the
// index from t to the first free step, and the transaction remembers
// where it stopped for t: n files sharing a date cost n steps, not n².
func (b buckets) uniqueUpdated(t time.Time) time.Time {
	base := t.UnixNano()
	if next, ok := b.nextUpdated[base]; ok {
		t = next
	}
	want := dateKey(t, "")
	c := b.updated.Cursor()
	for k, _ := c.Seek(want); k != nil; k, _ = c.Next() {
		cmp := bytes.Compare(k[:min(len(k), 8)], want)
		if cmp > 0 {
			break // t is free
		}
		if cmp == 0 {
			t = t.Add(updatedStep)
			want = dateKey(t, "")
		}
	}
	b.nextUpdated[base] = t
	return t
}

// deleteUpdated takes key's entry at t out of the updated index. The step
// it frees is free again for uniqueUpdated in this transaction too.
func (b buckets) deleteUpdated(t time.Time, key string) error {
	d := t.UnixNano()
	for base, next := range b.nextUpdated {
		if n := next.UnixNano(); base <= d && d < n && (d-base)%int64(updatedStep) == 0 {
			b.nextUpdated[base] = next.Add(time.Duration(d - n))
		}
	}
	return b.updated.Delete(dateKey(t, key))
}

// setUpdated moves key's entry in the updated index from old (zero for
// none) to a unique moment at or after t, and returns that moment.
func (b buckets) setUpdated(key string, old, t time.Time) (time.Time, error) {
	if !old.IsZero() {
		if err := b.deleteUpdated(old, key); err != nil {
			return t, err
		}
	}
	t = b.uniqueUpdated(t)
	return t, b.updated.Put(dateKey(t, key), nil)
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

// PathsWithHash returns the stored paths whose file has the content hash.
func (s *Store) PathsWithHash(hash string) ([]string, error) {
	var paths []string
	err := s.view("find paths by hash", func(tx *bolt.Tx) error {
		prefix := hashKey(hash, "")
		c := tx.Bucket(bucketHashes).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			paths = append(paths, string(k[len(prefix):]))
		}
		return nil
	})
	return paths, err
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

// decodeFile decodes a files bucket value.
func decodeFile(k, v []byte) (file, error) {
	var f file
	if err := json.Unmarshal(v, &f); err != nil {
		return f, fmt.Errorf("decode file record %q: %w", k, err)
	}
	return f, nil
}

// CompactFingerprints rewrites the fingerprints bucket in one transaction,
// its pages full and side by side. A large import writes each batch's
// fingerprints between that batch's articles; reading a page maps its
// neighbours too, so a start-up scan of such a bucket makes much of the
// database resident. Rewritten, the bucket takes a few contiguous
// megabytes for 100,000 files.
func (s *Store) CompactFingerprints() error {
	return s.update("compact the fingerprints", func(tx *bolt.Tx) error {
		old := tx.Bucket(bucketFingerprints)
		type kv struct{ k, v []byte }
		all := make([]kv, 0, s.Count())
		err := old.ForEach(func(k, v []byte) error {
			all = append(all, kv{bytes.Clone(k), bytes.Clone(v)})
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketFingerprints); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketFingerprints)
		if err != nil {
			return err
		}
		b.FillPercent = 1 // keys go in sorted: pages can be full
		for _, e := range all {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return nil
	})
}
