package feed

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// historyNS is the namespace of RFC 5005 (Feed Paging and Archiving),
// whose fh:archive marks an archive document.
const historyNS = "http://purl.org/syndication/history/1.0"

// feedLinks are a feed document's links beside its alternate: its self
// link and RFC 5005's. Only a list's full archive pages (see
// storage.Page) are archive documents: their set of entries no longer
// changes, as RFC 5005 §4 asks, so that a client may stop walking at one
// it has already read (§4.2). A subscription feed links prev-archive to
// the list's newest full page, and holds every article of the open page
// after it (see subscriptionItems); archive document n is marked
// archive, links current to the subscription feed, prev-archive to n-1
// and next-archive to n+1 where those are archive documents. Walking
// prev-archive from a feed visits every archive document once, the
// newest first.
type feedLinks struct {
	self                              string
	hub                               string // a subscription feed's WebSub hub, or ""
	archive                           bool
	current, prevArchive, nextArchive string
}

// link is one RFC 5005 link.
type link struct{ rel, href string }

// history returns the RFC 5005 links that are set, in a fixed order.
func (ln feedLinks) history() []link {
	var links []link
	for _, l := range []link{{"current", ln.current}, {"prev-archive", ln.prevArchive}, {"next-archive", ln.nextArchive}} {
		if l.href != "" {
			links = append(links, l)
		}
	}
	return links
}

// subscriptionLinks returns the links of list l's feed in format f, whose
// list has pages archive pages: the last is open, the others full. The
// feed is a WebSub topic: it names cfg.Hub, if any.
func subscriptionLinks(cfg Config, l storage.List, pages int, f Format) feedLinks {
	ln := feedLinks{self: ListFeedURL(cfg.BaseURL, l, f), hub: cfg.Hub}
	if pages > 1 {
		ln.prevArchive = ArchiveURL(cfg.BaseURL, l, pages-1, f)
	}
	return ln
}

// archiveLinks returns the links of list l's archive document n of pages,
// in format f. The newest full page has no next-archive: the page after
// it is open, in the subscription feed, which current names.
func archiveLinks(base string, l storage.List, n, pages int, f Format) feedLinks {
	ln := feedLinks{self: ArchiveURL(base, l, n, f), archive: true, current: ListFeedURL(base, l, f)}
	if n > 1 {
		ln.prevArchive = ArchiveURL(base, l, n-1, f)
	}
	if n+1 < pages {
		ln.nextArchive = ArchiveURL(base, l, n+1, f)
	}
	return ln
}

// subscriptionItems returns the entries of a subscription feed: newest,
// the list's newest by date, and every article of its open archive page
// open (oldest first, as the page holds them) that newest lacks, newest
// first by published date. An article is then in a full archive page or
// in the feed, whatever its date and however many came at once.
func subscriptionItems(newest, open []storage.Item) []storage.Item {
	in := make(map[string]bool, len(newest))
	for _, it := range newest {
		in[it.Key] = true
	}
	items := slices.Clip(newest)
	for _, it := range open {
		if !in[it.Key] {
			items = append(items, it)
		}
	}
	if len(items) == len(newest) {
		return items
	}
	// As the store orders its index by date: published, then key.
	slices.SortStableFunc(items, func(a, b storage.Item) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return strings.Compare(b.Key, a.Key)
	})
	return items
}

// openPage returns the articles of list l's open archive page, the last
// of pages, or none when it has none.
func (h *Handler) openPage(l storage.List, pages int) ([]storage.Item, error) {
	if pages < 1 {
		return nil, nil
	}
	p, err := h.src.ArchivePage(l, pages)
	if err != nil {
		return nil, fmt.Errorf("read the open archive page of %s: %w", ListURL("", l), err)
	}
	return p.Items, nil
}

// ctypes are the media types of the formats.
var ctypes = [...]string{Atom: typeAtom, RSS: typeRSS, JSON: typeJSON}

// feedBody renders items, in the order given, as a document of format f
// under head hd with the links ln.
func feedBody(items []storage.Item, hd listHead, ln feedLinks, f Format) ([]byte, error) {
	fd, entries := build(items, hd.cfg, hd.home)
	lang := hd.cfg.Lang.String()
	switch f {
	case RSS:
		return toRSS(fd, entries, lang, ln)
	case JSON:
		return toJSON(fd, entries, lang, ln)
	}
	return toAtom(fd, entries, lang, ln)
}

// feedDoc renders a feed document, dated modified, whose language is
// Content-Language unless it is the site's.
func feedDoc(items []storage.Item, hd listHead, ln feedLinks, f Format, modified time.Time, site Config) (doc, error) {
	body, err := feedBody(items, hd, ln, f)
	if err != nil {
		return doc{}, fmt.Errorf("render %s: %w", ln.self, err)
	}
	d, err := newDoc(body, ctypes[f], later(modified, site.sectionsChanged))
	if err != nil {
		return doc{}, err
	}
	if hd.cfg.Lang != site.Lang {
		d.language = []string{hd.cfg.Lang.String()}
	}
	if ln.hub != "" {
		d.links = []string{HubLinks(ln.hub, ln.self)}
	}
	return d, nil
}

