package feed

import (
	"html/template"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// pageArticle is what the pages show of an article: a list's page its
// title, dates, summary, sections and categories; its own page all.
type pageArticle struct {
	Title     string
	URL       string
	Published time.Time
	Updated   time.Time
	// Edited says that Updated is to be shown: the article was edited
	// after it was published.
	Edited  bool
	Summary string
	// SummaryDir is the summary's direction where it is not the
	// article's, else "".
	SummaryDir string
	// Lang and Dir are the article's; OtherLang says they are not the
	// page's, so that a list marks the article with its own. Words are
	// in its language: its dates are written as it would write them.
	Lang, Dir  string
	OtherLang  bool
	Words      words
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

// articleTemplate is an article's page: in <head> what it says of the
// article for machines (see pageMeta), in <main> the article.
var articleTemplate = newPageTemplate(`{{define "head"}}{{with .Meta}}
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
{{- end}}{{end}}
{{define "main"}}{{with .Article}}
<article>
{{- with .Sections}}
<nav aria-label="{{$.Words.Say "sections"}}" class="sections">{{template "links" .}}</nav>
{{- end}}
<h1>{{.Title}}</h1>
{{- with .Authors}}
<p class="byline">{{range $i, $a := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{if $a.URL}}<a href="{{$a.URL}}" rel="author">{{$a.Name}}</a>{{else}}{{$a.Name}}{{end}}</bdi>{{end}}</p>
{{- end}}
<p class="meta">{{.Words.Say "published"}} <time datetime="{{.Words.Machine .Published}}">{{.Words.DateTime .Published}}</time></p>
{{- if .Edited}}
<p class="meta updated">{{.Words.Say "updated"}} <time datetime="{{.Words.Machine .Updated}}">{{.Words.DateTime .Updated}}</time></p>
{{- end}}
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
<p class="categories">{{$.Words.Say "categories"}} {{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi><a href="{{$t.URL}}">{{$t.Text}}</a></bdi>{{end}}</p>
{{- end}}
{{- with .Tags}}
<p class="tags">{{$.Words.Say "tags"}} {{range $i, $t := .}}{{if $i}}{{$.Article.Sep}}{{end}}<bdi>{{$t}}</bdi>{{end}}</p>
{{- end}}
{{- with .Link}}
<p class="original">{{$.Words.Say "original"}} <a href="{{.}}" dir="ltr">{{.}}</a></p>
{{- end}}
</article>
{{- end}}{{end}}`)

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
		p.inLang(language.Make(e.lang), cfg)
	}
	a := pageArticleOf(it, e, cfg, true, names)
	p.DocTitle = it.Title + " · " + cfg.Title
	p.Article = &a
	p.Meta = newPageMeta(it, e, cfg, a)
	return renderPage(articleTemplate, p)
}

// pageArticleOf returns what the pages show of it, which e describes: on
// a list's page (whole false), its title, date, summary, sections (named
// by names, see listView.Names) and categories; on its own page, its body
// and all that is known of it too.
func pageArticleOf(it storage.Item, e entry, cfg Config, whole bool, names func(storage.List) string) pageArticle {
	sum := summary(it)
	a := pageArticle{
		Title:      it.Title,
		URL:        ArticleURL(e.base, it),
		Published:  it.Published,
		Updated:    it.Updated,
		Summary:    sum,
		SummaryDir: paragraphDir(sum, e.dir),
		Lang:       e.lang,
		Dir:        e.dir,
		OtherLang:  e.otherLang,
		Sections:   sectionLinks(e.base, it.Path, names),
		Categories: categoryLinks(e.base, e.categories),
		Sep:        ", ",
		Edited:     edited(it.Published, it.Updated),
		Words:      cfg.words(e.lang),
	}
	if e.dir == "rtl" {
		a.Sep = "، "
	}
	if !whole {
		return a
	}
	if it.Body != "" {
		// Body comes sanitized from the article package; its local
		// references are made URLs before it is trusted as HTML.
		a.Body = template.HTML(resolveLocal(it.Body, e.base))
	} else {
		for _, p := range it.Paragraphs {
			a.Paragraphs = append(a.Paragraphs, pageParagraph{Text: p, Dir: paragraphDir(p, e.dir)})
		}
	}
	a.Authors, a.Tags, a.Link = e.authors, e.tags, e.link
	if e.image != nil {
		a.Image = &pageImage{URL: e.image.url, Alt: e.image.alt}
	}
	return a
}
