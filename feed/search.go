package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// Searcher finds the articles that match a query, for the search page
// and feeds (see Config.Search).
type Searcher interface {
	// Search returns the matches of r. It returns an error wrapping
	// ErrBadQuery for a query it refuses, and ctx's error when ctx is
	// done first.
	Search(ctx context.Context, r SearchRequest) (SearchResults, error)
}

// SearchRequest is one search: its query (text, never query syntax),
// the order (the best first, or the most recently published first when
// Newest), the page (from From, from 0, at most Size), and whether each
// hit needs a snippet.
type SearchRequest struct {
	Query      string
	Newest     bool
	From, Size int
	Snippets   bool
}

// ErrBadQuery is a Searcher's answer to a query it refuses.
var ErrBadQuery = errors.New("bad query")

// SearchResults are one page of a search's matches.
type SearchResults struct {
	Total int // the number of matching articles
	Hits  []SearchHit
}

// SearchHit is one matching article: its key, its file's path, and a
// passage of its text around the matching words.
type SearchHit struct {
	Key, Path string
	Snippet   []SearchFragment
}

// SearchFragment is a piece of a snippet, marked when it is a matching
// word.
type SearchFragment struct {
	Text string
	Mark bool
}

// Paths of the search: its page, its feeds (PathSearch and the format's
// extension) and its OpenSearch description.
const (
	PathSearch     = "/search"
	PathOpenSearch = "/opensearch.xml"
)

// Bounds of a search request.
const (
	// MaxQuery is the longest query, in characters.
	MaxQuery = 256
	// searchPageSize is the number of results on a search page.
	searchPageSize = 20
	// maxSearchPage bounds the page number: deeper pages cost a sort of
	// every match before them.
	maxSearchPage = 500
	// searchTimeout bounds the time of one search.
	searchTimeout = 2 * time.Second
	// maxSearches is how many searches run at once; more are answered
	// 503 at once, so that a flood of queries cannot queue without end.
	maxSearches = 8
)

// SearchURL returns the URL of page n (from 1) of the search page for q.
func SearchURL(base, q string, n int) string {
	u := base + PathSearch + "?q=" + url.QueryEscape(q)
	if n > 1 {
		u += "&page=" + strconv.Itoa(n)
	}
	return u
}

// SearchFeedURL returns the URL of the feed of the search for q in
// format f.
func SearchFeedURL(base, q string, f Format) string {
	return base + PathSearch + "." + f.Ext() + "?q=" + url.QueryEscape(q)
}

// searchRoutes are the search's routes, when the handler has a Searcher.
func (h *Handler) searchRoutes() []Route {
	if h.cfg.Search == nil {
		return nil
	}
	routes := []Route{
		{"search", "GET " + PathSearch, http.HandlerFunc(h.serveSearchPage)},
		{"opensearch", "GET " + PathOpenSearch, http.HandlerFunc(h.serveOpenSearch)},
	}
	for _, f := range []Format{Atom, RSS, JSON} {
		routes = append(routes, Route{"search_" + f.Ext(), "GET " + PathSearch + "." + f.Ext(), h.serveSearchFeed(f)})
	}
	return routes
}

// searchRequest is a search request's query and page, or why they are
// refused.
type searchRequest struct {
	q    string // "" when none was given
	page int    // from 1
	bad  string // why the request is refused, or ""
	// badKey and badArg say it in the catalog's words, for the page.
	badKey  string
	badArgs []any
}

// parseSearch reads the query (q, the first if several) and the page
// (page) of r. Control characters in the query are spaces: they are no
// part of a word, and XML cannot carry some of them.
func parseSearch(r *http.Request) searchRequest {
	v := r.URL.Query()
	s := searchRequest{page: 1}
	q := v.Get("q")
	switch {
	case !utf8.ValidString(q):
		s.bad, s.badKey = "the query is not valid UTF-8", "query not utf-8"
	case utf8.RuneCountInString(q) > MaxQuery:
		s.bad = fmt.Sprintf("the query is longer than %d characters", MaxQuery)
		s.badKey, s.badArgs = "query too long", []any{MaxQuery}
	}
	s.q = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q))
	if p := v.Get("page"); p != "" && s.bad == "" {
		n, ok := parseNumber(p)
		if !ok || n > maxSearchPage {
			s.bad = fmt.Sprintf("page must be a number from 1 to %d", maxSearchPage)
			s.badKey, s.badArgs = "bad page", []any{1, maxSearchPage}
		}
		s.page = n
	}
	if s.bad != "" {
		s.q = ""
	}
	return s
}

// search runs one search within the bounds: the number running at once,
// and the time each may take. It answers the request itself, and
// returns false, when it could not run the search.
func (h *Handler) search(w http.ResponseWriter, r *http.Request, req SearchRequest) (SearchResults, bool) {
	select {
	case h.searches <- struct{}{}:
		defer func() { <-h.searches }()
	default:
		w.Header().Set("Retry-After", "1")
		h.searchFail(w, r, "too many searches at once; try again in a moment", http.StatusServiceUnavailable)
		return SearchResults{}, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), searchTimeout)
	defer cancel()
	res, err := h.cfg.Search.Search(ctx, req)
	switch {
	case err == nil:
		return res, true
	case errors.Is(err, ErrBadQuery):
		h.searchFail(w, r, "bad query", http.StatusBadRequest)
	case ctx.Err() != nil:
		w.Header().Set("Retry-After", "1")
		h.searchFail(w, r, "the search took too long", http.StatusServiceUnavailable)
	default:
		h.log.Error("cannot search", "query", req.Query, "err", err)
		h.searchFail(w, r, "cannot search", http.StatusInternalServerError)
	}
	return SearchResults{}, false
}

