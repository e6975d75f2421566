package feed

import (
	"bytes"
	"encoding/xml"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/feeds"
	"github.com/mmcdole/gofeed"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// markupTitles hold every character that HTML or XML treats specially,
// alone and together, a CDATA end, and text that reads as markup.
var markupTitles = []string{
	`الأهلي & الزمالك: "قمة" <نارية>`,
	`عنوان فيه <b>وسم</b> & "اقتباس" و 'مفرد'`,
	`نهاية ]]> و ]]]]> بعدها`,
	`<![CDATA[ليس CDATA]]>`,
	`حرفيًا &amp; و &#34; و &lt;`,
	`a < b > c`,
	`'مفرد' فقط`,
	`عنوان عربي بلا علامات`,
}

// minifluxText is how Miniflux (v2.3.5, internal/reader/atom) reads an
// Atom text construct.
type minifluxText struct {
	Type     string `xml:"type,attr"`
	CharData string `xml:",chardata"`
	InnerXML string `xml:",innerxml"`
}

// title is atom10Text.title(), for entry titles: HTML is unescaped only
// when it came in CDATA.
func (t minifluxText) title() string {
	if strings.Contains(t.InnerXML, "<![CDATA[") {
		return strings.TrimSpace(html.UnescapeString(t.CharData))
	}
	return strings.TrimSpace(t.CharData)
}

// body is atom10Text.body(), for the feed's title: never unescaped.
func (t minifluxText) body() string { return strings.TrimSpace(t.CharData) }

// minifluxAtom reads the feed's title and each entry's title the way
// Miniflux does.
func minifluxAtom(t *testing.T, doc []byte) (feedTitle string, titles []string) {
	t.Helper()
	var f struct {
		Title   minifluxText `xml:"title"`
		Entries []struct {
			Title minifluxText `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		titles = append(titles, e.Title.title())
	}
	return f.Title.body(), titles
}

func titledItems(titles []string) []storage.Item {
	var items []storage.Item
	for i, title := range titles {
		items = append(items, storage.Item{
			Key:       "t" + string(rune('a'+i)),
			Path:      "t" + string(rune('a'+i)) + ".txt",
			Article:   article.Article{Title: title, Paragraphs: []string{title}},
			Published: t0.Add(-time.Duration(i) * time.Hour),
			Updated:   t0.Add(-time.Duration(i) * time.Hour),
		})
	}
	return items
}

// TestAtomTitlesReachMiniflux: Miniflux shows every entry title exactly,
// and the feed's title too when the validator would not take it for
// markup (no representation carries "&amp;" or "</b>" to Miniflux's feed
// title without a ContainsUndeclaredHTML warning).
func TestAtomTitlesReachMiniflux(t *testing.T) {
	doc := renderAll(t, titledItems(markupTitles), testConfig)["atom"]
	_, got := minifluxAtom(t, doc)
	if len(got) != len(markupTitles) {
		t.Fatalf("%d entries, want %d", len(got), len(markupTitles))
	}
	for i, want := range markupTitles {
		if got[i] != want {
			t.Errorf("Miniflux shows entry title %q, want %q", got[i], want)
		}
	}
	for _, title := range []string{`الأهلي & الزمالك: "قمة" <نارية>`, `نهاية ]]> <بعدها>`, "أخبار سيدفيد"} {
		cfg := testConfig
		cfg.Title = title
		if got, _ := minifluxAtom(t, renderAll(t, nil, cfg)["atom"]); got != title {
			t.Errorf("Miniflux shows feed title %q, want %q", got, title)
		}
	}
}

// TestAtomTitlesReachGofeed: gofeed reports an HTML title as HTML; the
// text it renders to is the title exactly, as is a plain one.
func TestAtomTitlesReachGofeed(t *testing.T) {
	doc := renderAll(t, titledItems(markupTitles), testConfig)["atom"]
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var types struct {
		Entries []struct {
			Title minifluxText `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &types); err != nil {
		t.Fatal(err)
	}
	for i, want := range markupTitles {
		got := f.Items[i].Title
		if types.Entries[i].Title.Type == "html" {
			if strings.Contains(got, "<") {
				t.Errorf("HTML title %q holds markup: the text was not escaped", got)
			}
			got = html.UnescapeString(got)
		}
		if got != want {
			t.Errorf("gofeed shows %q (type %q), want %q", got, types.Entries[i].Title.Type, want)
		}
	}
}

