package feed

import (
	"html"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// contentHTML is the whole article as HTML, marked with its language and
// direction so that readers that keep the markup show it right to left:
// the Markdown body with its local references made absolute, or the
// plain-text paragraphs, each in a script other than the article's with
// its own direction.
func contentHTML(it storage.Item, e entry, baseURL string) string {
	var b strings.Builder
	b.WriteString(`<div dir="` + e.dir + `" lang="` + html.EscapeString(e.lang) + `">`)
	if it.Body != "" {
		b.WriteString(resolveLocal(it.Body, baseURL))
	} else {
		for _, p := range it.Paragraphs {
			if d := paragraphDir(p, e.dir); d != "" {
				b.WriteString(`<p dir="` + d + `">`)
			} else {
				b.WriteString("<p>")
			}
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>")
		}
	}
	b.WriteString("</div>")
	return b.String()
}

// localAttrs are the attributes whose values Body writes local references
// in: links and images.
var localAttrs = map[string]bool{"href": true, "src": true}

// resolveLocal returns body, sanitized HTML, with every href or src that
// starts with article.LocalScheme made the absolute URL of that article
// or media file. It changes nothing else: text and every other tag keep
// their bytes, so a "seedfeed:" in the text stays as it was written.
func resolveLocal(body, baseURL string) string {
	if !strings.Contains(body, article.LocalScheme) {
		return body
	}
	var b strings.Builder
	b.Grow(len(body) + 256)
	z := xhtml.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			// The end: an unfinished tag at the end of body ("<a
			// href") is left in Raw, and kept as it was.
			b.Write(z.Raw())
			return b.String()
		}
		raw := z.Raw()
		if (tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken) || !strings.Contains(string(raw), article.LocalScheme) {
			b.Write(raw)
			continue
		}
		// Token lower-cases raw's names in place: raw is not used again.
		tok := z.Token()
		for i, a := range tok.Attr {
			if a.Namespace == "" && localAttrs[a.Key] && strings.HasPrefix(a.Val, article.LocalScheme) {
				tok.Attr[i].Val = localURL(baseURL, a.Val)
			}
		}
		b.WriteString(tok.String())
	}
}

// localURL turns ref, article.LocalScheme followed by a percent-encoded
// path under the seeds folder and maybe a query or fragment, into the URL
// of that article (its page) or media file.
func localURL(baseURL, ref string) string {
	p, rest := strings.TrimPrefix(ref, article.LocalScheme), ""
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p, rest = p[:i], p[i:]
	}
	// A path that does not decode (a stray "%") is taken as it is: its
	// "%" is then a character of the name, and is encoded as one.
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	if article.Is(p) {
		return baseURL + PathArticles + escapePath(article.Slug(p)) + rest
	}
	return MediaURL(baseURL, p) + rest
}

// paragraphDir returns the direction of text, a paragraph, where it
// clearly is not dir, the article's (see article.Dir), else "": the
// paragraph then takes the article's direction.
func paragraphDir(text, dir string) string {
	if d := article.Dir(text); d != dir {
		return d
	}
	return ""
}
