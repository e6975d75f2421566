package main

import (
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
	"golang.org/x/text/language"
)

// BenchmarkHandler304 measures what seedfeed's own code adds to a
// conditional request, the case where per-request costs show most in
// bench/serve.sh: the whole handler chain (metrics wrapper, guard, mux,
// feed handler) against the mux alone and against a handler that does
// only what bench/minimal does. net/http's connection handling is left
// out, so the difference is seedfeed's.
func BenchmarkHandler304(b *testing.B) {
	store, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	logger := slog.New(slog.DiscardHandler)
	cfg := feed.Config{BaseURL: "http://127.0.0.1", Title: "t", Lang: language.Arabic, Limit: 50, MaxAge: 5 * time.Minute}
	h, err := feed.NewHandler(store, cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	chain := newMetrics(func() float64 { return 0 }, func() float64 { return 0 }).instrument(mux, logger)

	rw := &discardWriter{h: http.Header{}}
	req, err := http.NewRequest("GET", "http://127.0.0.1/feed.atom", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RequestURI = "/feed.atom"
	chain.ServeHTTP(rw, req)
	etag := rw.h.Get("ETag")
	req.Header.Set("If-None-Match", etag)

	minimal := http.NewServeMux()
	minimal.HandleFunc("GET /feed.atom", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		h.Set("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
		}
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"seedfeed", chain}, {"mux-only", mux}, {"minimal", minimal}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				clear(rw.h)
				r := *req
				c.h.ServeHTTP(rw, &r)
				if rw.code != http.StatusNotModified {
					b.Fatalf("status %d, want 304", rw.code)
				}
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the body.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
