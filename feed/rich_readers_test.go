package feed

import (
	"bytes"
	"html"
	"testing"

	"github.com/mmcdole/gofeed"
	gofeedjson "github.com/mmcdole/gofeed/json"
)

// gofeedItems parses a document with gofeed's universal parser.
func gofeedItems(t *testing.T, doc []byte) []*gofeed.Item {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return f.Items
}

func names(people []*gofeed.Person) []string {
	var n []string
	for _, p := range people {
		n = append(n, p.Name)
	}
	return n
}

func enclosures(encs []*gofeed.Enclosure) []gofeed.Enclosure {
	var e []gofeed.Enclosure
	for _, enc := range encs {
		e = append(e, *enc)
	}
	return e
}

// TestGofeedRich: gofeed sees each item's authors, categories and tags,
// lead image (as an enclosure, and as the item's image where its
// translator looks for one), summary and, where it parses one, language.
func TestGofeedRich(t *testing.T) {
	out := renderAll(t, richItems(), testConfig)
	summary := `ملخص من الواجهة: "النتائج" & <الأرقام>`
	image := gofeed.Enclosure{URL: richImage, Length: "48213", Type: "image/png"}

	atom := gofeedItems(t, out["atom"])
	want(t, "Atom authors", names(atom[0].Authors), []string{"سارة أحمد", "Omar <Ali>"})
	want(t, "Atom author e-mail", atom[0].Authors[1].Email, "omar@example.org")
	want(t, "Atom categories", atom[0].Categories, []string{"تقارير", "سياسة", "انتخابات", "انتخابات", "برلمان 2024", "a&b"})
	want(t, "Atom enclosures", enclosures(atom[0].Enclosures), []gofeed.Enclosure{image})
	want(t, "Atom media:content", atom[0].Extensions["media"]["content"][0].Attrs["url"], richImage)
	// No thumbnail: Miniflux would take it for the image and lose the
	// enclosure's type and length (see mediaElems).
	want(t, "Atom thumbnails", len(atom[0].Extensions["media"]["thumbnail"]), 0)
	want(t, "Atom summary", atom[0].Description, summary)
	want(t, "Atom English enclosure", enclosures(atom[1].Enclosures), []gofeed.Enclosure{{URL: remoteImage}})

	rss := gofeedItems(t, out["rss"])
	want(t, "RSS dc:creator", rss[0].DublinCoreExt.Creator, []string{"سارة أحمد", "Omar <Ali>"})
	want(t, "RSS author", rss[0].Author.Name, "سارة أحمد")
	want(t, "RSS categories", rss[0].Categories, []string{"تقارير", "سياسة", "انتخابات", "انتخابات", "برلمان 2024", "a&b"})
	want(t, "RSS enclosures", enclosures(rss[0].Enclosures), []gofeed.Enclosure{image})
	want(t, "RSS image", rss[0].Image.URL, richImage)
	want(t, "RSS summary", html.UnescapeString(rss[0].Description), summary)
	want(t, "RSS English language", rss[1].DublinCoreExt.Language, []string{"en"})
	want(t, "RSS English image", rss[1].Image.URL, remoteImage)

	js := gofeedItems(t, out["json"])
	want(t, "JSON categories", js[0].Categories, []string{"سياسة", "انتخابات", "برلمان 2024", "a&b"})
	want(t, "JSON enclosures", enclosures(js[0].Enclosures), []gofeed.Enclosure{image})
	want(t, "JSON image", js[0].Image.URL, richImage)
	want(t, "JSON summary", js[0].Description, summary)
	want(t, "JSON links", js[0].Links[1], "https://original.example.org/2024/results?id=7&lang=ar")
	// The universal item has neither a language nor an author's URL:
	// gofeed's JSON parser has both.
	raw, err := (&gofeedjson.Parser{}).Parse(bytes.NewReader(out["json"]))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "JSON languages", []string{raw.Items[0].Language, raw.Items[1].Language}, []string{"ar", "en"})
	want(t, "JSON author", *raw.Items[0].Authors[0], gofeedjson.Author{Name: "سارة أحمد", URL: "https://example.org/sara"})
	want(t, "JSON second author", raw.Items[0].Authors[1].Name, "Omar <Ali>")
}
