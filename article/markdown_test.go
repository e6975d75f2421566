package article

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"
)

// md parses a Markdown article body, with a title so that the body is
// what it is, as desk/a.md in an Arabic site.
func md(t testing.TB, body string) Article {
	t.Helper()
	a, err := Parse("desk/a.md", []byte("---\ntitle: عنوان\n---\n"+body), Options{Lang: language.Arabic})
	if err != nil {
		t.Fatalf("Parse(%q) error = %v", body, err)
	}
	if p := htmlProblem(a.Body); p != "" {
		t.Fatalf("Parse(%q).Body = %q: %s", body, a.Body, p)
	}
	return a
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, body string
		paragraphs     []string
	}{
		{"paragraphs", "فقرة ١\nتتمة\n\nفقرة ٢", "<p>فقرة ١\nتتمة</p>\n<p>فقرة ٢</p>", []string{"فقرة ١ تتمة", "فقرة ٢"}},
		{"hard break", "سطر\\\nسطر", "<p>سطر<br>\nسطر</p>", []string{"سطر\nسطر"}},
		{"headings", "## فرعي\n\nنص", "<h2>فرعي</h2>\n<p>نص</p>", []string{"فرعي", "نص"}},
		{"emphasis inside an Arabic word", "كل**مة** وكل*مة*", "<p>كل<strong>مة</strong> وكل<em>مة</em></p>", []string{"كلمة وكلمة"}},
		{"no underscore emphasis inside a word", "كل__مة__ و_ذا_", "<p>كل__مة__ و_ذا_</p>", []string{"كل__مة__ و_ذا_"}},
		{"underscore emphasis around words", "__كلمة__، و_أخرى_.", "<p><strong>كلمة</strong>، و_أخرى_.</p>", []string{"كلمة، و_أخرى_."}},
		{"emphasis before Arabic punctuation", "**قال**؛ *لا*؟", "<p><strong>قال</strong>؛ <em>لا</em>؟</p>", []string{"قال؛ لا؟"}},
		{"strikethrough", "~~قديم~~ جديد", "<p><del>قديم</del> جديد</p>", []string{"قديم جديد"}},
		{"lists", "- أ\n- ب\n\n1. ج\n2. د", "<ul>\n<li>أ</li>\n<li>ب</li>\n</ul>\n<ol>\n<li>ج</li>\n<li>د</li>\n</ol>", []string{"أ", "ب", "ج", "د"}},
		{"ordered list start", "3. ج\n4. د", "<ol start=\"3\">\n<li>ج</li>\n<li>د</li>\n</ol>", []string{"ج", "د"}},
		{"loose nested list", "- أ\n\n  - ب\n- ج", "<ul>\n<li>\n<p>أ</p>\n<ul>\n<li>ب</li>\n</ul>\n</li>\n<li>\n<p>ج</p>\n</li>\n</ul>", []string{"أ", "ب", "ج"}},
		{"quote", "> قال: «نعم»\n>\n> ثانية", "<blockquote>\n<p>قال: «نعم»</p>\n<p>ثانية</p>\n</blockquote>", []string{"قال: «نعم»", "ثانية"}},
		{"table", "| الاسم | العدد |\n| :-- | --: |\n| أ | ١٢ |\n| ب \\| ج | ٣ |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">الاسم</th>\n<th align=\"right\">العدد</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">أ</td>\n<td align=\"right\">١٢</td>\n</tr>\n<tr>\n<td align=\"left\">ب | ج</td>\n<td align=\"right\">٣</td>\n</tr>\n</tbody>\n</table>",
			[]string{"الاسم | العدد", "أ | ١٢", "ب | ج | ٣"}},
		{"code block", "```\nنص <b>\n```", "<pre><code>نص &lt;b&gt;\n</code></pre>", []string{"نص <b>"}},
		{"code span", "الأمر `ls -l`", "<p>الأمر <code>ls -l</code></p>", []string{"الأمر ls -l"}},
		{"entities and escapes", "أ &amp; ب \\* &copy; &#1575; < > \"", "<p>أ &amp; ب * © ا &lt; &gt; &#34;</p>", []string{`أ & ب * © ا < > "`}},
		{"thematic break", "أ\n\n***\n\nب", "<p>أ</p>\n<hr>\n<p>ب</p>", []string{"أ", "ب"}},
		{"link with title", "[نص](https://example.com/a \"عنوان\")", "<p><a href=\"https://example.com/a\" title=\"عنوان\">نص</a></p>", []string{"نص"}},
		{"bare URL stays text", "https://example.com", "<p dir=\"ltr\">https://example.com</p>", []string{"https://example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := md(t, tc.in)
			if a.Body != tc.body || !slices.Equal(a.Paragraphs, tc.paragraphs) {
				t.Errorf("Parse(%q) =\n%q, %q\nwant\n%q, %q", tc.in, a.Body, a.Paragraphs, tc.body, tc.paragraphs)
			}
		})
	}
}

