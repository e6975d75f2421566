package article

import (
	"errors"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

func riyadh(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Riyadh")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

func TestIsAndSlugMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		is   bool
		slug string
	}{
		{"a.md", true, "a"},
		{"أخبار/NAME.MD", true, "أخبار/NAME"},
		{"b.Md", true, "b"},
		{"c.md.bak", false, "c.md.bak"},
		{"d.markdown", false, "d.markdown"},
		{"md", false, "md"},
		{".md", true, ""},
		{"dir.md/e", false, "dir.md/e"},
		{"x.txt.md", true, "x.txt"},
		// Page bundles: the folder is the article.
		{"2024/05/summit/index.md", true, "2024/05/summit"},
		{"قمة/index.txt", true, "قمة"},
		{"desk/index.MD", true, "desk"},
		{"index.md", true, "index"}, // the root is no bundle
		{"desk/Index.md", true, "desk/Index"},
		{"desk/myindex.md", true, "desk/myindex"},
		// A folder's description is not an article.
		{"desk/_index.md", false, "desk/_index.md"},
		{"_index.txt", false, "_index.txt"},
		{"desk/_index.md.txt", true, "desk/_index.md"},
	} {
		if is, slug := Is(tc.name), Slug(tc.name); is != tc.is || slug != tc.slug {
			t.Errorf("Is, Slug(%q) = %v, %q; want %v, %q", tc.name, is, slug, tc.is, tc.slug)
		}
	}
}

// TestFrontMatterKeys checks each key, in a Markdown file and in a
// plain-text one alike.
func TestFrontMatterKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		fm   string
		want Article // Title "عنوان" unless set
	}{
		{"title", "title: عنوان الخبر", Article{Title: "عنوان الخبر"}},
		{"title trimmed, folded onto one line", "title: |\n  سطر\n  ثان  ", Article{Title: "سطر ثان"}},
		{"title as a number", "title: 2026", Article{Title: "2026"}},
		{"quoted title with a colon", `title: "الرياض: خبر"`, Article{Title: "الرياض: خبر"}},
		{"empty title falls back to the text", `title: "  "`, Article{Title: "النص"}},
		{"summary keeps its lines", "summary: |\n  سطر\n  ثان\n", Article{Summary: "سطر\nثان"}},
		{"author name", "author: سارة", Article{Authors: []Author{{Name: "سارة"}}}},
		{"author mapping", "author: {name: سارة, url: https://example.com/سارة, email: s@example.com}",
			Article{Authors: []Author{{Name: "سارة", URL: "https://example.com/%D8%B3%D8%A7%D8%B1%D8%A9", Email: "s@example.com"}}}},
		{"authors list", "authors:\n  - سارة\n  - name: Omar\n    email: o@example.com\n  - ''\n  - سارة",
			Article{Authors: []Author{{Name: "سارة"}, {Name: "Omar", Email: "o@example.com"}}}},
		{"author and authors", "author: أ\nauthors: [ب, أ]", Article{Authors: []Author{{Name: "أ"}, {Name: "ب"}}}},
		{"categories list", "categories: [سياسة, ' اقتصاد ', سياسة, '']", Article{Categories: []string{"سياسة", "اقتصاد"}}},
		{"categories string", "categories: الشرق الأوسط", Article{Categories: []string{"الشرق الأوسط"}}},
		{"tags block list", "tags:\n  - غزة\n  - \n  - Gaza\n  - gaza", Article{Tags: []string{"غزة", "Gaza", "gaza"}}},
		{"image local", "image: صور/أ.JPG\nimage_alt: صورة", Article{Image: &Image{Path: "desk/صور/أ.JPG", Alt: "صورة", Type: "image/jpeg"}}},
		{"image alt first", "image_alt: صورة\nimage: ./a.webp", Article{Image: &Image{Path: "desk/a.webp", Alt: "صورة", Type: "image/webp"}}},
		{"image up a folder", "image: ../a.png", Article{Image: &Image{Path: "a.png", Type: "image/png"}}},
		{"image remote", "image: https://cdn.example.com/a/b.avif?w=1", Article{Image: &Image{URL: "https://cdn.example.com/a/b.avif?w=1", Type: "image/avif"}}},
		{"image remote, no suffix", `image: "https://example.org/photo?id=1"`, Article{Image: &Image{URL: "https://example.org/photo?id=1"}}},
		{"image remote, a CDN's", "image: https://cdn.example.com/i/abc123", Article{Image: &Image{URL: "https://cdn.example.com/i/abc123"}}},
		{"image remote, another suffix", "image: http://example.org/a.php?id=1", Article{Image: &Image{URL: "http://example.org/a.php?id=1"}}},
		{"image svg", "image: a.svg", Article{Image: &Image{Path: "desk/a.svg", Type: "image/svg+xml"}}},
		{"image empty", `image: ""`, Article{}},
		{"lang canonical", "lang: EN-us", Article{Lang: "en-US"}},
		{"lang arabic", "lang: ar", Article{Lang: "ar"}},
		{"draft true", "draft: true", Article{Draft: true}},
		{"draft yes", "draft: yes", Article{Draft: true}},
		{"draft false", "draft: false", Article{}},
		{"link", "link: https://example.com/a?b=1#c", Article{Link: "https://example.com/a?b=1#c"}},
		{"null values", "title:\ndate: ~\ntags: null\ndraft:", Article{Title: "النص"}},
		{"unknown keys", "weight: 3\nlayout: post\nWeight: 1", Article{Unknown: []string{"Weight", "layout", "weight"}}},
		{"comments only", "# nothing here", Article{}},
		{"anchors and aliases", "tags: &t [a, b]\ncategories: *t", Article{Tags: []string{"a", "b"}, Categories: []string{"a", "b"}}},
	} {
		for _, ext := range []string{".md", ".txt"} {
			t.Run(tc.name+ext, func(t *testing.T) {
				in := "---\n" + tc.fm + "\n---\nالنص\n"
				if !strings.Contains(tc.fm, "title") {
					in = "---\ntitle: عنوان\n" + tc.fm + "\n---\n"
				}
				got, err := Parse("desk/a"+ext, []byte(in), Options{Now: fixedNow})
				if err != nil {
					t.Fatalf("Parse(%q) error = %v", in, err)
				}
				want := tc.want
				if want.Title == "" {
					want.Title = "عنوان"
				}
				got.Paragraphs, got.Body = nil, ""
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Parse(%q) = %+v\nwant %+v", in, got, want)
				}
			})
		}
	}
}

