package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// Media types of the served documents.
const (
	typeAtom = "application/atom+xml; charset=utf-8"
	typeRSS  = "application/rss+xml; charset=utf-8"
	typeJSON = "application/feed+json; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
)

// snapshot is every document rendered from one state of the source.
type snapshot struct {
	atom, rss, json, index doc
	errors                 *ErrorPages
}

// render renders every document from items, ordered newest first, dated
// by the newest of them or by changed, when the source changed later.
func render(items []storage.Item, cfg Config, changed time.Time) (*snapshot, error) {
	return renderMain(mainState{items: items, changed: changed, count: len(items)}, cfg)
}

// mainState is what the main list's eagerly rendered documents show.
type mainState struct {
	items    []storage.Item // its newest, newest first
	open     []storage.Item // its open archive page's (see subscriptionItems)
	changed  time.Time      // when the source last changed
	archives int            // its number of archive pages
	count    int            // its number of articles
}

// renderMain renders the main feeds and the index page from m.
func renderMain(m mainState, cfg Config) (*snapshot, error) {
	modified := updated(m.items)
	if m.changed.After(modified) {
		modified = m.changed
	}
	main := storage.List{}
	hd := headOf(cfg, main, "")
	var s snapshot
	items := subscriptionItems(m.items, m.open)
	if t := updated(items); t.After(modified) {
		modified = t
	}
	for f, dst := range []*doc{Atom: &s.atom, RSS: &s.rss, JSON: &s.json} {
		var err error
		ln := subscriptionLinks(cfg, main, m.archives, Format(f))
		if *dst, err = feedDoc(items, hd, ln, Format(f), modified, cfg); err != nil {
			return nil, err
		}
	}
	body, err := listPage(listView{List: main, Title: cfg.Title, Description: cfg.Description, Lang: cfg.Lang,
		Items: m.items, N: 1, Pages: htmlPages(m.count, cfg.Limit), Count: m.count, Names: cfg.listName}, cfg)
	if err == nil {
		s.index, err = newDoc(body, typeHTML, modified)
	}
	if err == nil {
		s.errors, err = NewErrorPages(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", typeHTML, err)
	}
	return &s, nil
}

// htmlPages is the number of HTML pages of a list of count articles
// shown limit to a page; page 1 is served even when there are none.
func htmlPages(count, limit int) int { return (count + limit - 1) / max(limit, 1) }

// marshalXML encodes v as an indented XML document, as the Atom and RSS
// feeds are served: declaration first, a final newline last.
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
