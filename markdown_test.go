package main

// The Markdown corpus (testdata/markdown: Arabic, Persian and English
// articles with every front-matter key, tables, lists, quotes, links, code,
// emphasis inside words and images) read back by the readers that
// subscribers use, each as it is: gofeed in this process; feedparser and
// newsboat through testdata/checkfeeds.py, which prints what they made of
// each entry; Miniflux through its API. Every reader's view is compared with
// testdata/markdown/expected.json by one function, checkSeen, for the
// fields that reader carries; where a reader cannot carry a field, the
// comment at its mask says why, with the source that shows it.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	gofeedatom "github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	gofeedjson "github.com/mmcdole/gofeed/json"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// mdCorpus is testdata/markdown/expected.json: what every reader must see.
type mdCorpus struct {
	Articles []mdArticle `json:"articles"`
	// Never are texts (of drafts, of unknown front-matter keys) that no
	// feed, page or reader may show.
	Never []string `json:"never"`
	// Drafts are the paths of drafts, which have no page.
	Drafts []string `json:"drafts"`
}

// mdArticle is one published article as its file says it, worked out by
// hand: the text a reader shows, not the markup.
type mdArticle struct {
	Path  string `json:"path"`
	Title string `json:"title"`
	// Published is the front matter's date as an instant (dates without a
	// zone in the daemon's -timezone, Asia/Riyadh), "" when the file has
	// none.
	Published  string     `json:"published"`
	Authors    []mdAuthor `json:"authors"`
	Summary    string     `json:"summary"`
	Categories []string   `json:"categories"`
	Tags       []string   `json:"tags"`
	Image      *mdImage   `json:"image"`
	Lang       string     `json:"lang"` // the entry's language, the site's when the file has none
	Dir        string     `json:"dir"`  // the direction of that language
	Link       string     `json:"link"` // the original link, "" for none
	// Blocks are the texts of the body's blocks in order (see htmlBlocks);
	// Foreign, those of them written in the other direction.
	Blocks  []string `json:"blocks"`
	Foreign []string `json:"foreign"`
	// Images are the local images the body shows, Articles the articles it
	// links to: paths under the seeds folder.
	Images   []string `json:"images"`
	Articles []string `json:"articles"`
}

type mdAuthor struct {
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Email string `json:"email,omitempty"`
}

// mdImage is a lead image: a local file (Path, under the seeds folder) or
// a remote URL, whose length is then unknown (0).
type mdImage struct {
	Path   string `json:"path"`
	URL    string `json:"url"`
	Type   string `json:"type"`
	Length int64  `json:"length"`
	Alt    string `json:"alt"`
}

// mdSectionTitles are the titles of the corpus's _index.md files, by folder.
var mdSectionTitles = map[string]string{"تقارير": "قسم التقارير"}

// mdTimezone is the -timezone the corpus's dates without a zone are read in.
const mdTimezone = "Asia/Riyadh"

// mdFeedAuthor is the feed's author (-author): the author of an entry
// whose file names none (RFC 4287 4.2.1: an entry without atom:author has
// its feed's; JSON Feed 1.1: an item without authors has the feed's).
const mdFeedAuthor = `مكتب الأخبار & التحرير`

// loadMarkdownCorpus reads expected.json and checks it against the corpus:
// each image's length is its file's.
func loadMarkdownCorpus(t *testing.T) mdCorpus {
	t.Helper()
	dir := filepath.Join("testdata", "markdown")
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c mdCorpus
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	for _, a := range c.Articles {
		if a.Image == nil || a.Image.Path == "" {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(a.Image.Path)))
		if err != nil || fi.Size() != a.Image.Length {
			t.Fatalf("expected.json: %s: image %s: %v, length %d", a.Path, a.Image.Path, err, a.Image.Length)
		}
	}
	return c
}

// markdownDaemon runs the whole program on a copy of the Markdown corpus
// and waits until every article is in the JSON feed.
func markdownDaemon(t *testing.T, extra ...string) (*instance, mdCorpus) {
	t.Helper()
	d, c := startMarkdown(t, extra...)
	published := 0
	if !seedtest.Poll(eventLimit, func() bool {
		_, body := d.get(t, "/feed.json")
		var f struct{ Items []json.RawMessage }
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("feed.json: %v", err)
		}
		published = len(f.Items)
		return published >= len(c.Articles)
	}) {
		t.Fatalf("%d of %d articles published:\n%s", published, len(c.Articles), d.log)
	}
	return d, c
}

// startMarkdown runs the whole program on a copy of the Markdown corpus,
// with the corpus's settings and then extra.
func startMarkdown(t *testing.T, extra ...string) (*instance, mdCorpus) {
	t.Helper()
	c := loadMarkdownCorpus(t)
	seeds := copyTree(t, filepath.Join("testdata", "markdown"))
	if err := os.Remove(filepath.Join(seeds, "expected.json")); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-limit", "100", "-timezone", mdTimezone, "-author", mdFeedAuthor}, extra...)
	return startRun(t, seeds, filepath.Join(t.TempDir(), "md.db"), args...), c
}

// mdSeen is what a reader shows of one entry, each field as text.
type mdSeen struct {
	Title   string
	Authors []mdAuthor
	Terms   []string  // categories and tags
	Media   []mdMedia // enclosures or attachments
	Thumb   string    // the image the reader shows beside the entry
	Summary string
	Lang    string
	// Dir and ContentLang mark the content's wrapper; BlockDirs[i] is the
	// direction Blocks[i] is shown in.
	Dir, ContentLang  string
	Blocks, BlockDirs []string
	Link              string // the original link
	Published         time.Time
	Content           string // the content's HTML, for its images and links
}

