package feed

import (
	"fmt"
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
	Heading, Description string
	Canonical            string
	// PrevURL and NextURL are the newer and the older page, or "".
	PrevURL, NextURL string
	// PageOf says "page N of M", only when there is more than one page.
	PageOf string
}

// pageLink is a link to a section or a category, with its name as
// written.
type pageLink struct{ Text, URL string }

// listPage renders page v.N of the HTML page of v.List: its heading, its
// articles with their sections and categories, links to the newer and
// older pages, and autodiscovery links to the list's own feeds.
func listPage(v listView, cfg Config) ([]byte, error) {
	p := cfg.page()
	lang := v.Lang
	if lang == language.Und {
		lang = cfg.Lang
	}
	if l := lang.String(); l != p.Lang {
		p.SiteLang, p.SiteDir = p.Lang, p.Dir
		p.Lang, p.Dir = l, article.LangDir(lang)
	}
	p.Words = wordsFor(p.Lang)
	n, pages := max(v.N, 1), max(v.Pages, v.N, 1)
	heading := v.Title
	if heading == "" {
		heading = cfg.Title
	}
	if v.List != (storage.List{}) {
		// A list's title (see headOf) already names the site.
		p.FeedTitle = heading
		// A list that every article left answers, so that its feeds'
		// subscribers are not broken, but search engines should drop it.
		p.NoIndex = v.Count == 0
	}
	p.DocTitle = p.FeedTitle
	pl := &pageList{Heading: heading, Canonical: ListPageURL(cfg.BaseURL, v.List, n)}
	if strings.TrimSpace(v.Description) != strings.TrimSpace(heading) {
		pl.Description = v.Description
	}
	if pages > 1 {
		pl.PageOf = fmt.Sprintf(p.Words.PageOf, n, pages)
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
		a := pageArticleOf(it, e, false, v.Names)
		a.OtherLang = e.lang != p.Lang
		p.Articles = append(p.Articles, a)
	}
	return renderPage(p)
}

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

// words are what the pages say themselves, in the page's language: the
// names of the navigation landmarks and of the links between pages.
type words struct {
	Feeds, Sections, Pages, Newer, Older string
	PageOf                               string // a format of N and M
}

// wordsFor returns the words in lang, a BCP 47 tag: Arabic for Arabic,
// else English.
func wordsFor(lang string) words {
	if base, _ := language.Make(lang).Base(); base.String() == "ar" {
		return words{Feeds: "الخلاصات", Sections: "الأقسام", Pages: "الصفحات", Newer: "الأحدث", Older: "الأقدم", PageOf: "الصفحة %d من %d"}
	}
	return words{Feeds: "Feeds", Sections: "Sections", Pages: "Pages", Newer: "Newer", Older: "Older", PageOf: "Page %d of %d"}
}
