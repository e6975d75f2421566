package storage

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
)

// TestArchiveHeads: every page gives the same articles, in the same
// order, with the same key, path and dates as ArchivePage, whatever the
// record holds after them (a body, front matter), and renames show.
func TestArchiveHeads(t *testing.T) {
	s, _ := openPaged(t, 3)
	at := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range 8 {
		it := listItem(fmt.Sprintf("أخبار/%d.md", i), fmt.Sprintf("h%d", i), at.Add(time.Duration(i)*time.Hour), "رياضة")
		if i%2 == 0 {
			it.Body = "<p>" + strings.Repeat("نص \"مقتبس\" و\\ ", 200) + "</p>"
			it.Authors = []article.Author{{Name: "ليلى"}}
			it.Date = at
		}
		if _, err := s.Put(it); err != nil {
			t.Fatal(err)
		}
	}
	moved := listItem("أخبار/جديد.md", "h3", at.Add(3*time.Hour), "رياضة")
	if _, err := s.Move("أخبار/3.md", moved); err != nil {
		t.Fatal(err)
	}
	for _, l := range []List{{}, {Section, "أخبار"}, {Category, Term("رياضة")}} {
		for n := 1; n <= 3; n++ {
			full, err := s.ArchivePage(l, n)
			if err != nil {
				t.Fatalf("ArchivePage(%v, %d) = %v", l, n, err)
			}
			heads, err := s.ArchiveHeads(l, n)
			if err != nil {
				t.Fatalf("ArchiveHeads(%v, %d) = %v", l, n, err)
			}
			if heads.Number != full.Number || heads.Pages != full.Pages || heads.Full != full.Full || !heads.Changed.Equal(full.Changed) || len(heads.Items) != len(full.Items) {
				t.Fatalf("%v page %d: heads %+v, want as %+v", l, n, heads, full)
			}
			for i, h := range heads.Items {
				f := full.Items[i]
				if h.Key != f.Key || h.Path != f.Path || !h.Published.Equal(f.Published) || !h.Updated.Equal(f.Updated) || h.Title != "" || h.Body != "" {
					t.Errorf("%v page %d item %d: %q %q %v %v (title %q), want %q %q %v %v", l, n, i, h.Key, h.Path, h.Published, h.Updated, h.Title, f.Key, f.Path, f.Published, f.Updated)
				}
			}
		}
	}
	if _, err := s.ArchiveHeads(List{}, 4); err == nil {
		t.Error("ArchiveHeads of a page past the last = nil error")
	}
}
