package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// RFC 5005's namespace, of fh:archive.
const nsHistory = "http://purl.org/syndication/history/1.0"

// archiveSize is the -archive-size of the walk: small, so that every list
// of the Markdown corpus has several archive documents, some of them full.
const archiveSize = "2"

// corpusLists returns, for every list the Markdown corpus fills (the
// main list, each section, each category), the entry ids of its
// articles, as the store files them (storage.Item.Lists).
func corpusLists(base string, c mdCorpus) map[storage.List][]string {
	lists := make(map[storage.List][]string)
	for _, a := range c.Articles {
		it := storage.Item{Path: a.Path}
		it.Categories = a.Categories
		id := base + feed.PathArticles + escapePath(article.Slug(a.Path))
		for _, l := range it.Lists() {
			lists[l] = append(lists[l], id)
		}
	}
	return lists
}

// walked is one document of a walk from a feed through its archives.
type walked struct {
	url  string
	body []byte
	ids  []string // its entries' ids, as gofeed reads them
}

// TestDaemonArchiveWalk runs the whole program on the Markdown corpus
// and walks, from the subscription feed of every list in every format,
// the prev-archive links (Atom, and RSS's atom:link) or next_url (JSON
// Feed) to the oldest archive document, and finds every article of the
// list in exactly one archive document or, if in none, in the
// subscription feed; every document passes the
// validators the main feed passes, and the readers read it.
func TestDaemonArchiveWalk(t *testing.T) {
	d, c := markdownDaemon(t, "-archive-size", archiveSize)
	lists := corpusLists(d.url, c)
	if len(lists) < 5 {
		t.Fatalf("the corpus fills %d lists; the walk wants sections and categories", len(lists))
	}
	dir := t.TempDir()
	files := map[feed.Format][]string{}
	ids := map[string][]string{} // each Atom and RSS document's entry ids, by URL
	archived := 0
	for l, want := range lists {
		for _, f := range []feed.Format{feed.Atom, feed.RSS, feed.JSON} {
			start := feed.ListFeedURL(d.url, l, f)
			docs := walkArchives(t, start, f)
			if len(docs) < 2 && len(want) > 2 { // 3 articles fill a page of 2
				t.Errorf("%s: no archive document", start)
			}
			archived += len(docs) - 1
			checkOnce(t, start, docs[0], docs[1:], want)
			for i, doc := range docs {
				name := filepath.Join(dir, fmt.Sprintf("%d-%s-%d.%s", len(files[f]), l.Kind, i, f.Ext()))
				if err := os.WriteFile(name, doc.body, 0o644); err != nil {
					t.Fatal(err)
				}
				files[f] = append(files[f], name)
				if f != feed.JSON {
					ids[doc.url] = doc.ids
				}
			}
		}
	}
	if archived == 0 {
		t.Fatal("no list has an archive document")
	}
	schemas := filepath.Join("testdata", "schemas")
	t.Run("xmllint", func(t *testing.T) {
		runTool(t, tool(t, "xmllint"), append([]string{"--noout"}, slices.Concat(files[feed.Atom], files[feed.RSS])...)...)
	})
	t.Run("jing", func(t *testing.T) {
		runTool(t, tool(t, "jing"), append([]string{"-c", filepath.Join(schemas, "atom.rnc")}, files[feed.Atom]...)...)
	})
	t.Run("jsonschema", func(t *testing.T) {
		py := python(t, "jsonschema")
		for _, f := range files[feed.JSON] {
			runTool(t, py, "-W", "ignore::DeprecationWarning", filepath.Join("testdata", "checkfeeds.py"), "jsonschema", filepath.Join(schemas, "jsonfeed"), f)
		}
	})
	t.Run("w3c", func(t *testing.T) {
		v := &w3c{t: t}
		for _, f := range files[feed.Atom] {
			v.checkAtom(readFile(t, f))
		}
		for _, f := range files[feed.RSS] {
			v.checkRSS(readFile(t, f))
		}
		for _, m := range v.messages {
			t.Error(m)
		}
	})
	t.Run("newsboat", func(t *testing.T) { checkNewsboat(t, ids) })
	t.Run("feedparser", func(t *testing.T) {
		checkFeedparser(t, slices.Concat(files[feed.Atom], files[feed.RSS]))
	})
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// walkArchives fetches the feed at start and then each archive document
// its links lead to, older and older, until one links to none.
func walkArchives(t *testing.T, start string, f feed.Format) []walked {
	t.Helper()
	var docs []walked
	seen := map[string]bool{}
	for u := start; u != ""; {
		if seen[u] || len(docs) > 100 {
			t.Fatalf("%s: the walk comes back to %s", start, u)
		}
		seen[u] = true
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, %v", u, resp.StatusCode, err)
		}
		parsed, err := gofeed.NewParser().ParseString(b.String())
		if err != nil {
			t.Fatalf("gofeed: %s: %v", u, err)
		}
		doc := walked{url: u, body: b.Bytes()}
		for _, it := range parsed.Items {
			doc.ids = append(doc.ids, it.GUID)
		}
		docs = append(docs, doc)
		var links archiveLinks
		if f == feed.JSON {
			links = jsonLinks(t, u, doc.body)
		} else {
			links = xmlLinks(t, u, doc.body)
		}
		if u != start {
			if !links.archive {
				t.Errorf("%s: not marked as an archive", u)
			}
			if f != feed.JSON && links.current != start {
				t.Errorf("%s: current = %q, want %s", u, links.current, start)
			}
		}
		u = links.prev
	}
	return docs
}

