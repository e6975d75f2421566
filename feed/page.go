package feed

import (
	"bytes"
	"html/template"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
)

// page is what the layout of every HTML page shows (see layoutTemplate),
// and what the kinds of page show in it.
type page struct {
	Lang, Dir string
	// SiteLang and SiteDir are the site's, on a page in another language,
	// for the header and the footer; else "".
	SiteLang, SiteDir string
	Title             string // the site's
	BaseURL           string
	// Home says that the page is one of the main list's, whose heading is
	// the site's title: the header shows it as the page's <h1>.
	Home bool
	// DocTitle is the title element's; FeedTitle names the feeds.
	DocTitle, FeedTitle string
	// NoIndex asks search engines not to index the page.
	NoIndex bool
	// AtomURL, RSSURL and JSONURL are the feeds, linked from every page:
	// the site's, or on a list's page the list's own.
	AtomURL, RSSURL, JSONURL string
	// Words are in the page's language; SiteWords in the site's, as the
	// header and the footer are.
	Words, SiteWords words
	Articles         []pageArticle // on a list's page
	List             *pageList     // on a list's page
	Article          *pageArticle  // on an article's page
	Meta             *pageMeta     // on an article's page
	Error            *pageError    // on an error page
	// OpenSearch is the OpenSearch description's URL, "" without search.
	OpenSearch string
}

// layoutTemplate is what every HTML page shares: the head (its title,
// the feeds it links, the style sheet), the header that names the site,
// <main>, and the footer that links the feeds, in the site's language
// where the page is in another. A kind of page defines "main", the
// content of <main>, and may define "head", more of <head> (see
// newPageTemplate).
var layoutTemplate = template.Must(template.New("layout").Funcs(template.FuncMap{
	// rfc3339 writes a date for machines (Open Graph), in UTC as the feeds do.
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`{{define "links"}}{{range $i, $l := .}}{{if $i}} / {{end}}<bdi><a href="{{$l.URL}}">{{$l.Text}}</a></bdi>{{end}}{{end -}}
{{define "prevnext"}}
{{- with .PrevURL}}
<link rel="prev" href="{{.}}">
{{- end}}
{{- with .NextURL}}
<link rel="next" href="{{.}}">
{{- end}}
{{- end -}}
<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.DocTitle}}</title>
{{- if .NoIndex}}
<meta name="robots" content="noindex">
{{- end}}
{{- block "head" .}}{{end}}
{{- with .OpenSearch}}
<link rel="search" type="application/opensearchdescription+xml" title="{{$.Title}}" href="{{.}}">
{{- end}}
{{- if .AtomURL}}
<link rel="alternate" type="application/atom+xml" title="{{.FeedTitle}} (Atom)" href="{{.AtomURL}}">
<link rel="alternate" type="application/rss+xml" title="{{.FeedTitle}} (RSS)" href="{{.RSSURL}}">
<link rel="alternate" type="application/feed+json" title="{{.FeedTitle}} (JSON Feed)" href="{{.JSONURL}}">
{{- end}}
<style>
` + pageStyle + `
</style>
</head>
<body>
<header{{with .SiteLang}} lang="{{.}}" dir="{{$.SiteDir}}"{{end}}>
{{- if .Home}}
<h1><a href="{{.BaseURL}}/">{{.Title}}</a></h1>
{{- else}}
<p><a href="{{.BaseURL}}/">{{.Title}}</a></p>
{{- end}}
</header>
<main>
{{- block "main" .}}{{end}}
</main>
{{- if .AtomURL}}
<footer{{with .SiteLang}} lang="{{.}}" dir="{{$.SiteDir}}"{{end}}>
<nav aria-label="{{.SiteWords.Say "feeds"}}">{{.SiteWords.Say "subscribe"}} <a href="{{.AtomURL}}">{{.SiteWords.Say "atom"}}</a> <a href="{{.RSSURL}}">{{.SiteWords.Say "rss"}}</a> <a href="{{.JSONURL}}">{{.SiteWords.Say "json"}}</a></nav>
</footer>
{{- end}}
</body>
</html>
`))

// newPageTemplate returns the template of a kind of page: the layout
// around main, the text that defines "main" and maybe "head". It is
// executed with a page, or a struct that embeds one.
func newPageTemplate(main string) *template.Template {
	return template.Must(template.Must(layoutTemplate.Clone()).Parse(main))
}

// page returns the layout of a page of the site in its language, which
// links the site's feeds.
func (cfg Config) page() page {
	w := cfg.words(cfg.Lang.String())
	return page{
		Lang:       cfg.Lang.String(),
		Dir:        article.LangDir(cfg.Lang),
		Title:      cfg.Title,
		DocTitle:   cfg.Title,
		FeedTitle:  cfg.Title,
		BaseURL:    cfg.BaseURL,
		AtomURL:    cfg.BaseURL + PathAtom,
		RSSURL:     cfg.BaseURL + PathRSS,
		JSONURL:    cfg.BaseURL + PathJSON,
		Words:      w,
		SiteWords:  w,
		OpenSearch: cfg.openSearchURL(),
	}
}

// inLang puts p in lang, a language other than the site's: the header
// and the footer stay in the site's.
func (p *page) inLang(lang language.Tag, cfg Config) {
	if l := lang.String(); l != p.Lang {
		p.SiteLang, p.SiteDir = p.Lang, p.Dir
		p.Lang, p.Dir = l, article.LangDir(lang)
		p.Words = cfg.words(l)
	}
}

// words returns the words of the pages in lang, with the site's digits
// and time zone.
func (cfg Config) words(lang string) words { return wordsFor(lang, cfg.Digits, cfg.Location) }

// edited reports whether an article published at published and updated
// at updated was edited, as the pages show times: to the minute. (The
// store moves an updated date by milliseconds to keep each unique.)
func edited(published, updated time.Time) bool { return updated.Sub(published) >= time.Minute }

// renderPage renders p with t, a template of newPageTemplate.
func renderPage(t *template.Template, p any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