type mdMedia struct {
	URL, Type string
	Length    int64
}

// carries says which fields of mdSeen a reader carries.
type carries uint

const (
	cAuthors     carries = 1 << iota // names
	cAuthorURL                       // each author's URL
	cAuthorEmail                     // each author's email
	cTerms
	cMedia
	cLength // the media's length
	cThumb
	cSummary
	cLang
	cDir // the content's wrapper and each block's direction
	cLink
	cPublished
	cAll = 1<<iota - 1
)

// mdReader is one reader of one format: how to read its view of each entry,
// what it carries, and how it shows authors.
type mdReader struct {
	name string
	has  carries
	// authors is how the reader shows article a, by the authors want (the
	// file's, or else the feed's); nil: each as it is.
	authors func(a mdArticle, want []mdAuthor) []mdAuthor
	// lang is how the reader shows a language tag; nil: as it is.
	lang func(string) string
}

// checkEntries compares a reader's entries with the corpus, by title: the
// same articles, and each as the corpus has it.
func checkEntries(t *testing.T, d *instance, r mdReader, seen []mdSeen, c mdCorpus) {
	t.Helper()
	byTitle := make(map[string]mdSeen)
	for _, s := range seen {
		if _, dup := byTitle[s.Title]; dup {
			t.Errorf("%s: two entries titled %q", r.name, s.Title)
		}
		byTitle[s.Title] = s
		for _, never := range c.Never {
			if strings.Contains(fmt.Sprint(s), never) {
				t.Errorf("%s: entry %q shows %q, which is a draft's or an unknown key's", r.name, s.Title, never)
			}
		}
	}
	if len(seen) != len(c.Articles) {
		t.Errorf("%s: %d entries, want %d", r.name, len(seen), len(c.Articles))
	}
	for _, a := range c.Articles {
		s, ok := byTitle[a.Title]
		if !ok {
			t.Errorf("%s: no entry titled %q (%s)", r.name, a.Title, a.Path)
			continue
		}
		checkSeen(t, d, r, s, a)
	}
}

// checkSeen compares what reader r shows of one entry with the article.
func checkSeen(t *testing.T, d *instance, r mdReader, s mdSeen, a mdArticle) {
	t.Helper()
	where := r.name + " " + a.Path
	want := a.Authors
	if len(want) == 0 {
		want = []mdAuthor{{Name: mdFeedAuthor}}
	}
	if r.authors != nil {
		want = r.authors(a, want)
	}
	checkAuthors(t, where, r.has, s.Authors, want)
	terms := append(slices.Clone(a.Categories), a.Tags...)
	if !strings.HasSuffix(r.name, "json") { // Atom and RSS name the sections too, JSON Feed's tags not
		for _, l := range (storage.Item{Path: a.Path}).Lists() {
			if l.Kind != storage.Section {
				continue
			}
			// Atom readers show a category's label: the _index.md title;
			// RSS's text is the folder path, as RSS 2.0 has it.
			if label := mdSectionTitles[l.Name]; label != "" && strings.HasSuffix(r.name, "atom") {
				terms = append(terms, label)
			} else {
				terms = append(terms, l.Name)
			}
		}
	}
	if r.has&cTerms != 0 && !slices.Equal(sortedSet(s.Terms), sortedSet(terms)) {
		t.Errorf("%s: categories and tags %q, want %q and %q and sections", where, s.Terms, a.Categories, a.Tags)
	}
	if r.has&cMedia != 0 {
		checkMedia(t, d, where, r.has, s, a.Image)
	}
	if r.has&cSummary != 0 && s.Summary != a.Summary {
		t.Errorf("%s: summary %q, want %q", where, s.Summary, a.Summary)
	}
	lang := a.Lang
	if r.lang != nil {
		lang = r.lang(lang)
	}
	if r.has&cLang != 0 && s.Lang != lang {
		t.Errorf("%s: language %q, want %q", where, s.Lang, lang)
	}
	if !slices.Equal(s.Blocks, a.Blocks) {
		t.Errorf("%s: body\n%q\nwant\n%q", where, s.Blocks, a.Blocks)
	} else if r.has&cDir != 0 {
		checkDirs(t, where, s, a)
	}
	if r.has&cLink != 0 && unescapeURL(s.Link) != a.Link {
		t.Errorf("%s: original link %q, want %q", where, s.Link, a.Link)
	}
	if r.has&cPublished != 0 && a.Published != "" {
		if want, _ := time.Parse(time.RFC3339, a.Published); !s.Published.Equal(want) {
			t.Errorf("%s: published %v, want %v", where, s.Published.UTC(), want)
		}
	}
}

func checkAuthors(t *testing.T, where string, has carries, got, want []mdAuthor) {
	t.Helper()
	if has&cAuthors == 0 {
		return
	}
	pick := func(as []mdAuthor) []mdAuthor {
		out := []mdAuthor{}
		for _, a := range as {
			p := mdAuthor{Name: a.Name}
			if has&cAuthorURL != 0 {
				p.URL = a.URL
			}
			if has&cAuthorEmail != 0 {
				p.Email = a.Email
			}
			out = append(out, p)
		}
		return out
	}
	if g, w := pick(got), pick(want); !slices.Equal(g, w) {
		t.Errorf("%s: authors %+v, want %+v", where, g, w)
	}
}

