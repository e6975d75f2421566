package article

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlTree is the root node yaml.Unmarshal makes of the front matter src,
// read as readFrontMatter reads it.
func yamlTree(src string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("#\n"+src), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// treeDiff describes the first difference between the trees a and b, in
// what the readers of front matter read (not comments), or "".
func treeDiff(a, b *yaml.Node) string {
	if a == nil || b == nil {
		if a != b {
			return fmt.Sprintf("%v against %v", a, b)
		}
		return ""
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Alias != b.Alias || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("kind %v/%v style %v/%v tag %q/%q value %q/%q at %d:%d/%d:%d, %d/%d children",
			a.Kind, b.Kind, a.Style, b.Style, a.Tag, b.Tag, a.Value, b.Value, a.Line, a.Column, b.Line, b.Column,
			len(a.Content), len(b.Content))
	}
	for i := range a.Content {
		if d := treeDiff(a.Content[i], b.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// checkSimpleYAML fails if simpleYAML reads src other than yaml does.
func checkSimpleYAML(t testing.TB, src string) bool {
	t.Helper()
	got, ok := simpleYAML(src)
	if !ok {
		return false
	}
	want, err := yamlTree(src)
	if err != nil {
		t.Fatalf("simpleYAML(%q) read what yaml refuses: %v", src, err)
	}
	if d := treeDiff(got, want); d != "" {
		t.Fatalf("simpleYAML(%q) differs from yaml: %s", src, d)
	}
	return true
}

func TestSimpleYAML(t *testing.T) {
	bench, _, _, _ := splitFrontMatter(benchArticle())
	for _, src := range []string{
		bench,
		`title: "خبر رقم 15: وبحسب هذه المصادر، فإن ذلك يظهر أن طهران"
date: 2024-01-01T00:14:00Z
authors:
  - name: سارة أحمد
    url: https://example.com/authors/2
  - name: Karim Haddad
categories: [رياضة]
tags: [عاجل, الطاقة]
summary: "وقال مسؤول أمني عراقي، إن قاآني لم يغادر مطار بغداد #1 ('لا')."
lang: ar
`,
		"title: عنوان\ndraft: true\nlink: https://example.com/a?b=1\nimage: صور/x.jpg\n",
		"authors:\n- عمر\n- name: نور\n  email: a@b.c\nx: [ ]\ny: {}\nz: { a: 1 ,b: x:y }\n",
		"title: 12\ndate: 2024-01-01\nno: yes\nn: x~\nkey-2: a  b\n",
	} {
		if !checkSimpleYAML(t, src) {
			t.Errorf("simpleYAML(%q) declined it", src)
		}
	}
	for _, src := range []string{
		"", "title: x", "title: x # comment\n", "# c\ntitle: x\n", "title: \"a\\\"b\"\n", "title:\n",
		"title: x\n\nlang: ar\n", "title: &a x\nsummary: *a\n", "summary: >\n  a\n", "title: a\n  b\n",
		"title: a: b\n", "title: 'x'\n", "title:  x\n", "title: x \n", "title: \tx\n", "title: a\u2028b\n",
		"title: \ufeffx\n", "- a\n", "title: [a, [b]]\n", "title: [\"a\"]\n", "authors:\n  - name:\n",
		"authors:\n  - name: a\n     url: b\n", "authors:\n  - a\n  b: c\n", "title: -x\n", "<<: {a: b}\n",
		"author:\n  name: x\n", "title: ~\n", "title: x,y]\n", "t: [a,,b]\n", "t: {a}\n",
	} {
		if checkSimpleYAML(t, src) {
			t.Errorf("simpleYAML(%q) read it: yaml's reading is not one it copies", src)
		}
	}
}

// TestSimpleYAMLRandom checks simpleYAML against yaml on front matter made
// of random lines, keys and values, of which it reads some and declines
// the rest.
func TestSimpleYAMLRandom(t *testing.T) {
	good := []string{
		"عنوان", "نص عربي طويل", "Reuters", "a b", "a  b", "x:y", "https://example.com/a/b", "a@b.c", "2024-01-01",
		"2024-01-01T00:14:00Z", "12", "1.5", "true", "yes", "null", "(أ)", "a/b.jpg", "1:2", "Ω", "😀", "a\u200fb",
	}
	tricky := []string{
		"-3", ".5", "1e3", "0x1f", "False", "off", "~", "y", "<<", "a#b", "a #b", "a:", ": a", "a: b", "a?b",
		"https://example.com/?a=b", "\u00a0x", "x\u00a0", "a\u2028b", "\ufeffa", "a\tb", "%x", "@x", "`x", "!x", "&x",
		"*x", "?x", "? x", "|", ">", "'a'", "a'b", "a\"b", "a\\b", "[a]", "{a: b}", "", " ", "-", "- a", ".", "..",
		"...", "---", "+1", "=", "a=b", "a,b", "a]", "a}", "a::b", "a:-b", "ا:ب",
	}
	values := func(r *rand.Rand) string {
		if r.IntN(10) == 0 {
			return tricky[r.IntN(len(tricky))]
		}
		return good[r.IntN(len(good))]
	}
	value := func(r *rand.Rand) string {
		v := values(r)
		switch r.IntN(8) {
		case 0:
			return `"` + v + `"`
		case 1:
			return "[" + v + ", " + values(r) + "]"
		case 2:
			return "{k: " + v + ", l: " + values(r) + "}"
		case 3:
			return "[" + strings.Repeat(" ", r.IntN(2)) + v + strings.Repeat(" ", r.IntN(2)) + "]"
		}
		return v
	}
	keys := []string{"title", "date", "a", "key_2", "x-y", "true", "title", "summary", "tags", "_", "2a", "-a", "a b", "عنوان"}
	r := rand.New(rand.NewPCG(13, 1))
	read := 0
	const n = 20_000
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(5) {
			b.WriteString(keys[r.IntN(len(keys)-1+r.IntN(2))])
			switch r.IntN(6) {
			case 0: // a block list
				b.WriteString(":\n")
				ind := strings.Repeat(" ", r.IntN(3))
				for range 1 + r.IntN(3) {
					if r.IntN(2) == 0 {
						b.WriteString(ind + "- " + value(r) + "\n")
						continue
					}
					b.WriteString(ind + "- name: " + value(r) + "\n")
					for range r.IntN(3) {
						b.WriteString(ind + strings.Repeat(" ", 1+r.IntN(3)) + "url: " + value(r) + "\n")
					}
				}
			case 1:
				b.WriteString(":" + strings.Repeat(" ", r.IntN(3)) + value(r) + "\n")
			default:
				b.WriteString(": " + value(r) + "\n")
			}
		}
		if checkSimpleYAML(t, b.String()) {
			read++
		}
	}
	t.Logf("read %d of %d", read, n)
	if read < n/10 || read > n*9/10 {
		t.Errorf("simpleYAML read %d of %d: the test no longer tries both sides", read, n)
	}
}

// FuzzSimpleYAML checks simpleYAML against yaml on any text.
func FuzzSimpleYAML(f *testing.F) {
	bench, _, _, _ := splitFrontMatter(benchArticle())
	f.Add(bench)
	f.Add("authors:\n- name: نور\n  email: a@b.c\nx: [a, b]\ny: {a: 1, b: x:y}\n")
	f.Fuzz(func(t *testing.T, src string) { checkSimpleYAML(t, src) })
}
