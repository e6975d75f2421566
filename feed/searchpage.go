package feed

import (
	"encoding/xml"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// searchPage is what the search page shows in the layout of every page:
// the form, and for a query one page of its results. Its feeds (the
// layout's links) are the search's own once there is a query.
type searchPage struct {
	page
	Query    string
	MaxQuery int
	Message  string // why there are no results, or the count
	// Heading is the heading with the query isolated (<bdi>), so that
	// the quotes around it keep their places; "" before a query.
	Heading template.HTML
	// FirstURL links the first page of results from a page past them.
	FirstURL                 string
	Results                  []searchResult
	PrevURL, NextURL, PageOf string
}

// searchResult is one result: the article's title, link, date, language
// where it is not the page's, and the snippet.
type searchResult struct {
	Title, URL string
	Published  time.Time
	Lang, Dir  string
	OtherLang  bool
	Words      words // the article's
	SnippetDir string
	Snippet    []SearchFragment
}

var searchTemplate = newPageTemplate(`{{define "head"}}{{template "prevnext" .}}{{end}}
{{define "main"}}
<h1>{{with .Heading}}{{.}}{{else}}{{.DocTitle}}{{end}}</h1>
<form role="search" action="{{.BaseURL}}/search" method="get">
<input type="search" name="q" value="{{.Query}}" maxlength="{{.MaxQuery}}" aria-label="{{.Words.Say "search label"}}" dir="auto">
<button type="submit">{{.Words.Say "search"}}</button>
</form>
<p>{{.Message}}{{with .FirstURL}} <a href="{{.}}">{{$.Words.Say "first page"}}</a>{{end}}</p>
{{- range .Results}}
<article{{if .OtherLang}} lang="{{.Lang}}" dir="{{.Dir}}"{{end}}>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p class="meta"><time datetime="{{.Words.Machine .Published}}">{{.Words.DateTime .Published}}</time></p>
<p{{with .SnippetDir}} dir="{{.}}"{{end}}>{{range .Snippet}}{{if .Mark}}<mark>{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</p>
</article>
{{- end}}
{{- if .PageOf}}
<nav aria-label="{{$.Words.Say "pages"}}" class="pages">
{{- with .PrevURL}}<a href="{{.}}" rel="prev">{{$.Words.Say "previous results"}}</a> {{end}}<span>{{.PageOf}}</span>
{{- with .NextURL}} <a href="{{.}}" rel="next">{{$.Words.Say "next results"}}</a>{{end}}</nav>
{{- end}}
{{- end}}`)

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
		p.Message, status = p.Words.Say(s.badKey, s.badArgs...), http.StatusBadRequest
	case s.q == "" && r.URL.Query().Has("q"):
		p.Message, status = p.Words.Say("type a query"), http.StatusBadRequest
	case s.q == "":
		p.Message = p.Words.Say("type a query")
	default:
		res, ok := h.search(w, r, SearchRequest{Query: s.q, From: (s.page - 1) * searchPageSize, Size: searchPageSize, Snippets: true})
		if !ok {
			return
		}
		found, err := h.items(res.Hits)
		if err != nil {
			h.log.Error("cannot read search results", "query", s.q, "err", err)
			h.writeError(w, http.StatusInternalServerError)
			return
		}
		p.results(cfg, s, res.Total, found)
	}
	body, err := renderPage(searchTemplate, p)
	if err != nil {
		h.log.Error("cannot render the search page", "query", s.q, "err", err)
		h.writeError(w, http.StatusInternalServerError)
		return
	}
	if status != http.StatusOK {
		w.Header().Set("Content-Type", typeHTML)
		w.WriteHeader(status)
		_, _ = w.Write(body) // a failed write means the client went away
		return
	}
	h.writeFresh(w, r, body, typeHTML, time.Time{})
}

// newSearchPage returns the search page for q without its results: in
// the site's language and direction, linking the search's own feeds
// once there is a query.
func (h *Handler) newSearchPage(cfg Config, q string) searchPage {
	p := searchPage{page: cfg.page(), Query: q, MaxQuery: MaxQuery}
	p.NoIndex = true
	p.DocTitle = p.Words.Say("search label")
	if q != "" {
		p.DocTitle = p.Words.Say("search for", q)
		// The query's characters cannot be "%" verbs: Say has it as
		// an argument, escaped before it is isolated.
		p.Heading = template.HTML(p.Words.Say("search for", "<bdi>"+template.HTMLEscapeString(q)+"</bdi>"))
		p.FeedTitle = cfg.Title + " — " + p.DocTitle
		p.AtomURL = SearchFeedURL(cfg.BaseURL, q, Atom)
		p.RSSURL = SearchFeedURL(cfg.BaseURL, q, RSS)
		p.JSONURL = SearchFeedURL(cfg.BaseURL, q, JSON)
	}
	return p
}

// results fills the page with found, page s.page of total results.
func (p *searchPage) results(cfg Config, s searchRequest, total int, found []searchItem) {
	p.Message = p.Words.Say("results", total)
	switch {
	case total == 0:
		p.Message = p.Words.Say("no results")
	case len(found) == 0:
		p.Message, p.FirstURL = p.Words.Say("no more results", total), SearchURL(cfg.BaseURL, s.q, 1)
	}
	pages := (total + searchPageSize - 1) / searchPageSize
	if pages > 1 {
		p.PageOf = p.Words.Say("page of", s.page, pages)
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
		other := e.lang != p.Lang
		w := p.Words
		if other {
			w = cfg.words(e.lang)
		}
		p.Results = append(p.Results, searchResult{
			Title: f.Title, URL: ArticleURL(cfg.BaseURL, f.Item), Published: f.Published,
			Lang: e.lang, Dir: e.dir, OtherLang: other, Words: w,
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
	desc := []rune(cfg.words(cfg.Lang.String()).Say("search label") + ": " + cfg.Title)
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
