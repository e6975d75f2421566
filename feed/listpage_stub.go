package feed

import (
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/storage"
)

// STUB: feed/listpage.go (another branch) replaces this file; the lead
// deletes it at merge.

// listView is what a list's HTML page N shows.
type listView struct {
	List               storage.List
	Title, Description string
	Lang               language.Tag
	Items              []storage.Item
	N, Pages           int
	Count              int
}

// listPage renders v as the index page does.
func listPage(v listView, cfg Config) ([]byte, error) {
	cfg.Title, cfg.Description, cfg.Lang = v.Title, v.Description, v.Lang
	entries := make([]entry, len(v.Items))
	for i, it := range v.Items {
		entries[i] = newEntry(it, cfg)
	}
	return indexPage(v.Items, entries, cfg)
}
