package feed

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// doc is one rendered document in both its representations, plain and
// gzip, each with its own strong ETag. Both are made once, when the
// document is rendered, with every header value they need, and served as
// they are to every request.
type doc struct {
	modified     time.Time
	ctype        []string // header values, ready to be assigned
	language     []string // Content-Language, where not the handler's
	links        []string // Link: a WebSub topic's hub and self, or nil
	lastModified []string // nil when modified is zero
	// sharedSecond says that an earlier version of the document, other
	// bytes, had the same Last-Modified (HTTP dates count whole seconds):
	// an If-Modified-Since naming that second cannot tell the two apart.
	// Once that second is over, the document says the next one
	// (nextModified), which no other version can have had.
	sharedSecond     bool
	nextModified     time.Time
	nextLastModified []string
	plain            representation
	gzip             representation
}

// follow records that d replaces prev, an earlier version of the same
// document (nil for none): if their bytes differ within one second of
// Last-Modified, If-Modified-Since alone no longer gets d a 304.
func (d *doc) follow(prev *doc) {
	if prev == nil {
		return
	}
	// prev may have been sent with its second or, once that was over,
	// with the next one.
	second := d.modified.Truncate(time.Second)
	if !second.Equal(prev.modified.Truncate(time.Second)) && !(prev.sharedSecond && second.Equal(prev.nextModified)) {
		return
	}
	d.sharedSecond = prev.sharedSecond || prev.plain.etag != d.plain.etag
	if d.sharedSecond {
		d.nextModified = d.modified.Truncate(time.Second).Add(time.Second)
		d.nextLastModified = []string{d.nextModified.UTC().Format(http.TimeFormat)}
	}
}

// validators returns the Last-Modified to send now, as a time and as a
// header value, and whether an earlier version shares its second.
func (d *doc) validators() (modified time.Time, header []string, shared bool) {
	if d.sharedSecond && !time.Now().Before(d.nextModified) {
		return d.nextModified, d.nextLastModified, false
	}
	return d.modified, d.lastModified, d.sharedSecond
}

type representation struct {
	body   []byte
	etag   string
	etags  []string // header value of etag
	length []string // header value of len(body)
}

func newRepresentation(body []byte) representation {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return representation{body: body, etag: etag, etags: []string{etag}, length: []string{strconv.Itoa(len(body))}}
}

// newDoc compresses body and computes both ETags. The gzip stream has no
// name or time in its header, so the same body always gives the same bytes
// and ETags, on every instance.
func newDoc(body []byte, ctype string, modified time.Time) (doc, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return doc{}, err
	}
	if _, err := zw.Write(body); err != nil {
		return doc{}, err
	}
	if err := zw.Close(); err != nil {
		return doc{}, err
	}
	d := doc{modified: modified, ctype: []string{ctype}, plain: newRepresentation(body), gzip: newRepresentation(b.Bytes())}
	if !modified.IsZero() {
		d.lastModified = []string{modified.UTC().Format(http.TimeFormat)}
	}
	return d, nil
}

// headers are the response headers every document carries, as header
// values ready to be assigned.
type headers struct {
	cacheControl []string
	language     []string // nil for none
}

// Header values shared by every response. net/http copies a response's
// header values before it writes them, and appending to these makes a
// copy (their capacity is their length), so sharing them is safe.
var (
	varyEncoding = []string{"Accept-Encoding"}
	gzipEncoding = []string{"gzip"}
)

// write sends d, gzip-compressed when the request accepts it, or 304 Not
// Modified when the request's validators match the chosen representation.
// HEAD gets the same headers as GET and no body. It assigns prepared
// header values (canonical keys, no formatting): this is the hot path.
func (d *doc) write(w http.ResponseWriter, r *http.Request, hd headers) {
	h := w.Header()
	h["Vary"] = varyEncoding
	h["Cache-Control"] = hd.cacheControl
	rep := &d.plain
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		rep = &d.gzip
	}
	h["Etag"] = rep.etags
	if d.links != nil {
		// On a 304 too: a subscriber checking its topic learns of the hub.
		h["Link"] = d.links
	}
	modified, lastModified, shared := d.validators()
	if lastModified != nil {
		h["Last-Modified"] = lastModified
	}
	if notModified(r, rep.etag, modified, shared) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = d.ctype
	if d.language != nil {
		h["Content-Language"] = d.language
	} else if hd.language != nil {
		h["Content-Language"] = hd.language
	}
	if rep == &d.gzip {
		h["Content-Encoding"] = gzipEncoding
	}
	h["Content-Length"] = rep.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		// A failed write means the client went away; there is no one to tell.
		_, _ = w.Write(rep.body)
	}
}

// notModified evaluates If-None-Match and, only without it,
// If-Modified-Since, as RFC 9110 section 13.2.2 orders them. A client
// naming the very second of Last-Modified gets a 304 only when no other
// version had that second (see doc.sharedSecond); one naming a later
// second always does.
func notModified(r *http.Request, etag string, modified time.Time, sharedSecond bool) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, v := range inm {
			for tag := range strings.SplitSeq(v, ",") {
				tag = strings.TrimSpace(tag)
				if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
					return true
				}
			}
		}
		return false
	}
	ims := r.Header["If-Modified-Since"]
	if len(ims) == 0 || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims[0])
	if err != nil {
		return false
	}
	lm := modified.Truncate(time.Second)
	return lm.Before(t) || (lm.Equal(t) && !sharedSecond)
}

// acceptsGzip reports whether Accept-Encoding header values accept gzip:
// named (or as x-gzip) or through "*", with a q-value above zero.
func acceptsGzip(values []string) bool {
	gz, star := -1.0, -1.0 // q-values; -1 means not mentioned
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // a malformed weight does not accept anything
					}
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gz = max(gz, q)
			case "*":
				star = max(star, q)
			}
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}