// TestAtomCDATAWellFormed: characters that XML cannot carry, which
// encoding/xml replaces in character data but not in CDATA, are replaced
// in an HTML title too, so the document stays well-formed.
func TestAtomCDATAWellFormed(t *testing.T) {
	doc := renderAll(t, titledItems([]string{"a\x0b</b>\xff"}), testConfig)["atom"]
	_, got := minifluxAtom(t, doc)
	if want := "a\uFFFD</b>\uFFFD"; len(got) != 1 || got[0] != want {
		t.Errorf("title read back as %q, want %q", got, want)
	}
}

// TestRSSCreator: every RSS item names its author in dc:creator, the one
// the Atom entries and JSON items show (readers such as Miniflux show the
// feed's author for an entry without its own; gofeed leaves that to its
// caller), and gofeed and Miniflux (which reads Dublin Core's creator by
// its namespace) take it as the RSS item's own author.
func TestRSSCreator(t *testing.T) {
	cfg := testConfig
	cfg.Author = `غرفة الأخبار & "التحرير" <ليلًا>`
	out := renderAll(t, testItems(), cfg)
	for _, format := range []string{"rss", "atom", "json"} {
		f, err := gofeed.NewParser().Parse(bytes.NewReader(out[format]))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(f.Items) != len(testItems()) {
			t.Fatalf("%s: %d items", format, len(f.Items))
		}
		for _, it := range f.Items {
			shown := authorName(it.Author, it.Authors)
			if shown == "" && format != "rss" {
				shown = authorName(f.Author, f.Authors)
			}
			if shown != cfg.Author {
				t.Errorf("%s: gofeed reads author %q, want %q", format, shown, cfg.Author)
			}
		}
	}
	var rss struct {
		Items []struct {
			Creator []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(out["rss"], &rss); err != nil {
		t.Fatal(err)
	}
	for i, it := range rss.Items {
		if len(it.Creator) != 1 || it.Creator[0] != cfg.Author {
			t.Errorf("item %d: dc:creator %q, want one, %q", i, it.Creator, cfg.Author)
		}
	}
}

// authorName is the first name gofeed gives, as Author (RSS, Atom) or
// Authors (JSON Feed 1.1).
func authorName(author *gofeed.Person, authors []*gofeed.Person) string {
	if author != nil {
		return author.Name
	}
	if len(authors) > 0 {
		return authors[0].Name
	}
	return ""
}

// TestCreatorPrefersItemAuthor: an item's own authors come before the
// feed's, one dc:creator each, and no name gives no dc:creator.
func TestCreatorPrefersItemAuthor(t *testing.T) {
	site := &feeds.Author{Name: "غرفة الأخبار"}
	for _, tc := range []struct {
		name    string
		authors []article.Author
		feed    *feeds.Author
		want    []string
	}{
		{"own", []article.Author{{Name: "مراسل"}}, site, []string{"مراسل"}},
		{"several", []article.Author{{Name: "مراسل"}, {Name: "Jane <Doe>", Email: "j@example.com"}}, site, []string{"مراسل", "Jane <Doe>"}},
		{"no name", []article.Author{{Email: "x@example.com"}}, site, []string{"غرفة الأخبار"}},
		{"none", nil, site, []string{"غرفة الأخبار"}},
		{"feed without a name", nil, &feeds.Author{}, nil},
		{"no feed author", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEntry(storage.Item{Article: article.Article{Authors: tc.authors}}, testConfig)
			var got []string
			for _, c := range creators(&feeds.Feed{Author: tc.feed}, e) {
				got = append(got, html.UnescapeString(c.Inner))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("creators(%+v, %+v) = %q, want %q", tc.feed, tc.authors, got, tc.want)
			}
		})
	}
}
