package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// listSite is a handler of a real store, with small archive pages and
// feeds, served over real HTTP on 127.0.0.1.
type listSite struct {
	store *storage.Store
	h     *Handler
	srv   *httptest.Server
	base  string
	n     int            // articles put so far
	back  []int          // the backdated articles put so far
	extra []storage.Item // other articles put so far, with their keys
}

// The lists of listItems.
var (
	sport    = storage.List{Kind: storage.Section, Name: "رياضة"}
	football = storage.List{Kind: storage.Section, Name: "رياضة/كرة القدم"}
	politics = storage.List{Kind: storage.Category, Name: "سياسة"}
	slashed  = storage.List{Kind: storage.Category, Name: "a/b"}
)

// listItem is article i of a list site: its folder and categories turn
// with i, so that every list has several archive pages of 3.
func listItem(i int) storage.Item {
	dirs := []string{"رياضة/كرة القدم", "اقتصاد", "رياضة", "x/page/2", ""}
	cats := [][]string{{"سياسة"}, {"A/B", "سياسة"}, nil}
	p := fmt.Sprintf("مقال %02d.txt", i)
	if d := dirs[i%len(dirs)]; d != "" {
		p = d + "/" + p
	}
	at := t0.Add(time.Duration(i) * time.Hour)
	return storage.Item{
		Path:      p,
		Article:   article.Article{Title: fmt.Sprintf("عنوان %d", i), Paragraphs: []string{"نص"}, Categories: cats[i%len(cats)]},
		Published: at, Updated: at,
		File: storage.File{Size: 1, ModTime: at, Hash: fmt.Sprint(i)},
	}
}

func newListSite(t *testing.T, articles int) *listSite {
	t.Helper()
	return newListSiteLimit(t, articles, 2)
}

// newListSiteLimit is newListSite with feeds and pages of limit, and
// the config changed by each of tune.
func newListSiteLimit(t *testing.T, articles, limit int, tune ...func(*Config)) *listSite {
	t.Helper()
	store, err := storage.Open(filepath.Join(t.TempDir(), "test.db"), storage.Options{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := &listSite{store: store, srv: httptest.NewUnstartedServer(nil)}
	s.put(t, articles)
	cfg := testConfig
	cfg.Limit = limit
	cfg.Explicit = Explicit{Title: true, Description: true, Lang: true} // the root _index.md does not win
	cfg.BaseURL = "http://" + s.srv.Listener.Addr().String()
	s.base = cfg.BaseURL
	for _, f := range tune {
		f(&cfg)
	}
	for _, m := range []storage.SectionMeta{
		{Path: "رياضة", Title: "الرياضة", Description: "أخبار الملاعب"},
		{Path: "اقتصاد", Lang: "en"},
		{Path: "x/page", Title: "ليس قسمًا"},
		{Path: "", Title: "not the flag's"},
	} {
		if err := store.PutSection(m); err != nil {
			t.Fatal(err)
		}
	}
	if s.h, err = NewHandler(store, cfg, nil); err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = s.h
	s.srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.h.Run(ctx) }()
	t.Cleanup(func() {
		s.srv.Close()
		cancel()
		<-done
	})
	return s
}

// put stores n more articles, one write each, and waits until the
// handler has seen them.
func (s *listSite) put(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := s.store.Put(listItem(s.n)); err != nil {
			t.Fatal(err)
		}
		s.n++
	}
	s.settle(t)
}

// settle waits until the handler has caught up with the store.
func (s *listSite) settle(t *testing.T) {
	t.Helper()
	if s.h == nil {
		return
	}
	seedtest.WaitFor(t, 5*time.Second, "the handler to see the store's version", nil, func() bool {
		s.h.mu.Lock()
		defer s.h.mu.Unlock()
		return s.h.version == s.store.Version()
	})
}

func (s *listSite) get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	return do(t, http.MethodGet, u, nil)
}

// ids returns the entry ids of the articles put in list l.
func (s *listSite) ids(l storage.List) []string {
	var ids []string
	items := make([]storage.Item, 0, s.n+len(s.back))
	for i := range s.n {
		items = append(items, listItem(i))
	}
	for _, i := range s.back {
		items = append(items, backdated(i))
	}
	for i := range items {
		items[i].Key = strings.TrimSuffix(items[i].Path, ".txt")
	}
	for _, it := range append(items, s.extra...) {
		if slices.Contains(it.Lists(), l) {
			ids = append(ids, EntryID(s.base, it))
		}
	}
	slices.Sort(ids)
	return ids
}

