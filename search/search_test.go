package search

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// Corpus is one article for each thing the Arabic analysis must get
// right; each query of corpusQueries must find exactly its articles.
var Corpus = map[string]article.Article{
	"ahmad.txt":    {Title: "لقاء في الوزارة", Paragraphs: []string{"قابل أحمد الوزير صباح اليوم."}},
	"school.txt":   {Title: "افتتاح مدرسة جديدة", Paragraphs: []string{"في الحي الشرقي."}},
	"hospital.txt": {Title: "زيارة إلى مستشفى المدينة", Paragraphs: []string{"زار الطبيب المرضى."}},
	"kataba.txt":   {Title: "قصيدة", Paragraphs: []string{"كَتَبَ الشاعرُ قصيدةً طويلة."}},
	"tatweel.txt":  {Title: "رسالة", Paragraphs: []string{"كتـــب الطالب رسالة."}},
	"book.txt":     {Title: "معرض", Paragraphs: []string{"قرأت الكتاب في المعرض."}},
	"official.txt": {Title: "تصريح", Paragraphs: []string{"صرح مسؤول في البلدية بأن الطريق سيفتح."}},
	"rahman.txt":   {Title: "سورة", Paragraphs: []string{"بسم الله الرحمٰن الرحيم."}},
	"year.txt":     {Title: "تقرير عام ٢٠٢٤", Paragraphs: []string{"نتائج السنة."}},
	"budget.txt":   {Title: "ميزانية 2023", Paragraphs: []string{"أرقام الحكومة."}},
	"persian.txt":  {Title: "وصل الشیخ إلی کربلاء", Paragraphs: []string{"زيارة دينية."}},
	"reuters.txt":  {Title: "خبر عاجل", Paragraphs: []string{"نقلت وكالة Reuters عن مصدر أن running مستمر."}},
	"english.md":   {Title: "Marathon", Paragraphs: []string{"The runners were running all morning."}, Lang: "en"},
	"farsi.md":     {Title: "کتابخانه ملی", Paragraphs: []string{"در سال ۱۴۰۳ باز شد."}, Lang: "fa"},
}

// corpusQueries: each variant as a reader may type it, and the articles
// it must find, in path order.
var corpusQueries = []struct {
	name, q string
	want    []string
}{
	{"alef with hamza above", "أحمد", []string{"ahmad.txt"}},
	{"bare alef", "احمد", []string{"ahmad.txt"}},
	{"alef with hamza below", "إحمد", []string{"ahmad.txt"}},
	{"teh marbuta", "مدرسة", []string{"school.txt"}},
	{"heh for teh marbuta", "مدرسه", []string{"school.txt"}},
	{"alef maksura", "مستشفى", []string{"hospital.txt"}},
	{"yeh for alef maksura", "مستشفي", []string{"hospital.txt"}},
	{"without tashkeel", "كتب", []string{"kataba.txt", "tatweel.txt"}},
	{"with tashkeel", "كَتَبَ", []string{"kataba.txt", "tatweel.txt"}},
	{"with tatweel", "كتـــب", []string{"kataba.txt", "tatweel.txt"}},
	{"bare word", "كتاب", []string{"book.txt"}},
	{"with al", "الكتاب", []string{"book.txt"}},
	{"with wa-al", "والكتاب", []string{"book.txt"}},
	{"with bi-al", "بالكتاب", []string{"book.txt"}},
	{"with lil", "للكتاب", []string{"book.txt"}},
	{"waw hamza", "مسؤول", []string{"official.txt"}},
	{"yeh hamza", "مسئول", []string{"official.txt"}},
	{"superscript alef in text", "الرحمن", []string{"rahman.txt"}},
	{"superscript alef in query", "رحمٰن", []string{"rahman.txt"}},
	{"latin digits for arabic-indic", "2024", []string{"year.txt"}},
	{"arabic-indic digits", "٢٠٢٤", []string{"year.txt"}},
	{"eastern arabic-indic digits", "۲۰۲۴", []string{"year.txt"}},
	{"arabic-indic for latin digits", "٢٠٢٣", []string{"budget.txt"}},
	{"arabic kaf for persian keheh", "كربلاء", []string{"persian.txt"}},
	{"arabic yeh for persian yeh", "الشيخ", []string{"persian.txt"}},
	{"persian letters in the query", "کربلاء", []string{"persian.txt"}},
	{"latin name in arabic text", "Reuters", []string{"reuters.txt"}},
	{"latin name lower case", "reuters", []string{"reuters.txt"}},
	{"english stem", "run", []string{"english.md"}},
	{"english word in both", "running", []string{"english.md", "reuters.txt"}},
	{"persian article, arabic letters", "كتابخانه", []string{"farsi.md"}},
	{"persian article, latin digits", "1403", []string{"farsi.md"}},
	{"every word must match", "الكتاب أحمد", nil},
	{"two words of one article", "أحمد الوزير", []string{"ahmad.txt"}},
	{"query syntax is text", `+الكتاب -أحمد`, nil},
	{"field syntax is text", `title:الكتاب`, nil},
	{"quotes and brackets", `"(الكتاب)"`, []string{"book.txt"}},
	{"wildcard is text", `كتا*`, nil},
	{"stop words only", "في من", nil},
	{"punctuation only", `؟!.،:"`, nil},
	{"empty", "", nil},
}

