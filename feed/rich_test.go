package feed

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// richItems are Markdown articles that carry every key of the front
// matter: an Arabic one with two authors, categories and tags, a local
// lead image and local links, and an English one with a remote image of
// unknown size and type, in another direction than the site. Newest first.
// Their paths end in .txt so that their URLs do not depend on which
// suffixes article.Is knows.
func richItems() []storage.Item {
	return []storage.Item{
		{
			Key:  "تقارير/مقال-غني",
			Path: "تقارير/مقال-غني.txt",
			Article: article.Article{
				Title: `الانتخابات: "نتائج" أولية & <تحليل>`,
				Paragraphs: []string{
					"أعلنت اللجنة النتائج الأولية.",
					"The turnout was 48%.",
				},
				Body: `<p>أعلنت <strong>اللجنة</strong> النتائج <a href="seedfeed:%D8%AA%D9%82%D8%A7%D8%B1%D9%8A%D8%B1/%D8%B3%D8%A7%D8%A8%D9%82.txt#results">الأولية</a>.</p>` +
					`<p dir="ltr">The turnout was 48%.</p>` +
					`<p><img src="seedfeed:%D8%B5%D9%88%D8%B1/%D8%AE%D8%B1%D9%8A%D8%B7%D8%A9%20(1).png" alt="خريطة"></p>` +
					`<pre><code>![خريطة](خريطة.png) src=&#34;seedfeed:x.png&#34; seedfeed:y.txt</code></pre>` +
					`<table><thead><tr><th>الحزب</th><th>المقاعد</th></tr></thead><tbody><tr><td>أ</td><td>٤٢</td></tr></tbody></table>`,
				Summary: `ملخص من الواجهة: "النتائج" & <الأرقام>`,
				Authors: []article.Author{
					{Name: "سارة أحمد", URL: "https://example.org/sara"},
					{Name: "Omar <Ali>", Email: "omar@example.org"},
				},
				Categories: []string{"سياسة", "انتخابات"},
				Tags:       []string{"انتخابات", "برلمان 2024", "a&b"},
				Image: &article.Image{
					Path: "صور/خريطة (1).png", Alt: `خريطة "الدوائر"`, Type: "image/png", Size: 48213,
				},
				Lang: "ar",
				Link: "https://original.example.org/2024/results?id=7&lang=ar",
			},
			Published: t0.Add(4 * time.Hour),
			Updated:   t0.Add(5 * time.Hour),
		},
		{
			Key:  "english",
			Path: "english.txt",
			Article: article.Article{
				Title:      "Election results",
				Paragraphs: []string{"The committee announced the results.", "قالت اللجنة إن النتائج أولية"},
				Body:       `<p>The committee announced the results.</p><p dir="rtl">قالت اللجنة إن النتائج أولية</p>`,
				Authors:    []article.Author{{Name: "Jane Doe"}},
				Tags:       []string{"elections"},
				Image:      &article.Image{URL: "https://cdn.example.net/photo?id=9&size=large", Alt: "A polling station"},
				Lang:       "en",
			},
			Published: t0.Add(3 * time.Hour),
			Updated:   t0.Add(3 * time.Hour),
		},
	}
}

// richImage is the URL of richItems()[0]'s lead image: its path
// percent-encoded per segment, parentheses included.
const richImage = "https://news.example.com/media/%D8%B5%D9%88%D8%B1/%D8%AE%D8%B1%D9%8A%D8%B7%D8%A9%20%281%29.png"

const remoteImage = "https://cdn.example.net/photo?id=9&size=large"

// TestRichGolden keeps the bytes of every document of rich articles, and
// of the English one's page, for review.
func TestRichGolden(t *testing.T) {
	items := append(richItems(), testItems()[1])
	for ext, body := range renderAll(t, items, testConfig) {
		golden(t, "rich."+ext, body)
	}
	page, err := articlePage(items[1], testConfig)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "rich.en.article.html", page)
}

