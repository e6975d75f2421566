package feed

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"html"
	"strings"

	"github.com/gorilla/feeds"
)

// timeFormat is RFC 3339 with milliseconds where there are any: dates
// are unique to the millisecond (see the storage package).
const timeFormat = "2006-01-02T15:04:05.999Z07:00"

// atomFeed extends gorilla/feeds' AtomFeed with xml:lang, a self link
// beside its one alternate link, and entries that carry xml:lang too.
// encoding/xml writes an attribute in the XML namespace as xml:lang.
// Its title and subtitle, and each entry's title, are text constructs
// that can declare HTML (see atomTextOf).
type atomFeed struct {
	XMLName  xml.Name  `xml:"feed"`
	Lang     string    `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title    *atomText `xml:"title"`
	Subtitle *atomText `xml:"subtitle"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink // shadows AtomFeed.Link, which holds only one
	Entries []atomEntry      `xml:"entry"`
}

type atomEntry struct {
	XMLName xml.Name  `xml:"entry"`
	Lang    string    `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title   *atomText `xml:"title"`
	*feeds.AtomEntry
}

// atomText is an Atom text construct.
type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

// atomTextOf returns s as plain text, or, when it holds "<" or "&", as
// escaped HTML: the W3C validator warns about plain text that looks like
// markup ("</b>", "&amp;"), while HTML that says "&lt;/b&gt;" is text to
// every reader and to the validator.
func atomTextOf(s string) *atomText {
	if strings.ContainsAny(s, "<&") {
		return &atomText{Type: "html", Text: html.EscapeString(s)}
	}
	return &atomText{Text: s}
}

// toAtom renders f as an Atom 1.0 document whose self link is selfURL.
func toAtom(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	doc := atomFeed{
		Lang:     lang,
		Title:    atomTextOf(f.Title),
		Subtitle: atomTextOf(f.Description),
		AtomFeed: af,
		Links: []feeds.AtomLink{
			{Href: f.Link.Href, Rel: "alternate", Type: f.Link.Type},
			{Href: selfURL, Rel: "self", Type: "application/atom+xml"},
		},
		Entries: make([]atomEntry, len(af.Entries)),
	}
	af.Updated = f.Updated.Format(timeFormat)
	for i, e := range af.Entries {
		// gorilla/feeds leaves out published, writes whole seconds and
		// marks the summary as HTML; ours is plain text.
		e.Published = f.Items[i].Created.Format(timeFormat)
		e.Updated = f.Items[i].Updated.Format(timeFormat)
		if e.Summary != nil {
			t := atomTextOf(f.Items[i].Description)
			e.Summary.Type, e.Summary.Content = cmp.Or(t.Type, "text"), t.Text
		}
		doc.Entries[i] = atomEntry{Lang: lang, Title: atomTextOf(e.Title), AtomEntry: e}
	}
	af.Link, af.Entries = nil, nil
	return marshalXML(doc)
}

// rssDoc is gorilla/feeds' RssFeedXml with the Atom namespace declared,
// for the channel's atom:link.
type rssDoc struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
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
		items[i] = rssItem{Title: rssTextOf(it.Title), RssItem: it}
	}
	ch.Items = nil
	return marshalXML(rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Self:        rssAtomLink{Href: selfURL, Rel: "self", Type: "application/rss+xml"},
			Title:       rssTextOf(ch.Title),
			Description: rssTextOf(ch.Description),
			RssFeed:     ch,
			Items:       items,
		},
	})
}

func marshalXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// jsonFeed extends gorilla/feeds' JSONFeed with items that carry a language.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []jsonItem `json:"items"`
}

type jsonItem struct {
	*feeds.JSONItem
	Language string `json:"language,omitempty"`
}

// toJSON renders f as a JSON Feed 1.1 document whose feed_url is selfURL.
func toJSON(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.Language = lang
	jf.FeedUrl = selfURL
	jf.Author = nil // deprecated in 1.1; Authors says the same
	doc := jsonFeed{JSONFeed: jf, Items: make([]jsonItem, len(jf.Items))}
	for i, it := range jf.Items {
		doc.Items[i] = jsonItem{JSONItem: it, Language: lang}
	}
	jf.Items = nil
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<" stays "<", not "\u003c": the same text, easier to read
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
