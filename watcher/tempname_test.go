package watcher

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mkstempScript is what Python programs do to write a file atomically:
// a temporary file named tmpXXXXXXXX.txt in the folder, written, synced,
// closed, then renamed to its name.
const mkstempScript = `import os, sys, tempfile
fd, tmp = tempfile.mkstemp(dir=sys.argv[1], suffix=".txt")
os.write(fd, sys.argv[3].encode())
os.fsync(fd)
os.close(fd)
os.replace(tmp, sys.argv[2])
`

// TestTemporaryNameNeverAnID runs Python's mkstemp and os.replace many
// times against a running watcher, to new names and over published ones:
// no article is ever stored, nor remembered in a tombstone, under the
// temporary name (issue 11, section 3).
func TestTemporaryNameNeverAnID(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	h := instantHarness(t) // an hour's settle: a window of chance cannot pass for a fix
	const runs = 30
	for i := range runs {
		name := fmt.Sprintf("خبر-%02d", i%20) // the last ten replace published ones
		title := fmt.Sprintf("عنوان %d", i)
		cmd := exec.Command("python3", "-c", mkstempScript, h.dir, filepath.Join(h.dir, name+".txt"), title+"\nفقرة")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("python3: %v\n%s", err, out)
		}
		h.waitTitle(t, name+".txt", title)
		if it, err := h.store.Article(name); err != nil || it.Key != name {
			t.Errorf("run %d: %s.txt has key %q (%v), want %s", i, name, it.Key, err, name)
		}
	}
	items, err := h.store.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 20 {
		t.Errorf("%d articles stored, want 20", len(items))
	}
	for _, it := range items {
		if strings.HasPrefix(it.Key, "tmp") || strings.HasPrefix(it.Path, "tmp") {
			t.Errorf("stored under a temporary name: key %q path %q", it.Key, it.Path)
		}
	}
	for _, tomb := range tombstones(t, h) {
		if strings.Contains(tomb, `"tmp`) {
			t.Errorf("a tombstone names a temporary file: %s", tomb)
		}
	}
	if n := h.log.Count("path=tmp"); n > 0 {
		t.Logf("%d of %d temporary files were published a moment before their rename", n, runs)
	}
}

// tombstones returns the tombstones of h's store, as stored, read from a
// copy of the database (the store holds the file's lock).
func tombstones(t *testing.T, h *harness) []string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := h.store.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(p, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("tombstones"))
		if b == nil {
			return fmt.Errorf("no tombstones bucket")
		}
		return b.ForEach(func(_, v []byte) error {
			out = append(out, string(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
