package feed

import (
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// Paths of the category and tag schemes, relative to the base URL: Atom
// categories and RSS category domains name them, so that a reader can
// tell a category from a tag of the same name. No page is served there yet.
const (
	pathCategories = "/categories/"
	pathTags       = "/tags/"
)

// entry is what every format says of one item beyond what gorilla/feeds'
// generic Item holds: its language, people, terms, image and original.
type entry struct {
	base string // the site's base URL, which category schemes start with
	// lang and dir are the item's language (its own, or else the site's)
	// and the direction of its script; otherLang says that the language
	// is not the site's.
	lang, dir string
	otherLang bool
	// authors are the item's own, with a name; none means the site's.
	authors          []article.Author
	categories, tags []string
	// lists are the item's sections and categories as the feeds name
	// them (see listTerms).
	lists []listTerm
	image *leadImage // nil for none
	link  string     // the original or canonical URL, or ""
}

// leadImage is an item's lead image, as the feeds link it.
type leadImage struct {
	url, typ, alt string
	size          int64 // 0 when unknown
}

// newEntry returns what the feeds say of it beyond gorilla/feeds' Item.
func newEntry(it storage.Item, cfg Config) entry {
	e := entry{base: cfg.BaseURL, lang: cfg.Lang.String(), dir: article.LangDir(cfg.Lang), categories: nonEmpty(it.Categories), tags: nonEmpty(it.Tags), link: it.Link}
	if it.Lang != "" {
		// The article package canonicalizes Lang; a tag that still does
		// not parse is not declared rather than declared wrong.
		if tag, err := language.Parse(it.Lang); err == nil && tag.String() != e.lang {
			e.lang, e.dir, e.otherLang = tag.String(), article.LangDir(tag), true
		}
	}
	e.lists = listTerms(it, cfg)
	for _, a := range it.Authors {
		if a.Name != "" { // Atom requires a name; a person without one is no byline
			e.authors = append(e.authors, a)
		}
	}
	if im := it.Image; im != nil && (im.Path != "" || im.URL != "") {
		e.image = &leadImage{url: im.URL, typ: im.Type, alt: im.Alt, size: im.Size}
		if im.Path != "" {
			e.image.url = MediaURL(cfg.BaseURL, im.Path)
		}
	}
	return e
}

// terms returns the categories and then the tags, without duplicates:
// for the formats that have one list (JSON Feed's tags, article:tag).
func (e entry) terms() []string {
	var all []string
	seen := make(map[string]bool, len(e.categories)+len(e.tags))
	for _, list := range [][]string{e.categories, e.tags} {
		for _, t := range list {
			if !seen[t] {
				seen[t] = true
				all = append(all, t)
			}
		}
	}
	return all
}

// nonEmpty returns list without empty strings, which no format can carry
// as a term.
func nonEmpty(list []string) []string {
	out := list[:0:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// listTerm is a section or a category of an item as its entry names it:
// its term (a folder path, or storage.Term of the name), the scheme that
// tells a section from a category, and its label, for people.
type listTerm struct {
	term, scheme, label string
	section             bool
}

// rss is the text of its RSS category: a section's folder path, which
// RSS reads as a place in a hierarchy, or a category as written.
func (t listTerm) rss() string {
	if t.section {
		return t.term
	}
	return t.label
}

// listTerms returns the item's sections, outermost first, each labelled
// with its _index.md title or else its path, then its categories, each
// once, labelled as the article writes it.
func listTerms(it storage.Item, cfg Config) []listTerm {
	var terms []listTerm
	for _, l := range it.Lists() {
		if l.Kind == storage.Section {
			terms = append(terms, listTerm{l.Name, cfg.BaseURL + PathSections, cfg.sectionLabel(l.Name), true})
		}
	}
	seen := make(map[string]bool, len(it.Categories))
	for _, c := range it.Categories {
		if t := storage.Term(c); t != "" && !seen[t] {
			seen[t] = true
			terms = append(terms, listTerm{t, cfg.BaseURL + PathCategories, c, false})
		}
	}
	return terms
}
