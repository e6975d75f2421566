package feed

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
	"golang.org/x/net/html/atom"
)

// TestDates: a date is shown in the site's zone, in the page's language,
// with the digits the site chose for Arabic; regions that name the months
// otherwise get theirs; a language the catalog lacks gets English.
func TestDates(t *testing.T) {
	riyadh, err := time.LoadLocation("Asia/Riyadh")
	if err != nil {
		t.Fatal(err)
	}
	// 00:30 in Riyadh, still the 2nd in UTC.
	at := time.Date(2026, 12, 2, 21, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, lang string
		digits     Digits
		loc        *time.Location
		want       string
		machine    string
	}{
		{"Arabic in Riyadh", "ar", ArabicDigits, riyadh, "٣ ديسمبر ٢٠٢٦، ١٢:٣٠ ص", "2026-12-03T00:30:00+03:00"},
		{"Arabic in UTC", "ar", ArabicDigits, nil, "٢ ديسمبر ٢٠٢٦، ٩:٣٠ م", "2026-12-02T21:30:00Z"},
		{"Arabic, Latin digits", "ar", LatinDigits, riyadh, "3 ديسمبر 2026، 12:30 ص", "2026-12-03T00:30:00+03:00"},
		{"Egypt, whose CLDR digits are Latin", "ar-EG", ArabicDigits, riyadh, "٣ ديسمبر ٢٠٢٦، ١٢:٣٠ ص", "2026-12-03T00:30:00+03:00"},
		{"Morocco", "ar-MA", LatinDigits, riyadh, "3 دجنبر 2026، 12:30 ص", "2026-12-03T00:30:00+03:00"},
		{"Algeria", "ar-DZ", LatinDigits, riyadh, "3 ديسمبر 2026، 12:30 ص", "2026-12-03T00:30:00+03:00"},
		{"Lebanon", "ar-LB", ArabicDigits, riyadh, "٣ كانون الأول ٢٠٢٦، ١٢:٣٠ ص", "2026-12-03T00:30:00+03:00"},
		{"English, whatever the Arabic digits", "en", ArabicDigits, riyadh, "December 3, 2026, 12:30 AM", "2026-12-03T00:30:00+03:00"},
		{"French falls back to English", "fr", ArabicDigits, riyadh, "December 3, 2026, 12:30 AM", "2026-12-03T00:30:00+03:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := wordsFor(tc.lang, tc.digits, tc.loc)
			if got := w.DateTime(at); got != tc.want {
				t.Errorf("DateTime(%v) = %q, want %q", at, got, tc.want)
			}
			if got := w.Machine(at); got != tc.machine {
				t.Errorf("Machine(%v) = %q, want %q", at, got, tc.machine)
			}
		})
	}
	// Noon and the hours after it.
	w := wordsFor("ar", ArabicDigits, time.UTC)
	for hour, want := range map[int]string{0: "١٢:٠٥ ص", 11: "١١:٠٥ ص", 12: "١٢:٠٥ م", 13: "١:٠٥ م", 23: "١١:٠٥ م"} {
		if got := w.DateTime(time.Date(2026, 1, 1, hour, 5, 0, 0, time.UTC)); !strings.HasSuffix(got, "، "+want) {
			t.Errorf("DateTime at %d:05 = %q, want it to end in %q", hour, got, want)
		}
	}
}

// TestCatalog: every word has an Arabic and an English form, each its
// own, with the same arguments; every month has a name in each region.
func TestCatalog(t *testing.T) {
	ar, en := wordsFor("ar", LatinDigits, nil), wordsFor("en", LatinDigits, nil)
	for _, m := range messages {
		n := strings.Count(m.en, "%")
		// An argument for each verb: a number for %d, text for the others.
		args := make([]any, n)
		for i, v := range verbRE.FindAllStringSubmatch(m.en, -1) {
			if n, err := strconv.Atoi(v[1] + v[2]); err == nil {
				i = n - 1 // an explicit index
			}
			if args[i] = "x"; v[3] == "d" {
				args[i] = 1
			}
		}
		if m.ar == "" || m.en == "" || strings.Count(m.ar, "%") != n {
			t.Errorf("message %q: %q and %q do not take the same arguments", m.key, m.en, m.ar)
		}
		if a, e := ar.Say(m.key, args...), en.Say(m.key, args...); strings.Contains(a+e, "%!") || a == m.key || e == m.key {
			t.Errorf("message %q says %q in Arabic, %q in English", m.key, a, e)
		}
	}
	for _, ms := range months {
		for _, l := range ms.langs {
			w := wordsFor(l, LatinDigits, nil)
			for i, name := range ms.names {
				if got := w.Say(monthKey(time.Month(i + 1))); got != name || name == "" {
					t.Errorf("%s month %d = %q, want %q", l, i+1, got, name)
				}
			}
		}
	}
}

// verbRE finds the verbs of a format and their explicit argument
// indexes, before or after the width.
var verbRE = regexp.MustCompile(`%(?:\[(\d)\])?0?\d*(?:\[(\d)\])?([dsv])`)

func TestDigitsText(t *testing.T) {
	for _, s := range []string{"arab", "latn"} {
		var d Digits
		if err := d.UnmarshalText([]byte(s)); err != nil || d.String() != s {
			t.Errorf("UnmarshalText(%q) = %v, %v", s, d, err)
		}
	}
	var d Digits
	if err := d.UnmarshalText([]byte("hindi")); err == nil {
		t.Error(`UnmarshalText("hindi") succeeded`)
	}
}