// checkMedia checks the entry's one enclosure (and its thumbnail) against
// the article's image, and that nothing else is attached.
func checkMedia(t *testing.T, d *instance, where string, has carries, s mdSeen, img *mdImage) {
	t.Helper()
	if img == nil {
		if len(s.Media) > 0 || s.Thumb != "" {
			t.Errorf("%s: media %+v, thumbnail %q for an article without an image", where, s.Media, s.Thumb)
		}
		return
	}
	want := img.URL
	if img.Path != "" {
		want = d.url + "/media/" + img.Path
	}
	if len(s.Media) != 1 {
		t.Errorf("%s: media %+v, want one: %s", where, s.Media, want)
		return
	}
	m := s.Media[0]
	if unescapeURL(m.URL) != want || m.Type != img.Type || (has&cLength != 0 && m.Length != img.Length) {
		t.Errorf("%s: media %+v, want %s %s length %d", where, m, want, img.Type, img.Length)
	}
	if has&cThumb != 0 && unescapeURL(s.Thumb) != want {
		t.Errorf("%s: image %q, want %s", where, s.Thumb, want)
	}
}

// checkDirs checks that the content is marked with the article's direction
// and language, and that each block written in the other direction is
// shown in it.
func checkDirs(t *testing.T, where string, s mdSeen, a mdArticle) {
	t.Helper()
	if s.Dir != a.Dir || s.ContentLang != a.Lang {
		t.Errorf("%s: content marked dir=%q lang=%q, want %s, %s", where, s.Dir, s.ContentLang, a.Dir, a.Lang)
	}
	other := map[string]string{"rtl": "ltr", "ltr": "rtl"}[a.Dir]
	for i, b := range s.Blocks {
		foreign := slices.Contains(a.Foreign, b)
		if foreign && s.BlockDirs[i] != other {
			t.Errorf("%s: %q is shown %s, want %s", where, b, s.BlockDirs[i], other)
		}
		if !foreign && s.BlockDirs[i] != a.Dir && s.BlockDirs[i] != "" {
			t.Errorf("%s: %q is shown %s, want %s", where, b, s.BlockDirs[i], a.Dir)
		}
	}
}

// unescapeURL decodes a URL's percent-escapes, so that URLs compare by
// what they name, whichever characters were escaped.
func unescapeURL(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// sortedSet is the sorted distinct values of s.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// blockAtoms are the elements that start a block of text of their own.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Pre: true, atom.Blockquote: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Div: true, atom.Figure: true, atom.Figcaption: true, atom.Hr: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
}

// htmlBlocks reads HTML content as a reader shows it: the text of each
// block (a paragraph, heading, list item, table cell, code block), in
// order, with white space at its ends trimmed and blocks without text
// left out; text in inline elements (emphasis, links, code) is part of its
// block. It returns the outer div's dir and lang, and the direction each
// block is shown in: its nearest dir attribute's ("" for none).
func htmlBlocks(t *testing.T, content string) (dir, lang string, blocks, dirs []string) {
	t.Helper()
	nodes := parseFragment(t, content)
	if len(nodes) > 0 && nodes[0].DataAtom == atom.Div {
		dir, lang = attr(nodes[0], "dir"), attr(nodes[0], "lang")
	}
	var text strings.Builder
	var dirStack []string
	flush := func() {
		if s := strings.TrimSpace(text.String()); s != "" {
			blocks = append(blocks, s)
			d := ""
			for _, v := range dirStack {
				if v != "" {
					d = v
				}
			}
			dirs = append(dirs, d)
		}
		text.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			text.WriteString(n.Data)
		case n.Type != html.ElementNode:
		case n.DataAtom == atom.Br:
			text.WriteString("\n")
		case blockAtoms[n.DataAtom]:
			flush()
			dirStack = append(dirStack, attr(n, "dir"))
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			flush()
			dirStack = dirStack[:len(dirStack)-1]
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return dir, lang, blocks, dirs
}

// withContent fills the fields read from the content's HTML.
func (s *mdSeen) withContent(t *testing.T, content string) {
	t.Helper()
	s.Content = content
	s.Dir, s.ContentLang, s.Blocks, s.BlockDirs = htmlBlocks(t, content)
}

// checkBodyRefs checks the images and links in the entry's content: each
// image and link to this daemon answers 200, the body's images are there,
// and its links to articles open them.
func checkBodyRefs(t *testing.T, d *instance, where string, s mdSeen, a mdArticle, byPath map[string]mdArticle) {
	t.Helper()
	var srcs, hrefs []string
	for _, n := range parseFragment(t, s.Content) {
		for e := range n.Descendants() {
			switch e.DataAtom {
			case atom.Img:
				srcs = append(srcs, attr(e, "src"))
			case atom.A:
				hrefs = append(hrefs, attr(e, "href"))
			}
		}
		if n.DataAtom == atom.Img {
			srcs = append(srcs, attr(n, "src"))
		}
	}
	for _, p := range a.Images {
		if !slices.Contains(srcs, d.url+"/media/"+escapePath(p)) && !slices.ContainsFunc(srcs, func(s string) bool {
			return unescapeURL(s) == d.url+"/media/"+p
		}) {
			t.Errorf("%s: no image of %s in the body: %q", where, p, srcs)
		}
	}
	var titles []string
	for _, ref := range append(srcs, hrefs...) {
		if !strings.HasPrefix(ref, "http") {
			t.Errorf("%s: relative reference %q in the body", where, ref)
		}
		if !strings.HasPrefix(ref, d.url+"/") {
			continue
		}
		resp, body := d.get(t, strings.TrimPrefix(ref, d.url))
		if resp.StatusCode != 200 {
			t.Errorf("%s: %s = %d", where, ref, resp.StatusCode)
		}
		if slices.Contains(hrefs, ref) {
			titles = append(titles, pageHeading(t, body))
		}
	}
	for _, p := range a.Articles {
		if !slices.Contains(titles, byPath[p].Title) {
			t.Errorf("%s: no link to %s (%q) in the body; links open %q", where, p, byPath[p].Title, titles)
		}
	}
}

// escapePath percent-encodes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// pageHeading is the text of an HTML page's first h1.
func pageHeading(t *testing.T, page []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.DataAtom == atom.H1 {
			var b strings.Builder
			for c := range n.Descendants() {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			return strings.TrimSpace(b.String())
		}
	}
	return ""
}

// TestMarkdownGofeed reads the Markdown corpus's three feeds with gofeed,
// as Go programs do, and checks every entry, then the images and links in
// each body: they answer, and the links open the articles they name.
func TestMarkdownGofeed(t *testing.T) {
	d, c := markdownDaemon(t)
	byPath := make(map[string]mdArticle)
	for _, a := range c.Articles {
		byPath[a.Path] = a
	}
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			_, doc := d.get(t, "/feed."+format)
			r, seen := gofeedRead(t, format, doc)
			checkEntries(t, d, r, seen, c)
			for _, s := range seen {
				for _, a := range c.Articles {
					if a.Title == s.Title {
						checkBodyRefs(t, d, r.name+" "+a.Path, s, a, byPath)
					}
				}
			}
		})
	}
}

