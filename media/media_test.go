package media

import "testing"

func TestIsAndType(t *testing.T) {
	for _, tc := range []struct {
		name, typ string
	}{
		{"a.jpg", "image/jpeg"},
		{"A.JPEG", "image/jpeg"},
		{"صور/صورة.Png", "image/png"},
		{"x.webp", "image/webp"},
		{"x.GIF", "image/gif"},
		{"x.avif", "image/avif"},
		{"logo.svg", "image/svg+xml"},
		{"a.txt", ""},
		{"a.md", ""},
		{"a.jpg~", ""},
		{"a.jpg.part", ""},
		{"jpg", ""},
		{"a.svgz", ""},
		{"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Type(tc.name); got != tc.typ {
				t.Errorf("Type(%q) = %q, want %q", tc.name, got, tc.typ)
			}
			if got := Is(tc.name); got != (tc.typ != "") {
				t.Errorf("Is(%q) = %v, want %v", tc.name, got, tc.typ != "")
			}
		})
	}
}

func TestURLPath(t *testing.T) {
	for _, tc := range []struct{ rel, want string }{
		{"a.jpg", "/media/a.jpg"},
		{"2024/صورة.jpg", "/media/2024/%D8%B5%D9%88%D8%B1%D8%A9.jpg"},
		{"a b/c?d#e.png", "/media/a%20b/c%3Fd%23e.png"},
	} {
		if got := URLPath(tc.rel); got != tc.want {
			t.Errorf("URLPath(%q) = %q, want %q", tc.rel, got, tc.want)
		}
	}
}