// TestMarkdownTextExact checks what readers see: the text of the body, as
// an HTML parser reads it, is the source's text without its markup,
// character for character, in order, for text with diacritics, tatweel,
// bidi marks, Arabic-Indic digits, presentation forms and punctuation.
func TestMarkdownTextExact(t *testing.T) {
	for _, tc := range []struct{ in, text string }{
		{"مُحَمَّدٌ **قالَ** ـــ ١٢٣ ۴۵۶ ٪ ، ؛ ؟ ﷲ ﻻ 😀", "مُحَمَّدٌ قالَ ـــ ١٢٣ ۴۵۶ ٪ ، ؛ ؟ ﷲ ﻻ 😀"},
		{"\u200fعنوان\u200e \u202bمضمن\u202c \u200dزوج\u200c", "\u200fعنوان\u200e \u202bمضمن\u202c \u200dزوج\u200c"},
		{"كل**مة** *و*كلمة ~~حذف~~ `كود` [رابط](x.md)", "كلمة وكلمة حذف كود رابط"},
		{"> «اقتباس» — قال: \"نعم\" & 'لا' <3", "«اقتباس» — قال: \"نعم\" & 'لا' <3"},
		{"Reuters: قالت الوزارة إن **الاجتماع** سيعقد غدا.", "Reuters: قالت الوزارة إن الاجتماع سيعقد غدا."},
	} {
		a := md(t, tc.in)
		if got := bodyText(t, a.Body); got != tc.text {
			t.Errorf("Parse(%q) shows %q, want %q", tc.in, got, tc.text)
		}
		if strings.Contains(a.Body, "&#x6") || strings.Contains(a.Body, "&#16") {
			t.Errorf("Parse(%q).Body = %q escapes Arabic letters", tc.in, a.Body)
		}
	}
}

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, body string }{
		{"<script>alert(1)</script>\n\nنص", "<p>نص</p>"},
		{"نص عربي طويل <script>alert(1)</script>", "<p>نص عربي طويل </p>"},
		{"قبل <style>p{color:red}</style> بعد", "<p>قبل  بعد</p>"},
		{"قبل <SCRIPT type=\"x\">a *b* [c](d.md)</SCRIPT > بعد", "<p>قبل  بعد</p>"},
		{"قبل <script\ntype=\"x\">alert(1)</script> بعد", "<p>قبل  بعد</p>"},
		{"قبل <textarea>أ</textarea><noscript>ب</noscript><template>ج</template><iframe src=x>د</iframe> بعد", "<p>قبل  بعد</p>"},
		{"قبل <script>أ <style>ب</script> ج</style> بعد", "<p>قبل  ج بعد</p>"},
		{"<b>غامق</b> و<scripts>نص</scripts>", "<p>غامق ونص</p>"},
		{"قبل <script> بعد", "<p>قبل  بعد</p>"},
		{"*قبل <script>* بعد</script>", "<p><em>قبل </em> بعد</p>"},
		{`<img src=x onerror=alert(1)>`, ""},
		{`نص <img src=x onerror="alert(1)"> بعد`, "<p>نص  بعد</p>"},
		{"[x](javascript:alert(1))", "<p dir=\"ltr\">x</p>"},
		{"[x](JavaScript:alert(1))", "<p dir=\"ltr\">x</p>"},
		{"[x](java\tscript:alert(1))", "<p dir=\"ltr\">[x](java\tscript:alert(1))</p>"},
		{"[x](&#106;avascript:alert(1))", "<p dir=\"ltr\">x</p>"},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", "<p dir=\"ltr\">x</p>"},
		{"![صورة](data:image/png;base64,AAAA)", "<p>صورة</p>"},
		{`<a href="data:text/html,x">رابط</a>`, "<p>رابط</p>"},
		{`<a href="https://example.com" onclick="x()">رابط</a>`, "<p>رابط</p>"},
		{"<javascript:alert(1)>", "<p dir=\"ltr\">javascript:alert(1)</p>"},
		{"<https://example.com/a?b=1&c=2>", "<p><a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a></p>"},
		{"<someone@example.com>", "<p><a href=\"mailto:someone@example.com\">someone@example.com</a></p>"},
		{"[x](vbscript:msgbox)", "<p dir=\"ltr\">x</p>"},
		{"[x](file:///etc/passwd)", "<p dir=\"ltr\">x</p>"},
		{"<div onclick=\"x()\">\nنص\n</div>", ""},
		{"<style>p{}</style>\n\nنص", "<p>نص</p>"},
		{"<iframe src=\"https://example.com\"></iframe>", ""},
		{"<!-- تعليق -->\nنص", "<p>نص</p>"},
		{"```html\n<script>alert(1)</script>\n```", "<pre dir=\"ltr\"><code class=\"language-html\">&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"},
		{"```\"><script>x</script>\nنص\n```", "<pre><code>نص\n</code></pre>"}, // the class fails the policy
	} {
		t.Run(tc.in, func(t *testing.T) {
			a := md(t, tc.in)
			if a.Body != tc.body {
				t.Errorf("Parse(%q).Body = %q, want %q", tc.in, a.Body, tc.body)
			}
		})
	}
}

