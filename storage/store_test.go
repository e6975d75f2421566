package storage

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// openTest opens a store in a fresh temporary folder and closes it at the
// end of the test.
func openTest(tb testing.TB) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "test.db")
	s, err := Open(path, Options{})
	if err != nil {
		tb.Fatalf("Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

var t0 = time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)

func testItem(path, title, hash string, at time.Time) Item {
	return Item{
		Path:      path,
		Article:   article.Article{Title: title, Paragraphs: []string{"فقرة " + title}},
		Published: at,
		Updated:   at,
		File:      File{Size: 10, ModTime: at, Hash: hash},
	}
}

func mustPut(tb testing.TB, s *Store, items ...Item) []Change {
	tb.Helper()
	c, err := s.Put(items...)
	if err != nil {
		tb.Fatalf("Put = %v", err)
	}
	return c
}

func TestPutKeepsKeyAndPublished(t *testing.T) {
	s, _ := openTest(t)
	if c := mustPut(t, s, testItem("أخبار/مقال.txt", "أول", "h1", t0)); c[0] != Added {
		t.Fatalf("first Put = %v, want added", c[0])
	}
	// Same content, newer modification time (touch): nothing the feeds show changes.
	if c := mustPut(t, s, testItem("أخبار/مقال.txt", "أول", "h1", t0.Add(time.Hour))); c[0] != Unchanged {
		t.Fatalf("Put of same hash = %v, want unchanged", c[0])
	}
	// New content: updated moves, published and key stay.
	if c := mustPut(t, s, testItem("أخبار/مقال.txt", "ثان", "h2", t0.Add(2*time.Hour))); c[0] != Updated {
		t.Fatalf("Put of new hash = %v, want updated", c[0])
	}
	it, err := s.Article("أخبار/مقال")
	if err != nil {
		t.Fatal(err)
	}
	want := Item{
		Key: "أخبار/مقال", Path: "أخبار/مقال.txt", Article: article.Article{Title: "ثان", Paragraphs: []string{"فقرة ثان"}},
		Published: t0, Updated: t0.Add(2 * time.Hour),
		File: File{Size: 10, ModTime: t0.Add(2 * time.Hour), Hash: "h2"},
	}
	if fmt.Sprint(it) != fmt.Sprint(want) {
		t.Errorf("Article = %+v\nwant      %+v", it, want)
	}
	// The touch above recorded the new fingerprint without changing the feed.
	fps, err := s.Fingerprints()
	if err != nil {
		t.Fatal(err)
	}
	if f := fps["أخبار/مقال.txt"]; f.Size != 10 || f.ModTime != t0.Add(2*time.Hour).UnixNano() || len(fps) != 1 {
		t.Errorf("Fingerprints() = %+v", fps)
	}
}

func TestUpdatedNeverBeforePublished(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "h1", t0))
	mustPut(t, s, testItem("a.txt", "b", "h2", t0.Add(-time.Hour))) // an older file copied over it
	it, err := s.Article("a")
	if err != nil {
		t.Fatal(err)
	}
	if !it.Updated.After(t0) || !it.Published.Equal(t0) {
		t.Errorf("published, updated = %v, %v; want %v and later", it.Published, it.Updated, t0)
	}
}

