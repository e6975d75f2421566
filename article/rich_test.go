package article

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/text/language"
)

// TestParseRichFile reads a Markdown article with every key, from a file.
func TestParseRichFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "rich.md"))
	if err != nil {
		t.Fatal(err)
	}
	loc := riyadh(t)
	a, err := Parse("desk/2026/rich.md", data, Options{Location: loc, Now: fixedNow, Lang: language.Arabic})
	if err != nil {
		t.Fatal(err)
	}
	want := Article{
		Title:   "الرياض: وزراء الطاقة يبحثون أسعار النفط",
		Summary: "يبحث الاجتماع مستويات الإنتاج وأسعار النفط.",
		Authors: []Author{
			{Name: "سارة أحمد", URL: "https://example.com/sara", Email: "sara@example.com"},
			{Name: "Omar Khaled"},
		},
		Categories: []string{"اقتصاد", "طاقة"},
		Tags:       []string{"طاقة"},
		Image:      &Image{Path: "desk/2026/صور/اجتماع.jpg", Alt: "الوزراء حول الطاولة", Type: "image/jpeg"},
		Lang:       "ar",
		Date:       time.Date(2026, 12, 1, 9, 30, 0, 0, loc),
		Link:       "https://example.com/news/1",
		Unknown:    []string{"layout"},
		Paragraphs: []string{
			"قالت الوزارة في بيان إن الاجتماع سيعقد غدا، وإن كلمة الوزير ستنشر لاحقا.",
			"خفض الإنتاج", "مراجعة الحصص", "Reuters reported the meeting.",
			"«نريد استقرار الأسواق» — قال الوزير.",
			"الدولة | الإنتاج", "السعودية | ٩٫٥",
			"انظر الخبر السابق وhttps://example.com/live.",
			"brent: 82.4",
		},
		Body: `<p>قالت <strong>الوزارة</strong> في بيان إن الاجتماع سيعقد <em>غدا</em>، وإن كل<strong>مة</strong> الوزير ستنشر لاحقا.</p>
<ul>
<li>خفض الإنتاج</li>
<li>مراجعة الحصص</li>
<li dir="ltr">Reuters reported the meeting.</li>
</ul>
<blockquote>
<p>«نريد استقرار الأسواق» — قال الوزير.</p>
</blockquote>
<table>
<thead>
<tr>
<th>الدولة</th>
<th align="right">الإنتاج</th>
</tr>
</thead>
<tbody>
<tr>
<td>السعودية</td>
<td align="right">٩٫٥</td>
</tr>
</tbody>
</table>
<p><img src="seedfeed:desk/2026/%D8%B5%D9%88%D8%B1/%D8%A7%D8%AC%D8%AA%D9%85%D8%A7%D8%B9.jpg" alt="الاجتماع"> انظر <a href="seedfeed:desk/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B3%D8%A7%D8%A8%D9%82.md">الخبر السابق</a> و<a href="https://example.com/live">https://example.com/live</a>.</p>
<pre dir="ltr"><code>brent: 82.4
</code></pre>`,
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Parse(rich.md) =\n%+v\nwant\n%+v", a, want)
		if a.Body != want.Body {
			t.Errorf("body:\n%s", a.Body)
		}
	}
}
