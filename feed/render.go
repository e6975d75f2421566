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
}

// render renders every document from items, ordered newest first, dated
// by the newest of them or by changed, when the source changed later.
func render(items []storage.Item, cfg Config, changed time.Time) (*snapshot, error) {
	f, entries := build(items, cfg)
	modified := updated(items)
	if changed.After(modified) {
		modified = changed
	}
	lang := cfg.Lang.String()
	var s snapshot
	for _, r := range []struct {
		dst    *doc
		ctype  string
		render func() ([]byte, error)
	}{
		{&s.atom, typeAtom, func() ([]byte, error) { return toAtom(f, entries, lang, cfg.BaseURL+PathAtom) }},
		{&s.rss, typeRSS, func() ([]byte, error) { return toRSS(f, entries, lang, cfg.BaseURL+PathRSS) }},
		{&s.json, typeJSON, func() ([]byte, error) { return toJSON(f, entries, lang, cfg.BaseURL+PathJSON) }},
		{&s.index, typeHTML, func() ([]byte, error) { return indexPage(items, entries, cfg) }},
	} {
		body, err := r.render()
		if err == nil {
			*r.dst, err = newDoc(body, r.ctype, modified)
		}
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", r.ctype, err)
		}
	}
	return &s, nil
}

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
