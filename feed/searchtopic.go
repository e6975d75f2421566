package feed

import (
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A search's feeds are WebSub topics too (SearchFeedURL): a reader who
// subscribes to a search is told when its newest results change.

// searchTopic returns the query and format of u when u is a search
// feed's URL exactly as SearchFeedURL writes it, and the handler
// searches.
func (h *Handler) searchTopic(u string) (string, Format, bool) {
	if h.cfg.Search == nil {
		return "", 0, false
	}
	rest, ok := strings.CutPrefix(u, h.cfg.BaseURL+PathSearch+".")
	if !ok {
		return "", 0, false
	}
	ext, raw, ok := strings.Cut(rest, "?q=")
	f, fok := parseFormat(ext)
	q, err := url.QueryUnescape(raw)
	if !ok || !fok || err != nil || q == "" || !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQuery {
		return "", 0, false
	}
	// Only the spelling the search's own feeds name themselves by: a
	// query parseSearch would change (spaces around it, a control
	// character) is another spelling of another query's feed.
	return q, f, strings.TrimSpace(q) == q && !strings.ContainsFunc(q, unicode.IsControl) && SearchFeedURL(h.cfg.BaseURL, q, f) == u
}

// IsSearchTopic reports whether url is one of a search's feeds: a topic
// whose documents change with the search index, not only with the
// store's lists.
func (h *Handler) IsSearchTopic(url string) bool {
	_, _, ok := h.searchTopic(url)
	return ok
}

// searchTopicDoc renders the search feed of q in format f, as a GET of it
// is served now. It waits for a search slot, within the search's time.
func (h *Handler) searchTopicDoc(q string, f Format) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), searchTimeout)
	defer cancel()
	select {
	case h.searches <- struct{}{}:
		defer func() { <-h.searches }()
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
	cfg := *h.site.Load()
	res, err := cfg.Search.Search(ctx, SearchRequest{Query: q, Newest: true, Size: cfg.Limit})
	if err != nil {
		return nil, "", err
	}
	found, err := h.items(res.Hits)
	if err != nil {
		return nil, "", err
	}
	body, _, err := h.searchFeed(q, found, f, cfg)
	return body, ctypes[f], err
}
