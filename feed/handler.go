package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// Source is what the handler reads articles from.
type Source interface {
	// Newest returns up to n items, the most recently published first.
	Newest(n int) ([]storage.Item, error)
	// Article returns the item whose slug, or failing that whose key, is
	// slug, or an error wrapping storage.ErrNotFound.
	Article(slug string) (storage.Item, error)
	// Changed returns a channel closed at the next change.
	Changed() <-chan struct{}
}

// Media types of the served documents.
const (
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
	TypeHTML = "text/html; charset=utf-8"
)

// Handler serves the feeds, the index page and the article pages. It
// renders the feeds and the index once per change of the source, not per
// request.
type Handler struct {
	src     Source
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	current atomic.Pointer[snapshot]
	changed <-chan struct{}
}

// snapshot is every document rendered from one state of the source.
type snapshot struct {
	atom, rss, json, index doc
}

// doc is one rendered representation.
type doc struct {
	body     []byte
	ctype    string
	etag     string
	modified time.Time
}

func newDoc(body []byte, ctype string, modified time.Time) doc {
	sum := sha256.Sum256(body)
	return doc{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: modified}
}

// NewHandler renders the source's newest articles and returns a handler
// that serves them. Run keeps it up to date.
func NewHandler(src Source, cfg Config, logger *slog.Logger) (*Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{src: src, cfg: cfg, log: logger, mux: http.NewServeMux(), changed: src.Changed()}
	if err := h.refresh(); err != nil {
		return nil, err
	}
	h.mux.HandleFunc("GET /{$}", h.serveDoc(func(s *snapshot) *doc { return &s.index }))
	h.mux.HandleFunc("GET "+PathAtom, h.serveDoc(func(s *snapshot) *doc { return &s.atom }))
	h.mux.HandleFunc("GET "+PathRSS, h.serveDoc(func(s *snapshot) *doc { return &s.rss }))
	h.mux.HandleFunc("GET "+PathJSON, h.serveDoc(func(s *snapshot) *doc { return &s.json }))
	h.mux.HandleFunc("GET "+PathArticles+"{slug...}", h.serveArticle)
	return h, nil
}

// Run re-renders after every change of the source until ctx is done. A
// failed render is logged and the previous documents stay served.
func (h *Handler) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.changed:
			h.changed = h.src.Changed()
			if err := h.refresh(); err != nil {
				h.log.Error("cannot render feeds", "err", err)
			}
		}
	}
}

// refresh renders every document from the source's current state.
func (h *Handler) refresh() error {
	items, err := h.src.Newest(h.cfg.Limit)
	if err != nil {
		return fmt.Errorf("read newest articles: %w", err)
	}
	s, err := render(items, h.cfg)
	if err != nil {
		return err
	}
	h.current.Store(s)
	return nil
}

func render(items []storage.Item, cfg Config) (*snapshot, error) {
	f := Build(items, cfg)
	modified := Updated(items)
	lang := cfg.Lang.String()
	var s snapshot
	for _, r := range []struct {
		dst    *doc
		ctype  string
		render func() ([]byte, error)
	}{
		{&s.atom, TypeAtom, func() ([]byte, error) { return Atom(f, lang, cfg.BaseURL+PathAtom) }},
		{&s.rss, TypeRSS, func() ([]byte, error) { return RSS(f, lang, cfg.BaseURL+PathRSS) }},
		{&s.json, TypeJSON, func() ([]byte, error) { return JSON(f, lang, cfg.BaseURL+PathJSON) }},
		{&s.index, TypeHTML, func() ([]byte, error) { return Index(items, cfg) }},
	} {
		body, err := r.render()
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", r.ctype, err)
		}
		*r.dst = newDoc(body, r.ctype, modified)
	}
	return &s, nil
}

// ServeHTTP serves the feeds at PathAtom, PathRSS and PathJSON, the index
// at "/" and each article under PathArticles, for GET and HEAD.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) serveDoc(pick func(*snapshot) *doc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeDoc(w, r, pick(h.current.Load()))
	}
}

func (h *Handler) serveArticle(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	it, err := h.src.Article(slug)
	if errors.Is(err, storage.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.log.Error("cannot read article", "slug", slug, "err", err)
		http.Error(w, "cannot read the article", http.StatusInternalServerError)
		return
	}
	if it.Slug() != slug {
		// Renamed since it was first published under this name.
		http.Redirect(w, r, ArticleURL(h.cfg.BaseURL, it), http.StatusMovedPermanently)
		return
	}
	body, err := ArticlePage(it, h.cfg)
	if err != nil {
		h.log.Error("cannot render article", "slug", slug, "err", err)
		http.Error(w, "cannot render the article", http.StatusInternalServerError)
		return
	}
	d := newDoc(body, TypeHTML, it.Updated)
	writeDoc(w, r, &d)
}

// writeDoc writes d with its validators; http.ServeContent answers HEAD
// and conditional requests.
func writeDoc(w http.ResponseWriter, r *http.Request, d *doc) {
	h := w.Header()
	h.Set("Content-Type", d.ctype)
	h.Set("ETag", d.etag)
	http.ServeContent(w, r, "", d.modified, bytes.NewReader(d.body))
}
