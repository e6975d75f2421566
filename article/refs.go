package article

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// rewrite readies doc, a Markdown tree of an article in the folder dir,
// for rendering, and returns the destinations it drops (see
// Article.DroppedLinks). Link and image destinations: a relative one (no
// scheme, not starting with /, # or //) becomes LocalScheme and the path
// under the seeds folder it resolves to, with its query and fragment; one
// that leaves the seeds folder, leads to neither an article nor a media
// file (an image, to no media file), or has a scheme other than http,
// https, mailto or seedfeed, is dropped and its text kept. An autolink
// with such a scheme becomes its text. Raw HTML goes (the renderer would
// leave a comment in its place), and so does what lies between the tags
// of a raw element (see dropRawElements).
func rewrite(doc ast.Node, src []byte, dir string) (dropped []string) {
	var refs []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.Link, *ast.Image, *ast.AutoLink, *ast.RawHTML, *ast.HTMLBlock:
			if entering {
				refs = append(refs, n)
			}
		}
		return ast.WalkContinue, nil
	})
	removed := dropRawElements(refs, src)
	var seen map[string]bool
	drop := func(dest string) {
		if !seen[dest] {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[dest] = true
			dropped = append(dropped, dest)
		}
	}
	for _, n := range refs {
		if removed[n] {
			continue
		}
		var dest *[]byte
		switch n := n.(type) {
		case *ast.Link:
			dest = &n.Destination
		case *ast.Image:
			dest = &n.Destination
		case *ast.AutoLink:
			if u, err := url.Parse(string(n.URL(src))); n.AutoLinkType != ast.AutoLinkEmail && (err != nil || !webSchemes[u.Scheme]) {
				drop(string(n.URL(src)))
				n.Parent().ReplaceChild(n.Parent(), n, ast.NewString(n.Label(src)))
			}
			continue
		default:
			n.Parent().RemoveChild(n.Parent(), n)
			continue
		}
		_, image := n.(*ast.Image)
		if d, ok := ref(*dest, dir, image); ok {
			*dest = d
		} else {
			drop(string(*dest))
			unwrap(n)
		}
	}
	return dropped
}

// webSchemes are the schemes a link may keep as it is.
var webSchemes = map[string]bool{"http": true, "https": true, "mailto": true}

// ref is the destination a link or image (if image) in the folder dir
// keeps, or false if it is to be dropped (see rewrite).
func ref(dest []byte, dir string, image bool) ([]byte, bool) {
	// As goldmark renders it: escapes and entities resolved, the rest
	// percent-encoded.
	raw := string(util.URLEscape(dest, true))
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, false
	case webSchemes[u.Scheme]:
		return dest, true
	case u.Scheme+":" == LocalScheme: // written by hand: a path under the seeds folder
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return nil, false
		}
		return local(".", p, u, image)
	case u.Scheme != "":
		return nil, false
	case strings.HasPrefix(raw, "/"), u.Path == "": // the site's, or #fragment, ?query, "": not a file's
		return dest, true
	}
	return local(dir, u.Path, u, image)
}

// local is the LocalScheme reference to p, a path relative to the folder
// dir, followed by the query and fragment of u, or false if it leaves the
// seeds folder or names neither an article nor a media file (if image, no
// media file): no URL would answer for it.
func local(dir, p string, u *url.URL, image bool) ([]byte, bool) {
	q, ok := under(dir, p)
	if !ok || MediaType(q) == "" && (image || !Is(q)) {
		return nil, false
	}
	segs := strings.Split(q, "/")
	for i, s := range segs {
		// PathEscape leaves & as it is; goldmark would read "&amp;" in
		// a destination as an entity.
		segs[i] = strings.ReplaceAll(url.PathEscape(s), "&", "%26")
	}
	at, query, frag := strings.Join(segs, "/"), noReferences(u.RawQuery), noReferences(u.EscapedFragment())
	r := make([]byte, 0, len(LocalScheme)+len(at)+1+len(query)+1+len(frag))
	r = append(append(r, LocalScheme...), at...)
	if query != "" {
		r = append(append(r, '?'), query...)
	}
	if frag != "" {
		r = append(append(r, '#'), frag...)
	}
	return r, true
}