// TestLocalRefs checks relative links and images: resolved under the
// seeds folder with their query and fragment, or, when they lead to
// neither an article nor a media file, or out of the seeds folder, left
// out (their text kept) and listed in DroppedLinks.
func TestLocalRefs(t *testing.T) {
	for _, tc := range []struct {
		in, body string
		dropped  []string
	}{
		{"[أ](b.md)", `<p><a href="seedfeed:desk/b.md">أ</a></p>`, nil},
		{"[أ](./sub/b.md#part)", `<p><a href="seedfeed:desk/sub/b.md#part">أ</a></p>`, nil},
		{"[ج](other.md#sec)", `<p><a href="seedfeed:desk/other.md#sec">ج</a></p>`, nil},
		{"[أ](../other/b.md?x=1)", `<p><a href="seedfeed:other/b.md?x=1">أ</a></p>`, nil},
		{"[أ](b.md?x=1&y=2#مقدمة)", `<p><a href="seedfeed:desk/b.md?x=1&amp;y=2#%D9%85%D9%82%D8%AF%D9%85%D8%A9">أ</a></p>`, nil},
		{"[أ](b.md?x=&amp;amp;#a&amp;amp;b)", `<p><a href="seedfeed:desk/b.md?x=%26amp;#a%26amp;b">أ</a></p>`, nil},
		{"[أ](b.md#)", `<p><a href="seedfeed:desk/b.md">أ</a></p>`, nil},
		{"[أ](b.TXT#p2)", `<p><a href="seedfeed:desk/b.TXT#p2">أ</a></p>`, nil},
		{"![صورة](صورة.jpg)", `<p><img src="seedfeed:desk/%D8%B5%D9%88%D8%B1%D8%A9.jpg" alt="صورة"></p>`, nil},
		{"![صورة](%D8%B5%D9%88%D8%B1%D8%A9.jpg)", `<p><img src="seedfeed:desk/%D8%B5%D9%88%D8%B1%D8%A9.jpg" alt="صورة"></p>`, nil},
		{"![أ](<a b.png>)", `<p><img src="seedfeed:desk/a%20b.png" alt="أ"></p>`, nil},
		{"[ص](صورة.png)", `<p><a href="seedfeed:desk/%D8%B5%D9%88%D8%B1%D8%A9.png">ص</a></p>`, nil},
		// A name with # or ?: in a destination they start the fragment
		// and the query, as in any URL; %23 and %3F are the characters.
		{"![ص](<صورة (1)%23.png>)", `<p><img src="seedfeed:desk/%D8%B5%D9%88%D8%B1%D8%A9%20%281%29%23.png" alt="ص"></p>`, nil},
		{"![ص](صورة%20(1)%3F.png)", `<p><img src="seedfeed:desk/%D8%B5%D9%88%D8%B1%D8%A9%20%281%29%3F.png" alt="ص"></p>`, nil},
		{"![ص](<صورة (1)#.png>)", `<p>ص</p>`, []string{"صورة (1)#.png"}},
		{"[أ](a&amp;b%3Fc.md)", `<p><a href="seedfeed:desk/a%26b%3Fc.md">أ</a></p>`, nil},
		{"[أ](../../etc/passwd)", `<p>أ</p>`, []string{"../../etc/passwd"}},
		{"![أ](../../x.jpg) بعد", `<p>أ بعد</p>`, []string{"../../x.jpg"}},
		{"[أ](..)", `<p>أ</p>`, []string{".."}},
		// Neither an article nor a media file: /media/ would answer 404.
		{"[و](other)", `<p>و</p>`, []string{"other"}},
		{"[تقرير](report.pdf) و[دليل](../desk/)", `<p>تقرير ودليل</p>`, []string{"report.pdf", "../desk/"}},
		{"![ص](b.md)", `<p>ص</p>`, []string{"b.md"}},
		{"[أ](_index.md)", `<p>أ</p>`, []string{"_index.md"}},
		{"[أ](#part)", `<p><a href="#part">أ</a></p>`, nil},
		{"[أ](#قسم)", `<p><a href="#%D9%82%D8%B3%D9%85">أ</a></p>`, nil},
		{"[أ](?page=2)", `<p><a href="?page=2">أ</a></p>`, nil},
		{"[أ](/about)", `<p><a href="/about">أ</a></p>`, nil},
		{"[أ](//cdn.example.com/x)", `<p><a href="//cdn.example.com/x">أ</a></p>`, nil},
		{"[أ](https://example.com/report.pdf)", `<p><a href="https://example.com/report.pdf">أ</a></p>`, nil},
		{"[أ](mailto:a@example.com)", `<p><a href="mailto:a@example.com">أ</a></p>`, nil},
		{"[أ](javascript:alert(1))", `<p>أ</p>`, []string{"javascript:alert(1)"}},
		{"أ <script>[و](other)</script>", `<p>أ </p>`, nil},
		{"[أ](seedfeed:2024/b.md)", `<p><a href="seedfeed:2024/b.md">أ</a></p>`, nil},
		{"[أ](seedfeed:2024/b.md#x)", `<p><a href="seedfeed:2024/b.md#x">أ</a></p>`, nil},
		{"[أ](seedfeed:../b.md)", `<p>أ</p>`, []string{"seedfeed:../b.md"}},
		{"[أ](seedfeed:/etc/passwd)", `<p>أ</p>`, []string{"seedfeed:/etc/passwd"}},
		{"[أ][ref]\n\n[ref]: b.md", `<p><a href="seedfeed:desk/b.md">أ</a></p>`, nil},
		{"[![أ](a.png)](b.md)", `<p><a href="seedfeed:desk/b.md"><img src="seedfeed:desk/a.png" alt="أ"></a></p>`, nil},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if a := md(t, tc.in); a.Body != tc.body || !slices.Equal(a.DroppedLinks, tc.dropped) {
				t.Errorf("Parse(%q) = body %q, dropped %q; want %q, %q", tc.in, a.Body, a.DroppedLinks, tc.body, tc.dropped)
			}
		})
	}
	// A file at the top of the seeds folder.
	a, err := Parse("a.md", []byte("# t\n\n[أ](b.md) [ب](../b.md)"), Options{})
	if want := `<p dir="rtl"><a href="seedfeed:b.md">أ</a> ب</p>`; err != nil || a.Body != want {
		t.Errorf("Parse(a.md).Body = %q, %v; want %q", a.Body, err, want)
	}
}

