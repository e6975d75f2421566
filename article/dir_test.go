package article

import "testing"

func TestDir(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"مرحبا بالعالم", "rtl"},
		{"Hello, world.", "ltr"},
		{"Reuters: قالت الوزارة إن الاجتماع سيعقد غدا", "rtl"},
		{"The minister said «شكرا» twice", "ltr"},
		{"2024 — 15%", ""},
		{"", ""},
		{"שלום", "rtl"},
		// As many Latin letters as Arabic: too mixed to mark either way.
		{"الفقرة الأولى: <script>alert</script>", ""},
	} {
		if got := Dir(c.text); got != c.want {
			t.Errorf("Dir(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