// reference matches what goldmark reads as an entity or a character
// reference in a destination.
var reference = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);`)

// noReferences is s, a query or fragment, with the & that would start an
// entity or a character reference percent-encoded, so that goldmark
// writes s as it is; other & (a=1&b=2) keep their meaning.
func noReferences(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return reference.ReplaceAllStringFunc(s, func(m string) string { return "%26" + m[1:] })
}

// rawElements are the HTML elements whose content is no text to show.
var rawElements = []string{"script", "style", "template", "iframe", "noscript", "textarea"}

// dropRawElements removes, among the nodes refs (in document order), the
// inline raw HTML that opens a raw element (<script>), what follows it,
// and the tag that closes it: inline raw HTML is left out, and the text
// between such tags would show as text ("alert(1)"). A raw element that
// does not close among the opening tag's siblings (in the same paragraph,
// emphasis or link) is left as it is. It returns the nodes removed, with
// what they hold. It reads each parent's children once.
func dropRawElements(refs []ast.Node, src []byte) (removed map[ast.Node]bool) {
	var done map[ast.Node]bool
	for _, r := range refs {
		p := r.Parent()
		if _, ok := r.(*ast.RawHTML); !ok || p == nil || done[p] || removed[r] {
			continue
		}
		if done == nil {
			done = map[ast.Node]bool{}
		}
		done[p] = true
		var open ast.Node
		var name string
		for c := p.FirstChild(); c != nil; {
			next := c.NextSibling()
			if h, ok := c.(*ast.RawHTML); ok {
				switch n, closing := rawTag(h, src); {
				case open == nil && n != "" && !closing:
					open, name = c, n
				case open != nil && n == name && closing:
					removed = removeSiblings(open, c, removed)
					open = nil
				}
			}
			c = next
		}
	}
	return removed
}

// rawTag returns the name of the raw element (see rawElements) whose tag
// n is, and whether it closes it; "" if n is no such tag.
func rawTag(n *ast.RawHTML, src []byte) (name string, closing bool) {
	if n.Segments.Len() == 0 {
		return "", false
	}
	seg := n.Segments.At(0)
	t := seg.Value(src) // "<script", "</style>"
	if len(t) < 2 {
		return "", false
	}
	t, closing = bytes.CutPrefix(t[1:], []byte("/"))
	for _, e := range rawElements {
		if len(t) >= len(e) && bytes.EqualFold(t[:len(e)], []byte(e)) &&
			(len(t) == len(e) || strings.IndexByte(" \t\r\n/>", t[len(e)]) >= 0) {
			return e, closing
		}
	}
	return "", false
}

// removeSiblings removes the nodes from from to to, its later sibling,
// and adds them and what they hold to removed.
func removeSiblings(from, to ast.Node, removed map[ast.Node]bool) map[ast.Node]bool {
	if removed == nil {
		removed = map[ast.Node]bool{}
	}
	p := from.Parent()
	for c := from; ; {
		next := c.NextSibling()
		_ = ast.Walk(c, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if entering {
				removed[n] = true
			}
			return ast.WalkContinue, nil
		})
		p.RemoveChild(p, c)
		if c == to {
			return removed
		}
		c = next
	}
}

// unwrap replaces n, a link or image, with its children: its text.
func unwrap(n ast.Node) {
	p := n.Parent()
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		p.InsertBefore(p, n, c)
		c = next
	}
	p.RemoveChild(p, n)
}

// policy sanitizes the HTML goldmark renders: the elements and attributes
// it writes for CommonMark, tables and strikethrough, and nothing else;
// URLs that are relative, http, https, mailto or LocalScheme. It is the
// second guard: the renderer already leaves raw HTML out. A Policy is
// safe for concurrent use once built.
var policy = newPolicy()

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	blocks := []string{"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
		"pre", "table", "thead", "tbody", "tr", "th", "td"}
	p.AllowElements(blocks...)
	p.AllowElements("em", "strong", "del", "code", "br", "hr")
	p.AllowAttrs("dir").Matching(regexp.MustCompile(`^(rtl|ltr)$`)).OnElements(blocks...)
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)).OnElements(blocks...)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[^\s"'<>&]+$`)).OnElements("code")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("src", "alt", "title").OnElements("img")
	p.AllowURLSchemes("http", "https", "mailto", strings.TrimSuffix(LocalScheme, ":"))
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	return p
}
