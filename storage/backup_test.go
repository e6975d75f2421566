package storage

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/seedtest"
)

// TestBackupAnyLayout: Backup copies a seedfeed database of an older or a
// newer layout, which Open refuses read-only, and leaves it as it is.
func TestBackupAnyLayout(t *testing.T) {
	for _, version := range []string{"3", "99"} {
		t.Run("schema "+version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustPut(t, s, testItem("a.txt", "a", "1", t0), testItem("b.txt", "b", "2", t0))
			s.Close()
			seedtest.SetSchema(t, path, version)
			if s, err := Open(path, Options{ReadOnly: true}); err == nil {
				s.Close()
				t.Fatalf("read-only Open of schema %s succeeded: Backup is not needed", version)
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			var out bytes.Buffer
			n, err := Backup(path, &out, 0)
			if err != nil || n != int64(out.Len()) || n == 0 {
				t.Fatalf("Backup = %d, %v; wrote %d bytes", n, err, out.Len())
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("Backup changed the database")
			}
			cp := filepath.Join(t.TempDir(), "copy.db")
			if err := os.WriteFile(cp, out.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := bolt.Open(cp, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(func(tx *bolt.Tx) error {
				if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != version {
					t.Errorf("the copy's schema = %q, want %q", v, version)
				}
				if n := tx.Bucket(bucketArticles).Stats().KeyN; n != 2 {
					t.Errorf("the copy holds %d articles, want 2", n)
				}
				return nil
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			if version == "3" {
				// The copy migrates as the original would.
				s, err := Open(cp, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if s.Count() != 2 {
					t.Errorf("the migrated copy counts %d articles, want 2", s.Count())
				}
				s.Close()
			}
		})
	}
}

func TestBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := Backup(missing, io.Discard, 0); err == nil {
		t.Error("Backup of a missing file succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Backup of a missing file created it (%v)", err)
	}

	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Backup(other, io.Discard, 0); !errors.Is(err, ErrForeign) {
		t.Errorf("Backup of another application's database = %v, want ErrForeign", err)
	}

	_, held := openTest(t)
	start := time.Now()
	if _, err := Backup(held, io.Discard, 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Errorf("Backup of a database a writer holds = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Backup took %v despite a 100ms lock timeout", d)
	}
}
