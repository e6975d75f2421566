package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// NewestInAt returns up to n articles of the list l, the most recently
// published first, skipping the offset newest: page offset/n+1 of a list
// shown n to a page. It steps over the skipped keys of the list's index
// by date without decoding their records, so a deep page costs a cursor
// walk, not the articles before it. A list no article ever entered has
// none.
func (s *Store) NewestInAt(l List, offset, n int) ([]Item, error) {
	var items []Item
	err := s.view(fmt.Sprintf("read the newest of %s from %d", l.id(), offset), func(tx *bolt.Tx) error {
		// The main list's index by date is the published bucket, which
		// a database without lists has too.
		c, prefix := tx.Bucket(bucketPublished).Cursor(), []byte(nil)
		k, _ := c.Last()
		if l.Kind != Main {
			lists := tx.Bucket(bucketLists)
			if lists == nil {
				return nil // read-only, and no seedfeed with lists wrote it
			}
			c, prefix = lists.Cursor(), listKey(l.id(), tagRecent, nil)
			k = lastWithPrefix(c, prefix)
		}
		keys, err := articleKeys(c, k, prefix, offset, n)
		if err != nil {
			return err
		}
		articles := tx.Bucket(bucketArticles)
		items = make([]Item, len(keys))
		for i, key := range keys {
			if items[i], err = item(articles, key); err != nil {
				return err
			}
		}
		return nil
	})
	return items, err
}

// articleKeys walks an index by date back from its key k, skips offset
// keys and returns the article keys of the next n at most: the date
// (8 bytes) after prefix, then the article's key.
func articleKeys(c *bolt.Cursor, k, prefix []byte, offset, n int) ([]string, error) {
	var keys []string
	for i := 0; k != nil && len(keys) < n; i++ {
		if i >= offset {
			if len(k) < len(prefix)+8 {
				return nil, fmt.Errorf("date index key %q is too short", k)
			}
			keys = append(keys, string(k[len(prefix)+8:]))
		}
		k = prevKey(c, prefix)
	}
	return keys, nil
}

// prevKey moves c back one key and returns it if it starts with prefix
// (any key, for a nil prefix), else nil.
func prevKey(c *bolt.Cursor, prefix []byte) []byte {
	if prefix == nil {
		k, _ := c.Prev()
		return k
	}
	return prevWithPrefix(c, prefix)
}
