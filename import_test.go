package main

// Stopping and killing the daemon during its first import, the longest
// thing it does: nothing stored may be lost, doubled or changed.

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
)

// TestKillDuringImport kills the daemon with SIGKILL at random moments of
// a 5,000-file import, then lets it finish: every file is published once,
// no id or published date changes, and bbolt finds the file consistent.
func TestKillDuringImport(t *testing.T) {
	db, args := importFolder(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("random seed %d", seed)

	known := map[string]identity{}
	kills, stored := 0, 0
	for kills < 8 {
		p := startProcess(t, command(args...))
		// An import here stores a few thousand files a second: short
		// random delays land kills all along it.
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		finished := strings.Contains(p.out.String(), "msg=listening")
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		if finished {
			break // the import ended before the kill; what follows checks it
		}
		kills++
		if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
			t.Logf("kill %d: before the database was created", kills)
			continue
		}
		got := inspect(t, db)
		for path, id := range got {
			if prev, ok := known[path]; ok && prev != id {
				t.Errorf("after kill %d, %s changed identity: %v → %v", kills, path, prev, id)
			}
			known[path] = id
		}
		t.Logf("kill %d: %d of %d files stored", kills, len(got), importSize)
		stored = len(got)
	}
	if kills == 0 || stored == importSize {
		t.Fatalf("no kill landed during the import (%d kills, %d stored)", kills, stored)
	}
	got := finishImport(t, db, args, known)
	t.Logf("%d kills, %d files, each published once", kills, len(got))
}

// TestStopDuringImport sends SIGTERM while the start-up scan imports a
// large folder: the daemon stops at once and cleanly (exit 0, never ready,
// never serving), and the next start imports the rest, each file once.
func TestStopDuringImport(t *testing.T) {
	db, args := importFolder(t)
	landed := 0
	for try := 0; try < 6 && landed < 3; try++ {
		p := startProcess(t, command(args...))
		time.Sleep(time.Duration(50+try*60) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("SIGTERM during the import: %v\n%s", err, p.out)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("SIGTERM during the import: still running after 5 s\n%s", p.out)
		}
		if strings.Contains(p.out.String(), "stopped during the start-up scan") {
			landed++
			if strings.Contains(p.out.String(), "msg=listening") {
				t.Errorf("stopped during the scan, yet said it was listening:\n%s", p.out)
			}
		}
	}
	if landed == 0 {
		t.Fatal("no SIGTERM landed during the import: the test proves nothing")
	}
	finishImport(t, db, args, nil)
	t.Logf("%d stops during the import, then %d files, each published once", landed, importSize)
}

// importSize is the number of files importFolder writes.
const importSize = 5000

// importFolder writes importSize articles into a new seeds folder and
// returns a new database's path and the daemon's arguments for both.
func importFolder(t *testing.T) (db string, args []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("imports 5,000 files several times; run without -short")
	}
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "import.db")
	writeImport(t, seeds, importSize)
	return db, []string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0"}
}

// finishImport runs the daemon until it serves, stops it, and checks the
// whole import (see checkImport).
func finishImport(t *testing.T, db string, args []string, known map[string]identity) map[string]identity {
	t.Helper()
	p := startProcess(t, command(args...))
	seedtest.WaitFor(t, time.Minute, "the last run to finish the import", p.out, p.logged("msg=listening"))
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("the last run ended with %v", err)
	}
	return checkImport(t, db, importSize, known)
}

// checkImport checks that db holds writeImport's n articles, each once,
// with its own key and published date, and none changed from known.
func checkImport(t *testing.T, db string, n int, known map[string]identity) map[string]identity {
	t.Helper()
	got := inspect(t, db)
	if len(got) != n {
		t.Errorf("%d of %d files published", len(got), n)
	}
	for path, id := range got {
		if prev, ok := known[path]; ok && prev != id {
			t.Errorf("%s changed identity: %v → %v", path, prev, id)
		}
		var i int
		fmt.Sscanf(path, "%04d.txt", &i)
		want := identity{strings.TrimSuffix(path, ".txt"), importBase.Add(time.Duration(i) * time.Minute)}
		if !id.published.Equal(want.published) || id.key != want.key {
			t.Errorf("%s: key %q published %v, want %q %v", path, id.key, id.published, want.key, want.published)
		}
	}
	return got
}
