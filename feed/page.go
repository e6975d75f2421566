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
	Title             string // the site's
	BaseURL           string
	// DocTitle is the title element's; FeedTitle names the feeds.
	DocTitle, FeedTitle string
	// NoIndex asks search engines not to index the page.
	NoIndex bool
	// AtomURL, RSSURL and JSONURL are the feeds, linked from every page:
	// the site's, or on a list's page the list's own.
	AtomURL, RSSURL, JSONURL string
	// Words are in the page's language; FeedsLabel names the feeds'
	// navigation in the site's, as the header is.
	Words      words
	FeedsLabel string
	Articles   []pageArticle // on a list's page
	List       *pageList     // on a list's page
	Article    *pageArticle  // on an article's page
	Meta       *pageMeta     // on an article's page
	OpenSearch string        // the OpenSearch description's URL, "" without search
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
	Sep string
	// Sections are the folders above the article, outermost first;
	// Categories link to their pages.
	Sections, Categories []pageLink
	Tags                 []string
	Image                *pageImage
	Link                 string // the original, or ""
}

// pageParagraph is a paragraph of plain text with its direction, where
// it is not the article's.
type pageParagraph struct{ Text, Dir string }

type pageImage struct{ URL, Alt string }

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`{{define "links"}}{{range $i, $l := .}}{{if $i}} / {{end}}<bdi><a href="{{$l.URL}}">{{$l.Text}}</a></bdi>{{end}}{{end -}}
<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.DocTitle}}</title>
{{- if .NoIndex}}
<meta name="robots" content="noindex">
{{- end}}
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
{{- with .List}}
<link rel="canonical" href="{{.Canonical}}">
{{- with .PrevURL}}
<link rel="prev" href="{{.}}">
{{- end}}
{{- with .NextURL}}
<link rel="next" href="{{.}}">
{{- end}}
{{- end}}
{{- with .OpenSearch}}
<link rel="search" type="application/opensearchdescription+xml" title="{{$.Title}}" href="{{.}}">
{{- end}}
<link rel="alternate" type="application/atom+xml" title="{{.FeedTitle}} (Atom)" href="{{.AtomURL}}">
<link rel="alternate" type="application/rss+xml" title="{{.FeedTitle}} (RSS)" href="{{.RSSURL}}">
<link rel="alternate" type="application/feed+json" title="{{.FeedTitle}} (JSON Feed)" href="{{.JSONURL}}">
<style>
body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.125rem/1.8 system-ui,"Noto Naskh Arabic","Geeza Pro",Tahoma,sans-serif;color:#222;background:#fff}
a{color:#0645ad}h1{line-height:1.4}article{margin:0 0 2rem}time{color:#666;font-size:.9rem}
nav{font-size:.9rem}header nav a,.pages a{margin-inline-end:1rem}
{{- if .Meta}}
img{max-width:100%;height:auto}figure{margin:1rem 0}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem}
pre{overflow-x:auto}blockquote{margin-inline:1rem 0;padding-inline-start:1rem;border-inline-start:3px solid #ccc}
{{- end}}
</style>
</head>
<body>
<header{{with .SiteLang}} lang="{{.}}" dir="{{$.SiteDir}}"{{end}}>
<p><a href="{{.BaseURL}}/">{{.Title}}</a></p>
<nav aria-label="{{.FeedsLabel}}"><a href="{{.AtomURL}}">Atom</a> <a href="{{.RSSURL}}">RSS</a> <a href="{{.JSONURL}}">JSON Feed</a></nav>
</header>
<main>
{{- with .Article}}
<article>
{{- with .Sections}}
<nav aria-label="{{$.Words.Sections}}" class="sections">{{template "links" .}}</nav>
{{- end}}
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
<p class="categories">{{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi><a href="{{$t.URL}}">{{$t.Text}}</a></bdi>{{end}}</p>
{{- end}}
{{- with .Tags}}
<p class="tags">{{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{$t}}</bdi>{{end}}</p>
{{- end}}
{{- with .Link}}
<p class="original"><a href="{{.}}">{{.}}</a></p>
{{- end}}
</article>
{{- else}}
{{- with .List}}
<h1>{{.Heading}}</h1>
{{- with .Description}}
<p>{{.}}</p>
{{- end}}
{{- end}}
{{- range .Articles}}
<article{{if .OtherLang}} lang="{{.Lang}}" dir="{{.Dir}}"{{end}}>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p><time datetime="{{rfc3339 .Published}}">{{date .Published}}</time></p>
{{- if .Summary}}
<p{{with .SummaryDir}} dir="{{.}}"{{end}}>{{.Summary}}</p>
{{- end}}
{{- with .Sections}}
<p class="sections">{{template "links" .}}</p>
{{- end}}
{{- if .Categories}}{{$sep := .Sep}}
<p class="categories">{{range $i, $t := .Categories}}{{if $i}}{{$sep}}{{end}}<bdi><a href="{{$t.URL}}">{{$t.Text}}</a></bdi>{{end}}</p>
{{- end}}
</article>
{{- end}}
{{- with .List}}{{if .PageOf}}
<nav aria-label="{{$.Words.Pages}}" class="pages">
{{- with .PrevURL}}<a href="{{.}}" rel="prev">{{$.Words.Newer}}</a> {{end}}<span>{{.PageOf}}</span>
{{- with .NextURL}} <a href="{{.}}" rel="next">{{$.Words.Older}}</a>{{end}}</nav>
{{- end}}{{end}}
{{- end}}
</main>
</body>
</html>
`))

func (cfg Config) page() page {
	w := wordsFor(cfg.Lang.String())
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
		FeedsLabel: w.Feeds,
		OpenSearch: cfg.openSearchURL(),
	}
}

// articlePage renders the HTML page of one article, in its language,
// naming its sections as cfg's _index.md files do, or by their folders.
func articlePage(it storage.Item, cfg Config) ([]byte, error) {
	return namedArticlePage(it, cfg, cfg.listName)
}

// namedArticlePage renders the HTML page of one article, in its
// language, naming its sections by names (see listView.Names).
func namedArticlePage(it storage.Item, cfg Config, names func(storage.List) string) ([]byte, error) {
	e := newEntry(it, cfg)
	p := cfg.page()
	if e.otherLang {
		p.SiteLang, p.SiteDir = p.Lang, p.Dir
		p.Lang, p.Dir = e.lang, e.dir
		p.Words = wordsFor(e.lang)
	}
	a := pageArticleOf(it, e, true, names)
	p.DocTitle = it.Title + " · " + cfg.Title
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
