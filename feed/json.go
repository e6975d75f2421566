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
// document whose feed_url is selfURL.
func toJSON(f *feeds.Feed, entries []entry, lang, selfURL string) ([]byte, error) {
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.Language = lang
	jf.FeedUrl = selfURL
	jf.Author = nil // deprecated in 1.1; Authors says the same
	doc := jsonFeed{JSONFeed: jf, Items: make([]jsonItem, len(jf.Items))}
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
