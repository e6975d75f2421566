package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/seedfeed/seedfeed/storage"
)

// Source is what the index reads articles from: the store's main list,
// page by page (see storage.Page), and what each write changed in it.
type Source interface {
	// Changed returns a channel closed at the next change.
	Changed() <-chan struct{}
	// Version and ChangesSince tell which archive pages each write
	// touched.
	Version() uint64
	ChangesSince(v uint64) storage.Changes
	// LastChange returns when the articles last changed.
	LastChange() (time.Time, error)
	// Info returns what the source knows of a list, or an error wrapping
	// storage.ErrNotFound when no article ever entered it.
	Info(l storage.List) (storage.ListInfo, error)
	// ArchiveHeads and ArchivePage return page n of list l, with only
	// each article's key, path and dates, or whole.
	ArchiveHeads(l storage.List, n int) (storage.Page, error)
	ArchivePage(l storage.List, n int) (storage.Page, error)
	// PageSize is the number of articles of an archive page.
	PageSize() int
	// Count is the number of articles.
	Count() int
	// Article returns the article whose slug, or failing that whose key,
	// is slug, or an error wrapping storage.ErrNotFound: for snippets.
	Article(slug string) (storage.Item, error)
}

// Options configure Open.
type Options struct {
	// Lang is the language (a BCP 47 tag) of the articles that name none.
	Lang string
	// Logger tells of rebuilds and catching up; nil for none.
	Logger *slog.Logger
	// Applied, if set, is called after each change of the store has
	// reached the index (on Run's goroutine: it must not block), so
	// that what shows search results, a WebSub topic, can look again.
	Applied func()
}

// format is the version of what the index holds: a change of analysis
// or of fields changes it, and an index of another version is rebuilt.
const format = 3

// markerKey is the internal key of the marker (see marker).
var markerKey = []byte("seedfeed")

// marker says what an index holds: its format, the page size of its page
// records, and, when Clean, that it reflects the store as of LastChange
// (written when the daemon stops; a crash leaves it not Clean, and the
// next start compares every page).
type marker struct {
	Format     int       `json:"format"`
	PageSize   int       `json:"page_size"`
	Pages      int       `json:"pages"`
	Clean      bool      `json:"clean"`
	LastChange time.Time `json:"last_change"`
}

// Field names. An article's text is in the fields of its language,
// analyzed by that language's analyzer, so that a query reaches each
// language's articles through the same analysis.
const (
	fieldPath      = "path"
	fieldPublished = "pub"
	prefixText     = "x_" // everything: title (twice), summary, body, authors, categories, tags
)

// Index is the search index of a store's articles, in a folder of its
// own. Search is safe for concurrent use, with Run keeping it up to date.
type Index struct {
	path    string
	idx     bleve.Index
	src     Source
	lang    string // the site's language
	log     *slog.Logger
	cache   *registry.Cache
	applied func()

	mu      sync.Mutex
	langs   map[string]bool // the languages with fields in the index
	mark    marker          // as read at Open, then as last written
	version uint64          // the source's version the index reflects
	synced  bool            // a round completed since Open: Close may mark the index clean

	catchingUp atomic.Bool
}

// Open opens the index in the folder path, creating it when it is
// missing, and rebuilding it empty (Run fills it) when it is damaged or
// of another format or page size. It refuses a folder that holds
// something else than an index, rather than delete it.
func Open(path string, src Source, opts Options) (*Index, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	x := &Index{path: path, src: src, lang: opts.Lang, log: logger, cache: registry.NewCache(), langs: map[string]bool{}, applied: opts.Applied}
	x.catchingUp.Store(true)
	idx, why, err := openExisting(path, src.PageSize())
	if err != nil {
		return nil, err
	}
	if idx == nil {
		if why != "" {
			logger.Warn("search index rebuilt from the database", "dir", path, "reason", why)
			if err := os.RemoveAll(path); err != nil {
				return nil, fmt.Errorf("search index %s: %w", path, err)
			}
		}
		if idx, err = bleve.New(path, bleve.NewIndexMapping()); err != nil {
			return nil, fmt.Errorf("search index %s: %w", path, err)
		}
	}
	x.idx = idx
	if err := x.readState(); err != nil {
		_ = idx.Close() // the read error is the one to report
		return nil, fmt.Errorf("search index %s: %w", path, err)
	}
	return x, nil
}

// openExisting opens the index at path, or returns nil and why it must
// be rebuilt ("" when there is none), or an error for a folder that is
// not an index.
func openExisting(path string, pageSize int) (bleve.Index, string, error) {
	entries, err := os.ReadDir(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, "", nil
	case err != nil:
		return nil, "", fmt.Errorf("search index %s: %w", path, err)
	case len(entries) == 0:
		return nil, "", nil
	}
	if _, err := os.Stat(filepath.Join(path, "index_meta.json")); err != nil {
		return nil, "", fmt.Errorf("search index %s: a folder that is not a search index; move it, or choose another with -search-index", path)
	}
	idx, err := openGuarded(path)
	if err != nil {
		return nil, "damaged: " + err.Error(), nil
	}
	m, err := readMarker(idx)
	switch {
	case err != nil:
		why := "damaged: " + err.Error()
		_ = idx.Close() // it is being thrown away
		return nil, why, nil
	case m.Format != format || m.PageSize != pageSize:
		_ = idx.Close() // it is being thrown away
		return nil, fmt.Sprintf("format %d, page size %d: now %d and %d", m.Format, m.PageSize, format, pageSize), nil
	}
	return idx, "", nil
}