// openStore opens a store in a temporary folder and puts the corpus in it.
func openStore(t testing.TB, corpus map[string]article.Article) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "seedfeed.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var items []storage.Item
	at := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range corpus {
			if !yield(p) {
				return
			}
		}
	}) {
		at = at.Add(time.Minute)
		items = append(items, item(p, corpus[p], at))
	}
	if _, err := s.Put(items...); err != nil {
		t.Fatal(err)
	}
	return s
}

func item(p string, a article.Article, at time.Time) storage.Item {
	return storage.Item{Path: p, Article: a, Published: at, Updated: at, File: storage.File{Size: 1, ModTime: at, Hash: fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(p, a.Title, a.Paragraphs, at))))}}
}

// running is an index kept up to date by Run until the test ends.
func running(t testing.TB, s *storage.Store, dir string) *Index {
	t.Helper()
	x, err := Open(dir, s, Options{Lang: "ar"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	})
	return x
}

// paths returns the paths of the matches of q, sorted.
func paths(t testing.TB, x *Index, q string) []string {
	t.Helper()
	res, err := x.Search(context.Background(), Request{Query: q, Size: 100})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Path)
	}
	if len(out) != res.Total {
		t.Errorf("Search(%q): %d hits, total %d", q, len(out), res.Total)
	}
	slices.Sort(out)
	return out
}

