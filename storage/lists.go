package storage

import (
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/seedfeed/seedfeed/article"
)

// Kind is what a list gathers.
type Kind uint8

const (
	// Main is every article.
	Main Kind = iota
	// Section is the articles under a folder, at any depth.
	Section
	// Category is the articles that name a category (see Term).
	Category
)

func (k Kind) String() string { return [...]string{"main", "section", "category"}[k] }

// List names a list of articles: the zero List is the main list; a
// section is named by its folder's slash-separated path under the seeds
// folder, as the files have it; a category by its term as Term gives it.
type List struct {
	Kind Kind
	Name string
}

// id is the list's name in the database: a letter for its kind, then its
// name. Neither a path nor a term holds a NUL, which ends it in index keys.
func (l List) id() string {
	switch l.Kind {
	case Section:
		return "s:" + l.Name
	case Category:
		return "c:" + l.Name
	}
	return "m"
}

// listOfID is the List whose id is id.
func listOfID(id string) List {
	switch {
	case strings.HasPrefix(id, "s:"):
		return List{Section, id[2:]}
	case strings.HasPrefix(id, "c:"):
		return List{Category, id[2:]}
	}
	return List{}
}

// Lists returns the lists the article belongs to: the main list; the
// section of every folder above it, outermost first (a page bundle's
// own folder is the article, not a section of it: "a/b/x/index.md" is in
// "a" and "a/b"); and the category of each of its Categories, in order,
// once each however many spellings of one term it names.
func (it Item) Lists() []List { return listsOf(it.Path, it.Categories) }

// listsOf returns the lists of the article at path naming categories.
func listsOf(p string, categories []string) []List {
	lists := []List{{}}
	if dir := path.Dir(article.Slug(p)); dir != "." {
		for i, r := range dir {
			if r == '/' {
				lists = append(lists, List{Section, dir[:i]})
			}
		}
		lists = append(lists, List{Section, dir})
	}
	for _, c := range categories {
		l := List{Category, Term(c)}
		if l.Name != "" && !slices.Contains(lists, l) {
			lists = append(lists, l)
		}
	}
	return lists
}

// Term returns the form of a category name that the store matches
// categories by, and names category lists by: white space and bidi marks
// (RLM, LRM, ALM, embeddings and isolates) trimmed from both ends, inner
// runs of white space made one space, control characters dropped, then
// Unicode NFC and Unicode case folding. So "Sport", " sport" and "SPORT"
// are one category, and a name typed with a combining mark or its
// precomposed letter is one name. Folding changes only scripts with case:
// Arabic names match exactly as written (after NFC): hamza forms, tashkeel
// and tatweel are the writer's spelling, and "رياضة" and "رياضه" are two
// categories. A name that is nothing but space gives "".
func Term(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimFunc(name, trimmed) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s := norm.NFC.String(b.String())
	if hasCase(s) {
		// Folding can undo composition (it maps some precomposed letters
		// to sequences): compose again.
		s = norm.NFC.String(cases.Fold().String(s))
	}
	return s
}

// trimmed reports whether r goes from the ends of a category name.
func trimmed(r rune) bool {
	switch r {
	case '\u200e', '\u200f', '\u061c', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
		'\u2066', '\u2067', '\u2068', '\u2069', '\ufeff':
		return true
	}
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// hasCase reports whether s has a letter that case folding may change,
// so that an Arabic name costs no folding.
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

// ListInfo is what the store knows of a list without reading its articles.
type ListInfo struct {
	List
	// Label is how the list is written for readers: a section's folder
	// path, or the spelling of the category in the article last stored
	// with it (see Term).
	Label string
	// Count is the number of articles in the list.
	Count int
	// Pages is the number of its archive pages (see ArchivePage): 0 when
	// no article ever entered it.
	Pages int
	// Changed is when an article last entered the list, left it, or
	// changed while in it (the store's clock, as LastChange).
	Changed time.Time
	// Newest is the published date of its most recently published
	// article, zero when it is empty.
	Newest time.Time
}
