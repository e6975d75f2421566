package feed

import (
	"errors"
	"net/url"
	"strings"

	"github.com/seedfeed/seedfeed/storage"
)

// The topics of a WebSub hub are the subscription feeds: the main
// list's and each section's and category's, in every format, each named
// by its URL exactly as ListFeedURL writes it (the feed's self link).
// Archive documents and HTML pages are not topics: archives do not
// change once full, pages are not feeds.

// topicKey returns the feed document that the topic URL u names, in the
// form ListFeedURL writes, or false when u names no feed of this site.
func (h *Handler) topicKey(u string) (docKey, bool) {
	base := h.cfg.BaseURL
	rest, ok := strings.CutPrefix(u, base)
	if !ok || !strings.HasPrefix(rest, "/") || strings.ContainsAny(rest, "?#") {
		return docKey{}, false
	}
	var k docKey
	switch {
	case strings.HasPrefix(rest, PathSections):
		p, err := url.PathUnescape(rest[len(PathSections):])
		if err != nil {
			return docKey{}, false
		}
		i := strings.LastIndex(p, "/feed.")
		if i <= 0 {
			return docKey{}, false
		}
		f, ok := parseFormat(p[i+len("/feed."):])
		if !ok {
			return docKey{}, false
		}
		k = docKey{list: storage.List{Kind: storage.Section, Name: p[:i]}, kind: kindFeed, f: f}
	case strings.HasPrefix(rest, PathCategories):
		seg, file, ok := strings.Cut(rest[len(PathCategories):], "/")
		term, err := url.PathUnescape(seg)
		if !ok || err != nil || term == "" {
			return docKey{}, false
		}
		pk, ok := parseRest(file)
		if !ok || pk.kind != kindFeed {
			return docKey{}, false
		}
		k = docKey{list: storage.List{Kind: storage.Category, Name: term}, kind: kindFeed, f: pk.f}
	default:
		pk, ok := parseRest(rest[1:])
		if !ok || pk.kind != kindFeed {
			return docKey{}, false
		}
		k = pk
	}
	// Only the spelling the feeds themselves link to: a subscriber to
	// another (a category's label, a needless escape) would be told of
	// changes under a name no document carries.
	return k, ListFeedURL(base, k.list, k.f) == u
}

// IsTopic reports whether url is the URL of one of the subscription
// feeds the handler serves now: the main list's, the feed of a section
// or category that exists, or a search's feed.
func (h *Handler) IsTopic(url string) bool {
	if h.IsSearchTopic(url) {
		return true
	}
	k, ok := h.topicKey(url)
	if !ok {
		return false
	}
	if k.list.Kind == storage.Main {
		return true
	}
	_, err := h.src.Info(k.list)
	return err == nil
}

// Topic returns the document a GET of url is served now, uncompressed,
// and its Content-Type, when url is a subscription feed's (see
// IsTopic); ok is false for any other URL, or a list that does not
// exist. A list's feed not rendered since the last change is rendered
// and kept, as a GET would keep it.
func (h *Handler) Topic(url string) (body []byte, contentType string, ok bool, err error) {
	if q, f, ok := h.searchTopic(url); ok {
		body, contentType, err = h.searchTopicDoc(q, f)
		return body, contentType, err == nil, err
	}
	k, ok := h.topicKey(url)
	if !ok {
		return nil, "", false, nil
	}
	if k.list.Kind == storage.Main {
		s := h.current.Load()
		d := [...]*doc{Atom: &s.atom, RSS: &s.rss, JSON: &s.json}[k.f]
		return d.plain.body, d.ctype[0], true, nil
	}
	h.mu.Lock()
	c, gen := h.docs[k], h.gen
	h.mu.Unlock()
	if c == nil {
		c, err = h.renderList(k)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, "", false, nil
		}
		if err != nil {
			return nil, "", false, err
		}
		h.keep(k, c, gen)
	}
	return c.d.plain.body, c.d.ctype[0], true, nil
}
