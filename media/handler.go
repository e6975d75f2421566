package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxPath bounds the decoded path of a request: the server refuses
// request targets over 4 KiB before any handler sees them, and a path
// longer than that is no name under the seeds folder.
const maxPath = 4096

// svgPolicy keeps an SVG opened directly from running script or loading
// anything: it is shown as an image, with its own inline styles.
const svgPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// Options configure a Handler.
type Options struct {
	// MaxSize is the largest file served, in bytes; it must be positive.
	MaxSize int64
	// MaxAge is how long clients and caches may reuse a response.
	MaxAge time.Duration
	// Logger receives a warning, once per version of the file, for each
	// file refused for what it is (too large, a link, not a regular
	// file), and a debug line for every refused request.
	Logger *slog.Logger
}

// Handler serves the media files under a folder at Prefix followed by
// their path, to GET and HEAD: with their type, length, a strong ETag,
// Last-Modified and Cache-Control, conditional and range requests
// answered. Anything it does not serve is 404 (see ServeHTTP).
type Handler struct {
	root         string
	maxSize      int64
	cacheControl string
	log          *slog.Logger

	mu      sync.Mutex
	refused map[string]string // path → the version last warned about
}

// NewHandler returns a handler that serves the media files under root.
// It resolves root's symbolic links now, as the watcher does: the folder
// is the one found at the start.
func NewHandler(root string, opts Options) (*Handler, error) {
	if opts.MaxSize <= 0 {
		return nil, fmt.Errorf("media: size limit %d: must be positive", opts.MaxSize)
	}
	dir, err := filepath.Abs(root)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		root:         dir,
		maxSize:      opts.MaxSize,
		cacheControl: fmt.Sprintf("public, max-age=%d", int(opts.MaxAge.Seconds())),
		log:          opts.Logger,
		refused:      map[string]string{},
	}, nil
}

// ServeHTTP serves the media file that the request's path names. It
// answers 405 to methods other than GET and HEAD; 400 to a path holding a
// NUL byte or longer than 4 KiB; 404 to any other path it does not serve:
// not under Prefix, a name that is not a media file's, an empty, hidden,
// "." or ".." segment, a backslash, a name that is not valid UTF-8, a
// missing file, a symbolic link on the way, a file that is not a regular
// one or is larger than the limit. 404, not 413, for a file too large:
// 413 is about what a client sends, and the file is simply not published
// (the watcher refuses articles that show it); 404 tells nothing more.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	segs, status, why := split(r.URL.Path)
	if status != 0 {
		h.refuse(w, r, status, why)
		return
	}
	rel := strings.Join(segs, "/")
	f, err := openBeneath(h.root, segs)
	var link linkError
	switch {
	case errors.As(err, &link):
		h.warn(strings.Join(segs[:link.n], "/"), "symlink", "media file refused", "reason", err)
		h.refuse(w, r, http.StatusNotFound, "symbolic link")
		return
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENAMETOOLONG), errors.Is(err, fs.ErrPermission):
		h.refuse(w, r, http.StatusNotFound, "no such file")
		return
	case err != nil:
		h.log.Warn("cannot open media file", "path", rel, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer f.Close() // read only: nothing to lose on close
	fi, err := f.Stat()
	if err != nil {
		h.log.Warn("cannot read media file", "path", rel, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	switch {
	case !fi.Mode().IsRegular():
		h.warn(rel, fi.Mode().Type().String(), "media file refused", "reason", "not a regular file ("+fi.Mode().Type().String()+")")
		h.refuse(w, r, http.StatusNotFound, "not a regular file")
		return
	case fi.Size() > h.maxSize:
		h.warn(rel, fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()), "media file refused",
			"reason", fmt.Sprintf("too large: %d bytes, the limit is %d (-max-media-size)", fi.Size(), h.maxSize))
		h.refuse(w, r, http.StatusNotFound, "too large")
		return
	}
	hd := w.Header()
	name := segs[len(segs)-1]
	hd.Set("Content-Type", Type(name))
	hd.Set("ETag", etag(fi))
	hd.Set("Cache-Control", h.cacheControl)
	hd.Set("X-Content-Type-Options", "nosniff")
	if Type(name) == "image/svg+xml" {
		hd.Set("Content-Security-Policy", svgPolicy)
	}
	// The length is the one checked against the limit: a file that grows
	// meanwhile is served as it was, or cut short, never beyond it.
	http.ServeContent(w, r, name, fi.ModTime(), io.NewSectionReader(f, 0, fi.Size()))
}

// split checks the path of a request and returns its segments under
// Prefix, or the status and the reason to refuse it with.
func split(p string) (segs []string, status int, why string) {
	rel, ok := strings.CutPrefix(p, Prefix)
	switch {
	case !ok:
		return nil, http.StatusNotFound, "not under " + Prefix
	case len(rel) > maxPath:
		return nil, http.StatusBadRequest, "path too long"
	case strings.IndexByte(rel, 0) >= 0:
		return nil, http.StatusBadRequest, "NUL byte in path"
	case !utf8.ValidString(rel) || strings.ContainsFunc(rel, unicode.IsControl):
		return nil, http.StatusNotFound, "not valid UTF-8 or holds control characters"
	case strings.IndexByte(rel, '\\') >= 0:
		return nil, http.StatusNotFound, "backslash in path"
	}
	segs = strings.Split(rel, "/")
	for _, s := range segs {
		if s == "" || s[0] == '.' {
			return nil, http.StatusNotFound, `empty, hidden, "." or ".." segment`
		}
	}
	if !Is(segs[len(segs)-1]) {
		return nil, http.StatusNotFound, "not a media file name"
	}
	return segs, 0, ""
}

// refuse answers status, and logs why at debug level only: any client can
// send such requests.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	h.log.Debug("media request refused", "method", r.Method, "path", r.URL.Path[:min(len(r.URL.Path), 200)], "status", status, "reason", why)
	http.Error(w, http.StatusText(status), status)
}

// maxRefused bounds the memory of warnings: past it, each is said again.
const maxRefused = 1024

// warn logs msg with args at warning level once per version of the file
// at rel: requests for it are no news to the operator, a change is. The
// paths are those on disk (up to a link), so a client cannot grow the map.
func (h *Handler) warn(rel, version, msg string, args ...any) {
	h.mu.Lock()
	seen := h.refused[rel] == version
	if !seen {
		if len(h.refused) >= maxRefused {
			clear(h.refused)
		}
		h.refused[rel] = version
	}
	h.mu.Unlock()
	if !seen {
		h.log.Warn(msg, append([]any{"path", rel}, args...)...)
	}
}

// etag is a strong validator of the file's version: a digest of its
// device, inode, size and modification time in nanoseconds, read from the
// open file, so a file replaced under its name (a rename, a copy with its
// time kept) gets another. Hashed, so as not to tell inode numbers.
func etag(fi fs.FileInfo) string {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(fi.Size()))
	binary.LittleEndian.PutUint64(b[8:], uint64(fi.ModTime().UnixNano()))
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		binary.LittleEndian.PutUint64(b[16:], uint64(st.Dev))
		binary.LittleEndian.PutUint64(b[24:], uint64(st.Ino))
	}
	h := fnv.New64a()
	h.Write(b[:]) // a hash.Hash never fails to write
	return fmt.Sprintf(`"%016x"`, h.Sum64())
}
