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
		if c := text[i]; c < utf8.RuneSelf { // ASCII, the Latin of most mixed text: no table lookup
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				n.ltr++
			}
			i++
			continue
		}
		p, size := bidi.LookupString(text[i:])
		switch p.Class() {
		case bidi.R, bidi.AL:
			n.rtl++
		case bidi.L:
			n.ltr++
		}
		i += max(size, 1)
	}
	return n
}

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