// archiveDoc renders archive document p of list l in format f, dated
// modified. It depends on nothing but the page, whether a next archive
// document exists and cfg, never on newer articles: its date is its
// newest entry's, its category label its own articles' spelling, so that
// a full page keeps its bytes and ETag while the list grows.
func archiveDoc(p storage.Page, l storage.List, f Format, cfg Config, modified time.Time) (doc, error) {
	label := l.Name
	if l.Kind == storage.Category {
		label = categoryLabel(l.Name, p.Items)
	}
	ln := archiveLinks(cfg.BaseURL, l, p.Number, p.Pages, f)
	return feedDoc(p.Items, headOf(cfg, l, label), ln, f, modified, cfg)
}

// listFeedDoc renders the subscription feed of list l in format f: items
// (see subscriptionItems), and info as the store gives it.
func listFeedDoc(items []storage.Item, info storage.ListInfo, f Format, cfg Config) (doc, error) {
	modified := updated(items)
	if info.Changed.After(modified) {
		modified = info.Changed // an article left, or came with an older date
	}
	ln := subscriptionLinks(cfg, info.List, info.Pages, f)
	return feedDoc(items, headOf(cfg, info.List, info.Label), ln, f, modified, cfg)
}

// renderList renders the list document k from the source's current
// state, or returns an error wrapping storage.ErrNotFound when the list
// or the page does not exist.
func (h *Handler) renderList(k docKey) (*cachedDoc, error) {
	cfg := *h.site.Load()
	switch k.kind {
	case kindArchive:
		d, err := h.renderArchive(k, cfg)
		return &cachedDoc{d, &h.archiveHeaders}, err
	case kindFeed:
		info, err := h.src.Info(k.list)
		if err != nil {
			return nil, err
		}
		items, err := h.src.NewestIn(k.list, cfg.Limit)
		if err != nil {
			return nil, err
		}
		open, err := h.openPage(k.list, info.Pages)
		if err != nil {
			return nil, err
		}
		d, err := listFeedDoc(subscriptionItems(items, open), info, k.f, cfg)
		return &cachedDoc{d, &h.headers}, err
	}
	d, err := h.renderListPage(k, cfg)
	return &cachedDoc{d, &h.headers}, err
}

// renderArchive renders archive document k.n, which exists only while
// its page is full: the open page is not an archive yet, its articles
// are in the subscription feed. The document's Last-Modified is the
// page's Changed, or when the next page became full, if later: that
// gave it its next-archive link.
func (h *Handler) renderArchive(k docKey, cfg Config) (doc, error) {
	p, err := h.src.ArchivePage(k.list, k.n)
	if err != nil {
		return doc{}, err
	}
	if !p.Full {
		return doc{}, fmt.Errorf("archive page %d of %d is open: %w", p.Number, p.Pages, storage.ErrNotFound)
	}
	modified := p.Changed
	if p.Number+1 < p.Pages {
		next, err := h.src.ArchivePage(k.list, p.Number+1)
		if err != nil {
			return doc{}, err
		}
		modified = later(modified, next.Changed)
	}
	return archiveDoc(p, k.list, k.f, cfg, modified)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// renderListPage renders HTML page k.n of list k.list: its articles
// newest first from (n-1)×Limit. Page 1 of a list no article left empty
// is served, empty; a later page past the last is not found.
func (h *Handler) renderListPage(k docKey, cfg Config) (doc, error) {
	info, err := h.src.Info(k.list)
	if errors.Is(err, storage.ErrNotFound) && k.list.Kind == storage.Main {
		info, err = storage.ListInfo{}, nil // the main list of an empty or old database
	}
	if err != nil {
		return doc{}, err
	}
	pages := htmlPages(info.Count, cfg.Limit)
	if k.n > max(1, pages) {
		return doc{}, fmt.Errorf("page %d of %d: %w", k.n, pages, storage.ErrNotFound)
	}
	items, err := h.src.NewestInAt(k.list, (k.n-1)*cfg.Limit, cfg.Limit)
	if err != nil {
		return doc{}, err
	}
	hd := headOf(cfg, k.list, info.Label)
	label := cmp.Or(info.Label, k.list.Name)
	if k.list.Kind == storage.Section {
		label = cfg.sectionLabel(k.list.Name)
	}
	body, err := listPage(listView{List: k.list, Title: hd.cfg.Title, Description: hd.cfg.Description, Label: label, Lang: hd.cfg.Lang,
		Items: items, N: k.n, Pages: pages, Count: info.Count, Names: cfg.listName}, cfg)
	if err != nil {
		return doc{}, fmt.Errorf("render page %d of %s: %w", k.n, ListURL(cfg.BaseURL, k.list), err)
	}
	modified := later(updated(items), later(info.Changed, cfg.sectionsChanged))
	d, err := newDoc(body, typeHTML, modified)
	if hd.cfg.Lang != cfg.Lang {
		d.language = []string{hd.cfg.Lang.String()}
	}
	return d, err
}
