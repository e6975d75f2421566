package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"github.com/seedfeed/seedfeed/storage"
)

// testHub has a query with "&", which XML must escape and readers unescape.
const testHub = "https://hub.example.net/websub?site=news&v=1"

// webLink is one link-value of an HTTP Link header (RFC 8288 §3).
type webLink struct {
	target string
	rels   []string
}

// parseLinks parses Link header values as RFC 8288 §3 writes them:
// link-values separated by ",", each "<target>" and parameters after
// ";", token or quoted-string; only the first rel counts (§3.3), and it
// may name several relations, separated by spaces.
func parseLinks(values []string) ([]webLink, error) {
	var links []webLink
	for _, s := range values {
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			end := strings.IndexByte(s, '>')
			if s[0] != '<' || end < 0 {
				return nil, fmt.Errorf("link-value without <target>: %q", s)
			}
			l := webLink{target: s[1:end]}
			for s = strings.TrimLeft(s[end+1:], " \t"); s != "" && s[0] != ','; s = strings.TrimLeft(s, " \t") {
				if s[0] != ';' {
					return nil, fmt.Errorf("no ; before a link-param: %q", s)
				}
				name, val, rest, err := linkParam(strings.TrimLeft(s[1:], " \t"))
				if err != nil {
					return nil, err
				}
				if strings.EqualFold(name, "rel") && l.rels == nil {
					l.rels = strings.Fields(strings.ToLower(val))
				}
				s = rest
			}
			links = append(links, l)
		}
	}
	return links, nil
}

