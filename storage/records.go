package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
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
// restored from a backup) gets its key, published and updated dates back:
// its content is the same. Tombstones from before Updated was kept have
// none, and the article comes back updated as a new one would be.
type tombstone struct {
	Key       string    `json:"key"`
	Path      string    `json:"path"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated,omitzero"`
}

func item(articles *bolt.Bucket, key string) (Item, error) {
	var a record
	if err := getJSON(articles, []byte(key), &a); err != nil {
		return Item{}, fmt.Errorf("article %q: %w", key, err)
	}
	return Item{Key: key, Path: a.Path, Article: article.Article{Title: a.Title, Paragraphs: a.Paragraphs}, Published: a.Published, Updated: a.Updated}, nil
}

// decodeFile decodes a files bucket value.
func decodeFile(k, v []byte) (file, error) {
	var f file
	if err := json.Unmarshal(v, &f); err != nil {
		return f, fmt.Errorf("decode file record %q: %w", k, err)
	}
	return f, nil
}

// dateKey is the published bucket's key: the time as sortable bytes, then key.
func dateKey(t time.Time, key string) []byte {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano())^(1<<63))
	return append(b, key...)
}

// hashKey is the hashes bucket's key: content hash, NUL, path.
func hashKey(hash, path string) []byte { return []byte(hash + "\x00" + path) }

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
