package storage

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pageBytes is what an archive document is made of: its number, whether
// it links to a next page, its date, and its articles.
func pageBytes(tb testing.TB, s *Store, l List, n int) string {
	tb.Helper()
	p, err := s.ArchivePage(l, n)
	if err != nil {
		tb.Fatalf("ArchivePage(%v, %d) = %v", l, n, err)
	}
	b, err := json.Marshal(struct {
		Number  int
		Full    bool
		Changed time.Time
		Items   []Item
	}{p.Number, p.Full, p.Changed, p.Items})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// snapshot returns the bytes of every archive page of every list, empty
// ones too (which Lists leaves out).
func snapshot(tb testing.TB, s *Store) map[List][]string {
	tb.Helper()
	var lists []List
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLists).ForEach(func(k, _ []byte) error {
			if id, err := idOfKey(k); err == nil && k[len(id)+1] == tagInfo {
				lists = append(lists, listOfID(string(id)))
			}
			return nil
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	snap := map[List][]string{}
	for _, l := range lists {
		info, err := s.Info(l)
		if err != nil {
			tb.Fatal(err)
		}
		for n := 1; n <= info.Pages; n++ {
			snap[l] = append(snap[l], pageBytes(tb, s, l, n))
		}
	}
	return snap
}

// checkChanged checks that the pages that differ between before and now
// are those ChangesSince(v) reports, that no page is ever gone, and
// returns the new version.
func checkChanged(tb testing.TB, s *Store, v uint64, before, now map[List][]string) uint64 {
	tb.Helper()
	c := s.ChangesSince(v)
	if c.All {
		tb.Fatalf("ChangesSince(%d) = all", v)
	}
	for _, l := range slices.Collect(maps.Keys(mapsUnion(before, now))) {
		for n := 1; n <= max(len(before[l]), len(now[l])); n++ {
			if n > len(now[l]) {
				tb.Errorf("page %d of %v is gone", n, l)
				continue
			}
			differs := n > len(before[l]) || before[l][n-1] != now[l][n-1]
			if reported := slices.Contains(c.Lists[l], n); differs && !reported {
				tb.Errorf("page %d of %v changed, and ChangesSince(%d) = %v does not say so", n, l, v, c.Lists)
			} else if !differs && reported {
				tb.Errorf("ChangesSince(%d) reports page %d of %v, whose bytes did not change", v, n, l)
			}
		}
	}
	return c.Version
}

func mapsUnion(a, b map[List][]string) map[List]bool {
	u := map[List]bool{}
	for l := range a {
		u[l] = true
	}
	for l := range b {
		u[l] = true
	}
	return u
}

// TestArchiveStableUnderArrivals: once a newer page exists, a page's
// bytes never change while newer articles arrive.
func TestArchiveStableUnderArrivals(t *testing.T) {
	s, _ := openPaged(t, 3)
	desk := List{Section, "مكتب"}
	for i := range 3 {
		mustPut(t, s, listItem(fmt.Sprintf("مكتب/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour), "رياضة"))
	}
	if p, err := s.ArchivePage(desk, 1); err != nil || p.Full || len(p.Items) != 3 || p.Pages != 1 {
		t.Fatalf("page 1 of 3 articles = %+v, %v; want 3 items, not full, the only page", p, err)
	}
	v := s.Version()
	mustPut(t, s, listItem("مكتب/3.md", "h3", t0.Add(3*time.Hour), "رياضة"))
	// The fourth opens page 2: page 1 is full now, and links to it.
	c := s.ChangesSince(v)
	for _, l := range []List{{}, desk, {Category, "رياضة"}} {
		if !slices.Equal(c.Lists[l], []int{1, 2}) {
			t.Errorf("ChangesSince after the page 2 opened: %v has pages %v, want [1 2]", l, c.Lists[l])
		}
	}
	first := pageBytes(t, s, desk, 1)
	firstMain := pageBytes(t, s, List{}, 1)
	v = c.Version
	for i := 4; i < 12; i++ {
		mustPut(t, s, listItem(fmt.Sprintf("مكتب/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour), "رياضة"))
	}
	if got := pageBytes(t, s, desk, 1); got != first {
		t.Errorf("page 1 changed while newer articles arrived:\n%s\nwant\n%s", got, first)
	}
	if got := pageBytes(t, s, List{}, 1); got != firstMain {
		t.Errorf("page 1 of the main list changed while newer articles arrived")
	}
	if pages := s.ChangesSince(v).Lists[desk]; slices.Contains(pages, 1) || !slices.Equal(pages, []int{2, 3, 4}) {
		t.Errorf("ChangesSince: pages %v of the section changed, want [2 3 4]", pages)
	}
	checkLists(t, s)
}

// TestArchiveEditAndRemove: an edit or a removal of an old article
// changes the page that holds it, and no other.
func TestArchiveEditAndRemove(t *testing.T) {
	s, _ := openPaged(t, 3)
	for i := range 7 {
		mustPut(t, s, listItem(fmt.Sprintf("desk/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour), "c"))
	}
	v := s.Version()
	before := snapshot(t, s)
	edit := listItem("desk/1.md", "h1-edited", t0.Add(time.Hour), "c", "New")
	if c := mustPut(t, s, edit); c[0] != Updated {
		t.Fatalf("Put(edit) = %v, want updated", c[0])
	}
	now := snapshot(t, s)
	v = checkChanged(t, s, v, before, now)
	c := s.ChangesSince(v - 1)
	for _, l := range []List{{}, {Section, "desk"}, {Category, "c"}} {
		if !slices.Equal(c.Lists[l], []int{1}) {
			t.Errorf("the edit changed pages %v of %v, want [1]", c.Lists[l], l)
		}
	}
	if !slices.Equal(c.Lists[List{Category, "new"}], []int{1}) {
		t.Errorf("the new category: pages %v, want [1]", c.Lists[List{Category, "new"}])
	}
	before = now
	if _, err := s.Remove("desk/4.md"); err != nil {
		t.Fatal(err)
	}
	now = snapshot(t, s)
	checkChanged(t, s, v, before, now)
	p, err := s.ArchivePage(List{Section, "desk"}, 2)
	if err != nil || len(p.Items) != 2 || !p.Full {
		t.Errorf("page 2 after a removal = %d items (%v), full %v; want 2, full", len(p.Items), err, p.Full)
	}
	checkLists(t, s)
}

// TestArchiveMoves: a move between sections leaves the old section,
// where it leaves a hole, and enters the new one at its newest page; a
// rename within the same lists keeps its place.
func TestArchiveMoves(t *testing.T) {
	s, _ := openPaged(t, 2)
	for i, p := range []string{"أ/1.md", "أ/2.md", "أ/3.md", "ب/1.md", "ب/2.md", "ب/3.md"} {
		mustPut(t, s, listItem(p, fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour)))
	}
	key := stored(t, s, "أ/1").Key
	pageMain, _ := s.PageOf(List{}, key)
	v := s.Version()
	before := snapshot(t, s)
	moved := listItem("ب/4.md", "h0", t0.Add(9*time.Hour))
	if c, err := s.Move("أ/1.md", moved); err != nil || c != Moved {
		t.Fatalf("Move = %v, %v", c, err)
	}
	v = checkChanged(t, s, v, before, snapshot(t, s))
	if n, err := s.PageOf(List{}, key); err != nil || n != pageMain {
		t.Errorf("PageOf(main) after the move = %d, %v; want %d: the main list holds it still", n, err, pageMain)
	}
	if n, err := s.PageOf(List{Section, "ب"}, key); err != nil || n != 2 {
		t.Errorf("PageOf(ب) = %d, %v; want 2: it entered after the three there", n, err)
	}
	if _, err := s.PageOf(List{Section, "أ"}, key); err == nil {
		t.Errorf("PageOf(أ) after the move out found it")
	}
	// A rename in the same folder: same lists, same pages.
	before = snapshot(t, s)
	if _, err := s.Move("ب/2.md", listItem("ب/اثنان.md", "h4", t0.Add(4*time.Hour))); err != nil {
		t.Fatal(err)
	}
	v = checkChanged(t, s, v, before, snapshot(t, s))
	// A folder renamed: every article leaves it and enters the new one.
	before = snapshot(t, s)
	if _, err := s.MoveFolder("ب", "ج"); err != nil {
		t.Fatal(err)
	}
	checkChanged(t, s, v, before, snapshot(t, s))
	if _, err := s.Info(List{Section, "ج"}); err != nil {
		t.Errorf("Info(ج) = %v", err)
	}
	checkLists(t, s)
}

// TestArchiveRestore: an article restored from its tombstone takes its
// key and dates back, and enters its lists again with fresh places: its
// old page keeps the hole its removal left.
func TestArchiveRestore(t *testing.T) {
	s, _ := openPaged(t, 2)
	for i := range 5 {
		mustPut(t, s, listItem(fmt.Sprintf("d/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour), "x"))
	}
	key := stored(t, s, "d/0").Key
	if _, err := s.Remove("d/0.md"); err != nil {
		t.Fatal(err)
	}
	v := s.Version()
	before := snapshot(t, s)
	if c := mustPut(t, s, listItem("d/zero.md", "h0", t0.Add(10*time.Hour), "x")); c[0] != Restored {
		t.Fatalf("Put of removed content = %v, want restored", c[0])
	}
	checkChanged(t, s, v, before, snapshot(t, s))
	for _, l := range []List{{}, {Section, "d"}, {Category, "x"}} {
		if n, err := s.PageOf(l, key); err != nil || n != 3 {
			t.Errorf("PageOf(%v, restored) = %d, %v; want 3, the newest", l, n, err)
		}
		if p, err := s.ArchivePage(l, 1); err != nil || len(p.Items) != 1 {
			t.Errorf("page 1 of %v after the restore holds %d articles (%v), want 1: the hole stays", l, len(p.Items), err)
		}
	}
	checkLists(t, s)
}

// TestArchiveBatchOrder: articles entering a list in one write take
// their places in order of published date, not the order given.
func TestArchiveBatchOrder(t *testing.T) {
	s, _ := openPaged(t, 100)
	var items []Item
	for i := range 5 {
		items = append(items, listItem(fmt.Sprintf("%d.md", i), fmt.Sprint("h", i), t0.Add(-time.Duration(i)*time.Hour)))
	}
	mustPut(t, s, items...)
	if got, want := walk(t, s, List{}), []string{"4", "3", "2", "1", "0"}; !slices.Equal(got, want) {
		t.Errorf("page 1 = %q, want %q (oldest first)", got, want)
	}
}