// history is what a walk reads of one feed document.
type history struct {
	ids                                     []string
	archive                                 bool
	self, current, prevArchive, nextArchive string
}

// atomHistory and rssHistory read the links and entries of an Atom or
// RSS document.
func atomHistory(t *testing.T, body []byte) history {
	t.Helper()
	var f struct {
		Links []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
		IDs     []string  `xml:"http://www.w3.org/2005/Atom entry>id"`
		Channel struct {
			Links []struct {
				Href string `xml:"href,attr"`
				Rel  string `xml:"rel,attr"`
			} `xml:"http://www.w3.org/2005/Atom link"`
			Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
			IDs     []string  `xml:"item>guid"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatalf("%v:\n%s", err, body)
	}
	if f.Channel.Links != nil { // RSS
		f.Links, f.Archive, f.IDs = f.Channel.Links, f.Channel.Archive, f.Channel.IDs
	}
	h := history{ids: f.IDs, archive: f.Archive != nil}
	for _, l := range f.Links {
		switch l.Rel {
		case "self":
			h.self = l.Href
		case "current":
			h.current = l.Href
		case "prev-archive":
			h.prevArchive = l.Href
		case "next-archive":
			h.nextArchive = l.Href
		}
	}
	return h
}

func jsonHistoryOf(t *testing.T, body []byte) history {
	t.Helper()
	var f struct {
		FeedURL string `json:"feed_url"`
		NextURL string `json:"next_url"`
		Items   []struct {
			ID string `json:"id"`
		} `json:"items"`
		Ext *jsonHistory `json:"_rfc5005"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("%v:\n%s", err, body)
	}
	h := history{self: f.FeedURL, prevArchive: f.NextURL}
	for _, it := range f.Items {
		h.ids = append(h.ids, it.ID)
	}
	if e := f.Ext; e != nil {
		h.archive, h.current, h.nextArchive = e.Archive, e.Current, e.NextArchive
		if e.PrevArchive != f.NextURL {
			t.Errorf("%s: _rfc5005.prev_archive = %q, next_url %q", f.FeedURL, e.PrevArchive, f.NextURL)
		}
	}
	return h
}

// walked is what a walk from a subscription feed read.
type walked struct {
	feed     []string          // the feed's own entry ids
	archived []string          // the archive documents' entry ids, sorted
	archives []string          // the archive documents' URLs, newest first
	docs     map[string][]byte // every document read, by URL
}

// walk follows prev-archive (next_url in JSON) from list l's feed in
// format f, checking each document's links, and returns what it read. It
// stops before an archive document in stop, as an RFC 5005 §4.2 client
// does at one it has already read.
func (s *listSite) walk(t *testing.T, l storage.List, f Format, stop ...string) walked {
	t.Helper()
	read := historyOf(f)
	feedURL := ListFeedURL(s.base, l, f)
	w := walked{docs: map[string][]byte{}}
	u, next := feedURL, ""
	for i := 0; u != "" && !slices.Contains(stop, u); i++ {
		if i > 50 {
			t.Fatalf("walk from %s does not end", feedURL)
		}
		resp, body := s.get(t, u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		w.docs[u] = body
		h := read(t, body)
		if h.self != u {
			t.Errorf("%s: self %q", u, h.self)
		}
		if i > 0 { // an archive document
			w.archived = append(w.archived, h.ids...)
			w.archives = append(w.archives, u)
			if !h.archive || h.current != feedURL || h.nextArchive != next {
				t.Errorf("%s: archive %v, current %q, next-archive %q; want current %q, next-archive %q", u, h.archive, h.current, h.nextArchive, feedURL, next)
			}
		} else {
			w.feed = h.ids
			if h.archive {
				t.Errorf("%s: a subscription feed marked as an archive", u)
			}
		}
		next, u = u, h.prevArchive
		if i == 0 {
			next = "" // the newest archive document has no next-archive
		}
	}
	slices.Sort(w.archived)
	return w
}

// known returns the ids the walk found: each archived one once, and the
// feed's; it fails t if an archived id is in two archive documents.
func (w walked) known(t *testing.T) []string {
	t.Helper()
	ids := slices.Clone(w.archived)
	if c := slices.Compact(slices.Clone(ids)); len(c) != len(ids) {
		t.Errorf("an article is in two archive documents: %q", ids)
	}
	ids = append(ids, w.feed...)
	slices.Sort(ids)
	return slices.Compact(ids)
}

func historyOf(f Format) func(*testing.T, []byte) history {
	if f == JSON {
		return jsonHistoryOf
	}
	return atomHistory
}

// TestArchiveWalk walks prev-archive and next_url from the main feed, a
// section's and a category's (Arabic, and one with a "/" in its term), in
// every format: every article of the list is in exactly one archive
// document or, if in none, in the subscription feed; every document read
// passes the validators and gofeed reads it.
func TestArchiveWalk(t *testing.T) {
	s := newListSite(t, 20)
	dir := t.TempDir()
	var atoms, xmls, jsons []string
	for _, l := range []storage.List{{}, sport, football, politics, slashed} {
		for _, f := range []Format{Atom, RSS, JSON} {
			w := s.walk(t, l, f)
			want := s.ids(l)
			if ids := w.known(t); len(want) < 4 || !slices.Equal(ids, want) {
				t.Errorf("walk %s %s: %d ids %q, want %d %q", l.Name, f.Ext(), len(ids), ids, len(want), want)
			}
			for u, body := range w.docs {
				if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
					t.Errorf("gofeed %s: %v", u, err)
				}
				name := filepath.Join(dir, fmt.Sprintf("%d.%s", len(atoms)+len(xmls)+len(jsons), f.Ext()))
				if err := os.WriteFile(name, body, 0o644); err != nil {
					t.Fatal(err)
				}
				switch f {
				case Atom:
					atoms = append(atoms, name)
				case RSS:
					xmls = append(xmls, name)
				case JSON:
					jsons = append(jsons, name)
				}
			}
		}
	}
	validate(t, atoms, xmls, jsons)
}

// validate hands files to xmllint, jing with RFC 4287's schema, and the
// JSON Feed schema, as TestRichValidators does.
func validate(t *testing.T, atoms, rss, jsons []string) {
	schemas := filepath.Join("..", "testdata", "schemas")
	t.Run("xmllint", func(t *testing.T) {
		run(t, program(t, "xmllint"), append([]string{"--noout"}, append(atoms, rss...)...)...)
	})
	t.Run("jing", func(t *testing.T) {
		run(t, program(t, "jing"), append([]string{"-c", filepath.Join(schemas, "atom.rnc")}, atoms...)...)
	})
	t.Run("jsonschema", func(t *testing.T) {
		// One python for every file: importing jsonschema takes a second.
		script := `import sys; sys.path.insert(0, sys.argv[1]); import checkfeeds as c
for f in sys.argv[3:]: c.check_jsonschema(sys.argv[2], f)`
		out := run(t, python(t, "jsonschema"), append([]string{"-W", "ignore::DeprecationWarning", "-c", script, filepath.Join("..", "testdata"), filepath.Join(schemas, "jsonfeed")}, jsons...)...)
		if len(out) > 0 {
			t.Errorf("jsonschema: %s", out)
		}
	})
}

// TestSectionChangeMovesLastModified: a new _index.md title changes every
// document that names the section, and moves their Last-Modified, so that
// a client asking If-Modified-Since gets the new title, not a 304 (the
// change comes in a later second than the documents' dates), from the
// handler that served the old bytes and from one that never saw them,
// as after a restart.
func TestSectionChangeMovesLastModified(t *testing.T) {
	s := newListSite(t, 7)
	urls := []string{ListFeedURL(s.base, sport, Atom), ListURL(s.base, sport), s.ids(sport)[0]}
	since := map[string]string{}
	var last time.Time
	for _, u := range urls {
		resp, _ := s.get(t, u)
		since[u] = resp.Header.Get("Last-Modified")
		lm, err := http.ParseTime(since[u])
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET %s = %d, Last-Modified %q", u, resp.StatusCode, since[u])
		}
		last = later(last, lm)
	}
	// HTTP dates count seconds: wait for the next one, as a desk editing
	// _index.md a while after the articles would.
	seedtest.WaitFor(t, 5*time.Second, "the next second", nil, func() bool { return time.Now().Truncate(time.Second).After(last) })
	const title = "عنوان القسم الجديد"
	if err := s.store.PutSection(storage.SectionMeta{Path: sport.Name, Title: title}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	// Served by this handler, which saw the old bytes, and by one started
	// afresh (a restart), which did not.
	fresh, err := NewHandler(s.store, s.h.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fresh)
	defer srv.Close()
	for _, u := range urls {
		for _, at := range []string{u, srv.URL + strings.TrimPrefix(u, s.base)} {
			resp, body := do(t, http.MethodGet, at, http.Header{"If-Modified-Since": {since[u]}})
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), title) {
				t.Errorf("GET %s If-Modified-Since %s = %d; want 200 with the new title", at, since[u], resp.StatusCode)
			}
		}
	}
}
