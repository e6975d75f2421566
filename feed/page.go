package feed

import (
	"bytes"
	"html/template"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// page is what the HTML templates show.
type page struct {
	Lang, Dir   string
	Title       string
	Description string
	BaseURL     string
	// AtomURL, RSSURL and JSONURL are the feeds, linked from every page.
	AtomURL, RSSURL, JSONURL string
	Articles                 []pageArticle // on the index
	Article                  *pageArticle  // on an article's page
}

type pageArticle struct {
	Title     string
	URL       string
	Published time.Time
	Updated   time.Time
	Summary   string
	// SummaryDir is the summary's direction where it is not the
	// article's, else "".
	SummaryDir string
	// Lang and Dir are the article's; OtherLang says they are not the
	// site's, so that the index marks the article with its own.
	Lang, Dir  string
	OtherLang  bool
	Paragraphs []string
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Article}}{{.Title}} · {{end}}{{.Title}}</title>
<link rel="alternate" type="application/atom+xml" title="{{.Title}} (Atom)" href="{{.AtomURL}}">
<link rel="alternate" type="application/rss+xml" title="{{.Title}} (RSS)" href="{{.RSSURL}}">
<link rel="alternate" type="application/feed+json" title="{{.Title}} (JSON Feed)" href="{{.JSONURL}}">
<style>
body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.125rem/1.8 system-ui,"Noto Naskh Arabic","Geeza Pro",Tahoma,sans-serif;color:#222;background:#fff}
a{color:#0645ad}h1{line-height:1.4}article{margin:0 0 2rem}time{color:#666;font-size:.9rem}
nav{font-size:.9rem}nav a{margin-inline-end:1rem}
</style>
</head>
<body>
<header>
<p><a href="{{.BaseURL}}/">{{.Title}}</a></p>
<nav><a href="{{.AtomURL}}">Atom</a> <a href="{{.RSSURL}}">RSS</a> <a href="{{.JSONURL}}">JSON Feed</a></nav>
</header>
<main>
{{- with .Article}}
<article>
<h1>{{.Title}}</h1>
<p><time datetime="{{rfc3339 .Published}}">{{date .Published}}</time></p>
{{- range .Paragraphs}}
<p>{{.}}</p>
{{- end}}
</article>
{{- else}}
<h1>{{.Title}}</h1>
{{- with .Description}}
<p>{{.}}</p>
{{- end}}
{{- range .Articles}}
<article{{if .OtherLang}} lang="{{.Lang}}" dir="{{.Dir}}"{{end}}>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p><time datetime="{{rfc3339 .Published}}">{{date .Published}}</time></p>
{{- if .Summary}}
<p{{with .SummaryDir}} dir="{{.}}"{{end}}>{{.Summary}}</p>
{{- end}}
</article>
{{- end}}
{{- end}}
</main>
</body>
</html>
`))

func (cfg Config) page() page {
	return page{
		Lang:        cfg.Lang.String(),
		Dir:         direction(cfg.Lang),
		Title:       cfg.Title,
		Description: cfg.Description,
		BaseURL:     cfg.BaseURL,
		AtomURL:     cfg.BaseURL + PathAtom,
		RSSURL:      cfg.BaseURL + PathRSS,
		JSONURL:     cfg.BaseURL + PathJSON,
	}
}

func (cfg Config) pageArticle(it storage.Item, e entry) pageArticle {
	sum := summary(it)
	return pageArticle{
		Title:      it.Title,
		URL:        ArticleURL(cfg.BaseURL, it),
		Published:  it.Published,
		Updated:    it.Updated,
		Summary:    sum,
		SummaryDir: paragraphDir(sum, e.dir),
		Lang:       e.lang,
		Dir:        e.dir,
		OtherLang:  e.otherLang,
		Paragraphs: it.Paragraphs,
	}
}

// indexPage renders the HTML index page of items, which entries describe.
func indexPage(items []storage.Item, entries []entry, cfg Config) ([]byte, error) {
	p := cfg.page()
	for i, it := range items {
		p.Articles = append(p.Articles, cfg.pageArticle(it, entries[i]))
	}
	return renderPage(p)
}

// articlePage renders the HTML page of one article.
func articlePage(it storage.Item, cfg Config) ([]byte, error) {
	p := cfg.page()
	a := cfg.pageArticle(it, newEntry(it, cfg))
	p.Article = &a
	return renderPage(p)
}

func renderPage(p page) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
