package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SectionMeta is what a folder's _index.md says of the folder (see
// article.ParseSection). (Section, the name the contract gave it,
// is the Kind of the folders' lists already.)
type SectionMeta struct {
	// Path is the folder, slash-separated under the seeds folder; "" is
	// the seeds folder itself.
	Path string
	// Title and Description are plain text, "" when not given.
	Title, Description string
	// Lang is a canonical BCP 47 tag, or "".
	Lang string
}

// sectionValue is a section's value in the sections bucket.
type sectionValue struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Lang        string `json:"lang,omitempty"`
}

// sectionKey is the key of the section of the folder p: "/" then p, so
// that the seeds folder's ("") has one too (bbolt takes no empty key).
func sectionKey(p string) ([]byte, error) {
	if p != "" && (path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../")) {
		return nil, fmt.Errorf("section %q: not a folder path under the seeds folder", p)
	}
	return []byte("/" + p), nil
}

// PutSection stores sec, replacing the section of its folder if there is
// one. A change moves LastChange, signals Changed and makes the next
// ChangesSince report All: a section's title or language shows in every
// document that names it, which the lists do not track (and it is rare).
func (s *Store) PutSection(sec SectionMeta) error {
	key, err := sectionKey(sec.Path)
	if err != nil {
		return err
	}
	v, err := json.Marshal(sectionValue{sec.Title, sec.Description, sec.Lang})
	if err != nil {
		return err
	}
	return s.writeSection("put section "+sec.Path, key, v)
}

// RemoveSection removes the section of the folder p; as PutSection when
// there was one, and nothing when there was none.
func (s *Store) RemoveSection(p string) error {
	key, err := sectionKey(p)
	if err != nil {
		return err
	}
	return s.writeSection("remove section "+p, key, nil)
}

// writeSection sets the section key to v (nil: removes it). The same
// value as stored costs no write: the watcher puts every section at each
// scan.
func (s *Store) writeSection(what string, key, v []byte) error {
	var same bool
	err := s.view(what, func(tx *bolt.Tx) error {
		var old []byte
		if b := tx.Bucket(bucketSections); b != nil {
			old = b.Get(key)
		}
		same = bytes.Equal(old, v)
		return nil
	})
	if err != nil || same {
		return err
	}
	changed := false
	err = s.update(what, func(tx *bolt.Tx) error {
		// Created at the first section, in a database of any layout: a
		// seedfeed of before it ignores it.
		b, err := tx.CreateBucketIfNotExists(bucketSections)
		if err != nil {
			return err
		}
		old := b.Get(key)
		if bytes.Equal(old, v) {
			return nil
		}
		if v == nil {
			err = b.Delete(key)
		} else {
			err = b.Put(key, v)
		}
		if err != nil {
			return err
		}
		changed = true
		meta := tx.Bucket(bucketMeta)
		t, err := buckets{meta: meta}.changed()
		if err != nil {
			return err
		}
		return meta.Put(keySections, []byte(t.UTC().Format(time.RFC3339Nano)))
	})
	if err != nil || !changed {
		return err
	}
	s.logAll()
	s.notify()
	return nil
}

// SectionsChanged returns when a section was last stored, replaced or
// removed (the store's clock, as LastChange), zero if never: every
// document that names a section, or is in one, shows what its
// _index.md says, so none may say it was last modified before then.
func (s *Store) SectionsChanged() (time.Time, error) {
	return s.metaTime("read when the sections changed", keySections)
}

// Sections returns every section's meta stored, by folder path.
func (s *Store) Sections() (map[string]SectionMeta, error) {
	out := make(map[string]SectionMeta)
	err := s.view("read sections", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSections)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, data []byte) error {
			var v sectionValue
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("decode section %q: %w", k, err)
			}
			p := string(bytes.TrimPrefix(k, []byte("/")))
			out[p] = SectionMeta{Path: p, Title: v.Title, Description: v.Description, Lang: v.Lang}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetLangs gives each stored article at a path of langs that language
// (a canonical BCP 47 tag, or "" for the site's), in one transaction,
// keeping its dates: the language it inherits from its folders changed,
// not the article. It returns the paths whose article changed; a path
// with no article is skipped. The pages that hold them change (see
// ChangesSince), as for an edit.
func (s *Store) SetLangs(langs map[string]string) ([]string, error) {
	var changed []string
	err := s.write("set languages", func(b buckets, t *tally) error {
		changed = changed[:0]
		for p, lang := range langs {
			var f file
			if err := getJSON(b.files, []byte(p), &f); errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			var a record
			if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
				return err
			}
			if a.Lang == lang {
				continue
			}
			old := placingOf(&a)
			a.Lang = lang
			if err := b.putArticle(f.Key, old, &a); err != nil {
				return fmt.Errorf("set language of %s: %w", p, err)
			}
			changed = append(changed, p)
			t.changed = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