func TestArabicVariants(t *testing.T) {
	s := openStore(t, Corpus)
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool {
		return !x.CatchingUp() && x.Count() == uint64(len(Corpus))
	})
	for _, tc := range corpusQueries {
		t.Run(tc.name, func(t *testing.T) {
			if got := paths(t, x, tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	s := openStore(t, map[string]article.Article{
		"long.txt": {Title: "عنوان", Paragraphs: []string{strings.Repeat("كلام عادي ", 40) + "ثم جاءت المدرسة الجديدة " + strings.Repeat("وكلام بعدها ", 40)}},
	})
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return x.Count() == 1 })
	res, err := x.Search(context.Background(), Request{Query: "مدرسه", Size: 10, Snippets: true})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	var marked []string
	var whole string
	for _, f := range res.Hits[0].Snippet {
		if f.Mark {
			marked = append(marked, f.Text)
		}
		whole += f.Text
	}
	if !slices.Equal(marked, []string{"المدرسة"}) {
		t.Errorf("marked %q, want [المدرسة] as written", marked)
	}
	if !strings.HasPrefix(whole, "… ") || !strings.HasSuffix(whole, " …") || len([]rune(whole)) > snippetLen+4 {
		t.Errorf("snippet %q: want a cut passage of at most %d characters", whole, snippetLen)
	}
}

// TestSnippetBounded: a match deep in a long article is found, but its
// snippet looks no further than snippetScan for it (the text's
// beginning, unmarked), and a search whose time is up while it makes
// snippets ends with its context's error, not late.
func TestSnippetBounded(t *testing.T) {
	var paras []string
	for range 2 * snippetScan / 40 {
		paras = append(paras, "كلام عادي لا شيء فيه")
	}
	s := openStore(t, map[string]article.Article{
		"deep.txt": {Title: "عنوان", Paragraphs: append(paras, "وفي آخره كلمة نادرة: زعفران")},
	})
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return x.Count() == 1 })
	res, err := x.Search(context.Background(), Request{Query: "زعفران", Size: 10, Snippets: true})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	for _, f := range res.Hits[0].Snippet {
		if f.Mark || strings.Contains(f.Text, "زعفران") {
			t.Fatalf("snippet %+v: want the text's beginning, past snippetScan the match is not looked for", res.Hits[0].Snippet)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.snippetOf(ctx, res.Hits[0], "زعفران"); err != context.Canceled {
		t.Errorf("snippetOf with its time up = %v, want context.Canceled", err)
	}
}

func TestBadQueries(t *testing.T) {
	s := openStore(t, Corpus)
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	for _, q := range []string{strings.Repeat("ا", MaxQuery+1), "\xff\xfe"} {
		if _, err := x.Search(context.Background(), Request{Query: q, Size: 10}); err != ErrBadQuery {
			t.Errorf("Search(%.20q) = %v, want ErrBadQuery", q, err)
		}
	}
	if _, err := x.Search(context.Background(), Request{Query: "كتاب", From: MaxResults, Size: 10}); err != ErrBadQuery {
		t.Errorf("Search past MaxResults = %v, want ErrBadQuery", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return x.Count() > 0 })
	if _, err := x.Search(ctx, Request{Query: "كتاب", Size: 10}); err == nil {
		t.Error("Search with a cancelled context: no error")
	}
}

// TestFollowsStore: publication, edit, move and removal each reach the
// search within a second.
func TestFollowsStore(t *testing.T) {
	s := openStore(t, Corpus)
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return !x.CatchingUp() })
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	within := func(what, q string, want []string) {
		t.Helper()
		seedtest.WaitFor(t, time.Second, what, nil, func() bool { return slices.Equal(paths(t, x, q), want) })
	}
	news := item("news.txt", article.Article{Title: "انتخابات البلدية", Paragraphs: []string{"فاز المرشح."}}, at)
	if _, err := s.Put(news); err != nil {
		t.Fatal(err)
	}
	within("a publication", "انتخابات", []string{"news.txt"})
	edited := item("news.txt", article.Article{Title: "نتائج الاقتراع", Paragraphs: []string{"فاز المرشح."}}, at.Add(time.Hour))
	if _, err := s.Put(edited); err != nil {
		t.Fatal(err)
	}
	within("an edit", "الاقتراع", []string{"news.txt"})
	within("an edit's old words", "انتخابات", nil)
	moved := edited
	moved.Path = "محلي/news.txt"
	if _, err := s.Move("news.txt", moved); err != nil {
		t.Fatal(err)
	}
	within("a move", "الاقتراع", []string{"محلي/news.txt"})
	if _, err := s.Remove("محلي/news.txt"); err != nil {
		t.Fatal(err)
	}
	within("a removal", "الاقتراع", nil)
	// Restored from its tombstone, it enters a new page of the main list
	// and leaves none: it must not be lost between the two.
	if _, err := s.Put(moved); err != nil {
		t.Fatal(err)
	}
	within("a restoration", "الاقتراع", []string{"محلي/news.txt"})
}

