package feed

import (
	"bytes"
	"encoding/json"

	"github.com/gorilla/feeds"
)

// jsonFeed extends gorilla/feeds' JSONFeed with items that carry a language.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []jsonItem `json:"items"`
	// History is RFC 5005's links, which next_url alone cannot all say.
	History *jsonHistory `json:"_rfc5005,omitempty"`
}

// jsonHistory carries RFC 5005 in a JSON Feed extension object (JSON
// Feed lets a publisher add keys that start with "_"). JSON Feed pages
// through next_url only, one way: a subscription feed's next_url is the
// newest archive page, each archive page's is the one before it (older),
// and page 1 has none, so that following next_url from the feed visits
// every archive page once, as prev-archive does in Atom and RSS. Here an
// archive page says it is one and names its current feed and both
// neighbours, prev-archive older and next-archive newer, as in Atom.
type jsonHistory struct {
	Archive     bool   `json:"archive,omitempty"`
	Current     string `json:"current,omitempty"`
	PrevArchive string `json:"prev_archive,omitempty"`
	NextArchive string `json:"next_archive,omitempty"`
}

type jsonItem struct {
	*feeds.JSONItem
	// Attachments shadows JSONItem.Attachments, whose size is written
	// as "size", not JSON Feed's "size_in_bytes".
	Attachments []jsonAttachment `json:"attachments,omitempty"`
	Language    string           `json:"language,omitempty"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

// toJSON renders f, whose items entries describe, as a JSON Feed 1.1
// document with the links ln: the self link as feed_url, the WebSub hub
// in hubs, the next older document as next_url (see jsonHistory).
func toJSON(f *feeds.Feed, entries []entry, lang string, ln feedLinks) ([]byte, error) {
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.Language = lang
	jf.FeedUrl = ln.self
	jf.NextUrl = ln.prevArchive
	jf.Author = nil // deprecated in 1.1; Authors says the same
	if ln.hub != "" {
		jf.Hubs = []*feeds.JSONHub{{Type: "WebSub", Url: ln.hub}}
	}
	doc := jsonFeed{JSONFeed: jf, Items: make([]jsonItem, len(jf.Items))}
	if ln.prevArchive != "" || ln.archive {
		doc.History = &jsonHistory{Archive: ln.archive, Current: ln.current, PrevArchive: ln.prevArchive, NextArchive: ln.nextArchive}
	}
	for i, it := range jf.Items {
		doc.Items[i] = entries[i].jsonItem(it)
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

// jsonItem returns it with what gorilla/feeds has no place for: language,
// the original as external_url, authors (an item without its own has the
// feed's), categories and tags together as tags, and the lead image as
// image and as an attachment.
func (e entry) jsonItem(it *feeds.JSONItem) jsonItem {
	item := jsonItem{JSONItem: it, Language: e.lang}
	it.ExternalUrl = e.link
	for _, a := range e.authors {
		// JSON Feed has no e-mail address: an author without a URL is
		// reached through a mailto: one.
		u := a.URL
		if u == "" && a.Email != "" {
			u = "mailto:" + a.Email
		}
		it.Authors = append(it.Authors, &feeds.JSONAuthor{Name: a.Name, Url: u})
	}
	it.Tags = e.terms()
	if im := e.image; im != nil {
		it.Image = im.url
		// An attachment requires its type.
		if im.typ != "" {
			item.Attachments = []jsonAttachment{{URL: im.url, MIMEType: im.typ, Size: im.size}}
		}
	}
	return item
}
