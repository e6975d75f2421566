package watcher

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// ErrDamaged refuses a file that is mostly UTF-8 but has invalid bytes:
// decoding it as another charset would publish mojibake.
var ErrDamaged = errors.New("not valid UTF-8: UTF-8 text with damaged bytes (a truncated or corrupted copy?)")

// Charset returns the encoding named by a WHATWG label, such as
// "windows-1256", "cp1256" or "iso-8859-6", or nil for "none".
func Charset(name string) (encoding.Encoding, error) {
	if name == "none" {
		return nil, nil
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	return e, nil
}

// Decode returns data as UTF-8. Valid UTF-8 comes back as it is. Other
// bytes are decoded from fallback when every byte has a meaning there and
// the data does not look like damaged UTF-8; a nil fallback refuses them.
// Decode never returns text with U+FFFD replacement characters that were
// not in the input.
func Decode(data []byte, fallback encoding.Encoding) ([]byte, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, ErrBinary
	}
	if utf8.Valid(data) {
		return data, nil
	}
	if fallback == nil {
		return nil, ErrNotUTF8
	}
	if bytes.HasPrefix(data, bom) || mostlyUTF8(data) {
		return nil, ErrDamaged
	}
	name, _ := htmlindex.Name(fallback)
	out, err := fallback.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w nor %s: %v", ErrNotUTF8, name, err)
	}
	if bytes.ContainsRune(out, utf8.RuneError) {
		return nil, fmt.Errorf("%w nor %s: a byte has no meaning in %s", ErrNotUTF8, name, name)
	}
	return out, nil
}

// mostlyUTF8 reports whether at least half of the non-ASCII bytes of data
// form valid multi-byte UTF-8 sequences. Text in a legacy single-byte
// charset such as windows-1256 rarely does: its letters follow one another
// without the continuation bytes UTF-8 needs.
func mostlyUTF8(data []byte) bool {
	valid, high := 0, 0
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if data[0] >= utf8.RuneSelf {
			high += n
			if r != utf8.RuneError || n > 1 {
				valid += n
			}
		}
		data = data[n:]
	}
	return high > 0 && 2*valid >= high
}
