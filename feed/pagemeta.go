package feed

import (
	"cmp"
	"encoding/json"
	"html/template"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/storage"
)

// pageMeta is what an article's page says of the article for machines:
// the description that search engines show, the Open Graph properties
// that messengers build a link's preview from, and schema.org data.
type pageMeta struct {
	SiteName, Title, Description, URL string
	Locale                            string // og:locale, language_TERRITORY
	Image                             *pageImage
	Published, Modified               time.Time
	// Authors are the article:author values: each author's URL, or else
	// name.
	Authors []string
	Section string   // the first category
	Tags    []string // categories and tags
	JSONLD  template.JS
}

// newPageMeta returns the metadata of it, which e describes and a shows.
func newPageMeta(it storage.Item, e entry, cfg Config, a pageArticle) *pageMeta {
	m := &pageMeta{
		SiteName: cfg.Title, Title: it.Title, Description: a.Summary, URL: a.URL,
		Locale: ogLocale(e.lang), Image: a.Image, Published: it.Published, Modified: it.Updated,
		Tags: e.terms(),
	}
	for _, au := range e.authors {
		m.Authors = append(m.Authors, cmp.Or(au.URL, au.Name))
	}
	if len(e.categories) > 0 {
		m.Section = e.categories[0]
	}
	m.JSONLD = newsArticleJSON(it, e, cfg, a)
	return m
}

// ogLocale returns lang in Open Graph's language_TERRITORY form, with the
// territory lang names or else its most likely one ("en" gives "en_US");
// only the language when there is none. Arabic with no territory is
// "ar_AR", the pan-Arab locale Facebook's list has, rather than the
// likeliest single country (Egypt) for a site read across the region.
func ogLocale(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	base, _ := tag.Base()
	region, conf := tag.Region()
	if base.String() == "ar" && conf != language.Exact {
		return "ar_AR"
	}
	if region.String() == "ZZ" {
		return base.String()
	}
	return base.String() + "_" + region.String()
}

// newsArticle is schema.org's NewsArticle, as JSON-LD.
type newsArticle struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	Headline         string    `json:"headline"`
	Description      string    `json:"description,omitempty"`
	URL              string    `json:"url"`
	MainEntityOfPage ldThing   `json:"mainEntityOfPage"`
	DatePublished    string    `json:"datePublished"`
	DateModified     string    `json:"dateModified"`
	Author           []ldThing `json:"author,omitempty"`
	Publisher        ldThing   `json:"publisher"`
	Image            []string  `json:"image,omitempty"`
	InLanguage       string    `json:"inLanguage"`
	Keywords         []string  `json:"keywords,omitempty"`
	IsBasedOn        string    `json:"isBasedOn,omitempty"`
}

// ldThing is a person, an organization or a web page.
type ldThing struct {
	Type string `json:"@type"`
	ID   string `json:"@id,omitempty"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// newsArticleJSON returns the JSON-LD of it. json.Marshal writes "<",
// ">" and "&" as \u escapes, so no title can close the script element.
func newsArticleJSON(it storage.Item, e entry, cfg Config, a pageArticle) template.JS {
	ld := newsArticle{
		Context: "https://schema.org", Type: "NewsArticle",
		Headline: it.Title, Description: a.Summary, URL: a.URL,
		MainEntityOfPage: ldThing{Type: "WebPage", ID: a.URL},
		DatePublished:    it.Published.UTC().Format(time.RFC3339),
		DateModified:     it.Updated.UTC().Format(time.RFC3339),
		Publisher:        ldThing{Type: "Organization", Name: cfg.Title, URL: cfg.BaseURL + "/"},
		InLanguage:       e.lang,
		Keywords:         e.terms(),
		IsBasedOn:        e.link,
	}
	for _, au := range e.authors {
		ld.Author = append(ld.Author, ldThing{Type: "Person", Name: au.Name, URL: au.URL})
	}
	if len(ld.Author) == 0 && cfg.Author != "" {
		ld.Author = []ldThing{{Type: "Organization", Name: cfg.Author}}
	}
	if e.image != nil {
		ld.Image = []string{e.image.url}
	}
	b, err := json.Marshal(ld)
	if err != nil {
		// Strings and slices of strings always marshal.
		return "{}"
	}
	return template.JS(b)
}
