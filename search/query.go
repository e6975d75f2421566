package search

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// MaxQuery is the longest query, in characters: longer than any phrase a
// reader types, short enough that its analysis and its terms cost
// little.
const MaxQuery = 256

// MaxResults bounds from+size of a search: deeper pages cost a sort of
// every match before them.
const MaxResults = 10000

// ErrBadQuery is returned for a query that is not valid UTF-8, too long,
// or asks past MaxResults.
var ErrBadQuery = errors.New("bad query")

// Order is the order of the results.
type Order int

const (
	// Relevance puts the best matches first (tf-idf): the words of the
	// title count twice.
	Relevance Order = iota
	// Newest puts the most recently published first, as a feed does.
	Newest
)

// Results are one page of a search's matches.
type Results struct {
	// Total is the number of articles that match.
	Total int
	Hits  []Hit
}

// Hit is one matching article.
type Hit struct {
	// Key is the article's key (see storage.Item), Path its file's path
	// as the index has it.
	Key, Path string
	// Snippet is a passage of its text around the first matching words,
	// in fragments, each marked when it is a matching word.
	Snippet []Fragment
}

// Fragment is a piece of a snippet's text, as written in the article.
type Fragment struct {
	Text string
	Mark bool
}

// Request is one search.
type Request struct {
	// Query is text, never query syntax: every word of it must be in the
	// article (in any of its fields), as each language's analysis reads
	// it. A query with no word (empty, punctuation, stop words only)
	// matches nothing.
	Query string
	Order Order
	// From (from 0) and Size select the page of results.
	From, Size int
	// Snippets asks for each hit's snippet, cut from the article as the
	// store has it.
	Snippets bool
}

// Search returns the matches of r. ctx bounds the time it may take.
func (x *Index) Search(ctx context.Context, r Request) (Results, error) {
	q := r.Query
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQuery || r.From < 0 || r.Size < 0 || r.From+r.Size > MaxResults {
		return Results{}, ErrBadQuery
	}
	x.mu.Lock()
	langs := slices.Sorted(maps.Keys(x.langs))
	x.mu.Unlock()
	if len(langs) == 0 || r.Size == 0 {
		return Results{}, nil
	}
	match := matchQuery(q, langs)
	var res *bleve.SearchResult
	var err error
	if r.Order == Newest {
		res, err = x.newest(ctx, match, r.From+r.Size)
	} else {
		// Every sort key but the score is read from each match's doc
		// values, which cost more than the search itself when a word is
		// in most articles: the best first is by score alone.
		req := bleve.NewSearchRequestOptions(match, r.Size, r.From, false)
		req.Fields = []string{fieldPath}
		res, err = x.idx.SearchInContext(ctx, req)
	}
	if err != nil {
		return Results{}, err
	}
	if r.Order == Newest {
		res.Hits = res.Hits[min(r.From, len(res.Hits)):]
	}
	out := Results{Total: int(res.Total)}
	for _, h := range res.Hits {
		hit := Hit{Key: h.ID}
		hit.Path, _ = h.Fields[fieldPath].(string)
		if r.Snippets {
			if hit.Snippet, err = x.snippetOf(ctx, hit, q); err != nil {
				return Results{}, err
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// matchQuery returns the query of q over the articles of each of langs,
// each by its language's analysis: every word in the text.
func matchQuery(q string, langs []string) query.Query {
	var each []query.Query
	for _, lang := range langs {
		all := bleve.NewMatchQuery(q)
		all.SetField(prefixText + lang)
		all.Analyzer = analyzerName(lang)
		all.SetOperator(query.MatchQueryOperatorAnd)
		each = append(each, all)
	}
	if len(each) == 1 {
		return each[0] // one searcher less around every match
	}
	return bleve.NewDisjunctionQuery(each...)
}

// newestPages is how many archive pages of the main list back newest
// first looks; each next try looks newestGrowth times further, and the
// last at every article.
const (
	newestPages  = 20
	newestGrowth = 8
	newestTries  = 3
)

// newest returns the n most recently published matches of match. Sorting
// by date reads each match's date from its doc values, which for a word
// in most articles costs far more than the search; so it looks first at
// the articles published since the first of the main list's last
// newestPages archive pages (about a thousand articles), then further
// back, and only then at all. What it returns is exact all the same:
// every article published since that date is searched. Total counts
// the matches of the last span searched.
func (x *Index) newest(ctx context.Context, match query.Query, n int) (*bleve.SearchResult, error) {
	info, err := x.src.Info(storage.List{})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	back := newestPages
	for try := 0; ; try++ {
		q := match
		if try < newestTries && back < info.Pages {
			since, err := x.since(info.Pages - back)
			if err != nil {
				return nil, err
			}
			r := bleve.NewDateRangeQuery(since, time.Time{})
			r.SetField(fieldPublished)
			q = bleve.NewConjunctionQuery(match, r)
		}
		req := bleve.NewSearchRequestOptions(q, n, 0, false)
		req.Fields = []string{fieldPath}
		req.Score = "none"
		req.SortBy([]string{"-" + fieldPublished})
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil || len(res.Hits) >= n || q == match {
			return res, err
		}
		back *= newestGrowth
	}
}

// since returns the earliest publication date of the main list's
// archive page p, or the zero time when it has none.
func (x *Index) since(p int) (time.Time, error) {
	page, err := x.src.ArchiveHeads(storage.List{}, p)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return time.Time{}, err
	}
	var t time.Time
	for _, it := range page.Items {
		if t.IsZero() || it.Published.Before(t) {
			t = it.Published
		}
	}
	return t, nil
}

// snippetOf returns the snippet of hit's article, as the store has it,
// for q: its text read again by its language's analysis, the words whose
// terms are q's marked. None when the article is gone (the index is a
// moment behind the store).
func (x *Index) snippetOf(ctx context.Context, hit Hit, q string) ([]Fragment, error) {
	it, err := x.src.Article(article.Slug(hit.Path))
	if err == nil && it.Key != hit.Key {
		it, err = x.src.Article(hit.Key)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound) || (err == nil && it.Key != hit.Key):
		return nil, nil
	case err != nil:
		return nil, err
	}
	an, err := x.cache.AnalyzerNamed(analyzerName(x.langOf(it)))
	if err != nil {
		return nil, err
	}
	terms := map[string]bool{}
	for _, t := range an.Analyze([]byte(q)) {
		terms[string(t.Term)] = true
	}
	// Line by line, from the first that matches to the end of the
	// snippet: reading the whole text again cost a fifth of a search.
	// No further than snippetScan for the first match (an article of a
	// megabyte whose only match is at its end would cost a search its
	// time), and not past the search's time: the snippet is then the
	// text's beginning, unmarked.
	t := text(it)
	var spans []span
	for at := 0; at < len(t) && (len(spans) == 0 || at <= spans[0].start+4*snippetLen); {
		if len(spans) == 0 && at > snippetScan {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := strings.IndexByte(t[at:], '\n') + at + 1
		if end <= at {
			end = len(t)
		}
		for _, tok := range an.Analyze([]byte(t[at:end])) {
			if terms[string(tok.Term)] {
				spans = append(spans, span{at + tok.Start, at + tok.End})
			}
		}
		at = end
	}
	return snippet(t, spans), nil
}
