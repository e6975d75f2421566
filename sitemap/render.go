package sitemap

import (
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// The namespaces of the sitemaps.
const (
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// appendURL appends a <url> element for loc, last modified at lastmod
// (none when zero).
func appendURL(b []byte, loc string, lastmod time.Time) []byte {
	b = append(b, "  <url>\n    <loc>"...)
	b = appendEscaped(b, loc)
	b = append(b, "</loc>\n"...)
	if !lastmod.IsZero() {
		b = append(b, "    <lastmod>"...)
		b = appendDate(b, lastmod)
		b = append(b, "</lastmod>\n"...)
	}
	return append(b, "  </url>\n"...)
}

// urlset returns a sitemap of the given <url> elements, in order.
func urlset(urls ...[]byte) []byte {
	n := len(xmlHeader) + 128
	for _, u := range urls {
		n += len(u)
	}
	b := make([]byte, 0, n)
	b = append(b, xmlHeader+`<urlset xmlns="`+nsSitemap+`">`+"\n"...)
	for _, u := range urls {
		b = append(b, u...)
	}
	return append(b, "</urlset>\n"...)
}

// ref is one sitemap that an index names.
type ref struct {
	loc     string
	lastmod time.Time
}

// sitemapIndex returns a sitemap index of refs, in order.
func sitemapIndex(refs []ref) []byte {
	b := []byte(xmlHeader + `<sitemapindex xmlns="` + nsSitemap + `">` + "\n")
	for _, r := range refs {
		b = append(b, "  <sitemap>\n    <loc>"...)
		b = appendEscaped(b, r.loc)
		b = append(b, "</loc>\n"...)
		if !r.lastmod.IsZero() {
			b = append(b, "    <lastmod>"...)
			b = appendDate(b, r.lastmod)
			b = append(b, "</lastmod>\n"...)
		}
		b = append(b, "  </sitemap>\n"...)
	}
	return append(b, "</sitemapindex>\n"...)
}

// news returns the news sitemap of items (the newest first) as at now:
// those published in the last NewsAge. It returns its Last-Modified (the
// newest change among them, or the moment the last one left aged out)
// and when its oldest article will age out (zero for none).
func (h *Handler) news(items []storage.Item, name string, now time.Time) (body []byte, modified, expiry time.Time) {
	b := []byte(xmlHeader + `<urlset xmlns="` + nsSitemap + `" xmlns:news="` + nsNews + `">` + "\n")
	site := h.cfg.Lang
	for _, it := range items {
		if out := it.Published.Add(NewsAge); !out.After(now) {
			// The newest first: every one after this aged out before.
			modified = later(modified, out)
			break
		}
		expiry = it.Published.Add(NewsAge)
		modified = later(modified, it.Updated)
		b = append(b, "  <url>\n    <loc>"...)
		b = appendEscaped(b, feed.ArticleURL(h.cfg.BaseURL, it))
		b = append(b, "</loc>\n    <news:news>\n      <news:publication>\n        <news:name>"...)
		b = appendEscaped(b, name)
		b = append(b, "</news:name>\n        <news:language>"...)
		b = append(b, newsLang(it.Lang, site)...)
		b = append(b, "</news:language>\n      </news:publication>\n      <news:publication_date>"...)
		b = appendDate(b, it.Published)
		b = append(b, "</news:publication_date>\n      <news:title>"...)
		b = appendEscaped(b, it.Title)
		b = append(b, "</news:title>\n    </news:news>\n  </url>\n"...)
	}
	return append(b, "</urlset>\n"...), modified, expiry
}

// appendDate appends t as a W3C datetime, in UTC, to the second.
func appendDate(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, time.RFC3339)
}

// appendEscaped appends s as XML character data: &, < and > escaped,
// every other character as it is (Arabic is UTF-8, not entities), and
// those XML 1.0 does not allow replaced by U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case !allowed(r):
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// allowed reports whether XML 1.0 allows r in a document (its Char
// production); invalid UTF-8 arrives as U+FFFD, which it allows.
func allowed(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}

// newsLang returns the language of an article whose own is lang (a BCP
// 47 tag, "" for the site's) as Google News wants it: the ISO 639 code
// ("ar", "en", "fil"), except Chinese, which is "zh-cn" (Simplified)
// or "zh-tw" (Traditional).
func newsLang(lang string, site language.Tag) string {
	t := site
	if lang != "" {
		if p, err := language.Parse(lang); err == nil {
			t = p
		}
	}
	base, _ := t.Base()
	if base.String() != "zh" {
		return base.String()
	}
	if script, _ := t.Script(); script.String() == "Hant" {
		return "zh-tw"
	}
	return "zh-cn"
}
