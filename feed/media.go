package feed

import (
	"strconv"

	"github.com/gorilla/feeds"
)

// mediaNS is the Media RSS namespace, declared as xmlns:media on the root
// of a feed whose entries carry a lead image, and only then, so that a
// feed of plain-text articles stays as it was.
const mediaNS = "http://search.yahoo.com/mrss/"

// mediaElems are the Media RSS elements of an entry's lead image:
// media:content, which gofeed and Miniflux take for the entry's image.
// There is no media:thumbnail of the same URL: Miniflux (v2.3.5) takes
// thumbnails first, as "image/*" of unknown size, and drops the enclosure
// of the same URL that follows, so its type and length would be lost. The image's
// text alternative is not carried in media:description or media:title:
// feedparser reads those as the entry's summary and title, and no reader
// shows either as the image's alt (Miniflux takes media:description only
// for an entry without content); it is on the article's page.
type mediaElems struct {
	MediaContent *mediaContent `xml:"media:content"`
}

type mediaContent struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Medium string `xml:"medium,attr"`
	// FileSize is left out when unknown: the validator wants a positive
	// integer or nothing.
	FileSize int64 `xml:"fileSize,attr,omitempty"`
}

// media returns the Media RSS elements of im, or none for nil.
func (im *leadImage) media() mediaElems {
	if im == nil {
		return mediaElems{}
	}
	return mediaElems{
		MediaContent: &mediaContent{URL: im.url, Type: im.typ, Medium: "image", FileSize: im.size},
	}
}

// atomEnclosure returns im as an Atom enclosure link. Its length and type
// are left out when unknown, as RFC 4287 allows.
func (im *leadImage) atomEnclosure() feeds.AtomLink {
	l := feeds.AtomLink{Href: im.url, Rel: "enclosure", Type: im.typ}
	if im.size > 0 {
		l.Length = strconv.FormatInt(im.size, 10)
	}
	return l
}

// rssEnclosure returns im as an RSS enclosure, or nil for none. RSS
// requires its length and type: a remote image's unknown length is 0, as
// the W3C validator asks (UseZeroForUnknown); without a type there is no
// enclosure, and media:content alone carries the image.
func (im *leadImage) rssEnclosure() *feeds.RssEnclosure {
	if im == nil || im.typ == "" {
		return nil
	}
	return &feeds.RssEnclosure{Url: im.url, Length: strconv.FormatInt(im.size, 10), Type: im.typ}
}

// needsMediaNS reports whether any entry has Media RSS elements.
func needsMediaNS(entries []entry) bool {
	for _, e := range entries {
		if e.image != nil {
			return true
		}
	}
	return false
}
