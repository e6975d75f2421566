package storage

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultPageSize is the number of articles an archive page holds in a
// database created while Options.PageSize was zero.
const DefaultPageSize = 100

// archiveMeta is the meta bucket's "archive" value: the archive page size,
// and the moment from which pages without a stamp of their own date.
type archiveMeta struct {
	PageSize uint64    `json:"page_size"`
	Since    time.Time `json:"since"`
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

// prepareLists creates the lists' buckets in a database that lacks them
// and fills them from the stored articles; it does the same when a
// seedfeed that did not keep them (one from before them) wrote since this
// one last did, which the meta bucket's "lists" value tells: it is the
// "changed" value as this seedfeed last wrote it. A size other than the
// recorded one (0 keeps it) renumbers every archive page: each is
// stamped anew.
func prepareLists(tx *bolt.Tx, size uint64) error {
	fresh := tx.Bucket(bucketLists) == nil
	for _, name := range [][]byte{bucketLists, bucketMembers, bucketArchive, bucketPages, bucketMemberships} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	b := bucketsOf(tx)
	now := time.Now().UTC()
	m, err := getArchiveMeta(b.meta)
	switch {
	case errors.Is(err, ErrNotFound):
		m = archiveMeta{PageSize: cmp.Or(size, DefaultPageSize), Since: now}
	case err != nil:
		return fmt.Errorf("archive settings: %w", err)
	case size != 0 && size != m.PageSize:
		m = archiveMeta{PageSize: size, Since: now}
		if err := b.clearPages(tx); err != nil {
			return err
		}
	}
	if err := putJSON(b.meta, keyArchive, m); err != nil {
		return err
	}
	if !fresh && bytes.Equal(b.meta.Get(keyLists), b.meta.Get(keyChanged)) {
		return nil
	}
	if err := b.reconcile(); err != nil {
		return fmt.Errorf("rebuild the lists: %w", err)
	}
	if err := b.clearPages(tx); err != nil {
		return err
	}
	return putJSON(b.meta, keyArchive, archiveMeta{PageSize: m.PageSize, Since: now})
}

func getArchiveMeta(meta *bolt.Bucket) (archiveMeta, error) {
	var m archiveMeta
	if err := getJSON(meta, keyArchive, &m); err != nil {
		return m, err
	}
	if m.PageSize == 0 {
		return m, errors.New("page size 0")
	}
	return m, nil
}

// clearPages forgets every archive page's stamp: they all date from the
// archive settings' Since.
func (b *buckets) clearPages(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bucketPages); err != nil {
		return err
	}
	var err error
	b.pages, err = tx.CreateBucket(bucketPages)
	return err
}

// reconcile makes the lists hold every stored article where its path and
// categories put it, and nothing else, in one transaction: an article
// already in a list keeps its place, one missing enters it, and
// memberships of articles gone leave. The caller stamps every page anew,
// since what the articles say may have changed meanwhile.
func (b buckets) reconcile() error {
	b.lx.quiet = true
	var gone [][]byte
	err := b.memberships.ForEach(func(k, _ []byte) error {
		if b.articles.Get(k) == nil {
			gone = append(gone, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range gone {
		if err := b.relist(string(k), nil); err != nil {
			return err
		}
	}
	// Only what places an article in its lists: paragraphs and body are
	// skipped by the decoder, not kept.
	type head struct {
		Path       string    `json:"path"`
		Categories []string  `json:"categories"`
		Published  time.Time `json:"published"`
	}
	var keys []string
	var heads []head
	err = b.articles.ForEach(func(k, v []byte) error {
		var h head
		if err := json.Unmarshal(v, &h); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		keys, heads = append(keys, string(k)), append(heads, h)
		return nil
	})
	if err != nil {
		return err
	}
	for i, h := range heads {
		if err := b.relist(keys[i], &record{Path: h.Path, Categories: h.Categories, Published: h.Published}); err != nil {
			return err
		}
	}
	if _, err := b.finish(time.Now().UTC()); err != nil {
		return err
	}
	return b.syncListsStamp()
}

// syncListsStamp records that the lists follow every write so far (see
// prepareLists).
func (b buckets) syncListsStamp() error {
	if v := b.meta.Get(keyChanged); v != nil {
		return b.meta.Put(keyLists, v)
	}
	return b.meta.Delete(keyLists)
}
