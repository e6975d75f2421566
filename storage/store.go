package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout described in the package comment.
// Version 1 had no updated bucket.
const schemaVersion = 2

var (
	bucketMeta      = []byte("meta")
	bucketArticles  = []byte("articles")
	bucketFiles     = []byte("files")
	bucketPublished = []byte("published")
	bucketUpdated   = []byte("updated")
	keySchema       = []byte("schema")
)

var (
	// ErrNotFound is returned when no article matches.
	ErrNotFound = errors.New("not found")
	// ErrLocked is returned by Open when another process holds the database.
	ErrLocked = errors.New("database is locked by another process")
	// ErrForeign is returned by Open for a file that is not a seedfeed
	// database, or one written by a newer seedfeed. Open never changes it.
	ErrForeign = errors.New("not a seedfeed database")
)

// DefaultLockTimeout is how long Open waits for another process to release
// the database when Options.LockTimeout is zero.
const DefaultLockTimeout = time.Second

// Item is one published article.
type Item struct {
	// Key is the article's identity: its path without ".txt" when it was
	// first seen. Put assigns it; it never changes.
	Key string
	// Path is the file's current slash-separated path under the seeds folder.
	Path       string
	Title      string
	Paragraphs []string
	// Published is set once, when the article is first stored.
	Published time.Time
	// Updated moves forward when the file's content changes.
	Updated time.Time
	File    File
}

// Slug is the article's name in URLs: its current path without ".txt".
func (it Item) Slug() string { return strings.TrimSuffix(it.Path, ".txt") }

// File is the fingerprint of an article's file.
type File struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	// Hash is the hex SHA-256 of the file's bytes.
	Hash string `json:"sha256"`
}

// Change says what Put did with one item.
type Change int

const (
	// Unchanged: the content was already stored (at most the fingerprint moved).
	Unchanged Change = iota
	// Added: a new article.
	Added
	// Updated: new content for a stored article.
	Updated
)

func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Updated:
		return "updated"
	default:
		return "unchanged"
	}
}

// Options configure Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock on the file.
	LockTimeout time.Duration
}

// Store is an open database. Its methods are safe for concurrent use.
type Store struct {
	db *bolt.DB

	mu      sync.Mutex
	changed chan struct{}
}

// Open opens the database at path, creating it if it does not exist.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrVersionMismatch), errors.Is(err, bolt.ErrChecksum):
		return nil, fmt.Errorf("open %s: %w (%v)", path, ErrForeign, err)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.Update(initialize); err != nil {
		// The schema check failed; the database was not changed.
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db, changed: make(chan struct{})}, nil
}

// initialize creates the buckets of an empty database and checks the
// schema of an existing one.
func initialize(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		if err := tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil }); err != nil {
			return err
		}
		if !empty {
			return fmt.Errorf("%w: it has buckets but no %q bucket", ErrForeign, bucketMeta)
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return err
		}
	}
	v, err := strconv.Atoi(string(meta.Get(keySchema)))
	if err != nil || v < 1 {
		return fmt.Errorf("%w: schema version %q", ErrForeign, meta.Get(keySchema))
	}
	if v > schemaVersion {
		return fmt.Errorf("%w: schema version %d is newer than this seedfeed's %d", ErrForeign, v, schemaVersion)
	}
	for _, name := range [][]byte{bucketArticles, bucketFiles, bucketPublished, bucketUpdated} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if v == 1 {
		if err := migrate1(tx); err != nil {
			return fmt.Errorf("migrate schema 1 to 2: %w", err)
		}
	}
	return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
}

