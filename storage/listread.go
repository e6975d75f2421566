package storage

import (
	"bytes"
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
		info, err = r.info(l)
		return err
	})
	return info, err
}

// Lists returns the lists of kind k that hold an article, ordered by
// name (bytewise), each read from its own small record and one step of
// its index by date: 2,000 categories cost 2,000 of each, not their
// articles.
func (s *Store) Lists(k Kind) ([]ListInfo, error) {
	var infos []ListInfo
	err := s.view("list the "+k.String()+" lists", func(tx *bolt.Tx) error {
		// Each list's keys lie where its last write left them: 2,000
		// categories' map 100 MiB of the file (see releaseMapped).
		defer releaseMapped(tx)
		r, err := s.listReader(tx)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		prefix := []byte(List{Kind: k}.id())
		if k == Main {
			prefix = append(prefix, 0) // the main list's id is the whole of "m"
		}
		c := r.lists.Cursor()
		for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); {
			id, err := idOfKey(key)
			if err != nil {
				return err
			}
			info, err := r.info(listOfID(string(id)))
			if err != nil {
				return err
			}
			if info.Count > 0 {
				infos = append(infos, info)
			}
			// The next list's keys start after every key of this one.
			key, _ = c.Seek(append(bytes.Clone(id), 1))
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
		lists := tx.Bucket(bucketLists)
		if lists == nil {
			return nil // read-only, and no seedfeed with lists wrote it
		}
		articles := tx.Bucket(bucketArticles)
		prefix := listKey(l.id(), tagRecent, nil)
		c := lists.Cursor()
		for k := lastWithPrefix(c, prefix); k != nil && len(items) < n; k = prevWithPrefix(c, prefix) {
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

// lastWithPrefix moves c to the last key that starts with prefix (a list
// id, its NUL and a tag), and returns it, or nil when there is none.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	end := bytes.Clone(prefix)
	end[len(end)-1]++ // the tag: the next one sorts after every key of this one
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

// prevWithPrefix moves c back one key and returns it if it starts with
// prefix, else nil.
func prevWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	if k, _ := c.Prev(); k != nil && bytes.HasPrefix(k, prefix) {
		return k
	}
	return nil
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
func (s *Store) ArchivePage(l List, n int) (Page, error) { return s.archivePage(l, n, item, false) }

// archivePage returns page n of the list l with its articles as read
// reads each, and lets go of the pages it mapped if release says so (see
// releaseMapped).
func (s *Store) archivePage(l List, n int, read func(*bolt.Bucket, string) (Item, error), release bool) (Page, error) {
	var p Page
	err := s.view(fmt.Sprintf("read page %d of %s", n, l.id()), func(tx *bolt.Tx) error {
		if release {
			defer releaseMapped(tx)
		}
		r, err := s.listReader(tx)
		if err != nil {
			return err
		}
		rec, err := r.record(l)
		if err != nil {
			return err
		}
		pages := int(pagesOf(rec.Next, s.pageSize))
		if n < 1 || n > pages {
			return ErrNotFound
		}
		p = Page{Number: n, Pages: pages, Full: n < pages, Changed: later(rec.NewestPage, r.since)}
		id := l.id()
		if p.Full {
			p.Changed = r.since
			if v := r.lists.Get(numKey(id, tagPage, uint64(n))); v != nil {
				t, err := decodeUint("page stamp", v)
				if err != nil {
					return err
				}
				p.Changed = later(time.Unix(0, int64(t)).UTC(), r.since)
			}
		}
		p.Items, err = r.pageItems(id, uint64(n-1)*s.pageSize, uint64(n)*s.pageSize, read)
		return err
	})
	return p, err
}

// pageItems returns the articles of the list id whose sequence numbers
// are in [from, to).
func (r *listReader) pageItems(id string, from, to uint64, read func(*bolt.Bucket, string) (Item, error)) ([]Item, error) {
	var items []Item
	articles := r.tx.Bucket(bucketArticles)
	end := numKey(id, tagArchive, to)
	c := r.lists.Cursor()
	for k, v := c.Seek(numKey(id, tagArchive, from)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		it, err := read(articles, string(v))
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// PageOf returns the number of the archive page of the list l that holds
// the article whose key is key, or ErrNotFound when it is not in l. An
// article's page in a list never changes while it stays in the list:
// not when it is edited, renamed within the list's reach, or re-dated.
func (s *Store) PageOf(l List, key string) (int, error) {
	page := 0
	err := s.view("find the page of "+key, func(tx *bolt.Tx) error {
		r, err := s.listReader(tx)
		if err != nil {
			return err
		}
		var head struct {
			Published time.Time `json:"published"`
		}
		if err := getJSON(tx.Bucket(bucketArticles), []byte(key), &head); err != nil {
			return err
		}
		v := r.lists.Get(recentKey(l.id(), head.Published, key))
		if v == nil {
			return ErrNotFound
		}
		seq, err := decodeUint("sequence number", v)
		page = int(pageOf(seq, s.pageSize))
		return err
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

// listReader returns a reader of the lists in tx, or ErrNotFound when
// the database has none (read-only, and no seedfeed with lists wrote it).
func (s *Store) listReader(tx *bolt.Tx) (*listReader, error) {
	m, err := readArchiveMeta(tx.Bucket(bucketMeta))
	if err != nil {
		return nil, err
	}
	r := &listReader{tx: tx, lists: tx.Bucket(bucketLists), size: s.pageSize, since: m.Since}
	if r.lists == nil {
		return nil, ErrNotFound
	}
	return r, nil
}

// record returns the record of list l, or ErrNotFound.
func (r *listReader) record(l List) (listRec, error) {
	var rec listRec
	v := r.lists.Get(listKey(l.id(), tagInfo, nil))
	if v == nil {
		return rec, ErrNotFound
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("decode list %q: %w", l.id(), err)
	}
	return rec, nil
}

// info returns what the record of list l and its index by date tell.
func (r *listReader) info(l List) (ListInfo, error) {
	rec, err := r.record(l)
	if err != nil {
		return ListInfo{}, err
	}
	info := ListInfo{List: l, Label: rec.Label, Count: rec.Count, Pages: int(pagesOf(rec.Next, r.size)), Changed: later(rec.Changed, r.since)}
	if l.Kind != Category || info.Label == "" {
		info.Label = l.Name
	}
	prefix := listKey(l.id(), tagRecent, nil)
	if k := lastWithPrefix(r.lists.Cursor(), prefix); len(k) >= len(prefix)+8 {
		info.Newest = timeOfDateKey(k[len(prefix):])
	}
	return info, nil
}
