package feed

import (
	"errors"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

// Digits names the digits the pages of an Arabic site write numbers in:
// their dates and page numbers. An article's own text keeps the digits
// it is written in.
type Digits uint8

// The digits of Arabic pages, by their CLDR numbering system names. Pages
// in other languages write the digits of their language.
const (
	// ArabicDigits are the Arabic-Indic digits ٠١٢٣٤٥٦٧٨٩ ("arab"),
	// read across the Mashriq.
	ArabicDigits Digits = iota
	// LatinDigits are 0123456789 ("latn"), which Maghreb desks use.
	LatinDigits
)

var digitNames = [...]string{ArabicDigits: "arab", LatinDigits: "latn"}

// String returns the digits' CLDR name: "arab" or "latn".
func (d Digits) String() string {
	if int(d) < len(digitNames) {
		return digitNames[d]
	}
	return "unknown"
}

// MarshalText returns the digits' CLDR name, for flag.TextVar.
func (d Digits) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText sets the digits from their CLDR name, "arab" or "latn".
func (d *Digits) UnmarshalText(b []byte) error {
	for i, n := range digitNames {
		if string(b) == n {
			*d = Digits(i)
			return nil
		}
	}
	return errors.New("want arab (٠١٢٣…) or latn (0123…)")
}

// The languages the pages speak, English first: a page in a language
// that none of them matches gets English words. A regional Arabic has
// only the words its region writes otherwise (the months); the rest it
// takes from Arabic.
var (
	wordLangs = []language.Tag{language.English, language.Arabic,
		language.MustParse("ar-MA"), language.MustParse("ar-DZ"), language.MustParse("ar-TN"),
		language.MustParse("ar-LB"), language.MustParse("ar-SY"), language.MustParse("ar-JO"),
		language.MustParse("ar-IQ"), language.MustParse("ar-PS")}
	wordMatcher = language.NewMatcher(wordLangs)
	wordCatalog = newWordCatalog()
)

// messages are the fixed words of the pages, by key, in English and in
// Arabic. Keys name what the words are for; a format's arguments are
// given in the order of its English form.
var messages = []struct{ key, en, ar string }{
	{"feeds", "Feeds", "الخلاصات"},
	{"subscribe", "Subscribe:", "اشترك:"},
	{"atom", "Atom", "خلاصة Atom"},
	{"rss", "RSS", "خلاصة RSS"},
	{"json", "JSON Feed", "خلاصة JSON"},
	{"sections", "Sections", "الأقسام"},
	{"section", "Section:", "القسم:"},
	{"category", "Category:", "التصنيف:"},
	{"categories", "Categories:", "التصنيفات:"},
	{"tags", "Tags:", "الوسوم:"},
	{"original", "Original:", "الأصل:"},
	{"pages", "Pages", "الصفحات"},
	{"newer", "Newer", "الأحدث"},
	{"older", "Older", "الأقدم"},
	{"page of", "Page %d of %d", "الصفحة %d من %d"},
	{"published", "Published", "نُشر"},
	{"updated", "Updated", "حُدِّث"},
	{"no articles", "No articles yet.", "لا مقالات بعد."},
	{"home", "Home page", "الصفحة الرئيسية"},
	{"not found", "Page not found", "الصفحة غير موجودة"},
	{"not found text", "Nothing is published at this address. It may have been moved or removed.", "لا شيء منشور على هذا العنوان. لعله نُقل أو حُذف."},
	{"search", "Search", "ابحث"},
	{"search label", "Search the site", "البحث في الموقع"},
	{"search for", "Search for “%s”", "البحث عن «%s»"},
	{"results", "Results: %d", "النتائج: %d"},
	{"no results", "No results. Try another word.", "لا نتائج. جرّب كلمة أخرى."},
	{"type a query", "Type a word or a name.", "اكتب كلمة أو اسمًا."},
	{"query not utf-8", "The query is not valid text (UTF-8).", "نص البحث غير صالح (UTF-8)."},
	{"query too long", "The query is longer than %d characters.", "نص البحث أطول من %d حرفًا."},
	{"bad page", "The page must be a number from %d to %d.", "رقم الصفحة عدد من %d إلى %d."},
	{"previous results", "Previous results", "النتائج السابقة"},
	{"next results", "Next results", "النتائج التالية"},
	{"no more results", "Results: %d; no more on this page.", "النتائج: %d، ولا مزيد منها في هذه الصفحة."},
	{"first page", "The first page", "الصفحة الأولى"},
	{"bad request", "Bad request", "طلب غير صالح"},
	{"bad request text", "This address cannot be read. Check it, or start again from the home page.", "تعذّرت قراءة هذا العنوان. تحقّق منه، أو ابدأ من الصفحة الرئيسية."},
	{"not allowed", "Not allowed", "طلب غير مسموح"},
	{"not allowed text", "The pages of this site can only be read.", "صفحات هذا الموقع للقراءة فقط."},
	{"unavailable", "Please wait a moment", "انتظر قليلًا"},
	{"unavailable text", "The site is busy or getting ready. Please try again in a few seconds.", "الموقع مشغول أو يستعدّ. أعد المحاولة بعد ثوانٍ."},
	{"error", "Something went wrong", "حدث خطأ"},
	{"error text", "This page cannot be shown now. Please try again shortly.", "تعذّر عرض هذه الصفحة الآن. أعد المحاولة بعد قليل."},
	// A date: day, month name, year (English writes the month first).
	{"date", "%[2]s %[1]d, %[3]v", "%[1]d %[2]s %[3]v"},
	// A time: hour (1 to 12), minute, before or after noon.
	{"time", "%[1]d:%02[2]d %[3]s", "%[1]d:%02[2]d %[3]s"},
	{"am", "AM", "ص"},
	{"pm", "PM", "م"},
	// A date and a time.
	{"date time", "%[1]s, %[2]s", "%[1]s، %[2]s"},
}

// months are the month names, January first, of Arabic as CLDR writes it
// (Egypt and the Gulf), then of the regions that write them otherwise.
var months = []struct {
	langs []string
	names [12]string
}{
	{[]string{"en"}, [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}},
	{[]string{"ar"}, [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}},
	{[]string{"ar-MA"}, [12]string{"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"}},
	{[]string{"ar-DZ", "ar-TN"}, [12]string{"جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}},
	{[]string{"ar-LB", "ar-SY", "ar-JO", "ar-IQ", "ar-PS"}, [12]string{"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"}},
}

// monthKey is the catalog key of month m.
func monthKey(m time.Month) string { return "month " + m.String() }

func newWordCatalog() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, m := range messages {
		mustSet(b, language.English, m.key, m.en)
		mustSet(b, language.Arabic, m.key, m.ar)
	}
	for _, ms := range months {
		for _, l := range ms.langs {
			for i, name := range ms.names {
				mustSet(b, language.MustParse(l), monthKey(time.Month(i+1)), name)
			}
		}
	}
	return b
}

// mustSet adds a message that is known to be well formed: SetString
// fails only on a malformed message, and these are fixed.
func mustSet(b *catalog.Builder, tag language.Tag, key, msg string) {
	if err := b.SetString(tag, key, msg); err != nil {
		panic(err)
	}
}

// words says the fixed words of a page in its language, and writes its
// dates and numbers as that language does, in the site's time zone.
type words struct {
	p   *message.Printer
	loc *time.Location
}

// wordsFor returns the words of lang, a BCP 47 tag, or English where the
// catalog has not its language. An Arabic page writes the digits d;
// others, their language's.
func wordsFor(lang string, d Digits, loc *time.Location) words {
	t := language.Make(lang)
	_, i, _ := wordMatcher.Match(t)
	want, _ := t.Base()
	if got, _ := wordLangs[i].Base(); got != want {
		// Persian or Kurdish is not Arabic with other words: their
		// months and digits are their own. English, as promised.
		i = 0
	}
	tag := wordLangs[i]
	if base, _ := tag.Base(); base.String() == "ar" {
		// The numbering system as a Unicode extension: x/text formats
		// numbers with it.
		tag = language.Make(tag.String() + "-u-nu-" + d.String())
	}
	if loc == nil {
		loc = time.UTC
	}
	return words{p: message.NewPrinter(tag, message.Catalog(wordCatalog)), loc: loc}
}

// Say returns the words of key, a format given args.
func (w words) Say(key string, args ...any) string { return w.p.Sprintf(key, args...) }

// Date returns t's date in the site's zone, as the page's language
// writes it: "٣ ديسمبر ٢٠٢٦".
func (w words) Date(t time.Time) string {
	t = t.In(w.loc)
	year := number.Decimal(t.Year(), number.NoSeparator())
	return w.p.Sprintf("date", t.Day(), w.p.Sprintf(monthKey(t.Month())), year)
}

// DateTime returns t's date and time in the site's zone, as the page's
// language writes them: "٣ ديسمبر ٢٠٢٦، ١٢:٣٠ ص".
func (w words) DateTime(t time.Time) string {
	t = t.In(w.loc)
	hour, half := t.Hour()%12, "am"
	if hour == 0 {
		hour = 12
	}
	if t.Hour() >= 12 {
		half = "pm"
	}
	clock := w.p.Sprintf("time", hour, t.Minute(), w.p.Sprintf(half))
	return w.p.Sprintf("date time", w.Date(t), clock)
}

// Machine returns t in the site's zone as RFC 3339, for a <time
// datetime>: the moment and the local date it was shown as.
func (w words) Machine(t time.Time) string { return t.In(w.loc).Format(time.RFC3339) }