// openGuarded opens an index, turning a panic or a fault (bbolt and the
// segments are read through memory maps: a file cut short faults) over
// a damaged file into an error.
func openGuarded(path string) (idx bleve.Index, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			idx, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return bleve.Open(path)
}

// readMarker reads the marker; a new index has none, the zero marker
// with this format.
func readMarker(idx bleve.Index) (marker, error) {
	m := marker{Format: format}
	v, err := idx.GetInternal(markerKey)
	if err != nil || v == nil {
		return m, err
	}
	err = json.Unmarshal(v, &m)
	return m, err
}

// readState reads the marker and the languages the index holds.
func (x *Index) readState() error {
	m, err := readMarker(x.idx)
	if err != nil {
		return err
	}
	m.PageSize = x.src.PageSize()
	x.mark = m
	fields, err := x.idx.Fields()
	if err != nil {
		return err
	}
	for _, f := range fields {
		if lang, ok := strings.CutPrefix(f, prefixText); ok {
			x.langs[lang] = true
		}
	}
	return nil
}

// CatchingUp reports whether the index is being brought in line with the
// whole store (at start-up, or after it fell too far behind): searches
// are answered meanwhile, from what it holds.
func (x *Index) CatchingUp() bool { return x.catchingUp.Load() }

// Count returns the number of articles the index holds.
func (x *Index) Count() uint64 {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0
	}
	return n
}

// Close brings the index in line with the store one last time, marks it
// clean, and closes it; an index still catching up is closed as it is. Call it after Run returned and once
// nothing writes to the store, so that the next start need not compare
// every page.
func (x *Index) Close() error {
	x.mu.Lock()
	synced := x.synced
	x.mu.Unlock()
	// Still catching up (a stop during a first import), the last round
	// could be long: the next start compares the pages instead.
	if synced && !x.CatchingUp() {
		c := x.src.ChangesSince(x.version)
		err := x.apply(context.Background(), c, false)
		if err == nil {
			err = x.writeMarker(true)
		}
		if err != nil {
			x.log.Warn("search index not marked clean: the next start compares it with the database", "err", err)
		}
	}
	return x.idx.Close()
}

// writeMarker writes the marker, clean or not; clean, it names the
// store's last change.
func (x *Index) writeMarker(clean bool) error {
	x.mu.Lock()
	m := x.mark
	x.mu.Unlock()
	m.Format, m.Clean, m.LastChange = format, clean, time.Time{}
	if clean {
		t, err := x.src.LastChange()
		if err != nil {
			return err
		}
		m.LastChange = t
	}
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := x.idx.SetInternal(markerKey, v); err != nil {
		return err
	}
	x.mu.Lock()
	x.mark = m
	x.mu.Unlock()
	return nil
}

// document returns the index's document of it.
func (x *Index) document(it storage.Item) (*document.Document, string, error) {
	lang := x.langOf(it)
	an, err := x.cache.AnalyzerNamed(analyzerName(lang))
	if err != nil {
		return nil, "", err
	}
	d := document.NewDocument(it.Key)
	d.AddField(document.NewTextFieldWithIndexingOptions(fieldPath, nil, []byte(it.Path), index.StoreField))
	pub, err := document.NewDateTimeFieldWithIndexingOptions(fieldPublished, nil, clampTime(it.Published), time.RFC3339, index.IndexField|index.DocValues)
	if err != nil {
		return nil, "", err
	}
	d.AddField(pub)
	// The title twice: its words count more in the order of the best
	// matches, at no cost to a search (a field of its own, boosted, cost
	// a fifth of every search).
	d.AddField(document.NewTextFieldCustom(prefixText+lang, nil, []byte(it.Title+"\n"+text(it)), index.IndexField, an))
	return d, lang, nil
}

// langOf returns the language whose analysis reads it: its own, or the
// site's.
func (x *Index) langOf(it storage.Item) string {
	if it.Lang != "" {
		return langOf(it.Lang)
	}
	return langOf(x.lang)
}

// clampTime keeps t within what bleve can represent (years 1677 to
// 2262, as Unix nanoseconds).
func clampTime(t time.Time) time.Time {
	lo, hi := time.Unix(0, -1<<63+1), time.Unix(0, 1<<63-1)
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t
}

// text is what a search reads of an article, and what its snippets are
// cut from: title, summary, body, authors, categories and tags, one to a
// line.
func text(it storage.Item) string {
	var b strings.Builder
	line := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	line(it.Title)
	line(it.Summary)
	for _, p := range it.Paragraphs {
		line(p)
	}
	for _, a := range it.Authors {
		line(a.Name)
	}
	for _, c := range it.Categories {
		line(c)
	}
	for _, t := range it.Tags {
		line(t)
	}
	return b.String()
}