// TestRestart: an index closed clean starts in step; one behind the
// store, or damaged, is brought in line.
func TestRestart(t *testing.T) {
	dbDir := t.TempDir()
	s, err := storage.Open(filepath.Join(dbDir, "seedfeed.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.Put(item("a.txt", Corpus["book.txt"], at)); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	session := func(t *testing.T, wantCatchUp bool, during func(*Index)) {
		x, err := Open(dir, s, Options{Lang: "ar"})
		if err != nil {
			t.Fatal(err)
		}
		last, err := s.LastChange()
		if err != nil {
			t.Fatal(err)
		}
		if inStep := x.mark.Clean && x.mark.LastChange.Equal(last); inStep == wantCatchUp {
			t.Errorf("opened with marker %+v, last change %v: in step %v, want %v", x.mark, last, inStep, !wantCatchUp)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- x.Run(ctx) }()
		seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return !x.CatchingUp() })
		during(x)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
	session(t, true, func(x *Index) {
		if got := paths(t, x, "كتاب"); !slices.Equal(got, []string{"a.txt"}) {
			t.Errorf("new index: كتاب finds %v", got)
		}
	})
	// Closed clean, nothing changed since: in step at once.
	session(t, false, func(x *Index) {
		if got := paths(t, x, "كتاب"); !slices.Equal(got, []string{"a.txt"}) {
			t.Errorf("index in step: كتاب finds %v", got)
		}
	})
	// Behind: the store changed while no index ran.
	if _, err := s.Put(item("b.txt", Corpus["school.txt"], at.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	session(t, true, func(x *Index) {
		if got := paths(t, x, "مدرسة"); !slices.Equal(got, []string{"b.txt"}) {
			t.Errorf("index behind: مدرسة finds %v", got)
		}
	})
	// Damaged: every file of the index cut short.
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Name() != "index_meta.json" {
			return os.Truncate(p, fi.Size()/3)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	session(t, true, func(x *Index) {
		if got := paths(t, x, "كتاب"); !slices.Equal(got, []string{"a.txt"}) {
			t.Errorf("damaged index: كتاب finds %v", got)
		}
	})
}

// TestNotAnIndex: a folder that holds something else is refused, not
// emptied.
func TestNotAnIndex(t *testing.T) {
	s := openStore(t, nil)
	dir := t.TempDir()
	keep := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, s, Options{}); err == nil {
		t.Fatal("Open of a folder that is not an index: no error")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
}

// TestNewest: the newest matches are exact, whether the first span
// looked at (the last archive pages) holds enough of them or not, with
// articles published out of the order they entered the store.
func TestNewest(t *testing.T) {
	s, err := storage.Open(filepath.Join(t.TempDir(), "seedfeed.db"), storage.Options{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string // newest first
	for i := range 60 {
		at := old.Add(time.Duration(i) * time.Minute)
		if i%6 == 0 { // entered among the old ones, published lately
			at = recent.Add(time.Duration(i) * time.Minute)
		}
		p := fmt.Sprintf("%02d.txt", i)
		if _, err := s.Put(item(p, article.Article{Title: "خبر", Paragraphs: []string{fmt.Sprint("مدرسة ", i)}}, at)); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	published := func(p string) time.Time {
		var i int
		fmt.Sscanf(p, "%02d", &i)
		if i%6 == 0 {
			return recent.Add(time.Duration(i) * time.Minute)
		}
		return old.Add(time.Duration(i) * time.Minute)
	}
	slices.SortFunc(want, func(a, b string) int { return published(b).Compare(published(a)) })
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return x.Count() == 60 })
	for _, tc := range []struct{ from, size int }{{0, 5}, {0, 15}, {0, 30}, {10, 20}, {0, 60}} {
		res, err := x.Search(context.Background(), Request{Query: "مدرسه", Order: Newest, From: tc.from, Size: tc.size})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Path)
		}
		if w := want[tc.from : tc.from+tc.size]; !slices.Equal(got, w) {
			t.Errorf("newest from %d, %d: %v, want %v", tc.from, tc.size, got, w)
		}
	}
}

// TestCatchingUp: an import of more than catchUpGap articles at once
// makes the index say it catches up, in the log and through CatchingUp,
// until it has them all.
func TestCatchingUp(t *testing.T) {
	s := openStore(t, nil)
	log := &seedtest.LogBuffer{}
	x, err := Open(filepath.Join(t.TempDir(), "index"), s, Options{Lang: "ar", Logger: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		x.Close()
	}()
	seedtest.WaitFor(t, 10*time.Second, "the empty index in step", log, func() bool { return log.Count("in step") == 1 })
	if x.CatchingUp() {
		t.Error("an index in step with an empty store says it catches up")
	}
	var items []storage.Item
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range catchUpGap * 3 {
		items = append(items, item(fmt.Sprintf("%04d.txt", i), article.Article{Title: "خبر", Paragraphs: []string{"نص"}}, at.Add(time.Duration(i)*time.Minute)))
	}
	if _, err := s.Put(items...); err != nil {
		t.Fatal(err)
	}
	seedtest.WaitFor(t, 10*time.Second, "the index in step again", log, func() bool { return log.Count("in step") == 2 })
	if n := log.Count("catching up"); n != 2 {
		t.Errorf("%d lines say the index catches up, want 2 (at the start, and for the import):\n%s", n, log)
	}
	if log.Count("in step", fmt.Sprintf("indexed=%d", len(items))) != 1 || x.CatchingUp() || x.Count() != uint64(len(items)) {
		t.Errorf("after the import: catching up %v, %d indexed:\n%s", x.CatchingUp(), x.Count(), log)
	}
}

// TestTitleFirst: among the best matches, an article with the word in
// its title comes before one with it only in its body.
func TestTitleFirst(t *testing.T) {
	s := openStore(t, map[string]article.Article{
		"body.txt": {Title: "أخبار اليوم", Paragraphs: []string{"افتتحت مدرسة في الحي وزارها الوزير."}},
		// Longer: without its title counting more, it would come second.
		"title.txt": {Title: "مدرسة جديدة", Paragraphs: []string{"افتتحت في الحي الشرقي من المدينة القديمة وزارها الوزير مع عدد من المسؤولين والأهالي."}},
	})
	x := running(t, s, filepath.Join(t.TempDir(), "index"))
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool { return x.Count() == 2 })
	res, err := x.Search(context.Background(), Request{Query: "المدرسة", Size: 10})
	if err != nil || len(res.Hits) != 2 || res.Hits[0].Path != "title.txt" {
		t.Errorf("Search(المدرسة) = %+v, %v: want title.txt first", res.Hits, err)
	}
}
