package article

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestIsSection(t *testing.T) {
	for _, tc := range []struct {
		name string
		is   bool
		dir  string
	}{
		{"_index.md", true, ""},
		{"رياضة/_index.md", true, "رياضة"},
		{"a/b/_index.md", true, "a/b"},
		{"a/_index.MD", false, "a"},
		{"a/_index.txt", false, "a"},
		{"a/index.md", false, "a"},
		{"a/x_index.md", false, "a"},
	} {
		if is, dir := IsSection(tc.name), SectionOf(tc.name); is != tc.is || dir != tc.dir {
			t.Errorf("IsSection, SectionOf(%q) = %v, %q; want %v, %q", tc.name, is, dir, tc.is, tc.dir)
		}
	}
}

func TestParseSection(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Section
	}{
		{"arabic", "---\ntitle: \"الرياضة: \u200fكرة القدم\"\ndescription: |\n  أخبار الملاعب\n  ونتائج المباريات\nlang: AR-eg\n---\nنص لا يُقرأ\n",
			Section{Title: "الرياضة: \u200fكرة القدم", Description: "أخبار الملاعب\nونتائج المباريات", Lang: "ar-EG"}},
		{"unknown keys", "---\ntitle: Sport\nweight: 3\ndate: 2020-01-01\n---\n",
			Section{Title: "Sport", Unknown: []string{"date", "weight"}}},
		{"no front matter", "# عنوان\n\nنص\n", Section{}},
		{"empty", "", Section{}},
		{"bom crlf", "\uFEFF---\r\ntitle: ثقافة\r\nlang: ar\r\n---\r\n", Section{Title: "ثقافة", Lang: "ar"}},
		{"null values", "---\ntitle:\nlang: ~\n---\n", Section{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSection("desk/_index.md", []byte(tc.in), Options{})
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseSection(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseSectionRefused(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
		where    string // in the error's text
	}{
		{"bad yaml", "---\ntitle: ok\nlang: [ar\n---\n", ErrYAML, "line "},
		{"bad lang", "---\ntitle: t\nlang: not a language\n---\n", ErrBadKey, "lang (line 3, column 7)"},
		{"title list", "---\ntitle: [a, b]\n---\n", ErrBadKey, "title (line 2, column 8)"},
		{"twice", "---\ntitle: a\ntitle: b\n---\n", ErrBadKey, "given twice"},
		{"unclosed", "---\ntitle: a\n", ErrUnclosed, ""},
		{"not mapping", "---\n- a\n---\n", ErrNotMapping, "line 2"},
		{"binary", "---\ntitle: \x00\n---\n", ErrBinary, ""},
		{"replacement", "---\ntitle: \uFFFD\n---\n", ErrReplacement, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSection("desk/_index.md", []byte(tc.in), Options{})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.where) {
				t.Errorf("ParseSection(%q) = %v, want %v with %q", tc.in, err, tc.want, tc.where)
			}
			if Reason(err) == "" {
				t.Errorf("Reason(%v) = \"\", want a name", err)
			}
		})
	}
}
