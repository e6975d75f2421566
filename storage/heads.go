package storage

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ArchiveHeads returns page n of the list l as ArchivePage does, but with
// only each article's Key, Path, Published and Updated: what a sitemap
// lists. It keeps nothing else of each record, and lets go of the pages
// the read mapped (see releaseMapped): a sitemap of 100,000 articles reads
// every page of the main list, and would otherwise decode every body and
// leave the whole database counted in the daemon's memory.
func (s *Store) ArchiveHeads(l List, n int) (Page, error) {
	return s.archivePage(l, n, head, true)
}

// head reads the record of key up to its updated date.
func head(articles *bolt.Bucket, key string) (Item, error) {
	data := articles.Get([]byte(key))
	if data == nil {
		return Item{}, fmt.Errorf("article %q: %w", key, ErrNotFound)
	}
	it, err := decodeHead(data)
	if err != nil {
		return Item{}, fmt.Errorf("decode %q: %w", key, err)
	}
	it.Key = key
	return it, nil
}

// decodeHead decodes a record's path and dates. Unmarshalling into a
// struct of three fields skips the others (text, body, front matter)
// without keeping them: it costs less than a whole record's decoding, and
// reads the record as encoding/json does, whatever the order of its keys.
func decodeHead(data []byte) (Item, error) {
	var h struct {
		Path      string    `json:"path"`
		Published time.Time `json:"published"`
		Updated   time.Time `json:"updated"`
	}
	var it Item
	if err := json.Unmarshal(data, &h); err != nil {
		return it, err
	}
	it.Path, it.Published, it.Updated = h.Path, h.Published, h.Updated
	return it, nil
}
