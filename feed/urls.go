package feed

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/seedfeed/seedfeed/storage"
)

// The URL scheme of the lists (see storage.List), relative to the base
// URL. The main list is the site itself: its page is "/", its feeds
// PathAtom, PathRSS and PathJSON. A section, the articles under a folder,
// lives at PathSections and the folder's path, each segment
// percent-encoded; a category at PathCategories and its term (see
// storage.Term), percent-encoded as one segment, a "/" in it as %2F.
// Under a list's path:
//
//	""                  its page, the newest articles (page 1)
//	"page/N/"           page N ≥ 2 of its page, newest first
//	"feed.atom" …       its feeds: feed.atom, feed.rss, feed.json
//	"archive/N.atom" …  archive document N (RFC 5005), from 1, the
//	                    oldest: N.atom, N.rss, N.json
//
// For the main list these are "/page/N/" and "/archive/N.atom". A folder
// named "page" or "archive" is little trouble: a section's own path
// always ends in "/". Page 2 of "x", when it has one, wins over the page
// of a section named "x/page/2", whose articles are in x's pages anyway;
// that section's feeds and archives answer at their own paths.
const (
	PathSections   = "/sections/"
	PathCategories = pathCategories
	pathArchive    = "archive/"
	pathPage       = "page/"
)

// Format is one of the feed formats.
type Format uint8

// The feed formats, each with its file extension.
const (
	Atom Format = iota
	RSS
	JSON
)

// Ext returns the format's file extension, without the dot.
func (f Format) Ext() string { return [...]string{"atom", "rss", "json"}[f] }

// ListPath returns the path of the list's page, relative to the base
// URL: "/" for the main list, else ending in "/".
func ListPath(l storage.List) string {
	switch l.Kind {
	case storage.Section:
		return PathSections + escapePath(l.Name) + "/"
	case storage.Category:
		return PathCategories + escapeTerm(l.Name) + "/"
	}
	return "/"
}

// escapeTerm percent-encodes a category term as one path segment. A term
// of dots only would be a dot segment, which clients and servers remove
// ("/categories/../" is "/"): its dots are written %2E, which the router
// decodes back.
func escapeTerm(term string) string {
	if term != "" && strings.Trim(term, ".") == "" {
		return strings.Repeat("%2E", len(term))
	}
	return url.PathEscape(term)
}

// ListURL returns the URL of the list's page.
func ListURL(base string, l storage.List) string { return base + ListPath(l) }

// ListPageURL returns the URL of page n (from 1) of the list's page.
func ListPageURL(base string, l storage.List, n int) string {
	if n <= 1 {
		return ListURL(base, l)
	}
	return ListURL(base, l) + pathPage + strconv.Itoa(n) + "/"
}

// ListFeedURL returns the URL of the list's feed in format f.
func ListFeedURL(base string, l storage.List, f Format) string {
	return ListURL(base, l) + "feed." + f.Ext()
}

// ArchiveURL returns the URL of the list's archive document n (from 1)
// in format f.
func ArchiveURL(base string, l storage.List, n int, f Format) string {
	return ListURL(base, l) + pathArchive + strconv.Itoa(n) + "." + f.Ext()
}

// HubLinks returns the value of the HTTP Link header by which a WebSub
// topic at self names its hub (WebSub §4), for the feeds and for the
// hub's deliveries alike. Both URLs go in as they are: a valid URL holds
// no "<", ">" or space (ListFeedURL escapes every path segment; the hub
// URL is the operator's, checked where it is configured).
func HubLinks(hub, self string) string {
	return "<" + hub + `>; rel="hub", <` + self + `>; rel="self"`
}
