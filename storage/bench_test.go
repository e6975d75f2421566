package storage

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkPutSameModTime stores 5,000 files that share one modification
// time, in batches of 512 as the watcher does: a folder copied at once.
// Each needs its own updated moment.
func BenchmarkPutSameModTime(b *testing.B) {
	items := sameTimeItems(5000, false)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("%d.db", i)), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		putBatches(b, s, items)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
