package feed

import (
	"fmt"
	"net/http"
	"time"
)

// Doc is a rendered document ready to serve as the feeds are: made once,
// with a gzip copy, a strong ETag for each and Last-Modified, and served
// as it is to every request, with 304 Not Modified to a client that has
// it. Other packages that render once per change (sitemaps) use it.
type Doc struct {
	d  doc
	hd headers
}

// NewDoc prepares body, of media type ctype, last modified at modified
// (zero for no Last-Modified), to be served with a Cache-Control max-age
// of maxAge.
func NewDoc(body []byte, ctype string, modified time.Time, maxAge time.Duration) (*Doc, error) {
	d, err := newDoc(body, ctype, modified)
	if err != nil {
		return nil, err
	}
	return &Doc{d: d, hd: headers{cacheControl: []string{fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds()))}}}, nil
}

// Follow records that d replaces prev, an earlier version of the same
// document (nil for none), so that If-Modified-Since cannot mistake one
// for the other when both have the same second of Last-Modified.
func (d *Doc) Follow(prev *Doc) {
	if prev != nil {
		d.d.follow(&prev.d)
	}
}

// Body returns the document's bytes, uncompressed; the caller must not
// change them.
func (d *Doc) Body() []byte { return d.d.plain.body }

// ETag returns the strong ETag of the uncompressed document.
func (d *Doc) ETag() string { return d.d.plain.etag }

// ServeHTTP sends the document, gzip-compressed when the request accepts
// it, or 304 Not Modified when the request's validators match.
func (d *Doc) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.d.write(w, r, d.hd) }
