package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/seedfeed/seedfeed/seedtest"
)

// searchCorpus is one file for each thing the Arabic analysis must get
// right (the same as the search package's corpus, here as files).
var searchCorpus = map[string]string{
	"ahmad.txt":    "لقاء في الوزارة\nقابل أحمد الوزير صباح اليوم.\n",
	"school.txt":   "افتتاح مدرسة جديدة\nفي الحي الشرقي.\n",
	"hospital.txt": "زيارة إلى مستشفى المدينة\nزار الطبيب المرضى.\n",
	"kataba.txt":   "قصيدة\nكَتَبَ الشاعرُ قصيدةً طويلة.\n",
	"tatweel.txt":  "رسالة\nكتـــب الطالب رسالة.\n",
	"book.txt":     "معرض\nقرأت الكتاب في المعرض.\n",
	"official.txt": "تصريح\nصرح مسؤول في البلدية بأن الطريق سيفتح.\n",
	"rahman.txt":   "سورة\nبسم الله الرحمٰن الرحيم.\n",
	"year.txt":     "تقرير عام ٢٠٢٤\nنتائج السنة.\n",
	"budget.txt":   "ميزانية 2023\nأرقام الحكومة.\n",
	"persian.txt":  "وصل الشیخ إلی کربلاء\nزيارة دينية.\n",
	"reuters.txt":  "خبر عاجل\nنقلت وكالة Reuters عن مصدر أن running مستمر.\n",
	"english.md":   "---\ntitle: Marathon\nlang: en\n---\n\nThe runners were running all morning.\n",
}

// searchQueries: each variant as a reader may type it, and the slugs of
// the articles it must find, sorted.
var searchQueries = []struct{ q, want string }{
	{"أحمد", "ahmad"}, {"احمد", "ahmad"}, {"إحمد", "ahmad"},
	{"مدرسة", "school"}, {"مدرسه", "school"},
	{"مستشفى", "hospital"}, {"مستشفي", "hospital"},
	{"كتب", "kataba tatweel"}, {"كَتَبَ", "kataba tatweel"}, {"كتـــب", "kataba tatweel"},
	{"كتاب", "book"}, {"الكتاب", "book"}, {"والكتاب", "book"}, {"بالكتاب", "book"}, {"للكتاب", "book"},
	{"مسؤول", "official"}, {"مسئول", "official"},
	{"الرحمن", "rahman"}, {"رحمٰن", "rahman"},
	{"2024", "year"}, {"٢٠٢٤", "year"}, {"۲۰۲۴", "year"}, {"٢٠٢٣", "budget"},
	{"كربلاء", "persian"}, {"الشيخ", "persian"},
	{"Reuters", "reuters"}, {"reuters", "reuters"},
	{"run", "english"}, {"running", "english reuters"},
	{"الكتاب أحمد", ""}, {`+الكتاب -أحمد`, ""}, {`title:الكتاب`, ""},
}

var resultRE = regexp.MustCompile(`<h2><a href="[^"]*/articles/([^"]+)">`)