func TestFrontMatterDates(t *testing.T) {
	loc := riyadh(t)
	for _, tc := range []struct {
		in, want string // want in RFC 3339, with the zone it keeps
	}{
		{"2026-12-03", "2026-12-03T00:00:00+03:00"},
		{"'2026-12-03'", "2026-12-03T00:00:00+03:00"},
		{"2026-12-03 10:00", "2026-12-03T10:00:00+03:00"},
		{"2026-12-03 10:00:30", "2026-12-03T10:00:30+03:00"},
		{"2026-12-03T10:00", "2026-12-03T10:00:00+03:00"},
		{"2026-12-03T10:00:00+03:00", "2026-12-03T10:00:00+03:00"},
		{"2026-12-03T07:00:00Z", "2026-12-03T07:00:00Z"},
		{"2026-12-03T10:00:00.5+01:00", "2026-12-03T10:00:00.5+01:00"},
		{"2026-12-03 10:00:00 +0100", "2026-12-03T10:00:00+01:00"},
		{"2026-12-03 12:00:59Z", "2026-12-03T12:00:59Z"}, // within the minute of skew
		{"1800-01-01T00:00:00Z", "1800-01-01T00:00:00Z"}, // old, but not a typo
	} {
		in := "---\ntitle: t\ndate: " + tc.in + "\n---\n"
		a, err := Parse("a.md", []byte(in), Options{Location: loc, Now: fixedNow})
		if err != nil {
			t.Errorf("Parse(date: %s) error = %v", tc.in, err)
			continue
		}
		if got := a.Date.Format(time.RFC3339Nano); got != tc.want {
			t.Errorf("Parse(date: %s).Date = %s, want %s", tc.in, got, tc.want)
		}
	}
	// The example: a day without a zone, in Riyadh, in UTC.
	a, err := Parse("a.md", []byte("---\ntitle: t\ndate: 2026-12-03\n---\n"), Options{Location: loc, Now: fixedNow})
	if err != nil || !a.Date.Equal(time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("Parse(date: 2026-12-03) in Asia/Riyadh = %v, %v; want 2026-12-02T21:00:00Z", a.Date.UTC(), err)
	}
	// Without Options.Location, UTC.
	a, err = Parse("a.md", []byte("---\ntitle: t\ndate: 2026-12-03\n---\n"), Options{Now: fixedNow})
	if err != nil || a.Date.Location() != time.UTC || a.Date.Format(time.RFC3339) != "2026-12-03T00:00:00Z" {
		t.Errorf("Parse(date: 2026-12-03) without a location = %v, %v; want 2026-12-03T00:00:00Z", a.Date, err)
	}
}

