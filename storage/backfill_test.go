package storage

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// forgetLists makes the closed database at path one written before the
// lists: without their buckets and meta keys.
func forgetLists(tb testing.TB, path string) {
	tb.Helper()
	rawUpdate(tb, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketLists); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Delete(keyLists); err != nil {
			return err
		}
		return meta.Delete(keyArchive)
	})
}

// rawUpdate runs fn on the closed database at path, as bbolt alone.
func rawUpdate(tb testing.TB, path string, fn func(*bolt.Tx) error) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		tb.Fatal(err)
	}
}

func reopen(tb testing.TB, s *Store, path string, opts Options) *Store {
	tb.Helper()
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	s, err := Open(path, opts)
	if err != nil {
		tb.Fatalf("Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestBackfill: Open fills the lists of a database written before them,
// in one transaction, in order of published date, and a read-only store
// of such a database has no lists.
func TestBackfill(t *testing.T) {
	s, path := openPaged(t, 3)
	var items []Item
	for i := range 10 {
		// Stored in the reverse of their dates, in three writes: in the
		// order of those, oldest first in each, they would enter the lists.
		items = append(items, listItem(fmt.Sprintf("أخبار/%d/خبر%d.md", i%3, i), fmt.Sprint("h", i), t0.Add(-time.Duration(i)*time.Hour), "Sport", fmt.Sprint("c", i%4)))
	}
	mustPut(t, s, items[:4]...)
	mustPut(t, s, items[4:7]...)
	mustPut(t, s, items[7:]...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	forgetLists(t, path)

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(read-only, before the lists) = %v", err)
	}
	if infos, err := ro.Lists(Section); err != nil || len(infos) != 0 {
		t.Errorf("read-only Lists before the lists = %v, %v; want none", infos, err)
	}
	if _, err := ro.ArchivePage(List{}, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("read-only ArchivePage before the lists = %v, want ErrNotFound", err)
	}
	if items, err := ro.NewestIn(List{Category, "sport"}, 5); err != nil || len(items) != 0 {
		t.Errorf("read-only NewestIn before the lists = %v, %v; want none", items, err)
	}
	ro.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(before the lists) = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if s.PageSize() != DefaultPageSize {
		t.Errorf("PageSize = %d, want %d", s.PageSize(), DefaultPageSize)
	}
	checkLists(t, s)
	all, err := s.Newest(100)
	if err != nil {
		t.Fatal(err)
	}
	var oldestFirst []string
	for _, it := range slices.Backward(all) {
		oldestFirst = append(oldestFirst, it.Key)
	}
	if got := walk(t, s, List{}); !slices.Equal(got, oldestFirst) {
		t.Errorf("the backfilled main list = %q, want %q (by published date)", got, oldestFirst)
	}
	if info, err := s.Info(List{Category, "sport"}); err != nil || info.Count != len(all) {
		t.Errorf("Info(sport) = %+v, %v; want %d articles", info, err, len(all))
	}
}

// TestListsRepair: a seedfeed from before the lists that writes to the
// database (a downgrade, then an upgrade again) leaves them stale; Open
// sees it and brings them in line with the articles, every page stamped
// anew.
func TestListsRepair(t *testing.T) {
	s, path := openPaged(t, 2)
	for i := range 5 {
		mustPut(t, s, listItem(fmt.Sprintf("d/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour), "x"))
	}
	s.Close()
	// What an older seedfeed does: remove 1, recategorize 3 and re-date
	// 2, moving the "changed" stamp but not the lists'.
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		if err := b.articles.Delete([]byte("d/1")); err != nil {
			return err
		}
		if err := b.published.Delete(dateKey(t0.Add(time.Hour), "d/1")); err != nil {
			return err
		}
		var a record
		if err := getJSON(b.articles, []byte("d/3"), &a); err != nil {
			return err
		}
		a.Categories = []string{"y"}
		if err := putJSON(b.articles, []byte("d/3"), a); err != nil {
			return err
		}
		if err := getJSON(b.articles, []byte("d/2"), &a); err != nil {
			return err
		}
		if err := b.published.Delete(dateKey(a.Published, "d/2")); err != nil {
			return err
		}
		a.Published = t0.Add(-time.Hour)
		if err := b.published.Put(dateKey(a.Published, "d/2"), nil); err != nil {
			return err
		}
		if err := putJSON(b.articles, []byte("d/2"), a); err != nil {
			return err
		}
		return b.meta.Put(keyChanged, []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	})
	opened := time.Now()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	checkLists(t, s)
	p, err := s.ArchivePage(List{Section, "d"}, 1)
	if err != nil || len(p.Items) != 1 || p.Changed.Before(opened) {
		t.Errorf("page 1 after the repair = %d items, changed %v (%v); want 1 item, changed after %v", len(p.Items), p.Changed, err, opened)
	}
	if n, err := s.PageOf(List{Category, "y"}, "d/3"); err != nil || n != 1 {
		t.Errorf("PageOf(y, d/3) = %d, %v; want 1", n, err)
	}
}

// TestPageSizeChange: another page size renumbers the pages, each
// stamped anew; the size stays with the database.
func TestPageSizeChange(t *testing.T) {
	s, path := openPaged(t, 3)
	for i := range 7 {
		mustPut(t, s, listItem(fmt.Sprintf("%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour)))
	}
	old, _ := s.ArchivePage(List{}, 1)
	s = reopen(t, s, path, Options{})
	if s.PageSize() != 3 {
		t.Errorf("PageSize after a reopen without one = %d, want 3", s.PageSize())
	}
	if p, _ := s.ArchivePage(List{}, 1); !p.Changed.Equal(old.Changed) {
		t.Errorf("page 1 changed %v after a reopen, want %v", p.Changed, old.Changed)
	}
	opened := time.Now()
	s = reopen(t, s, path, Options{PageSize: 2})
	info, err := s.Info(List{})
	if err != nil || info.Pages != 4 || s.PageSize() != 2 {
		t.Fatalf("Info after PageSize 2 = %+v, %v, page size %d; want 4 pages of 2", info, err, s.PageSize())
	}
	for n := 1; n <= 4; n++ {
		if p, err := s.ArchivePage(List{}, n); err != nil || p.Changed.Before(opened) {
			t.Errorf("page %d changed %v (%v), want after %v", n, p.Changed, err, opened)
		}
	}
	checkLists(t, s)
	if _, err := Open(path+"x", Options{PageSize: -1}); err == nil {
		t.Errorf("Open with PageSize -1 succeeded")
	}
}

// TestChangesSince: versions count the writes that change a list; an
// unknown or forgotten version asks for everything.
func TestChangesSince(t *testing.T) {
	s, _ := openPaged(t, 10)
	if v := s.Version(); v != 0 {
		t.Fatalf("Version of a new store = %d", v)
	}
	mustPut(t, s, listItem("a/1.md", "h1", t0, "x"))
	mustPut(t, s, listItem("a/1.md", "h1", t0)) // the same file: no write
	mustPut(t, s, listItem("b/2.md", "h2", t0.Add(time.Hour)))
	c := s.ChangesSince(0)
	want := map[List][]int{{}: {1}, {Section, "a"}: {1}, {Category, "x"}: {1}, {Section, "b"}: {1}}
	if c.All || c.Version != 2 || fmt.Sprint(c.Lists) != fmt.Sprint(want) {
		t.Errorf("ChangesSince(0) = %+v, want version 2, lists %v", c, want)
	}
	if c := s.ChangesSince(2); c.All || len(c.Lists) != 0 {
		t.Errorf("ChangesSince(now) = %+v, want nothing", c)
	}
	if c := s.ChangesSince(3); !c.All {
		t.Errorf("ChangesSince(a future version) = %+v, want all", c)
	}
	for range changeLogSize {
		s.logChanges(map[List][]int{{}: {1}})
	}
	if c := s.ChangesSince(1); !c.All {
		t.Errorf("ChangesSince(a forgotten version) = %+v, want all", c)
	}
	if c := s.ChangesSince(s.Version() - 1); c.All || len(c.Lists) != 1 {
		t.Errorf("ChangesSince(the last) = %+v, want the main list", c)
	}
}

// TestListsHeal: a list that lost an article's entries (damage the
// stamps do not show) does not stop writes of that article: an edit
// files it again, a removal goes on.
func TestListsHeal(t *testing.T) {
	s, path := openPaged(t, 2)
	for i := range 3 {
		mustPut(t, s, listItem(fmt.Sprintf("d/%d.md", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Hour)))
	}
	s.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		lists := tx.Bucket(bucketLists)
		for i, key := range []string{"d/0", "d/1"} {
			for _, id := range []string{"m", "s:d"} {
				if err := lists.Delete(recentKey(id, t0.Add(time.Duration(i)*time.Hour), key)); err != nil {
					return err
				}
				if err := lists.Delete(numKey(id, tagArchive, uint64(i))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if c := mustPut(t, s, listItem("d/0.md", "h0-edited", t0)); c[0] != Updated {
		t.Fatalf("Put(edit) = %v, want updated", c[0])
	}
	if n, err := s.PageOf(List{Section, "d"}, "d/0"); err != nil || n != 2 {
		t.Errorf("PageOf(d, edited) = %d, %v; want 2: filed again", n, err)
	}
	if removed, err := s.Remove("d/1.md"); err != nil || len(removed) != 1 {
		t.Errorf("Remove(d/1.md) = %v, %v", removed, err)
	}
	checkLists(t, s)
}
