package storage

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Move records that the file at from is now at it.Path: the article keeps
// its key and published date, takes its fingerprint and, if the content
// differs or the new name is of the other format (see sameFormat), its
// text as an edit, which moves Updated forward as in Put; the result is
// Moved. Over a stored article (a rename onto a published
// name), it is that article that stays, with it as an edit as Put makes
// one: the result is what Put would say (Updated, or Unchanged for the
// same content), and the article at from is removed, leaving its
// tombstone as Remove does.
func (s *Store) Move(from string, it Item) (Change, error) {
	var c Change
	err := s.write("move "+from, func(b buckets, t *tally) error {
		var err error
		if c, err = b.move(from, it, mediaOf(it)); err != nil {
			return fmt.Errorf("move %s to %s: %w", from, it.Path, err)
		}
		t.note(c)
		if c != Moved {
			t.note(Removed)
		}
		return nil
	})
	if err != nil {
		return Unchanged, err
	}
	return c, nil
}

// move does Move's work in one transaction; img is the state of it's
// image (see mediaOf).
func (b buckets) move(from string, it Item, img *media) (Change, error) {
	var f file
	if err := getJSON(b.files, []byte(from), &f); err != nil {
		return Unchanged, err
	}
	if it.Path != from {
		var target file
		if err := getJSON(b.files, []byte(it.Path), &target); err == nil {
			c, err := b.update(target, it)
			if err != nil {
				return Unchanged, err
			}
			_, err = b.remove(from)
			return c, err
		} else if !errors.Is(err, ErrNotFound) {
			return Unchanged, err
		}
	}
	var a record
	if err := getJSON(b.articles, []byte(f.Key), &a); err != nil {
		return Unchanged, err
	}
	old := placingOf(&a)
	a.Path = it.Path
	if f.Hash != it.File.Hash || !sameMedia(f.Image, img) || !sameFormat(from, it.Path) {
		if err := b.edit(f.Key, &a, it); err != nil {
			return Unchanged, err
		}
	}
	if err := b.putArticle(f.Key, old, &a); err != nil {
		return Unchanged, err
	}
	if err := b.unindex(from, f); err != nil {
		return Unchanged, err
	}
	return Moved, b.setFile(it.Path, file{Key: f.Key}, it.File, img)
}

// sameFormat reports whether the article files a and b are of one format,
// plain text or Markdown, as their suffixes say in any case (see
// article.Parse). A stored article is always its file parsed under the
// path it is stored at, so the path says which format its record holds:
// a rename to the other format is an edit (Move), and so is the same
// content back in the other format after its removal (add). Records from
// before Markdown are all plain text at .txt paths.
func sameFormat(a, b string) bool { return strings.EqualFold(path.Ext(a), path.Ext(b)) }

// MoveFolder records that the folder from (a path under the seeds
// folder) is now at to: every article stored under it moves with its
// file, keeping its key, published and updated dates, in one
// transaction. It returns the paths moved, as they were.
func (s *Store) MoveFolder(from, to string) ([]string, error) {
	var moved []string
	err := s.write("move folder "+from, func(b buckets, t *tally) error {
		var err error
		moved, err = b.moveFolder(from, to, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// moveFolder does MoveFolder's work in one transaction.
func (b buckets) moveFolder(from, to string, t *tally) ([]string, error) {
	var moved []string
	var files []file
	prefix := []byte(from + "/")
	c := b.files.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		f, err := decodeFile(k, v)
		if err != nil {
			return nil, err
		}
		moved, files = append(moved, string(k)), append(files, f)
	}
	for i, old := range moved { // not while the cursor walks: it could skip
		it := Item{Path: to + strings.TrimPrefix(old, from), File: files[i].File}
		// A folder is renamed only over an empty one: what is stored
		// there is stale, gone with that folder.
		if err := b.dropNoted(t, it.Path, true); err != nil {
			return nil, fmt.Errorf("move %s over %s: %w", old, it.Path, err)
		}
		// The article's text is as stored: it moves as it is, its
		// image state with it (read again, it may name another).
		c, err := b.move(old, it, files[i].Image)
		if err != nil {
			return nil, fmt.Errorf("move %s to %s: %w", old, it.Path, err)
		}
		t.note(c)
	}
	return moved, nil
}

// Replace stores it as Put does, in place of the article stored at from,
// which it forgets as though it had never been stored: no tombstone, no
// key or date kept. It is for an article published under a name that was
// never meant to stay, a temporary file renamed into place a moment after
// it was first stored: it takes the key its new path gives it (see Put),
// or, renamed over a stored article, is an edit of that one.
func (s *Store) Replace(from string, it Item) (Change, error) {
	var c Change
	err := s.write("replace "+from, func(b buckets, t *tally) error {
		if err := b.dropNoted(t, from, false); err != nil {
			return fmt.Errorf("replace %s: %w", from, err)
		}
		var err error
		if c, err = b.put(it); err != nil {
			return fmt.Errorf("replace %s with %s: %w", from, it.Path, err)
		}
		t.note(c)
		return nil
	})
	if err != nil {
		return Unchanged, err
	}
	return c, nil
}

// dropNoted drops the article stored at path, if any, as drop does, and
// notes its removal in t.
func (b buckets) dropNoted(t *tally, path string, tomb bool) error {
	ok, err := b.drop(path, tomb)
	if ok {
		t.note(Removed)
	}
	return err
}
