package watcher

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	seen := pollStored(t, h)
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
	for _, name := range seen() {
		if strings.HasPrefix(name, "tmp") {
			t.Errorf("the feeds showed a temporary name for a moment: %s", name)
		}
	}
	if n := h.log.Count("path=tmp"); n > 0 {
		t.Errorf("%d of %d temporary files were published a moment before their rename", n, runs)
	}
}

// pollStored reads h's store over and over until the returned function
// is called, and that function returns every key and path it saw stored.
func pollStored(t *testing.T, h *harness) func() []string {
	t.Helper()
	stop := make(chan struct{})
	result := make(chan []string, 1)
	go func() {
		seen := make(map[string]bool)
		for {
			select {
			case <-stop:
				result <- slices.Sorted(maps.Keys(seen))
				return
			default:
			}
			items, err := h.store.Entries()
			if err != nil {
				t.Error(err)
				result <- nil
				return
			}
			for _, it := range items {
				seen[it.Key], seen[it.Path] = true, true
			}
		}
	}()
	var once []string
	done := false
	t.Cleanup(func() {
		if !done {
			close(stop)
			<-result
		}
	})
	return func() []string {
		if !done {
			done = true
			close(stop)
			once = <-result
		}
		return once
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

func TestTemporary(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"tmpab_12cd3.txt", true},    // Python's tempfile
		{"tmpk2x9q0zz.TXT", true},    // any suffix's case
		{"tmp.Ab3dE5gH9k.txt", true}, // mktemp --suffix=.txt
		{"tmpAB_12cd3.txt", false},   // Python never uses capitals
		{"tmpab_12cd.txt", false},    // 7 characters
		{"tmpab_12cd34.txt", false},  // 9 characters
		{"tmp.Ab3dE_gH9k.txt", false},
		{"tmp-news.txt", false},
		{"tmpname.txt", false},
		{"خبر.txt", false},
		{"tmp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := temporary(tc.name); got != tc.want {
				t.Errorf("temporary(%q) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

// TestTemporaryNameLeftAlone: a file named like a temporary one that is
// never renamed is published under its name once Settle has passed.
func TestTemporaryNameLeftAlone(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "tmpab_12cd3.txt", "باقٍ\nفقرة")
	h.waitTitle(t, "tmpab_12cd3.txt", "باقٍ")
	if it, err := h.store.Article("tmpab_12cd3"); err != nil || it.Key != "tmpab_12cd3" {
		t.Errorf("Article(tmpab_12cd3) = key %q, %v", it.Key, err)
	}
}
