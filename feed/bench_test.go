package feed

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// BenchmarkRefresh renders every document from the newest 50 articles of
// a store of 100 and of 100,000: reading through the date index, the cost
// must not grow with the store.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("store=%d", n), func(b *testing.B) {
			store, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			para := strings.Repeat("نقلت وكالة رويترز للأنباء عن عدة مصادر إيرانية وعراقية قولها. ", 6)
			batch := make([]storage.Item, 0, 1000)
			for i := range n {
				at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
				batch = append(batch, storage.Item{
					Path:      fmt.Sprintf("%03d/%06d.txt", i/1000, i),
					Article:   article.Article{Title: fmt.Sprintf("خبر رقم %d", i), Paragraphs: []string{para, para, para, para, para, para}},
					Published: at, Updated: at,
					File: storage.File{Size: 2000, ModTime: at, Hash: fmt.Sprint(i)},
				})
				if len(batch) == cap(batch) || i == n-1 {
					if _, err := store.Put(batch...); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			h, err := NewHandler(store, testConfig, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := h.refresh(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