// archiveLinks is what a document says of its place in the walk.
type archiveLinks struct {
	prev, current string // prev-archive (next_url in JSON Feed), current
	archive       bool   // fh:archive
}

// xmlLinks reads the RFC 5005 links of an Atom or RSS document: Atom
// link elements, at the top level of the feed or channel.
func xmlLinks(t *testing.T, u string, body []byte) archiveLinks {
	t.Helper()
	var l archiveLinks
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if e.Name.Space == nsHistory && e.Name.Local == "archive" {
				l.archive = true
			}
			// feed > link (Atom), rss > channel > atom:link (RSS).
			if e.Name.Local != "link" || e.Name.Space != "http://www.w3.org/2005/Atom" || depth > 3 {
				continue
			}
			var rel, href string
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "rel":
					rel = a.Value
				case "href":
					href = a.Value
				}
			}
			switch rel {
			case "prev-archive":
				l.prev = href
			case "current":
				l.current = href
			}
		case xml.EndElement:
			depth--
		}
	}
	return l
}

// jsonLinks reads next_url, and whether the document says it is an
// archive, in a JSON Feed.
func jsonLinks(t *testing.T, u string, body []byte) archiveLinks {
	t.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	var l archiveLinks
	if raw, ok := f["next_url"]; ok {
		if err := json.Unmarshal(raw, &l.prev); err != nil {
			t.Fatalf("%s: next_url: %v", u, err)
		}
	}
	l.archive = bytes.Contains(body, []byte(`"archive": true`)) || bytes.Contains(body, []byte(`"archive":true`))
	return l
}

// checkOnce checks that every id of want is in exactly one archive
// document or, if in none, in the subscription feed sub (RFC 5005: only
// full pages are archives, the open one is in the feed), and that no
// document holds anything else.
func checkOnce(t *testing.T, start string, sub walked, archives []walked, want []string) {
	t.Helper()
	count := map[string]int{}
	for _, doc := range archives {
		for _, id := range doc.ids {
			count[id]++
		}
	}
	inFeed := map[string]bool{}
	for _, id := range sub.ids {
		inFeed[id] = true
	}
	for _, id := range want {
		switch {
		case count[id] > 1:
			t.Errorf("%s: %s is in %d archive documents, want 1", start, id, count[id])
		case count[id] == 0 && !inFeed[id]:
			t.Errorf("%s: %s is in no archive document and not in the feed", start, id)
		}
		delete(count, id)
		delete(inFeed, id)
	}
	for id := range count {
		t.Errorf("%s: %s is in the archives, not in the list", start, id)
	}
	for id := range inFeed {
		t.Errorf("%s: %s is in the feed, not in the list", start, id)
	}
}

