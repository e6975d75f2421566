package article

import (
	"errors"
	"strings"
)

// Parse turns the bytes of the article file name, a slash-separated path
// under the seeds folder, into an Article. Bytes that are not UTF-8 are
// decoded from opts.Charset when they can be read as that charset (see
// Decode); the name's suffix selects the format (plain text or Markdown,
// see the package comment); what Parse refuses, it refuses with an error
// that Reason names.
func Parse(name string, data []byte, opts Options) (Article, error) {
	text, from, err := Decode(data, opts.Charset)
	if err != nil {
		return Article{}, err
	}
	// Decode checked that text is UTF-8 without NULs.
	var a Article
	if isMarkdown(name) {
		a, err = parseMarkdown(name, string(text), opts)
	} else {
		a, err = parsePlain(name, text, opts)
	}
	if err != nil {
		return Article{}, err
	}
	a.Charset = from
	return a, nil
}

// parsePlain reads a plain-text article: optional front matter, then the
// text as parseText reads it. A first line --- that no later line closes
// is text, as it was before front matter; so is a block between two ---
// lines in which no line starts with a key Parse knows ("title:",
// "date:"…): plain text that opens with a rule, a heading between rules
// or "تنبيه: خبر عاجل" framed by dashes, reads as it did before front
// matter. With a title in the front matter, every line of the text is a
// paragraph.
func parsePlain(name string, data []byte, opts Options) (Article, error) {
	fm, body, found, closed := splitFrontMatter(strings.TrimLeft(string(data), "\uFEFF"))
	if !found || !closed || !namesKnownKey(fm) {
		return parseText(data)
	}
	var a Article
	if err := readFrontMatter(fm, name, opts, &a); err != nil {
		return Article{}, err
	}
	t, err := parseText([]byte(body))
	switch {
	case errors.Is(err, ErrEmpty) && a.Title != "":
		return a, nil
	case errors.Is(err, ErrEmpty):
		return Article{}, ErrNoTitle
	case err != nil:
		return Article{}, err
	case a.Title != "":
		a.Paragraphs = append([]string{t.Title}, t.Paragraphs...)
	default:
		a.Title, a.Paragraphs = t.Title, t.Paragraphs
	}
	return a, nil
}

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

// lineEnds counts the line ends (LF, CRLF or a lone CR) in s.
func lineEnds(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}

// cutLine cuts s at its first line end (LF, CRLF or a lone CR), which
// neither part keeps; ended reports whether there was one.
func cutLine(s string) (line, rest string, ended bool) {
	i := strings.IndexAny(s, "\r\n")
	switch {
	case i < 0:
		return s, "", false
	case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		return s[:i], s[i+2:], true
	}
	return s[:i], s[i+1:], true
}

// cleanText is text with each line cleaned (see clean) and every line
// end made LF, for the parsers of YAML and Markdown, which keep lines.
// Most texts need neither: one scan finds that (a CR is a control), and
// text comes back as it is.
func cleanText(text string) (string, error) {
	if dirty, err := scan(text, true); err != nil || !dirty {
		return text, err
	}
	var b strings.Builder
	b.Grow(len(text))
	for text != "" {
		line, rest, ended := cutLine(text)
		line, err := clean(line)
		if err != nil {
			return "", err
		}
		b.WriteString(line)
		if ended {
			b.WriteByte('\n')
		}
		text = rest
	}
	return b.String(), nil
}

// clean drops from a line the runes that XML 1.0 forbids or that are
// invisible controls (C0 but tab, DEL, C1, U+FFFE, U+FFFF), and refuses
// U+FFFD. Most lines hold none: a scan of the bytes finds that without
// decoding a rune or copying the line.
func clean(line string) (string, error) {
	if dirty, err := scan(line, false); err != nil || !dirty {
		return line, err
	}
	return strings.Map(dropControl, line), nil
}

// scan reports whether s holds a rune that clean drops (but line feeds,
// if lf), or returns ErrReplacement if it holds U+FFFD.
func scan(s string, lf bool) (dirty bool, err error) {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !lead[b] { // most bytes: one table lookup
			continue
		}
		switch {
		case b == '\n' && lf:
		case b < 0x20 && b != '\t', b == 0x7f:
			dirty = true
		case b == 0xc2 && i+1 < len(s) && s[i+1] <= 0x9f: // U+0080–U+009F
			dirty = true
		case b == 0xef && i+2 < len(s) && s[i+1] == 0xbf && s[i+2] >= 0xbd: // U+FFFD–U+FFFF
			if s[i+2] == 0xbd {
				return false, ErrReplacement
			}
			dirty = true
		}
	}
	return dirty, nil
}

// lead marks the bytes that may start a rune clean drops: C0 controls,
// DEL, and the first bytes of C1 controls and of U+FFFD to U+FFFF.
var lead = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\t'
	}
	t[0x7f], t[0xc2], t[0xef] = true, true, true
	return t
}()

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

// namesKnownKey reports whether a line of fm starts with a front-matter
// key Parse knows, followed by a colon.
func namesKnownKey(fm string) bool {
	for line := range strings.Lines(fm) {
		if k, _, ok := strings.Cut(line, ":"); ok {
			if _, known := keys[strings.TrimSpace(k)]; known && k == strings.TrimLeft(k, " \t") {
				return true
			}
		}
	}
	return false
}
