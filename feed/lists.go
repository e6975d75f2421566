package feed

import (
	"path"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/storage"
)

// section is what a folder's _index.md says of its section (Hugo's
// convention); the root folder's is the site's, "" its path.
type section struct{ Title, Description, Lang string }

// readSections returns what the folders' _index.md files say, by folder
// path.
func (h *Handler) readSections() (map[string]section, error) {
	metas, err := h.src.Sections()
	if err != nil {
		return nil, err
	}
	sections := make(map[string]section, len(metas))
	for p, m := range metas {
		sections[p] = section{Title: m.Title, Description: m.Description, Lang: m.Lang}
	}
	return sections, nil
}

// withSections returns cfg, as the flags set it, with the sections'
// _index.md: the root's title, description and lang where the flags did
// not set them, and every section's for its feeds, pages and labels.
func withSections(cfg Config, sections map[string]section) Config {
	cfg.sections = sections
	root := sections[""]
	if !cfg.Explicit.Title && root.Title != "" {
		cfg.Title = root.Title
	}
	if !cfg.Explicit.Description && root.Description != "" {
		cfg.Description = root.Description
	} else if !cfg.Explicit.Description && !cfg.Explicit.Title && root.Title != "" {
		cfg.Description = root.Title // as the description defaults to the title
	}
	if tag, err := language.Parse(root.Lang); !cfg.Explicit.Lang && root.Lang != "" && err == nil {
		cfg.Lang = tag
	}
	return cfg
}

// sectionLabel returns how a section is named for readers: its
// _index.md title, or else its folder path.
func (cfg Config) sectionLabel(p string) string {
	if s := cfg.sections[p]; s.Title != "" {
		return s.Title
	}
	return p
}

// listName returns how a list is named on pages, for listView.Names:
// a section by its label, anything else as the page chooses ("").
func (cfg Config) listName(l storage.List) string {
	if l.Kind == storage.Section {
		return cfg.sectionLabel(l.Name)
	}
	return ""
}

// sectionLang returns the language of the section at p: the nearest
// _index.md lang up its folder path, or else the site's (the root's
// _index.md is already in cfg.Lang, unless the flags set it).
func (cfg Config) sectionLang(p string) language.Tag {
	for ; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if s := cfg.sections[p]; s.Lang != "" {
			if tag, err := language.Parse(s.Lang); err == nil {
				return tag
			}
		}
	}
	return cfg.Lang
}

// listHead is what a list's documents say of the list itself.
type listHead struct {
	cfg  Config // with the list's title, description and language
	home string // the list's page: its feeds' id and alternate link
}

// headOf returns the head of list l's documents, labelled label: the
// site's for the main list; "{site title} — {label}" for a section
// (its _index.md title, or else its path) or a category, described by
// its _index.md or else as the site.
func headOf(cfg Config, l storage.List, label string) listHead {
	h := listHead{cfg: cfg, home: ListURL(cfg.BaseURL, l)}
	switch l.Kind {
	case storage.Section:
		s := cfg.sections[l.Name]
		h.cfg.Title = cfg.Title + " — " + cfg.sectionLabel(l.Name)
		if s.Description != "" { // else the site's
			h.cfg.Description = s.Description
		}
		h.cfg.Lang = cfg.sectionLang(l.Name)
	case storage.Category:
		h.cfg.Title = cfg.Title + " — " + label
	}
	return h
}

// categoryLabel returns how the category term is written in items: the
// spelling of the last of them that names it, or the term when none
// does. An archive page is labelled from its own articles, so that a
// newer article's spelling does not change it.
func categoryLabel(term string, items []storage.Item) string {
	for i := len(items) - 1; i >= 0; i-- {
		for _, c := range items[i].Categories {
			if storage.Term(c) == term {
				return c
			}
		}
	}
	return term
}
