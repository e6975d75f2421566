package feed

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// TestArchiveStable: a full archive document keeps its bytes, ETag and
// Last-Modified while newer articles arrive, and is long cached; an edit
// of one of its articles changes it and no other archive page.
func TestArchiveStable(t *testing.T) {
	s := newListSite(t, 9) // the main list: pages 1 to 3, page 3 full once the 10th comes
	s.put(t, 1)
	urls := []string{ArchiveURL(s.base, storage.List{}, 1, Atom), ArchiveURL(s.base, storage.List{}, 2, JSON), ArchiveURL(s.base, politics, 1, RSS)}
	type seen struct{ body, etag, modified string }
	read := func() []seen {
		var out []seen
		for _, u := range urls {
			resp, body := s.get(t, u)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", u, resp.Status)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=86400" {
				t.Errorf("GET %s: Cache-Control %q of a full page", u, cc)
			}
			out = append(out, seen{string(body), resp.Header.Get("Etag"), resp.Header.Get("Last-Modified")})
		}
		return out
	}
	before := read()
	s.put(t, 7) // new pages open in every list
	s.h.mu.Lock()
	clear(s.h.docs) // rendered anew from the store, not served from the cache
	s.h.mu.Unlock()
	for i, after := range read() {
		if after != before[i] {
			t.Errorf("%s changed when newer articles came:\n%+v\n%+v", urls[i], before[i], after)
		}
	}
	// 17 articles: pages 1 to 5 full, 6 open. The open page is no archive
	// document (its articles are in the feed); the newest full one is.
	open := ArchiveURL(s.base, storage.List{}, 6, Atom)
	if resp, _ := s.get(t, open); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s (the open page): %s, want 404", open, resp.Status)
	}
	newest := ArchiveURL(s.base, storage.List{}, 5, Atom)
	if resp, body := s.get(t, newest); resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=86400" ||
		strings.Contains(string(body), "next-archive") {
		t.Errorf("GET %s (the newest full page): %s, Cache-Control %q, want no next-archive:\n%s", newest, resp.Status, resp.Header.Get("Cache-Control"), body)
	}

	// Edit article 4, on page 2 of the main list.
	page1, page2 := ArchiveURL(s.base, storage.List{}, 1, Atom), ArchiveURL(s.base, storage.List{}, 2, Atom)
	_, old1 := s.get(t, page1)
	_, old2 := s.get(t, page2)
	it := listItem(4)
	it.Title, it.File.Hash = "عنوان معدل", "edited"
	it.Updated = it.Updated.Add(100 * 24 * 60 * 60 * 1e9)
	if _, err := s.store.Put(it); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	_, new1 := s.get(t, page1)
	_, new2 := s.get(t, page2)
	if string(new1) != string(old1) {
		t.Errorf("%s changed when an article of page 2 was edited", page1)
	}
	if string(new2) == string(old2) || !strings.Contains(string(new2), "عنوان معدل") {
		t.Errorf("%s does not show the edit:\n%s", page2, new2)
	}
}

// TestListCache: a publication drops the cached documents of the lists it
// touched, and only those: an untouched list's are kept, and a full
// archive page of a touched list too, but for the page before one that
// became full (it gains a next-archive link).
func TestListCache(t *testing.T) {
	s := newListSite(t, 12)
	econ := storage.List{Kind: storage.Section, Name: "اقتصاد"}
	keys := []docKey{
		{list: sport, kind: kindFeed, f: Atom},
		{list: econ, kind: kindFeed, f: Atom},
		{list: econ, kind: kindPage, n: 1},
		{list: storage.List{}, kind: kindArchive, n: 1, f: JSON},
		{list: storage.List{}, kind: kindArchive, n: 3, f: JSON},
	}
	for _, k := range keys {
		var u string
		switch k.kind {
		case kindFeed:
			u = ListFeedURL(s.base, k.list, k.f)
		case kindPage:
			u = ListURL(s.base, k.list)
		default:
			u = ArchiveURL(s.base, k.list, k.n, k.f)
		}
		if resp, _ := s.get(t, u); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
	}
	cached := func() map[docKey]*cachedDoc {
		s.h.mu.Lock()
		defer s.h.mu.Unlock()
		m := map[docKey]*cachedDoc{}
		for _, k := range keys {
			m[k] = s.h.docs[k]
		}
		return m
	}
	before := cached()
	for k, c := range before {
		if c == nil {
			t.Fatalf("%+v not cached", k)
		}
	}
	s.put(t, 1) // article 12: section رياضة, category سياسة; the main list's 13th, which fills page 4 and so links 3 to it
	after := cached()
	for _, k := range keys {
		touched := k.list == sport || k == keys[4]
		if kept := after[k] == before[k]; kept == touched {
			t.Errorf("%+v: kept %v after a publication, touched %v", k, kept, touched)
		}
	}
}