// linkParam reads one link-param from s: its name, its value, unquoted,
// and what follows.
func linkParam(s string) (name, val, rest string, err error) {
	i := strings.IndexAny(s, "=;, \t")
	if i < 0 {
		return s, "", "", nil
	}
	name, s = s[:i], strings.TrimLeft(s[i:], " \t")
	if s == "" || s[0] != '=' {
		return name, "", s, nil
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, `"`) {
		i = strings.IndexAny(s, ";, \t")
		if i < 0 {
			return name, s, "", nil
		}
		return name, s[:i], s[i:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i++; i < len(s) {
				b.WriteByte(s[i])
			}
		case '"':
			return name, b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", "", errors.New("unterminated quoted-string")
}

func TestParseLinks(t *testing.T) {
	got, err := parseLinks([]string{`<https://a.example/x,y>; title="a, \"b\""; rel="HUB other", <b>;rel=self;rel=no`, ` <c>`})
	if err != nil {
		t.Fatal(err)
	}
	want := []webLink{{"https://a.example/x,y", []string{"hub", "other"}}, {"b", []string{"self"}}, {"c", nil}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseLinks([]string{`<a>; rel="hub`}); err == nil {
		t.Error("an unterminated quoted-string parsed")
	}
}

// checkHubHeader checks that a response names exactly the hub and self,
// each by its own link-value.
func checkHubHeader(t *testing.T, what string, h http.Header, self string) {
	t.Helper()
	links, err := parseLinks(h.Values("Link"))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	want := []webLink{{testHub, []string{"hub"}}, {self, []string{"self"}}}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("%s: Link %q gives %v, want %v", what, h.Values("Link"), links, want)
	}
}

// docLinks returns the hubs and self links a feed document names, as
// gofeed reads them: Atom's through its Atom parser, whose links keep
// their rel (the universal Feed keeps only alternate and self); RSS's
// atom:link elements through the universal Feed's extensions. gofeed
// does not read JSON Feed's hubs at all (its json.Feed has a TODO in
// their place), so that is read here.
func docLinks(t *testing.T, f Format, body []byte) (hubs, selves []string) {
	t.Helper()
	add := func(rel, href string) {
		switch rel {
		case "hub":
			hubs = append(hubs, href)
		case "self":
			selves = append(selves, href)
		}
	}
	switch f {
	case Atom:
		fd, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range fd.Links {
			add(l.Rel, l.Href)
		}
	case RSS:
		fd, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range fd.Extensions["atom"]["link"] {
			add(l.Attrs["rel"], l.Attrs["href"])
		}
	case JSON:
		var fd struct {
			FeedURL string `json:"feed_url"`
			Hubs    []struct{ Type, URL string }
		}
		if err := json.Unmarshal(body, &fd); err != nil {
			t.Fatal(err)
		}
		for _, h := range fd.Hubs {
			if h.Type != "WebSub" {
				t.Errorf("hub %s of type %q, want WebSub", h.URL, h.Type)
			}
			add("hub", h.URL)
		}
		add("self", fd.FeedURL)
	}
	return hubs, selves
}

// TestHubDiscovery: with a hub, every subscription feed (the main list's,
// a section's, a category's, in each format) names the hub and itself in
// its Link header, on 200, HEAD and 304 alike, and in the document, where
// gofeed and feedparser find them, and the documents still validate.
func TestHubDiscovery(t *testing.T) {
	s := newListSiteLimit(t, 12, 2, func(c *Config) { c.Hub = testHub })
	dir := t.TempDir()
	var files, selves []string
	byFormat := map[Format][]string{}
	for _, l := range []storage.List{{}, sport, politics} {
		for _, f := range []Format{Atom, RSS, JSON} {
			self := ListFeedURL(s.base, l, f)
			resp, body := s.get(t, self)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", self, resp.Status)
			}
			checkHubHeader(t, "GET "+self, resp.Header, self)
			head, _ := do(t, http.MethodHead, self, nil)
			checkHubHeader(t, "HEAD "+self, head.Header, self)
			cached, _ := do(t, http.MethodGet, self, http.Header{"If-None-Match": {resp.Header.Get("Etag")}})
			if cached.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s If-None-Match: %s", self, cached.Status)
			}
			checkHubHeader(t, "304 "+self, cached.Header, self)
			hubs, docSelves := docLinks(t, f, body)
			if !slices.Equal(hubs, []string{testHub}) || !slices.Equal(docSelves, []string{self}) {
				t.Errorf("%s names hubs %q and self %q", self, hubs, docSelves)
			}
			name := filepath.Join(dir, fmt.Sprintf("%d.%s", len(selves), f.Ext()))
			if err := os.WriteFile(name, body, 0o644); err != nil {
				t.Fatal(err)
			}
			byFormat[f] = append(byFormat[f], name)
			if f != JSON { // Debian's feedparser 6.0 reads no JSON Feed
				files, selves = append(files, name), append(selves, self)
			}
		}
	}
	t.Run("feedparser", func(t *testing.T) {
		var got [][]struct{ Rel, Href string }
		out := run(t, python(t, "feedparser"), append([]string{"-W", "ignore::DeprecationWarning", filepath.Join("testdata", "readlinks.py")}, files...)...)
		if err := json.Unmarshal(out, &got); err != nil || len(got) != len(files) {
			t.Fatalf("%v: %s", err, out)
		}
		for i, links := range got {
			var hubs, selfs []string
			for _, l := range links {
				if l.Rel == "hub" {
					hubs = append(hubs, l.Href)
				} else if l.Rel == "self" {
					selfs = append(selfs, l.Href)
				}
			}
			if !slices.Equal(hubs, []string{testHub}) || !slices.Equal(selfs, []string{selves[i]}) {
				t.Errorf("feedparser reads %s as links %v", selves[i], links)
			}
		}
	})
	validate(t, byFormat[Atom], byFormat[RSS], byFormat[JSON])
}

// TestHubNotInArchives: an archive document never changes, so it is no
// topic and names no hub; without a hub, no feed names one.
func TestHubNotInArchives(t *testing.T) {
	s := newListSiteLimit(t, 12, 2, func(c *Config) { c.Hub = testHub })
	plain := newListSite(t, 12)
	for _, l := range []storage.List{{}, sport, politics} {
		for _, f := range []Format{Atom, RSS, JSON} {
			for _, u := range []string{ArchiveURL(s.base, l, 1, f), ListFeedURL(plain.base, l, f)} {
				resp, body := s.get(t, u)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %s", u, resp.Status)
				}
				if v := resp.Header.Values("Link"); v != nil {
					t.Errorf("%s: Link %q", u, v)
				}
				if bytes.Contains(body, []byte("hub.example.net")) || bytes.Contains(body, []byte(`"hub`)) {
					t.Errorf("%s names a hub:\n%s", u, body)
				}
			}
		}
	}
}
