package watcher

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/seedfeed/seedfeed/storage"
)

// Reasons Parse gives for refusing a file.
var (
	ErrEmpty   = errors.New("no text: the file is empty or blank")
	ErrNotUTF8 = errors.New("not valid UTF-8")
	ErrBinary  = errors.New("binary: the file contains NUL bytes")
	// ErrReplacement refuses text that an earlier conversion damaged.
	ErrReplacement = errors.New("contains U+FFFD replacement characters: an earlier conversion lost the original text")
)

var bom = []byte("\uFEFF")

// Parse turns the text of an article file into an item with a title and
// paragraphs. The first non-empty line is the title and each following
// non-empty line a paragraph. A leading byte-order mark, CR or CRLF line
// ends and white space around lines are dropped, and so are the control
// characters that XML cannot carry (every C0 control but tab, DEL and the
// C1 controls); every other character is kept exactly as written. Text
// holding U+FFFD, the mark of an earlier failed conversion, is refused.
func Parse(data []byte) (storage.Item, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return storage.Item{}, ErrBinary
	}
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		return storage.Item{}, ErrNotUTF8
	}
	if bytes.ContainsRune(data, utf8.RuneError) {
		return storage.Item{}, ErrReplacement
	}
	var it storage.Item
	for line := range strings.Lines(string(data)) {
		for part := range strings.SplitSeq(line, "\r") { // lone CR ends lines too
			text := strings.TrimSpace(strings.Map(dropControl, part))
			switch {
			case text == "":
			case it.Title == "":
				it.Title = text
			default:
				it.Paragraphs = append(it.Paragraphs, text)
			}
		}
	}
	if it.Title == "" {
		return storage.Item{}, ErrEmpty
	}
	return it, nil
}

// dropControl maps the runes that XML 1.0 forbids or that are invisible
// controls (C0 but tab, DEL, C1, U+FFFE, U+FFFF) to -1, which strings.Map
// drops, and keeps every other rune.
func dropControl(r rune) rune {
	switch {
	case r == '\t':
		return r
	case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff:
		return -1
	}
	return r
}
