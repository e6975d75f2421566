package feed

import (
	"bytes"
	"encoding/xml"
	"html"
	"strings"
	"testing"
	"time"

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