func TestNewestOrderAndLimit(t *testing.T) {
	s, _ := openTest(t)
	var items []Item
	for i := range 10 {
		// Stored out of order, with two sharing a date.
		at := t0.Add(time.Duration((i*7)%10) * time.Minute)
		items = append(items, testItem(fmt.Sprintf("%02d.txt", i), fmt.Sprint(i), fmt.Sprint(i), at))
	}
	items = append(items, testItem("dup.txt", "dup", "dup", t0.Add(9*time.Minute)))
	mustPut(t, s, items...)

	got, err := s.Newest(4)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, it := range got {
		paths = append(paths, it.Path)
	}
	// 07.txt has minute 9 like dup.txt; ties go by key, descending.
	want := []string{"dup.txt", "07.txt", "04.txt", "01.txt"}
	if !slices.Equal(paths, want) {
		t.Errorf("Newest(4) = %v, want %v", paths, want)
	}
	all, err := s.Newest(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 11 {
		t.Errorf("len(Newest(100)) = %d, want 11", len(all))
	}
}

func TestRemove(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "ha", t0), testItem("b.txt", "b", "hb", t0.Add(time.Minute)))
	removed, err := s.Remove("a.txt", "missing.txt")
	if err != nil || !slices.Equal(removed, []string{"a.txt"}) {
		t.Fatalf("Remove = %q, %v; want [a.txt], nil", removed, err)
	}
	if _, err := s.Article("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(a) after Remove = %v, want ErrNotFound", err)
	}
	got, err := s.Newest(10)
	if err != nil || len(got) != 1 || got[0].Path != "b.txt" {
		t.Errorf("Newest after Remove = %v, %v; want [b.txt]", got, err)
	}
	fps, err := s.Fingerprints()
	if _, ok := fps["b.txt"]; err != nil || len(fps) != 1 || !ok {
		t.Errorf("Fingerprints after Remove = %v, %v", fps, err)
	}
	// The key is free again, and the same path gets the same key.
	mustPut(t, s, testItem("a.txt", "a", "ha", t0))
	if it, err := s.Article("a"); err != nil || it.Key != "a" {
		t.Errorf("Article(a) after re-adding = %+v, %v", it, err)
	}
}

func TestMoveKeepsIdentity(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "first", "h1", t0))
	moved := testItem("sub/b.txt", "first", "h1", t0.Add(time.Hour))
	if c, err := s.Move("a.txt", moved); err != nil || c != Moved {
		t.Fatalf("Move = %v, %v", c, err)
	}
	it, err := s.Article("sub/b")
	if err != nil || it.Key != "a" || !it.Published.Equal(t0) || it.Path != "sub/b.txt" {
		t.Errorf("Article(sub/b) = %+v, %v; want key a, published %v", it, err, t0)
	}
	// The old name finds the article, which now has another slug.
	if old, err := s.Article("a"); err != nil || old.Slug() != "sub/b" {
		t.Errorf("Article(a) = %+v, %v; want the moved article", old, err)
	}
	if paths, err := s.PathsWithHash("h1"); err != nil || len(paths) != 1 || paths[0] != "sub/b.txt" {
		t.Errorf("PathsWithHash(h1) = %q, %v", paths, err)
	}
	// A new a.txt must not take over the moved article's key.
	mustPut(t, s, testItem("a.txt", "second", "h2", t0.Add(2*time.Hour)))
	it, err = s.Article("a")
	if err != nil || it.Key != "a-2" || it.Title != "second" {
		t.Errorf("Article(a) = %+v, %v; want key a-2, title second", it, err)
	}
	if _, err := s.Move("missing.txt", testItem("c.txt", "", "h3", t0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Move of a path not stored = %v, want ErrNotFound", err)
	}
	// Moving over a stored article is an edit of that article (issue 11:
	// a MOVED_TO onto a published name), and a removal of the moved one,
	// which leaves its tombstone.
	mustPut(t, s, testItem("c.txt", "c", "hc", t0.Add(3*time.Hour)))
	target, _ := s.Article("sub/b")
	before := s.Count()
	if c, err := s.Move("c.txt", testItem("sub/b.txt", "c", "hc", t0.Add(3*time.Hour))); err != nil || c != Updated {
		t.Fatalf("Move over a stored path = %v, %v; want updated", c, err)
	}
	it, err = s.Article("sub/b")
	if err != nil || it.Key != target.Key || it.Title != "c" || !it.Published.Equal(target.Published) || !it.Updated.After(target.Updated) {
		t.Errorf("after moving c.txt over sub/b.txt: %+v, %v; want key %s, title c, published %v, updated after %v",
			it, err, target.Key, target.Published, target.Updated)
	}
	if _, err := s.Article("c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(c) after its move over sub/b.txt = %v; want ErrNotFound", err)
	}
	if s.Count() != before-1 {
		t.Errorf("count %d, want %d", s.Count(), before-1)
	}
	if c := mustPut(t, s, testItem("back.txt", "c", "hc", t0.Add(9*time.Hour))); c[0] != Restored {
		t.Errorf("the moved article's content came back as %v, want restored", c[0])
	}
	if it, err := s.Article("back"); err != nil || it.Key != "c" {
		t.Errorf("Article(back) = key %q, %v; want c", it.Key, err)
	}
}

