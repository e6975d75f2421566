package storage

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

var (
	// ErrNotFound is returned when no article matches.
	ErrNotFound = errors.New("not found")
	// ErrLocked is returned by Open and Backup when another process holds
	// the database.
	ErrLocked = errors.New("database is locked by another process")
	// ErrForeign is returned by Open for a file that is not a seedfeed
	// database, one written by a newer seedfeed, or one cut short (see
	// Open). Open never changes it.
	ErrForeign = errors.New("not a seedfeed database")
)

// DefaultLockTimeout is how long Open waits for another process to release
// the database when Options.LockTimeout is zero.
const DefaultLockTimeout = time.Second

// Item is one published article.
type Item struct {
	// Key is the article's identity: its slug (see article.Slug) when it
	// was first seen. Put assigns it; it never changes.
	Key string
	// Path is the file's current slash-separated path under the seeds folder.
	Path string
	// Article is what the file says, as article.Parse read it, and
	// Image.Size as the watcher found the local image.
	article.Article
	// MissingImage is the path under the seeds folder of the local image
	// the file names when that image is missing (Image is then nil), or
	// "". The store indexes articles by their local image, present or
	// missing (see PathsWithImage), so that its arrival, change or
	// removal reaches them.
	MissingImage string
	// Published is set when the article is first stored, to the
	// article's Date when it has one; an edit of Date moves it.
	Published time.Time
	// Updated moves forward when the file's content changes, or the
	// state of its local image; it is never before Published.
	Updated time.Time
	File    File
}

// Slug is the article's name in URLs: its current path without its
// article suffix (see article.Slug).
func (it Item) Slug() string { return article.Slug(it.Path) }

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
	// Restored: a removed article's file came back, perhaps under another
	// name; it has its key and published date again.
	Restored
	// Moved: a stored article's file has a new name.
	Moved
	// Removed: Remove took an article out.
	Removed
)

func (c Change) String() string {
	return [...]string{"unchanged", "added", "updated", "restored", "moved", "removed"}[c]
}

// Options configure Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock on the file.
	LockTimeout time.Duration
	// ReadOnly opens an existing database for reading only, beside other
	// readers; it must have this seedfeed's layout (Backup copies any).
	ReadOnly bool
	// PageSize is the number of articles of an archive page (see
	// ArchivePage); 0 keeps the database's, DefaultPageSize for a new
	// one. Another size than the database's renumbers every page: every
	// archive document changes once. A read-only store keeps the
	// database's.
	PageSize int
}

// Store is an open database. Its methods are safe for concurrent use.
type Store struct {
	db       *bolt.DB
	readOnly bool
	count    atomic.Int64 // the meta bucket's count, read without a transaction
	wedged   atomic.Bool  // bbolt kept its locks after a fault (see run)

	pageSize uint64 // the archive page size, fixed at Open

	mu      sync.Mutex
	changed chan struct{}
	log     changeLog
}

// Open opens the database at path, creating it if it does not exist.
// It refuses a damaged file without changing it, whether cut short (an
// error wrapping ErrForeign, found before bbolt maps the file) or with
// pages that fault or panic as it is opened and its layout checked (an
// error wrapping ErrCorrupt). Damage further in shows later, as errors
// wrapping ErrCorrupt from the methods that reach it.
func Open(path string, opts Options) (*Store, error) {
	if opts.PageSize < 0 {
		return nil, fmt.Errorf("open %s: archive page size %d", path, opts.PageSize)
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	db, err := openBolt(path, timeout, opts.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, readOnly: opts.ReadOnly, changed: make(chan struct{})}
	check, what := s.update, "initialize"
	if opts.ReadOnly {
		check, what = s.view, "check the layout"
	}
	err = check(what, func(tx *bolt.Tx) error {
		if err := initialize(tx); err != nil || !tx.Writable() {
			return err
		}
		return prepareLists(tx, uint64(opts.PageSize))
	})
	if err != nil {
		// The schema check failed; the database was not changed.
		_ = s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = s.view("read the article count", func(tx *bolt.Tx) error {
		n, err := strconv.Atoi(string(tx.Bucket(bucketMeta).Get(keyCount)))
		if err != nil {
			return fmt.Errorf("article count: %w", err)
		}
		s.count.Store(int64(n))
		m, err := readArchiveMeta(tx.Bucket(bucketMeta))
		s.pageSize = m.PageSize
		return err
	})
	if err != nil {
		_ = s.Close() // the read error is the one to report
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// Count returns the number of articles stored.
func (s *Store) Count() int { return int(s.count.Load()) }

// NoteRun records t as a moment a daemon ran on this database, when it is
// later than the one recorded: the watcher tells files that arrived while
// no daemon ran from files it has seen before by it (see LastRun).
func (s *Store) NoteRun(t time.Time) error {
	if s.readOnly {
		return errors.New("note run: the database is open read-only")
	}
	return s.update("note run", func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if prev, err := time.Parse(time.RFC3339Nano, string(meta.Get(keyRun))); err == nil && !t.After(prev) {
			return nil
		}
		return meta.Put(keyRun, []byte(t.UTC().Format(time.RFC3339Nano)))
	})
}

// NoteSettings records fingerprint, a digest of the settings that shape
// the bytes served (base URL, title, language, limit...), and reports
// whether the feeds may have changed with it: when it differs from the
// fingerprint recorded before, or when none was and articles are stored,
// it moves LastChange forward and signals Changed, as an edit does, so
// that a restart with new settings changes Last-Modified. An empty
// database has served nothing that could be stale.
func (s *Store) NoteSettings(fingerprint string) (bool, error) {
	if s.readOnly {
		return false, errors.New("note settings: the database is open read-only")
	}
	if fingerprint == "" {
		return false, errors.New("note settings: empty fingerprint")
	}
	// The same settings as last time, the usual restart, cost no write
	// (a commit is an fsync).
	same := false
	err := s.view("read the settings", func(tx *bolt.Tx) error {
		same = string(tx.Bucket(bucketMeta).Get(keySettings)) == fingerprint
		return nil
	})
	if err != nil || same {
		return false, err
	}
	changed := false
	err = s.update("note settings", func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		old := b.meta.Get(keySettings)
		switch {
		case old == nil:
			n, err := b.count()
			if err != nil {
				return err
			}
			changed = n > 0
		case string(old) == fingerprint:
			return nil
		default:
			changed = true
		}
		if changed {
			if _, err := b.changed(); err != nil {
				return err
			}
		}
		return b.meta.Put(keySettings, []byte(fingerprint))
	})
	if err != nil {
		return false, err
	}
	if changed {
		s.notify()
	}
	return changed, nil
}

// Check reports whether the database answers a read.
func (s *Store) Check() error {
	return s.view("check", func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta).Get(keySchema) == nil {
			return errors.New("schema version missing")
		}
		return nil
	})
}

// Close closes the database. A store that a fault left with bbolt's
// locks held (see ErrCorrupt) cannot close the file without waiting for
// them forever: it leaves it open and says so.
func (s *Store) Close() error {
	if s.wedged.Load() {
		return fmt.Errorf("close: %w: the file stays open until the process exits", ErrCorrupt)
	}
	return s.db.Close()
}

// Changed returns a channel that is closed at the next change that Put,
// Move, Remove or NoteSettings commits to what the feeds show.
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
