package storage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// records are records with every field, and every kind of text, that
// marshalRecord must write as json.Marshal does.
func records() []record {
	t := time.Date(2026, 12, 3, 9, 30, 0, 123456789, time.FixedZone("", 3*3600))
	texts := []string{
		"", "عاجل: \"قمة\" <الأهلي> & 'الزمالك'", "كَتَبَ كتـــب ٢٠٢٤ ۱۲", "line\nbreak\ttab\r\b\f\x00\x1f\x7f",
		"\u2028\u2029 \u200f\u200e\u200c\u200d", "bad \xff\xfe utf-8 \xd8", "emoji 📰 and 中文", `back\slash "quote"`,
		"<script>alert(1)</script>", "\xc2", "\xe2\x80", "\xc0\xaf over-long", "\xed\xa0\x80 surrogate",
	}
	var rs []record
	for i, s := range texts {
		r := record{Path: "أخبار/" + s + ".md", Title: s, Paragraphs: []string{s, "فقرة"}, Published: t, Updated: t.Add(time.Millisecond)}
		switch i % 3 {
		case 0:
			r.Paragraphs = nil
		case 1:
			r.Paragraphs = []string{}
			r.Body, r.Summary, r.Lang, r.Link, r.Draft, r.Date = "<p>"+s+"</p>", s, "ar-EG", "https://example.com/"+s, true, t.UTC()
			r.Authors = []author{{Name: s}, {Name: "ليلى", URL: "https://x/" + s, Email: s + "@x"}}
			r.Categories, r.Tags, r.Unknown = []string{s, "رياضة"}, []string{s}, []string{"layout"}
			r.Image = &image{Path: "صور/" + s + ".png", Alt: s, Type: "image/png", Size: 1234}
		case 2:
			r.Image, r.MissingImage = &image{}, s
			r.Authors = []author{}
			r.Categories = []string{}
		}
		rs = append(rs, r)
	}
	return append(rs, record{}, record{Image: &image{URL: "https://example.org/p?id=1&x=<>"}})
}

func TestMarshalRecord(t *testing.T) {
	for _, r := range records() {
		checkMarshal(t, r)
	}
}

func checkMarshal(t *testing.T, r record) {
	t.Helper()
	want, werr := json.Marshal(r)
	got, err := marshalRecord(&r)
	if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
		t.Errorf("marshalRecord(%+v) =\n%s, %v\nwant\n%s, %v", r, got, err, want, werr)
	}
}

func FuzzMarshalRecord(f *testing.F) {
	for _, s := range []string{"عاجل", "<&>", "\u2028", "\xff", "a\x00b", `"\`} {
		f.Add(s, s, int64(len(s)), false)
	}
	f.Fuzz(func(t *testing.T, a, b string, n int64, flag bool) {
		r := record{Path: a, Title: b, Paragraphs: strings.Split(a, "\n"), Body: b, Summary: a, Lang: b, Link: a, Draft: flag,
			Published: time.Unix(n, n), Updated: time.Unix(0, n), Categories: []string{a, b}, Unknown: []string{b}}
		if flag {
			r.Image = &image{Path: a, URL: b, Alt: a, Type: b, Size: n}
			r.Authors = []author{{Name: a, URL: b, Email: a}}
			r.Date = time.Unix(n, 0).In(time.FixedZone("", int(n%50000)))
		}
		checkMarshal(t, r)
	})
}

func BenchmarkMarshalRecord(b *testing.B) {
	para := strings.Repeat("افتتح وزير الثقافة اليوم الدورة الخامسة والخمسين من معرض القاهرة الدولي للكتاب. ", 4)
	r := record{Path: "000/000001.md", Title: "خبر رقم ١", Paragraphs: []string{para, para, para, para, para, para},
		Body: strings.Repeat("<p>"+para+"</p>\n", 6), Summary: para[:100], Published: time.Now(), Updated: time.Now()}
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(r)
		}
	})
	b.Run("marshalRecord", func(b *testing.B) {
		for b.Loop() {
			marshalRecord(&r)
		}
	})
}
