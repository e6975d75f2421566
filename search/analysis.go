package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/zerowidthnonjoiner"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// The analysis, registered in bleve's registry (bleve finds analyzers by
// name only there and in a mapping): the names this package gives its
// filter and analyzers.
const (
	// FoldName is the token filter that completes bleve's Arabic
	// normalization (see fold).
	FoldName = "seedfeed_fold"
	// analyzerPrefix starts the name of each language's analyzer:
	// seedfeed_ar, seedfeed_en… and seedfeed_plain for a language bleve
	// has no analyzer for.
	analyzerPrefix = "seedfeed_"
	plainLang      = "plain"
)

// wrapped are the languages analyzed by bleve's own analyzer, then
// folded (digits, mostly: an English article may quote ٢٠٢٤).
var wrapped = map[string]string{
	"ckb": ckb.AnalyzerName, "de": de.AnalyzerName, "en": en.AnalyzerName, "es": es.AnalyzerName,
	"fr": fr.AnalyzerName, "it": it.AnalyzerName, "nl": nl.AnalyzerName, "pt": pt.AnalyzerName,
	"ru": ru.AnalyzerName, "tr": tr.AnalyzerName,
}

func init() {
	// bleve's registry is global, and registering a name twice panics:
	// once, here, as bleve's own packages do.
	must(registry.RegisterTokenFilter(FoldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}))
	must(registry.RegisterAnalyzer(analyzerPrefix+"ar", arabicAnalyzer))
	must(registry.RegisterAnalyzer(analyzerPrefix+"fa", persianAnalyzer))
	must(registry.RegisterAnalyzer(analyzerPrefix+plainLang, plainAnalyzer))
	for lang, name := range wrapped {
		must(registry.RegisterAnalyzer(analyzerPrefix+lang, func(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
			inner, err := c.AnalyzerNamed(name)
			if err != nil {
				return nil, err
			}
			return foldedAnalyzer{inner}, nil
		}))
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// analyzerName returns the name of the analyzer for lang, a BCP 47 tag's
// base language ("ar", "en").
func analyzerName(lang string) string { return analyzerPrefix + lang }

// langOf returns the language whose analyzer reads text in tag, a BCP 47
// tag: its base language when this package has an analyzer for it, else
// plainLang.
func langOf(tag string) string {
	base := tag
	for i := 0; i < len(tag); i++ {
		if tag[i] == '-' || tag[i] == '_' {
			base = tag[:i]
			break
		}
	}
	switch _, ok := wrapped[base]; {
	case ok, base == "ar", base == "fa":
		return base
	}
	return plainLang
}

// filters returns the named token filters from the cache, in order.
func filters(c *registry.Cache, names ...string) ([]analysis.TokenFilter, error) {
	out := make([]analysis.TokenFilter, len(names))
	for i, n := range names {
		f, err := c.TokenFilterNamed(n)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// arabicAnalyzer is bleve's Arabic analyzer (lower case, NFKC, stop
// words, normalize_ar, Lucene's light stemmer) with, after NFKC, the
// folding bleve lacks (see fold) and Persian's ی and ک (normalize_fa):
// before the stop words, so that هٰذا is the stop word هذا.
func arabicAnalyzer(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
	tok, err := c.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, err
	}
	fs, err := filters(c, lowercase.Name, FoldName, fa.NormalizeName, ar.StopName, ar.NormalizeName, ar.StemmerName)
	if err != nil {
		return nil, err
	}
	fs = append([]analysis.TokenFilter{fs[0], unicodenorm.MustNewUnicodeNormalizeFilter(unicodenorm.NFKC)}, fs[1:]...)
	return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: fs}, nil
}

// persianAnalyzer is bleve's Persian analyzer with the folding (see
// fold) before its normalization.
func persianAnalyzer(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
	tok, err := c.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, err
	}
	zw, err := c.CharFilterNamed(zerowidthnonjoiner.Name)
	if err != nil {
		return nil, err
	}
	fs, err := filters(c, lowercase.Name, FoldName, ar.NormalizeName, fa.NormalizeName, fa.StopName)
	if err != nil {
		return nil, err
	}
	return &analysis.DefaultAnalyzer{CharFilters: []analysis.CharFilter{zw}, Tokenizer: tok, TokenFilters: fs}, nil
}

// plainAnalyzer reads a language no analyzer knows: words in lower case,
// NFKC, folded, nothing removed.
func plainAnalyzer(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
	tok, err := c.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, err
	}
	fs, err := filters(c, lowercase.Name, FoldName)
	if err != nil {
		return nil, err
	}
	fs = []analysis.TokenFilter{fs[0], unicodenorm.MustNewUnicodeNormalizeFilter(unicodenorm.NFKC), fs[1]}
	return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: fs}, nil
}

// foldedAnalyzer folds what another analyzer gives.
type foldedAnalyzer struct{ inner analysis.Analyzer }

func (a foldedAnalyzer) Analyze(text []byte) analysis.TokenStream {
	return foldFilter{}.Filter(a.inner.Analyze(text))
}

// foldFilter applies fold to every token. It changes terms only, never
// their offsets into the text, so that snippets mark what was written.
type foldFilter struct{}

func (foldFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		t.Term = fold(t.Term)
	}
	return ts
}

// fold completes bleve's Arabic normalization, which knows alef forms,
// ى, ة, tashkeel and tatweel: ؤ and ئ are written ء (مسؤول and مسئول
// are one word), the superscript alef U+0670 goes as the other marks do
// (الرحمٰن is الرحمن), and Arabic-Indic (٠-٩) and Eastern Arabic-Indic
// (۰-۹) digits are Latin ones (٢٠٢٤, ۲۰۲۴ and 2024 are one number).
// It returns term itself when there is nothing to change.
func fold(term []byte) []byte {
	i := 0
	for i < len(term) {
		r, n := utf8.DecodeRune(term[i:])
		if folded(r) != r {
			break
		}
		i += n
	}
	if i == len(term) {
		return term
	}
	out := make([]byte, i, len(term))
	copy(out, term[:i])
	for _, r := range string(term[i:]) {
		if f := folded(r); f >= 0 {
			out = utf8.AppendRune(out, f)
		}
	}
	return out
}

// folded returns what fold makes of r: a rune, or -1 to drop it.
func folded(r rune) rune {
	switch {
	case r == 'ؤ' || r == 'ئ':
		return 'ء'
	case r == '\u0670':
		return -1
	case r >= '٠' && r <= '٩':
		return '0' + r - '٠'
	case r >= '۰' && r <= '۹':
		return '0' + r - '۰'
	}
	return r
}
