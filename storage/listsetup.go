package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultPageSize is the number of articles an archive page holds in a
// database created while Options.PageSize was zero. It is seedfeed's
// default -limit: a list's subscription feed holds its newest -limit
// articles and every article of its open archive page (RFC 5005: only
// full pages are archive documents), so that it holds at most about
// twice -limit entries, usually -limit. A database keeps the size it was
// created with.
const DefaultPageSize = 50

// archiveMeta is the meta bucket's "archive" value: the archive page size,
// and the moment before which no page is dated (see prepareLists).
type archiveMeta struct {
	PageSize uint64    `json:"page_size"`
	Since    time.Time `json:"since"`
}

func getArchiveMeta(meta *bolt.Bucket) (archiveMeta, error) {
	var m archiveMeta
	if err := getJSON(meta, keyArchive, &m); err != nil {
		return m, err
	}
	if m.PageSize == 0 {
		return m, errors.New("archive page size 0")
	}
	return m, nil
}

// readArchiveMeta reads the archive settings; a database without them
// (read-only, from before the lists) has the default size since ever.
func readArchiveMeta(meta *bolt.Bucket) (archiveMeta, error) {
	m, err := getArchiveMeta(meta)
	if errors.Is(err, ErrNotFound) {
		return archiveMeta{PageSize: DefaultPageSize}, nil
	}
	return m, err
}

// pageSize returns the archive page size, read once per transaction.
func (b buckets) pageSize() uint64 {
	if b.lx.size == 0 {
		m, _ := readArchiveMeta(b.meta) // prepareLists checked it: an error cannot be
		b.lx.size = max(m.PageSize, 1)
	}
	return b.lx.size
}

// prepareLists creates the lists bucket in a database that lacks it and
// fills it from the stored articles; it does the same when a seedfeed
// that did not keep the lists (one from before them) wrote since this one
// last did, which the meta bucket's "lists" value tells: it is the
// "changed" value as this seedfeed last wrote it. A size other than the
// recorded one (0 keeps it) renumbers every archive page. Either dates
// every page from now: the archive settings' Since.
func prepareLists(tx *bolt.Tx, size uint64) error {
	fresh := tx.Bucket(bucketLists) == nil
	if _, err := tx.CreateBucketIfNotExists(bucketLists); err != nil {
		return err
	}
	b := bucketsOf(tx)
	now := time.Now().UTC()
	m, err := getArchiveMeta(b.meta)
	switch {
	case errors.Is(err, ErrNotFound) && size == 0:
		m = archiveMeta{PageSize: DefaultPageSize, Since: now}
	case errors.Is(err, ErrNotFound):
		m = archiveMeta{PageSize: size, Since: now}
	case err != nil:
		return fmt.Errorf("archive settings: %w", err)
	case size != 0 && size != m.PageSize:
		m = archiveMeta{PageSize: size, Since: now}
	}
	if !fresh && bytes.Equal(b.meta.Get(keyLists), b.meta.Get(keyChanged)) {
		return putJSON(b.meta, keyArchive, m)
	}
	m.Since = now
	if err := putJSON(b.meta, keyArchive, m); err != nil {
		return err
	}
	if err := b.reconcile(); err != nil {
		return fmt.Errorf("rebuild the lists: %w", err)
	}
	return nil
}

// reconcile makes the lists hold every stored article where its record
// files it, and nothing else, in one transaction: an article already
// there keeps its place, one missing enters, and entries that no record
// files (their article gone, moved or re-dated meanwhile) leave. The
// caller dates every page anew, since what the articles say may have
// changed meanwhile.
func (b buckets) reconcile() error {
	b.lx.quiet = true
	keys, filings, err := b.filings()
	if err != nil {
		return err
	}
	type filed struct {
		id, key   string
		published time.Time
	}
	var stale []filed
	c := b.lists.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		id, err := idOfKey(k)
		if err != nil {
			return err
		}
		rest := k[len(id)+1:]
		if rest[0] != tagRecent || len(rest) < 9 {
			continue
		}
		f := filed{string(id), string(rest[9:]), timeOfDateKey(rest[1:])}
		h, ok := filings[f.key]
		if !ok || !h.published.Equal(f.published) || !slices.Contains(h.lists, listOfID(f.id)) {
			stale = append(stale, f)
		}
	}
	for _, f := range stale { // not while the cursor walks: it could skip
		if err := b.leave(f.id, f.key, f.published); err != nil {
			return err
		}
	}
	for _, key := range keys {
		h := filings[key]
		for _, l := range h.lists {
			if b.lists.Get(recentKey(l.id(), h.published, key)) == nil {
				if err := b.enter(l.id(), key, h.published, ""); err != nil {
					return err
				}
			}
		}
	}
	if _, err := b.finish(time.Now().UTC()); err != nil {
		return err
	}
	return b.syncListsStamp()
}

// filing is where a stored record files its article: its lists and its
// published date.
type filing struct {
	lists     []List
	published time.Time
}

// filings reads every stored article's filing, and returns the keys in
// order.
func (b buckets) filings() ([]string, map[string]filing, error) {
	// Only what files an article: paragraphs and body are skipped by the
	// decoder, not kept.
	type head struct {
		Path       string    `json:"path"`
		Categories []string  `json:"categories"`
		Published  time.Time `json:"published"`
	}
	var keys []string
	filings := make(map[string]filing)
	err := b.articles.ForEach(func(k, v []byte) error {
		var h head
		if err := json.Unmarshal(v, &h); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		keys = append(keys, string(k))
		filings[string(k)] = filing{listsOf(h.Path, h.Categories), h.Published}
		return nil
	})
	return keys, filings, err
}

// syncListsStamp records that the lists follow every write so far (see
// prepareLists).
func (b buckets) syncListsStamp() error {
	if v := b.meta.Get(keyChanged); v != nil {
		return b.meta.Put(keyLists, v)
	}
	return b.meta.Delete(keyLists)
}
