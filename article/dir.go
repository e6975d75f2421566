package article

import (
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"
)

// Dir returns the direction text is written in, "rtl" or "ltr": the
// direction of its strongly directional letters when they outnumber the
// others at least two to one; "" when it has none (digits and punctuation
// only) or is too mixed to say. It decides by the letters, not by the
// first one as dir="auto" does, so that an Arabic paragraph that opens
// with a Latin name stays right to left; and it takes a clear margin, so
// that an Arabic sentence quoting as many Latin letters (a tag, a name)
// is not marked left to right. A paragraph whose Dir differs from its
// article's gets a dir attribute of its own; one whose Dir is "" keeps
// the article's.
func Dir(text string) string { return countLetters(text).dir() }

// letters counts the strongly directional letters of a text.
type letters struct{ rtl, ltr int }

// countLetters counts the letters of text by direction.
func countLetters(text string) letters {
	var n letters
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c < utf8.RuneSelf: // ASCII, the Latin of most mixed text: no table lookup
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				n.ltr++
			}
			i++
			continue
		case c >= 0xc2 && c < 0xe0 && i+1 < len(text) && text[i+1]&0xc0 == 0x80:
			// Two bytes: Arabic, Hebrew, Syriac, Greek, Cyrillic, accented
			// Latin, from a table made of bidi's.
			n.count(twoByteClass[rune(c&0x1f)<<6|rune(text[i+1]&0x3f)])
			i += 2
			continue
		}
		p, size := bidi.LookupString(text[i:])
		n.count(strength(p.Class()))
		i += max(size, 1)
	}
	return n
}

// The directions strength gives a letter.
const (
	neutral = iota
	rightToLeft
	leftToRight
)

// strength is the direction of a letter of the bidi class c, or neutral.
func strength(c bidi.Class) uint8 {
	switch c {
	case bidi.R, bidi.AL:
		return rightToLeft
	case bidi.L:
		return leftToRight
	}
	return neutral
}

// count counts a letter of direction s.
func (n *letters) count(s uint8) {
	switch s {
	case rightToLeft:
		n.rtl++
	case leftToRight:
		n.ltr++
	}
}

// twoByteClass is the strength of each rune that UTF-8 writes in two
// bytes (U+0080 to U+07FF): most letters of RTL text, looked up once.
var twoByteClass = func() (t [0x800]uint8) {
	for r := rune(0x80); r < 0x800; r++ {
		p, _ := bidi.LookupRune(r)
		t[r] = strength(p.Class())
	}
	return t
}()

func (n letters) add(m letters) letters { return letters{n.rtl + m.rtl, n.ltr + m.ltr} }
func (n letters) sub(m letters) letters { return letters{n.rtl - m.rtl, n.ltr - m.ltr} }

// dir is the direction of a clear majority (see Dir).
func (n letters) dir() string {
	switch {
	case n.rtl > 0 && n.rtl >= 2*n.ltr:
		return "rtl"
	case n.ltr > 0 && n.ltr >= 2*n.rtl:
		return "ltr"
	}
	return ""
}

// rtlScripts are the scripts written right to left, by ISO 15924 code.
var rtlScripts = map[string]bool{
	"Adlm": true, "Arab": true, "Hebr": true, "Mand": true, "Mend": true,
	"Nkoo": true, "Rohg": true, "Samr": true, "Syrc": true, "Thaa": true,
	"Yezi": true,
}

// LangDir returns "rtl" for a language written right to left and "ltr"
// otherwise (the undetermined language too), from the language's likely
// script: "ar" and "fa" are rtl, "az-Arab" too, "en" and "ku-Latn" ltr.
func LangDir(tag language.Tag) string {
	script, _ := tag.Script()
	if rtlScripts[script.String()] {
		return "rtl"
	}
	return "ltr"
}
