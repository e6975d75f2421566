package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"time"

	"github.com/gorilla/feeds"
)

// atomFeed extends gorilla/feeds' AtomFeed with xml:lang, a self link
// beside its one alternate link, and entries that carry xml:lang too.
// encoding/xml writes an attribute in the XML namespace as xml:lang.
type atomFeed struct {
	XMLName xml.Name `xml:"feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink // shadows AtomFeed.Link, which holds only one
	Entries []atomEntry      `xml:"entry"`
}

type atomEntry struct {
	XMLName xml.Name `xml:"entry"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	*feeds.AtomEntry
}

// Atom renders f as an Atom 1.0 document whose self link is selfURL.
func Atom(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	doc := atomFeed{
		Lang:     lang,
		AtomFeed: af,
		Links: []feeds.AtomLink{
			{Href: f.Link.Href, Rel: "alternate", Type: f.Link.Type},
			{Href: selfURL, Rel: "self", Type: "application/atom+xml"},
		},
		Entries: make([]atomEntry, len(af.Entries)),
	}
	for i, e := range af.Entries {
		// gorilla/feeds leaves out published and marks the summary as
		// HTML; ours is plain text.
		e.Published = f.Items[i].Created.Format(time.RFC3339)
		if e.Summary != nil {
			e.Summary.Type = "text"
		}
		doc.Entries[i] = atomEntry{Lang: lang, AtomEntry: e}
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
	XMLName xml.Name    `xml:"channel"`
	Self    rssAtomLink `xml:"atom:link"`
	*feeds.RssFeed
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// RSS renders f as an RSS 2.0 document whose self link is selfURL.
func RSS(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
	ch := (&feeds.Rss{Feed: f}).RssFeed()
	ch.Language = lang
	// gorilla/feeds writes " (name)" here when there is no e-mail
	// address, which is not one; RSS wants an address or nothing.
	ch.ManagingEditor = ""
	ch.Generator = "seedfeed"
	for _, it := range ch.Items {
		// An RSS description is HTML: escape the plain-text summary so
		// that "<" or "&" in it reach the reader as written.
		it.Description = html.EscapeString(it.Description)
	}
	return marshalXML(rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Self:    rssAtomLink{Href: selfURL, Rel: "self", Type: "application/rss+xml"},
			RssFeed: ch,
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

// JSON renders f as a JSON Feed 1.1 document whose feed_url is selfURL.
func JSON(f *feeds.Feed, lang, selfURL string) ([]byte, error) {
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
