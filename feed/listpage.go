package feed

import (
	"cmp"
	"path"
	"strings"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// listView is one page of a list's HTML page: the main list (the index),
// a section or a category.
type listView struct {
	List storage.List
	// Title and Description are the heading, and Title the page's title
	// and its feeds' name: the site's title for the main list; for a
	// section or a category, its feeds' title (see headOf), which names
	// the site and the section's _index.md title or folder path, or the
	// category's label.
	Title, Description string
	// Label is a section's or a category's name alone, which its page's
	// heading shows after the word for its kind; "" for the main list,
	// whose heading is the site's title.
	Label string
	// Lang is the list's language: a section's _index.md lang, else the
	// site's. The zero Tag means the site's.
	Lang  language.Tag
	Items []storage.Item // this page's articles, newest first
	// N is the page's number, from 1; Pages the number of pages,
	// ceil(Count/cfg.Limit), at least 1.
	N, Pages int
	Count    int // articles in the list
	// Names gives a section's name where the articles link to their
	// sections (an _index.md title); nil, or "" from it, means the
	// folder's last segment.
	Names func(storage.List) string
}

// pageList is what a list's page shows beyond its articles.
type pageList struct {
	// Kind names a section or a category in the heading before Heading,
	// its label ("Section:"); "" where Heading is all.
	Kind, Heading, Description string
	Canonical                  string
	// PrevURL and NextURL are the newer and the older page, or "".
	PrevURL, NextURL string
	// PageOf says "page N of M", only when there is more than one page.
	PageOf string
}

// pageLink is a link to a section or a category, with its name as
// written.
type pageLink struct{ Text, URL string }

// listTemplate is a list's page: in <head> its canonical URL and the
// pages before and after it, in <main> its heading (the main list's is
// the header's), its description, its articles and the links between its
// pages.
var listTemplate = newPageTemplate(`{{define "head"}}{{with .List}}
<link rel="canonical" href="{{.Canonical}}">{{template "prevnext" .}}
{{- end}}{{end}}
{{define "main"}}{{with .List}}
{{- if not $.Home}}
<h1>{{with .Kind}}<span class="kind">{{.}}</span> <bdi>{{$.List.Heading}}</bdi>{{else}}{{.Heading}}{{end}}</h1>
{{- end}}
{{- with .Description}}
<p class="description">{{.}}</p>
{{- end}}
{{- end}}
{{- range .Articles}}
<article{{if .OtherLang}} lang="{{.Lang}}" dir="{{.Dir}}"{{end}}>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p class="meta"><time datetime="{{.Words.Machine .Published}}">{{.Words.DateTime .Published}}</time></p>
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
{{- else}}
<p>{{$.Words.Say "no articles"}}</p>
{{- end}}
{{- with .List}}{{if .PageOf}}
<nav aria-label="{{$.Words.Say "pages"}}" class="pages">
{{- with .PrevURL}}<a href="{{.}}" rel="prev">{{$.Words.Say "newer"}}</a> {{end}}<span>{{.PageOf}}</span>
{{- with .NextURL}} <a href="{{.}}" rel="next">{{$.Words.Say "older"}}</a>{{end}}</nav>
{{- end}}{{end}}{{end}}`)

// listPage renders page v.N of the HTML page of v.List: its heading, its
// articles with their sections and categories, links to the newer and
// older pages, and autodiscovery links to the list's own feeds.
func listPage(v listView, cfg Config) ([]byte, error) {
	p := cfg.page()
	if v.Lang != language.Und {
		p.inLang(v.Lang, cfg)
	}
	n, pages := max(v.N, 1), max(v.Pages, v.N, 1)
	pl := &pageList{Heading: cmp.Or(v.Title, cfg.Title), Canonical: ListPageURL(cfg.BaseURL, v.List, n)}
	if v.List == (storage.List{}) {
		// The site's title, which the header shows as the heading.
		p.Home = true
	} else {
		// A list's title (see headOf) already names the site.
		p.FeedTitle = pl.Heading
		// A list that every article left answers, so that its feeds'
		// subscribers are not broken, but search engines should drop it.
		p.NoIndex = v.Count == 0
		if v.Label != "" {
			pl.Kind, pl.Heading = p.Words.Say(kindWord[v.List.Kind]), v.Label
		}
	}
	p.DocTitle = p.FeedTitle
	// The description only where it says something else than the
	// heading; a section's or category's only where it is its own, not
	// the site's that its feeds carry for want of one.
	desc := strings.TrimSpace(v.Description)
	own := v.List.Kind == storage.Main || desc != strings.TrimSpace(cfg.Description)
	if own && desc != strings.TrimSpace(cmp.Or(v.Title, cfg.Title)) && desc != strings.TrimSpace(v.Label) {
		pl.Description = v.Description
	}
	if pages > 1 {
		pl.PageOf = p.Words.Say("page of", n, pages)
	}
	if n > 1 {
		// Page 1 is the list itself, titled as the list.
		p.DocTitle += " · " + pl.PageOf
		pl.PrevURL = ListPageURL(cfg.BaseURL, v.List, n-1)
	}
	if n < pages {
		pl.NextURL = ListPageURL(cfg.BaseURL, v.List, n+1)
	}
	p.List = pl
	p.AtomURL = ListFeedURL(cfg.BaseURL, v.List, Atom)
	p.RSSURL = ListFeedURL(cfg.BaseURL, v.List, RSS)
	p.JSONURL = ListFeedURL(cfg.BaseURL, v.List, JSON)
	for _, it := range v.Items {
		e := newEntry(it, cfg)
		if it.Lang == "" {
			// An article without a language of its own is in its list's.
			e.lang, e.dir = p.Lang, p.Dir
		}
		a := pageArticleOf(it, e, cfg, false, v.Names)
		a.OtherLang = e.lang != p.Lang
		p.Articles = append(p.Articles, a)
	}
	return renderPage(listTemplate, p)
}

// kindWord is the catalog key of the word for a kind of list in its
// page's heading.
var kindWord = map[storage.Kind]string{storage.Section: "section", storage.Category: "category"}

// sectionLinks returns the sections of the article at p, outermost
// first: each folder above it, named by names or else by its last
// segment.
func sectionLinks(base, p string, names func(storage.List) string) []pageLink {
	dir := path.Dir(article.Slug(p))
	if dir == "." || dir == "/" {
		return nil
	}
	var links []pageLink
	for i := 0; i <= len(dir); i++ {
		if i < len(dir) && dir[i] != '/' {
			continue
		}
		l := storage.List{Kind: storage.Section, Name: dir[:i]}
		text := ""
		if names != nil {
			text = names(l)
		}
		if text == "" {
			text = path.Base(l.Name)
		}
		links = append(links, pageLink{Text: text, URL: ListURL(base, l)})
	}
	return links
}

// categoryLinks returns a link to the page of each of categories, once
// per term (see storage.Term), named as the first spelling writes it.
func categoryLinks(base string, categories []string) []pageLink {
	var links []pageLink
	seen := make(map[string]bool, len(categories))
	for _, c := range categories {
		t := storage.Term(c)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		links = append(links, pageLink{Text: c, URL: ListURL(base, storage.List{Kind: storage.Category, Name: t})})
	}
	return links
}
