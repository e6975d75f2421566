package watcher

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pollEverything has w poll every folder it watches, as if the kernel
// had refused them all.
func pollEverything(w *Watcher) {
	for d := range w.dirs {
		w.removeWatch(w.abs(d))
		delete(w.dirs, d)
		w.pollDir(d)
	}
}

// BenchmarkPoll measures one pass over 10,000 polled folders of one
// article each, where nothing changed: what each Options.Poll costs.
func BenchmarkPoll(b *testing.B) {
	dir := b.TempDir()
	const folders = 10000
	for i := range folders {
		p := filepath.Join(dir, fmt.Sprintf("%03d", i/1000), fmt.Sprintf("%06d", i), "a.txt")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("عنوان\nفقرة"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// Folders at rest: changed an hour before they are listed.
	rest := time.Now().Add(-time.Hour)
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chtimes(p, rest, rest)
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	h := prepare(b, dir)
	w := h.watcher(b, Options{})
	defer w.Close()
	pollEverything(w)
	b.ResetTimer()
	for b.Loop() {
		w.startPass()
		for len(w.poll.queue) > 0 {
			w.pollSome()
		}
	}
	b.StopTimer()
	if w.deb.next(); len(w.deb.due) > 0 {
		b.Fatalf("%d files scheduled though nothing changed", len(w.deb.due))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(folders+folders/1000+1), "ns/folder")
}