// TestRefusals checks each bad input: its error, its reason's name, and
// what the message says.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, file, in string
		err            error
		reason         string
		says           []string
	}{
		{"md empty", "a.md", "", ErrEmpty, "empty", nil},
		{"md blank", "a.md", " \n\n\t\n", ErrEmpty, "empty", nil},
		{"md no title", "a.md", "---\ndraft: true\n---\n", ErrNoTitle, "no_title", nil},
		{"md only an image", "a.md", "![](a.jpg)\n\n---\n", ErrNoTitle, "no_title", nil},
		{"md blank title, no text", "a.md", "---\ntitle: ' '\n---\n\n", ErrNoTitle, "no_title", nil},
		{"txt no title", "a.txt", "---\ndate: 2026-01-01\n---\n\n", ErrNoTitle, "no_title", nil},
		{"unclosed", "a.md", "---\ntitle: t\n\nنص", ErrUnclosed, "unclosed_front_matter", nil},
		{"unclosed CRLF", "a.md", "\uFEFF---\r\ntitle: t\r\n", ErrUnclosed, "unclosed_front_matter", nil},
		{"invalid YAML, colon in a title", "a.md", "---\ntitle: الرياض: خبر\n---\n", ErrYAML, "invalid_yaml",
			[]string{"line 2", "mapping values are not allowed"}},
		{"invalid YAML, unclosed quote", "a.txt", "---\ntitle: t\nsummary: \"x\n---\nنص", ErrYAML, "invalid_yaml", []string{"line 3"}},
		{"invalid YAML, tab", "a.md", "---\ntitle: t\ntags:\n\t- a\n---\n", ErrYAML, "invalid_yaml", []string{"line 4"}},
		{"not a mapping", "a.md", "---\n- a\n- b\n---\n", ErrNotMapping, "front_matter_not_mapping", []string{"a list"}},
		{"not a mapping, a string", "a.md", "---\nعنوان\n---\n", ErrNotMapping, "front_matter_not_mapping", nil},
		{"draft maybe", "a.md", "---\ntitle: t\ndraft: maybe\n---\n", ErrBadKey, "bad_key", []string{"draft", "line 3, column 8", `"maybe"`}},
		{"draft quoted", "a.md", "---\ntitle: t\ndraft: \"true\"\n---\n", ErrBadKey, "bad_key",
			[]string{"draft (line 3, column 8)", `the quoted "true" is a string, not a boolean`, "write true without quotes"}},
		{"draft single-quoted no", "a.txt", "---\ntitle: t\ndraft: 'no'\n---\n", ErrBadKey, "bad_key",
			[]string{"draft (line 3, column 8)", `the quoted "no" is a string, not a boolean`, "write no without quotes"}},
		{"draft quoted text", "a.md", "---\ntitle: t\ndraft: \"maybe\"\n---\n", ErrBadKey, "bad_key", []string{`want true or false, not the value "maybe"`}},
		{"draft list", "a.md", "---\ntitle: t\ndraft: [true]\n---\n", ErrBadKey, "bad_key", []string{"draft"}},
		{"categories mapping", "a.md", "---\ntitle: t\ncategories: {a: b}\n---\n", ErrBadKey, "bad_key", []string{"categories", "line 3"}},
		{"tags nested list", "a.md", "---\ntitle: t\ntags: [a, [b]]\n---\n", ErrBadKey, "bad_key", []string{"tags", "a list"}},
		{"title list", "a.md", "---\ntitle: [a, b]\n---\n", ErrBadKey, "bad_key", []string{"title"}},
		{"title twice", "a.md", "---\ntitle: a\ntitle: b\n---\n", ErrBadKey, "bad_key", []string{"title", "twice", "line 2"}},
		{"merge key", "a.md", "---\nbase: &b {title: a}\n<<: *b\n---\n", ErrBadKey, "bad_key", []string{"merge"}},
		{"mapping as a key", "a.md", "---\n? {a: b}\n: c\n---\n", ErrBadKey, "bad_key", nil},
		{"author without a name", "a.md", "---\ntitle: t\nauthor: {email: a@example.com}\n---\n", ErrBadKey, "bad_key", []string{"author", "name"}},
		{"author unknown key", "a.md", "---\ntitle: t\nauthor: {name: a, twitter: b}\n---\n", ErrBadKey, "bad_key", []string{"twitter"}},
		{"author bad url", "a.md", "---\ntitle: t\nauthor: {name: a, url: javascript:x}\n---\n", ErrBadKey, "bad_key", []string{"author.url"}},
		{"author bad email", "a.md", "---\ntitle: t\nauthor: {name: a, email: 'A <a@b.c>'}\n---\n", ErrBadKey, "bad_key", []string{"author.email"}},
		{"lang invalid", "a.md", "---\ntitle: t\nlang: arabic language\n---\n", ErrBadKey, "bad_key", []string{"lang", "BCP 47"}},
		{"link relative", "a.md", "---\ntitle: t\nlink: /a/b\n---\n", ErrBadKey, "bad_key", []string{"link"}},
		{"link javascript", "a.md", "---\ntitle: t\nlink: javascript:alert(1)\n---\n", ErrBadKey, "bad_key", []string{"link"}},
		{"date garbage", "a.md", "---\ntitle: t\ndate: yesterday\n---\n", ErrBadDate, "bad_date", []string{`"yesterday"`, "line 3"}},
		{"date year typo", "a.md", "---\ntitle: t\ndate: 0026-12-01\n---\n", ErrBadDate, "bad_date", []string{"date (line 3, column 7)", "year 0026", "typo"}},
		{"date year one", "a.txt", "---\ntitle: t\ndate: 0001-01-01T00:00:00Z\n---\n", ErrBadDate, "bad_date", []string{"date (line 3, column 7)", "year 0001", "typo"}},
		{"date year 1799", "a.md", "---\ntitle: t\ndate: 1799-12-31 23:00\n---\n", ErrBadDate, "bad_date", []string{"year 1799"}},
		{"date impossible", "a.md", "---\ntitle: t\ndate: 2026-02-30\n---\n", ErrBadDate, "bad_date", nil},
		{"date list", "a.md", "---\ntitle: t\ndate: [2026-01-01]\n---\n", ErrBadDate, "bad_date", nil},
		{"date Arabic digits", "a.md", "---\ntitle: t\ndate: ٢٠٢٦-١٢-٠٣\n---\n", ErrBadDate, "bad_date", nil},
		{"date future", "a.md", "---\ntitle: t\ndate: 2026-12-03T12:01:01Z\n---\n", ErrFutureDate, "future_date",
			[]string{"2026-12-03T12:01:01Z", "now, 2026-12-03T12:00:00Z"}},
		{"date future, txt", "a.txt", "---\ndate: 2027-01-01\n---\nعنوان", ErrFutureDate, "future_date", []string{"2027-01-01T00:00:00Z"}},
		{"image absolute path", "a.md", "---\ntitle: t\nimage: /etc/a.jpg\n---\n", ErrBadImage, "bad_image", []string{"image"}},
		{"image escapes", "d/a.md", "---\ntitle: t\nimage: ../../a.jpg\n---\n", ErrBadImage, "bad_image", []string{"outside the seeds folder"}},
		{"image other scheme", "a.md", "---\ntitle: t\nimage: data:image/png;base64,AAAA\n---\n", ErrBadImage, "bad_image", nil},
		{"image protocol-relative", "a.md", "---\ntitle: t\nimage: //cdn.example.com/a.jpg\n---\n", ErrBadImage, "bad_image", nil},
		{"image wrong type", "a.md", "---\ntitle: t\nimage: a.pdf\n---\n", ErrBadImage, "bad_image", []string{"jpg"}},
		{"image remote, no host", "a.md", "---\ntitle: t\nimage: https:///a.jpg\n---\n", ErrBadImage, "bad_image", nil},
		{"image mapping", "a.md", "---\ntitle: t\nimage: {src: a.jpg}\n---\n", ErrBadKey, "bad_key", []string{"image"}},
		{"replacement character in front matter", "a.md", "---\ntitle: a\uFFFDb\n---\n", ErrReplacement, "replacement_char", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse(tc.file, []byte(tc.in), Options{Now: fixedNow})
			if !errors.Is(err, tc.err) || Reason(err) != tc.reason {
				t.Fatalf("Parse(%q) error = %v (%q), want %v (%q)", tc.in, err, Reason(err), tc.err, tc.reason)
			}
			if !reflect.DeepEqual(a, Article{}) {
				t.Errorf("Parse(%q) returned %+v with its error", tc.in, a)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Parse(%q) error %q does not say %q", tc.in, err, s)
				}
			}
		})
	}
}

