package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PageSize returns the number of articles an archive page holds (see
// ArchivePage); it is fixed while the store is open.
func (s *Store) PageSize() int { return int(s.pageSize) }

// Info returns what the store knows of the list l, or ErrNotFound when no
// article ever entered it. A list that all its articles left stays,
// empty, with its archive pages: they keep their numbers.
func (s *Store) Info(l List) (ListInfo, error) {
	var info ListInfo
	err := s.view("read list "+l.id(), func(tx *bolt.Tx) error {
		r, err := s.listReader(tx)
		if err != nil {
			return err
		}
		info, err = r.info(l, r.lists.Get([]byte(l.id())))
		return err
	})
	return info, err
}

// Lists returns the lists of kind k that hold an article, ordered by
// name (bytewise), each read from its own small record and one step of
// an index: 2,000 categories cost 2,000 of each, not their articles.
func (s *Store) Lists(k Kind) ([]ListInfo, error) {
	var infos []ListInfo
	err := s.view("list the "+k.String()+" lists", func(tx *bolt.Tx) error {
		r, err := s.listReader(tx)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		add := func(l List, v []byte) error {
			info, err := r.info(l, v)
			if err == nil && info.Count > 0 {
				infos = append(infos, info)
			}
			return err
		}
		if k == Main {
			if v := r.lists.Get([]byte(List{}.id())); v != nil {
				return add(List{}, v)
			}
			return nil
		}
		prefix := []byte(List{Kind: k}.id())
		c := r.lists.Cursor()
		for id, v := c.Seek(prefix); id != nil && bytes.HasPrefix(id, prefix); id, v = c.Next() {
			if err := add(listOfID(string(id)), v); err != nil {
				return err
			}
		}
		return nil
	})
	return infos, err
}

// NewestIn returns up to n articles of the list l, the most recently
// published first, reading n records through the list's index by date.
// A list no article ever entered has none.
func (s *Store) NewestIn(l List, n int) ([]Item, error) {
	if l.Kind == Main {
		return s.Newest(n)
	}
	var items []Item
	err := s.view("read the newest of "+l.id(), func(tx *bolt.Tx) error {
		members := tx.Bucket(bucketMembers)
		if members == nil {
			return nil
		}
		articles := tx.Bucket(bucketArticles)
		prefix := indexKey(l.id(), nil)
		c := members.Cursor()
		for k := lastWithPrefix(c, prefix); k != nil && bytes.HasPrefix(k, prefix) && len(items) < n; k, _ = c.Prev() {
			if len(k) < len(prefix)+8 {
				return fmt.Errorf("list index key %q is too short", k)
			}
			it, err := item(articles, string(k[len(prefix)+8:]))
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	return items, err
}

// lastWithPrefix moves c to the last key that starts with prefix, a list
// id and its NUL, and returns it, or nil when there is none.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	end := bytes.Clone(prefix)
	end[len(end)-1]++ // the NUL after the id: 1 sorts after every key of the list
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return k
}

// Page is one archive page of a list: the articles whose sequence
// numbers in the list (given as they enter it, see the package comment)
// fall in its range, oldest first.
type Page struct {
	// Number is the page's number, from 1, the oldest.
	Number int
	// Pages is the list's number of pages: the newest is Pages.
	Pages int
	// Full: a newer page exists, so no article can enter this one any
	// more and it links to the next. Only an edit, move or removal of
	// one of its own articles changes it from then on. The newest page
	// is never full, even when it holds PageSize articles: the next
	// article opens a page, and this one then links to it.
	Full bool
	// Changed is when an article last entered, left or changed in the
	// page, or it became full (the store's clock, as LastChange).
	Changed time.Time
	// Items are its articles, in the order they entered the list:
	// fewer than PageSize when some left, none when all did.
	Items []Item
}

// ArchivePage returns page n (from 1) of the list l, reading its own
// articles only. It returns ErrNotFound when the list has no page n.
func (s *Store) ArchivePage(l List, n int) (Page, error) {
	var p Page
	err := s.view(fmt.Sprintf("read page %d of %s", n, l.id()), func(tx *bolt.Tx) error {
		r, err := s.listReader(tx)
		if err != nil {
			return err
		}
		info, err := r.info(l, r.lists.Get([]byte(l.id())))
		if err != nil {
			return err
		}
		if n < 1 || n > info.Pages {
			return ErrNotFound
		}
		p = Page{Number: n, Pages: info.Pages, Full: n < info.Pages, Changed: r.since}
		id := l.id()
		if v := tx.Bucket(bucketPages).Get(seqKey(id, uint64(n))); len(v) == 8 {
			p.Changed = later(time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), r.since)
		}
		articles := tx.Bucket(bucketArticles)
		prefix, end := indexKey(id, nil), seqKey(id, uint64(n)*s.pageSize)
		c := tx.Bucket(bucketArchive).Cursor()
		for k, v := c.Seek(seqKey(id, uint64(n-1)*s.pageSize)); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, end) < 0; k, v = c.Next() {
			it, err := item(articles, string(v))
			if err != nil {
				return err
			}
			p.Items = append(p.Items, it)
		}
		return nil
	})
	return p, err
}

// PageOf returns the number of the archive page of the list l that holds
// the article whose key is key, or ErrNotFound when it is not in l. An
// article's page in a list never changes while it stays in the list:
// not when it is edited, renamed within the list's reach, or re-dated.
func (s *Store) PageOf(l List, key string) (int, error) {
	page := 0
	err := s.view("find the page of "+key, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMemberships)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		m, err := decodeMembership(key, v)
		if err != nil {
			return err
		}
		for _, e := range m.entries {
			if e.id == l.id() {
				page = int(pageOf(e.seq, s.pageSize))
				return nil
			}
		}
		return ErrNotFound
	})
	return page, err
}

