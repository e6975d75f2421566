package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/seedfeed/seedfeed/seedtest"
)

// TestEndToEnd runs the program, run itself, drops a file and reads it
// back from all three feeds and from its page.
func TestEndToEnd(t *testing.T) {
	seeds := copySeeds(t)
	d := startRun(t, seeds, filepath.Join(t.TempDir(), "e2e.db"))

	for format, entries := range d.readAll(t) {
		if len(entries) != 1 || !strings.HasPrefix(entries[0].Title, "رويترز: ") {
			t.Errorf("%s: the bundled article is missing: %d entries", format, len(entries))
		}
	}

	want := expected{
		Title:      `عاجل: "اختبار" <النظام> & التحقق`,
		Paragraphs: []string{"الفقرة الأولى، مع ٣ أرقام؟", "الفقرة الثانية \u200f(مع علامة اتجاه)."},
	}
	dropped := filepath.Join(seeds, "أخبار اليوم", "مقال [تجريبي].txt")
	os.MkdirAll(filepath.Dir(dropped), 0o755)
	if err := os.WriteFile(dropped, []byte("\uFEFF"+want.Title+"\r\n\r\n"+strings.Join(want.Paragraphs, "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var all map[string][]entry
	entries := func(n int) func() bool {
		return func() bool {
			all = d.readAll(t)
			return len(all["atom"]) == n && len(all["rss"]) == n && len(all["json"]) == n
		}
	}
	seedtest.WaitFor(t, eventLimit, "the dropped file in all three feeds", d.log, entries(2))
	var ids []string
	for format, entries := range all {
		e := entries[0] // the newest
		checkArticle(t, format, e, want)
		ids = append(ids, e.ID)
		// Every entry's link opens the article.
		resp, page := d.get(t, strings.TrimPrefix(e.Link, d.url))
		if resp.StatusCode != 200 {
			t.Errorf("%s link %s = %d", format, e.Link, resp.StatusCode)
			continue
		}
		if _, _, title, paras := readPage(t, page); title != want.Title || !slices.Equal(paras, want.Paragraphs) {
			t.Errorf("%s link %s shows %q, %q", format, e.Link, title, paras)
		}
	}
	if ids[0] != ids[1] || ids[1] != ids[2] || ids[0] == "" {
		t.Errorf("the three feeds give different ids: %q", ids)
	}

	// Deleting the file removes it from every feed.
	os.Remove(dropped)
	seedtest.WaitFor(t, eventLimit, "the deleted file to leave every feed", d.log, entries(1))
}

// TestRestartKeepsIdentity restarts the daemon, then deletes its database
// and starts again: no entry may look new to a reader.
func TestRestartKeepsIdentity(t *testing.T) {
	seeds := copySeeds(t)
	os.MkdirAll(filepath.Join(seeds, "sub"), 0o755)
	os.WriteFile(filepath.Join(seeds, "sub", "ثان.txt"), []byte("مقال ثان\nفقرة"), 0o644)
	db := filepath.Join(t.TempDir(), "id.db")
	// Each run listens on a new port: fix the public URL, as an operator would.
	base := []string{"-base-url", "https://news.example.com"}

	type identity struct{ id, published string }
	snapshot := func(d *instance) map[string]identity {
		m := make(map[string]identity)
		for format, entries := range d.readAll(t) {
			for _, e := range entries {
				m[format+" "+e.Title] = identity{e.ID, e.Published.String()}
			}
		}
		return m
	}
	d := startDaemon(t, seeds, db, base...)
	first := snapshot(d)
	resp, atom := d.get(t, "/feed.atom")
	lastModified := resp.Header.Get("Last-Modified")
	published := value(t, d.scrape(t), "seedfeed_last_publication_timestamp_seconds")
	d.stop(t)
	if len(first) != 6 {
		t.Fatalf("first run: %d entries over three feeds, want 6", len(first))
	}

	d = startDaemon(t, seeds, db, base...)
	if again := snapshot(d); !maps.Equal(first, again) {
		t.Errorf("after a restart:\n%v\nwant\n%v", again, first)
	}
	resp, atomAgain := d.get(t, "/feed.atom")
	if !bytes.Equal(atom, atomAgain) {
		t.Errorf("the Atom feed changed across a restart with nothing changed on disk")
	}
	if lm := resp.Header.Get("Last-Modified"); lm != lastModified {
		t.Errorf("Last-Modified moved across a restart with nothing changed: %s, then %s", lastModified, lm)
	}
	// The time of the last publication is the database's, not zero.
	if p := value(t, d.scrape(t), "seedfeed_last_publication_timestamp_seconds"); p != published || p == 0 {
		t.Errorf("after a restart the last publication is at %v, want %v", p, published)
	}
	d.stop(t)

	// Other settings serve other bytes: Last-Modified must say so. HTTP
	// dates count whole seconds: wait for the clock to pass the next one.
	was, _ := http.ParseTime(lastModified)
	seedtest.WaitFor(t, 3*time.Second, "the clock to pass the next second", nil, func() bool {
		return time.Now().After(was.Add(time.Second))
	})
	d = startDaemon(t, seeds, db, append(base, "-title", "عنوان آخر")...)
	resp, _ = d.get(t, "/feed.atom")
	if now, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil || !now.After(was) {
		t.Errorf("after a restart with another -title, Last-Modified %s, was %s", resp.Header.Get("Last-Modified"), lastModified)
	}
	d.stop(t)

	if err := os.Remove(db); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, seeds, db, base...)
	if fresh := snapshot(d); !maps.Equal(first, fresh) {
		t.Errorf("after deleting the database:\n%v\nwant\n%v", fresh, first)
	}
}

// TestCorpusFidelity reads every article of the corpus back through each
// feed format and its page, and finds the text exactly as its file has it
// (control characters removed, nothing else changed).
func TestCorpusFidelity(t *testing.T) {
	d, want := corpusDaemon(t)
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			_, doc := d.get(t, "/feed."+format)
			lang, entries := readFeed(t, format, doc)
			if lang != "ar" {
				t.Errorf("language = %q, want ar", lang)
			}
			if len(entries) != len(want) {
				t.Errorf("%d entries, want %d", len(entries), len(want))
			}
			byTitle := make(map[string]entry)
			for _, e := range entries {
				byTitle[e.Title] = e
			}
			for _, a := range want {
				e, ok := byTitle[a.Title]
				if !ok {
					t.Errorf("no entry for %s, titled %.100q", a.Path, a.Title)
					continue
				}
				checkArticle(t, format+" "+a.Path, e, a)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		_, doc := d.get(t, "/feed.json")
		_, entries := readFeed(t, "json", doc)
		byTitle := make(map[string]entry)
		for _, e := range entries {
			byTitle[e.Title] = e
		}
		for _, a := range want {
			link := strings.TrimPrefix(byTitle[a.Title].Link, d.url)
			resp, page := d.get(t, link)
			if resp.StatusCode != 200 {
				t.Errorf("%s: GET %s = %d", a.Path, link, resp.StatusCode)
				continue
			}
			lang, dir, title, paras := readPage(t, page)
			if lang != "ar" || dir != "rtl" || title != a.Title || !slices.Equal(paras, a.Paragraphs) {
				t.Errorf("%s: page %s shows lang=%q dir=%q title %.100q paragraphs %.200q", a.Path, link, lang, dir, title, paras)
			}
		}
	})
}

// TestValidators fetches the corpus's feeds from a running daemon and
// hands them to validators and readers that seedfeed's authors did not write.
func TestValidators(t *testing.T) {
	d, want := corpusDaemon(t)
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"feed.atom", "feed.rss", "feed.json"} {
		_, body := d.get(t, "/"+name)
		files[name] = filepath.Join(dir, name)
		if err := os.WriteFile(files[name], body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expected := filepath.Join(dir, "expected.json")
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(expected, data, 0o644)
	script := filepath.Join("testdata", "checkfeeds.py")
	schemas := filepath.Join("testdata", "schemas")

	t.Run("xmllint", func(t *testing.T) {
		runTool(t, tool(t, "xmllint"), "--noout", files["feed.atom"], files["feed.rss"])
	})
	t.Run("jing", func(t *testing.T) {
		runTool(t, tool(t, "jing"), "-c", filepath.Join(schemas, "atom.rnc"), files["feed.atom"])
	})
	t.Run("jsonschema", func(t *testing.T) {
		runTool(t, python(t, "jsonschema"), "-W", "ignore::DeprecationWarning", script, "jsonschema", filepath.Join(schemas, "jsonfeed"), files["feed.json"])
	})
	for _, name := range []string{"feed.atom", "feed.rss"} {
		t.Run("feedparser "+name, func(t *testing.T) {
			runTool(t, python(t, "feedparser"), "-W", "ignore::DeprecationWarning", script, "feedparser", files[name], expected, "ar")
		})
	}
	// Debian's newsboat (2.21) reads Atom and RSS, not JSON Feed.
	for _, name := range []string{"feed.atom", "feed.rss"} {
		t.Run("newsboat "+name, func(t *testing.T) {
			nb := tool(t, "newsboat")
			py := python(t, "sqlite3")
			home := t.TempDir()
			url := d.url + "/" + name
			os.WriteFile(filepath.Join(home, "urls"), []byte(url+"\n"), 0o644)
			os.WriteFile(filepath.Join(home, "config"), nil, 0o644)
			cache := filepath.Join(home, "cache.db")
			cmd := exec.Command(nb, "-u", filepath.Join(home, "urls"), "-c", cache, "-C", filepath.Join(home, "config"), "-x", "reload")
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("newsboat -x reload: %v\n%s", err, out)
			}
			runTool(t, py, "-W", "ignore::DeprecationWarning", script, "newsboat", cache, url, expected)
		})
	}
}

// python finds a python3 that has the named modules: the one on PATH
// (which may be a private one, such as pyenv's) or Debian's.
func python(t *testing.T, modules ...string) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		py, err := exec.LookPath(name)
		if err == nil && exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return py
		}
	}
	if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf("no python3 with %v and SEEDFEED_VALIDATORS=require", modules)
	}
	t.Skipf("no python3 with %v (.ci/run installs them)", modules)
	return ""
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// jing prints start-up warnings about optional Java libraries; they are
	// not about the document.
	var report []string
	for line := range strings.Lines(out.String()) {
		if !strings.HasPrefix(line, "[warning] /usr/bin/jing: Unable to locate") {
			report = append(report, line)
		}
	}
	if err != nil || len(report) > 0 {
		t.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, strings.Join(report, ""))
	}
}