// want reports got when it is not want.
func want(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

type atomPerson struct {
	Name  string `xml:"name"`
	URI   string `xml:"uri"`
	Email string `xml:"email"`
}

type atomCategoryEl struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr"`
	Label  string `xml:"label,attr"`
}

type atomTextEl struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLinkEl struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

// mediaEls are the Media RSS elements of an Atom entry or an RSS item.
type mediaEls struct {
	Thumbnails []struct {
		URL string `xml:"url,attr"`
	} `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	Contents []mediaContentEl `xml:"http://search.yahoo.com/mrss/ content"`
}

type mediaContentEl struct {
	URL      string `xml:"url,attr"`
	Type     string `xml:"type,attr"`
	Medium   string `xml:"medium,attr"`
	FileSize string `xml:"fileSize,attr"`
}

type atomRichEntry struct {
	Lang    string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Summary atomTextEl `xml:"summary"`
	// Content names its namespace, or media:content would fill it too.
	Content    atomTextEl       `xml:"http://www.w3.org/2005/Atom content"`
	Links      []atomLinkEl     `xml:"link"`
	Authors    []atomPerson     `xml:"author"`
	Categories []atomCategoryEl `xml:"category"`
	mediaEls
}

// TestAtomRich reads every row of the table from the Atom entries.
func TestAtomRich(t *testing.T) {
	var f struct {
		Entries []atomRichEntry `xml:"http://www.w3.org/2005/Atom entry"`
	}
	if err := xml.Unmarshal(renderAll(t, richItems(), testConfig)["atom"], &f); err != nil {
		t.Fatal(err)
	}
	ar, en := f.Entries[0], f.Entries[1]
	want(t, "authors", ar.Authors, []atomPerson{{Name: "سارة أحمد", URI: "https://example.org/sara"}, {Name: "Omar <Ali>", Email: "omar@example.org"}})
	cat, tag := "https://news.example.com/categories/", "https://news.example.com/tags/"
	want(t, "categories", ar.Categories, []atomCategoryEl{
		{"تقارير", "https://news.example.com/sections/", "تقارير"}, {"سياسة", cat, "سياسة"}, {"انتخابات", cat, "انتخابات"},
		{"انتخابات", tag, "انتخابات"}, {"برلمان 2024", tag, "برلمان 2024"}, {"a&b", tag, "a&b"},
	})
	want(t, "links", ar.Links[1:], []atomLinkEl{
		{Href: "https://original.example.org/2024/results?id=7&lang=ar", Rel: "related"},
		{Href: richImage, Rel: "enclosure", Type: "image/png", Length: "48213"},
	})
	want(t, "thumbnails", len(ar.Thumbnails), 0)
	want(t, "media:content", ar.Contents, []mediaContentEl{{richImage, "image/png", "image", "48213"}})
	want(t, "summary", ar.Summary, atomTextEl{Type: "text", Text: `ملخص من الواجهة: "النتائج" & <الأرقام>`})
	want(t, "xml:lang", [2]string{ar.Lang, en.Lang}, [2]string{"ar", "en"})
	want(t, "English content", strings.HasPrefix(en.Content.Text, `<div dir="ltr" lang="en"><p>`), true)
	// A remote image of unknown type and size: neither is guessed.
	want(t, "English links", en.Links[1:], []atomLinkEl{{Href: remoteImage, Rel: "enclosure"}})
	want(t, "English media:content", en.Contents, []mediaContentEl{{URL: remoteImage, Medium: "image"}})
	want(t, "English authors", en.Authors, []atomPerson{{Name: "Jane Doe"}})
}

type rssRichItem struct {
	Description string   `xml:"description"`
	Author      []string `xml:"author"`
	Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Language    []string `xml:"http://purl.org/dc/elements/1.1/ language"`
	Categories  []struct {
		Domain string `xml:"domain,attr"`
		Text   string `xml:",chardata"`
	} `xml:"category"`
	Enclosures []struct {
		URL    string `xml:"url,attr"`
		Length string `xml:"length,attr"`
		Type   string `xml:"type,attr"`
	} `xml:"enclosure"`
	AtomLinks []atomLinkEl `xml:"http://www.w3.org/2005/Atom link"`
	mediaEls
}

// TestRSSRich reads every row of the table from the RSS items.
func TestRSSRich(t *testing.T) {
	var f struct {
		Items []rssRichItem `xml:"channel>item"`
	}
	if err := xml.Unmarshal(renderAll(t, richItems(), testConfig)["rss"], &f); err != nil {
		t.Fatal(err)
	}
	ar, en := f.Items[0], f.Items[1]
	want(t, "dc:creator", ar.Creators, []string{"سارة أحمد", "Omar <Ali>"})
	want(t, "author", len(ar.Author), 0)
	want(t, "category count", len(ar.Categories), 6)
	want(t, "section", ar.Categories[0].Domain+" "+ar.Categories[0].Text, "https://news.example.com/sections/ تقارير")
	want(t, "category", ar.Categories[2].Domain+" "+ar.Categories[2].Text, "https://news.example.com/categories/ انتخابات")
	want(t, "tag", ar.Categories[5].Domain+" "+ar.Categories[5].Text, "https://news.example.com/tags/ a&b")
	want(t, "enclosure", len(ar.Enclosures) == 1 && ar.Enclosures[0].URL == richImage && ar.Enclosures[0].Length == "48213" && ar.Enclosures[0].Type == "image/png", true)
	want(t, "media:content", ar.Contents, []mediaContentEl{{richImage, "image/png", "image", "48213"}})
	want(t, "media:thumbnail", len(ar.Thumbnails), 0)
	want(t, "description", ar.Description, html.EscapeString(`ملخص من الواجهة: "النتائج" & <الأرقام>`))
	want(t, "related", ar.AtomLinks, []atomLinkEl{{Href: "https://original.example.org/2024/results?id=7&lang=ar", Rel: "related"}})
	// The channel says ar; only the English item says its own.
	want(t, "dc:language", [][]string{ar.Language, en.Language}, [][]string{nil, {"en"}})
	// No type, so no enclosure: RSS requires one.
	want(t, "English enclosures", len(en.Enclosures), 0)
	want(t, "English media:content", en.Contents, []mediaContentEl{{URL: remoteImage, Medium: "image"}})
}

// TestJSONRich reads every row of the table from the JSON Feed items.
func TestJSONRich(t *testing.T) {
	type author struct{ Name, URL string }
	var f struct {
		Items []struct {
			ExternalURL string `json:"external_url"`
			Summary     string
			Image       string
			Authors     []author
			Tags        []string
			Attachments []struct {
				URL      string
				MIMEType string `json:"mime_type"`
				Size     int64  `json:"size_in_bytes"`
			}
			Language string
		}
	}
	if err := json.Unmarshal(renderAll(t, richItems(), testConfig)["json"], &f); err != nil {
		t.Fatal(err)
	}
	ar, en := f.Items[0], f.Items[1]
	want(t, "authors", ar.Authors, []author{{"سارة أحمد", "https://example.org/sara"}, {"Omar <Ali>", "mailto:omar@example.org"}})
	want(t, "tags", ar.Tags, []string{"سياسة", "انتخابات", "برلمان 2024", "a&b"})
	want(t, "image", ar.Image, richImage)
	want(t, "attachments", len(ar.Attachments) == 1 && ar.Attachments[0].URL == richImage && ar.Attachments[0].MIMEType == "image/png" && ar.Attachments[0].Size == 48213, true)
	want(t, "summary", ar.Summary, `ملخص من الواجهة: "النتائج" & <الأرقام>`)
	want(t, "external_url", ar.ExternalURL, "https://original.example.org/2024/results?id=7&lang=ar")
	want(t, "language", [2]string{ar.Language, en.Language}, [2]string{"ar", "en"})
	want(t, "English image", en.Image, remoteImage)
	want(t, "English attachments", len(en.Attachments), 0)
}
