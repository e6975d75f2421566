package feed

import (
	"cmp"
	"encoding/xml"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/feeds"
)

// timeFormat is RFC 3339 with milliseconds where there are any: dates
// are unique to the millisecond (see the storage package).
const timeFormat = "2006-01-02T15:04:05.999Z07:00"

// atomFeed extends gorilla/feeds' AtomFeed with xml:lang, a self link
// beside its one alternate link, and entries that carry xml:lang too.
// encoding/xml writes an attribute in the XML namespace as xml:lang.
// Its title and subtitle, and each entry's title and summary, are text
// constructs that can declare HTML (see atomTextOf).
type atomFeed struct {
	XMLName  xml.Name  `xml:"feed"`
	Lang     string    `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	MediaNS  string    `xml:"xmlns:media,attr,omitempty"`
	FHNS     string    `xml:"xmlns:fh,attr,omitempty"`
	Title    *atomText `xml:"title"`
	Subtitle *atomText `xml:"subtitle"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink // shadows AtomFeed.Link, which holds only one
	Archive *struct{}        `xml:"fh:archive"` // RFC 5005's mark of an archive document
	Entries []atomEntry      `xml:"entry"`
}

// atomEntry extends gorilla/feeds' AtomEntry with xml:lang, every
// author of the article, categories with the term that RFC 4287 requires
// (gorilla/feeds writes a category without one), and Media RSS elements.
type atomEntry struct {
	XMLName xml.Name  `xml:"entry"`
	Lang    string    `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title   *atomText `xml:"title"`
	*feeds.AtomEntry
	// Summary shadows AtomEntry.Summary; after it, it keeps its place.
	Summary *atomText `xml:"summary"`
	// Authors and Categories shadow AtomEntry's single Author and
	// Category, which stay empty.
	Authors    []feeds.AtomAuthor `xml:"author"`
	Categories []atomCategory     `xml:"category"`
	mediaElems
}

// atomCategory is a category or a tag: its scheme, the URL of the site's
// categories or of its tags, tells which.
type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr"`
	Label  string `xml:"label,attr"`
}

// atomText is an Atom text construct: plain Text, or escaped HTML, which
// is written in CDATA.
type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
	HTML string `xml:",cdata"`
}

// looksLikeMarkup matches what the W3C validator calls markup in plain
// text (ContainsUndeclaredHTML): a closing tag or a character reference.
// It is a little wider than the validator's rule so as never to miss one:
// any tag name, not only HTML's, and any reference; a name is letters,
// digits and "_" of any script, as the validator's Python reads \w.
var looksLikeMarkup = regexp.MustCompile(`</[\p{L}\p{N}_]+>|&#?[\p{L}\p{N}_]+;`)

// atomTextOf returns s as plain text, which every reader shows as it is,
// or, when the validator would take it for markup ("</b>", "&amp;"), as
// escaped HTML in CDATA: Miniflux unescapes an HTML title only when it
// comes in CDATA (and never a feed title, which stays exact only as plain
// text), while every other reader and the validator read the same
// characters either way. The escaped text holds no "]]>" (">" is
// "&gt;"), and encoding/xml would split one across two sections anyway.
func atomTextOf(s string) *atomText {
	if looksLikeMarkup.MatchString(s) {
		return &atomText{Type: "html", HTML: strings.Map(xmlChar, html.EscapeString(s))}
	}
	return &atomText{Text: s}
}

// xmlChar replaces a character that XML cannot carry with U+FFFD, as
// encoding/xml does in character data but not in CDATA, where it would
// make the document ill-formed.
func xmlChar(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
		return r
	}
	return utf8.RuneError
}

// toAtom renders f, whose items entries describe, as an Atom 1.0
// document with the links ln.
func toAtom(f *feeds.Feed, entries []entry, lang string, ln feedLinks) ([]byte, error) {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	doc := atomFeed{
		Lang:     lang,
		Title:    atomTextOf(f.Title),
		Subtitle: atomTextOf(f.Description),
		AtomFeed: af,
		Links: []feeds.AtomLink{
			{Href: f.Link.Href, Rel: "alternate", Type: f.Link.Type},
			{Href: ln.self, Rel: "self", Type: "application/atom+xml"},
		},
		Entries: make([]atomEntry, len(af.Entries)),
	}
	if ln.hub != "" {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: ln.hub, Rel: "hub"})
	}
	for _, l := range ln.history() {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: l.href, Rel: l.rel, Type: "application/atom+xml"})
	}
	if ln.archive {
		doc.FHNS, doc.Archive = historyNS, &struct{}{}
	}
	if needsMediaNS(entries) {
		doc.MediaNS = mediaNS
	}
	af.Updated = f.Updated.Format(timeFormat)
	for i, e := range af.Entries {
		// gorilla/feeds leaves out published, writes whole seconds and
		// marks the summary as HTML; ours is plain text.
		e.Published = f.Items[i].Created.Format(timeFormat)
		e.Updated = f.Items[i].Updated.Format(timeFormat)
		entry := atomEntry{Lang: entries[i].lang, Title: atomTextOf(e.Title), AtomEntry: e}
		if e.Summary != nil {
			entry.Summary = atomTextOf(f.Items[i].Description)
			entry.Summary.Type = cmp.Or(entry.Summary.Type, "text")
			e.Summary = nil
		}
		entries[i].addAtom(&entry)
		doc.Entries[i] = entry
	}
	af.Link, af.Entries = nil, nil
	return marshalXML(doc)
}

// addAtom adds to a what gorilla/feeds has no place for: the original as
// a related link, the lead image as an enclosure link and Media RSS
// elements, the authors (an entry without its own has the feed's) and
// the categories and tags.
func (e entry) addAtom(a *atomEntry) {
	if e.link != "" {
		a.Links = append(a.Links, feeds.AtomLink{Href: e.link, Rel: "related"})
	}
	if e.image != nil {
		a.Links = append(a.Links, e.image.atomEnclosure())
	}
	a.mediaElems = e.image.media()
	for _, au := range e.authors {
		a.Authors = append(a.Authors, feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: au.Name, Uri: au.URL, Email: au.Email}})
	}
	for _, t := range e.lists {
		a.Categories = append(a.Categories, atomCategory{Term: t.term, Scheme: t.scheme, Label: t.label})
	}
	for _, t := range e.tags {
		a.Categories = append(a.Categories, atomCategory{Term: t, Scheme: e.base + pathTags, Label: t})
	}
}
