package article

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// bom is UTF-8's byte-order mark: damaged text behind one is damaged UTF-8.
var bom = []byte("\uFEFF")

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

// Decode returns data as UTF-8, and the WHATWG name of the encoding it
// was decoded from ("" for UTF-8). Valid UTF-8 comes back as it is.
// UTF-16 with a byte-order mark (Windows Notepad's "Unicode") is decoded,
// little- or big-endian as the mark says. Other bytes are decoded from
// fallback when every byte has a meaning there, the data does not look
// like damaged UTF-8, and the result reads as text (see word.implausible);
// otherwise they are refused, naming the charset they most likely are,
// rather than published as mojibake. A nil fallback refuses them all.
// Decode never returns text with U+FFFD replacement characters that were
// not in the input.
func Decode(data []byte, fallback encoding.Encoding) (text []byte, from string, err error) {
	if order := utf16Order(data); order != nil {
		return decodeUTF16(data, order)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", ErrBinary
	}
	if utf8.Valid(data) {
		return data, "", nil
	}
	if fallback == nil {
		return nil, "", ErrNotUTF8
	}
	if bytes.HasPrefix(data, bom) || mostlyUTF8(data) {
		return nil, "", ErrDamagedUTF8
	}
	name, _ := htmlindex.Name(fallback)
	out, ok := decode8bit(data, fallback)
	if !ok {
		return nil, "", fmt.Errorf("%w nor %s: a byte has no meaning in %s", ErrNotUTF8, name, name)
	}
	if w := oddWord(string(out)); w != "" {
		return nil, "", fmt.Errorf("%w: read as %s, it has words like %q that no one writes; it is most likely %s",
			ErrWrongCharset, name, w, guessCharset(data, fallback))
	}
	return out, name, nil
}

// decode8bit decodes data from the single-byte encoding e, and reports
// whether every byte has a meaning there.
func decode8bit(data []byte, e encoding.Encoding) ([]byte, bool) {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, false
	}
	return out, true
}

// utf16Order returns the byte order that data's UTF-16 byte-order mark
// names, or nil if data does not start with one.
func utf16Order(data []byte) binary.ByteOrder {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return binary.BigEndian
	}
	return nil
}

// decodeUTF16 decodes UTF-16 that starts with its byte-order mark, which
// it drops. A damaged file (an odd number of bytes, a lone surrogate) is
// refused, and so is one that holds NUL characters, as binary.
func decodeUTF16(data []byte, order binary.ByteOrder) ([]byte, string, error) {
	name := "utf-16le"
	if order == binary.BigEndian {
		name = "utf-16be"
	}
	damaged := fmt.Errorf("%w: damaged %s (an odd number of bytes or a lone surrogate)", ErrNotUTF8, name)
	if len(data)%2 != 0 {
		return nil, "", damaged
	}
	out := make([]byte, 0, len(data))
	for i := 2; i < len(data); i += 2 {
		r := rune(order.Uint16(data[i:]))
		if utf16.IsSurrogate(r) {
			if i+4 > len(data) {
				return nil, "", damaged
			}
			if r = utf16.DecodeRune(r, rune(order.Uint16(data[i+2:]))); r == utf8.RuneError {
				return nil, "", damaged
			}
			i += 2
		}
		if r == 0 {
			return nil, "", ErrBinary
		}
		out = utf8.AppendRune(out, r)
	}
	return out, name, nil
}

// mostlyUTF8 reports whether at least half of the non-ASCII bytes of data
// form UTF-8 sequences: valid ones, or the remains of damaged ones (see
// damagedUTF8). Text in a legacy single-byte charset such as windows-1256
// rarely does: its letters follow one another without the continuation
// bytes UTF-8 needs.
func mostlyUTF8(data []byte) bool {
	valid, high := 0, 0
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if data[0] >= utf8.RuneSelf {
			if r != utf8.RuneError || n > 1 {
				valid += n
			} else if m := damagedUTF8(data); m > 0 {
				n = m
				valid += n
			}
			high += n
		}
		data = data[n:]
	}
	return high > 0 && 2*valid >= high
}

// damagedUTF8 returns the length of the damaged UTF-8 sequence data
// starts with, or 0: a lead byte followed by some, not all, of the
// continuation bytes it needs (a letter cut short by a truncated copy),
// or a surrogate encoded as UTF-8 (ED A0-BF 80-BF, as CESU-8 writes
// characters outside the BMP). A lead byte with no continuation byte at
// all is no evidence: windows-1256 letters are such bytes.
func damagedUTF8(data []byte) int {
	need := 0
	switch b := data[0]; {
	case b >= 0xC2 && b <= 0xDF:
		need = 1
	case b >= 0xE0 && b <= 0xEF:
		need = 2
	case b >= 0xF0 && b <= 0xF4:
		need = 3
	}
	k := 0
	for k < need && 1+k < len(data) && data[1+k]&0xC0 == 0x80 {
		k++
	}
	if k == 0 {
		return 0
	}
	return 1 + k // short of need, or a whole sequence UTF-8 forbids
}