// migrate1 builds the updated index that schema 1 lacked, making every
// article's updated date unique on the way.
func migrate1(tx *bolt.Tx) error {
	b := bucketsOf(tx)
	type rec struct {
		key string
		a   article
	}
	var recs []rec
	err := b.articles.ForEach(func(k, v []byte) error {
		var a article
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		recs = append(recs, rec{string(k), a})
		return nil
	})
	if err != nil {
		return err
	}
	// Rewriting values while a cursor walks the bucket could skip keys.
	for _, r := range recs {
		r.a.Updated = b.uniqueUpdated(r.a.Updated)
		if err := b.updated.Put(dateKey(r.a.Updated, r.key), nil); err != nil {
			return err
		}
		if err := putJSON(b.articles, []byte(r.key), r.a); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Changed returns a channel that is closed at the next change that Put or
// Remove commits to what the feeds show.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Store) notify() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// article is the stored form of an Item in the articles bucket.
type article struct {
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

// Put stores items in one transaction, each under its Path. An article
// already stored at that path keeps its Key and Published date; when its
// content hash differs, its title, paragraphs and Updated are replaced
// (Updated never moves before Published). A new path gets a new key and
// keeps the Published date it comes with. The result says, item by item,
// what changed.
func (s *Store) Put(items ...Item) ([]Change, error) {
	changes := make([]Change, len(items))
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, it := range items {
			c, err := put(tx, it)
			if err != nil {
				return fmt.Errorf("put %s: %w", it.Path, err)
			}
			changes[i] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if c != Unchanged {
			s.notify()
			break
		}
	}
	return changes, nil
}

// buckets are the buckets of one transaction.
type buckets struct {
	files, articles, published, updated *bolt.Bucket
}

func bucketsOf(tx *bolt.Tx) buckets {
	return buckets{
		files:     tx.Bucket(bucketFiles),
		articles:  tx.Bucket(bucketArticles),
		published: tx.Bucket(bucketPublished),
		updated:   tx.Bucket(bucketUpdated),
	}
}

// updatedStep separates articles updated at the same moment: validators
// warn about two entries with one updated date, and a batch of files
// copied at once often shares a modification time.
const updatedStep = time.Millisecond

// uniqueUpdated returns t, or the first moment after t in steps of
// updatedStep that no article's updated date holds.
func (b buckets) uniqueUpdated(t time.Time) time.Time {
	c := b.updated.Cursor()
	for {
		prefix := dateKey(t, "")
		if k, _ := c.Seek(prefix); k == nil || !bytes.HasPrefix(k, prefix) {
			return t
		}
		t = t.Add(updatedStep)
	}
}

// setUpdated moves key's entry in the updated index from old (zero for
// none) to a unique moment at or after t, and returns that moment.
func (b buckets) setUpdated(key string, old, t time.Time) (time.Time, error) {
	if !old.IsZero() {
		if err := b.updated.Delete(dateKey(old, key)); err != nil {
			return t, err
		}
	}
	t = b.uniqueUpdated(t)
	return t, b.updated.Put(dateKey(t, key), nil)
}

func put(tx *bolt.Tx, it Item) (Change, error) {
	b := bucketsOf(tx)
	var f file
	if v := b.files.Get([]byte(it.Path)); v != nil {
		if err := json.Unmarshal(v, &f); err != nil {
			return Unchanged, fmt.Errorf("decode file record: %w", err)
		}
		if f.Hash == it.File.Hash {
			if f.File == it.File {
				return Unchanged, nil
			}
			f.File = it.File
			return Unchanged, putJSON(b.files, []byte(it.Path), f)
		}
		var a article
		if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
			return Unchanged, err
		}
		updated, err := b.setUpdated(f.Key, a.Updated, later(it.Updated, a.Published))
		if err != nil {
			return Unchanged, err
		}
		a.Title, a.Paragraphs, a.Updated = it.Title, it.Paragraphs, updated
		f.File = it.File
		if err := putJSON(b.articles, []byte(f.Key), a); err != nil {
			return Unchanged, err
		}
		return Updated, putJSON(b.files, []byte(it.Path), f)
	}

	key := freeKey(b.articles, strings.TrimSuffix(it.Path, ".txt"))
	updated, err := b.setUpdated(key, time.Time{}, later(it.Updated, it.Published))
	if err != nil {
		return Unchanged, err
	}
	a := article{Path: it.Path, Title: it.Title, Paragraphs: it.Paragraphs, Published: it.Published, Updated: updated}
	if err := putJSON(b.articles, []byte(key), a); err != nil {
		return Unchanged, err
	}
	if err := putJSON(b.files, []byte(it.Path), file{Key: key, File: it.File}); err != nil {
		return Unchanged, err
	}
	return Added, b.published.Put(dateKey(a.Published, key), nil)
}

// freeKey returns want, or want with the smallest numeric suffix that no
// stored article uses: a key stays with its article when the file is
// renamed, so a new file at the old path needs another one.
func freeKey(articles *bolt.Bucket, want string) string {
	key := want
	for n := 2; articles.Get([]byte(key)) != nil; n++ {
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

// Remove deletes the articles stored at paths, ignoring paths it does not
// hold, and reports how many it removed.
func (s *Store) Remove(paths ...string) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0 // Update may not be retried, but keep the count honest if it is.
		for _, p := range paths {
			ok, err := remove(tx, p)
			if err != nil {
				return fmt.Errorf("remove %s: %w", p, err)
			}
			if ok {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.notify()
	}
	return n, nil
}

func remove(tx *bolt.Tx, path string) (bool, error) {
	b := bucketsOf(tx)
	var f file
	v := b.files.Get([]byte(path))
	if v == nil {
		return false, nil
	}
	if err := json.Unmarshal(v, &f); err != nil {
		return false, fmt.Errorf("decode file record: %w", err)
	}
	var a article
	if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
		return false, err
	}
	for _, err := range []error{
		b.published.Delete(dateKey(a.Published, f.Key)),
		b.updated.Delete(dateKey(a.Updated, f.Key)),
		b.articles.Delete([]byte(f.Key)),
		b.files.Delete([]byte(path)),
	} {
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// Newest returns up to n articles, the most recently published first.
// It reads n records through the date index, however many are stored.
func (s *Store) Newest(n int) ([]Item, error) {
	var items []Item
	err := s.db.View(func(tx *bolt.Tx) error {
		articles := tx.Bucket(bucketArticles)
		c := tx.Bucket(bucketPublished).Cursor()
		for k, _ := c.Last(); k != nil && len(items) < n; k, _ = c.Prev() {
			if len(k) < 8 {
				return fmt.Errorf("date index key %q is too short", k)
			}
			key := string(k[8:])
			it, err := item(articles, key)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	return items, err
}

// Article returns the article whose slug (its path without ".txt") is
// slug. When no file has that slug, it looks for an article whose key is
// slug, that is, one first published under that name and renamed since:
// the returned Item's Slug then differs from slug.
func (s *Store) Article(slug string) (Item, error) {
	var it Item
	err := s.db.View(func(tx *bolt.Tx) error {
		key := slug
		var f file
		if err := getJSON(tx.Bucket(bucketFiles), []byte(slug+".txt"), &f); err == nil {
			key = f.Key
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		var err error
		it, err = item(tx.Bucket(bucketArticles), key)
		if err != nil {
			return err
		}
		if err := getJSON(tx.Bucket(bucketFiles), []byte(it.Path), &f); err != nil {
			return fmt.Errorf("file %q: %w", it.Path, err)
		}
		it.File = f.File
		return nil
	})
	return it, err
}

func item(articles *bolt.Bucket, key string) (Item, error) {
	var a article
	if err := getJSON(articles, []byte(key), &a); err != nil {
		return Item{}, fmt.Errorf("article %q: %w", key, err)
	}
	return Item{Key: key, Path: a.Path, Title: a.Title, Paragraphs: a.Paragraphs, Published: a.Published, Updated: a.Updated}, nil
}

// Files returns the fingerprint of every stored file by path.
func (s *Store) Files() (map[string]File, error) {
	m := make(map[string]File)
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFiles).ForEach(func(k, v []byte) error {
			var f file
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode file record %q: %w", k, err)
			}
			m[string(k)] = f.File
			return nil
		})
	})
	return m, err
}

// dateKey is the published bucket's key: the time as sortable bytes, then key.
func dateKey(t time.Time, key string) []byte {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano())^(1<<63))
	return append(b, key...)
}

func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return ErrNotFound
	}
	// Unmarshal copies what it keeps, so nothing outlives the transaction.
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %q: %w", k, err)
	}
	return nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}
