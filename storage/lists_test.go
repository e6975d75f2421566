package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestTerm(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"latin case", "Sport", "sport"},
		{"upper and spaces", "  SPORT\t", "sport"},
		{"inner spaces", "Formula   One", "formula one"},
		{"full folding", "Straße", "strasse"},
		{"decomposed", "Cafe\u0301", "café"},
		{"composed", "Café", "café"},
		{"arabic as written", "رياضة", "رياضة"},
		{"arabic taa marbuta differs", "رياضه", "رياضه"},
		{"arabic with RLM", "\u200fرياضة\u200f ", "رياضة"},
		{"arabic hamza kept", "أخبار", "أخبار"},
		{"arabic with tashkeel decomposed order", "\u0643\u0650\u062a\u0627\u0628", "\u0643\u0650\u062a\u0627\u0628"},
		{"mixed", "كرة القدم FIFA", "كرة القدم fifa"},
		{"blank", " \u200f ", ""},
		{"control dropped", "a\x01b", "ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Term(tc.in); got != tc.want {
				t.Errorf("Term(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestItemLists(t *testing.T) {
	sec := func(n string) List { return List{Section, n} }
	cat := func(n string) List { return List{Category, n} }
	for _, tc := range []struct {
		name string
		path string
		cats []string
		want []List
	}{
		{"root", "x.md", nil, []List{{}}},
		{"root bundle", "index.md", nil, []List{{}}},
		{"nested", "2024/05/x.md", nil, []List{{}, sec("2024"), sec("2024/05")}},
		{"bundle", "2024/05/قمة/index.md", nil, []List{{}, sec("2024"), sec("2024/05")}},
		{"bundle any case suffix", "2024/قمة/index.MD", nil, []List{{}, sec("2024")}},
		{"arabic folders", "أخبار/رياضة/مقال.txt", nil, []List{{}, sec("أخبار"), sec("أخبار/رياضة")}},
		{"categories folded once", "a/x.md", []string{"Sport", "sport", " SPORT", "رياضة"}, []List{{}, sec("a"), cat("sport"), cat("رياضة")}},
		{"blank category", "x.md", []string{"\u200f"}, []List{{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := Item{Path: tc.path}
			it.Categories = tc.cats
			if got := it.Lists(); !slices.Equal(got, tc.want) {
				t.Errorf("Item{Path: %q, Categories: %q}.Lists() = %v, want %v", tc.path, tc.cats, got, tc.want)
			}
		})
	}
}

// listItem is an article at path, published at, naming categories.
func listItem(path, hash string, at time.Time, cats ...string) Item {
	it := testItem(path, "عنوان "+path, hash, at)
	it.Categories = cats
	return it
}

// openPaged opens a store with archive pages of size articles.
func openPaged(tb testing.TB, size int) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "lists.db")
	s, err := Open(path, Options{PageSize: size})
	if err != nil {
		tb.Fatalf("Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

// walk returns the keys of every archive page of l, page after page.
func walk(tb testing.TB, s *Store, l List) []string {
	tb.Helper()
	info, err := s.Info(l)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		tb.Fatalf("Info(%v) = %v", l, err)
	}
	var keys []string
	for n := 1; n <= info.Pages; n++ {
		p, err := s.ArchivePage(l, n)
		if err != nil {
			tb.Fatalf("ArchivePage(%v, %d) = %v", l, n, err)
		}
		if p.Full != (n < info.Pages) || p.Pages != info.Pages || len(p.Items) > s.PageSize() {
			tb.Errorf("ArchivePage(%v, %d): full %v, pages %d, %d items; want full %v, pages %d, at most %d",
				l, n, p.Full, p.Pages, len(p.Items), n < info.Pages, info.Pages, s.PageSize())
		}
		for _, it := range p.Items {
			keys = append(keys, it.Key)
		}
	}
	if _, err := s.ArchivePage(l, info.Pages+1); !errors.Is(err, ErrNotFound) {
		tb.Errorf("ArchivePage(%v, %d) past the newest = %v, want ErrNotFound", l, info.Pages+1, err)
	}
	return keys
}

// checkLists checks every list against the stored articles: walking its
// archive pages yields each of its articles once, its count is theirs,
// NewestIn gives them newest first, and every page holds what PageOf says.
func checkLists(tb testing.TB, s *Store) {
	tb.Helper()
	all, err := s.Newest(s.Count() + 1)
	if err != nil {
		tb.Fatal(err)
	}
	want := map[List][]Item{}
	for _, it := range all {
		for _, l := range it.Lists() {
			want[l] = append(want[l], it)
		}
	}
	var stored []List
	for _, k := range []Kind{Main, Section, Category} {
		infos, err := s.Lists(k)
		if err != nil {
			tb.Fatal(err)
		}
		for _, info := range infos {
			stored = append(stored, info.List)
			if info.Count != len(want[info.List]) {
				tb.Errorf("Lists(%v): %v has count %d, want %d", k, info.List, info.Count, len(want[info.List]))
			}
			if !info.Newest.Equal(want[info.List][0].Published) {
				tb.Errorf("%v: newest %v, want %v", info.List, info.Newest, want[info.List][0].Published)
			}
		}
	}
	if len(stored) != len(want) {
		tb.Errorf("Lists = %v, want %d lists", stored, len(want))
	}
	for l, items := range want {
		var keys []string
		for _, it := range items {
			keys = append(keys, it.Key)
		}
		got := walk(tb, s, l)
		if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(keys)) {
			tb.Errorf("walking the pages of %v gives %q, want each of %q once", l, got, keys)
		}
		newest, err := s.NewestIn(l, len(items)+5)
		if err != nil {
			tb.Fatal(err)
		}
		var nk []string
		for _, it := range newest {
			nk = append(nk, it.Key)
		}
		if !slices.Equal(nk, keys) {
			tb.Errorf("NewestIn(%v) = %q, want %q", l, nk, keys)
		}
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// TestMembership: an article is in the main list, the section of every
// folder above it (a bundle's own folder is the article), and the
// category of each of its categories, however spelled.
func TestMembership(t *testing.T) {
	s, _ := openPaged(t, 3)
	mustPut(t, s,
		listItem("2024/05/x.md", "h1", t0, "Sport"),
		listItem("2024/05/قمة/index.md", "h2", t0.Add(time.Hour), "sport", "سياسة"),
		listItem("2024/06/y.txt", "h3", t0.Add(2*time.Hour), " SPORT "),
		listItem("أخبار/رياضة/مقال.md", "h4", t0.Add(3*time.Hour), "رياضة", "سياسة"),
		listItem("root.md", "h5", t0.Add(4*time.Hour)),
	)
	checkLists(t, s)
	secs, err := s.Lists(Section)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, info := range secs {
		got = append(got, fmt.Sprintf("%s=%d", info.Name, info.Count))
	}
	want := []string{"2024=3", "2024/05=2", "2024/06=1", "أخبار=1", "أخبار/رياضة=1"}
	if !slices.Equal(got, want) {
		t.Errorf("Lists(Section) = %q, want %q", got, want)
	}
	// The label is the spelling of the article last stored with it,
	// trimmed.
	sport, err := s.Info(List{Category, Term("Sport")})
	if err != nil || sport.Count != 3 || sport.Label != "SPORT" {
		t.Errorf("Info(sport) = %+v, %v; want 3 articles, label SPORT", sport, err)
	}
	if _, err := s.Info(List{Section, "2024/05/قمة"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Info(the bundle's own folder) = %v, want ErrNotFound: a bundle is no section", err)
	}
	// Composed and decomposed, one category; another spelling in an
	// edit keeps the article's place and becomes the label.
	mustPut(t, s, listItem("مقهى/1.md", "h6", t0.Add(5*time.Hour), "Cafe\u0301"), listItem("مقهى/2.md", "h7", t0.Add(6*time.Hour), "café"))
	cafe := List{Category, "café"}
	page, err := s.PageOf(cafe, "مقهى/1")
	if info, _ := s.Info(cafe); err != nil || info.Count != 2 {
		t.Errorf("Info(café) = %+v, PageOf = %d, %v; want 2 articles", info, page, err)
	}
	mustPut(t, s, listItem("مقهى/1.md", "h6-edited", t0.Add(5*time.Hour), "CAFÉ"))
	if info, _ := s.Info(cafe); info.Label != "CAFÉ" || info.Count != 2 {
		t.Errorf("Info(café) after an edit spelling it CAFÉ = %+v; want label CAFÉ, 2 articles", info)
	}
	if n, err := s.PageOf(cafe, "مقهى/1"); err != nil || n != page {
		t.Errorf("PageOf(café) after the edit = %d, %v; want %d", n, err, page)
	}
	checkLists(t, s)
	items, err := s.NewestIn(List{Category, "سياسة"}, 1)
	if err != nil || len(items) != 1 || items[0].Path != "أخبار/رياضة/مقال.md" {
		t.Errorf("NewestIn(سياسة, 1) = %v, %v; want the article in أخبار/رياضة", items, err)
	}
}
