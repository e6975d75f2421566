package storage

import (
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestPutSameModTime stores 3,000 files sharing one modification time in
// batches of 512, as the watcher does: they get the first 3,000 steps at
// or after that time.
func TestPutSameModTime(t *testing.T) {
	s, _ := openTest(t)
	const n = 3000
	putBatches(t, s, sameTimeItems(n, false))
	got, err := s.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, it := range got {
		d := it.Updated.Sub(t0)
		if d < 0 || d%updatedStep != 0 {
			t.Fatalf("%s updated %v, %v from its file's time", it.Path, it.Updated, d)
		}
		steps = append(steps, int(d/updatedStep))
	}
	slices.Sort(steps)
	if len(steps) != n || steps[0] != 0 || steps[n-1] != n-1 || len(slices.Compact(steps)) != n {
		t.Errorf("%d updated dates, steps %d to %d, %d distinct; want steps 0 to %d", len(got), steps[0], steps[len(steps)-1], len(slices.Compact(steps)), n-1)
	}
}

// sameTimeItems returns n items dated t0, or a second apart if spread.
func sameTimeItems(n int, spread bool) []Item {
	items := make([]Item, n)
	for i := range items {
		at := t0
		if spread {
			at = t0.Add(time.Duration(i) * time.Second)
		}
		items[i] = testItem(fmt.Sprintf("%05d.txt", i), fmt.Sprint(i), fmt.Sprint(i), at)
	}
	return items
}

// putBatches stores items 512 at a time, as the watcher does.
func putBatches(tb testing.TB, s *Store, items []Item) {
	tb.Helper()
	for j := 0; j < len(items); j += 512 {
		mustPut(tb, s, items[j:min(j+512, len(items))]...)
	}
}

// TestUpdatedFreedInBatch: a date that an edit or a removal frees inside a
// transaction is free for the next file of the same batch, as it would be
// in the next transaction.
func TestUpdatedFreedInBatch(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "a", t0), testItem("b.txt", "b", "b", t0))
	// b.txt holds t0+1ms. In one batch: a new file at t0 (takes t0+2ms),
	// b.txt edited (frees t0+1ms), then another new file at t0.
	b := testItem("b.txt", "b2", "b2", t0.Add(time.Hour))
	mustPut(t, s, testItem("c.txt", "c", "c", t0), b, testItem("d.txt", "d", "d", t0))
	for slug, want := range map[string]time.Time{"a": t0, "b": t0.Add(time.Hour), "c": t0.Add(2 * time.Millisecond), "d": t0.Add(time.Millisecond)} {
		if it, err := s.Article(slug); err != nil || !it.Updated.Equal(want) {
			t.Errorf("Article(%s) updated %v (%v), want %v", slug, it.Updated, err, want)
		}
	}
}

// TestEditMovesUpdatedForward: an edit never moves Updated back, though
// the new version's file is older (rsync -t, cp -p of an older version).
func TestEditMovesUpdatedForward(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "a", "h1", t0))
	article := func(slug string) Item {
		t.Helper()
		it, err := s.Article(slug)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	// A later file: its date.
	mustPut(t, s, testItem("a.txt", "b", "h2", t0.Add(time.Hour)))
	if it := article("a"); !it.Updated.Equal(t0.Add(time.Hour)) {
		t.Errorf("edit with a later file: updated %v, want %v", it.Updated, t0.Add(time.Hour))
	}
	// An older file: now.
	start := time.Now().Truncate(time.Millisecond)
	mustPut(t, s, testItem("a.txt", "c", "h3", t0.Add(-time.Hour)))
	it := article("a")
	if it.Updated.Before(start) || it.Updated.After(time.Now()) || !it.Published.Equal(t0) || it.Title != "c" {
		t.Errorf("edit with an older file: %+v; want updated now, published %v", it, t0)
	}
	// Moved with new content from an older file: forward too.
	prev := it.Updated
	if _, err := s.Move("a.txt", testItem("b.txt", "d", "h4", t0)); err != nil {
		t.Fatal(err)
	}
	if it := article("b"); !it.Updated.After(prev) || it.Title != "d" {
		t.Errorf("move with an older file: updated %v, want after %v", it.Updated, prev)
	}
	// Moved with the same content: the date stays.
	prev = article("b").Updated
	if _, err := s.Move("b.txt", testItem("c.txt", "d", "h4", t0)); err != nil {
		t.Fatal(err)
	}
	if it := article("c"); !it.Updated.Equal(prev) {
		t.Errorf("move of the same content: updated %v, want %v", it.Updated, prev)
	}
	// An article dated ahead of the clock (set back since) still moves.
	ahead := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
	mustPut(t, s, testItem("x.txt", "x", "x1", ahead))
	mustPut(t, s, testItem("x.txt", "y", "x2", t0))
	if it := article("x"); !it.Updated.After(ahead) {
		t.Errorf("edit of an article dated ahead: updated %v, want after %v", it.Updated, ahead)
	}
}

// TestRestoreKeepsUpdated: an article whose content comes back after its
// removal gets its updated date back with its published date; one
// removed before tombstones kept it is updated as a new one would be.
func TestRestoreKeepsUpdated(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("a.txt", "أ", "h1", t0))
	mustPut(t, s, testItem("a.txt", "ب", "h2", t0.Add(time.Hour)))
	before, _ := s.Article("a")
	if _, err := s.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	if c := mustPut(t, s, testItem("b.txt", "ب", "h2", t0.Add(5*time.Hour))); c[0] != Restored {
		t.Fatalf("Put = %v, want restored", c[0])
	}
	if it, err := s.Article("b"); err != nil || it.Key != "a" || !it.Published.Equal(t0) || !it.Updated.Equal(before.Updated) {
		t.Errorf("restored: key %q published %v updated %v (%v); want a, %v, %v", it.Key, it.Published, it.Updated, err, t0, before.Updated)
	}

	// A tombstone as stored before it kept the updated date.
	if _, err := s.Remove("b.txt"); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTombstones).Put([]byte("h2"), []byte(`{"key":"a","path":"b.txt","published":"`+t0.Format(time.RFC3339)+`"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, testItem("c.txt", "ب", "h2", t0.Add(7*time.Hour)))
	if it, err := s.Article("c"); err != nil || it.Key != "a" || !it.Updated.Equal(t0.Add(7*time.Hour)) {
		t.Errorf("restored from an old tombstone: key %q updated %v (%v); want a, %v", it.Key, it.Updated, err, t0.Add(7*time.Hour))
	}
}
