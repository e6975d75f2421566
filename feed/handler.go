package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
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
	// LastChange returns when the articles last changed, deletions
	// included; it only moves forward.
	LastChange() (time.Time, error)

	// Info returns what the source knows of a list, or an error wrapping
	// storage.ErrNotFound when no article ever entered it.
	Info(l storage.List) (storage.ListInfo, error)
	// NewestIn returns up to n items of the list l, newest first.
	NewestIn(l storage.List, n int) ([]storage.Item, error)
	// NewestInAt returns up to n items of the list l, newest first,
	// after the offset newest.
	NewestInAt(l storage.List, offset, n int) ([]storage.Item, error)
	// ArchivePage returns archive page n of the list l, or an error
	// wrapping storage.ErrNotFound.
	ArchivePage(l storage.List, n int) (storage.Page, error)
	// Version and ChangesSince tell which lists and archive pages each
	// change touched, so that only their documents are rendered again.
	Version() uint64
	ChangesSince(v uint64) storage.Changes
	// Sections returns what the folders' _index.md files say, by folder
	// path ("" for the seeds folder).
	Sections() (map[string]storage.SectionMeta, error)
	// SectionsChanged returns when a section last changed: no document
	// that names one is dated before it.
	SectionsChanged() (time.Time, error)
}

// Handler serves the feeds, the index page and the article pages, and
// the feeds, HTML pages and RFC 5005 archive documents of every section
// and category. It renders the main feeds and the index once per change
// of the source, not per request; it renders the others on first
// request and keeps them until a change touches them (see
// storage.Changes), and article pages until the next change.
type Handler struct {
	src     Source
	cfg     Config // as given; site holds it with the sections' _index.md
	log     *slog.Logger
	mux     *http.ServeMux
	headers headers
	// archiveHeaders are a full archive document's: it changes only when
	// one of its own articles is edited or removed, so caches may keep it
	// a day without asking (a client that does ask gets a 304 by ETag).
	archiveHeaders headers
	favicon        doc
	current        atomic.Pointer[snapshot]
	site           atomic.Pointer[Config]
	changed        <-chan struct{}

	mu         sync.Mutex
	gen        uint64                // counts refreshes
	version    uint64                // the source's version the cache is of
	pages      map[string]*doc       // article pages by slug, rendered since the last refresh
	served     map[string]*doc       // the last page rendered of each slug, for doc.follow
	docs       map[docKey]*cachedDoc // list documents no change has touched since rendered
	servedDocs map[docKey]*doc       // the last of each list document, for doc.follow
	onRender   func(time.Duration)
}

// OnRender has f told how long each re-rendering took (reading the newest
// articles, rendering and compressing every document), for metrics. Call
// it before Run.
func (h *Handler) OnRender(f func(time.Duration)) { h.onRender = f }

// maxCachedPages bounds the article page cache: a crawler walking every
// article must not hold them all in memory.
const maxCachedPages = 1024

// NewHandler renders the source's newest articles and returns a handler
// that serves them. Run keeps it up to date.
func NewHandler(src Source, cfg Config, logger *slog.Logger) (*Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{
		src: src, cfg: cfg, log: logger, mux: http.NewServeMux(), changed: src.Changed(),
		headers: headers{
			cacheControl: []string{fmt.Sprintf("public, max-age=%d", int(cfg.MaxAge.Seconds()))},
			language:     []string{cfg.Lang.String()},
		},
		archiveHeaders: headers{cacheControl: []string{"public, max-age=86400"}, language: []string{cfg.Lang.String()}},
		pages:          make(map[string]*doc),
		served:         make(map[string]*doc),
		docs:           make(map[docKey]*cachedDoc),
		servedDocs:     make(map[docKey]*doc),
		version:        src.Version(),
	}
	icon, err := favicon()
	if err == nil {
		// The icon never changes: one modification time for every instance.
		h.favicon, err = newDoc(icon, "image/x-icon", emptyUpdated)
	}
	if err != nil {
		return nil, fmt.Errorf("favicon: %w", err)
	}
	if err := h.refresh(); err != nil {
		return nil, err
	}
	h.Register(h.mux)
	return h, nil
}

// A Route is one kind of request the handler answers: its name, for
// people (metrics label requests with it), its http.ServeMux pattern, and
// what answers it.
type Route struct {
	Name, Pattern string
	Handler       http.Handler
}

// Routes returns every route the handler serves.
func (h *Handler) Routes() []Route {
	iconHeaders := headers{cacheControl: []string{"public, max-age=86400"}}
	return []Route{
		{"index", "GET /{$}", h.serveDoc(func(s *snapshot) *doc { return &s.index })},
		{"atom", "GET " + PathAtom, h.serveDoc(func(s *snapshot) *doc { return &s.atom })},
		{"rss", "GET " + PathRSS, h.serveDoc(func(s *snapshot) *doc { return &s.rss })},
		{"json", "GET " + PathJSON, h.serveDoc(func(s *snapshot) *doc { return &s.json })},
		{"article", "GET " + PathArticles + "{slug...}", http.HandlerFunc(h.serveArticle)},
		{"page", "GET /" + pathPage + "{n}/", http.HandlerFunc(h.serveMainPage)},
		{"archive", "GET /" + pathArchive + "{file}", http.HandlerFunc(h.serveMainArchive)},
		{"section", "GET " + PathSections + "{path...}", http.HandlerFunc(h.serveSection)},
		{"category", "GET " + PathCategories + "{term}/{rest...}", http.HandlerFunc(h.serveCategory)},
		{"favicon", "GET /favicon.ico", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.favicon.write(w, r, iconHeaders)
		})},
		// Every other request: the HTML page that says nothing is there.
		// Named as metrics name the requests no route matches. For every
		// method, so that it does not conflict with a route for every
		// method under a path ("/media/"); notFound answers the others 405.
		{"none", "/", http.HandlerFunc(h.notFound)},
	}
}

