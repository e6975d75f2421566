package storage

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// LastChange returns when Put, Move or Remove last changed an article,
// or NoteSettings the settings, or the zero time if none ever did. It only
// moves forward: an HTTP Last-Modified derived from it changes whenever
// the feeds may have, deletions included, which the dates of the entries
// shown do not tell.
func (s *Store) LastChange() (time.Time, error) {
	return s.metaTime("read the last change", keyChanged)
}

// LastPublication returns when Put last added, updated or restored an
// article, or the zero time if it never did: for a metric that must not
// fall back to zero when the daemon restarts.
func (s *Store) LastPublication() (time.Time, error) {
	return s.metaTime("read the last publication", keyPublication)
}

// LastRun returns the last moment NoteRun recorded, or the zero time for
// a database no daemon has run on: a new database, or one from before
// NoteRun existed.
func (s *Store) LastRun() (time.Time, error) {
	return s.metaTime("read the last run", keyRun)
}

// metaTime reads the time stored under key in the meta bucket.
func (s *Store) metaTime(what string, key []byte) (time.Time, error) {
	var t time.Time
	err := s.view(what, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(key)
		if v == nil {
			return nil
		}
		var err error
		t, err = time.Parse(time.RFC3339Nano, string(v))
		return err
	})
	return t, err
}

// Newest returns up to n articles, the most recently published first.
// It reads n records through the date index, however many are stored.
func (s *Store) Newest(n int) ([]Item, error) {
	var items []Item
	err := s.view("read the newest articles", func(tx *bolt.Tx) error {
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

// Entries returns every article, the most recently published first,
// without its paragraphs: enough to list them, and small.
func (s *Store) Entries() ([]Item, error) {
	items := make([]Item, 0, s.Count())
	err := s.view("list the articles", func(tx *bolt.Tx) error {
		articles := tx.Bucket(bucketArticles)
		c := tx.Bucket(bucketPublished).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			var head struct {
				Path               string
				Title              string
				Published, Updated time.Time
			}
			if len(k) < 8 {
				return fmt.Errorf("date index key %q is too short", k)
			}
			key := k[8:]
			if err := getJSON(articles, key, &head); err != nil {
				return fmt.Errorf("article %q: %w", key, err)
			}
			items = append(items, Item{Key: string(key), Path: head.Path, Article: article.Article{Title: head.Title}, Published: head.Published, Updated: head.Updated})
		}
		return nil
	})
	return items, err
}

// Article returns the article whose file's slug (see Item.Slug) is slug.
// When no file has that slug, it looks for an article whose key is slug,
// that is, one first published under that name and renamed since: the
// returned Item's Slug then differs from slug.
func (s *Store) Article(slug string) (Item, error) {
	var it Item
	err := s.view("read article "+slug, func(tx *bolt.Tx) error {
		key := slug
		f, err := fileOfSlug(tx.Bucket(bucketFiles), slug)
		if err == nil {
			key = f.Key
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
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

// fileOfSlug returns the stored file whose slug is slug: its path is the
// slug and an article suffix, in whatever case the file has it.
func fileOfSlug(files *bolt.Bucket, slug string) (file, error) {
	k := pathOfSlug(files, slug, "")
	if k == nil {
		return file{}, ErrNotFound
	}
	return decodeFile(k, files.Get(k))
}

// pathOfSlug returns the first stored path other than except whose slug
// is slug, or nil. The bytes are valid only in the transaction.
func pathOfSlug(files *bolt.Bucket, slug, except string) []byte {
	c := files.Cursor()
	for _, pre := range article.SlugPrefixes(slug) {
		prefix := []byte(pre)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if p := string(k); p != except && article.Is(p) && article.Slug(p) == slug {
				return k
			}
		}
	}
	return nil
}

// SlugHolders returns, for each of paths that is not stored and whose
// slug (see Item.Slug) is that of a stored path, that path: two files
// whose names differ only in the case of their suffix would share a URL.
func (s *Store) SlugHolders(paths ...string) (map[string]string, error) {
	holders := make(map[string]string)
	err := s.view("find paths by slug", func(tx *bolt.Tx) error {
		files := tx.Bucket(bucketFiles)
		for _, p := range paths {
			if files.Get([]byte(p)) != nil {
				continue
			}
			if k := pathOfSlug(files, article.Slug(p), p); k != nil {
				holders[p] = string(k)
			}
		}
		return nil
	})
	return holders, err
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