// TestSearchVariants runs the daemon over the corpus and asks each
// variant of the search page and the three feeds: each finds exactly its
// articles, as the page lists them and as gofeed and feedparser read the
// feeds; the feeds pass the W3C validator's rules, xmllint and (Atom)
// jing.
func TestSearchVariants(t *testing.T) {
	seeds := t.TempDir()
	for name, text := range searchCorpus {
		if err := os.WriteFile(filepath.Join(seeds, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "seedfeed.db"))
	waitSearch(t, d)
	feeds := t.TempDir()
	expect := map[string][]string{} // feed file → the article URLs it must hold
	for i, tc := range searchQueries {
		want := strings.Fields(tc.want)
		q := url.QueryEscape(tc.q)
		_, page := d.get(t, "/search?q="+q)
		var got []string
		for _, m := range resultRE.FindAllStringSubmatch(string(page), -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("the page for %q lists %v, want %v", tc.q, got, want)
		}
		var urls []string
		for _, w := range want {
			urls = append(urls, d.url+"/articles/"+w)
		}
		for _, ext := range []string{"atom", "rss", "json"} {
			resp, body := d.get(t, "/search."+ext+"?q="+q)
			if resp.StatusCode != 200 {
				t.Fatalf("/search.%s?q=%s: %d", ext, tc.q, resp.StatusCode)
			}
			if got := feedLinks(t, body); !slices.Equal(got, urls) {
				t.Errorf("gofeed reads /search.%s for %q as %v, want %v", ext, tc.q, got, urls)
			}
			v := &w3c{t: t}
			switch ext {
			case "atom":
				v.checkAtom(body)
			case "rss":
				v.checkRSS(body)
			}
			for _, m := range v.messages {
				t.Errorf("/search.%s?q=%s: %s", ext, tc.q, m)
			}
			if ext != "json" { // Debian's feedparser reads no JSON Feed
				name := filepath.Join(feeds, strings.Repeat("q", i+1)+"."+ext)
				if err := os.WriteFile(name, body, 0o644); err != nil {
					t.Fatal(err)
				}
				expect[name] = urls
			}
		}
	}
	feedparserLinks(t, expect)
	var atoms, all []string
	for f := range expect {
		all = append(all, f)
		if strings.HasSuffix(f, ".atom") {
			atoms = append(atoms, f)
		}
	}
	t.Run("xmllint", func(t *testing.T) { runTool(t, tool(t, "xmllint"), append([]string{"--noout"}, all...)...) })
	t.Run("jing", func(t *testing.T) {
		runTool(t, tool(t, "jing"), append([]string{"-c", filepath.Join("testdata", "schemas", "atom.rnc")}, atoms...)...)
	})
}

// waitSearch waits until /healthz no longer says the index catches up.
func waitSearch(t *testing.T, d *instance) {
	t.Helper()
	seedtest.WaitFor(t, 20*time.Second, "the search index to catch up", d.log, func() bool {
		resp, body := d.get(t, "/healthz")
		return resp.StatusCode == 200 && !strings.Contains(string(body), `"search"`)
	})
}

// feedLinks returns the sorted links of the entries of a feed, as gofeed
// reads them.
func feedLinks(t *testing.T, body []byte) []string {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, body)
	}
	var links []string
	for _, it := range f.Items {
		links = append(links, it.Link)
	}
	slices.Sort(links)
	return links
}

// feedparserLinks has feedparser read every feed file, and checks that it
// finds no fault and the links expected.
func feedparserLinks(t *testing.T, expect map[string][]string) {
	t.Helper()
	py := python(t, "feedparser")
	var files []string
	for f := range expect {
		files = append(files, f)
	}
	cmd := exec.Command(py, append([]string{"-W", "ignore::DeprecationWarning", "-c", `
import feedparser, json, sys
out = {}
for name in sys.argv[1:]:
    d = feedparser.parse(name)
    if d.bozo:
        print(name, "bozo:", d.bozo_exception, file=sys.stderr)
    out[name] = sorted(e.link for e in d.entries)
print(json.dumps(out))
`}, files...)...)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Fatalf("feedparser: %v\n%s", err, exit.Stderr)
	}
	var got map[string][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("feedparser: %v\n%s", err, out)
	}
	for f, want := range expect {
		if !slices.Equal(got[f], want) && !(len(want) == 0 && len(got[f]) == 0) {
			t.Errorf("feedparser reads %s as %v, want %v", filepath.Base(f), got[f], want)
		}
	}
}