// listReader reads the lists in one read transaction.
type listReader struct {
	tx    *bolt.Tx
	lists *bolt.Bucket
	size  uint64
	since time.Time // the archive settings' Since
}

// listReader returns a reader of the lists in tx.
func (s *Store) listReader(tx *bolt.Tx) (*listReader, error) {
	m, err := readArchiveMeta(tx.Bucket(bucketMeta))
	if err != nil {
		return nil, err
	}
	r := &listReader{tx: tx, lists: tx.Bucket(bucketLists), size: s.pageSize, since: m.Since}
	if r.lists == nil {
		return nil, ErrNotFound // read-only, and no seedfeed with lists wrote it
	}
	return r, nil
}

// info decodes v, the record of list l (nil for none: ErrNotFound), and
// adds what the indexes tell.
func (r *listReader) info(l List, v []byte) (ListInfo, error) {
	if v == nil {
		return ListInfo{}, ErrNotFound
	}
	var rec listRec
	if err := json.Unmarshal(v, &rec); err != nil {
		return ListInfo{}, fmt.Errorf("decode list %q: %w", l.id(), err)
	}
	info := ListInfo{List: l, Label: rec.Label, Count: rec.Count, Pages: int(pagesOf(rec.Next, r.size)), Changed: later(rec.Changed, r.since)}
	if l.Kind != Category || info.Label == "" {
		info.Label = l.Name
	}
	b, prefix := r.tx.Bucket(bucketMembers), indexKey(l.id(), nil)
	if l.Kind == Main {
		b, prefix = r.tx.Bucket(bucketPublished), nil
	}
	if k := lastKey(b.Cursor(), prefix); len(k) >= len(prefix)+8 {
		info.Newest = timeOfDateKey(k[len(prefix):])
	}
	return info, nil
}

// lastKey is the last key of c's bucket that starts with prefix (nil
// for every key).
func lastKey(c *bolt.Cursor, prefix []byte) []byte {
	if prefix == nil {
		k, _ := c.Last()
		return k
	}
	return lastWithPrefix(c, prefix)
}