// gofeedRead reads a feed with gofeed: its universal parser, as most
// programs use it, and its format's own parser where the universal one
// drops a field (an Atom author's uri; JSON Feed's item language, author
// url, external_url and attachments, none of which gofeed's
// DefaultJSONTranslator copies: mmcdole/gofeed v1.4.2 translator.go,
// translateFeedItem's "TODO ExternalURL", "Author.URL ... missing").
func gofeedRead(t *testing.T, format string, doc []byte) (mdReader, []mdSeen) {
	t.Helper()
	switch format {
	case "atom":
		return gofeedAtom(t, doc)
	case "rss":
		return gofeedRSS(t, doc)
	}
	return gofeedJSON(t, doc)
}

// gofeedAtom: gofeed keeps no xml:lang of an entry (atom.Entry has no
// language field, and atom/parser.go reads xml:lang on <feed> only:
// mmcdole/gofeed v1.4.2 atom/feed.go, atom/parser.go parseLanguage), so
// the entry's language is not read here; TestMarkdownValidators reads it
// from the document.
func gofeedAtom(t *testing.T, doc []byte) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{name: "gofeed atom", has: cAll &^ cLang}
	f := gofeedParse(t, doc)
	native, err := (&gofeedatom.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed atom: %v", err)
	}
	types := atomTypes(t, doc)
	var seen []mdSeen
	for i, it := range f.Items {
		e := native.Entries[i]
		s := mdSeen{
			Title:   readerText(t, it.Title, types[i].Title),
			Terms:   it.Categories,
			Media:   gofeedEnclosures(it.Enclosures),
			Thumb:   mediaImage(it.Extensions),
			Summary: readerText(t, it.Description, types[i].Summary),
		}
		for _, p := range e.Authors {
			s.Authors = append(s.Authors, mdAuthor{Name: p.Name, URL: p.URI, Email: p.Email})
		}
		s.Authors = inherit(s.Authors, native.Authors, func(p *gofeedatom.Person) mdAuthor {
			return mdAuthor{Name: p.Name, URL: p.URI, Email: p.Email}
		})
		for _, l := range e.Links {
			if l.Rel == "related" {
				s.Link = l.Href
			}
		}
		if it.PublishedParsed != nil {
			s.Published = *it.PublishedParsed
		}
		s.withContent(t, it.Content)
		seen = append(seen, s)
	}
	return r, seen
}

// gofeedRSS: an RSS author is dc:creator, a name without url or email.
// RSS 2.0 has no element for an item's original link (<link> is the
// article's page, <source url> names a channel): it is read from the
// item's atom:link rel="related", which gofeed keeps among the item's
// extensions.
func gofeedRSS(t *testing.T, doc []byte) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{name: "gofeed rss", has: cAll &^ (cAuthorURL | cAuthorEmail)}
	f := gofeedParse(t, doc)
	var seen []mdSeen
	for _, it := range f.Items {
		s := mdSeen{
			Title:   it.Title,
			Terms:   it.Categories,
			Media:   gofeedEnclosures(it.Enclosures),
			Thumb:   mediaImage(it.Extensions),
			Summary: readerText(t, it.Description, "html"), // an RSS description is HTML
			Lang:    f.Language,
		}
		for _, l := range it.Extensions["atom"]["link"] {
			if l.Attrs["rel"] == "related" {
				s.Link = l.Attrs["href"]
			}
		}
		if dc := it.DublinCoreExt; dc != nil {
			// The universal Author is the first dc:creator only
			// (translator.go translateItemAuthor); all of them are here.
			for _, name := range dc.Creator {
				s.Authors = append(s.Authors, mdAuthor{Name: name})
			}
			if len(dc.Language) > 0 {
				s.Lang = dc.Language[0]
			}
		}
		if it.PublishedParsed != nil {
			s.Published = *it.PublishedParsed
		}
		s.withContent(t, it.Content)
		seen = append(seen, s)
	}
	return r, seen
}

