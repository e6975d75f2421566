// Package feed renders stored articles as Atom 1.0, RSS 2.0 and JSON Feed
// 1.1 documents and as HTML pages, and serves them over HTTP.
//
// NewHandler reads the newest articles from a Source and renders every
// document once per change, not per request. The feeds go through a
// generic *feeds.Feed (github.com/gorilla/feeds), and then get what that
// library leaves out: the language of the feed and of every entry, Atom's
// published dates and self link, RSS's atom:link and non-permalink guids,
// JSON Feed's feed_url and item language, and each article's authors,
// categories and tags, lead image (an enclosure, Media RSS elements, JSON
// Feed's image and attachment) and original (see entry). An article's
// page carries the same, with Open Graph properties and schema.org
// NewsArticle data for the previews of messengers and search engines.
// With Config.Hub, every subscription feed is a WebSub topic that names
// its hub and itself (see HubLinks).
package feed

import (
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/media"
	"github.com/seedfeed/seedfeed/storage"
)

// Config describes the site that the feeds belong to.
type Config struct {
	// BaseURL is the public URL of the site, without a trailing slash;
	// every link and id starts with it.
	BaseURL     string
	Title       string
	Description string
	Author      string
	// Lang is the language of the articles.
	Lang language.Tag
	// Location is the time zone the pages show dates and times in; nil
	// is UTC. The feeds write theirs in UTC, as their formats do.
	Location *time.Location
	// Digits are the digits the pages of an Arabic site write their
	// dates and page numbers in.
	Digits Digits
	// Limit is the number of entries in each feed and on the index page.
	Limit int
	// MaxAge is how long clients and caches may reuse a response.
	MaxAge time.Duration
	// Hub is the URL of the WebSub hub that every subscription feed
	// advertises, in its Link header and in the document, beside its self
	// link; "" advertises none. Archive documents never change, so they
	// advertise no hub.
	Hub string
	// Explicit says which of Title, Description and Lang were set
	// explicitly (by flag or environment): the root folder's _index.md
	// gives the others, flags win.
	Explicit Explicit

	// sections is what each folder's _index.md says, by folder path; the
	// handler fills it. Never modified once set: a change makes a new map.
	sections map[string]section
	// sectionsChanged is when a section last changed: the earliest
	// Last-Modified of any document, since each may name one.
	sectionsChanged time.Time
}

// Explicit names the fields of Config set explicitly.
type Explicit struct{ Title, Description, Lang bool }

// Paths of the served documents, relative to the base URL.
const (
	PathAtom     = "/feed.atom"
	PathRSS      = "/feed.rss"
	PathJSON     = "/feed.json"
	PathArticles = "/articles/"
)

// emptyUpdated dates a feed with no entries: a feed's date is its newest
// entry's, never the time it was rendered, so an empty one gets a fixed
// date, late enough that validators do not find it implausible (they flag
// dates before 1990).
var emptyUpdated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// build returns the generic feed of items, whose page (its alternate
// link and id) is home, and for each item what gorilla/feeds has no place
// for. It is a pure function of its arguments.
func build(items []storage.Item, cfg Config, home string) (*feeds.Feed, []entry) {
	f := &feeds.Feed{
		Title:       cfg.Title,
		Link:        &feeds.Link{Href: home, Rel: "alternate", Type: "text/html"},
		Description: cfg.Description,
		Author:      &feeds.Author{Name: cfg.Author},
		Id:          home,
		Updated:     updated(items),
	}
	entries := make([]entry, len(items))
	for i, it := range items {
		entries[i] = newEntry(it, cfg)
		f.Items = append(f.Items, &feeds.Item{
			Id:          EntryID(cfg.BaseURL, it),
			IsPermaLink: "false",
			Title:       it.Title,
			Link:        &feeds.Link{Href: ArticleURL(cfg.BaseURL, it), Rel: "alternate", Type: "text/html"},
			Description: summary(it),
			Content:     contentHTML(it, entries[i], cfg.BaseURL),
			Created:     it.Published,
			Updated:     it.Updated,
		})
	}
	return f, entries
}

// updated returns the date of a feed of items: the latest Updated among them.
func updated(items []storage.Item) time.Time {
	t := emptyUpdated
	for _, it := range items {
		if it.Updated.After(t) {
			t = it.Updated
		}
	}
	return t
}

// EntryID returns the id of an item's entry: the URL of the article under
// the name it was first published with. It depends on nothing but the base
// URL and that name, so it survives restarts, edits, renames and a new
// database.
func EntryID(baseURL string, it storage.Item) string {
	return baseURL + PathArticles + escapePath(it.Key)
}

// ArticleURL returns the URL of an item's page: its current slug, percent-encoded.
func ArticleURL(baseURL string, it storage.Item) string {
	return baseURL + PathArticles + escapePath(it.Slug())
}

// MediaURL returns the URL of the media file at p, a slash-separated path
// under the seeds folder, as the media package serves it.
func MediaURL(baseURL, p string) string { return baseURL + media.URLPath(p) }

// escapePath percent-encodes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// summary is the article's own summary or else its first paragraph, as
// plain text.
func summary(it storage.Item) string {
	if it.Summary != "" {
		return it.Summary
	}
	if len(it.Paragraphs) == 0 {
		return ""
	}
	return it.Paragraphs[0]
}
