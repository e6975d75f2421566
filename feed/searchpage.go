package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
)

// searchWords are what the search page says, in its language.
type searchWords struct {
	Search, Label, Title string // Title: a format of the query
	Results              string // a format of the number of results
	None, Type           string // no results; no query yet
	Newer, Older, PageOf string
}

// searchWordsFor returns the words in lang: Arabic for Arabic, else
// English.
func searchWordsFor(lang string) searchWords {
	if base, _ := language.Make(lang).Base(); base.String() == "ar" {
		return searchWords{Search: "ابحث", Label: "البحث في الموقع", Title: "البحث عن «%s»", Results: "النتائج: %d",
			None: "لا نتائج. جرّب كلمة أخرى.", Type: "اكتب كلمة أو اسمًا.", Newer: "السابقة", Older: "التالية", PageOf: "الصفحة %d من %d"}
	}
	return searchWords{Search: "Search", Label: "Search the site", Title: "Search for “%s”", Results: "Results: %d",
		None: "No results. Try another word.", Type: "Type a word or a name.", Newer: "Previous", Older: "Next", PageOf: "Page %d of %d"}
}

// searchPage is what the search page shows.
type searchPage struct {
	Lang, Dir, Title, BaseURL string
	DocTitle, Query           string
	MaxQuery                  int
	Words                     searchWords
	Message                   string // why there are no results, or the count
	OpenSearch                string
	Feeds                     []searchFeed // the search's feeds, none without a query
	Results                   []searchResult
	PrevURL, NextURL, PageOf  string
}

// searchFeed is one of a search's feeds, for its page's links.
type searchFeed struct{ Type, Name, URL string }

// searchResult is one result: the article's title, link, date, language
// where it is not the page's, and the snippet.
type searchResult struct {
	Title, URL string
	Published  time.Time
	Lang, Dir  string
	OtherLang  bool
	SnippetDir string
	Snippet    []SearchFragment
}