// TestSearchFollowsFiles: a file dropped, edited, renamed and deleted
// shows in the search's feed as it does in the site's, and a restart
// over a clean index does not rebuild it.
func TestSearchFollowsFiles(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	index := filepath.Join(t.TempDir(), "index")
	// A fixed base URL: one from the port would be another setting at
	// each start, which moves the database's last change.
	const base = "http://news.test"
	d := startDaemon(t, seeds, db, "-search-index", index, "-base-url", base)
	waitSearch(t, d)
	finds := func(what, q string, want ...string) {
		t.Helper()
		var urls []string
		for _, w := range want {
			urls = append(urls, base+"/articles/"+w)
		}
		seedtest.WaitFor(t, 3*time.Second, what, d.log, func() bool {
			_, body := d.get(t, "/search.atom?q="+url.QueryEscape(q))
			return slices.Equal(feedLinks(t, body), urls)
		})
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(seeds, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("vote.txt", "انتخابات البلدية\nفاز المرشح بالأغلبية.\n")
	finds("a dropped file", "الانتخابات", "vote")
	write("vote.txt", "نتائج الاقتراع\nفاز المرشح بالأغلبية.\n")
	finds("an edit's new words", "اقتراع", "vote")
	finds("an edit's old words gone", "انتخابات")
	if err := os.Rename(filepath.Join(seeds, "vote.txt"), filepath.Join(seeds, "ballot.txt")); err != nil {
		t.Fatal(err)
	}
	finds("a rename", "الاقتراع", "ballot")
	if err := os.Remove(filepath.Join(seeds, "ballot.txt")); err != nil {
		t.Fatal(err)
	}
	finds("a deletion", "الاقتراع")
	if _, err := os.Stat(filepath.Join(index, "index_meta.json")); err != nil {
		t.Errorf("-search-index %s: no index there: %v", index, err)
	}
	write("again.txt", "مدرسة\nنص.\n")
	finds("a last file", "مدرسه", "again")
	d.stop(t)
	if n := d.log.Count("search index catching up"); n != 1 {
		t.Errorf("the first run caught up %d times, want once (the new index):\n%s", n, d.log)
	}
	d = startDaemon(t, seeds, db, "-search-index", index, "-base-url", base)
	waitSearch(t, d)
	finds("the index after a restart", "مدرسة", "again")
	if n := d.log.Count("search index catching up"); n != 0 {
		t.Errorf("a restart over a clean index caught up %d times:\n%s", n, d.log)
	}
}

// TestSearchIndexFlag: the index's folder defaults to beside the
// database, and a file in its place is a wrong setting.
func TestSearchIndexFlag(t *testing.T) {
	seeds, dir := t.TempDir(), t.TempDir()
	db := filepath.Join(dir, "x.db")
	cfg, err := parseConfig(daemonArgs(seeds, db), env(nil), io.Discard, io.Discard)
	if err != nil || cfg.searchIndex != db+".search" {
		t.Errorf("default -search-index = %q, %v; want %q", cfg.searchIndex, err, db+".search")
	}
	cfg, err = parseConfig(daemonArgs(seeds, db), env(map[string]string{"SEEDFEED_SEARCH_INDEX": filepath.Join(dir, "idx")}), io.Discard, io.Discard)
	if err != nil || cfg.searchIndex != filepath.Join(dir, "idx") {
		t.Errorf("SEEDFEED_SEARCH_INDEX: %q, %v", cfg.searchIndex, err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseConfig(daemonArgs(seeds, db, "-search-index", file), env(nil), io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("-search-index naming a file: %v, want a usage error", err)
	}
}

// TestHealthSearch: /healthz says the search index is catching up until
// it is in step (TestSearchVariants waits for it to say no more, with
// 200).
func TestHealthSearch(t *testing.T) {
	seeds := t.TempDir()
	cfg, err := parseConfig(daemonArgs(seeds, filepath.Join(t.TempDir(), "seedfeed.db")), env(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDaemon(cfg, newLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Not run: a new index has not caught up yet (nor does the watcher
	// run, which makes the answer a 503 here).
	w := httptest.NewRecorder()
	health(d.store, d.watcher, func() bool { return true }, d.searchStatus).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if !strings.Contains(w.Body.String(), `"search":"catching up"`) {
		t.Errorf("/healthz of a daemon whose index catches up: %d %s", w.Code, w.Body)
	}
}
