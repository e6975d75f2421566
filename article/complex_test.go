package article

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// e555 is the mixed emphasis of goldmark's issue 555, which goldmark
// takes time quadratic in the length of a paragraph of it over.
const e555 = "*a_b*c_d**e_f*g**h*i_j**"

// atLimit are the slowest inputs checkWork accepts of each pattern
// goldmark is quadratic on: the largest line of "[a](" (n links in 4n
// bytes) and the largest paragraph of e555 (14n marks in 24n bytes).
func atLimit() map[string]string {
	marks := strings.Count(e555, "*") + strings.Count(e555, "_")
	n := 1
	for emphasisWork(marks*(n+1), len(e555)*(n+1)) <= maxEmphasisWork {
		n++
	}
	return map[string]string{
		"links":    strings.Repeat("[a](", int(math.Sqrt(maxLinkWork/4))),
		"emphasis": strings.Repeat(e555, n),
	}
}

// emphasisWork is the work of a paragraph as maxEmphasisWork counts it.
func emphasisWork(marks, size int) int64 { return int64(marks) * int64(marks+size/64) }

// BenchmarkAtLimit times the slowest inputs accepted (see atLimit).
func BenchmarkAtLimit(b *testing.B) {
	for name, in := range atLimit() {
		b.Run(name, func(b *testing.B) {
			data := []byte("# t\n\n" + in)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("a.md", data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTooComplex checks the limits of checkWork on the inputs goldmark
// is slowest on: at the limit they parse, just over it they are refused.
func TestTooComplex(t *testing.T) {
	limit := atLimit()
	links, emphasis := len(limit["links"])/4, len(limit["emphasis"])/len(e555)
	for _, tc := range []struct {
		name      string
		at, over  string
		errDetail string
	}{
		{"links", limit["links"], strings.Repeat("[a](", links+1), "line 3 opens"},
		{"emphasis", limit["emphasis"], strings.Repeat(e555, emphasis+1), "paragraph at line 3"},
		{"emphasis on many lines", strings.Repeat(e555+"\n", emphasis-2), strings.Repeat(e555+"\n", emphasis+1), "paragraph at line 3"},
		{"nesting", strings.Repeat("> ", maxNesting) + "نص", strings.Repeat("> ", maxNesting+1) + "نص", "line 3 opens 17 nested"},
		{"nested lists", strings.Repeat("1. ", maxNesting) + "نص", "نص\n\n" + strings.Repeat("1) - ", maxNesting/2+1) + "نص", "line 5 opens 18 nested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse("a.md", []byte("# t\n\n"+tc.at), Options{}); err != nil {
				t.Errorf("Parse(%d bytes at the limit) error = %v", len(tc.at), err)
			}
			_, err := Parse("a.md", []byte("# t\n\n"+tc.over), Options{})
			if !errors.Is(err, ErrComplex) || Reason(err) != "markdown_too_complex" || !strings.Contains(err.Error(), tc.errDetail) {
				t.Errorf("Parse(%d bytes over the limit) error = %v (reason %q), want %v naming %q",
					len(tc.over), err, Reason(err), ErrComplex, tc.errDetail)
			}
		})
	}
	// The line is the file's: front matter counts.
	_, err := Parse("a.md", []byte("---\ntitle: t\n---\r\n\r\n"+strings.Repeat("> ", 20)+"x"), Options{})
	if want := "line 5 opens 20 nested"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse(front matter, then nesting) error = %v, want it to name %q", err, want)
	}
}

// TestLongArticle checks that a long article of ordinary paragraphs, with
// links and emphasis, is far from the limits, with or without blank lines
// between its paragraphs (one paragraph of 500 KB, then).
func TestLongArticle(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 500_000; i++ {
		fmt.Fprintf(&b, "قالت **الوزارة** في بيان رقم %d إن الاجتماع سيعقد _غدا_ في [الرياض](../مدن/الرياض.md)، ", i)
		b.WriteString(strings.Repeat("بحضور ممثلي الدول الأعضاء لبحث مستويات الإنتاج وأسعار النفط (برنت وغرب تكساس). ", 30))
		b.WriteString("\n\n")
	}
	for name, body := range map[string]string{
		"paragraphs": b.String(), "one paragraph": strings.ReplaceAll(b.String(), "\n\n", "\n"),
	} {
		a, err := Parse("desk/a.md", []byte("# عنوان\n\n"+body), Options{})
		if err != nil {
			t.Errorf("Parse(%s, %d bytes) error = %v", name, len(body), err)
			continue
		}
		if !strings.Contains(a.Body, "<strong>الوزارة</strong>") {
			t.Errorf("Parse(%s) body lacks its emphasis", name)
		}
	}
}
