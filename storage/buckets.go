package storage

import (
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSections holds the folders' sections (see SectionMeta). It is not
// among the buckets of one transaction: the articles' writes never touch
// it, and it exists only once a section was stored.
var bucketSections = []byte("sections")

// bucketSubscriptions and bucketDeliveries hold the WebSub hub's
// subscriptions and pending deliveries (see Subscription, Delivery).
// Like sections, they are created at their first write, in a database
// of any layout.
var (
	bucketSubscriptions = []byte("subscriptions")
	bucketDeliveries    = []byte("deliveries")
	// bucketTopicDigests holds, by topic, a digest of the bytes last
	// published to the hub (see TopicDigests).
	bucketTopicDigests = []byte("topic-digests")
)

// buckets are the buckets of one transaction.
type buckets struct {
	meta, files, articles, published, updated, hashes, tombstones, fingerprints, images *bolt.Bucket
	// lists is nil in a database opened read-only that has none.
	lists *bolt.Bucket
	lx    *listTx
	// nextUpdated maps a time (Unix nanoseconds) that uniqueUpdated was
	// asked for to the first of its steps not known to be taken: a batch
	// of files sharing a modification time does not walk past the dates
	// it already handed out, once per file.
	nextUpdated map[int64]time.Time
}

func bucketsOf(tx *bolt.Tx) buckets {
	b := buckets{
		meta:         tx.Bucket(bucketMeta),
		files:        tx.Bucket(bucketFiles),
		articles:     tx.Bucket(bucketArticles),
		published:    tx.Bucket(bucketPublished),
		updated:      tx.Bucket(bucketUpdated),
		hashes:       tx.Bucket(bucketHashes),
		tombstones:   tx.Bucket(bucketTombstones),
		fingerprints: tx.Bucket(bucketFingerprints),
		images:       tx.Bucket(bucketImages),
		lists:        tx.Bucket(bucketLists),
		lx:           newListTx(),
		nextUpdated:  make(map[int64]time.Time),
	}
	if b.lists != nil {
		// A list's entries mostly arrive at the end of its ranges (the
		// next sequence number, the newest date): split pages can be
		// nearly full.
		b.lists.FillPercent = listFill
	}
	return b
}

// listFill is the fill percent of the lists bucket (see bucketsOf).
const listFill = 0.9

// changed records in the meta bucket that what the feeds show changed
// now, never moving the moment back (see Store.LastChange), and returns
// that moment. The lists follow the change (see prepareLists).
func (b buckets) changed() (time.Time, error) {
	t := time.Now().UTC()
	if prev, err := time.Parse(time.RFC3339Nano, string(b.meta.Get(keyChanged))); err == nil && !t.After(prev) {
		t = prev.Add(time.Nanosecond) // a clock set back must not move it back
	}
	v := []byte(t.Format(time.RFC3339Nano))
	if err := b.meta.Put(keyChanged, v); err != nil {
		return t, err
	}
	return t, b.meta.Put(keyLists, v)
}

// count returns the article count kept in the meta bucket.
func (b buckets) count() (int, error) {
	n, err := strconv.Atoi(string(b.meta.Get(keyCount)))
	if err != nil {
		return 0, fmt.Errorf("article count: %w", err)
	}
	return n, nil
}

// addCount adds d to the article count kept in the meta bucket.
func (b buckets) addCount(d int) error {
	if d == 0 {
		return nil
	}
	n, err := b.count()
	if err != nil {
		return err
	}
	return b.meta.Put(keyCount, []byte(strconv.Itoa(n+d)))
}
