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
