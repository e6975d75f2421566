package article

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestCharset(t *testing.T) {
	for _, tc := range []struct {
		name string
		want encoding.Encoding
		err  bool
	}{
		{"none", nil, false},
		{"windows-1256", charmap.Windows1256, false},
		{"cp1256", charmap.Windows1256, false},
		{"ISO-8859-6", charmap.ISO8859_6, false},
		{"klingon", nil, true},
		{"", nil, true},
	} {
		got, err := Charset(tc.name)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Charset(%q) = %v, %v; want %v, error %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestDecode(t *testing.T) {
	arabic := "مقال: العربية، پ چ ژ گ؛ هل تعمل؟"
	cp1256, err := charmap.Windows1256.NewEncoder().String(arabic)
	if err != nil {
		t.Fatal(err)
	}
	utf := []byte(arabic)
	for _, tc := range []struct {
		name     string
		in       []byte
		fallback encoding.Encoding
		want     string
		err      error // nil: success; errAny: some error
	}{
		{"UTF-8 as it is", utf, charmap.Windows1256, arabic, nil},
		{"UTF-8 with BOM as it is", append([]byte("\uFEFF"), utf...), charmap.Windows1256, "\uFEFF" + arabic, nil},
		{"windows-1256 decoded", []byte(cp1256), charmap.Windows1256, arabic, nil},
		{"windows-1256 refused without fallback", []byte(cp1256), nil, "", ErrNotUTF8},
		{"UTF-8 cut in the middle of a letter", utf[:len(utf)-1], charmap.Windows1256, "", ErrDamagedUTF8},
		{"UTF-8 with one byte lost", append(bytes.Clone(utf[:5]), utf[6:]...), charmap.Windows1256, "", ErrDamagedUTF8},
		{"BOM then invalid bytes", append([]byte("\uFEFF"), cp1256...), charmap.Windows1256, "", ErrDamagedUTF8},
		// Damage in text that is mostly ASCII: the only high bytes are the
		// damaged ones, which windows-1256 would turn into mojibake.
		{"an emoji cut short in ASCII text", []byte("Truncated emoji at end \xf0\x9f\x98\nsecond line\n"), charmap.Windows1256, "", ErrDamagedUTF8},
		{"a letter cut short in ASCII text", []byte("Title \xd9\nparagraph \xd8\xb9\xd8\n"), charmap.Windows1256, "", ErrDamagedUTF8},
		{"CESU-8 surrogates", []byte("Java export \xed\xa0\xbd\xed\xb8\x80 title\nparagraph\n"), charmap.Windows1256, "", ErrDamagedUTF8},
		{"windows-1256 in ASCII text", []byte("English title\nThe word " + cp1256 + " in a sentence.\n"), charmap.Windows1256, "English title\nThe word " + arabic + " in a sentence.\n", nil},
		{"byte undefined in the fallback", []byte("caf\xe9 \x81"), charmap.Windows1252, "", errAny},
		{"NUL", []byte("a\x00b"), charmap.Windows1256, "", ErrBinary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Decode(tc.in, tc.fallback)
			switch {
			case tc.err == errAny && err == nil:
				t.Fatalf("Decode(%q) = %q, want an error", tc.in, got)
			case tc.err != errAny && !errors.Is(err, tc.err):
				t.Fatalf("Decode(%q) error = %v, want %v", tc.in, err, tc.err)
			case err == nil && string(got) != tc.want:
				t.Errorf("Decode(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestParseRefusesReplacementCharacter(t *testing.T) {
	if _, err := Parse("a.txt", []byte("عنوان \uFFFD مكسور"), Options{}); !errors.Is(err, ErrReplacement) {
		t.Errorf("Parse(text with U+FFFD) = %v, want ErrReplacement", err)
	}
}

// FuzzDecode checks that whatever Decode accepts is UTF-8 without
// replacement characters it added, and that UTF-8 passes untouched.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, from, err := Decode(data, charmap.Windows1256)
		if err != nil {
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("Decode(%q) = %q, not UTF-8", data, out)
		}
		if strings.HasPrefix(from, "utf-16") {
			// UTF-16 says what it holds, U+FFFD included: out must be
			// exactly what x/text decodes, without the byte-order mark.
			order := unicode.LittleEndian
			if from == "utf-16be" {
				order = unicode.BigEndian
			}
			want, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(data)
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("Decode(%q) = %q from %s, want %q (%v)", data, out, from, want, err)
			}
			return
		}
		if utf8.Valid(data) {
			if !bytes.Equal(out, data) {
				t.Fatalf("Decode changed valid UTF-8 %q into %q", data, out)
			}
			return
		}
		if strings.ContainsRune(string(out), utf8.RuneError) {
			t.Fatalf("Decode(%q) = %q holds U+FFFD", data, out)
		}
	})
}

// TestDecodeSeedInWindows1256: the project's seed article, a real news
// text, saved in windows-1256, is decoded exactly, not taken for damaged
// UTF-8.
func TestDecodeSeedInWindows1256(t *testing.T) {
	seeds, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seed article: %v", err)
	}
	for _, p := range seeds {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		legacy, err := charmap.Windows1256.NewEncoder().Bytes(text)
		if err != nil {
			t.Fatalf("%s has characters windows-1256 lacks: %v", p, err)
		}
		got, from, err := Decode(legacy, charmap.Windows1256)
		if err != nil || !bytes.Equal(got, text) || from != "windows-1256" {
			t.Errorf("%s in windows-1256: Decode = %v, from %q, text equal: %v", p, err, from, bytes.Equal(got, text))
		}
	}
}

// TestDecodeRightOrRefused: a file in another encoding than the fallback
// is decoded right (UTF-16 with its byte-order mark) or refused with the
// charset it most likely is, never published as mojibake.
func TestDecodeRightOrRefused(t *testing.T) {
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatalf("encode %q: %v", s, err)
		}
		return b
	}
	utf16 := func(order string, s string) []byte {
		e := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
		if order == "be" {
			e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
		}
		return enc(e, s)
	}
	arabic := "الأهلي يفوز: 2-1 في القاهرة\nقال المدرب «سنواصل»."
	french := "Économie : la croissance ralentit\nÀ Paris, l'été fut chaud."
	russian := "Экономика растёт\nПравительство сообщило о росте."
	clitics := "أطلقت شركة آبل هاتف الـiPhone الجديد\nوقالت لـCNN إن شركة Nestlé وCafé ربحت."
	turkish := "Ekonomi: büyüme yavaşladı\nBakanlık dün tahminleri düşürdü."
	arabicISO := "الاقتصاد: تباطؤ النمو\nأعلنت الوزارة أمس خفض التوقعات."
	greek := "Η οικονομία επιβραδύνεται\nΤο υπουργείο μείωσε χθες τις προβλέψεις."
	hebrew := "הכלכלה מאטה\nהמשרד הוריד אתמול את התחזיות."
	czech := "Ekonomika zpomaluje\nMinisterstvo včera snížilo odhady, říká zpráva."
	for _, tc := range []struct {
		name     string
		in       []byte
		fallback encoding.Encoding
		want     string // the text; "" when refused
		from     string // the encoding Decode names
		err      error
		says     string // what the error names
	}{
		{"UTF-16 LE with a byte-order mark", utf16("le", arabic), charmap.Windows1256, arabic, "utf-16le", nil, ""},
		{"UTF-16 BE with a byte-order mark", utf16("be", arabic), charmap.Windows1256, arabic, "utf-16be", nil, ""},
		{"UTF-16 without a fallback", utf16("le", arabic), nil, arabic, "utf-16le", nil, ""},
		{"UTF-16 astral", utf16("le", "😀 ﷲ"), nil, "😀 ﷲ", "utf-16le", nil, ""},
		{"UTF-16 cut to an odd length", utf16("le", arabic)[:9], charmap.Windows1256, "", "", ErrNotUTF8, "utf-16le"},
		{"UTF-16 lone surrogate", []byte("\xff\xfe\x3d\xd8a\x00"), charmap.Windows1256, "", "", ErrNotUTF8, "utf-16le"},
		{"UTF-16 with NUL", []byte("\xfe\xff\x00a\x00\x00"), charmap.Windows1256, "", "", ErrBinary, ""},
		{"windows-1256 Arabic", enc(charmap.Windows1256, arabic), charmap.Windows1256, arabic, "windows-1256", nil, ""},
		{"windows-1256 Arabic with French words", enc(charmap.Windows1256, "مقهى café été\nà la une"), charmap.Windows1256, "مقهى café été\nà la une", "windows-1256", nil, ""},
		{"windows-1252 French read as windows-1256", enc(charmap.Windows1252, french), charmap.Windows1256, "", "", ErrWrongCharset, "windows-1252"},
		{"windows-1251 Russian read as windows-1256", enc(charmap.Windows1251, russian), charmap.Windows1256, "", "", ErrWrongCharset, "windows-1251"},
		{"windows-1256 Arabic read as windows-1252", enc(charmap.Windows1256, arabic), charmap.Windows1252, "", "", ErrWrongCharset, "windows-1256"},
		{"windows-1252 French as windows-1252", enc(charmap.Windows1252, french), charmap.Windows1252, french, "windows-1252", nil, ""},
		// Arabic news writes foreign names with a clitic on them.
		{"windows-1256 with clitics on Latin names", enc(charmap.Windows1256, clitics), charmap.Windows1256, clitics, "windows-1256", nil, ""},
		// Each of these, read as windows-1256, is mojibake; the refusal
		// names the charset it is in.
		{"windows-1254 Turkish read as windows-1256", enc(charmap.Windows1254, turkish), charmap.Windows1256, "", "", ErrWrongCharset, "most likely windows-1254"},
		{"iso-8859-6 Arabic read as windows-1256", enc(charmap.ISO8859_6, arabicISO), charmap.Windows1256, "", "", ErrWrongCharset, "most likely iso-8859-6"},
		{"windows-1253 Greek read as windows-1256", enc(charmap.Windows1253, greek), charmap.Windows1256, "", "", ErrWrongCharset, "most likely windows-1253"},
		{"windows-1255 Hebrew read as windows-1256", enc(charmap.Windows1255, hebrew), charmap.Windows1256, "", "", ErrWrongCharset, "most likely windows-1255"},
		{"windows-1250 Czech read as windows-1256", enc(charmap.Windows1250, czech), charmap.Windows1256, "", "", ErrWrongCharset, "most likely windows-1250"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, from, err := Decode(tc.in, tc.fallback)
			if !errors.Is(err, tc.err) || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Fatalf("Decode(%q) error = %v, want %v naming %q", tc.in, err, tc.err, tc.says)
			}
			if string(got) != tc.want || from != tc.from {
				t.Errorf("Decode(%q) = %q from %q, want %q from %q", tc.in, got, from, tc.want, tc.from)
			}
		})
	}
}

func TestIsAndSlug(t *testing.T) {
	for _, tc := range []struct {
		name string
		is   bool
		slug string
	}{
		{"a.txt", true, "a"},
		{"أخبار/NAME.TXT", true, "أخبار/NAME"},
		{"b.Txt", true, "b"},
		{"c.txt.bak", false, "c.txt.bak"},
		{"d.text", false, "d.text"},
		{"txt", false, "txt"},
		{"dir.txt/e", false, "dir.txt/e"},
	} {
		if is, slug := Is(tc.name), Slug(tc.name); is != tc.is || slug != tc.slug {
			t.Errorf("Is, Slug(%q) = %v, %q; want %v, %q", tc.name, is, slug, tc.is, tc.slug)
		}
	}
}
