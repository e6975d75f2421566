package article

import (
	"errors"
	"path"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/language"
)

// Article is what a file says: its text and what is known about it.
// Where it is, and when it was published, is not the article's to say:
// the store keeps that (Date is what the file asks for).
type Article struct {
	Title string
	// Paragraphs is the body as plain text, one string per paragraph (a
	// Markdown block: paragraph, heading, list item, quote, table row, code
	// block). For a plain-text file it is the body itself.
	Paragraphs []string
	// Body is the body as sanitized HTML, for formats with markup
	// (Markdown); "" for plain text, whose body is Paragraphs. Local
	// references in it (relative links and images) are written as
	// LocalScheme followed by the slash-separated path under the seeds
	// folder they resolve to, percent-encoded as a URL path: the feeds
	// turn them into the URL of that article or media file.
	Body string
	// Summary is the front matter's summary, as plain text; "" for none.
	Summary string
	// Authors are the front matter's author or authors, in order.
	Authors []Author
	// Categories and Tags are as the front matter lists them, without
	// duplicates, in order.
	Categories []string
	Tags       []string
	// Image is the lead image, or nil.
	Image *Image
	// Lang is the article's language as a canonical BCP 47 tag ("en",
	// "ar-EG"), or "" when the file does not say: the site's language.
	Lang string
	// Date is the published date the front matter sets, or the zero time.
	Date time.Time
	// Draft: the file is not to be published (or is to be unpublished).
	Draft bool
	// Link is the original or canonical URL of the article, or "".
	Link string
	// Unknown lists the front-matter keys Parse does not know, sorted:
	// they are kept out of the feeds, and named in the log and by check.
	Unknown []string
	// DroppedLinks lists the destinations, as written and without
	// repeats, of the links and images in the Markdown that Body leaves
	// out, keeping their text: relative ones that lead out of the seeds
	// folder or to neither an article nor a media file (report.pdf, a
	// folder), and ones with a scheme other than http, https or mailto.
	// The log and the check command name them; the store does not keep
	// them.
	DroppedLinks []string
	// Charset is the WHATWG name of the encoding the file was decoded
	// from ("windows-1256", "utf-16le"), or "" for UTF-8: the log and the
	// check command say it.
	Charset string
}

// LocalScheme starts the references in Body that point to a file under
// the seeds folder (see Article.Body).
const LocalScheme = "seedfeed:"

// Author is a person credited with an article.
type Author struct {
	Name  string
	URL   string // "" for none
	Email string // "" for none
}

// Image is an article's lead image: a file under the seeds folder, or a
// URL elsewhere.
type Image struct {
	// Path is the slash-separated path of a local image under the seeds
	// folder, resolved from the article's folder; "" for a remote one.
	Path string
	// URL is the absolute http or https URL of a remote image; "" for a
	// local one.
	URL string
	// Alt is its text alternative (the front matter's image_alt).
	Alt string
	// Type is its media type ("image/jpeg"), from its name; "" for a
	// remote image whose name has no image suffix (photo?id=1).
	Type string
	// Size is its length in bytes: set by whoever reads the file (the
	// watcher) for a local image; 0 when unknown.
	Size int64
}

// Options configure Parse.
type Options struct {
	// Charset decodes files that are not valid UTF-8; nil refuses them.
	Charset encoding.Encoding
	// Location reads front-matter dates that name no zone; nil is UTC.
	Location *time.Location
	// Now is the clock that dates in the future are refused by; nil is
	// time.Now.
	Now func() time.Time
	// Lang is the site's language: a paragraph written in the other
	// direction than the article's language is marked with its own.
	Lang language.Tag
}

// The file name suffixes of article files, in any case: desks that work on
// Windows write NAME.TXT.
const (
	extText     = ".txt"
	extMarkdown = ".md"
)

// Is reports whether name, a file name or a slash-separated path, names an
// article file by its suffix: .txt or .md, in any case. A folder's
// _index.md (or _index.txt) is not one: it describes the folder, as in
// Hugo. It looks at the name only. Hidden and temporary files are the
// finder's business, not this package's.
func Is(name string) bool {
	ext := path.Ext(name)
	if !strings.EqualFold(ext, extText) && !strings.EqualFold(ext, extMarkdown) {
		return false
	}
	return path.Base(name) != sectionName+ext
}

// isMarkdown reports whether name names a Markdown article.
func isMarkdown(name string) bool { return strings.EqualFold(path.Ext(name), extMarkdown) }

// The names, before the suffix, of a page bundle's article and of a
// folder's description. Like Hugo's, they are lower case.
const (
	bundleName  = "index"
	sectionName = "_index"
)

// Slug is the name of the article at p in URLs and keys: the path without
// its article suffix (.txt or .md); for a page bundle, a folder's
// index.md or index.txt, the folder's path, since the folder and the files
// beside its index are the article.
func Slug(p string) string {
	if !Is(p) {
		return p
	}
	s := p[:len(p)-len(path.Ext(p))]
	if dir, ok := strings.CutSuffix(s, "/"+bundleName); ok {
		return dir
	}
	return s
}

