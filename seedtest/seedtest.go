// Package seedtest holds the test helpers that more than one of
// seedfeed's packages use, in the manner of bbolt's internal/btesting: a
// log buffer that goroutines write while a test reads, one way to wait
// for an event, and the database surgery that migration tests need.
//
// It imports none of seedfeed's packages, so that any package's own tests
// may use it. Nothing outside tests imports it.
package seedtest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// LogBuffer collects log output written by other goroutines while the test
// reads it. The zero value is ready to use.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Count returns how many lines written so far hold every one of parts.
func (l *LogBuffer) Count(parts ...string) int {
	n := 0
	for line := range strings.Lines(l.String()) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

// poll is how often Poll looks again: often enough that a test waits
// little past its event, seldom enough to leave the machine to the code
// under test.
const poll = 10 * time.Millisecond

// Poll calls cond until it reports true or limit passes, and reports
// whether it did. The limit bounds a wait for an event; it is never the
// event itself.
func Poll(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(poll)
	}
	return true
}

// WaitFor calls cond until it reports true, and fails the test naming
// what it waited for, with detail (the log, say), if limit passes first.
func WaitFor(tb testing.TB, limit time.Duration, what string, detail fmt.Stringer, cond func() bool) {
	tb.Helper()
	if !Poll(limit, cond) {
		if detail == nil {
			tb.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		tb.Fatalf("timed out after %v waiting for %s:\n%s", limit, what, detail)
	}
}

// The database layout that SetSchema and SchemaOf know (storage/doc.go).
var (
	bucketMeta         = []byte("meta")
	bucketFingerprints = []byte("fingerprints")
	keySchema          = []byte("schema")
	keyCount           = []byte("count")
)

// SetSchema rewrites the layout version of the closed seedfeed database at
// path. Going back to version 3 or before also drops what version 4 added
// (the fingerprints bucket and the count), so that Open has a real
// migration to do; a version from the future changes only the number.
func SetSchema(tb testing.TB, path, version string) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%s has no meta bucket", path)
		}
		if n, err := strconv.Atoi(version); err == nil && n <= 3 {
			if err := tx.DeleteBucket(bucketFingerprints); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if err := meta.Delete(keyCount); err != nil {
				return err
			}
		}
		return meta.Put(keySchema, []byte(version))
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// SchemaOf returns the layout version of the closed seedfeed database at
// path.
func SchemaOf(tb testing.TB, path string) string {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var v string
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%s has no meta bucket", path)
		}
		v = string(meta.Get(keySchema))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
