package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// record is the stored form of an Item in the articles bucket. The fields
// after Updated are what a front matter adds: each is left out when empty,
// so a plain-text article's record is as it was, and a record written
// before they existed reads as an article without them.
type record struct {
	Path         string    `json:"path"`
	Title        string    `json:"title"`
	Paragraphs   []string  `json:"paragraphs"`
	Published    time.Time `json:"published"`
	Updated      time.Time `json:"updated"`
	Body         string    `json:"body,omitempty"`
	Summary      string    `json:"summary,omitempty"`
	Authors      []author  `json:"authors,omitempty"`
	Categories   []string  `json:"categories,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	Image        *image    `json:"image,omitempty"`
	MissingImage string    `json:"missing_image,omitempty"`
	Lang         string    `json:"lang,omitempty"`
	Date         time.Time `json:"date,omitzero"`
	Draft        bool      `json:"draft,omitempty"`
	Link         string    `json:"link,omitempty"`
	Unknown      []string  `json:"unknown,omitempty"`
}

// author is the stored form of an article.Author.
type author struct {
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Email string `json:"email,omitempty"`
}

// image is the stored form of an article.Image.
type image struct {
	Path string `json:"path,omitempty"`
	URL  string `json:"url,omitempty"`
	Alt  string `json:"alt,omitempty"`
	Type string `json:"type,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// setText gives a the text and metadata of it; the caller sets the path
// and dates.
func (a *record) setText(it Item) {
	x := it.Article
	a.Title, a.Paragraphs, a.Body, a.Summary = x.Title, x.Paragraphs, x.Body, x.Summary
	a.Authors = nil
	for _, au := range x.Authors {
		a.Authors = append(a.Authors, author(au))
	}
	a.Categories, a.Tags, a.Image = x.Categories, x.Tags, nil
	if x.Image != nil {
		im := image(*x.Image)
		a.Image = &im
	}
	a.MissingImage, a.Lang, a.Date, a.Draft, a.Link, a.Unknown = it.MissingImage, x.Lang, x.Date, x.Draft, x.Link, x.Unknown
}

// item is the Item that a, stored under key, holds (without its file).
func (a record) item(key string) Item {
	x := article.Article{Title: a.Title, Paragraphs: a.Paragraphs, Body: a.Body, Summary: a.Summary,
		Categories: a.Categories, Tags: a.Tags, Lang: a.Lang, Date: a.Date, Draft: a.Draft, Link: a.Link, Unknown: a.Unknown}
	for _, au := range a.Authors {
		x.Authors = append(x.Authors, article.Author(au))
	}
	if a.Image != nil {
		im := article.Image(*a.Image)
		x.Image = &im
	}
	return Item{Key: key, Path: a.Path, Article: x, MissingImage: a.MissingImage, Published: a.Published, Updated: a.Updated}
}

// file is the stored form of a path in the files bucket. Image is the
// state of the article's local image when it was stored, absent when it
// has none: Put compares it as it compares the fingerprint, without
// reading the article's record.
type file struct {
	Key string `json:"key"`
	File
	Image *media `json:"image,omitempty"`
}

// tombstone remembers a removed article by the hash of its file, so that
// the same file coming back (renamed, moved while the daemon was down,
// restored from a backup) gets its key, published and updated dates back:
// its content is the same. Tombstones from before Updated was kept have
// none, and the article comes back updated as a new one would be.
type tombstone struct {
	Key       string    `json:"key"`
	Path      string    `json:"path"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated,omitzero"`
}

func item(articles *bolt.Bucket, key string) (Item, error) {
	var a record
	if err := getJSON(articles, []byte(key), &a); err != nil {
		return Item{}, fmt.Errorf("article %q: %w", key, err)
	}
	return a.item(key), nil
}

// decodeFile decodes a files bucket value.
func decodeFile(k, v []byte) (file, error) {
	var f file
	if err := json.Unmarshal(v, &f); err != nil {
		return f, fmt.Errorf("decode file record %q: %w", k, err)
	}
	return f, nil
}

// dateKey is the published bucket's key: the time as sortable bytes, then key.
func dateKey(t time.Time, key string) []byte {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano())^(1<<63))
	return append(b, key...)
}

// hashKey is the hashes bucket's key: content hash, NUL, path.
func hashKey(hash, path string) []byte { return []byte(hash + "\x00" + path) }

func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return ErrNotFound
	}
	// Unmarshal copies what it keeps, so nothing outlives the transaction.
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %q: %w", k, err)
	}
	return nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	var data []byte
	var err error
	if a, ok := v.(record); ok {
		data, err = marshalRecord(&a)
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	return b.Put(k, data)
}
