package feed

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/seedfeed/seedfeed/storage"
)

// docKind is what a list's document is.
type docKind uint8

const (
	kindFeed    docKind = iota // its subscription feed
	kindArchive                // archive document n
	kindPage                   // HTML page n
)

// docKey names one document of a list.
type docKey struct {
	list storage.List
	kind docKind
	n    int    // the page or archive number, from 1
	f    Format // of a feed or archive document
}

// cachedDoc is a rendered document of a list and the headers it is
// served with.
type cachedDoc struct {
	d  doc
	hd *headers
}

// maxCachedDocs bounds the cache of list documents, as maxCachedPages
// does article pages: a crawler walking every list must not keep them all.
const maxCachedDocs = 1024

// parseNumber returns the page number s writes: decimal digits, no
// leading zero, from 1, small enough for an int on any platform.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 9 || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseFormat returns the format whose extension is ext.
func parseFormat(ext string) (Format, bool) {
	for _, f := range []Format{Atom, RSS, JSON} {
		if f.Ext() == ext {
			return f, true
		}
	}
	return 0, false
}

// parseArchive parses "N.EXT", the name of an archive document.
func parseArchive(name string) (docKey, bool) {
	num, ext, ok := strings.Cut(name, ".")
	n, nok := parseNumber(num)
	f, fok := parseFormat(ext)
	return docKey{kind: kindArchive, n: n, f: f}, ok && nok && fok
}

// parseRest parses what follows a list's path (see urls.go): "" its page,
// "page/N/" (N ≥ 2: page 1 is the list's own path), "feed.EXT" and
// "archive/N.EXT".
func parseRest(rest string) (docKey, bool) {
	switch {
	case rest == "":
		return docKey{kind: kindPage, n: 1}, true
	case strings.HasPrefix(rest, pathPage):
		num, ok := strings.CutSuffix(rest[len(pathPage):], "/")
		n, nok := parseNumber(num)
		return docKey{kind: kindPage, n: n}, ok && nok && n > 1
	case strings.HasPrefix(rest, pathArchive):
		return parseArchive(rest[len(pathArchive):])
	case strings.HasPrefix(rest, "feed."):
		f, ok := parseFormat(rest[len("feed."):])
		return docKey{kind: kindFeed, f: f}, ok
	}
	return docKey{}, false
}

// sectionKeys returns the documents a path under PathSections may name,
// the longest section name first: "x/page/2/" is page 1 of section
// "x/page/2" or page 2 of "x".
func sectionKeys(p string) []docKey {
	var keys []docKey
	for i := len(p) - 1; i > 0; i-- {
		if p[i] != '/' {
			continue
		}
		if k, ok := parseRest(p[i+1:]); ok {
			k.list = storage.List{Kind: storage.Section, Name: p[:i]}
			keys = append(keys, k)
		}
	}
	return keys
}

// serveSection serves what a path under PathSections names. Page N of a
// section "x" that has N pages wins over a section named "x/page/N" (a
// folder): x's pages link to each other, and following them must reach
// every article of x, the folder's too. The folder's own page is then
// shadowed; its feeds and archives still answer at their paths.
func (h *Handler) serveSection(w http.ResponseWriter, r *http.Request) {
	keys := sectionKeys(r.PathValue("path"))
	if len(keys) == 0 {
		h.notFound(w, r)
		return
	}
	k := keys[0]
	if len(keys) > 1 && h.hasPage(keys[len(keys)-1]) {
		k = keys[len(keys)-1]
	}
	h.serveList(w, r, k)
}

// hasPage reports whether k is an HTML page of its list that exists.
func (h *Handler) hasPage(k docKey) bool {
	if k.kind != kindPage {
		return false
	}
	info, err := h.src.Info(k.list)
	return err == nil && htmlPages(info.Count, h.site.Load().Limit) >= k.n
}

// serveCategory serves a category's documents. A name that is not in
// the form of its term ("Sport" for "sport", see storage.Term) is
// redirected to the term's URL, so that a URL written by hand from a
// label works.
func (h *Handler) serveCategory(w http.ResponseWriter, r *http.Request) {
	rest := r.PathValue("rest")
	k, ok := parseRest(rest)
	if !ok {
		h.notFound(w, r)
		return
	}
	name := r.PathValue("term")
	if t := storage.Term(name); t != name && t != "" {
		base := h.site.Load().BaseURL
		http.Redirect(w, r, ListURL(base, storage.List{Kind: storage.Category, Name: t})+rest, http.StatusMovedPermanently)
		return
	}
	k.list = storage.List{Kind: storage.Category, Name: name}
	h.serveList(w, r, k)
}

// serveMainPage serves page N ≥ 2 of the main list's HTML page.
func (h *Handler) serveMainPage(w http.ResponseWriter, r *http.Request) {
	k, ok := parseRest(pathPage + r.PathValue("n") + "/")
	if !ok {
		h.notFound(w, r)
		return
	}
	h.serveList(w, r, k)
}

// serveMainArchive serves the main list's archive documents.
func (h *Handler) serveMainArchive(w http.ResponseWriter, r *http.Request) {
	k, ok := parseArchive(r.PathValue("file"))
	if !ok {
		h.notFound(w, r)
		return
	}
	h.serveList(w, r, k)
}

// serveList serves the list document k from the cache, or renders and
// caches it. A document rendered while the source changed is served but
// not kept: it may predate the change.
func (h *Handler) serveList(w http.ResponseWriter, r *http.Request, k docKey) {
	h.mu.Lock()
	c, gen := h.docs[k], h.gen
	h.mu.Unlock()
	if c == nil {
		var err error
		c, err = h.renderList(k)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			h.notFound(w, r)
			return
		case err != nil:
			h.log.Error("cannot show list", "list", k.list.Kind.String(), "name", k.list.Name, "err", err)
			h.writeError(w, http.StatusInternalServerError)
			return
		}
		h.keep(k, c, gen)
	}
	c.d.write(w, r, *c.hd)
}

// keep caches c as k unless the source changed since gen, and records
// its validators for the next version's doc.follow.
func (h *Handler) keep(k docKey, c *cachedDoc, gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.d.follow(h.servedDocs[k])
	if gen == h.gen {
		if len(h.docs) >= maxCachedDocs {
			clear(h.docs)
		}
		h.docs[k] = c
	}
	if len(h.servedDocs) >= maxCachedDocs {
		clear(h.servedDocs)
	}
	d := &c.d
	h.servedDocs[k] = &doc{modified: d.modified, sharedSecond: d.sharedSecond, nextModified: d.nextModified, plain: representation{etag: d.plain.etag}}
}

// dropChanged forgets the cached documents that c says changed: every
// document of a changed list but its archive documents, of which only
// the changed pages and the page before each (a page that became full
// gives the one before it a next-archive link). The caller holds h.mu.
func (h *Handler) dropChanged(c storage.Changes) {
	if c.All {
		clear(h.docs)
		return
	}
	for k := range h.docs {
		pages, ok := c.Lists[k.list]
		if ok && (k.kind != kindArchive || slices.Contains(pages, k.n) || slices.Contains(pages, k.n+1)) {
			delete(h.docs, k)
		}
	}
}
