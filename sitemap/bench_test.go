package sitemap

import (
	"fmt"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// BenchmarkPublish: one publication among 20,000 articles in 100
// sections, as an index of sitemaps of 1,000 URLs, and as one sitemap
// (the protocol's limit): the render after it reads the last chunk's
// pages only, and the one sitemap joins and compresses every chunk.
func BenchmarkPublish(b *testing.B) {
	for _, limit := range []int{1000, MaxURLs} {
		b.Run(fmt.Sprint("limit=", limit), func(b *testing.B) { benchPublish(b, limit) })
	}
}

func benchPublish(b *testing.B, limit int) {
	s := openStore(b, 100)
	const n = 20000
	batch := make([]storage.Item, 0, 500)
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		batch = append(batch, storage.Item{
			Path:      fmt.Sprintf("قسم-%03d/مقال-%05d.md", i%100, i),
			Article:   article.Article{Title: fmt.Sprintf("المقال %d", i), Paragraphs: []string{"نص"}},
			Published: at, Updated: at,
			File: storage.File{Size: 1, ModTime: at, Hash: fmt.Sprint(i)},
		})
		if len(batch) == cap(batch) {
			if _, err := s.Put(batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	start := time.Now()
	h := newHandler(b, s, Config{MaxURLs: limit})
	first := time.Since(start)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		put(b, s, fmt.Sprintf("جديد/%d.md", i), "جديد", t0.Add(time.Duration(n+i)*time.Minute))
		b.StartTimer()
		if err := h.refresh(s.ChangesSince(h.version)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Milliseconds()), "ms-first-render")
}
