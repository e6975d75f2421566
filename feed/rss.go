package feed

import (
	"encoding/xml"
	"html"
	"strings"

	"github.com/gorilla/feeds"
)

// rssDoc is gorilla/feeds' RssFeedXml with the Atom namespace declared,
// for the channel's atom:link, Dublin Core's, for each item's dc:creator,
// and, when an item has an image, Media RSS's.
type rssDoc struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
	DCNS      string   `xml:"xmlns:dc,attr"`
	MediaNS   string   `xml:"xmlns:media,attr,omitempty"`
	FHNS      string   `xml:"xmlns:fh,attr,omitempty"`
	Channel   rssChannel
}

type rssChannel struct {
	XMLName xml.Name `xml:"channel"`
	// Links are its self link, its WebSub hub's, then RFC 5005's (see
	// feedLinks).
	Links       []rssAtomLink `xml:"atom:link"`
	Archive     *struct{}     `xml:"fh:archive"` // RFC 5005's mark of an archive document
	Title       rssText       `xml:"title"`
	Description rssText       `xml:"description"`
	*feeds.RssFeed
	Items []rssItem `xml:"item"`
}

type rssItem struct {
	XMLName xml.Name `xml:"item"`
	Title   rssText  `xml:"title"`
	*feeds.RssItem
	// Creators are the item's authors by name, one dc:creator each: RSS's
	// own <author> must be an e-mail address, so readers take a name from
	// dc:creator. An author's address is not written in <author> as well:
	// the validator warns about both on one item (DuplicateItemSemantics),
	// and feedparser would count the person twice.
	Creators []rssText `xml:"dc:creator"`
	// Language is the item's language when it is not the channel's: RSS
	// has no language of its own for an item; Miniflux reads dc:language.
	Language string `xml:"dc:language,omitempty"`
	// Categories shadow RssItem's single Category, which stays empty.
	Categories []rssCategory `xml:"category"`
	// Related is the original of the article. RSS's <source> names the
	// feed an item came from, not a page, and <link> is the article's
	// page, which links to the original.
	Related *rssAtomLink `xml:"atom:link"`
	mediaElems
}

// rssCategory is a category or a tag, told apart by its domain, the URL
// of the site's categories or of its tags. Its text is written as
// rssText's is.
type rssCategory struct {
	Domain string `xml:"domain,attr"`
	Inner  string `xml:",innerxml"`
}

// rssText is RSS plain text with "&", "<" and ">" written as hexadecimal
// character references, as the W3C validator asks of plain text that
// holds them. It is the same text to any XML parser.
type rssText struct {
	Inner string `xml:",innerxml"`
}

var hexEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;")

func rssTextOf(s string) rssText { return rssText{Inner: hexEscaper.Replace(s)} }

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// toRSS renders f, whose items entries describe, as an RSS 2.0 document
// with the links ln, as atom:link elements.
func toRSS(f *feeds.Feed, entries []entry, lang string, ln feedLinks) ([]byte, error) {
	ch := (&feeds.Rss{Feed: f}).RssFeed()
	ch.Language = lang
	// gorilla/feeds writes " (name)" here when there is no e-mail
	// address, which is not one; RSS wants an address or nothing.
	ch.ManagingEditor = ""
	ch.Generator = "seedfeed"
	items := make([]rssItem, len(ch.Items))
	for i, it := range ch.Items {
		// An RSS description is HTML: escape the plain-text summary so
		// that "<" or "&" in it reach the reader as written.
		it.Description = html.EscapeString(it.Description)
		items[i] = entries[i].rssItem(f, it)
	}
	ch.Items = nil
	doc := rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		DCNS:      "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Links:       []rssAtomLink{{Href: ln.self, Rel: "self", Type: "application/rss+xml"}},
			Title:       rssTextOf(ch.Title),
			Description: rssTextOf(ch.Description),
			RssFeed:     ch,
			Items:       items,
		},
	}
	if ln.hub != "" {
		doc.Channel.Links = append(doc.Channel.Links, rssAtomLink{Href: ln.hub, Rel: "hub"})
	}
	for _, l := range ln.history() {
		doc.Channel.Links = append(doc.Channel.Links, rssAtomLink{Href: l.href, Rel: l.rel, Type: "application/rss+xml"})
	}
	if ln.archive {
		doc.FHNS, doc.Channel.Archive = historyNS, &struct{}{}
	}
	if needsMediaNS(entries) {
		doc.MediaNS = mediaNS
	}
	return marshalXML(doc)
}

// rssItem returns it, an item of f, with what gorilla/feeds has no place
// for: authors, language, categories and tags, the original and the lead
// image, as an enclosure and Media RSS elements.
func (e entry) rssItem(f *feeds.Feed, it *feeds.RssItem) rssItem {
	item := rssItem{Title: rssTextOf(it.Title), RssItem: it, Creators: creators(f, e), mediaElems: e.image.media()}
	if e.otherLang {
		item.Language = e.lang
	}
	for _, t := range e.lists {
		item.Categories = append(item.Categories, rssCategory{Domain: t.scheme, Inner: rssTextOf(t.rss()).Inner})
	}
	for _, t := range e.tags {
		item.Categories = append(item.Categories, rssCategory{Domain: e.base + pathTags, Inner: rssTextOf(t).Inner})
	}
	if e.link != "" {
		item.Related = &rssAtomLink{Href: e.link, Rel: "related"}
	}
	it.Enclosure = e.image.rssEnclosure()
	return item
}

// creators names an item's authors as the Atom and JSON feeds show them:
// the item's own, or else the feed's; none without a name.
func creators(f *feeds.Feed, e entry) []rssText {
	var names []rssText
	for _, a := range e.authors {
		names = append(names, rssTextOf(a.Name))
	}
	if len(names) == 0 && f.Author != nil && f.Author.Name != "" {
		names = append(names, rssTextOf(f.Author.Name))
	}
	return names
}
