// Package article turns the bytes of an article file into an Article, or
// into the reason the file is refused. It is a leaf: it knows nothing of
// where files come from, where articles are kept or how they are shown.
//
// An article file today is plain UTF-8 text (or text in a legacy charset,
// see Options.Charset) whose first non-empty line is the title and each
// following non-empty line a paragraph. The file's name selects its
// format, so that other formats (Markdown with front matter) come in here
// without the watcher, the store or the feeds changing how they call it.
package article

import (
	"errors"
	"path"
	"strings"

	"golang.org/x/text/encoding"
)

// Article is what a file says: its text and, as formats grow, what is
// known about it. Where it is, and when it was published, is not the
// article's to say: the store keeps that.
type Article struct {
	Title      string
	Paragraphs []string
	// Charset is the WHATWG name of the encoding the file was decoded
	// from ("windows-1256", "utf-16le"), or "" for UTF-8: the log and the
	// check command say it.
	Charset string
}

// Options configure Parse.
type Options struct {
	// Charset decodes files that are not valid UTF-8; nil refuses them.
	Charset encoding.Encoding
}

// ext is the file name suffix of article files, in any case: desks that
// work on Windows write NAME.TXT.
const ext = ".txt"

// Is reports whether name, a file name or a slash-separated path, names an
// article file by its suffix. Hidden and temporary files are the finder's
// business, not this package's.
func Is(name string) bool { return strings.EqualFold(path.Ext(name), ext) }

// Slug is the name of the article at p in URLs and keys: the path without
// its article suffix.
func Slug(p string) string {
	if Is(p) {
		return p[:len(p)-len(ext)]
	}
	return p
}

// Parse turns the bytes of the article file name into an Article. Bytes
// that are not UTF-8 are decoded from opts.Charset when they can be read
// as that charset (see Decode); what Parse refuses, it refuses with an
// error that Reason names.
func Parse(name string, data []byte, opts Options) (Article, error) {
	text, from, err := Decode(data, opts.Charset)
	if err != nil {
		return Article{}, err
	}
	a, err := parseText(text) // Decode checked that it is UTF-8 without NULs
	if err != nil {
		return Article{}, err
	}
	a.Charset = from
	return a, nil
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
}

// Reasons lists every name Reason returns, in a fixed order.
func Reasons() []string { return refusals.Names() }

// Reason names why Parse refused a file, from the short fixed list that
// Reasons returns, or returns "" for an error that is not Parse's.
func Reason(err error) string { return refusals.Name(err) }
