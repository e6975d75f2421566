package watcher

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu       sync.Mutex
	events   map[string]int
	rescans  map[string]int
	refused  map[string]int
	stored   map[storage.Change]int
	latency  []time.Duration
	unlinked int      // stored without a latency
	unlisted []string // names missing from the lists that metrics range over
}

func newRecorder() *recorder {
	return &recorder{events: map[string]int{}, rescans: map[string]int{}, refused: map[string]int{}, stored: map[storage.Change]int{}}
}

func (r *recorder) Event(op string)       { r.count(r.events, op, Events()) }
func (r *recorder) Rescan(reason string)  { r.count(r.rescans, reason, RescanReasons()) }
func (r *recorder) Refused(reason string) { r.count(r.refused, reason, Reasons()) }

// count counts name in m, and notes it as unlisted if list lacks it: a
// name the watcher passes but its list lacks has no series in the
// metrics, which range over the lists.
func (r *recorder) count(m map[string]int, name string, list []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m[name]++
	if !slices.Contains(list, name) {
		r.unlisted = append(r.unlisted, name)
	}
}

func (r *recorder) Stored(c storage.Change, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stored[c]++
	if d > 0 {
		r.latency = append(r.latency, d)
	} else {
		r.unlinked++
	}
}

// summary says what r was told; the caller holds r.mu.
func (r *recorder) summary() string {
	return fmt.Sprintf("events %v rescans %v refused %v stored %v latencies %v unlinked %d unlisted %q", r.events, r.rescans, r.refused, r.stored, r.latency, r.unlinked, r.unlisted)
}

func TestObserver(t *testing.T) {
	h := prepare(t, "")
	dir := h.dir
	os.WriteFile(filepath.Join(dir, "before.txt"), []byte("قبل"), 0o644)
	rec := newRecorder()
	w := h.watcher(t, Options{Observer: rec, Settle: 50 * time.Millisecond})
	if w.Err() == nil {
		t.Error("Err() = nil before Run")
	}
	h.run(t, w)
	// Moved in, not written: a file written and renamed within Settle is
	// a temporary file renamed into place, a publication and no move.
	h.writeAt(t, "a.txt", "أ", time.Now())
	h.waitTitle(t, "a.txt", "أ")
	h.write(t, "empty.txt", "")
	h.waitLog(t, "path=empty.txt")
	os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt"))
	h.waitTitle(t, "b.txt", "أ")
	os.Remove(filepath.Join(dir, "b.txt"))
	h.waitGone(t, "b.txt")
	h.wait(t, waitLimit, "the removal counted", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.stored[storage.Removed] == 1
	})
	// A mode change and a requested rescan, for their names.
	os.Chmod(filepath.Join(dir, "before.txt"), 0o600)
	if err := w.Rescan(context.Background()); err != nil {
		t.Fatalf("Rescan = %v", err)
	}
	if err := w.Err(); err != nil {
		t.Errorf("Err() = %v while running", err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := map[storage.Change]int{storage.Added: 2, storage.Moved: 1, storage.Removed: 1}
	for c, n := range want {
		if rec.stored[c] != n {
			t.Errorf("stored[%v] = %d, want %d (%s)", c, rec.stored[c], n, rec.summary())
		}
	}
	// before.txt came from the start-up scan: no event, no latency.
	if rec.unlinked != 1 || len(rec.latency) != 3 {
		t.Errorf("%d latencies and %d without, want 3 and 1 (%s)", len(rec.latency), rec.unlinked, rec.summary())
	}
	for _, d := range rec.latency {
		if d <= 0 || d > 5*time.Second {
			t.Errorf("latency %v out of range", d)
		}
	}
	if rec.refused["empty"] != 1 || rec.rescans["startup"] != 1 {
		t.Errorf("refused %v, rescans %v", rec.refused, rec.rescans)
	}
	if rec.events["close_write"] == 0 || rec.events["remove"] == 0 || rec.events["rename"] == 0 {
		t.Errorf("events %v lack close_write, remove or rename", rec.events)
	}
	// Each name the watcher passed is one that Events, RescanReasons or
	// Reasons lists.
	if len(rec.unlisted) > 0 {
		t.Errorf("the watcher passed names its lists lack: %q (%s)", rec.unlisted, rec.summary())
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{article.ErrEmpty, "empty"},
		{article.ErrBinary, "binary"},
		{article.ErrNotUTF8, "not_utf8"},
		{fmt.Errorf("%w nor windows-1256: x", article.ErrNotUTF8), "not_utf8"},
		{article.ErrDamagedUTF8, "damaged_utf8"},
		{article.ErrReplacement, "replacement_char"},
		{fmt.Errorf("%w: 9 bytes", errTooLarge), "too_large"},
		{errSymlink, "symlink"},
		{fmt.Errorf("%w (p)", errNotRegular), "not_regular"},
		{fmt.Errorf("%w: x", errBadName), "bad_name"},
		{fmt.Errorf("%w: x.jpg is 9 bytes", errImageTooLarge), "image_too_large"},
		{&os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}, "unreadable"},
		{errors.New("input/output error"), "unreadable"},
	} {
		got := Reason(tc.err)
		if got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
		if !slices.Contains(Reasons(), got) {
			t.Errorf("Reasons() = %q lacks %q, which Reason(%v) returns", Reasons(), got, tc.err)
		}
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"good.txt":     "عنوان\nفقرة",
		"sub/also.txt": "آخر",
		"empty.txt":    "",
		".hidden.txt":  "",
		"notes.md":     "",
		"notes.odt":    "",
		"photo.jpg":    "",
		"draft.md":     "---\ntitle: مسودة\ndraft: true\n---\nنص",
		"pictured.md":  "---\ntitle: مصور\nimage: none.jpg\n---\nنص",
		"big.md":       "---\ntitle: كبير\nimage: photo.jpg\n---\nنص",
		"twin.md":      "توأم",
		"twin.txt":     "توأم آخر",
		"dup.TXT":      "مكرر",
		"dup.txt":      "مكرر آخر",
		"alone.md":     "---\ntitle: مسودة\ndraft: true\n---\nنص",
		"alone.txt":    "وحيد", // a draft holds no URL
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	got := map[string]string{}
	os.WriteFile(filepath.Join(dir, "photo.jpg"), make([]byte, 11), 0o644)
	err := Check(dir, Options{MaxMediaSize: 10}, func(rel string, it storage.Item, err error) {
		switch {
		case errors.Is(err, ErrMissingImage):
			got[rel] = fmt.Sprintf("%s without %s: %v", it.Title, it.MissingImage, err)
		case err != nil:
			got[rel] = Reason(err)
		case it.Draft:
			got[rel] = "draft " + it.Title
		default:
			got[rel] = it.Title
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"good.txt": "عنوان", "sub/also.txt": "آخر", "empty.txt": "empty"}
	maps.Copy(want, map[string]string{"notes.md": "empty", "draft.md": "draft مسودة",
		"pictured.md": "مصور without none.jpg: image missing: none.jpg: no such file", "big.md": "image_too_large",
		"twin.md": "توأم", "twin.txt": "bad_name", "dup.TXT": "مكرر", "dup.txt": "bad_name",
		"alone.md": "draft مسودة", "alone.txt": "وحيد"})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Check reported %q, want %q", got, want)
	}
	if err := Check(filepath.Join(dir, "missing"), Options{}, nil); err == nil {
		t.Error("Check of a missing folder succeeded")
	}
}
