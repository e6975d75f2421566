package article

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         string
		title      string
		paragraphs []string
		err        error
	}{
		{name: "title only", in: "عنوان", title: "عنوان"},
		{name: "title and paragraphs", in: "عنوان\nفقرة ١\nفقرة ٢\n", title: "عنوان", paragraphs: []string{"فقرة ١", "فقرة ٢"}},
		{name: "leading blank lines", in: "\n\n  \nعنوان\n\n\nفقرة\n\n", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "BOM and CRLF", in: "\uFEFFعنوان\r\n\r\nفقرة\r\n", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "two BOMs", in: "\uFEFF\uFEFFعنوان\nفقرة", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "lone CR", in: "عنوان\rفقرة\r", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "space around lines", in: " \t عنوان \t\n\u00a0 فقرة  \n", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "tab inside a line", in: "a\tb\nc\td", title: "a\tb", paragraphs: []string{"c\td"}},
		{name: "markup kept as text", in: "<b>&amp;</b>\n<script>alert('x')</script> \"q\"", title: "<b>&amp;</b>", paragraphs: []string{"<script>alert('x')</script> \"q\""}},
		{name: "controls dropped", in: "عن\x0bوان\x01\nفق\x1bرة\x7f\u0085\u009f", title: "عنوان", paragraphs: []string{"فقرة"}},
		{name: "non-characters dropped", in: "a\uFFFEb\uFFFF", title: "ab"},
		{name: "bidi marks, ZWJ, ZWNJ kept", in: "\u200fعنوان\u200e\u202b\u202c\u200d\u200c", title: "\u200fعنوان\u200e\u202b\u202c\u200d\u200c"},
		{name: "diacritics, tatweel, digits, punctuation kept", in: "مُحَمَّدٌ ـــ ١٢٣ ۴۵۶ ٪ ، ؛ ؟", title: "مُحَمَّدٌ ـــ ١٢٣ ۴۵۶ ٪ ، ؛ ؟"},
		{name: "astral and presentation forms kept", in: "😀 ﷲ ﻻ 𝔸", title: "😀 ﷲ ﻻ 𝔸"},
		{name: "BOM inside text kept", in: "a\uFEFFb", title: "a\uFEFFb"},
		{name: "empty", in: "", err: ErrEmpty},
		{name: "BOM only", in: "\uFEFF", err: ErrEmpty},
		{name: "blank", in: " \n\t\r\n \u00a0\n", err: ErrEmpty},
		{name: "controls only", in: "\x01\x02\n\x1b", err: ErrEmpty},
		{name: "NUL byte", in: "عنوان\x00", err: ErrBinary},
		{name: "UTF-16 without a byte-order mark", in: "a\x00b\x00", err: ErrBinary},
		{name: "UTF-16 LE with a byte-order mark", in: "\xff\xfea\x00\n\x00b\x00", title: "a", paragraphs: []string{"b"}},
		{name: "UTF-16 BE with a byte-order mark", in: "\xfe\xff\x00a\x00\n\x00b", title: "a", paragraphs: []string{"b"}},
		{name: "windows-1256", in: "\xc7\xe1\xda\xd1\xc8\xed\xc9", err: ErrNotUTF8},
		{name: "truncated UTF-8", in: "عنوان\xd8", err: ErrNotUTF8},
		{name: "surrogate in UTF-8", in: "\xed\xa0\x80", err: ErrNotUTF8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, err := Parse("a.txt", []byte(tc.in), Options{})
			if !errors.Is(err, tc.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if it.Title != tc.title || !slices.Equal(it.Paragraphs, tc.paragraphs) {
				t.Errorf("Parse(%q) = %q, %q; want %q, %q", tc.in, it.Title, it.Paragraphs, tc.title, tc.paragraphs)
			}
		})
	}
}