// checkFeedparser has feedparser read every Atom and RSS document:
// well-formed, with entries, each with an id. (Debian's feedparser 6.0
// does not read JSON Feed; gofeed reads every format in the walk.)
func checkFeedparser(t *testing.T, files []string) {
	py := python(t, "feedparser")
	cmd := exec.Command(py, "-c", `
import feedparser, sys
for name in sys.argv[1:]:
    d = feedparser.parse(name)
    if d.bozo:
        print(name, "bozo:", d.bozo_exception)
    if not d.entries:
        print(name, "no entries")
    for e in d.entries:
        if not e.get("id"):
            print(name, "an entry without id:", e.get("title"))
`)
	cmd.Args = append(cmd.Args, files...)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("feedparser: %v\n%s", err, out)
	}
}

// TestListPagesReachEveryArticle follows rel="next" from the index and
// from every section and category page, and finds a link to each of
// the list's articles.
func TestListPagesReachEveryArticle(t *testing.T) {
	d, c := startMarkdown(t, "-limit", "2")
	lists := corpusLists(d.url, c)
	var missed []string
	// The pages follow the publications: wait until they have them all.
	if !seedtest.Poll(eventLimit, func() bool {
		missed = missed[:0]
		for l, ids := range lists {
			found := followPages(t, feed.ListURL(d.url, l))
			for _, id := range ids { // an article's id is its page's URL here: no renames
				if !found[id] {
					missed = append(missed, feed.ListURL(d.url, l)+" does not reach "+id)
				}
			}
		}
		return len(missed) == 0
	}) {
		t.Errorf("%s\n%s", strings.Join(missed, "\n"), d.log)
	}
}

// followPages follows rel="next" from the page at start, and returns the
// article pages they link to.
func followPages(t *testing.T, start string) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	seen := map[string]bool{}
	for u := start; u != ""; {
		if seen[u] || len(seen) > 100 {
			t.Fatalf("%s: the pages come back to %s", start, u)
		}
		seen[u] = true
		var links []string
		links, u = pageLinks(t, u)
		for _, href := range links {
			found[href] = true
		}
	}
	return found
}

// pageLinks fetches an HTML page and returns the article pages it links
// to and its rel="next", resolved against the page's URL.
func pageLinks(t *testing.T, u string) (articles []string, next string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	base := resp.Request.URL
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || (n.DataAtom != atom.A && n.DataAtom != atom.Link) {
			continue
		}
		var rel, href string
		for _, a := range n.Attr {
			switch a.Key {
			case "rel":
				rel = a.Val
			case "href":
				href = a.Val
			}
		}
		ref, err := base.Parse(href)
		if err != nil {
			t.Errorf("%s: href %q: %v", u, href, err)
			continue
		}
		switch {
		case n.DataAtom == atom.Link && rel == "next":
			next = ref.String()
		case n.DataAtom == atom.A && strings.HasPrefix(ref.Path, feed.PathArticles):
			ref.RawQuery, ref.Fragment = "", ""
			articles = append(articles, ref.String())
		}
	}
	return articles, next
}

