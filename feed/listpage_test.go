package feed

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// listItems are articles in Arabic folders, a page bundle among them,
// naming categories in two spellings of one term. Newest first.
func listItems() []storage.Item {
	return []storage.Item{
		{
			Key: "رياضة/كرة القدم/مباراة", Path: "رياضة/كرة القدم/مباراة.md",
			Article: article.Article{
				Title: "مباراة الأمس", Summary: "فاز الفريق",
				Categories: []string{"كرة القدم", "Sport", " sport ", ""},
			},
			Published: t0.Add(3 * time.Hour), Updated: t0.Add(3 * time.Hour),
		},
		{
			Key: "تقارير/ملف خاص", Path: "تقارير/ملف خاص/index.md",
			Article:   article.Article{Title: "ملف خاص", Paragraphs: []string{"فقرة"}},
			Published: t0.Add(2 * time.Hour), Updated: t0.Add(2 * time.Hour),
		},
		{
			Key: "english", Path: "english.txt",
			Article:   article.Article{Title: "In English", Paragraphs: []string{"Text."}, Lang: "en"},
			Published: t0.Add(time.Hour), Updated: t0.Add(time.Hour),
		},
	}
}

// parsePage parses page as a browser does and checks what every page
// must be: balanced tags, a language on <html>, one h1, each navigation
// landmark named and by a name of its own, no script and nothing loaded
// from elsewhere, every link absolute. It returns the document.
func parsePage(t *testing.T, page []byte) *html.Node {
	t.Helper()
	balanced(t, page)
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	var h1 int
	navs := map[string]bool{}
	for n := range doc.Descendants() {
		switch n.DataAtom {
		case atom.Html:
			if attr(n, "lang") == "" || attr(n, "dir") == "" {
				t.Errorf("<html> has no lang or dir")
			}
		case atom.H1:
			h1++
		case atom.Nav:
			label := attr(n, "aria-label")
			if label == "" || navs[label] {
				t.Errorf("nav landmark named %q, unnamed or twice", label)
			}
			navs[label] = true
		case atom.Script, atom.Img, atom.Iframe:
			t.Errorf("a list page holds <%s>", n.Data)
		case atom.Link:
			if rel := attr(n, "rel"); !slices.Contains([]string{"canonical", "prev", "next", "alternate"}, rel) {
				t.Errorf("<link rel=%q>", rel)
			}
		}
		if href := attr(n, "href"); n.Type == html.ElementNode && href != "" {
			if u, err := url.Parse(href); err != nil || !u.IsAbs() {
				t.Errorf("link %q is not absolute", href)
			}
		}
	}
	if h1 != 1 {
		t.Errorf("%d h1 elements, want 1", h1)
	}
	return doc
}