// TestParseSeed checks the bundled article line by line.
func TestParseSeed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	it, err := Parse("a.txt", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if it.Title != lines[0] || !slices.Equal(it.Paragraphs, lines[1:]) {
		t.Errorf("Parse(seed) = %q, %q; want the file's lines exactly", it.Title, it.Paragraphs)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// is what the feeds can carry: each input is read as plain text and as
// Markdown.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMarkdown(t, data)
		it, err := Parse("a.txt", data, Options{})
		if err != nil {
			if it.Title != "" || it.Paragraphs != nil || Reason(err) == "" {
				t.Fatalf("Parse(%q) returned %+v with error %v (reason %q)", data, it, err, Reason(err))
			}
			return
		}
		if it.Title == "" {
			t.Fatalf("Parse(%q) returned no title and no error", data)
		}
		// Nothing but white space, controls and a leading BOM is dropped,
		// and nothing is reordered; front matter is not text.
		text := data
		if it.Charset != "" { // UTF-16: compare with what it says, decoded
			text, _, _ = Decode(data, nil)
		}
		_, _, found, closed := splitFrontMatter(strings.TrimLeft(string(text), "\uFEFF"))
		if got, want := visible(strings.Join(append([]string{it.Title}, it.Paragraphs...), "")), visible(strings.TrimLeft(string(text), "\uFEFF")); !(found && closed) && got != want {
			t.Fatalf("Parse(%q) kept %q of the visible text %q", data, got, want)
		}
		for _, s := range append([]string{it.Title}, it.Paragraphs...) {
			if s == "" || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
				t.Fatalf("Parse(%q): line %q is empty, not UTF-8 or not trimmed", data, s)
			}
			if i := strings.IndexFunc(s, func(r rune) bool { return dropControl(r) < 0 }); i >= 0 {
				t.Fatalf("Parse(%q): line %q keeps a control character at %d", data, s, i)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
				t.Fatalf("Parse(%q): line %q holds a line break", data, s)
			}
		}
	})
}

// checkMarkdown checks what Parse makes of data as a Markdown file: a
// refusal with a reason, or an article with a title on one line, valid
// UTF-8 without controls everywhere, and a body with nothing unsafe.
func checkMarkdown(t *testing.T, data []byte) {
	a, err := Parse("desk/a.md", data, Options{Now: fixedNow})
	if err != nil {
		if Reason(err) == "" || !reflect.DeepEqual(a, Article{}) {
			t.Fatalf("Parse(%q as .md) returned %+v with error %v (reason %q)", data, a, err, Reason(err))
		}
		checkYAMLPlace(t, data, err)
		return
	}
	if a.Title == "" || strings.ContainsAny(a.Title, "\r\n") {
		t.Fatalf("Parse(%q as .md) title = %q", data, a.Title)
	}
	texts := append([]string{a.Title, a.Body, a.Summary, a.Lang, a.Link}, a.Paragraphs...)
	texts = append(append(append(texts, a.Categories...), a.Tags...), a.Unknown...)
	for _, s := range texts {
		if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && dropControl(r) < 0 }) {
			t.Fatalf("Parse(%q as .md): %q is not UTF-8 or holds a control", data, s)
		}
	}
	if p := htmlProblem(a.Body); p != "" {
		t.Fatalf("Parse(%q as .md).Body = %q: %s", data, a.Body, p)
	}
}

// checkYAMLPlace checks that an ErrYAML refusal names a line of the front
// matter (not its --- line) and a column within that line.
func checkYAMLPlace(t *testing.T, data []byte, err error) {
	if !errors.Is(err, ErrYAML) {
		return
	}
	var line, col int
	if _, e := fmt.Sscanf(strings.TrimPrefix(err.Error(), ErrYAML.Error()+": "), "line %d, column %d:", &line, &col); e != nil {
		t.Fatalf("Parse(%q as .md) error %q names no line and column: %v", data, err, e)
	}
	text, _, _ := Decode(data, nil)
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(text)), "\n")
	if line < 2 || line > len(lines) || col < 1 || col > utf8.RuneCountInString(lines[line-1])+1 {
		t.Fatalf("Parse(%q as .md) error %q: no such place in the file", data, err)
	}
}

// addSeeds adds every file in testdata/ to the fuzzer's seed corpus.
func addSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// visible is s without white space and the controls that Parse drops.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || dropControl(r) < 0 {
			return -1
		}
		return r
	}, s)
}
