package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"
)

// Front-matter values the Markdown articles draw from.
var (
	mdAuthors = []string{"ليلى حسن", "عمر الفاروق", "سارة أحمد", "نور الهدى", "Karim Haddad", "هيئة التحرير"}
	mdSection = []string{"سياسة", "اقتصاد", "رياضة", "ثقافة", "تقنية", "صحة"}
	mdTags    = []string{"عاجل", "تقرير", "تحليل", "مقابلة", "القاهرة", "الرياض", "بيروت", "الطاقة", "الانتخابات", "كرة القدم"}
)

// leadImage is the PNG written beside every tenth Markdown article.
var leadImage = func() []byte {
	m := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for y := range 9 {
		for x := range 16 {
			m.Set(x, y, color.RGBA{uint8(16 * x), uint8(28 * y), 96, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return b.Bytes()
}()

// markdown returns the path and content of article i as Markdown: front
// matter (title, date, one or two authors with a URL, the categories cats
// or else one of six, tags, a summary, lang, and for every tenth an image
// written beside it), then the
// same paragraphs, the second starting with an emphasised word. Its
// front-matter choices come from a generator of their own, so that the
// titles and paragraphs are those of the plain-text corpus.
func markdown(out, dir, name string, i int, title string, paragraphs, cats []string, at time.Time) (string, string, error) {
	r := rand.New(rand.NewPCG(uint64(i), 0x6d61726b))
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\nauthors:\n", title, at.Format(time.RFC3339))
	for k := range 1 + r.IntN(2) {
		a := (i + k) % len(mdAuthors)
		fmt.Fprintf(&b, "  - name: %s\n    url: https://example.com/authors/%d\n", mdAuthors[a], a)
	}
	if one := mdSection[r.IntN(len(mdSection))]; cats == nil {
		cats = []string{one}
	}
	fmt.Fprintf(&b, "categories: [%s]\ntags: [%s, %s]\n", strings.Join(cats, ", "), mdTags[r.IntN(5)], mdTags[5+r.IntN(5)])
	fmt.Fprintf(&b, "summary: %q\nlang: ar\n", strings.SplitAfter(paragraphs[0], ".")[0])
	if i%10 == 0 {
		img := fmt.Sprintf("%06d.png", i)
		if err := write(filepath.Join(out, dir, img), string(leadImage), at); err != nil {
			return "", "", err
		}
		fmt.Fprintf(&b, "image: %s\nimage_alt: %q\n", img, "صورة "+title)
	}
	b.WriteString("---\n\n")
	for k, p := range paragraphs {
		if k == 1 {
			if first, rest, ok := strings.Cut(p, " "); ok {
				p = "**" + first + "** " + rest
			}
		}
		b.WriteString(p + "\n\n")
	}
	return filepath.Join(out, dir, name+".md"), b.String(), nil
}
