package search

import (
	"context"
	"errors"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
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
	// Relevance puts the best matches first: the title counts more than
	// the rest, the newest first among equals.
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

// Search returns the matches of q, in order, from the from-th (from 0),
// at most size. Every word of q must be in the article (in any of its
// fields), as each language's analysis reads it: q is text, never query
// syntax. A q with no word (empty, punctuation, stop words only)
// matches nothing. ctx bounds the time it may take.
func (x *Index) Search(ctx context.Context, q string, order Order, from, size int) (Results, error) {
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQuery || from < 0 || size < 0 || from+size > MaxResults {
		return Results{}, ErrBadQuery
	}
	x.mu.Lock()
	langs := slices.Sorted(maps.Keys(x.langs))
	x.mu.Unlock()
	if len(langs) == 0 || size == 0 {
		return Results{}, nil
	}
	either := bleve.NewDisjunctionQuery()
	fields := []string{fieldPath}
	for _, lang := range langs {
		all := bleve.NewMatchQuery(q)
		all.SetField(prefixText + lang)
		all.Analyzer = analyzerName(lang)
		all.SetOperator(query.MatchQueryOperatorAnd)
		title := bleve.NewMatchQuery(q)
		title.SetField(prefixTitle + lang)
		title.Analyzer = analyzerName(lang)
		title.SetBoost(2)
		b := bleve.NewBooleanQuery()
		b.AddMust(all)
		b.AddShould(title)
		either.AddQuery(b)
		fields = append(fields, prefixText+lang)
	}
	req := bleve.NewSearchRequestOptions(either, size, from, false)
	req.Fields = fields
	req.IncludeLocations = true
	if order == Newest {
		req.SortBy([]string{"-" + fieldPublished, "_id"})
	} else {
		req.SortBy([]string{"-_score", "-" + fieldPublished, "_id"})
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return Results{}, err
	}
	out := Results{Total: int(res.Total)}
	for _, h := range res.Hits {
		hit := Hit{Key: h.ID}
		hit.Path, _ = h.Fields[fieldPath].(string)
		for _, lang := range langs {
			f := prefixText + lang
			if t, ok := h.Fields[f].(string); ok {
				var spans []span
				for _, locs := range h.Locations[f] {
					for _, l := range locs {
						spans = append(spans, span{int(l.Start), int(l.End)})
					}
				}
				hit.Snippet = snippet(t, spans)
				break
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}