// gofeedJSON: JSON Feed's authors have a name, url and avatar but no email
// (JSON Feed 1.1, "authors"). An item without a language is in the feed's.
func gofeedJSON(t *testing.T, doc []byte) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{name: "gofeed json", has: cAll &^ cAuthorEmail}
	f, err := (&gofeedjson.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed json: %v", err)
	}
	var seen []mdSeen
	for _, it := range f.Items {
		s := mdSeen{Title: it.Title, Terms: it.Tags, Thumb: it.Image, Summary: it.Summary, Lang: it.Language, Link: it.ExternalURL}
		if s.Lang == "" {
			s.Lang = f.Language
		}
		for _, p := range it.Authors {
			s.Authors = append(s.Authors, jsonAuthor(p))
		}
		s.Authors = inherit(s.Authors, f.Authors, jsonAuthor)
		if it.Attachments != nil {
			for _, a := range *it.Attachments {
				s.Media = append(s.Media, mdMedia{URL: a.URL, Type: a.MimeType, Length: a.SizeInBytes})
			}
		}
		s.Published, _ = time.Parse(time.RFC3339, it.DatePublished)
		s.withContent(t, it.ContentHTML)
		seen = append(seen, s)
	}
	return r, seen
}

// jsonAuthor is a JSON Feed author as a reader shows it: a mailto: url
// (which JSON Feed 1.1 allows as an author's url) is an address.
func jsonAuthor(p *gofeedjson.Author) mdAuthor {
	if addr, ok := strings.CutPrefix(p.URL, "mailto:"); ok {
		return mdAuthor{Name: p.Name, Email: addr}
	}
	return mdAuthor{Name: p.Name, URL: p.URL}
}

func gofeedParse(t *testing.T, doc []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	return f
}

func gofeedEnclosures(es []*gofeed.Enclosure) []mdMedia {
	var out []mdMedia
	for _, e := range es {
		n, _ := strconv.ParseInt(e.Length, 10, 64) // "" is an unknown length, 0
		out = append(out, mdMedia{URL: e.URL, Type: e.Type, Length: n})
	}
	return out
}

// mediaImage is the URL of an entry's Media RSS thumbnail, or else of its
// first media:content: the image a reader shows beside the entry.
func mediaImage(exts ext.Extensions) string {
	for _, name := range []string{"thumbnail", "content"} {
		for _, e := range exts["media"][name] {
			if u := e.Attrs["url"]; u != "" {
				return u
			}
		}
	}
	return ""
}

// newsboatAuthors is the one author string newsboat keeps. Atom: the
// entry's names joined by ", " in order (newsboat/newsboat
// rss/atomparser.cpp AtomParser::parse_entry), and none for an entry
// without its own (parse_feed reads no feed <author>). RSS: the last
// dc:creator (rss/rss_09x_parser.cpp parse_item assigns each in turn).
func newsboatAuthors(format string) func(mdArticle, []mdAuthor) []mdAuthor {
	return func(a mdArticle, want []mdAuthor) []mdAuthor {
		if format == "rss" {
			return want[len(want)-1:]
		}
		var names []string
		for _, p := range a.Authors {
			names = append(names, p.Name)
		}
		return []mdAuthor{{Name: strings.Join(names, ", ")}}
	}
}

// inherit is an entry's authors as its format defines them: its own, or
// else the feed's (RFC 4287 4.2.1, JSON Feed 1.1 "authors"), a rule that
// gofeed and feedparser leave to the program that uses them.
func inherit[P any](own []mdAuthor, feed []P, conv func(P) mdAuthor) []mdAuthor {
	if len(own) > 0 {
		return own
	}
	var out []mdAuthor
	for _, p := range feed {
		out = append(out, conv(p))
	}
	return out
}

