package storage

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// marshalRecord returns the JSON of a: the very bytes json.Marshal gives
// (TestMarshalRecord and FuzzMarshalRecord hold it to that), written
// without reflection. Storing is the serial part of an import, and
// json.Marshal spent a third of it checking, rune by rune, the Arabic
// text it copied; here a valid two-byte sequence is copied as it is.
// It fails where json.Marshal does: on a time outside years 0 to 9999.
func marshalRecord(a *record) ([]byte, error) {
	b := make([]byte, 0, 256+len(a.Body)+len(a.Summary)+2*len(a.Title)+textLen(a.Paragraphs))
	b = append(b, `{"path":`...)
	b = appendString(b, a.Path)
	b = append(b, `,"title":`...)
	b = appendString(b, a.Title)
	b = append(b, `,"paragraphs":`...)
	b = appendStrings(b, a.Paragraphs)
	var err error
	if b, err = appendTime(append(b, `,"published":`...), a.Published); err != nil {
		return nil, err
	}
	if b, err = appendTime(append(b, `,"updated":`...), a.Updated); err != nil {
		return nil, err
	}
	b = appendField(b, "body", a.Body)
	b = appendField(b, "summary", a.Summary)
	if len(a.Authors) > 0 {
		b = append(b, `,"authors":[`...)
		for i, au := range a.Authors {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(append(b, `{"name":`...), au.Name)
			b = appendField(b, "url", au.URL)
			b = appendField(b, "email", au.Email)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendList(b, "categories", a.Categories)
	b = appendList(b, "tags", a.Tags)
	if im := a.Image; im != nil {
		var in []byte // the members, each after a comma
		in = appendField(in, "path", im.Path)
		in = appendField(in, "url", im.URL)
		in = appendField(in, "alt", im.Alt)
		in = appendField(in, "type", im.Type)
		if im.Size != 0 {
			in = strconv.AppendInt(append(in, `,"size":`...), im.Size, 10)
		}
		b = append(b, `,"image":{`...)
		if len(in) > 0 {
			b = append(b, in[1:]...)
		}
		b = append(b, '}')
	}
	b = appendField(b, "missing_image", a.MissingImage)
	b = appendField(b, "lang", a.Lang)
	if !a.Date.IsZero() {
		if b, err = appendTime(append(b, `,"date":`...), a.Date); err != nil {
			return nil, err
		}
	}
	if a.Draft {
		b = append(b, `,"draft":true`...)
	}
	b = appendField(b, "link", a.Link)
	b = appendList(b, "unknown", a.Unknown)
	return append(b, '}'), nil
}

func textLen(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s) + 3
	}
	return n
}

func appendTime(b []byte, t time.Time) ([]byte, error) {
	data, err := t.MarshalJSON()
	return append(b, data...), err
}

// appendField appends ,"key":s unless s is empty (omitempty).
func appendField(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(append(append(b, `,"`...), key...), `":`...)
	return appendString(b, s)
}

// appendList appends ,"key":[…] unless ss is empty (omitempty).
func appendList(b []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return b
	}
	b = append(append(append(b, `,"`...), key...), `":`...)
	return appendStrings(b, ss)
}

// appendStrings appends ss as a JSON array; nil is null, as json.Marshal
// writes it.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as json.Marshal writes a string: HTML's <, >
// and & escaped, as are U+2028 and U+2029, and invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		// Arabic letters: two bytes, always valid and never escaped.
		if c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
