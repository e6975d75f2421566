package storage

import (
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout described in the package comment. Version 1
// had no updated bucket; version 2 had no hashes and tombstones buckets;
// version 3 had no fingerprints bucket and no count.
const schemaVersion = 4

var (
	bucketMeta         = []byte("meta")
	bucketArticles     = []byte("articles")
	bucketFiles        = []byte("files")
	bucketPublished    = []byte("published")
	bucketUpdated      = []byte("updated")
	bucketHashes       = []byte("hashes")
	bucketTombstones   = []byte("tombstones")
	bucketFingerprints = []byte("fingerprints")
	bucketImages       = []byte("images")
	bucketLists        = []byte("lists")
	keySchema          = []byte("schema")
	keyCount           = []byte("count")
	keyChanged         = []byte("changed")
	keySettings        = []byte("settings")
	keyPublication     = []byte("publication")
	keyRun             = []byte("run")
	keyArchive         = []byte("archive")
	keySections        = []byte("sections") // when a section last changed
	keyLists           = []byte("lists")
)

// migrations[v] turns layout v into layout v+1.
var migrations = map[int]func(*bolt.Tx) error{
	1: addUpdatedIndex,
	2: addHashIndex,
	3: addFingerprints,
}

// initialize creates the buckets of an empty database, refuses a foreign
// or newer one, and migrates an older one in place.
// In a read-only transaction it only checks that the layout is current.
func initialize(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil && !tx.Writable() {
		return fmt.Errorf("%w: no %q bucket", ErrForeign, bucketMeta)
	}
	if meta == nil {
		empty := true
		if err := tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil }); err != nil {
			return err
		}
		if !empty {
			return fmt.Errorf("%w: it has buckets but no %q bucket", ErrForeign, bucketMeta)
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return err
		}
		if err := meta.Put(keyCount, []byte("0")); err != nil {
			return err
		}
	}
	v, err := strconv.Atoi(string(meta.Get(keySchema)))
	if err != nil || v < 1 {
		return fmt.Errorf("%w: schema version %q", ErrForeign, meta.Get(keySchema))
	}
	if v > schemaVersion {
		return fmt.Errorf("%w: schema version %d is newer than this seedfeed's %d", ErrForeign, v, schemaVersion)
	}
	if !tx.Writable() {
		if v < schemaVersion {
			return fmt.Errorf("schema version %d is older than this seedfeed's %d: start the daemon once to migrate it", v, schemaVersion)
		}
		return nil
	}
	// The images bucket came without a version: it starts empty in a
	// database of version 4 written before it, whose articles name no
	// image, and a seedfeed of before it ignores it.
	for _, name := range [][]byte{bucketArticles, bucketFiles, bucketPublished, bucketUpdated, bucketHashes, bucketTombstones, bucketFingerprints, bucketImages} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	for ; v < schemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
}

// addUpdatedIndex builds the updated index that schema 1 lacked, making
// every article's updated date unique on the way.
func addUpdatedIndex(tx *bolt.Tx) error {
	b := bucketsOf(tx)
	type rec struct {
		key string
		a   record
	}
	var recs []rec
	err := b.articles.ForEach(func(k, v []byte) error {
		var a record
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		recs = append(recs, rec{string(k), a})
		return nil
	})
	if err != nil {
		return err
	}
	// Rewriting values while a cursor walks the bucket could skip keys.
	for _, r := range recs {
		r.a.Updated = b.uniqueUpdated(r.a.Updated)
		if err := b.updated.Put(dateKey(r.a.Updated, r.key), nil); err != nil {
			return err
		}
		if err := putJSON(b.articles, []byte(r.key), r.a); err != nil {
			return err
		}
	}
	return nil
}

// addHashIndex builds the index of files by content hash that schema 2
// lacked; its tombstones bucket starts empty.
func addHashIndex(tx *bolt.Tx) error {
	b := bucketsOf(tx)
	return b.files.ForEach(func(k, v []byte) error {
		f, err := decodeFile(k, v)
		if err != nil {
			return err
		}
		return b.hashes.Put(hashKey(f.Hash, string(k)), nil)
	})
}

// addFingerprints builds the fingerprints bucket and the article count
// that schema 3 lacked.
func addFingerprints(tx *bolt.Tx) error {
	b := bucketsOf(tx)
	n := 0
	err := b.files.ForEach(func(k, v []byte) error {
		f, err := decodeFile(k, v)
		if err != nil {
			return err
		}
		n++
		return b.fingerprints.Put(k, encodeFingerprint(f.File))
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyCount, []byte(strconv.Itoa(n)))
}