// readAll fetches the three feeds and reads them as a reader would.
func (d *instance) readAll(t *testing.T) map[string][]entry {
	t.Helper()
	all := make(map[string][]entry)
	for _, format := range []string{"atom", "rss", "json"} {
		resp, body := d.get(t, "/feed."+format)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /feed.%s = %d", format, resp.StatusCode)
		}
		lang, entries := readFeed(t, format, body)
		if lang != "ar" {
			t.Errorf("/feed.%s language = %q", format, lang)
		}
		all[format] = entries
	}
	return all
}

// The rest of this file reads feeds and pages back as a reader would:
// through gofeed and an HTML parser, interpreting every text by its
// declared type.

// entry is what a reader shows of one feed entry.
type entry struct {
	ID, Link, Title, Summary string
	Published                time.Time
	Dir, Lang                string
	Paragraphs               []string
}

// readFeed parses a feed document with gofeed and returns its language
// and entries as a reader shows them.
func readFeed(t *testing.T, format string, doc []byte) (string, []entry) {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed %s: %v", format, err)
	}
	var types []textTypes
	if format == "atom" {
		types = atomTypes(t, doc)
	}
	var entries []entry
	for i, it := range f.Items {
		e := entry{ID: it.GUID, Link: it.Link, Title: it.Title, Summary: it.Description}
		if it.PublishedParsed != nil {
			e.Published = *it.PublishedParsed
		}
		switch format {
		case "atom":
			e.Title = readerText(t, e.Title, types[i].Title)
			e.Summary = readerText(t, e.Summary, types[i].Summary)
		case "rss":
			e.Summary = readerText(t, e.Summary, "html") // an RSS description is HTML
		}
		e.Dir, e.Lang, e.Paragraphs = contentParagraphs(t, it.Content)
		entries = append(entries, e)
	}
	return f.Language, entries
}

