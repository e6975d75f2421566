package article

import "golang.org/x/text/unicode/bidi"

// Dir returns the direction text is written in, "rtl" or "ltr", by the
// majority of its strongly directional letters, or "" when it has none
// (digits and punctuation only). It decides by majority, not by the first
// letter as dir="auto" does, so that an Arabic paragraph that opens with
// a Latin name stays right to left.
func Dir(text string) string {
	rtl, ltr := 0, 0
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			rtl++
		case bidi.L:
			ltr++
		}
	}
	switch {
	case rtl == 0 && ltr == 0:
		return ""
	case rtl >= ltr:
		return "rtl"
	default:
		return "ltr"
	}
}
