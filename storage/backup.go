package storage

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WriteTo writes a consistent copy of the whole database to w, from one
// read transaction: writers go on meanwhile.
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.view("copy the database", func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Backup writes a consistent copy of the database at path to w, for a
// backup taken while no daemon holds the file. Unlike Open, it accepts a
// seedfeed database of any layout version, older or newer: the copy is
// bbolt's pages as they are, and a backup is most wanted before the
// migration that Open would refuse to run read-only. It waits up to
// timeout (DefaultLockTimeout when zero) for a writer's lock, then
// fails with ErrLocked; damage fails as it does in Open.
func Backup(path string, w io.Writer, timeout time.Duration) (int64, error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("back up %s: %w", path, err)
	}
	db, err := openBolt(path, timeout, true)
	if err != nil {
		return 0, fmt.Errorf("back up %s: %w", path, err)
	}
	defer db.Close()
	var n int64
	err = guard("copy the database", func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				return fmt.Errorf("%w: no %q bucket", ErrForeign, bucketMeta)
			}
			if v, err := strconv.Atoi(string(meta.Get(keySchema))); err != nil || v < 1 {
				return fmt.Errorf("%w: schema version %q", ErrForeign, meta.Get(keySchema))
			}
			var err error
			n, err = tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", path, err)
	}
	return n, nil
}
