package feed

import (
	"bytes"
	"html/template"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// page is what the HTML templates show.
type page struct {
	Lang, Dir string
	// SiteLang and SiteDir are the site's, on the page of an article in
	// another language, for the header that names the site; else "".
	SiteLang, SiteDir string
	Title             string
	Description       string
	BaseURL           string
	// AtomURL, RSSURL and JSONURL are the feeds, linked from every page.
	AtomURL, RSSURL, JSONURL string
	Articles                 []pageArticle // on the index
	Article                  *pageArticle  // on an article's page
	Meta                     *pageMeta     // on an article's page
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
	Paragraphs []pageParagraph // of plain text
	Body       template.HTML   // of Markdown, "" for plain text
	Authors    []article.Author
	// Sep separates the names, categories and tags of a list: the Arabic
	// comma in a right-to-left article. Each item is a <bdi>, so that a
	// name in the other direction does not carry its neighbours along.
	Sep              string
	Categories, Tags []string
	Image            *pageImage
	Link             string // the original, or ""
}

// pageParagraph is a paragraph of plain text with its direction, where
// it is not the article's.
type pageParagraph struct{ Text, Dir string }

type pageImage struct{ URL, Alt string }

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Article}}{{.Title}} · {{end}}{{.Title}}</title>
{{- with .Meta}}
{{- with .Description}}
<meta name="description" content="{{.}}">
{{- end}}
<meta property="og:type" content="article">
<meta property="og:site_name" content="{{.SiteName}}">
<meta property="og:title" content="{{.Title}}">
{{- with .Description}}
<meta property="og:description" content="{{.}}">
{{- end}}
<meta property="og:url" content="{{.URL}}">
<meta property="og:locale" content="{{.Locale}}">
{{- with .Image}}
<meta property="og:image" content="{{.URL}}">
{{- with .Alt}}
<meta property="og:image:alt" content="{{.}}">
{{- end}}
{{- end}}
<meta property="article:published_time" content="{{rfc3339 .Published}}">
<meta property="article:modified_time" content="{{rfc3339 .Modified}}">
{{- range .Authors}}
<meta property="article:author" content="{{.}}">
{{- end}}
{{- with .Section}}
<meta property="article:section" content="{{.}}">
{{- end}}
{{- range .Tags}}
<meta property="article:tag" content="{{.}}">
{{- end}}
<script type="application/ld+json">{{.JSONLD}}</script>
{{- end}}
<link rel="alternate" type="application/atom+xml" title="{{.Title}} (Atom)" href="{{.AtomURL}}">
<link rel="alternate" type="application/rss+xml" title="{{.Title}} (RSS)" href="{{.RSSURL}}">
<link rel="alternate" type="application/feed+json" title="{{.Title}} (JSON Feed)" href="{{.JSONURL}}">
<style>
body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.125rem/1.8 system-ui,"Noto Naskh Arabic","Geeza Pro",Tahoma,sans-serif;color:#222;background:#fff}
a{color:#0645ad}h1{line-height:1.4}article{margin:0 0 2rem}time{color:#666;font-size:.9rem}
nav{font-size:.9rem}nav a{margin-inline-end:1rem}
{{- if .Meta}}
img{max-width:100%;height:auto}figure{margin:1rem 0}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem}
pre{overflow-x:auto}blockquote{margin-inline:1rem 0;padding-inline-start:1rem;border-inline-start:3px solid #ccc}
{{- end}}
</style>
</head>
<body>
<header{{with .SiteLang}} lang="{{.}}" dir="{{$.SiteDir}}"{{end}}>
<p><a href="{{.BaseURL}}/">{{.Title}}</a></p>
<nav><a href="{{.AtomURL}}">Atom</a> <a href="{{.RSSURL}}">RSS</a> <a href="{{.JSONURL}}">JSON Feed</a></nav>
</header>
<main>
{{- with .Article}}
<article>
<h1>{{.Title}}</h1>
{{- with .Authors}}
<p class="byline">{{range $i, $a := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{if $a.URL}}<a href="{{$a.URL}}" rel="author">{{$a.Name}}</a>{{else}}{{$a.Name}}{{end}}</bdi>{{end}}</p>
{{- end}}
<p><time datetime="{{rfc3339 .Published}}">{{date .Published}}</time></p>
{{- with .Image}}
<figure><img src="{{.URL}}" alt="{{.Alt}}"></figure>
{{- end}}
{{- if .Body}}
{{.Body}}
{{- else}}
{{- range .Paragraphs}}
<p{{with .Dir}} dir="{{.}}"{{end}}>{{.Text}}</p>
{{- end}}
{{- end}}
{{- with .Categories}}
<p class="categories">{{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{$t}}</bdi>{{end}}</p>
{{- end}}
{{- with .Tags}}
<p class="tags">{{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{$t}}</bdi>{{end}}</p>
{{- end}}
{{- with .Link}}
<p class="original"><a href="{{.}}">{{.}}</a></p>
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
		Dir:         article.LangDir(cfg.Lang),
		Title:       cfg.Title,
		Description: cfg.Description,
		BaseURL:     cfg.BaseURL,
		AtomURL:     cfg.BaseURL + PathAtom,
		RSSURL:      cfg.BaseURL + PathRSS,
		JSONURL:     cfg.BaseURL + PathJSON,
	}
}

// indexPage renders the HTML index page of items, which entries describe.
func indexPage(items []storage.Item, entries []entry, cfg Config) ([]byte, error) {
	p := cfg.page()
	for i, it := range items {
		p.Articles = append(p.Articles, pageArticleOf(it, entries[i], false))
	}
	return renderPage(p)
}

// articlePage renders the HTML page of one article, in its language.
func articlePage(it storage.Item, cfg Config) ([]byte, error) {
	e := newEntry(it, cfg)
	p := cfg.page()
	if e.otherLang {
		p.SiteLang, p.SiteDir = p.Lang, p.Dir
		p.Lang, p.Dir = e.lang, e.dir
	}
	a := pageArticleOf(it, e, true)
	p.Article = &a
	p.Meta = newPageMeta(it, e, cfg, a)
	return renderPage(p)
}

func renderPage(p page) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
