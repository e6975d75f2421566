package storage

import (
	"path"
	"strings"
	"testing"
	"time"
)

// markdownItem is testItem as a Markdown article: its text in a Body.
func markdownItem(path, title, hash string, at time.Time) Item {
	it := testItem(path, title, hash, at)
	it.Body = "<p>فقرة <strong>" + title + "</strong></p>"
	it.Tags = []string{"وسم"}
	return it
}

// TestFormatChange: a file renamed to a name of the other format (.txt
// and .md, in any case) holds the same bytes, but is parsed anew: the
// article keeps its key and published date and takes the new parse as an
// edit, its updated date forward, whether the rename is a Move or a
// removal and a restore (a rename while no daemon ran). A rename that
// keeps the format keeps the stored text and dates as they are.
func TestFormatChange(t *testing.T) {
	later := t0.Add(time.Hour)
	for _, tc := range []struct {
		name     string
		from, to Item
	}{
		{"txt to md", testItem("conv.txt", "عنوان", "h1", t0), markdownItem("conv.md", "عنوان", "h1", later)},
		{"md to txt", markdownItem("rev.md", "عنوان", "h1", t0), testItem("rev.txt", "عنوان", "h1", later)},
		{"TXT to sub/x.MD", testItem("conv.TXT", "عنوان", "h1", t0), markdownItem("sub/x.MD", "عنوان", "h1", later)},
	} {
		t.Run(tc.name+" moved", func(t *testing.T) {
			s, _ := openTest(t)
			mustPut(t, s, tc.from)
			before := stored(t, s, tc.from.Slug())
			if c, err := s.Move(tc.from.Path, tc.to); err != nil || c != Moved {
				t.Fatalf("Move = %v, %v; want moved", c, err)
			}
			checkReparsed(t, s, before, tc.to)
		})
		t.Run(tc.name+" removed and restored", func(t *testing.T) {
			s, _ := openTest(t)
			mustPut(t, s, tc.from)
			before := stored(t, s, tc.from.Slug())
			if _, err := s.Remove(tc.from.Path); err != nil {
				t.Fatal(err)
			}
			if c := mustPut(t, s, tc.to); c[0] != Restored {
				t.Fatalf("Put = %v, want restored", c[0])
			}
			checkReparsed(t, s, before, tc.to)
		})
	}

	t.Run("same format", func(t *testing.T) {
		s, _ := openTest(t)
		mustPut(t, s, testItem("a.txt", "عنوان", "h1", t0))
		before := stored(t, s, "a")
		// The store keeps its text: a rename that keeps the format needs
		// no new parse, so what comes with it is not stored.
		renamed := testItem("b.TXT", "غير مخزن", "h1", later)
		if c, err := s.Move("a.txt", renamed); err != nil || c != Moved {
			t.Fatalf("Move = %v, %v; want moved", c, err)
		}
		if it := stored(t, s, "b"); it.Title != "عنوان" || !it.Updated.Equal(before.Updated) {
			t.Errorf("renamed to another case of .txt: title %q updated %v; want the stored text, updated %v", it.Title, it.Updated, before.Updated)
		}
		if _, err := s.Remove("b.TXT"); err != nil {
			t.Fatal(err)
		}
		mustPut(t, s, testItem("c.txt", "عنوان", "h1", later))
		if it := stored(t, s, "c"); !it.Updated.Equal(before.Updated) {
			t.Errorf("restored in the same format: updated %v, want %v as it was", it.Updated, before.Updated)
		}
	})
}

// stored returns the stored article at slug.
func stored(tb testing.TB, s *Store, slug string) Item {
	tb.Helper()
	it, err := s.Article(slug)
	if err != nil {
		tb.Fatalf("Article(%s) = %v", slug, err)
	}
	return it
}

// checkReparsed checks that the article before was renamed to want.Path
// and holds want's text as an edit: same key and published date, updated
// later; and that a folder rename then keeps it as it is.
func checkReparsed(t *testing.T, s *Store, before, want Item) {
	t.Helper()
	got := stored(t, s, want.Slug())
	if !sameText(got, want) || got.Key != before.Key || !got.Published.Equal(before.Published) || !got.Updated.After(before.Updated) {
		t.Errorf("after the rename to %s: %+v\nwant key %q, published %v, updated after %v, the text of %+v",
			want.Path, got, before.Key, before.Published, before.Updated, want)
	}
	dir := path.Dir(want.Path)
	if dir == "." {
		return // at the top: no folder to rename
	}
	if _, err := s.MoveFolder(dir, "moved"); err != nil {
		t.Fatal(err)
	}
	want.Path = "moved" + strings.TrimPrefix(want.Path, dir)
	if it := stored(t, s, want.Slug()); !sameText(it, want) || !it.Updated.Equal(got.Updated) {
		t.Errorf("after the folder rename: %+v\nwant the text of %+v, updated %v", it, want, got.Updated)
	}
}
