package article

import (
	"strings"
	"unicode"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// scripts are the scripts whose letters the legacy single-byte charsets
// carry. Text decoded from the right charset has words in one script each;
// decoded from the wrong one, letters of another script turn up inside
// words, as the É of a windows-1252 "Économie" read as windows-1256 gives
// "ةconomie": Arabic letters do not sit inside Latin words.
var scripts = []*unicode.RangeTable{
	unicode.Latin, unicode.Arabic, unicode.Cyrillic, unicode.Greek, unicode.Hebrew, unicode.Thai,
}

// The indexes in scripts that the rules below name.
const (
	latin    = 0
	cyrillic = 2
	greek    = 3
)

// word is one run of letters and marks in a text, and what its letters are.
type word struct {
	text   string
	script int  // the index in scripts of its first letter's script, or -1
	mixed  bool // it has letters of another script too
	// An uppercase letter after a lowercase one, in a Cyrillic or Greek
	// word: camel case is a Latin habit ("iPhone"), not theirs.
	caseBreak bool
	lower     bool // a lowercase letter was seen
	// The longest run of Latin letters outside ASCII: Arabic or Cyrillic
	// read as windows-1252 is all accents ("ÇáÚÑÈíÉ"); no language
	// strings four together.
	accentRun, run int
	// A format character (a bidi mark, a zero-width joiner) between two
	// Latin letters: windows-1256 puts LRM and RLM where windows-1254 has
	// ş and ı ("yava\u200flad\u200e").
	formatInLatin bool
	last          int // the script of the last letter, or -1
}

// eachWord calls f with each word of text, in order, until f returns false.
// Digits, punctuation and spaces end a word; marks (tashkeel) continue it
// and belong to no script. A format character continues a word between
// two letters of one script (where it is odd: see word) and ends it
// between two scripts, where bidi marks belong.
func eachWord(text string, f func(word) bool) {
	w, start, format := newWord(), -1, -1
	emit := func(end int) bool {
		if start < 0 {
			return true
		}
		w.text = text[start:end]
		ok := f(w)
		w, start = newWord(), -1
		return ok
	}
	for i, r := range text + " " {
		switch {
		case isFormat(r):
			if start >= 0 && format < 0 {
				format = i
			}
			continue
		case !unicode.IsLetter(r) && !unicode.IsMark(r):
			if !emit(cut(format, i)) {
				return
			}
		default:
			s := scriptOf(r)
			if format >= 0 && start >= 0 && s >= 0 && w.last >= 0 && s != w.last {
				if !emit(format) {
					return
				}
			} else if format >= 0 && s == latin && w.last == latin {
				w.formatInLatin = true
			}
			if start < 0 {
				start = i
			}
			w.add(r, s)
		}
		format = -1
	}
}

// cut is where a word that ends at end stops: before the format
// characters that trail it, if any.
func cut(format, end int) int {
	if format >= 0 {
		return format
	}
	return end
}

func newWord() word { return word{script: -1, last: -1} }

func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// add takes the next letter or mark of the word, of script s (-1: none).
func (w *word) add(r rune, s int) {
	switch {
	case s < 0:
		return
	case w.script < 0:
		w.script = s
	case w.script != s:
		w.mixed = true
	}
	w.last = s
	if s == latin {
		if r >= 0x80 {
			w.run++
			w.accentRun = max(w.accentRun, w.run)
		} else {
			w.run = 0
		}
	}
	if (s == cyrillic || s == greek) && unicode.IsUpper(r) && w.lower {
		w.caseBreak = true
	}
	w.lower = w.lower || unicode.IsLower(r)
}

// implausible reports whether no writer would write w (see word).
func (w word) implausible() bool {
	return (w.mixed && !cliticLatin(w.text)) || w.caseBreak || w.accentRun >= 4 || w.formatInLatin
}

// clitics are the Arabic prefixes that attach to a foreign name in news
// text, tatweel and all: "الـiPhone", "لـCNN", "وCafé".
var clitics = []string{"وال", "فال", "بال", "كال", "ال", "لل", "و", "ف", "ب", "ل", "ك"}

// cliticLatin reports whether s is an Arabic clitic, an optional tatweel,
// then a Latin word: Arabic writes foreign names so.
func cliticLatin(s string) bool {
	for _, c := range clitics {
		if rest, ok := strings.CutPrefix(s, c); ok {
			rest = strings.TrimLeft(rest, "\u0640")
			return rest != "" && !strings.ContainsFunc(rest, func(r rune) bool {
				return unicode.IsLetter(r) && scriptOf(r) != latin
			})
		}
	}
	return false
}

// scriptOf returns the index in scripts of r's script, or -1.
func scriptOf(r rune) int {
	for i, t := range scripts {
		if unicode.Is(t, r) {
			return i
		}
	}
	return -1
}

// oddWord returns the first implausible word of text, or "".
func oddWord(text string) string {
	found := ""
	eachWord(text, func(w word) bool {
		if w.implausible() {
			found = w.text
		}
		return found == ""
	})
	return found
}

// oddWords counts the implausible words of text.
func oddWords(text string) int {
	n := 0
	eachWord(text, func(w word) bool {
		if w.implausible() {
			n++
		}
		return true
	})
	return n
}

// A candidate is a legacy charset guessCharset weighs, with the letters
// outside ASCII that its languages use most: for a Latin charset its
// accented letters, for another script the dozen commonest.
type candidate struct {
	enc    encoding.Encoding
	common string
}

// candidates are the charsets guessCharset weighs, the commonest first: a
// tie goes to the earlier one.
var candidates = []candidate{
	{charmap.Windows1252, "éèêëàâäçîïôöûùüÿæœßñáíóú"},
	{charmap.Windows1256, "اليمونهرتبعةأ"},
	{charmap.ISO8859_6, "اليمونهرتبعةأ"},
	{charmap.Windows1251, "оеаинтсрвлкм"},
	{charmap.Windows1250, "áéíóúýčďěňřšťůžąęłńśźżőű"},
	{charmap.Windows1253, "αοειτνσρηκπμάέίόύώή"},
	{charmap.Windows1254, "çğıöşüâîû"},
	{charmap.Windows1255, "יוהלמארבשתנ"},
	{charmap.Windows1257, "āčēģīķļņšūžąęėįų"},
	{charmap.Windows874, "านรอกเงมยลวดทส"},
}

// guessCharset names the legacy charset, other than tried, in which data
// reads most like text: the fewest implausible words (see word), then the
// most of its letters outside ASCII among those its languages use most.
func guessCharset(data []byte, tried encoding.Encoding) string {
	best, bestOdd, bestScore := "", -1, 0.0
	for _, c := range candidates {
		if c.enc == tried {
			continue
		}
		out, ok := decode8bit(data, c.enc)
		if !ok {
			continue
		}
		odd, score := oddWords(string(out)), commonShare(string(out), c.common)
		if bestOdd < 0 || odd < bestOdd || (odd == bestOdd && score > bestScore) {
			best, _ = htmlindex.Name(c.enc)
			bestOdd, bestScore = odd, score
		}
	}
	if best == "" || bestOdd > 0 || bestScore < 0.5 {
		return "in no single-byte charset known here (save it as UTF-8)"
	}
	return best + " (save it as UTF-8)"
}

// commonShare is the share of the letters of text outside ASCII that are
// in common, in either case.
func commonShare(text, common string) float64 {
	n, in := 0, 0
	for _, r := range text {
		if r < 0x80 || !unicode.IsLetter(r) {
			continue
		}
		n++
		if strings.ContainsRune(common, unicode.ToLower(r)) || strings.ContainsRune(common, r) {
			in++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(in) / float64(n)
}
