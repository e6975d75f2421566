package sitemap

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// Source is what the sitemaps are read from: *storage.Store.
type Source interface {
	// ArchiveHeads returns page n of list l with each article's key, path
	// and dates only (see storage.Store.ArchiveHeads).
	ArchiveHeads(l storage.List, n int) (storage.Page, error)
	// Info returns what the store knows of list l, or ErrNotFound.
	Info(l storage.List) (storage.ListInfo, error)
	// Lists returns the lists of kind k that hold an article.
	Lists(k storage.Kind) ([]storage.ListInfo, error)
	// Newest returns up to n items, the most recently published first.
	Newest(n int) ([]storage.Item, error)
	// PageSize returns the number of articles of an archive page.
	PageSize() int
	// Sections returns what the folders' _index.md files say, by
	// folder ("" for the seeds folder).
	Sections() (map[string]storage.SectionMeta, error)
	// ChangesSince tells which lists and pages changed since a version.
	ChangesSince(v uint64) storage.Changes
}

// Paths of the documents served, relative to the base URL.
const (
	PathSitemap = "/sitemap.xml"
	PathNews    = "/sitemap-news.xml"
	PathRobots  = "/robots.txt"
	// PathParts is where the sitemaps of the sitemap index are served
	// (see the package comment).
	PathParts = "/sitemaps/"
)

// Limits of the protocols.
const (
	// MaxURLs is the number of URLs a sitemap may hold.
	MaxURLs = 50000
	// DefaultURLs is the number of URLs a sitemap holds here unless
	// Config says otherwise: a sitemap is rendered and compressed whole
	// at every change it sees, and one of 50,000 URLs costs a quarter
	// of a second of it per publication (BenchmarkPublish: 219 ms for
	// 20,000 URLs in one sitemap, 6.3 ms in sitemaps of 1,000). Search
	// engines read an index as well as one sitemap.
	DefaultURLs = 1000
	// MaxNews is the number of URLs a news sitemap may hold.
	MaxNews = 1000
	// NewsAge is how long an article stays in the news sitemap.
	NewsAge = 48 * time.Hour
)

// Config configures the sitemaps.
type Config struct {
	// BaseURL is the public URL of the site, without a trailing slash.
	BaseURL string
	// Title is the site's title: the news sitemap's publication name,
	// unless the seeds folder's _index.md gives one and TitleFixed is
	// false (the title is the flag's default, as feed.Config.Explicit).
	Title      string
	TitleFixed bool
	// Lang is the language of the articles that do not name their own.
	Lang language.Tag
	// MaxAge is how long clients and caches may reuse a response.
	MaxAge time.Duration
	// MaxURLs is the number of URLs above which /sitemap.xml becomes a
	// sitemap index, and the size of its sitemaps; 0 is DefaultURLs,
	// or the store's page size if that is more. At most MaxURLs; not below
	// the store's page size.
	MaxURLs int
	// Now is the clock of the news sitemap's two days; nil is time.Now.
	Now func() time.Time
}

// Handler serves the sitemaps and robots.txt.
type Handler struct {
	src    Source
	cfg    Config
	log    *slog.Logger
	robots *feed.Doc
	// mu guards what one render keeps for the next, and current: the
	// documents are rendered at the first request after a change, by
	// one request while the others wait.
	mu         sync.Mutex
	current    *snapshot // nil until the first request
	version    uint64
	state      state
	newsExpiry time.Time // when the news sitemap's oldest article ages out; zero for none
}

// snapshot is every document served, as one render left them.
type snapshot struct {
	root, news *feed.Doc
	parts      map[string]*feed.Doc // the index's sitemaps by name; nil without an index
}

// Media types of the served documents.
const (
	typeXML  = "application/xml; charset=utf-8"
	typeText = "text/plain; charset=utf-8"
)

// New returns a handler that serves the sitemaps of src, each rendered
// at the first request after a change (see the package comment).
func New(src Source, cfg Config, logger *slog.Logger) (*Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxURLs == 0 {
		cfg.MaxURLs = max(DefaultURLs, src.PageSize())
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if size := src.PageSize(); size < 1 || size > cfg.MaxURLs || cfg.MaxURLs > MaxURLs {
		return nil, fmt.Errorf("sitemap: archive page size %d is not within 1 to %d URLs", size, cfg.MaxURLs)
	}
	robots := fmt.Sprintf("User-agent: *\nAllow: /\n\nSitemap: %s\nSitemap: %s\n", cfg.BaseURL+PathSitemap, cfg.BaseURL+PathNews)
	h := &Handler{src: src, cfg: cfg, log: logger}
	var err error
	if h.robots, err = feed.NewDoc([]byte(robots), typeText, time.Time{}, cfg.MaxAge); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes returns every route the handler serves.
func (h *Handler) Routes() []feed.Route {
	return []feed.Route{
		{Name: "sitemap", Pattern: "GET " + PathSitemap, Handler: h.serve(func(s *snapshot) *feed.Doc { return s.root })},
		{Name: "sitemap-news", Pattern: "GET " + PathNews, Handler: h.serve(func(s *snapshot) *feed.Doc { return s.news })},
		{Name: "sitemap-part", Pattern: "GET " + PathParts + "{name}", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.serve(func(s *snapshot) *feed.Doc { return s.parts[r.PathValue("name")] })(w, r)
		})},
		{Name: "robots", Pattern: "GET " + PathRobots, Handler: h.robots},
	}
}

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, r := range h.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
}

// serve answers with the document pick finds in the current snapshot,
// rendered first if the store changed since, or 404 when there is none.
func (h *Handler) serve(pick func(*snapshot) *feed.Doc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.documents()
		if err != nil {
			h.log.Error("cannot render sitemaps", "uri", r.RequestURI, "err", err)
			http.Error(w, "cannot render the sitemap", http.StatusInternalServerError)
			return
		}
		d := pick(s)
		if d == nil {
			http.NotFound(w, r)
			return
		}
		d.ServeHTTP(w, r)
	}
}

// documents returns the documents as the store stands: it renders again
// what changed since the last request (storage.Store.ChangesSince), and
// the news sitemap once its oldest article has aged out. Sitemaps are
// read by crawlers now and then, while articles may arrive by the
// thousand: rendering on request costs a publication nothing, and a
// restart does not read every article for them. A failed render leaves
// the previous documents, and the next request tries again.
func (h *Handler) documents() (*snapshot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.src.ChangesSince(h.version)
	if h.current == nil {
		c.All = true
	}
	if c.All || c.Version != h.version {
		if err := h.refresh(c); err != nil {
			return h.current, err
		}
	} else if !h.newsExpiry.IsZero() && !h.cfg.Now().Before(h.newsExpiry) {
		if err := h.refreshNews(); err != nil {
			return h.current, err
		}
	}
	return h.current, nil
}