func TestLastChange(t *testing.T) {
	s, _ := openTest(t)
	if lc, err := s.LastChange(); err != nil || !lc.IsZero() {
		t.Fatalf("LastChange of a new store = %v, %v", lc, err)
	}
	var last time.Time
	step := func(what string, f func()) {
		t.Helper()
		f()
		lc, err := s.LastChange()
		if err != nil || !lc.After(last) {
			t.Errorf("after %s LastChange = %v (%v), not after %v", what, lc, err, last)
		}
		last = lc
	}
	step("an addition", func() { mustPut(t, s, testItem("a.txt", "a", "1", t0)) })
	// An old file added later, and a deletion: neither moves the newest
	// entry's date forward, but the last change must.
	step("an old file", func() { mustPut(t, s, testItem("old.txt", "o", "2", t0.Add(-time.Hour))) })
	step("a removal", func() { s.Remove("a.txt") })
	lc, _ := s.LastChange()
	mustPut(t, s, testItem("old.txt", "o", "2", t0.Add(-time.Hour))) // nothing changes
	if again, _ := s.LastChange(); !again.Equal(lc) {
		t.Errorf("an unchanged put moved LastChange from %v to %v", lc, again)
	}
}

// TestLastPublication: additions and edits move it, a removal does not,
// and it outlives the store being closed.
func TestLastPublication(t *testing.T) {
	s, path := openTest(t)
	if lp, err := s.LastPublication(); err != nil || !lp.IsZero() {
		t.Fatalf("LastPublication of a new store = %v, %v", lp, err)
	}
	mustPut(t, s, testItem("a.txt", "a", "1", t0))
	first, err := s.LastPublication()
	if err != nil || first.IsZero() {
		t.Fatalf("after an addition LastPublication = %v, %v", first, err)
	}
	time.Sleep(2 * time.Millisecond)
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	if lp, _ := s.LastPublication(); !lp.Equal(first) {
		t.Errorf("a removal moved LastPublication from %v to %v", first, lp)
	}
	mustPut(t, s, testItem("b.txt", "b", "2", t0))
	mustPut(t, s, testItem("b.txt", "b", "3", t0))
	edited, _ := s.LastPublication()
	if !edited.After(first) {
		t.Errorf("after an edit LastPublication = %v, not after %v", edited, first)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if lp, _ := s.LastPublication(); !lp.Equal(edited) {
		t.Errorf("reopened, LastPublication = %v, want %v", lp, edited)
	}
}

func TestTombstoneRestores(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "h1", t0))
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	// The same content comes back under another name, a day later.
	back := testItem("archive/a-copy.txt", "a", "h1", t0.Add(24*time.Hour))
	if c := mustPut(t, s, back); c[0] != Restored {
		t.Fatalf("Put of a removed file's content = %v, want restored", c[0])
	}
	it, err := s.Article("archive/a-copy")
	if err != nil || it.Key != "a" || !it.Published.Equal(t0) {
		t.Errorf("restored article = %+v, %v; want key a, published %v", it, err, t0)
	}
	// A tombstone is used once: a second copy is a new article.
	if c := mustPut(t, s, testItem("again.txt", "a", "h1", t0.Add(48*time.Hour))); c[0] != Added {
		t.Errorf("second copy = %v, want added", c[0])
	}
	// New content at a removed path is a new article under the same key.
	mustPut(t, s, testItem("x.txt", "x", "hx", t0))
	s.Remove("x.txt")
	mustPut(t, s, testItem("x.txt", "y", "hy", t0.Add(time.Hour)))
	if it, err := s.Article("x"); err != nil || it.Key != "x" || !it.Published.Equal(t0.Add(time.Hour)) {
		t.Errorf("new content at a removed path = %+v, %v", it, err)
	}
}

func TestArticleByOldName(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("x.txt", "x", "h", t0))
	if _, err := s.Article("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(nope) = %v, want ErrNotFound", err)
	}
	if _, err := s.Article(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(\"\") = %v, want ErrNotFound", err)
	}
}