// TestListRoutes: lists, pages and archives by their URLs, Arabic
// percent-encoded; a page of a section wins over a folder named like it; what
// does not exist, or is not written as the URL scheme writes it, is 404.
func TestListRoutes(t *testing.T) {
	s := newListSite(t, 20)
	ok := []string{
		ListURL(s.base, football),
		ListPageURL(s.base, sport, 2),
		ListPageURL(s.base, storage.List{}, 10),
		ListFeedURL(s.base, slashed, JSON),
		ArchiveURL(s.base, politics, 1, RSS),
		ListURL(s.base, storage.List{Kind: storage.Section, Name: "x/page/2"}),
	}
	for _, u := range ok {
		if resp, _ := s.get(t, u); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s, want 200", u, resp.Status)
		}
	}
	// "x/page/2/" is page 2 of "x", which has 2: it wins over the section
	// of that name (see TestPageFolderShadowsNot).
	_, body := s.get(t, ListURL(s.base, storage.List{Kind: storage.Section, Name: "x/page/2"}))
	if !strings.Contains(string(body), `<link rel="canonical" href="`+ListPageURL(s.base, storage.List{Kind: storage.Section, Name: "x"}, 2)+`">`) {
		t.Errorf("x/page/2/ is not page 2 of x:\n%s", body)
	}
	notFound := []string{
		ListURL(s.base, storage.List{Kind: storage.Section, Name: "لا يوجد"}),
		ListFeedURL(s.base, storage.List{Kind: storage.Category, Name: "لا يوجد"}, Atom),
		ListPageURL(s.base, sport, 99),
		ListPageURL(s.base, storage.List{}, 11),
		ArchiveURL(s.base, politics, 99, Atom),
		s.base + "/page/0/", s.base + "/page/01/", s.base + "/page/-1/", s.base + "/page/abc/",
		s.base + "/page/1/", s.base + "/page/99999999999999999999/",
		s.base + "/archive/0.atom", s.base + "/archive/01.atom", s.base + "/archive/1.xml", s.base + "/archive/1",
		ListURL(s.base, sport) + "page/2", ListURL(s.base, sport) + "archive/1.atom/", ListURL(s.base, sport) + "feed.xml",
		s.base + PathSections, s.base + PathSections + "feed.atom",
	}
	for _, u := range notFound {
		if resp, _ := s.get(t, u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", u, resp.Status)
		}
	}
}

// TestListHead: a list's feed has its title, id, links and language; a
// section's from its _index.md, inherited by subfolders; the root's
// title where the flags did not set one.
func TestListHead(t *testing.T) {
	s := newListSite(t, 10)
	for _, c := range []struct {
		l                 storage.List
		title, lang, desc string
	}{
		{sport, testConfig.Title + " — الرياضة", "ar", "أخبار الملاعب"},
		{football, testConfig.Title + " — رياضة/كرة القدم", "ar", testConfig.Description},
		{storage.List{Kind: storage.Section, Name: "اقتصاد"}, testConfig.Title + " — اقتصاد", "en", testConfig.Description},
		{politics, testConfig.Title + " — سياسة", "ar", testConfig.Description},
	} {
		resp, body := s.get(t, ListFeedURL(s.base, c.l, Atom))
		doc := string(body)
		for _, part := range []string{
			"<title>" + c.title + "</title>", `xml:lang="` + c.lang + `"`, "<subtitle>" + c.desc + "</subtitle>",
			"<id>" + ListURL(s.base, c.l) + "</id>",
			`<link href="` + ListURL(s.base, c.l) + `" rel="alternate"`,
			`<link href="` + ListFeedURL(s.base, c.l, Atom) + `" rel="self"`,
		} {
			if !strings.Contains(doc, part) {
				t.Errorf("%s has no %s:\n%s", c.l.Name, part, doc)
			}
		}
		if got := resp.Header.Get("Content-Language"); got != c.lang {
			t.Errorf("%s: Content-Language %q, want %q", c.l.Name, got, c.lang)
		}
	}
	cfg := withSections(Config{Title: "flag", Explicit: Explicit{Title: true}}, map[string]section{"": {Title: "root", Description: "عن الموقع", Lang: "en"}})
	if cfg.Title != "flag" || cfg.Description != "عن الموقع" || cfg.Lang.String() != "en" {
		t.Errorf("withSections = %q %q %v, want the flag's title and the root's description and lang", cfg.Title, cfg.Description, cfg.Lang)
	}
}