func TestDirections(t *testing.T) {
	for _, tc := range []struct {
		name, lang, in, body string
	}{
		{"Arabic in an Arabic article: no marks", "", "نص\n\n- بند", "<p>نص</p>\n<ul>\n<li>بند</li>\n</ul>"},
		{"English paragraph in an Arabic article", "", "نص\n\nEnglish text.", "<p>نص</p>\n<p dir=\"ltr\">English text.</p>"},
		{"Arabic paragraph opening with a Latin name", "", "Reuters: قالت الوزارة إن الاجتماع سيعقد", "<p>Reuters: قالت الوزارة إن الاجتماع سيعقد</p>"},
		{"English article: Arabic paragraph marked", "en", "Text.\n\nنص عربي", "<p>Text.</p>\n<p dir=\"rtl\">نص عربي</p>"},
		{"English list, one Arabic item", "en", "- one\n- two\n- بند", "<ul>\n<li>one</li>\n<li>two</li>\n<li dir=\"rtl\">بند</li>\n</ul>"},
		{"English quote in Arabic", "", "> He said yes.\n>\n> And no.", "<blockquote dir=\"ltr\"><p>He said yes.</p>\n<p>And no.</p>\n</blockquote>"},
		{"code in Arabic", "", "```\nx := 1\n```", "<pre dir=\"ltr\"><code>x := 1\n</code></pre>"},
		{"digits only: no mark", "en", "١٢٣ - 456", "<p>١٢٣ - 456</p>"},
		{"table cell", "", "| الاسم | الوصف |\n| - | - |\n| ج | English |", "<table>\n<thead>\n<tr>\n<th>الاسم</th>\n<th>الوصف</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>ج</td>\n<td dir=\"ltr\">English</td>\n</tr>\n</tbody>\n</table>"},
		{"English table in Arabic", "", "| Name | b |\n| - | - |\n| ج | English |", "<table dir=\"ltr\">\n<thead>\n<tr>\n<th>Name</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td dir=\"rtl\">ج</td>\n<td>English</td>\n</tr>\n</tbody>\n</table>"},
		{"English list in Arabic: the list is marked", "", "- one\n- two", "<ul dir=\"ltr\">\n<li>one</li>\n<li>two</li>\n</ul>"},
		{"mixed list: items marked one by one", "", "- أ\n- ب\n- Reuters reported the meeting.", "<ul>\n<li>أ</li>\n<li>ب</li>\n<li dir=\"ltr\">Reuters reported the meeting.</li>\n</ul>"},
		{"item by its own text, not its sublist", "", "- بند\n  - one\n  - two", "<ul>\n<li>بند\n<ul dir=\"ltr\">\n<li>one</li>\n<li>two</li>\n</ul>\n</li>\n</ul>"},
		{"a URL does not turn a paragraph", "", "انظر <https://example.com/a/long/path/indeed>", "<p>انظر <a href=\"https://example.com/a/long/path/indeed\">https://example.com/a/long/path/indeed</a></p>"},
		{"a code span does not turn a paragraph", "", "استخدم `someVeryLongFunctionName()` هنا", "<p>استخدم <code>someVeryLongFunctionName()</code> هنا</p>"},
		{"heading", "", "## English heading\n\nنص", "<h2 dir=\"ltr\">English heading</h2>\n<p>نص</p>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "---\ntitle: t\n"
			if tc.lang != "" {
				in += "lang: " + tc.lang + "\n"
			}
			in += "---\n" + tc.in
			a, err := Parse("a.md", []byte(in), Options{Lang: language.Arabic})
			if err != nil || a.Body != tc.body {
				t.Errorf("Parse(%q).Body = %q, %v; want %q", in, a.Body, err, tc.body)
			}
		})
	}
	// Without a site language the article is left to right, and Arabic
	// is marked.
	a, err := Parse("a.md", []byte("# t\n\nنص"), Options{})
	if want := `<p dir="rtl">نص</p>`; err != nil || a.Body != want {
		t.Errorf("Parse without a language = %q, %v; want %q", a.Body, err, want)
	}
}