// balanced checks that every end tag closes the element last opened, as
// the HTML parser's recovery would otherwise hide.
func balanced(t *testing.T, page []byte) {
	t.Helper()
	void := map[atom.Atom]bool{atom.Meta: true, atom.Link: true, atom.Br: true, atom.Img: true, atom.Hr: true}
	var open []atom.Atom
	z := html.NewTokenizer(strings.NewReader(string(page)))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		switch {
		case tt == html.StartTagToken && !void[tok.DataAtom]:
			open = append(open, tok.DataAtom)
		case tt == html.EndTagToken:
			if len(open) == 0 || open[len(open)-1] != tok.DataAtom {
				t.Fatalf("</%s> closes %v", tok.Data, open)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		t.Errorf("unclosed %v", open)
	}
}

// links returns the hrefs of elem elements with rel (any rel for "*").
func links(doc *html.Node, elem atom.Atom, rel string) []string {
	var hrefs []string
	for n := range doc.Descendants() {
		if n.DataAtom == elem && (rel == "*" || attr(n, "rel") == rel) {
			hrefs = append(hrefs, attr(n, "href"))
		}
	}
	return hrefs
}

// find returns the text of every element with class, or of elem where
// class is "".
func find(doc *html.Node, elem atom.Atom, class string) []string {
	var texts []string
	for n := range doc.Descendants() {
		if n.DataAtom == elem && (class == "" || attr(n, "class") == class) {
			texts = append(texts, textOf(n))
		}
	}
	return texts
}

func renderList(t *testing.T, v listView) *html.Node {
	t.Helper()
	page, err := listPage(v, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	return parsePage(t, page)
}

var (
	footballSection  = storage.List{Kind: storage.Section, Name: "رياضة/كرة القدم"}
	footballCategory = storage.List{Kind: storage.Category, Name: storage.Term("كرة القدم")}
)

// TestListHeading: the heading once, and the description under it only
// when it says something else.
func TestListHeading(t *testing.T) {
	for _, tc := range []struct {
		name        string
		v           listView
		h1, title   string
		description []string
	}{
		{"main", listView{Title: testConfig.Title, Description: testConfig.Description},
			testConfig.Title, testConfig.Title, []string{testConfig.Description}},
		{"main described by its title", listView{Title: testConfig.Title, Description: testConfig.Title},
			testConfig.Title, testConfig.Title, nil},
		{"section labelled", listView{List: footballSection, Title: "أخبار سيدفيد — كرة القدم", Label: "كرة القدم", Description: "كرة القدم"},
			"القسم: كرة القدم", "أخبار سيدفيد — كرة القدم", nil},
		{"category labelled", listView{List: footballCategory, Title: "أخبار سيدفيد — كرة القدم", Label: "كرة القدم", Description: "أخبار الملاعب"},
			"التصنيف: كرة القدم", "أخبار سيدفيد — كرة القدم", []string{"أخبار الملاعب"}},
		{"section titled by _index.md", listView{List: footballSection, Title: "كرة القدم", Description: "أخبار الملاعب"},
			"كرة القدم", "كرة القدم", []string{"أخبار الملاعب"}},
		{"description that repeats the title", listView{List: footballSection, Title: "رياضة/كرة القدم", Description: " رياضة/كرة القدم"},
			"رياضة/كرة القدم", "رياضة/كرة القدم", nil},
		{"category without description", listView{List: footballCategory, Title: "كرة القدم"},
			"كرة القدم", "كرة القدم", nil},
		{"section with the site's description", listView{List: footballSection, Title: "أخبار سيدفيد — كرة القدم", Label: "كرة القدم", Description: testConfig.Description},
			"القسم: كرة القدم", "أخبار سيدفيد — كرة القدم", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.v.Items, tc.v.N, tc.v.Pages, tc.v.Count = listItems(), 1, 1, 3
			doc := renderList(t, tc.v)
			want(t, "h1", find(doc, atom.H1, ""), []string{tc.h1})
			want(t, "title", find(doc, atom.Title, ""), []string{tc.title})
			want(t, "description", find(doc, atom.P, "description"), tc.description)
			// The site's title once on the page: in the header, as the
			// heading on the main list's page, as a link home on others.
			if body := find(doc, atom.Body, "")[0]; strings.Count(body, testConfig.Title) != 1 {
				t.Errorf("the site's title is %d times on the page, want once:\n%s", strings.Count(body, testConfig.Title), body)
			}
		})
	}
}

// TestListPaging: the first, a middle and the last page of three link,
// in the head and visibly, to the pages around them, page 1 by the
// list's own URL, and name themselves as page N of 3 (in the title from
// page 2 on: page 1 is titled as the list).
func TestListPaging(t *testing.T) {
	base := testConfig.BaseURL
	sec := base + "/sections/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85/"
	for _, tc := range []struct {
		n, pages             int
		canonical            string
		prev, next           []string
		pageOf, title, label string
	}{
		{1, 3, sec, nil, []string{sec + "page/2/"}, "الصفحة ١ من ٣", "كرة القدم", "الأقدم"},
		{2, 3, sec + "page/2/", []string{sec}, []string{sec + "page/3/"}, "الصفحة ٢ من ٣", "كرة القدم · الصفحة ٢ من ٣", "الأحدث"},
		{3, 3, sec + "page/3/", []string{sec + "page/2/"}, nil, "الصفحة ٣ من ٣", "كرة القدم · الصفحة ٣ من ٣", "الأحدث"},
		{1, 1, sec, nil, nil, "", "كرة القدم", ""},
	} {
		t.Run(fmt.Sprintf("%d of %d", tc.n, tc.pages), func(t *testing.T) {
			doc := renderList(t, listView{List: footballSection, Title: "كرة القدم", Items: listItems()[:1], N: tc.n, Pages: tc.pages, Count: 7})
			want(t, "canonical", links(doc, atom.Link, "canonical"), []string{tc.canonical})
			want(t, "head prev", links(doc, atom.Link, "prev"), tc.prev)
			want(t, "head next", links(doc, atom.Link, "next"), tc.next)
			want(t, "visible prev", links(doc, atom.A, "prev"), tc.prev)
			want(t, "visible next", links(doc, atom.A, "next"), tc.next)
			want(t, "title", find(doc, atom.Title, ""), []string{tc.title})
			var nav []string
			if tc.pageOf != "" {
				nav = []string{tc.pageOf}
			}
			want(t, "page of", find(doc, atom.Span, ""), nav)
			if pages := find(doc, atom.Nav, "pages"); tc.label != "" && (len(pages) != 1 || !strings.Contains(pages[0], tc.label)) {
				t.Errorf("pages nav %q does not say %q", pages, tc.label)
			}
		})
	}
}

// TestListWalk follows rel="next" from the first page of the main list,
// as a crawler does, and finds every article once.
func TestListWalk(t *testing.T) {
	cfg := testConfig
	cfg.Limit = 3
	var all []storage.Item
	for i := range 8 {
		all = append(all, storage.Item{
			Key: fmt.Sprintf("مقال-%d", i), Path: fmt.Sprintf("قسم/مقال-%d.txt", i),
			Article:   article.Article{Title: fmt.Sprintf("مقال %d", i)},
			Published: t0.Add(-time.Duration(i) * time.Hour), Updated: t0,
		})
	}
	pages := (len(all) + cfg.Limit - 1) / cfg.Limit
	byURL := map[string]int{}
	for n := 1; n <= pages; n++ {
		byURL[ListPageURL(cfg.BaseURL, storage.List{}, n)] = n
	}
	seen := map[string]int{}
	next, visited := cfg.BaseURL+"/", 0
	for next != "" && visited <= pages {
		n, ok := byURL[next]
		if !ok {
			t.Fatalf("next link %q is no page of the list", next)
		}
		visited++
		page, err := listPage(listView{Title: cfg.Title, Items: all[(n-1)*cfg.Limit : min(n*cfg.Limit, len(all))], N: n, Pages: pages, Count: len(all)}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		doc := parsePage(t, page)
		for n := range doc.Descendants() {
			if n.DataAtom == atom.A && n.Parent.DataAtom == atom.H2 {
				seen[attr(n, "href")]++
			}
		}
		next = strings.Join(links(doc, atom.Link, "next"), " ")
	}
	for _, it := range all {
		if u := ArticleURL(cfg.BaseURL, it); seen[u] != 1 {
			t.Errorf("%s seen %d times following next", u, seen[u])
		}
	}
	want(t, "pages visited", visited, pages)
}

// TestListAutodiscovery: a section's and a category's page announce
// their own feeds, titled in the list's terms, and link to them.
func TestListAutodiscovery(t *testing.T) {
	base := testConfig.BaseURL
	for _, tc := range []struct {
		v      listView
		prefix string
		title  string
	}{
		{listView{Title: testConfig.Title}, base + "/", testConfig.Title},
		{listView{List: footballSection, Title: "كرة القدم"}, base + "/sections/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85/", "كرة القدم"},
		{listView{List: footballCategory, Title: "كرة القدم"}, base + "/categories/%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85/", "كرة القدم"},
	} {
		t.Run(tc.v.List.Kind.String(), func(t *testing.T) {
			tc.v.N, tc.v.Pages = 2, 2
			doc := renderList(t, tc.v)
			var got []string
			for n := range doc.Descendants() {
				if n.DataAtom == atom.Link && attr(n, "rel") == "alternate" {
					got = append(got, attr(n, "type")+" "+attr(n, "href")+" "+attr(n, "title"))
				}
			}
			want(t, "alternate links", got, []string{
				"application/atom+xml " + tc.prefix + "feed.atom " + tc.title + " (Atom)",
				"application/rss+xml " + tc.prefix + "feed.rss " + tc.title + " (RSS)",
				"application/feed+json " + tc.prefix + "feed.json " + tc.title + " (JSON Feed)",
			})
			all := links(doc, atom.A, "*")
			want(t, "feed links", all[len(all)-3:], []string{tc.prefix + "feed.atom", tc.prefix + "feed.rss", tc.prefix + "feed.json"})
			want(t, "canonical", links(doc, atom.Link, "canonical"), []string{tc.prefix + "page/2/"})
		})
	}
}

// linksIn returns the text and href of the links in each element
// of class.
func linksIn(doc *html.Node, class string) [][]string {
	var out [][]string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || attr(n, "class") != class {
			continue
		}
		var l []string
		for a := range n.Descendants() {
			if a.DataAtom == atom.A {
				l = append(l, textOf(a)+" "+attr(a, "href"))
			}
		}
		out = append(out, l)
	}
	return out
}

// TestSectionAndCategoryLinks: each article on a list's page, and an
// article's own page, links to the folders above it and to its
// categories: Arabic names as written in the text, percent-encoded in
// the links, one link per term, a page bundle's own folder no section.
func TestSectionAndCategoryLinks(t *testing.T) {
	const (
		base     = "https://news.example.com"
		sports   = base + "/sections/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/"
		football = sports + "%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85/"
		reports  = base + "/sections/%D8%AA%D9%82%D8%A7%D8%B1%D9%8A%D8%B1/"
		catFoot  = base + "/categories/%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85/"
		catSport = base + "/categories/sport/"
	)
	page, err := listPage(listView{Title: testConfig.Title, Items: listItems(), N: 1, Pages: 1, Count: 3}, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, page)
	want(t, "sections", linksIn(doc, "sections"), [][]string{
		{"رياضة " + sports, "كرة القدم " + football},
		{"تقارير " + reports},
	})
	want(t, "categories", linksIn(doc, "categories"), [][]string{{"كرة القدم " + catFoot, "Sport " + catSport}})
	want(t, "section text", find(doc, atom.P, "sections")[0], "رياضة / كرة القدم")
	want(t, "category text", find(doc, atom.P, "categories"), []string{"كرة القدم، Sport"})
	if !strings.Contains(string(page), `">كرة القدم</a>`) {
		t.Error("the Arabic name is not in the page as written")
	}

	names := func(l storage.List) string {
		if l == (storage.List{Kind: storage.Section, Name: "رياضة"}) {
			return "الرياضة"
		}
		return ""
	}
	page, err = namedArticlePage(listItems()[0], testConfig, names)
	if err != nil {
		t.Fatal(err)
	}
	h := readHead(t, page)
	want(t, "article sections", linksIn(h.doc, "sections"), [][]string{{"الرياضة " + sports, "كرة القدم " + football}})
	want(t, "article categories", linksIn(h.doc, "categories"), [][]string{{"كرة القدم " + catFoot, "Sport " + catSport}})
	var label string
	for n := range h.doc.Descendants() {
		if n.DataAtom == atom.Nav && attr(n, "class") == "sections" {
			label = attr(n, "aria-label")
		}
	}
	want(t, "breadcrumb label", label, "الأقسام")
	for _, p := range []string{"english.txt", "a.md", "x/index.md"} {
		if l := sectionLinks(base, p, nil); l != nil {
			t.Errorf("sectionLinks(%q) = %v, want none", p, l)
		}
	}
}

// TestListLanguage: an English section of an Arabic site is an English
// page, left to right, whose header names the site in Arabic; an article
// in another language is marked with its own, one without a language of
// its own is in the section's.
func TestListLanguage(t *testing.T) {
	items := listItems()
	items[0].Lang = "ar"
	items[2].Lang = ""
	page, err := listPage(listView{List: storage.List{Kind: storage.Section, Name: "english"}, Title: "English desk",
		Lang: language.English, Items: items, N: 1, Pages: 2, Count: 4}, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	h := readHead(t, page)
	parsePage(t, page)
	want(t, "html lang dir", h.lang+" "+h.dir, "en ltr")
	var marks, navs []string
	for n := range h.doc.Descendants() {
		switch n.DataAtom {
		case atom.Article, atom.Header:
			marks = append(marks, n.Data+" "+attr(n, "lang")+" "+attr(n, "dir"))
		case atom.Nav:
			navs = append(navs, attr(n, "aria-label"))
		}
	}
	want(t, "marks", marks, []string{"header ar rtl", "article ar rtl", "article  ", "article  "})
	want(t, "nav labels", navs, []string{"Pages", "الخلاصات"})
	want(t, "page of", find(h.doc, atom.Span, ""), []string{"Page 1 of 2"})

	// The Arabic site's own index marks the English article.
	doc := renderList(t, listView{Title: testConfig.Title, Items: listItems(), N: 1, Pages: 1})
	var en []string
	for n := range doc.Descendants() {
		if n.DataAtom == atom.Article && attr(n, "lang") != "" {
			en = append(en, attr(n, "lang")+" "+attr(n, "dir")+" "+find(n, atom.H2, "")[0])
		}
	}
	want(t, "marked articles", en, []string{"en ltr In English"})
}
