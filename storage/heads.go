package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// ArchiveHeads returns page n of the list l as ArchivePage does, but with
// only each article's Key, Path, Published and Updated: what a sitemap
// lists. It reads each record up to its updated date, which comes before
// the body (see record), and lets go of the pages the read mapped (see
// releaseMapped): a sitemap of 100,000 articles reads every page of the
// main list, and would otherwise decode every body and leave the whole
// database counted in the daemon's memory.
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

// decodeHead decodes a record's path, published and updated dates, and
// stops there; the other fields before them are skipped, not kept.
func decodeHead(data []byte) (Item, error) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return it, fmt.Errorf("not a JSON object: %v", err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return it, err
		}
		var dst any
		switch t {
		case "path":
			dst = &it.Path
		case "published":
			dst = &it.Published
		case "updated":
			dst = &it.Updated
		default:
			dst = new(json.RawMessage)
		}
		if err := dec.Decode(dst); err != nil {
			return it, err
		}
		if t == "updated" {
			return it, nil // what follows is the body and the front matter
		}
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return it, err
	}
	return it, nil
}
