package article

import (
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"
)

// Dir returns the direction text is written in, "rtl" or "ltr", by the
// majority of its strongly directional letters, or "" when it has none
// (digits and punctuation only). It decides by majority, not by the first
// letter as dir="auto" does, so that an Arabic paragraph that opens with
// a Latin name stays right to left.
func Dir(text string) string { return countLetters(text).dir() }

// letters counts the strongly directional letters of a text.
type letters struct{ rtl, ltr int }

// countLetters counts the letters of text by direction.
func countLetters(text string) letters {
	var n letters
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			n.rtl++
		case bidi.L:
			n.ltr++
		}
	}
	return n
}

// dir is the direction of the majority (see Dir).
func (n letters) dir() string {
	switch {
	case n.rtl == 0 && n.ltr == 0:
		return ""
	case n.rtl >= n.ltr:
		return "rtl"
	default:
		return "ltr"
	}
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