// TestAliasBomb checks that a "billion laughs" front matter is refused
// without being expanded: the refusal comes from counting, and counting
// allocates in proportion to the file.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: t\nl0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	bomb := b.String()
	for _, tc := range []struct{ name, in string }{
		{"under an unknown key", bomb + "---\n"},
		{"under a known key", bomb + "tags: *l9\n---\n"},
		{"recursive", "---\ntitle: t\na: &a [*a]\n---\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse("a.md", []byte(tc.in), Options{})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrAliasBomb) || Reason(err) != "yaml_alias_bomb" {
				t.Fatalf("Parse(billion laughs) error = %v, want %v", err, ErrAliasBomb)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("Parse(billion laughs) allocated %d bytes, want under 1 MiB", alloc)
			}
		})
	}
	// Aliases that stay small are fine.
	in := "---\ntitle: t\na: &a [x, y]\nb: [*a, *a, *a]\ntags: *a\n---\n"
	if a, err := Parse("a.md", []byte(in), Options{}); err != nil || !slices.Equal(a.Tags, []string{"x", "y"}) {
		t.Errorf("Parse(%q) = %q, %v; want tags x, y", in, a.Tags, err)
	}
}

// TestPlainTextFrontMatter checks what front matter does to a .txt file,
// and that a .txt without it reads as before.
func TestPlainTextFrontMatter(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		title      string
		paragraphs []string
	}{
		{"title in front matter: every line a paragraph", "---\ntitle: عنوان\n---\nسطر ١\n\nسطر ٢\n", "عنوان", []string{"سطر ١", "سطر ٢"}},
		{"no title in front matter: the first line", "---\ntags: [أ]\n---\nعنوان\nفقرة\n", "عنوان", []string{"فقرة"}},
		{"no closing line: text as before", "---\nعنوان\nفقرة", "---", []string{"عنوان", "فقرة"}},
		{"dashes later: text as before", "عنوان\n---\nفقرة\n---\n", "عنوان", []string{"---", "فقرة", "---"}},
		{"BOM and CRLF", "\uFEFF---\r\ntitle: عنوان\r\n...\r\nفقرة\r\n", "عنوان", []string{"فقرة"}},
		{"title only", "---\ntitle: عنوان\n---\n", "عنوان", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse("a.txt", []byte(tc.in), Options{})
			if err != nil || a.Title != tc.title || !slices.Equal(a.Paragraphs, tc.paragraphs) || a.Body != "" {
				t.Errorf("Parse(%q) = %q, %q, body %q, %v; want %q, %q", tc.in, a.Title, a.Paragraphs, a.Body, err, tc.title, tc.paragraphs)
			}
		})
	}
}

// TestPlainTextFramedByDashes: a .txt whose first lines are framed by ---
// but name no front-matter key reads as it did before front matter.
func TestPlainTextFramedByDashes(t *testing.T) {
	for _, text := range []string{
		"---\nتنبيه: خبر عاجل\n---\nفقرة أولى.\n",
		"---\nعنوان\n---\nفقرة.\n",
		"---\n---\nنص\n",
	} {
		got, err := Parse("a.txt", []byte(text), Options{})
		want, werr := parseText([]byte(text))
		if err != nil || werr != nil || got.Title != want.Title || strings.Join(got.Paragraphs, "|") != strings.Join(want.Paragraphs, "|") || len(got.Unknown) != 0 {
			t.Errorf("%q: got %q %q (%v), want %q %q as plain text", text, got.Title, got.Paragraphs, err, want.Title, want.Paragraphs)
		}
	}
	// One known key makes it front matter, with its other keys unknown.
	got, err := Parse("a.txt", []byte("---\ntitle: عنوان\nتنبيه: خبر\n---\nفقرة\n"), Options{})
	if err != nil || got.Title != "عنوان" || len(got.Unknown) != 1 {
		t.Errorf("front matter with a known key: %+v, %v", got, err)
	}
}