// SlugPrefixes returns the prefixes that the path of every article file
// whose slug is slug starts with: slug then a suffix, and the bundle
// slug/index then a suffix.
func SlugPrefixes(slug string) [2]string {
	return [2]string{slug + ".", slug + "/" + bundleName + "."}
}

// Reasons Parse gives for refusing a file.
var (
	ErrEmpty   = errors.New("no text: the file is empty or blank")
	ErrNotUTF8 = errors.New("not valid UTF-8")
	ErrBinary  = errors.New("binary: the file contains NUL bytes")
	// ErrReplacement refuses text that an earlier conversion damaged.
	ErrReplacement = errors.New("contains U+FFFD replacement characters: an earlier conversion lost the original text")
	// ErrWrongCharset refuses a file that is not UTF-8 and does not read
	// as text in the fallback charset: its error names the likely one.
	ErrWrongCharset = errors.New("not valid UTF-8 nor text in the fallback charset")
	// ErrDamagedUTF8 refuses a file that is mostly UTF-8 but has invalid
	// bytes: decoding it as another charset would publish mojibake.
	ErrDamagedUTF8 = errors.New("not valid UTF-8: UTF-8 text with damaged bytes (a truncated or corrupted copy?)")

	// ErrNoTitle refuses a file that has something (front matter, an
	// image) but no title: neither the front matter's title nor a
	// heading nor a line of text.
	ErrNoTitle = errors.New("no title: neither the front matter nor the text gives one")
	// ErrUnclosed refuses a Markdown file whose front matter has no
	// closing --- line.
	ErrUnclosed = errors.New("front matter never closes: no line --- after the opening one")
	// ErrYAML refuses front matter that is not YAML; its error gives the
	// line and column in the file.
	ErrYAML = errors.New("front matter is not valid YAML")
	// ErrAliasBomb refuses front matter whose YAML aliases would expand
	// into far more than the file holds (a "billion laughs").
	ErrAliasBomb = errors.New("front matter aliases expand too far (a YAML alias bomb?)")
	// ErrNotMapping refuses front matter that is YAML but not a mapping
	// of keys to values (a list, a bare string).
	ErrNotMapping = errors.New("front matter is not a mapping of keys to values")
	// ErrBadKey refuses a front-matter key whose value has the wrong type
	// or an invalid value (draft: maybe, lang: not a language, a link
	// that is not an http URL); its error names the key and where it is.
	ErrBadKey = errors.New("bad front matter value")
	// ErrBadDate refuses a date that does not parse, or whose year is
	// before 1800 (0026 for 2026: a typo).
	ErrBadDate = errors.New("bad front matter date")
	// ErrFutureDate refuses a date later than now (plus a minute of clock
	// skew): the error names the date and now.
	ErrFutureDate = errors.New("front matter date is in the future")
	// ErrBadImage refuses an image that is neither a path under the seeds
	// folder nor an http URL, or a local one that is not of a type feeds
	// carry.
	ErrBadImage = errors.New("bad front matter image")
	// ErrComplex refuses Markdown that the parser would take seconds
	// over: a line of unclosed links, a paragraph of mixed emphasis
	// marks, a line of nested quotes or lists (see checkWork); its error
	// names the line.
	ErrComplex = errors.New("too complex for the Markdown parser to read quickly")
)

// Refusal names one reason for refusing a file: its error, and the short
// name metrics and the check command give it.
type Refusal struct {
	Err  error
	Name string
}

// Refusals is a list of reasons, matched in order with errors.Is.
type Refusals []Refusal

// Name returns the name of the first refusal whose error err wraps, or "".
func (rs Refusals) Name(err error) string {
	for _, r := range rs {
		if errors.Is(err, r.Err) {
			return r.Name
		}
	}
	return ""
}

// Names lists the names, in order.
func (rs Refusals) Names() []string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return names
}

// refusals names each reason Parse gives. ErrDamagedUTF8 comes before
// ErrNotUTF8, whose text it shares.
var refusals = Refusals{
	{ErrEmpty, "empty"},
	{ErrBinary, "binary"},
	{ErrDamagedUTF8, "damaged_utf8"},
	{ErrWrongCharset, "wrong_charset"},
	{ErrNotUTF8, "not_utf8"},
	{ErrReplacement, "replacement_char"},
	{ErrNoTitle, "no_title"},
	{ErrUnclosed, "unclosed_front_matter"},
	{ErrYAML, "invalid_yaml"},
	{ErrAliasBomb, "yaml_alias_bomb"},
	{ErrNotMapping, "front_matter_not_mapping"},
	{ErrBadKey, "bad_key"},
	{ErrBadDate, "bad_date"},
	{ErrFutureDate, "future_date"},
	{ErrBadImage, "bad_image"},
	{ErrComplex, "markdown_too_complex"},
}

// Reasons lists every name Reason returns, in a fixed order.
func Reasons() []string { return refusals.Names() }

// Reason names why Parse refused a file, from the short fixed list that
// Reasons returns, or returns "" for an error that is not Parse's.
func Reason(err error) string { return refusals.Name(err) }