// Register adds the handler's routes to mux, for a server that serves
// more than the feeds: one mux routes every request once.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, r := range h.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
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

// siteConfig returns the configuration the documents are rendered with:
// the flags' and the sections' _index.md. The sections are read again
// only when all may have changed: a change of a section makes the store
// report All (see storage.Store.PutSection), and a publication costs no
// read of them.
func (h *Handler) siteConfig(all bool) (Config, error) {
	if prev := h.site.Load(); prev != nil && !all {
		return *prev, nil
	}
	sections, err := h.readSections()
	if err != nil {
		return Config{}, fmt.Errorf("read sections: %w", err)
	}
	cfg := withSections(h.cfg, sections)
	if cfg.sectionsChanged, err = h.src.SectionsChanged(); err != nil {
		return Config{}, fmt.Errorf("read when the sections changed: %w", err)
	}
	return cfg, nil
}

// refresh renders the main documents from the source's current state
// and forgets the cached documents the changes since the last refresh
// touched.
func (h *Handler) refresh() error {
	start := time.Now()
	h.mu.Lock()
	changes := h.src.ChangesSince(h.version) // before reading: what is read holds them
	h.mu.Unlock()
	cfg, err := h.siteConfig(changes.All)
	if err != nil {
		return err
	}
	m, err := h.readMain(cfg)
	if err != nil {
		return err
	}
	s, err := renderMain(m, cfg)
	if err != nil {
		return err
	}
	if prev := h.current.Load(); prev != nil {
		s.atom.follow(&prev.atom)
		s.rss.follow(&prev.rss)
		s.json.follow(&prev.json)
		s.index.follow(&prev.index)
	}
	h.mu.Lock()
	h.current.Store(s)
	h.site.Store(&cfg)
	h.gen++
	clear(h.pages)
	h.dropChanged(changes)
	h.version = changes.Version
	h.mu.Unlock()
	if h.onRender != nil {
		h.onRender(time.Since(start))
	}
	return nil
}

// readMain reads what the main documents show.
func (h *Handler) readMain(cfg Config) (mainState, error) {
	var m mainState
	var err error
	if m.items, err = h.src.Newest(cfg.Limit); err != nil {
		return m, fmt.Errorf("read newest articles: %w", err)
	}
	// The feeds' own dates are their newest entry's; Last-Modified must
	// also move when an entry goes, or comes with an older date, or a
	// client asking If-Modified-Since would be told nothing changed.
	if m.changed, err = h.src.LastChange(); err != nil {
		return m, fmt.Errorf("read last change: %w", err)
	}
	info, err := h.src.Info(storage.List{})
	switch {
	case errors.Is(err, storage.ErrNotFound): // empty, or a read-only database without lists
		m.count = len(m.items)
	case err != nil:
		return m, fmt.Errorf("read the main list: %w", err)
	default:
		m.archives, m.count = info.Pages, info.Count
	}
	m.open, err = h.openPage(storage.List{}, m.archives)
	return m, err
}

// ServeHTTP serves the feeds at PathAtom, PathRSS and PathJSON, the index
// at "/", each article under PathArticles and /favicon.ico, for GET and
// HEAD, and an HTML page that says so where nothing is (see Routes).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) serveDoc(pick func(*snapshot) *doc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pick(h.current.Load()).write(w, r, h.headers)
	}
}

func (h *Handler) serveArticle(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	h.mu.Lock()
	d := h.pages[slug]
	h.mu.Unlock()
	if d == nil {
		var redirect string
		var err error
		d, redirect, err = h.renderArticle(slug)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			h.notFound(w, r)
			return
		case err != nil:
			h.log.Error("cannot show article", "slug", slug, "err", err)
			h.writeError(w, http.StatusInternalServerError)
			return
		case redirect != "":
			// Renamed since it was first published under this name.
			http.Redirect(w, r, redirect, http.StatusMovedPermanently)
			return
		}
	}
	d.write(w, r, h.headers)
}

// renderArticle renders the page of slug and caches it until the next
// change, or returns the URL the article moved to.
func (h *Handler) renderArticle(slug string) (*doc, string, error) {
	h.mu.Lock()
	gen := h.gen
	h.mu.Unlock()
	cfg := *h.site.Load()
	it, err := h.src.Article(slug)
	if err != nil {
		return nil, "", err
	}
	if it.Slug() != slug {
		return nil, ArticleURL(cfg.BaseURL, it), nil
	}
	body, err := articlePage(it, cfg)
	if err != nil {
		return nil, "", err
	}
	d, err := newDoc(body, typeHTML, later(it.Updated, cfg.sectionsChanged))
	if err != nil {
		return nil, "", err
	}
	if e := newEntry(it, cfg); e.otherLang {
		d.language = []string{e.lang} // the page's, as its <html lang> says
	}
	h.mu.Lock()
	d.follow(h.served[slug])
	if gen == h.gen { // else the article may have changed while it was rendered
		if len(h.pages) >= maxCachedPages {
			clear(h.pages)
		}
		h.pages[slug] = &d
	}
	// Only the page's dates and ETag matter here; the bodies of a
	// crawler's walk are not kept.
	if len(h.served) >= maxCachedPages {
		clear(h.served)
	}
	h.served[slug] = &doc{modified: d.modified, sharedSecond: d.sharedSecond, nextModified: d.nextModified, plain: representation{etag: d.plain.etag}}
	h.mu.Unlock()
	return &d, "", nil
}