func TestLangDir(t *testing.T) {
	for _, tc := range []struct{ tag, dir string }{
		{"ar", "rtl"}, {"ar-EG", "rtl"}, {"fa", "rtl"}, {"he", "rtl"}, {"ur", "rtl"}, {"az-Arab", "rtl"},
		{"en", "ltr"}, {"fr", "ltr"}, {"ku-Latn", "ltr"}, {"und", "ltr"},
	} {
		if got := LangDir(language.MustParse(tc.tag)); got != tc.dir {
			t.Errorf("LangDir(%s) = %q, want %q", tc.tag, got, tc.dir)
		}
	}
	if got := LangDir(language.Tag{}); got != "ltr" {
		t.Errorf("LangDir(zero) = %q, want ltr", got)
	}
}

func TestMarkdownTitle(t *testing.T) {
	for _, tc := range []struct {
		name, in, title, body string
	}{
		{"first heading, not repeated", "# عنوان\n\nنص", "عنوان", "<p>نص</p>"},
		{"second-level heading", "## عنوان *مائل*\n\nنص", "عنوان مائل", "<p>نص</p>"},
		{"setext heading on two lines", "عنوان\nطويل\n===\n\nنص", "عنوان طويل", "<p>نص</p>"},
		{"first line, as in plain text", "عنوان\nفقرة ١\n\nفقرة ٢", "عنوان", "<p>فقرة ١</p>\n<p>فقرة ٢</p>"},
		{"one-line paragraph", "عنوان\n\nنص", "عنوان", "<p>نص</p>"},
		{"first line with markup", "عنوان **عريض**\nنص", "عنوان عريض", "<p>نص</p>"},
		{"break inside emphasis: kept in the body", "**عنوان\nتتمة**", "عنوان", "<p><strong>عنوان\nتتمة</strong></p>"},
		{"list first", "- بند\n- آخر", "بند", "<ul>\n<li>بند</li>\n<li>آخر</li>\n</ul>"},
		{"empty heading skipped", "#\n\n# عنوان\n\nنص", "عنوان", "<h1></h1>\n<p>نص</p>"},
		{"a later heading is not the title", "مقدمة\n\n# قسم", "مقدمة", "<h1>قسم</h1>"},
		{"raw HTML first", "<div>\n</div>\n\n# عنوان", "عنوان", ""},
		{"raw elements in the first lines", "عنوان <style>y</style>\nسطر <script>z</script> ثان", "عنوان", "<p>سطر  ثان</p>"},
		{"BOM and CRLF", "\uFEFF# عنوان\r\n\r\nنص\r\n", "عنوان", "<p>نص</p>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse("a.md", []byte(tc.in), Options{Lang: language.Arabic})
			if err != nil || a.Title != tc.title || a.Body != tc.body {
				t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q", tc.in, a.Title, a.Body, err, tc.title, tc.body)
			}
		})
	}
}