// TestListPages: the HTML pages of a list, newest first, show every
// article of it once, Limit to a page.
func TestListPages(t *testing.T) {
	s := newListSite(t, 20)
	for _, l := range []storage.List{{}, sport} {
		var seen []string
		for n := 1; ; n++ {
			resp, body := s.get(t, ListPageURL(s.base, l, n))
			if resp.StatusCode == http.StatusNotFound && n > 1 {
				break
			}
			if resp.StatusCode != http.StatusOK || n > 20 {
				t.Fatalf("GET page %d of %q: %s", n, l.Name, resp.Status)
			}
			for i := s.n - 1; i >= 0; i-- {
				if title := listItem(i).Title + "<"; strings.Contains(string(body), title) {
					seen = append(seen, title)
				}
			}
		}
		want := len(s.ids(l))
		if len(seen) != want || len(seen) == 0 {
			t.Errorf("pages of %q: %d articles %q, want %d", l.Name, len(seen), seen, want)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] == seen[i-1] {
				t.Errorf("pages of %q: %s twice", l.Name, seen[i])
			}
		}
	}
}

// backdated is listItem(i) published before every listItem: it enters
// the list's open page, but is not among its newest by date.
func backdated(i int) storage.Item {
	it := listItem(i)
	it.Path = strings.Replace(it.Path, "مقال", "قديم", 1)
	it.Published = t0.Add(-time.Duration(i+1) * time.Hour)
	it.Updated, it.File.ModTime = it.Published, it.Published
	return it
}

// putBackdated stores backdated(i) and waits for the handler.
func (s *listSite) putBackdated(t *testing.T, i int) string {
	t.Helper()
	it := backdated(i)
	if _, err := s.store.Put(it); err != nil {
		t.Fatal(err)
	}
	s.back = append(s.back, i)
	s.settle(t)
	it.Key = strings.TrimSuffix(it.Path, ".txt")
	return EntryID(s.base, it)
}

// TestOpenPageInFeed: with feeds of 1 and pages of 3, an article
// back-dated into the open page is not among the feed's newest, yet the
// feed holds it, and no archive document does: a walk knows it.
func TestOpenPageInFeed(t *testing.T) {
	s := newListSiteLimit(t, 7, 1) // the main list: pages 1 and 2 full, 3 open with article 6
	id := s.putBackdated(t, 7)     // enters page 3 of the main list
	for _, f := range []Format{Atom, RSS, JSON} {
		w := s.walk(t, storage.List{}, f)
		if !slices.Contains(w.feed, id) || slices.Contains(w.archived, id) {
			t.Errorf("%s: the back-dated %s in the feed %v, in an archive %v:\n%q", f.Ext(), id,
				slices.Contains(w.feed, id), slices.Contains(w.archived, id), w.feed)
		}
		if len(w.feed) != 2 || len(w.archives) != 2 {
			t.Errorf("%s: feed %q (want the newest and the back-dated), archives %q (want 2)", f.Ext(), w.feed, w.archives)
		}
		want := s.ids(storage.List{})
		if got := w.known(t); !slices.Equal(got, want) {
			t.Errorf("%s: the walk knows %q, want %q", f.Ext(), got, want)
		}
	}
	// Newest first by date: the back-dated one last.
	if w := s.walk(t, storage.List{}, Atom); len(w.feed) == 2 && w.feed[1] != id {
		t.Errorf("feed order %q, want %s last", w.feed, id)
	}
}

// TestRFC5005Client is a client as RFC 5005 §4.2 describes: it reads the
// feed and walks prev-archive; later it reads the feed again and walks
// only until an archive document it has already read. Between the two,
// more articles than the feed holds arrive, some back-dated. It knows
// every article of each list in the end, in every format.
func TestRFC5005Client(t *testing.T) {
	s := newListSiteLimit(t, 8, 1)
	lists := []storage.List{{}, sport, politics}
	type client struct {
		known map[string]bool
		read  []string
	}
	clients := map[string]*client{}
	poll := func() {
		for _, l := range lists {
			for _, f := range []Format{Atom, RSS, JSON} {
				c := clients[ListFeedURL(s.base, l, f)]
				if c == nil {
					c = &client{known: map[string]bool{}}
					clients[ListFeedURL(s.base, l, f)] = c
				}
				w := s.walk(t, l, f, c.read...)
				for _, id := range slices.Concat(w.feed, w.archived) {
					c.known[id] = true
				}
				c.read = append(c.read, w.archives...)
			}
		}
	}
	poll()
	for round := range 3 {
		s.put(t, 2)
		for i := range 2 { // back-dated: not among the feed's newest
			s.putBackdated(t, 100+10*round+i)
		}
		s.put(t, 1)
		poll()
	}
	for _, l := range lists {
		want := s.ids(l)
		if l != sport && len(want) < 10 {
			t.Fatalf("%q: %d articles, want more to test", l.Name, len(want))
		}
		for _, f := range []Format{Atom, RSS, JSON} {
			c := clients[ListFeedURL(s.base, l, f)]
			for _, id := range want {
				if !c.known[id] {
					t.Errorf("%s %s: the client never saw %s", l.Name, f.Ext(), id)
				}
			}
		}
	}
}
