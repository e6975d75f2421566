package article

import (
	"testing"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

func TestDir(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"مرحبا بالعالم", "rtl"},
		{"Hello, world.", "ltr"},
		{"Reuters: قالت الوزارة إن الاجتماع سيعقد غدا", "rtl"},
		{"The minister said «شكرا» twice", "ltr"},
		{"2024 — 15%", ""},
		{"", ""},
		{"שלום", "rtl"},
		// As many Latin letters as Arabic: too mixed to mark either way.
		{"الفقرة الأولى: <script>alert</script>", ""},
	} {
		if got := Dir(c.text); got != c.want {
			t.Errorf("Dir(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestCountLetters checks the fast paths of countLetters (ASCII, runes of
// two bytes) against bidi's classes for every rune.
func TestCountLetters(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		var want letters
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			want.rtl = 1
		case bidi.L:
			want.ltr = 1
		}
		if got := countLetters(string(r)); got != want {
			t.Fatalf("countLetters(%U) = %+v, want %+v (class %v)", r, got, want, p.Class())
		}
	}
}