var searchTemplate = template.Must(template.New("search").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.DocTitle}}</title>
<link rel="search" type="application/opensearchdescription+xml" title="{{.Title}}" href="{{.OpenSearch}}">
{{- range .Feeds}}
<link rel="alternate" type="{{.Type}}" title="{{$.DocTitle}} ({{.Name}})" href="{{.URL}}">
{{- end}}
{{- with .PrevURL}}<link rel="prev" href="{{.}}">{{end}}
{{- with .NextURL}}<link rel="next" href="{{.}}">{{end}}
<style>
body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.125rem/1.8 system-ui,"Noto Naskh Arabic","Geeza Pro",Tahoma,sans-serif;color:#222;background:#fff}
a{color:#0645ad}article{margin:0 0 2rem}time{color:#666;font-size:.9rem}mark{background:#fde68a}
nav{font-size:.9rem}.pages a{margin-inline-end:1rem}input{font:inherit;width:60%}button{font:inherit}
</style>
</head>
<body>
<header>
<p><a href="{{.BaseURL}}/">{{.Title}}</a></p>
<form role="search" action="{{.BaseURL}}/search" method="get">
<input type="search" name="q" value="{{.Query}}" maxlength="{{.MaxQuery}}" aria-label="{{.Words.Label}}" dir="auto">
<button type="submit">{{.Words.Search}}</button>
</form>
{{- with .Feeds}}
<nav>{{range $i, $f := .}}{{if $i}} {{end}}<a href="{{$f.URL}}">{{$f.Name}}</a>{{end}}</nav>
{{- end}}
</header>
<main>
<h1>{{.DocTitle}}</h1>
<p>{{.Message}}</p>
{{- range .Results}}
<article{{if .OtherLang}} lang="{{.Lang}}" dir="{{.Dir}}"{{end}}>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p><time datetime="{{rfc3339 .Published}}">{{date .Published}}</time></p>
<p{{with .SnippetDir}} dir="{{.}}"{{end}}>{{range .Snippet}}{{if .Mark}}<mark>{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</p>
</article>
{{- end}}
{{- if .PageOf}}
<nav class="pages">
{{- with .PrevURL}}<a href="{{.}}" rel="prev">{{$.Words.Newer}}</a> {{end}}<span>{{.PageOf}}</span>
{{- with .NextURL}} <a href="{{.}}" rel="next">{{$.Words.Older}}</a>{{end}}</nav>
{{- end}}
</main>
</body>
</html>
`))

// serveSearchPage serves the search page: a form, and for a query one
// page of its results, the best first, each with a snippet in which the
// matching words are marked. Without a query it is the form alone; a
// refused query or page is a 400 that says why, with the form.
func (h *Handler) serveSearchPage(w http.ResponseWriter, r *http.Request) {
	s := parseSearch(r)
	cfg := *h.site.Load()
	p := h.newSearchPage(cfg, s.q)
	status := http.StatusOK
	switch {
	case s.bad != "":
		p.Message, status = s.bad, http.StatusBadRequest
	case s.q == "" && r.URL.Query().Has("q"):
		p.Message, status = p.Words.Type, http.StatusBadRequest
	case s.q == "":
		p.Message = p.Words.Type
	default:
		res, ok := h.search(w, r, SearchRequest{Query: s.q, From: (s.page - 1) * searchPageSize, Size: searchPageSize, Snippets: true})
		if !ok {
			return
		}
		found, err := h.items(res.Hits)
		if err != nil {
			h.log.Error("cannot read search results", "query", s.q, "err", err)
			http.Error(w, "cannot show the results", http.StatusInternalServerError)
			return
		}
		p.results(cfg, s, res.Total, found)
	}
	var b bytes.Buffer
	if err := searchTemplate.Execute(&b, p); err != nil {
		h.log.Error("cannot render the search page", "query", s.q, "err", err)
		http.Error(w, "cannot show the results", http.StatusInternalServerError)
		return
	}
	if status != http.StatusOK {
		w.Header().Set("Content-Type", typeHTML)
		w.WriteHeader(status)
		_, _ = w.Write(b.Bytes()) // a failed write means the client went away
		return
	}
	h.writeFresh(w, r, b.Bytes(), typeHTML, time.Time{})
}

// newSearchPage returns the search page for q without its results: in
// the site's language and direction.
func (h *Handler) newSearchPage(cfg Config, q string) searchPage {
	words := searchWordsFor(cfg.Lang.String())
	p := searchPage{
		Lang: cfg.Lang.String(), Dir: article.LangDir(cfg.Lang), Title: cfg.Title, BaseURL: cfg.BaseURL,
		DocTitle: words.Label, Query: q, MaxQuery: MaxQuery, Words: words, OpenSearch: cfg.BaseURL + PathOpenSearch,
	}
	if q != "" {
		p.DocTitle = fmt.Sprintf(words.Title, q)
		p.Feeds = []searchFeed{
			{"application/atom+xml", "Atom", SearchFeedURL(cfg.BaseURL, q, Atom)},
			{"application/rss+xml", "RSS", SearchFeedURL(cfg.BaseURL, q, RSS)},
			{"application/feed+json", "JSON Feed", SearchFeedURL(cfg.BaseURL, q, JSON)},
		}
	}
	return p
}

// results fills the page with found, page s.page of total results.
func (p *searchPage) results(cfg Config, s searchRequest, total int, found []searchItem) {
	p.Message = fmt.Sprintf(p.Words.Results, total)
	if total == 0 {
		p.Message = p.Words.None
	}
	pages := (total + searchPageSize - 1) / searchPageSize
	if pages > 1 {
		p.PageOf = fmt.Sprintf(p.Words.PageOf, s.page, pages)
	}
	if s.page > 1 {
		p.PrevURL = SearchURL(cfg.BaseURL, s.q, s.page-1)
	}
	if s.page < min(pages, maxSearchPage) {
		p.NextURL = SearchURL(cfg.BaseURL, s.q, s.page+1)
	}
	for _, f := range found {
		e := newEntry(f.Item, cfg)
		var plain strings.Builder
		for _, fr := range f.snippet {
			plain.WriteString(fr.Text)
		}
		p.Results = append(p.Results, searchResult{
			Title: f.Title, URL: ArticleURL(cfg.BaseURL, f.Item), Published: f.Published,
			Lang: e.lang, Dir: e.dir, OtherLang: e.lang != p.Lang,
			SnippetDir: paragraphDir(plain.String(), e.dir), Snippet: f.snippet,
		})
	}
}

// openSearch is an OpenSearch 1.1 description document.
type openSearch struct {
	XMLName       xml.Name        `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
	ShortName     string          `xml:"ShortName"`
	Description   string          `xml:"Description"`
	InputEncoding string          `xml:"InputEncoding"`
	Language      string          `xml:"Language"`
	URLs          []openSearchURL `xml:"Url"`
}

type openSearchURL struct {
	Type     string `xml:"type,attr"`
	Rel      string `xml:"rel,attr,omitempty"`
	Template string `xml:"template,attr"`
}

// serveOpenSearch serves the OpenSearch description, by which browsers
// offer the site's search: the page, the three feeds, and itself.
func (h *Handler) serveOpenSearch(w http.ResponseWriter, r *http.Request) {
	cfg := *h.site.Load()
	short := []rune(cfg.Title)
	if len(short) > 16 { // the specification's limit
		short = short[:16]
	}
	desc := []rune(fmt.Sprintf(searchWordsFor(cfg.Lang.String()).Label+": %s", cfg.Title))
	if len(desc) > 1024 {
		desc = desc[:1024]
	}
	tmpl := func(path string) string { return cfg.BaseURL + path + "?q={searchTerms}" }
	o := openSearch{
		ShortName: string(short), Description: string(desc), InputEncoding: "UTF-8", Language: cfg.Lang.String(),
		URLs: []openSearchURL{
			{Type: "text/html", Template: tmpl(PathSearch)},
			{Type: "application/atom+xml", Template: tmpl(PathSearch + ".atom")},
			{Type: "application/rss+xml", Template: tmpl(PathSearch + ".rss")},
			{Type: "application/feed+json", Template: tmpl(PathSearch + ".json")},
			{Type: "application/opensearchdescription+xml", Rel: "self", Template: cfg.BaseURL + PathOpenSearch},
		},
	}
	body, err := marshalXML(o)
	var d doc
	if err == nil {
		d, err = newDoc(body, "application/opensearchdescription+xml; charset=utf-8", cfg.sectionsChanged)
	}
	if err != nil {
		h.log.Error("cannot render the OpenSearch description", "err", err)
		http.Error(w, "cannot render the description", http.StatusInternalServerError)
		return
	}
	d.write(w, r, h.headers)
}