func TestChangedSignals(t *testing.T) {
	s, _ := openTest(t)
	ch := s.Changed()
	mustPut(t, s, testItem("a.txt", "a", "h", t0))
	select {
	case <-ch:
	default:
		t.Fatal("Changed not closed after an added article")
	}
	ch = s.Changed()
	mustPut(t, s, testItem("a.txt", "a", "h", t0.Add(time.Hour))) // touch only
	if _, err := s.Remove("missing.txt"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("Changed closed although nothing the feeds show changed")
	default:
	}
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("Changed not closed after a removal")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "re.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, testItem("a.txt", "a", "h", t0))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	it, err := s.Article("a")
	if err != nil || !it.Published.Equal(t0) || it.Title != "a" {
		t.Errorf("after reopen Article(a) = %+v, %v", it, err)
	}
}

func TestOpenLocked(t *testing.T) {
	_, path := openTest(t)
	start := time.Now()
	s, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("second Open of a held database succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v despite a 200ms lock timeout", d)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	otherBolt := filepath.Join(dir, "other.db")
	db, err := bolt.Open(otherBolt, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer := filepath.Join(dir, "newer.db")
	db, err = bolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ name, path string }{
		{"another bbolt application", otherBolt},
		{"a newer schema", newer},
		{"a text file", text},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(tc.path, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", tc.name)
			}
			if !errors.Is(err, ErrForeign) {
				t.Errorf("Open(%s) = %v, want ErrForeign", tc.name, err)
			}
			after, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("Open(%s) changed the file", tc.name)
			}
		})
	}
}

