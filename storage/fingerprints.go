package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Fingerprint is what a scan compares with a file on disk: its size and
// modification time. The fingerprints bucket holds one for every stored
// file in 16 bytes, so that a scan of 100,000 files reads a few
// megabytes, not the files bucket's JSON.
type Fingerprint struct {
	Size    int64
	ModTime int64 // Unix nanoseconds
}

// releaseEvery is how many records a long read takes between two
// releases of the pages it mapped (see releaseMapped).
const releaseEvery = 4096

func encodeFingerprint(f File) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(f.Size))
	binary.BigEndian.PutUint64(b[8:], uint64(f.ModTime.UnixNano()))
	return b
}

// Fingerprints returns the size and modification time of every stored
// file, by path.
func (s *Store) Fingerprints() (map[string]Fingerprint, error) {
	var m map[string]Fingerprint
	err := s.view("read the fingerprints", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFingerprints)
		m = make(map[string]Fingerprint, s.Count())
		// The bucket's pages lie among the articles': let go of what
		// each stretch mapped (see releaseMapped), or the peak stays.
		defer releaseMapped(tx)
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 16 {
				return fmt.Errorf("fingerprint of %q: %d bytes, want 16", k, len(v))
			}
			m[string(k)] = Fingerprint{
				Size:    int64(binary.BigEndian.Uint64(v)),
				ModTime: int64(binary.BigEndian.Uint64(v[8:])),
			}
			if len(m)%releaseEvery == 0 {
				releaseMapped(tx)
			}
			return nil
		})
	})
	return m, err
}

// CompactFingerprints rewrites the fingerprints bucket in one transaction,
// its pages full and side by side. A large import writes each batch's
// fingerprints between that batch's articles; reading a page maps its
// neighbours too, so a start-up scan of such a bucket makes much of the
// database resident. Rewritten, the bucket takes a few contiguous
// megabytes for 100,000 files.
func (s *Store) CompactFingerprints() error {
	return s.update("compact the fingerprints", func(tx *bolt.Tx) error {
		old := tx.Bucket(bucketFingerprints)
		type kv struct{ k, v []byte }
		all := make([]kv, 0, s.Count())
		err := old.ForEach(func(k, v []byte) error {
			all = append(all, kv{bytes.Clone(k), bytes.Clone(v)})
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketFingerprints); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketFingerprints)
		if err != nil {
			return err
		}
		b.FillPercent = 1 // keys go in sorted: pages can be full
		for _, e := range all {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return nil
	})
}