// textTypes are the declared types of an Atom entry's title and summary.
type textTypes struct{ Title, Summary string }

// atomTypes reads the type attributes of each entry's title and summary,
// which gofeed does not report.
func atomTypes(t *testing.T, doc []byte) []textTypes {
	t.Helper()
	var feed struct {
		Entries []struct {
			Title struct {
				Type string `xml:"type,attr"`
			} `xml:"title"`
			Summary struct {
				Type string `xml:"type,attr"`
			} `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &feed); err != nil {
		t.Fatal(err)
	}
	var types []textTypes
	for _, e := range feed.Entries {
		types = append(types, textTypes{e.Title.Type, e.Summary.Type})
	}
	return types
}

func parseFragment(t *testing.T, s string) []*html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// readerText is what a reader shows of a text: plain text as it is, HTML
// as the text it renders to. Escaped text must not turn into elements.
func readerText(t *testing.T, s, typ string) string {
	t.Helper()
	if typ != "html" {
		return s
	}
	var b strings.Builder
	for _, n := range parseFragment(t, s) {
		if n.Type != html.TextNode {
			t.Fatalf("HTML text %q holds a %q element: the text was not escaped", s, n.Data)
		}
		b.WriteString(n.Data)
	}
	return b.String()
}

// contentParagraphs parses entry HTML and returns the wrapping div's dir
// and lang and the text of each paragraph.
func contentParagraphs(t *testing.T, content string) (dir, lang string, paras []string) {
	t.Helper()
	nodes := parseFragment(t, content)
	if len(nodes) != 1 || nodes[0].Data != "div" {
		t.Fatalf("content %.200q is not one div", content)
	}
	dir, lang = attr(nodes[0], "dir"), attr(nodes[0], "lang")
	for p := nodes[0].FirstChild; p != nil; p = p.NextSibling {
		paras = append(paras, textOf(t, p))
	}
	return dir, lang, paras
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns the text inside n, which must hold nothing but text.
func textOf(t *testing.T, n *html.Node) string {
	t.Helper()
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			t.Fatalf("<%s> holds a %q element: the text was not escaped", n.Data, c.Data)
		}
		b.WriteString(c.Data)
	}
	return b.String()
}

// readPage parses an article page and returns its html element's lang and
// dir, the article's h1 and its paragraphs (the date lines excluded).
func readPage(t *testing.T, page []byte) (lang, dir, title string, paras []string) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		switch {
		case n.DataAtom == atom.Html:
			lang, dir = attr(n, "lang"), attr(n, "dir")
		case n.DataAtom == atom.H1 && n.Parent.DataAtom == atom.Article:
			title = textOf(t, n)
		case n.DataAtom == atom.P && n.Parent.DataAtom == atom.Article:
			if !strings.HasPrefix(attr(n, "class"), "meta") {
				paras = append(paras, textOf(t, n))
			}
		}
	}
	return lang, dir, title, paras
}

// checkArticle compares what a reader shows of e with the article.
func checkArticle(t *testing.T, where string, e entry, want expected) {
	t.Helper()
	if e.Title != want.Title {
		t.Errorf("%s: title %.200q, want %.200q", where, e.Title, want.Title)
	}
	first := ""
	if len(want.Paragraphs) > 0 {
		first = want.Paragraphs[0]
	}
	if e.Summary != first {
		t.Errorf("%s: summary %.200q, want %.200q", where, e.Summary, first)
	}
	if e.Dir != "rtl" || e.Lang != "ar" {
		t.Errorf("%s: content marked dir=%q lang=%q, want rtl, ar", where, e.Dir, e.Lang)
	}
	if !slices.Equal(e.Paragraphs, want.Paragraphs) {
		t.Errorf("%s: paragraphs %.300q, want %.300q", where, e.Paragraphs, want.Paragraphs)
	}
}