// TestNewestReadsOnlyN checks that the date index, not a scan, serves
// Newest: with the articles bucket emptied of everything but the newest
// two, Newest(2) still works, while Newest(3) reaches a missing record.
func TestNewestReadsOnlyN(t *testing.T) {
	s, _ := openTest(t)
	for i := range 50 {
		mustPut(t, s, testItem(fmt.Sprintf("%02d.txt", i), fmt.Sprint(i), fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute)))
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		for i := range 48 {
			if err := b.Delete(fmt.Appendf(nil, "%02d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Newest(2)
	if err != nil || len(got) != 2 || got[0].Path != "49.txt" || got[1].Path != "48.txt" {
		t.Errorf("Newest(2) = %v, %v", got, err)
	}
	if _, err := s.Newest(3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Newest(3) = %v, want it to reach a deleted record", err)
	}
}

func TestUpdatedUnique(t *testing.T) {
	s, _ := openTest(t)
	var items []Item
	for i := range 5 {
		items = append(items, testItem(fmt.Sprintf("%d.txt", i), fmt.Sprint(i), fmt.Sprint(i), t0))
	}
	mustPut(t, s, items...)
	got, err := s.Newest(10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[time.Time]string{}
	for _, it := range got {
		if !it.Published.Equal(t0) {
			t.Errorf("%s published = %v, want the file's time %v", it.Path, it.Published, t0)
		}
		if other, ok := seen[it.Updated]; ok {
			t.Errorf("%s and %s share updated %v", it.Path, other, it.Updated)
		}
		seen[it.Updated] = it.Path
		if d := it.Updated.Sub(t0); d < 0 || d > 4*updatedStep {
			t.Errorf("%s updated = %v, %v from its file's time", it.Path, it.Updated, d)
		}
	}
	// A removed article frees its date; an edit moves its own.
	if _, err := s.Remove("0.txt"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, testItem("new.txt", "new", "new", t0))
	it, err := s.Article("new")
	if err != nil || !it.Updated.Equal(t0) {
		t.Errorf("Article(new) = %+v, %v; want updated %v, freed by the removal", it, err, t0)
	}
}

// TestMigrateSchema1 opens a database in the first layout, which had no
// updated index and allowed equal updated dates.
func TestMigrateSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		articles, _ := tx.CreateBucket(bucketArticles)
		files, _ := tx.CreateBucket(bucketFiles)
		published, _ := tx.CreateBucket(bucketPublished)
		if err := meta.Put(keySchema, []byte("1")); err != nil {
			return err
		}
		for _, k := range []string{"a", "b", "c"} {
			if err := putJSON(articles, []byte(k), record{Path: k + ".txt", Title: k, Published: t0, Updated: t0}); err != nil {
				return err
			}
			if err := putJSON(files, []byte(k+".txt"), file{Key: k, File: File{Size: 1, ModTime: t0, Hash: k}}); err != nil {
				return err
			}
			if err := published.Put(dateKey(t0, k), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(schema 1) = %v", err)
	}
	defer s.Close()
	items, err := s.Newest(10)
	if err != nil || len(items) != 3 {
		t.Fatalf("Newest after migration = %v, %v", items, err)
	}
	seen := map[time.Time]bool{}
	for _, it := range items {
		if seen[it.Updated] {
			t.Errorf("updated %v appears twice after migration", it.Updated)
		}
		seen[it.Updated] = true
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != strconv.Itoa(schemaVersion) {
			t.Errorf("schema after migration = %q, want %d", v, schemaVersion)
		}
		for _, b := range [][]byte{bucketUpdated, bucketHashes, bucketFingerprints} {
			if n := tx.Bucket(b).Stats().KeyN; n != 3 {
				t.Errorf("%s index holds %d keys, want 3", b, n)
			}
		}
		if n := string(tx.Bucket(bucketMeta).Get(keyCount)); n != "3" {
			t.Errorf("count after migration = %q, want 3", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCount(t *testing.T) {
	s, path := openTest(t)
	if s.Count() != 0 || s.Check() != nil {
		t.Fatalf("new store: Count = %d, Check = %v", s.Count(), s.Check())
	}
	mustPut(t, s, testItem("a.txt", "a", "1", t0), testItem("b.txt", "b", "2", t0), testItem("c.txt", "c", "3", t0))
	mustPut(t, s, testItem("a.txt", "a2", "4", t0)) // an update adds nothing
	if _, err := s.Move("b.txt", testItem("d.txt", "b", "2", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove("c.txt"); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.Count(); n != 2 {
		t.Errorf("Count after reopening = %d, want 2", n)
	}
}

func TestReadOnlyAndWriteTo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	if _, err := Open(path, Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only Open of a missing file succeeded")
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, testItem("a.txt", "أ", "1", t0))
	var copy1 bytes.Buffer
	if _, err := s.WriteTo(&copy1); err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// Two readers at once: a backup beside a list.
	ro2, err := Open(path, Options{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("a second read-only Open = %v", err)
	}
	ro2.Close()
	if it, err := ro.Article("a"); err != nil || it.Title != "أ" {
		t.Errorf("read-only Article = %+v, %v", it, err)
	}
	ro.Close()

	// The copy is a database of its own.
	cp := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(cp, copy1.Bytes(), 0o600)
	c, err := Open(cp, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if it, err := c.Article("a"); err != nil || it.Title != "أ" || c.Count() != 1 {
		t.Errorf("the copy: %+v, %v, count %d", it, err, c.Count())
	}
}

func TestCompactFingerprints(t *testing.T) {
	s, _ := openTest(t)
	var items []Item
	for i := range 2000 {
		items = append(items, testItem(fmt.Sprintf("%04d.txt", i), fmt.Sprint(i), fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second)))
	}
	mustPut(t, s, items[:1000]...)
	mustPut(t, s, items[1000:]...)
	before, err := s.Fingerprints()
	if err != nil {
		t.Fatal(err)
	}
	var leafBefore int
	s.db.View(func(tx *bolt.Tx) error { leafBefore = tx.Bucket(bucketFingerprints).Stats().LeafPageN; return nil })
	if err := s.CompactFingerprints(); err != nil {
		t.Fatal(err)
	}
	after, err := s.Fingerprints()
	if err != nil || fmt.Sprint(before) != fmt.Sprint(after) || len(after) != 2000 {
		t.Fatalf("fingerprints changed in compaction: %d before, %d after (%v)", len(before), len(after), err)
	}
	var leafAfter int
	s.db.View(func(tx *bolt.Tx) error { leafAfter = tx.Bucket(bucketFingerprints).Stats().LeafPageN; return nil })
	if leafAfter >= leafBefore {
		t.Errorf("leaf pages %d before, %d after compaction: not fewer", leafBefore, leafAfter)
	}
	// The store works on: a put after compaction is found.
	mustPut(t, s, testItem("new.txt", "n", "n", t0))
	if fps, _ := s.Fingerprints(); len(fps) != 2001 {
		t.Errorf("%d fingerprints after a put, want 2001", len(fps))
	}
}

func TestEntries(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "أ", "1", t0), testItem("b.txt", "ب", "2", t0.Add(time.Hour)))
	got, err := s.Entries()
	if err != nil || len(got) != 2 || got[0].Path != "b.txt" || got[0].Title != "ب" || got[0].Key != "b" ||
		!got[1].Published.Equal(t0) || got[0].Paragraphs != nil {
		t.Errorf("Entries = %+v, %v", got, err)
	}
}

// TestPutTakesBackOverExisting: a file renamed over another, seen after
// the renamed file's removal, takes the removed article's identity back.
func TestPutTakesBackOverExisting(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "ha", t0), testItem("b.txt", "b", "hb", t0.Add(time.Hour)))
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	if c := mustPut(t, s, testItem("b.txt", "a", "ha", t0.Add(2*time.Hour))); c[0] != Restored {
		t.Fatalf("Put of a's content at b.txt = %v, want restored", c[0])
	}
	it, err := s.Article("b")
	if err != nil || it.Key != "a" || !it.Published.Equal(t0) || s.Count() != 1 {
		t.Errorf("b.txt = %+v, %v, count %d; want key a, published %v, one article", it, err, s.Count(), t0)
	}
}

// TestArticleSuffixInAnyCase: a file named NAME.TXT (as desks on Windows
// write) opens by its slug, before and after a rename.
func TestArticleSuffixInAnyCase(t *testing.T) {
	s, _ := openTest(t)
	if _, err := s.Put(testItem("أخبار/NAME.TXT", "أ", "h1", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(testItem("أخبار/NAME.txt.bak.txt", "ب", "h2", t0)); err != nil {
		t.Fatal(err)
	}
	if it, err := s.Article("أخبار/NAME"); err != nil || it.Title != "أ" || it.Path != "أخبار/NAME.TXT" {
		t.Errorf("Article(أخبار/NAME) = %+v, %v; want NAME.TXT", it, err)
	}
	moved := testItem("أخبار/Other.Txt", "أ", "h1", t0)
	if _, err := s.Move("أخبار/NAME.TXT", moved); err != nil {
		t.Fatal(err)
	}
	if it, err := s.Article("أخبار/Other"); err != nil || it.Path != "أخبار/Other.Txt" || it.Key != "أخبار/NAME" {
		t.Errorf("Article(أخبار/Other) = %+v, %v; want Other.Txt with key أخبار/NAME", it, err)
	}
	if it, err := s.Article("أخبار/NAME.txt.bak"); err != nil || it.Title != "ب" {
		t.Errorf("Article(أخبار/NAME.txt.bak) = %+v, %v; want the other article", it, err)
	}
}

func TestSlugHolders(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("dup.txt", "a", "h1", t0), testItem("أخبار/خبر.TXT", "b", "h2", t0))
	got, err := s.SlugHolders("dup.TXT", "dup.txt", "أخبار/خبر.txt", "dupe.txt", "dup.md.txt")
	want := map[string]string{"dup.TXT": "dup.txt", "أخبار/خبر.txt": "أخبار/خبر.TXT"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("SlugHolders = %q, %v; want %q", got, err, want)
	}
}

// A page bundle's index and a file named as its folder share a URL.
func TestSlugHoldersBundle(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("قمة/index.md", "a", "h1", t0), testItem("desk.txt", "b", "h2", t0))
	got, err := s.SlugHolders("قمة.txt", "قمة/index.txt", "desk/index.md", "desk/other.md", "قمة/index/x.md")
	want := map[string]string{"قمة.txt": "قمة/index.md", "قمة/index.txt": "قمة/index.md", "desk/index.md": "desk.txt"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("SlugHolders = %q, %v; want %q", got, err, want)
	}
	it, err := s.Article("قمة")
	if err != nil || it.Path != "قمة/index.md" {
		t.Errorf("Article(قمة) = %q, %v; want the bundle's index", it.Path, err)
	}
}
