package storage

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// richItem is an article with every field a front matter fills.
func richItem(path, title, hash string, at time.Time) Item {
	it := testItem(path, title, hash, at)
	it.Body = "<p>فقرة <em>" + title + "</em></p>"
	it.Summary = "ملخص " + title
	it.Authors = []article.Author{{Name: "ليلى"}, {Name: "Omar", URL: "https://example.org/omar", Email: "omar@example.org"}}
	it.Categories = []string{"سياسة", "اقتصاد"}
	it.Tags = []string{"انتخابات"}
	it.Image = &article.Image{Path: "صور/غلاف.jpg", Alt: "الغلاف", Type: "image/jpeg", Size: 1234}
	it.Lang = "ar-EG"
	it.Link = "https://example.org/original"
	it.Unknown = []string{"layout", "weight"}
	return it
}

// sameText reports whether got holds want's article, image state and path
// (the date the same moment, in whatever zone).
func sameText(got, want Item) bool {
	if !got.Date.Equal(want.Date) {
		return false
	}
	got.Date, want.Date = time.Time{}, time.Time{}
	return got.Path == want.Path && got.MissingImage == want.MissingImage && reflect.DeepEqual(got.Article, want.Article)
}

func TestRichFieldsKept(t *testing.T) {
	s, path := openTest(t)
	it := richItem("a.txt", "أ", "h1", t0)
	it.Date = time.Date(2024, 1, 5, 9, 30, 0, 0, time.FixedZone("+03", 3*3600))
	mustPut(t, s, it, testItem("plain.txt", "ب", "h2", t0))
	got, err := s.Article("a")
	if err != nil || !sameText(got, it) {
		t.Fatalf("Article(a) = %+v, %v\nwant %+v", got, err, it)
	}
	if n, _ := s.Newest(1); len(n) != 1 || !sameText(n[0], testItem("plain.txt", "ب", "h2", t0)) {
		t.Errorf("Newest(1) = %+v, want the plain article as it was", n)
	}

	// A backup holds them: it is the pages as they are.
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(cp, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Article("a"); err != nil || !sameText(got, it) {
		t.Errorf("the backup's Article(a) = %+v, %v", got, err)
	}
	c.Close()

	// An edit that drops fields drops them from the record.
	edit := testItem("a.txt", "أ", "h3", t0.Add(time.Hour))
	if ch := mustPut(t, s, edit); ch[0] != Updated {
		t.Fatalf("edit = %v, want updated", ch[0])
	}
	if got, err := s.Article("a"); err != nil || !sameText(got, edit) {
		t.Errorf("after the edit Article(a) = %+v, %v; want %+v", got, err, edit)
	}

	// Removed and back (a tombstone), it has what the file says.
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	back := richItem("b.txt", "أ", "h3", t0.Add(2*time.Hour))
	back.Image, back.MissingImage = nil, "صور/غلاف.jpg"
	if ch := mustPut(t, s, back); ch[0] != Restored {
		t.Fatalf("back = %v, want restored", ch[0])
	}
	if got, err := s.Article("b"); err != nil || got.Key != "a" || !sameText(got, back) {
		t.Errorf("restored Article(b) = %+v, %v; want key a, %+v", got, err, back)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Article("b"); err != nil || !sameText(got, back) {
		t.Errorf("reopened Article(b) = %+v, %v", got, err)
	}
}

// A plain article's record has the keys it always had, and a record
// written before the new fields reads as it did.
func TestRecordOfPlainText(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "أ", "h1", t0))
	err := s.db.Update(func(tx *bolt.Tx) error {
		var keys map[string]any
		if err := json.Unmarshal(tx.Bucket(bucketArticles).Get([]byte("a")), &keys); err != nil {
			return err
		}
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range keys {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"paragraphs", "path", "published", "title", "updated"}; !slices.Equal(got, want) {
			t.Errorf("record keys = %q, want %q", got, want)
		}
		var f map[string]any
		if err := json.Unmarshal(tx.Bucket(bucketFiles).Get([]byte("a.txt")), &f); err != nil {
			return err
		}
		if _, ok := f["image"]; ok {
			t.Errorf("file record of a plain article = %v, want no image", f)
		}
		old := `{"path":"old.txt","title":"قديم","paragraphs":["ف"],"published":"2020-01-01T00:00:00Z","updated":"2020-01-02T00:00:00Z"}`
		return tx.Bucket(bucketArticles).Put([]byte("old"), []byte(old))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		it, err := item(tx.Bucket(bucketArticles), "old")
		want := Item{Key: "old", Path: "old.txt", Article: article.Article{Title: "قديم", Paragraphs: []string{"ف"}},
			Published: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}
		if err != nil || !reflect.DeepEqual(it, want) {
			t.Errorf("old record = %+v, %v\nwant %+v", it, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dated is testItem whose file sets the published date d.
func dated(path, title, hash string, at, d time.Time) Item {
	it := testItem(path, title, hash, at)
	it.Date = d
	return it
}

// publishedIndex returns the keys of the published index, oldest first,
// and checks that each date in it is its article's.
func publishedIndex(t *testing.T, s *Store) []string {
	t.Helper()
	var keys []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPublished).ForEach(func(k, _ []byte) error {
			it, err := item(tx.Bucket(bucketArticles), string(k[8:]))
			if err != nil {
				return err
			}
			if !bytes.Equal(k, dateKey(it.Published, it.Key)) {
				t.Errorf("published index entry of %s is not at its date %v", it.Key, it.Published)
			}
			keys = append(keys, it.Key)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestExplicitDate(t *testing.T) {
	s, _ := openTest(t)
	riyadh := time.FixedZone("AST", 3*3600)
	d := time.Date(2023, 6, 1, 12, 0, 0, 123456789, riyadh) // nanoseconds: the store keeps milliseconds
	wantD := time.Date(2023, 6, 1, 9, 0, 0, 123000000, time.UTC)
	mustPut(t, s, testItem("other.txt", "آخر", "ho", t0))
	if c := mustPut(t, s, dated("a.txt", "أ", "h1", t0, d)); c[0] != Added {
		t.Fatalf("Put = %v, want added", c[0])
	}
	it, err := s.Article("a")
	if err != nil || !it.Published.Equal(wantD) || !it.Updated.Equal(wantD) || it.Published.Location() != time.UTC {
		t.Fatalf("new dated article: published %v, updated %v, %v; want both %v", it.Published, it.Updated, err, wantD)
	}
	if keys := publishedIndex(t, s); !slices.Equal(keys, []string{"a", "other"}) {
		t.Errorf("published index = %q, want a before other", keys)
	}

	// Editing the date is an edit of the same article: published moves,
	// the index with it, updated moves forward and stays unique.
	later := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if c := mustPut(t, s, dated("a.txt", "أ", "h2", t0.Add(time.Hour), later)); c[0] != Updated {
		t.Fatalf("date edit = %v, want updated", c[0])
	}
	it, err = s.Article("a")
	if err != nil || it.Key != "a" || !it.Published.Equal(later) || it.Updated.Before(it.Published) || !it.Updated.After(wantD) {
		t.Fatalf("after the date edit: %+v, %v; want key a, published %v, updated after both", it, err, later)
	}
	if keys := publishedIndex(t, s); !slices.Equal(keys, []string{"other", "a"}) {
		t.Errorf("published index = %q, want other before a", keys)
	}
	if n, _ := s.Newest(1); len(n) != 1 || n[0].Key != "a" {
		t.Errorf("Newest(1) = %+v, want a", n)
	}

	// A date later than the updated date lifts updated with it.
	future := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Millisecond)
	mustPut(t, s, dated("a.txt", "أ", "h3", t0, future))
	if it, _ = s.Article("a"); !it.Published.Equal(future) || it.Updated.Before(future) {
		t.Errorf("dated after updated: published %v, updated %v; want updated >= published", it.Published, it.Updated)
	}

	// Without a date, an edit keeps the published date (as today).
	mustPut(t, s, testItem("a.txt", "أ", "h4", t0))
	if it, _ = s.Article("a"); !it.Published.Equal(future) {
		t.Errorf("undated edit: published %v, want %v kept", it.Published, future)
	}

	// Restored, the date is the file's even if the tombstone says otherwise
	// (a -timezone changed meanwhile reads the same bytes at another moment).
	mustPut(t, s, testItem("r.txt", "ر", "hr", t0))
	if _, err := s.Remove("r.txt"); err != nil {
		t.Fatal(err)
	}
	if c := mustPut(t, s, dated("r2.txt", "ر", "hr", t0.Add(time.Hour), d)); c[0] != Restored {
		t.Fatalf("restore = %v, want restored", c[0])
	}
	if it, err := s.Article("r2"); err != nil || it.Key != "r" || !it.Published.Equal(wantD) || it.Updated.Before(it.Published) {
		t.Errorf("restored dated article = %+v, %v; want key r, published %v", it, err, wantD)
	}

	// A rename with a new date moves the date too.
	if c, err := s.Move("a.txt", dated("b.txt", "أ", "h5", t0, wantD)); err != nil || c != Moved {
		t.Fatalf("Move = %v, %v", c, err)
	}
	if it, err := s.Article("b"); err != nil || it.Key != "a" || !it.Published.Equal(wantD) {
		t.Errorf("moved and redated = %+v, %v; want key a, published %v", it, err, wantD)
	}
	publishedIndex(t, s)
	if err := s.db.View(func(tx *bolt.Tx) error {
		if n, m := tx.Bucket(bucketPublished).Stats().KeyN, tx.Bucket(bucketUpdated).Stats().KeyN; n != s.Count() || m != s.Count() {
			t.Errorf("index entries: %d published, %d updated; want %d each", n, m, s.Count())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// withImage is testItem naming the local image img, of size n, or
// missing when n < 0.
func withImage(path, hash, img string, n int64) Item {
	it := testItem(path, path, hash, t0)
	if n < 0 {
		it.MissingImage = img
	} else {
		it.Image = &article.Image{Path: img, Type: "image/jpeg", Size: n}
	}
	return it
}

func TestImageState(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, withImage("a.txt", "ha", "p/x.jpg", -1), withImage("b.txt", "hb", "p/x.jpg", 10),
		withImage("c.txt", "hc", "p/y.jpg", 5), testItem("d.txt", "d", "hd", t0))
	uses := func() []ImageUse {
		u, err := s.ImageUses()
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	want := []ImageUse{{"a.txt", "p/x.jpg", 0, true}, {"b.txt", "p/x.jpg", 10, false}, {"c.txt", "p/y.jpg", 5, false}}
	if got := uses(); !slices.Equal(got, want) {
		t.Errorf("ImageUses = %+v, want %+v", got, want)
	}
	if p, err := s.PathsWithImage("p/x.jpg", "none.jpg"); err != nil || !slices.Equal(p, []string{"a.txt", "b.txt"}) {
		t.Errorf("PathsWithImage(p/x.jpg) = %q, %v", p, err)
	}

	// The same file whose image arrived, or changed size: the fingerprint
	// alone says nothing changed, the store sees the image did.
	before, _ := s.Article("a")
	for _, it := range []Item{withImage("a.txt", "ha", "p/x.jpg", 7), withImage("a.txt", "ha", "p/x.jpg", 8), withImage("a.txt", "ha", "p/x.jpg", -1)} {
		if c := mustPut(t, s, it); c[0] != Updated {
			t.Errorf("Put of %+v = %v, want updated", it.Image, c[0])
		}
		got, _ := s.Article("a")
		if !sameText(got, it) || !got.Updated.After(before.Updated) || !got.Published.Equal(before.Published) {
			t.Errorf("after an image change: %+v; want %+v, updated moved forward", got, it)
		}
		before = got
	}
	if c := mustPut(t, s, withImage("a.txt", "ha", "p/x.jpg", -1)); c[0] != Unchanged {
		t.Errorf("the same state again = %v, want unchanged", c[0])
	}

	// Renames and removals keep the index in step.
	if _, err := s.Move("b.txt", withImage("sub/b.txt", "hb", "p/x.jpg", 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveFolder("sub", "sub2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove("c.txt"); err != nil {
		t.Fatal(err)
	}
	want = []ImageUse{{"a.txt", "p/x.jpg", 0, true}, {"sub2/b.txt", "p/x.jpg", 10, false}}
	if got := uses(); !slices.Equal(got, want) {
		t.Errorf("ImageUses = %+v, want %+v", got, want)
	}
	if got, err := s.Article("sub2/b"); err != nil || got.Image == nil || got.Image.Size != 10 {
		t.Errorf("moved with its folder: %+v, %v; want its image kept", got, err)
	}
	// An edit that names no image any more drops it from the index.
	mustPut(t, s, testItem("a.txt", "a", "ha2", t0))
	if p, err := s.PathsWithImage("p/x.jpg"); err != nil || !slices.Equal(p, []string{"sub2/b.txt"}) {
		t.Errorf("PathsWithImage(p/x.jpg) = %q, %v", p, err)
	}
}

// Removing files that were never stored (refused, drafts) writes nothing.
func TestRemoveNothingNoWrite(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "h1", t0))
	txid := func() int {
		var id int
		s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
		return id
	}
	before := txid()
	if removed, err := s.Remove("never.txt", "nor.txt"); err != nil || len(removed) != 0 {
		t.Fatalf("Remove = %q, %v", removed, err)
	}
	if after := txid(); after != before {
		t.Errorf("Remove of unstored paths committed a transaction (%d to %d)", before, after)
	}
	if removed, err := s.Remove("never.txt", "a.txt"); err != nil || !slices.Equal(removed, []string{"a.txt"}) {
		t.Errorf("Remove = %q, %v", removed, err)
	}
}

// Withdraw frees the key and leaves no tombstone: the same content back
// is a new article, at its new date, under the key its path gives.
func TestWithdraw(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "h1", t0), testItem("b.txt", "b", "h2", t0))
	if removed, err := s.Withdraw("a.txt", "never.txt"); err != nil || !slices.Equal(removed, []string{"a.txt"}) {
		t.Fatalf("Withdraw = %q, %v", removed, err)
	}
	if s.Count() != 1 {
		t.Errorf("Count = %d, want 1", s.Count())
	}
	back := testItem("a.txt", "a", "h1", t0.Add(time.Hour))
	if c := mustPut(t, s, back); c[0] != Added {
		t.Fatalf("the same content back = %v, want added", c[0])
	}
	if it, err := s.Article("a"); err != nil || it.Key != "a" || !it.Published.Equal(back.Published) {
		t.Errorf("back: %+v, %v; want key a, published %v", it, err, back.Published)
	}
}
