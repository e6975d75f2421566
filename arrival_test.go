package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// lastRun reads the moment the daemon last noted that it ran on db.
func lastRun(t *testing.T, db string) time.Time {
	t.Helper()
	s, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at, err := s.LastRun()
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestArrivalDates runs the daemon, stops it, drops files in while it is
// down and starts it again: the first import keeps the folder's history;
// a file modified after the daemon's last run is dated by its time; an old
// file copied in with its time kept is dated when the start-up scan found
// it (issue 11, section 2).
func TestArrivalDates(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	history := time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)
	write := func(dir, name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("عنوان "+name+"\nفقرة"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(seeds, "history.txt", history)
	started := time.Now()
	in := startDaemon(t, seeds, db)
	in.stop(t)
	ran := lastRun(t, db)
	if ran.Before(started) || ran.After(time.Now()) {
		t.Fatalf("LastRun after a run and a stop = %v, want between %v and now", ran, started)
	}

	// While it is down.
	modified := ran.Add(time.Millisecond).Truncate(time.Millisecond)
	write(seeds, "modified.txt", modified)
	src := write(t.TempDir(), "copied.txt", history.Add(time.Hour))
	if out, err := exec.Command("cp", "-p", src, filepath.Join(seeds, "copied.txt")).CombinedOutput(); err != nil {
		t.Fatalf("cp -p: %v\n%s", err, out)
	}
	restarted := time.Now().Truncate(time.Millisecond)
	in = startDaemon(t, seeds, db)
	in.stop(t)

	ids := inspect(t, db)
	if got := ids["history.txt"].published; !got.Equal(history) {
		t.Errorf("history.txt published %v, want its modification time %v (the first import)", got, history)
	}
	if got := ids["modified.txt"].published; !got.Equal(modified) {
		t.Errorf("modified.txt published %v, want its modification time %v (after the last run)", got, modified)
	}
	if got := ids["copied.txt"].published; got.Before(restarted) {
		t.Errorf("copied.txt published %v, want when the start-up scan found it (after %v)", got, restarted)
	}
	if again := lastRun(t, db); !again.After(ran) {
		t.Errorf("LastRun after the second run = %v, not after the first's %v", again, ran)
	}
}

// TestFirstImportAfterEmptyRuns: a daemon that ran on an empty folder (a
// service started before its share was mounted) leaves the first import
// its history: old files keep their modification times.
func TestFirstImportAfterEmptyRuns(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	in := startDaemon(t, seeds, db)
	in.stop(t)
	if lastRun(t, db).IsZero() {
		t.Fatal("the empty run noted no run: the test proves nothing")
	}
	history := time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)
	p := filepath.Join(seeds, "archive.txt")
	if err := os.WriteFile(p, []byte("أرشيف ٢٠١٩\nفقرة"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, history, history); err != nil {
		t.Fatal(err)
	}
	in = startDaemon(t, seeds, db)
	in.stop(t)
	if got := inspect(t, db)["archive.txt"].published; !got.Equal(history) {
		t.Errorf("archive.txt published %v, want its modification time %v: the database was empty", got, history)
	}
}
