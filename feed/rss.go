package feed

import (
	"encoding/xml"
	"html"
	"strings"

	"github.com/gorilla/feeds"
)

// rssDoc is gorilla/feeds' RssFeedXml with the Atom namespace declared,
// for the channel's atom:link, and Dublin Core's, for each item's
// dc:creator.
type rssDoc struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
	DCNS      string   `xml:"xmlns:dc,attr"`
	Channel   rssChannel
}

type rssChannel struct {
	XMLName     xml.Name    `xml:"channel"`
	Self        rssAtomLink `xml:"atom:link"`
	Title       rssText     `xml:"title"`
	Description rssText     `xml:"description"`
	*feeds.RssFeed
	Items []rssItem `xml:"item"`
}

type rssItem struct {
	XMLName xml.Name `xml:"item"`
	Title   rssText  `xml:"title"`
	*feeds.RssItem
	// Creator is the item's author by name: RSS's own <author> must be
	// an e-mail address, so readers take a name from dc:creator.
	Creator *rssText `xml:"dc:creator"`
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
	Type string `xml:"type,attr"`
}

// toRSS renders f as an RSS 2.0 document whose self link is selfURL.
func toRSS(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
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
		items[i] = rssItem{Title: rssTextOf(it.Title), RssItem: it, Creator: creator(f, f.Items[i])}
	}
	ch.Items = nil
	return marshalXML(rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		DCNS:      "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Self:        rssAtomLink{Href: selfURL, Rel: "self", Type: "application/rss+xml"},
			Title:       rssTextOf(ch.Title),
			Description: rssTextOf(ch.Description),
			RssFeed:     ch,
			Items:       items,
		},
	})
}

// creator is the name of an item's author, as the Atom and JSON feeds
// show it: the item's own, or else the feed's; nil for none.
func creator(f *feeds.Feed, it *feeds.Item) *rssText {
	for _, a := range []*feeds.Author{it.Author, f.Author} {
		if a != nil && a.Name != "" {
			t := rssTextOf(a.Name)
			return &t
		}
	}
	return nil
}
