package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReplace: an article stored under a temporary name and renamed into
// place a moment later takes the key of its new path, and leaves no
// tombstone under the temporary one; renamed over a stored article, it is
// an edit of that article.
func TestReplace(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t.Run("new name", func(t *testing.T) {
		s, _ := openTest(t)
		mustPut(t, s, testItem("tmpab12.txt", "خبر", "h1", t0))
		c, err := s.Replace("tmpab12.txt", testItem("خبر.txt", "خبر", "h1", t0.Add(time.Millisecond)))
		if err != nil || c != Added {
			t.Fatalf("Replace = %v, %v; want added", c, err)
		}
		it, err := s.Article("خبر")
		if err != nil || it.Key != "خبر" || !it.Published.Equal(t0.Add(time.Millisecond)) {
			t.Errorf("Article(خبر) = key %q published %v (%v); want key خبر, published %v", it.Key, it.Published, err, t0.Add(time.Millisecond))
		}
		if _, err := s.Article("tmpab12"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Article(tmpab12) = %v; want ErrNotFound", err)
		}
		if s.Count() != 1 {
			t.Errorf("Count = %d, want 1", s.Count())
		}
		// Removed, then back: it comes back under its own key, never the
		// temporary one (no tombstone names tmpab12).
		if _, err := s.Remove("خبر.txt"); err != nil {
			t.Fatal(err)
		}
		if c := mustPut(t, s, testItem("again.txt", "خبر", "h1", t0.Add(time.Hour))); c[0] != Restored {
			t.Fatalf("Put of the same content = %v, want restored", c[0])
		}
		if it, err := s.Article("again"); err != nil || it.Key != "خبر" {
			t.Errorf("restored article: key %q (%v), want خبر", it.Key, err)
		}
	})
	t.Run("over a stored article", func(t *testing.T) {
		s, _ := openTest(t)
		mustPut(t, s, testItem("a.txt", "قديم", "old", t0))
		mustPut(t, s, testItem("tmpcd34.txt", "جديد", "new", t0.Add(time.Hour)))
		c, err := s.Replace("tmpcd34.txt", testItem("a.txt", "جديد", "new", t0.Add(time.Hour+time.Millisecond)))
		if err != nil || c != Updated {
			t.Fatalf("Replace = %v, %v; want updated", c, err)
		}
		it, err := s.Article("a")
		if err != nil || it.Key != "a" || it.Title != "جديد" || !it.Published.Equal(t0) || !it.Updated.After(t0) {
			t.Errorf("Article(a) = %+v, %v; want key a, the new title, published %v, updated later", it, err, t0)
		}
		if s.Count() != 1 {
			t.Errorf("Count = %d, want 1", s.Count())
		}
		if _, err := s.Article("tmpcd34"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Article(tmpcd34) = %v; want ErrNotFound", err)
		}
	})
}

// TestMoveFolder: the articles stored under a folder move with it,
// keeping their keys and dates; those of a folder with a longer name
// starting the same stay.
func TestMoveFolder(t *testing.T) {
	s, _ := openTest(t)
	mustPut(t, s, testItem("fA/a.txt", "أ", "same", t0), testItem("fA/sub/b.txt", "ب", "same", t0.Add(time.Hour)),
		testItem("fAx/c.txt", "ج", "hc", t0), testItem("fB/x.txt", "قديم", "hx", t0))
	before, _ := s.Entries()
	moved, err := s.MoveFolder("fA", "fB")
	if err != nil || !slices.Equal(moved, []string{"fA/a.txt", "fA/sub/b.txt"}) {
		t.Fatalf("MoveFolder = %q, %v", moved, err)
	}
	for _, was := range before {
		path := was.Path
		if strings.HasPrefix(path, "fA/") {
			path = "fB/" + strings.TrimPrefix(path, "fA/")
		}
		it, err := s.Article(strings.TrimSuffix(path, ".txt"))
		if err != nil || it.Key != was.Key || it.Path != path || !it.Published.Equal(was.Published) || !it.Updated.Equal(was.Updated) {
			t.Errorf("%s after the move: %+v, %v; want key %s at %s, dates kept", was.Path, it, err, was.Key, path)
		}
	}
	if paths, err := s.PathsWithHash("same"); err != nil || !slices.Equal(paths, []string{"fB/a.txt", "fB/sub/b.txt"}) {
		t.Errorf("PathsWithHash(same) = %q, %v", paths, err)
	}
	fps, err := s.Fingerprints()
	if _, old := fps["fA/a.txt"]; err != nil || old || len(fps) != 4 {
		t.Errorf("Fingerprints = %v, %v; want the 4 files at their new paths", fps, err)
	}
	if s.Count() != 4 {
		t.Errorf("Count = %d, want 4", s.Count())
	}
}
