package feed

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/seedfeed/seedfeed/storage"
)

// pageHead is what a page says of itself: its meta properties and names
// (several values for a property in order), its JSON-LD and <html>'s
// attributes.
type pageHead struct {
	lang, dir string
	meta      map[string][]string
	jsonLD    string
	doc       *html.Node
}

func readHead(t *testing.T, page []byte) pageHead {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	h := pageHead{meta: map[string][]string{}, doc: doc}
	for n := range doc.Descendants() {
		switch n.DataAtom {
		case atom.Html:
			h.lang, h.dir = attr(n, "lang"), attr(n, "dir")
		case atom.Meta:
			if key := attr(n, "property") + attr(n, "name"); key != "" {
				h.meta[key] = append(h.meta[key], attr(n, "content"))
			}
		case atom.Script:
			if attr(n, "type") == "application/ld+json" && n.FirstChild != nil {
				h.jsonLD = n.FirstChild.Data
			}
		}
	}
	return h
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestArticlePageMeta reads the Open Graph properties, the description
// and the JSON-LD of a rich article's page as a parser does.
func TestArticlePageMeta(t *testing.T) {
	it := richItems()[0]
	page, err := articlePage(it, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	h := readHead(t, page)
	url := ArticleURL(testConfig.BaseURL, it)
	for key, values := range map[string][]string{
		"description":            {it.Summary},
		"og:type":                {"article"},
		"og:title":               {it.Title},
		"og:description":         {it.Summary},
		"og:url":                 {url},
		"og:site_name":           {testConfig.Title},
		"og:locale":              {"ar_AR"},
		"og:image":               {richImage},
		"og:image:alt":           {`خريطة "الدوائر"`},
		"article:published_time": {"2024-02-10T12:30:00Z"},
		"article:modified_time":  {"2024-02-10T13:30:00Z"},
		"article:author":         {"https://example.org/sara", "Omar <Ali>"},
		"article:section":        {"سياسة"},
		"article:tag":            {"سياسة", "انتخابات", "برلمان 2024", "a&b"},
	} {
		want(t, key, h.meta[key], values)
	}
	want(t, "html lang dir", h.lang+" "+h.dir, "ar rtl")
	var ld struct {
		Context                     string `json:"@context"`
		Type                        string `json:"@type"`
		Headline, Description, URL  string
		DatePublished, DateModified string
		InLanguage                  string
		Image, Keywords             []string
		Author                      []struct{ Type, Name, URL string }
		MainEntityOfPage            struct {
			ID string `json:"@id"`
		}
	}
	if err := json.Unmarshal([]byte(h.jsonLD), &ld); err != nil {
		t.Fatalf("JSON-LD %q: %v", h.jsonLD, err)
	}
	want(t, "type", ld.Context+" "+ld.Type, "https://schema.org NewsArticle")
	want(t, "headline", ld.Headline, it.Title)
	want(t, "description", ld.Description, it.Summary)
	want(t, "keywords", ld.Keywords, []string{"سياسة", "انتخابات", "برلمان 2024", "a&b"})
	want(t, "dates", ld.DatePublished+" "+ld.DateModified, "2024-02-10T12:30:00Z 2024-02-10T13:30:00Z")
	want(t, "inLanguage", ld.InLanguage, "ar")
	want(t, "image", ld.Image, []string{richImage})
	want(t, "mainEntityOfPage", ld.MainEntityOfPage.ID, url)
	want(t, "author names", []string{ld.Author[0].Name, ld.Author[1].Name}, []string{"سارة أحمد", "Omar <Ali>"})
	want(t, "author URL", ld.Author[0].URL, "https://example.org/sara")
}

// TestArticlePageBody: the section, byline, lead image, body with its
// local references resolved, categories linked to their pages, tags and
// the original, as a browser reads them.
func TestArticlePageBody(t *testing.T) {
	page, err := articlePage(richItems()[0], testConfig)
	if err != nil {
		t.Fatal(err)
	}
	h := readHead(t, page)
	var links, images, byline, terms []string
	for n := range h.doc.Descendants() {
		switch {
		case n.DataAtom == atom.A:
			links = append(links, attr(n, "href"))
		case n.DataAtom == atom.Img:
			images = append(images, attr(n, "src")+" "+attr(n, "alt"))
		case n.DataAtom == atom.P && attr(n, "class") == "byline":
			byline = append(byline, textOf(n))
		case n.DataAtom == atom.P && (attr(n, "class") == "categories" || attr(n, "class") == "tags"):
			terms = append(terms, textOf(n))
		}
	}
	want(t, "byline", byline, []string{"سارة أحمد، Omar <Ali>"})
	want(t, "terms", terms, []string{"التصنيفات: سياسة، انتخابات", "الوسوم: انتخابات، برلمان 2024، a&b"})
	want(t, "images", images, []string{
		richImage + ` خريطة "الدوائر"`,
		"https://news.example.com/media/%D8%B5%D9%88%D8%B1/%D8%AE%D8%B1%D9%8A%D8%B7%D8%A9%20%281%29.png خريطة",
	})
	links = links[:len(links)-3] // the footer's, to the feeds
	want(t, "links", links[len(links)-6:], []string{
		"https://news.example.com/sections/%D8%AA%D9%82%D8%A7%D8%B1%D9%8A%D8%B1/",
		"https://example.org/sara",
		"https://news.example.com/articles/%D8%AA%D9%82%D8%A7%D8%B1%D9%8A%D8%B1/%D8%B3%D8%A7%D8%A8%D9%82#results",
		"https://news.example.com/categories/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9/",
		"https://news.example.com/categories/%D8%A7%D9%86%D8%AA%D8%AE%D8%A7%D8%A8%D8%A7%D8%AA/",
		"https://original.example.org/2024/results?id=7&lang=ar",
	})
	if strings.Contains(string(page), "seedfeed:%") {
		t.Error("a local reference is left in the page")
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// TestJSONLDScriptSafe: a title that closes the script element stays in
// the JSON-LD, where it decodes to the title exactly.
func TestJSONLDScriptSafe(t *testing.T) {
	it := richItems()[1]
	it.Title = `</script><script>alert(1)</script> & <!-- "x"`
	page, err := articlePage(it, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	h := readHead(t, page)
	var ld struct{ Headline string }
	if err := json.Unmarshal([]byte(h.jsonLD), &ld); err != nil || ld.Headline != it.Title {
		t.Errorf("JSON-LD %q gives headline %q (%v), want %q", h.jsonLD, ld.Headline, err, it.Title)
	}
	if n := strings.Count(string(page), "<script"); n != 1 {
		t.Errorf("the page has %d script elements, want 1", n)
	}
}

// TestPagesInArticleLanguage: an English article's page is English and
// left to right, says so in Content-Language, and the index marks its
// entry with its language.
func TestPagesInArticleLanguage(t *testing.T) {
	en := richItems()[1]
	en.File = storage.File{Size: 1, ModTime: en.Updated, Hash: "en"}
	store, srv := serve(t, []storage.Item{en})
	if stored, err := store.Article("english"); err != nil || stored.Lang != "en" {
		t.Skipf("the store does not keep an article's language yet (%q, %v)", stored.Lang, err)
	}
	resp, page := do(t, http.MethodGet, srv.URL+"/articles/english", nil)
	h := readHead(t, page)
	want(t, "html lang dir", h.lang+" "+h.dir, "en ltr")
	want(t, "Content-Language", resp.Header.Get("Content-Language"), "en")
	want(t, "og:locale", h.meta["og:locale"], []string{"en_US"})
	if !strings.Contains(string(page), `<header lang="ar" dir="rtl">`) {
		t.Error("the header that names the Arabic site is not marked Arabic")
	}
	_, index := do(t, http.MethodGet, srv.URL+"/", nil)
	if !strings.Contains(string(index), `<article lang="en" dir="ltr">`) {
		t.Errorf("the index does not mark the English article:\n%s", index)
	}
}

func TestOGLocale(t *testing.T) {
	for lang, want := range map[string]string{"ar": "ar_AR", "ar-EG": "ar_EG", "ar-MA": "ar_MA", "en": "en_US", "fa": "fa_IR", "en-GB": "en_GB"} {
		if got := ogLocale(lang); got != want {
			t.Errorf("ogLocale(%q) = %q, want %q", lang, got, want)
		}
	}
}
