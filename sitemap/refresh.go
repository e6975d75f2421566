package sitemap

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// state is what one render keeps for the next: the article sitemaps'
// bodies, so that a change re-reads and re-renders only those whose
// archive pages it touched.
type state struct {
	chunks []chunk // articles: chunk i holds main-list pages i·per+1 to (i+1)·per
	lists  []chunk // the home, section and category pages
	news   *feed.Doc
}

// chunk is the <url> elements of one sitemap.
type chunk struct {
	urls   []byte
	count  int
	newest time.Time // its newest lastmod: its lastmod in the index
	// modified is its Last-Modified: newest, or later when an article
	// left it (its pages' Changed).
	modified time.Time
	doc      *feed.Doc // its own sitemap, while /sitemap.xml is an index
}

// refresh renders again what c says changed, and serves the result.
func (h *Handler) refresh(c storage.Changes) error {
	next := state{news: h.state.news}
	var err error
	if next.chunks, err = h.articleChunks(c); err != nil {
		return err
	}
	if next.lists, err = h.listChunks(); err != nil {
		return err
	}
	s := &snapshot{}
	if s.root, s.parts, err = h.root(next, h.current); err != nil {
		return err
	}
	h.state = next
	if err := h.renderNews(s); err != nil {
		return err
	}
	h.current = s
	h.version = c.Version
	return nil
}

// refreshNews renders the news sitemap again, and serves it with the
// other documents as they are.
func (h *Handler) refreshNews() error {
	s := *h.current
	if err := h.renderNews(&s); err != nil {
		return err
	}
	h.current = &s
	return nil
}

// articleChunks returns the article sitemaps' chunks after c: the ones
// holding a page c names, or every one when c says All, read again; the
// others as they were.
func (h *Handler) articleChunks(c storage.Changes) ([]chunk, error) {
	per := h.cfg.MaxURLs / h.src.PageSize()
	info, err := h.src.Info(storage.List{})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("read the main list: %w", err)
	}
	chunks := make([]chunk, (info.Pages+per-1)/per)
	dirty := make([]bool, len(chunks))
	for i := range chunks {
		if c.All || i >= len(h.state.chunks) {
			dirty[i] = true
		} else {
			chunks[i] = h.state.chunks[i]
		}
	}
	for _, p := range c.Lists[storage.List{}] {
		if i := (p - 1) / per; i >= 0 && i < len(dirty) {
			dirty[i] = true
		}
	}
	for i := range chunks {
		if !dirty[i] {
			continue
		}
		if chunks[i], err = h.readChunk(i*per+1, min((i+1)*per, info.Pages)); err != nil {
			return nil, err
		}
	}
	return chunks, nil
}

// readChunk reads main-list pages first to last into a chunk.
func (h *Handler) readChunk(first, last int) (chunk, error) {
	var ch chunk
	for n := first; n <= last; n++ {
		p, err := h.src.ArchiveHeads(storage.List{}, n)
		if err != nil {
			return ch, fmt.Errorf("read archive page %d: %w", n, err)
		}
		for _, it := range p.Items {
			ch.urls = appendURL(ch.urls, feed.ArticleURL(h.cfg.BaseURL, it), it.Updated)
			ch.count++
			ch.newest = later(ch.newest, it.Updated)
		}
		ch.modified = later(ch.modified, p.Changed)
	}
	ch.modified = later(ch.modified, ch.newest)
	return ch, nil
}

// listChunks returns the home, section and category pages in chunks of
// at most MaxURLs: there are few of them, and they are read afresh.
func (h *Handler) listChunks() ([]chunk, error) {
	home, err := h.src.Info(storage.List{})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("read the main list: %w", err)
	}
	infos := []storage.ListInfo{home}
	for _, k := range []storage.Kind{storage.Section, storage.Category} {
		l, err := h.src.Lists(k)
		if err != nil {
			return nil, fmt.Errorf("read the %s lists: %w", k, err)
		}
		infos = append(infos, l...)
	}
	var chunks []chunk
	for i, info := range infos {
		if i%h.cfg.MaxURLs == 0 {
			chunks = append(chunks, chunk{})
		}
		ch := &chunks[len(chunks)-1]
		ch.urls = appendURL(ch.urls, feed.ListURL(h.cfg.BaseURL, info.List), info.Changed)
		ch.count++
		ch.newest = later(ch.newest, info.Changed)
		ch.modified = ch.newest
	}
	return chunks, nil
}