// TestMarkdownValidators hands the Markdown corpus's feeds to the
// validators TestValidators and TestW3CRules use, then checks what readers
// rely on beyond them: each Atom entry declares its language, the lead
// images answer with their type, length and bytes, and no draft or unknown
// front-matter key shows anywhere.
func TestMarkdownValidators(t *testing.T) {
	d, c := markdownDaemon(t)
	dir := t.TempDir()
	files, docs := map[string]string{}, map[string][]byte{}
	for _, format := range []string{"atom", "rss", "json"} {
		_, docs[format] = d.get(t, "/feed."+format)
		files[format] = filepath.Join(dir, "feed."+format)
		if err := os.WriteFile(files[format], docs[format], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	schemas := filepath.Join("testdata", "schemas")
	t.Run("xmllint", func(t *testing.T) {
		runTool(t, tool(t, "xmllint"), "--noout", files["atom"], files["rss"])
	})
	t.Run("jing", func(t *testing.T) {
		runTool(t, tool(t, "jing"), "-c", filepath.Join(schemas, "atom.rnc"), files["atom"])
	})
	t.Run("jsonschema", func(t *testing.T) {
		runTool(t, python(t, "jsonschema"), "-W", "ignore::DeprecationWarning",
			filepath.Join("testdata", "checkfeeds.py"), "jsonschema", filepath.Join(schemas, "jsonfeed"), files["json"])
	})
	for _, format := range []string{"atom", "rss"} {
		t.Run("w3c "+format, func(t *testing.T) {
			v := &w3c{t: t}
			if format == "atom" {
				v.checkAtom(docs[format])
			} else {
				v.checkRSS(docs[format])
			}
			for _, m := range v.messages {
				t.Error(m)
			}
		})
	}
	t.Run("atom entry languages", func(t *testing.T) { checkAtomLangs(t, docs["atom"], c) })
	t.Run("media", func(t *testing.T) { checkMediaFiles(t, d, c) })
	t.Run("never", func(t *testing.T) {
		_, index := d.get(t, "/")
		for name, doc := range map[string][]byte{"atom": docs["atom"], "rss": docs["rss"], "json": docs["json"], "index": index} {
			for _, never := range c.Never {
				if bytes.Contains(doc, []byte(never)) || bytes.Contains(doc, []byte(html.EscapeString(never))) {
					t.Errorf("%s shows %q, a draft's or an unknown key's", name, never)
				}
			}
		}
		for _, p := range c.Drafts {
			page := "/articles/" + escapePath(strings.TrimSuffix(p, path.Ext(p)))
			if resp, _ := d.get(t, page); resp.StatusCode != http.StatusNotFound {
				t.Errorf("draft %s: GET %s = %d, want 404", p, page, resp.StatusCode)
			}
		}
	})
}

// checkAtomLangs checks each Atom entry's xml:lang, which gofeed does not
// read, against its article's language.
func checkAtomLangs(t *testing.T, doc []byte, c mdCorpus) {
	t.Helper()
	var f struct {
		Entries []struct {
			Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	types := atomTypes(t, doc)
	langs := map[string]string{}
	for i, e := range f.Entries {
		langs[readerText(t, e.Title, types[i].Title)] = e.Lang
	}
	for _, a := range c.Articles {
		if got, ok := langs[a.Title]; !ok || got != a.Lang {
			t.Errorf("%s: entry xml:lang %q, want %q", a.Path, got, a.Lang)
		}
	}
}

// checkMediaFiles fetches every local lead image at its media URL and at
// the URL the JSON feed gives it: 200, its type, length and bytes, with an
// ETag and caching.
func checkMediaFiles(t *testing.T, d *instance, c mdCorpus) {
	t.Helper()
	_, doc := d.get(t, "/feed.json")
	_, seen := gofeedJSON(t, doc)
	attached := map[string][]mdMedia{}
	for _, s := range seen {
		attached[s.Title] = s.Media
	}
	for _, a := range c.Articles {
		if a.Image == nil || a.Image.Path == "" {
			continue
		}
		want, err := os.ReadFile(filepath.Join("testdata", "markdown", filepath.FromSlash(a.Image.Path)))
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{"/media/" + escapePath(a.Image.Path)}
		for _, m := range attached[a.Title] {
			paths = append(paths, strings.TrimPrefix(m.URL, d.url))
		}
		for _, p := range paths {
			resp, body := d.get(t, p)
			h := resp.Header
			if resp.StatusCode != 200 || h.Get("Content-Type") != a.Image.Type || h.Get("Content-Length") != strconv.Itoa(len(want)) ||
				!bytes.Equal(body, want) || h.Get("ETag") == "" || h.Get("Cache-Control") == "" {
				t.Errorf("%s: GET %s = %d, %d bytes, headers %v; want 200, %s, %d bytes, an ETag and Cache-Control",
					a.Path, p, resp.StatusCode, len(body), h, a.Image.Type, len(want))
			}
		}
	}
}

// TestMarkdownPythonReaders reads the Markdown corpus's Atom and RSS feeds
// with feedparser and newsboat (Debian's feedparser 6.0 and newsboat 2.21
// read no JSON Feed) through testdata/checkfeeds.py's dump modes.
func TestMarkdownPythonReaders(t *testing.T) {
	d, c := markdownDaemon(t)
	for _, format := range []string{"atom", "rss"} {
		t.Run("feedparser "+format, func(t *testing.T) {
			py := python(t, "feedparser")
			_, doc := d.get(t, "/feed."+format)
			file := filepath.Join(t.TempDir(), "feed."+format)
			if err := os.WriteFile(file, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			var dump fpDump
			pyDump(t, py, &dump, "feedparser-dump", file)
			r, seen := feedparserRead(t, format, dump)
			checkEntries(t, d, r, seen, c)
		})
	}
	for _, format := range []string{"atom", "rss"} {
		t.Run("newsboat "+format, func(t *testing.T) {
			cache, feedURL := newsboatReload(t, d.url+"/feed."+format)
			var rows []nbRow
			pyDump(t, python(t, "sqlite3"), &rows, "newsboat-dump", cache, feedURL)
			r, seen := newsboatRead(t, format, rows)
			checkEntries(t, d, r, seen, c)
		})
	}
}

// pyDump runs testdata/checkfeeds.py with args and decodes what it prints.
func pyDump(t *testing.T, py string, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(py, append([]string{"-W", "ignore::DeprecationWarning", filepath.Join("testdata", "checkfeeds.py")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("checkfeeds.py %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("checkfeeds.py %s: %v in %.500s", strings.Join(args, " "), err, data)
	}
}

// fpDump is what checkfeeds.py feedparser-dump prints.
type fpDump struct {
	Bozo        *string
	Language    *string
	FeedAuthors []fpAuthor `json:"feed_authors"`
	Entries     []struct {
		Title, Summary, Content fpDetail
		Language                *string
		Authors                 []fpAuthor
		Tags                    []struct{ Term, Label, Scheme *string }
		Links                   []struct{ Rel, Href, Type, Length string }
		Enclosures              []struct{ Href, Type, Length string }
		MediaThumbnail          []string               `json:"media_thumbnail"`
		MediaContent            []struct{ URL string } `json:"media_content"`
		Published               string
	}
}

type fpDetail struct {
	Value, Type string
	Language    *string
}

type fpAuthor struct{ Name, Href, Email string }

func (a fpAuthor) md() mdAuthor { return mdAuthor{Name: a.Name, URL: a.Href, Email: a.Email} }

// text is what a reader shows of a feedparser detail: HTML (as feedparser
// declares it) as the text it renders to.
func (dt fpDetail) text(t *testing.T) string {
	t.Helper()
	if dt.Type == "text/html" {
		return readerText(t, dt.Value, "html")
	}
	return dt.Value
}

// feedparserRead turns feedparser's entries into what a reader shows.
// An RSS author is dc:creator, a name only; the original link is the
// item's atom:link rel="related" (see gofeedRSS). An RSS title is plain text by
// definition; feedparser guesses its type from what it looks like
// (checkfeeds.py rendered), so only an Atom title's declared type counts.
func feedparserRead(t *testing.T, format string, dump fpDump) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{name: "feedparser " + format, has: cAll, authors: feedparserAuthors}
	if format == "rss" {
		r.has &^= cAuthorURL | cAuthorEmail
	}
	if dump.Bozo != nil {
		t.Errorf("feedparser %s: bozo: %s", format, *dump.Bozo)
	}
	var seen []mdSeen
	for _, e := range dump.Entries {
		s := mdSeen{Title: e.Title.Value, Summary: e.Summary.text(t)}
		if format == "atom" {
			s.Title = e.Title.text(t)
		}
		for _, a := range e.Authors {
			s.Authors = append(s.Authors, a.md())
		}
		if format == "atom" {
			s.Authors = inherit(s.Authors, dump.FeedAuthors, fpAuthor.md)
		}
		for _, tag := range e.Tags {
			if tag.Label != nil && *tag.Label != "" {
				s.Terms = append(s.Terms, *tag.Label)
			} else if tag.Term != nil {
				s.Terms = append(s.Terms, *tag.Term)
			}
		}
		for _, enc := range e.Enclosures {
			n, _ := strconv.ParseInt(enc.Length, 10, 64)
			s.Media = append(s.Media, mdMedia{URL: enc.Href, Type: enc.Type, Length: n})
		}
		s.Thumb = firstOf(e.MediaThumbnail...)
		for _, m := range e.MediaContent {
			s.Thumb = firstOf(s.Thumb, m.URL)
		}
		for _, l := range e.Links {
			if l.Rel == "related" {
				s.Link = l.Href
			}
		}
		// An entry's language: RSS's dc:language, which feedparser keeps as
		// the entry's; Atom's xml:lang, which it gives each text's detail.
		s.Lang = firstOf(deref(e.Language), deref(e.Content.Language), deref(dump.Language))
		s.Published, _ = time.Parse(time.RFC3339, e.Published)
		s.withContent(t, e.Content.Value)
		seen = append(seen, s)
	}
	return r, seen
}

// feedparserAuthors is how feedparser 6.0 shows several authors: one
// without an email gets the one before it's. On the next author's name,
// feedparser/mixin.py _sync_author_detail finds the new author's detail
// empty and reads the entry's author string, "name (email)" of the one
// before, back into it; _save_author then sets the name only (see also
// kurtmckee/feedparser#190, author details with several authors).
func feedparserAuthors(_ mdArticle, want []mdAuthor) []mdAuthor {
	out := slices.Clone(want)
	for i := 1; i < len(out); i++ {
		if out[i].Email == "" {
			out[i].Email = out[i-1].Email
		}
	}
	return out
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newsboatReload has newsboat (-x reload) fetch feedURL into a new cache,
// as TestValidators does, and returns the cache's path and the URL.
func newsboatReload(t *testing.T, feedURL string) (cache, url string) {
	t.Helper()
	nb := tool(t, "newsboat")
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "urls"), []byte(feedURL+"\n"), 0o644)
	os.WriteFile(filepath.Join(home, "config"), nil, 0o644)
	cache = filepath.Join(home, "cache.db")
	cmd := exec.Command(nb, "-u", filepath.Join(home, "urls"), "-c", cache, "-C", filepath.Join(home, "config"), "-x", "reload")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("newsboat -x reload: %v\n%s", err, out)
	}
	return cache, feedURL
}

// nbRow is a row of newsboat's rss_item table, as checkfeeds.py dumps it.
type nbRow struct {
	Title, Author, URL, GUID, Content string
	PubDate                           int64   `json:"pubDate"`
	EnclosureURL                      *string `json:"enclosure_url"`
}

// newsboatRead turns newsboat's cache into what it shows. Its cache
// (rss_item: title, author, url, pubDate, content, enclosure_url and
// enclosure_type) has no categories, summary, language, original link,
// author URL or email, nor an enclosure's length (see newsboatAuthors for
// its authors). It keeps no image enclosure: both parsers keep an
// enclosure (or media:content) only if utils::is_valid_podcast_type, which
// is audio/*, video/* or application/ogg (rust/libnewsboat/src/utils.rs).
func newsboatRead(t *testing.T, format string, rows []nbRow) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{name: "newsboat " + format, has: cAuthors | cDir | cPublished, authors: newsboatAuthors(format)}
	var seen []mdSeen
	for _, row := range rows {
		s := mdSeen{Title: row.Title, Authors: []mdAuthor{{Name: row.Author}}, Published: time.Unix(row.PubDate, 0)}
		if row.EnclosureURL != nil && *row.EnclosureURL != "" {
			t.Errorf("newsboat %s: %q has enclosure %q, which newsboat keeps for audio and video only", format, row.Title, *row.EnclosureURL)
		}
		s.withContent(t, row.Content)
		seen = append(seen, s)
	}
	return r, seen
}

// TestMarkdownMiniflux subscribes one Miniflux to the Markdown corpus's
// three feeds and checks every entry it stored, through its API.
func TestMarkdownMiniflux(t *testing.T) {
	bin := minifluxBin(t)
	pgBin := postgresBin(t)
	d, c := markdownDaemon(t)
	mf := startMiniflux(t, bin, startPostgres(t, pgBin))
	category := mf.category(t)
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			id := mf.subscribe(t, category, d.url+"/feed."+format)
			var r struct {
				Total   int
				Entries []mfEntry
			}
			mf.call(t, "GET", fmt.Sprintf("/v1/feeds/%d/entries?order=id&direction=asc&limit=1000", id), nil, &r)
			reader, seen := minifluxRead(t, format, r.Entries)
			checkEntries(t, d, reader, seen, c)
		})
	}
}

// mfEntry is what Miniflux's API gives of an entry (miniflux/v2 v2.3.5,
// internal/model/entry.go).
type mfEntry struct {
	Title, Author, Language, Content string
	Published                        time.Time `json:"published_at"`
	Tags                             []string
	Enclosures                       []struct {
		URL      string
		MimeType string `json:"mime_type"`
		Size     int64
	}
}

// minifluxRead turns Miniflux's entries into what it shows. An entry has
// one author string, no summary and no original link (internal/model/
// entry.go: Author, URL, which is the entry's page); Miniflux's sanitizer
// drops the content's div, dir and lang (it decides direction from the
// entry's language); images are enclosures, thumbnails among them
// (internal/reader/atom/atom_10_adapter.go, rss/adapter.go
// findEntryEnclosures), so there is no thumbnail of its own. Its language
// is lower case (internal/reader/language Normalize).
func minifluxRead(t *testing.T, format string, entries []mfEntry) (mdReader, []mdSeen) {
	t.Helper()
	r := mdReader{
		name:    "miniflux " + format,
		has:     cAuthors | cTerms | cMedia | cLength | cLang | cPublished,
		authors: minifluxAuthors(format),
		lang:    strings.ToLower,
	}
	var seen []mdSeen
	for _, e := range entries {
		s := mdSeen{Title: e.Title, Authors: []mdAuthor{{Name: e.Author}}, Terms: e.Tags, Lang: e.Language, Published: e.Published}
		for _, m := range e.Enclosures {
			s.Media = append(s.Media, mdMedia{URL: unproxy(t, m.URL), Type: m.MimeType, Length: m.Size})
		}
		s.withContent(t, e.Content)
		seen = append(seen, s)
	}
	return r, seen
}

// unproxy is the URL a Miniflux media proxy URL stands for. Its API gives
// an http:// enclosure through its proxy (api/entry_handlers.go,
// ProxifyEnclosureURL; MEDIA_PROXY_MODE is http-only by default) as
// /proxy/DIGEST/URL, URL in URL-safe base64 (internal/mediaproxy/url.go).
func unproxy(t *testing.T, u string) string {
	t.Helper()
	if !strings.Contains(u, "/proxy/") {
		return u
	}
	orig, err := base64.URLEncoding.DecodeString(u[strings.LastIndex(u, "/")+1:])
	if err != nil {
		t.Fatalf("Miniflux proxy URL %s: %v", u, err)
	}
	return string(orig)
}

// minifluxAuthors is the author string Miniflux makes of an entry's
// authors. Atom: the names sorted, without duplicates, joined by ", "
// (atom/atom_common.go personNames, atom_10_adapter.go). JSON Feed: the
// same, of the item's and the feed's authors together (json/adapter.go).
// RSS: dc:creator, read into one string field, so that of several the
// last is kept (rss/rss.go, dublincore/dublincore.go; encoding/xml
// overwrites a string field for each repeated element).
func minifluxAuthors(format string) func(mdArticle, []mdAuthor) []mdAuthor {
	return func(_ mdArticle, want []mdAuthor) []mdAuthor {
		var names []string
		for _, a := range want {
			names = append(names, a.Name)
		}
		switch format {
		case "rss":
			names = names[len(names)-1:]
		case "json":
			names = append(names, mdFeedAuthor)
		}
		return []mdAuthor{{Name: strings.Join(sortedSet(names), ", ")}}
	}
}
