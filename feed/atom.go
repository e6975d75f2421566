package feed

import (
	"cmp"
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
