// Package export keeps a copy of everything seedfeed serves in a place
// that scales further than one server: a folder a web server (nginx)
// serves, or an object storage bucket behind a CDN. Each file's bytes are
// those seedfeed serves at the same URL.
package export

import (
	"context"
	"time"
)

// A File is one document as an export writes it: the bytes seedfeed
// serves at a URL, or one of their precompressed variants, with the
// headers a server of the copy must send with them.
type File struct {
	// Key is the file's name in the destination: the URL's decoded path
	// without its leading "/", "index.html" added to a path ending in "/"
	// ("" becomes "index.html"). A variant's key is its document's key
	// with ".gz" or ".br" added.
	Key             string
	Body            []byte
	ContentType     string // the document's, for a variant too
	ContentLanguage string // "" for none
	ContentEncoding string // "gzip" or "br" for a variant, else ""
	CacheControl    string
	Link            string // a feed's WebSub Link header (hub and self), else ""
	// Modified is the document's Last-Modified (zero for none): a folder
	// sets it as the file's modification time, which nginx sends.
	Modified time.Time
	// MD5 is the hex MD5 of Body, the content hash by which a
	// destination tells an unchanged file from a changed one (S3 reports
	// it as the ETag of a single-part upload).
	MD5 string
}

// A Destination is where an export writes: a folder or a bucket.
type Destination interface {
	// Put stores f at f.Key, replacing what was there in one step: a
	// reader sees the old bytes or the new, never a part of either.
	Put(ctx context.Context, f File) error
	// Delete removes key; a key that is not there is not an error.
	Delete(ctx context.Context, key string) error
	// List returns every key the destination holds with its content's
	// hex MD5, so that an export started again (after a crash, a kill -9
	// or on a new machine) writes only what differs and removes what
	// seedfeed no longer serves.
	List(ctx context.Context) (map[string]string, error)
	// Close releases what the destination holds open.
	Close() error
}