// TestSectionIndex runs the whole program on folders with _index.md
// files: a section's feed and page take its title, description and
// language, an article its folder's language, and the seeds folder's
// _index.md gives the site's title where no flag does.
func TestSectionIndex(t *testing.T) {
	seeds := t.TempDir()
	for name, body := range map[string]string{
		"_index.md":              "---\ntitle: أخبار الموقع\n---\n",
		"sport/_index.md":        "---\ntitle: الرياضة\ndescription: أخبار الملاعب\n---\n",
		"world/_index.md":        "---\ntitle: World\nlang: en\n---\n",
		"sport/match.md":         "# مباراة\n\nفاز الفريق.\n",
		"world/summit/report.md": "# Summit\n\nLeaders met.\n",
	} {
		p := filepath.Join(seeds, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		flags []string
		title string
	}{
		{"root _index.md", nil, "أخبار الموقع"},
		{"the flag wins", []string{"-title", "من العلم"}, "من العلم"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startRun(t, seeds, filepath.Join(t.TempDir(), "db"), tc.flags...)
			var site, sport, world *gofeed.Feed
			parse := func(p string) *gofeed.Feed {
				_, body := d.get(t, p)
				f, err := gofeed.NewParser().ParseString(string(body))
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				return f
			}
			seedtest.WaitFor(t, eventLimit, "both articles in the feed", nil, func() bool {
				site = parse("/feed.atom")
				return len(site.Items) == 2
			})
			sport = parse("/sections/sport/feed.atom")
			world = parse("/sections/world/summit/feed.atom")
			if site.Title != tc.title {
				t.Errorf("site title %q, want %q", site.Title, tc.title)
			}
			if want := tc.title + " — الرياضة"; sport.Title != want || sport.Description != "أخبار الملاعب" || sport.Language != "ar" {
				t.Errorf("sport: title %q, description %q, language %q; want %q, أخبار الملاعب, ar", sport.Title, sport.Description, sport.Language, want)
			}
			// world/summit has no _index.md: it inherits world's language.
			if world.Language != "en" || len(world.Items) != 1 {
				t.Errorf("world/summit: language %q, %d items; want en, 1", world.Language, len(world.Items))
			}
			_, page := d.get(t, "/articles/world/summit/report")
			if !bytes.Contains(page, []byte(`<html lang="en" dir="ltr"`)) {
				t.Errorf("the article in world/ is not English:\n%s", page)
			}
			_, page = d.get(t, "/sections/sport/")
			if h := pageHeading(t, page); h != "القسم: الرياضة" {
				t.Errorf("the sport page is headed %q, not by its _index.md title:\n%s", h, page)
			}
		})
	}
}

// checkNewsboat has newsboat (Debian's 2.21 reads Atom and RSS, not JSON
// Feed) fetch every document of the walks. Its cache keeps an entry once
// whatever the documents that hold it, so it must hold every document,
// titled, and every entry any of them holds.
func checkNewsboat(t *testing.T, want map[string][]string) {
	nb := tool(t, "newsboat")
	py := python(t, "sqlite3")
	home := t.TempDir()
	urls := slices.Sorted(maps.Keys(want))
	if err := os.WriteFile(filepath.Join(home, "urls"), []byte(strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, "config"), nil, 0o644)
	cache := filepath.Join(home, "cache.db")
	cmd := exec.Command(nb, "-u", filepath.Join(home, "urls"), "-c", cache, "-C", filepath.Join(home, "config"), "-x", "reload")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("newsboat -x reload: %v\n%s", err, out)
	}
	out, err := exec.Command(py, "-c", `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(json.dumps({
    "feeds": dict(db.execute("SELECT rssurl, title FROM rss_feed")),
    "guids": [g for (g,) in db.execute("SELECT guid FROM rss_item")],
}))
`, cache).Output()
	if err != nil {
		t.Fatalf("read newsboat's cache: %v", err)
	}
	var got struct {
		Feeds map[string]string
		GUIDs []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, u := range urls {
		if got.Feeds[u] == "" {
			t.Errorf("newsboat has no title for %s", u)
		}
		for _, id := range want[u] {
			all[id] = true
		}
	}
	if g, w := slices.Sorted(slices.Values(got.GUIDs)), slices.Sorted(maps.Keys(all)); !slices.Equal(g, w) {
		t.Errorf("newsboat stored the entries %q, want %q", g, w)
	}
}