// root renders /sitemap.xml from st: a sitemap of every URL, or, when
// they are more than MaxURLs, an index of sitemaps, which it returns by
// name, rendering those without a document. prev is the snapshot served
// until now, nil at first.
func (h *Handler) root(st state, prev *snapshot) (*feed.Doc, map[string]*feed.Doc, error) {
	total := 0
	for _, ch := range append(st.lists[:len(st.lists):len(st.lists)], st.chunks...) {
		total += ch.count
	}
	var prevRoot *feed.Doc
	var prevParts map[string]*feed.Doc
	if prev != nil {
		prevRoot, prevParts = prev.root, prev.parts
	}
	if total <= h.cfg.MaxURLs {
		var modified time.Time
		var urls [][]byte
		for _, ch := range append(st.lists[:len(st.lists):len(st.lists)], st.chunks...) {
			urls = append(urls, ch.urls)
			modified = later(modified, ch.modified)
		}
		for i := range st.chunks {
			st.chunks[i].doc = nil // not served: no need to keep
		}
		d, err := h.newDoc(urlset(urls...), modified, prevRoot)
		return d, nil, err
	}
	parts := make(map[string]*feed.Doc)
	var refs []ref
	var modified time.Time
	for _, g := range []struct {
		chunks []chunk
		name   func(int) string
	}{
		{st.lists, func(i int) string { return "lists-" + strconv.Itoa(i+1) + ".xml" }},
		{st.chunks, func(i int) string { return strconv.Itoa(i+1) + ".xml" }},
	} {
		for i := range g.chunks {
			ch := &g.chunks[i]
			if ch.count == 0 {
				continue // every article left it: no sitemap may be empty
			}
			name := g.name(i)
			if ch.doc == nil {
				var err error
				if ch.doc, err = h.newDoc(urlset(ch.urls), ch.modified, prevParts[name]); err != nil {
					return nil, nil, err
				}
			}
			parts[name] = ch.doc
			refs = append(refs, ref{h.cfg.BaseURL + PathParts + name, ch.newest})
			modified = later(modified, ch.modified)
		}
	}
	d, err := h.newDoc(sitemapIndex(refs), modified, prevRoot)
	return d, parts, err
}

// newDoc prepares an XML body to serve after prev (nil for none).
func (h *Handler) newDoc(body []byte, modified time.Time, prev *feed.Doc) (*feed.Doc, error) {
	d, err := feed.NewDoc(body, typeXML, modified, h.cfg.MaxAge)
	if err != nil {
		return nil, err
	}
	d.Follow(prev)
	return d, nil
}

// renderNews renders the news sitemap into s, as the clock stands, and
// notes when it must be rendered again.
func (h *Handler) renderNews(s *snapshot) error {
	items, err := h.src.Newest(MaxNews)
	if err != nil {
		return fmt.Errorf("read the newest articles: %w", err)
	}
	name := h.cfg.Title
	if !h.cfg.TitleFixed {
		sections, err := h.src.Sections()
		if err != nil {
			return fmt.Errorf("read the sections: %w", err)
		}
		if root := sections[""]; root.Title != "" {
			name = root.Title // the site's title, as the feeds have it
		}
	}
	body, modified, expiry := h.news(items, name, h.cfg.Now())
	d, err := h.newDoc(body, modified, h.state.news)
	if err != nil {
		return err
	}
	s.news, h.state.news, h.newsExpiry = d, d, expiry
	return nil
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