// TestMarkdownPathological checks that input made to be slow returns,
// parsed or refused as too complex (see TestTooComplex); the test's
// timeout bounds how long it may take.
func TestMarkdownPathological(t *testing.T) {
	for name, in := range map[string]string{
		"10k [":              strings.Repeat("[", 10_000),
		"5k [a](":            strings.Repeat("[a](", 5_000),
		"10k nested quotes":  strings.Repeat(">", 10_000) + " نص",
		"10k nested lists":   strings.Repeat("- ", 10_000) + "نص",
		"5k nested emphasis": strings.Repeat("*a **", 5_000) + strings.Repeat("** a*", 5_000),
		"10k backticks":      strings.Repeat("`", 10_000) + "x" + strings.Repeat("``", 5_000),
		"10k table columns":  strings.Repeat("|a", 10_000) + "\n" + strings.Repeat("|-", 10_000) + "\n" + strings.Repeat("|b", 10_000),
		"10k links":          strings.Repeat("[أ](b.md) ", 10_000),
		"10k <":              strings.Repeat("<a ", 10_000),
	} {
		a, err := Parse("a.md", []byte("# t\n\n"+in), Options{})
		if err != nil && !errors.Is(err, ErrComplex) {
			t.Errorf("Parse(%s) error = %v", name, err)
		}
		if p := htmlProblem(a.Body); p != "" {
			t.Errorf("Parse(%s).Body: %s", name, p)
		}
	}
}

// TestParseConcurrent parses on many goroutines at once: the shared
// goldmark instance and sanitizer policy must hold (run with -race).
func TestParseConcurrent(t *testing.T) {
	in := []byte(benchArticle())
	want, err := Parse("desk/a.md", in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := Parse("desk/a.md", in, Options{})
				if err != nil || got.Body != want.Body {
					t.Errorf("concurrent Parse = %v, body differs: %v", err, got.Body != want.Body)
					return
				}
			}
		})
	}
	wg.Wait()
}

// bodyText is the text an HTML parser reads in body.
func bodyText(t testing.TB, body string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// allowed are the elements a body may hold, and their attributes.
var allowed = map[string][]string{
	"p": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil, "blockquote": nil,
	"ul": nil, "ol": {"start"}, "li": nil, "pre": nil, "code": {"class"}, "em": nil, "strong": nil,
	"del": nil, "br": nil, "hr": nil, "table": nil, "thead": nil, "tbody": nil, "tr": nil,
	"th": {"align"}, "td": {"align"}, "a": {"href", "title"}, "img": {"src", "alt", "title"},
}

// htmlProblem says what is unsafe in body, or "": an element or attribute
// not allowed, or a URL with another scheme than http, https, mailto and
// seedfeed.
func htmlProblem(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.CommentToken, html.DoctypeToken:
			return "a comment or doctype"
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if !ok {
				return fmt.Sprintf("element %q", tok.Data)
			}
			for _, at := range tok.Attr {
				if at.Key == "dir" || at.Key == "lang" {
					continue
				}
				if !slices.Contains(attrs, at.Key) {
					return fmt.Sprintf("attribute %q on %q", at.Key, tok.Data)
				}
				if at.Key == "href" || at.Key == "src" {
					u, err := url.Parse(at.Val)
					if err != nil || !slices.Contains([]string{"", "http", "https", "mailto", "seedfeed"}, u.Scheme) {
						return fmt.Sprintf("URL %q", at.Val)
					}
				}
			}
		}
	}
}
