package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/search"
)

// validateSearch fills in the search index's folder, by default beside
// the database (seedfeed.db.search), and checks that it can be one.
func (cfg *config) validateSearch() error {
	if cfg.searchIndex == "" {
		cfg.searchIndex = cfg.db + ".search"
	}
	if fi, err := os.Stat(filepath.Dir(cfg.searchIndex)); err != nil {
		return fmt.Errorf("-search-index %s: %w", cfg.searchIndex, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("-search-index %s: %s is not a directory", cfg.searchIndex, filepath.Dir(cfg.searchIndex))
	}
	if fi, err := os.Stat(cfg.searchIndex); err == nil && !fi.IsDir() {
		return fmt.Errorf("-search-index %s: not a directory", cfg.searchIndex)
	}
	return nil
}

// openSearch opens the search index over the store and has the feeds
// answer searches from it. Run keeps it in line with the store (see
// search.Index.Run).
func (d *daemon) openSearch() error {
	var err error
	d.search, err = search.Open(d.cfg.searchIndex, d.store, search.Options{Lang: d.cfg.feed.Lang.String(), Logger: d.log, Applied: d.searchApplied})
	if err != nil {
		return err
	}
	d.cfg.feed.Search = searcher{d.search}
	return nil
}

// searchApplied asks the WebSub publisher for a pass once a change has
// reached the search index: a search's feed, a topic, may have changed
// with it, after the pass the feeds' render asked for.
func (d *daemon) searchApplied() {
	if p := d.pubReady.Load(); p != nil { // none until the feeds serve
		p.changed()
	}
}

// searchStatus is what /healthz says of the search index: "" when it is
// in step with the database, else that it is catching up.
func (d *daemon) searchStatus() string {
	if d.search == nil || !d.search.CatchingUp() {
		return ""
	}
	return "catching up"
}

// searcher answers the feeds' searches from the index.
type searcher struct{ x *search.Index }

func (s searcher) Search(ctx context.Context, r feed.SearchRequest) (feed.SearchResults, error) {
	order := search.Relevance
	if r.Newest {
		order = search.Newest
	}
	res, err := s.x.Search(ctx, search.Request{Query: r.Query, Order: order, From: r.From, Size: r.Size, Snippets: r.Snippets})
	if errors.Is(err, search.ErrBadQuery) {
		return feed.SearchResults{}, fmt.Errorf("%w: %q", feed.ErrBadQuery, r.Query)
	} else if err != nil {
		return feed.SearchResults{}, err
	}
	out := feed.SearchResults{Total: res.Total, Hits: make([]feed.SearchHit, len(res.Hits))}
	for i, h := range res.Hits {
		out.Hits[i] = feed.SearchHit{Key: h.Key, Path: h.Path, Snippet: make([]feed.SearchFragment, len(h.Snippet))}
		for j, f := range h.Snippet {
			out.Hits[i].Snippet[j] = feed.SearchFragment(f)
		}
	}
	return out, nil
}
