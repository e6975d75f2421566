package article

import (
	"strings"
)

// parseText turns plain text, known to be UTF-8 without NUL bytes, into
// an article with a title and paragraphs. The first non-empty line is the
// title and each following non-empty line a paragraph. A leading
// byte-order mark, CR or CRLF line ends and white space around lines are
// dropped, and so are the control characters that XML cannot carry (every
// C0 control but tab, DEL and the C1 controls); every other character is
// kept exactly as written. Text holding U+FFFD, the mark of an earlier
// failed conversion, is refused.
func parseText(data []byte) (Article, error) {
	// Leading byte-order marks go, however many a chain of tools left.
	text := strings.TrimLeft(string(data), "\uFEFF")
	var a Article
	for text != "" {
		line := text
		if i := strings.IndexAny(text, "\r\n"); i >= 0 { // a lone CR ends a line too
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line, err := clean(line)
		if err != nil {
			return Article{}, err
		}
		switch line = strings.TrimSpace(line); {
		case line == "":
		case a.Title == "":
			a.Title = line
		default:
			a.Paragraphs = append(a.Paragraphs, line)
		}
	}
	if a.Title == "" {
		return Article{}, ErrEmpty
	}
	return a, nil
}

// clean drops from a line the runes that XML 1.0 forbids or that are
// invisible controls (C0 but tab, DEL, C1, U+FFFE, U+FFFF), and refuses
// U+FFFD. Most lines hold none: a scan of the bytes finds that without
// decoding a rune or copying the line.
func clean(line string) (string, error) {
	dirty := false
	for i := 0; i < len(line); i++ {
		switch b := line[i]; {
		case b < 0x20 && b != '\t', b == 0x7f:
			dirty = true
		case b == 0xc2 && i+1 < len(line) && line[i+1] <= 0x9f: // U+0080–U+009F
			dirty = true
		case b == 0xef && i+2 < len(line) && line[i+1] == 0xbf && line[i+2] >= 0xbd: // U+FFFD–U+FFFF
			if line[i+2] == 0xbd {
				return "", ErrReplacement
			}
			dirty = true
		}
	}
	if !dirty {
		return line, nil
	}
	return strings.Map(dropControl, line), nil
}

// dropControl maps the runes that clean drops to -1, which strings.Map
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