// TestUpdatedShown: an article's page says when it was updated only when
// it was edited after it was published; the store's millisecond steps
// (updatedStep) are no edit.
func TestUpdatedShown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		updated time.Duration
		want    []string
	}{
		{"never edited", 0, nil},
		{"a unique step later", 3 * time.Millisecond, nil},
		{"edited", 90 * time.Minute, []string{"حُدِّث ١٠ فبراير ٢٠٢٤، ١٠:٠٠ ص"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := testItems()[0]
			it.Published, it.Updated = t0, t0.Add(tc.updated)
			page, err := articlePage(it, testConfig)
			if err != nil {
				t.Fatal(err)
			}
			doc := readHead(t, page).doc
			want(t, "updated", find(doc, atom.P, "meta updated"), tc.want)
			want(t, "published", find(doc, atom.P, "meta"), []string{"نُشر ١٠ فبراير ٢٠٢٤، ٨:٣٠ ص"})
		})
	}
}

// TestErrorPages: a path that is not found answers an HTML page in the
// site's language, with a title, a main landmark, a heading and a link
// home, which no cache keeps; HEAD answers the same without the body.
func TestErrorPages(t *testing.T) {
	_, srv := serve(t, storedItems())
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		resp, body := do(t, method, srv.URL+"/no/such/page", nil)
		want(t, method+" status", resp.StatusCode, http.StatusNotFound)
		for k, v := range map[string]string{"Content-Type": typeHTML, "Content-Language": "ar", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"} {
			want(t, method+" "+k, resp.Header.Get(k), v)
		}
		if method == http.MethodHead {
			want(t, "HEAD body", len(body), 0)
			continue
		}
		h := readHead(t, body)
		want(t, "html lang dir", h.lang+" "+h.dir, "ar rtl")
		want(t, "title", find(h.doc, atom.Title, ""), []string{"الصفحة غير موجودة · " + testConfig.Title})
		want(t, "h1", find(h.doc, atom.H1, ""), []string{"الصفحة غير موجودة"})
		want(t, "main", len(find(h.doc, atom.Main, "")), 1)
		if l := links(h.doc, atom.A, "*"); len(l) == 0 || !strings.HasSuffix(l[1], "/") {
			t.Errorf("links %q: want one home after the header's", l)
		}
	}
}

// TestErrorPagesEachStatus: the pages of every error the site answers
// are HTML in the site's language, each with its own heading, keeping
// the headers set before them; another status is a 500.
func TestErrorPagesEachStatus(t *testing.T) {
	pages, err := NewErrorPages(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	for status, heading := range map[int]string{400: "طلب غير صالح", 404: "الصفحة غير موجودة", 405: "طلب غير مسموح", 500: "حدث خطأ", 503: "انتظر قليلًا", 418: "حدث خطأ"} {
		w := httptest.NewRecorder()
		w.Header().Set("Retry-After", "5")
		pages.Write(w, status)
		wantStatus := status
		if status == 418 {
			wantStatus = 500
		}
		if w.Code != wantStatus || w.Header().Get("Content-Type") != typeHTML || w.Header().Get("Content-Language") != "ar" || w.Header().Get("Retry-After") != "5" {
			t.Errorf("Write(%d): %d %v", status, w.Code, w.Header())
		}
		doc := readHead(t, w.Body.Bytes()).doc
		want(t, "h1", find(doc, atom.H1, ""), []string{heading})
	}
}

// TestPageDates: the pages date an article in Config.Location with
// Config.Digits, in <time datetime> too; the feeds keep UTC.
func TestPageDates(t *testing.T) {
	riyadh, err := time.LoadLocation("Asia/Riyadh")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig
	cfg.Location, cfg.Digits = riyadh, LatinDigits
	it := testItems()[0]
	it.Published = time.Date(2026, 12, 2, 21, 30, 0, 0, time.UTC) // 00:30 the 3rd in Riyadh
	it.Updated = it.Published
	page, err := articlePage(it, cfg)
	if err != nil {
		t.Fatal(err)
	}
	doc := readHead(t, page).doc
	want(t, "published", find(doc, atom.P, "meta"), []string{"نُشر 3 ديسمبر 2026، 12:30 ص"})
	var stamps []string
	for n := range doc.Descendants() {
		if n.DataAtom == atom.Time {
			stamps = append(stamps, attr(n, "datetime"))
		}
	}
	want(t, "datetime", stamps, []string{"2026-12-03T00:30:00+03:00"})
	s, err := render([]storage.Item{it}, cfg, it.Updated)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s.atom.plain.body), "<published>2026-12-02T21:30:00Z</published>") {
		t.Errorf("the Atom feed does not date the entry in UTC:\n%s", s.atom.plain.body)
	}
}

// TestWordsOtherLanguages: a language the catalog lacks gets English,
// even one written in Arabic letters: Persian and Kurdish have months
// and digits of their own, which Arabic's would misname (review of
// issue 16). A regional Arabic is Arabic.
func TestWordsOtherLanguages(t *testing.T) {
	march := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for lang, date := range map[string]string{
		"fa": "March 1, 2026", "ckb": "March 1, 2026", "ur": "March 1, 2026", "fr": "March 1, 2026",
		"ar-EG": "١ مارس ٢٠٢٦", "ar-MA": "١ مارس ٢٠٢٦", "ar-SY": "١ آذار ٢٠٢٦",
	} {
		if got := wordsFor(lang, ArabicDigits, nil).Date(march); got != date {
			t.Errorf("%s: Date = %q, want %q", lang, got, date)
		}
	}
}