// searchFail answers a search that could not run: the search page with
// the error page of status, in the site's language; a search feed, for
// programs, with msg as text.
func (h *Handler) searchFail(w http.ResponseWriter, r *http.Request, msg string, status int) {
	if r.URL.Path == PathSearch {
		h.writeError(w, status)
		return
	}
	http.Error(w, msg, status)
}

// searchItem is a hit and its article, as the store has it now.
type searchItem struct {
	storage.Item
	snippet []SearchFragment
}

// items reads the articles of hits from the source. A hit whose article
// is gone, or whose path now holds another (the index is a moment
// behind the store), is left out.
func (h *Handler) items(hits []SearchHit) ([]searchItem, error) {
	var out []searchItem
	for _, hit := range hits {
		it, err := h.src.Article(article.Slug(hit.Path))
		if err == nil && it.Key != hit.Key {
			it, err = h.src.Article(hit.Key)
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			continue
		case err != nil:
			return nil, err
		case it.Key != hit.Key:
			continue
		}
		out = append(out, searchItem{Item: it, snippet: hit.Snippet})
	}
	return out, nil
}

// serveSearchFeed serves the feed of a search in format f: the newest
// matches, as many as a feed holds, so that a reader can subscribe to a
// search.
func (h *Handler) serveSearchFeed(f Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := parseSearch(r)
		if s.bad == "" && s.q == "" {
			s.bad = "no query: give one as ?q="
		}
		if s.bad != "" {
			http.Error(w, s.bad, http.StatusBadRequest)
			return
		}
		cfg := *h.site.Load()
		res, ok := h.search(w, r, SearchRequest{Query: s.q, Newest: true, Size: cfg.Limit})
		if !ok {
			return
		}
		found, err := h.items(res.Hits)
		var body []byte
		var modified time.Time
		if err == nil {
			body, modified, err = h.searchFeed(s.q, found, f, cfg)
		}
		if err != nil {
			h.log.Error("cannot render a search feed", "query", s.q, "err", err)
			http.Error(w, "cannot render the search feed", http.StatusInternalServerError)
			return
		}
		if cfg.Hub != "" {
			w.Header().Set("Link", HubLinks(cfg.Hub, SearchFeedURL(cfg.BaseURL, s.q, f)))
		}
		h.writeFresh(w, r, body, ctypes[f], modified)
	}
}

// searchFeed renders the feed of the search for q in format f, holding
// found, and returns it with its date.
func (h *Handler) searchFeed(q string, found []searchItem, f Format, cfg Config) ([]byte, time.Time, error) {
	items := make([]storage.Item, len(found))
	for i, s := range found {
		items[i] = s.Item
	}
	hd := listHead{cfg: cfg, home: SearchURL(cfg.BaseURL, q, 1)}
	hd.cfg.Title = cfg.Title + " — " + cfg.words(cfg.Lang.String()).Say("search for", q)
	hd.cfg.Description = hd.cfg.Title
	// Last-Modified moves when an article leaves the results too.
	modified, err := h.src.LastChange()
	if err != nil {
		return nil, modified, err
	}
	body, err := feedBody(items, hd, feedLinks{self: SearchFeedURL(cfg.BaseURL, q, f), hub: cfg.Hub}, f)
	return body, later(modified, later(updated(items), cfg.sectionsChanged)), err
}

// openSearchURL returns the URL of the OpenSearch description, which
// every page names, or "" without search.
func (cfg Config) openSearchURL() string {
	if cfg.Search == nil {
		return ""
	}
	return cfg.BaseURL + PathOpenSearch
}

// writeFresh sends body, rendered for this request alone: with a strong
// ETag, so that a reader polling a search gets a 304 while its results
// stay the same, and gzip-compressed at the fastest level when the
// request accepts it (a document served once is not worth the best).
// An If-Modified-Since naming the second of modified gets no 304: the
// index may change within it.
func (h *Handler) writeFresh(w http.ResponseWriter, r *http.Request, body []byte, ctype string, modified time.Time) {
	hd := w.Header()
	hd["Vary"] = varyEncoding
	hd["Cache-Control"] = h.headers.cacheControl
	gz := acceptsGzip(r.Header["Accept-Encoding"])
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16])
	if gz {
		etag += "-gzip"
	}
	etag += `"`
	hd.Set("Etag", etag)
	if !modified.IsZero() {
		hd.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified, true) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", ctype)
	hd["Content-Language"] = h.headers.language
	if gz {
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		if err == nil {
			_, err = zw.Write(body)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			http.Error(w, "cannot compress the response", http.StatusInternalServerError)
			return
		}
		body = b.Bytes()
		hd["Content-Encoding"] = gzipEncoding
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a failed write means the client went away
	}
}
