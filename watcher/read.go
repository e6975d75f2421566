package watcher

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// errBusy means the file changed while it was read: read it again later.
var errBusy = errors.New("changed while being read")

// Reasons load gives for refusing a file, besides those of article.Parse.
var (
	errSymlink    = errors.New("a symbolic link: links are not followed")
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("too large")
	errBadName    = errors.New("bad file name")
	// errImageTooLarge refuses an article whose local image is over
	// Options.MaxMediaSize: published without it, it would lose it
	// silently; what was published stays.
	errImageTooLarge = errors.New("image too large")
)

// refusals names the reasons load gives of its own; those of
// article.Parse come first (see Reason).
var refusals = article.Refusals{
	{Err: errTooLarge, Name: "too_large"},
	{Err: errSymlink, Name: "symlink"},
	{Err: errNotRegular, Name: "not_regular"},
	{Err: errBadName, Name: "bad_name"},
	{Err: errImageTooLarge, Name: "image_too_large"},
}

// unreadable is the reason of every refusal the lists do not name: the
// file could not be read.
const unreadable = "unreadable"

// Reasons lists every name Reason returns, in a fixed order: each is a
// label of the refusals metric and a word of the check command.
func Reasons() []string {
	return append(append(article.Reasons(), refusals.Names()...), unreadable)
}

// Reason names why a file was refused, from the short fixed list that
// Reasons returns: those of article.Reason, then too_large, symlink,
// not_regular, bad_name, image_too_large, unreadable.
func Reason(err error) string {
	for _, name := range []string{article.Reason(err), refusals.Name(err)} {
		if name != "" {
			return name
		}
	}
	return unreadable
}

// transient reports whether a failure to read a file says nothing about
// the file: the process or the system ran out of a resource.
func transient(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ENOMEM)
}

// accept does the bookkeeping for what load returned for rel: it logs a
// refusal once per version of the file, and reschedules a file that
// changed while it was read. It reports whether r holds an article.
func (w *Watcher) accept(rel string, r loaded) bool {
	switch {
	case r.err == nil:
		delete(w.refused, rel)
		delete(w.bigImage, rel)
		w.retryWhen(rel, nil)
		if !r.it.Draft {
			delete(w.drafts, rel) // a draft again is news again
		}
		return true
	case errors.Is(r.err, errImageTooLarge):
		w.bigImage[rel] = r.it.Image.Path // its image's events bring it back
		w.refuse(rel, r)
	case errors.Is(r.err, errBusy):
		w.written(rel)
	case transient(r.err):
		// Out of file descriptors or memory: no fault of the file's.
		w.failed("cannot open files", r.err, rel)
		w.log.Warn("cannot read file now; will retry", "path", rel, "err", r.err)
	default:
		w.refuse(rel, r)
	}
	return false
}

// reader reads the article files under one folder and parses them. Its
// fields never change, so loads may run in parallel (see loadAll); the
// watcher and Check read through the same kind of reader.
type reader struct {
	root     string // absolute, symbolic links resolved
	maxSize  int64
	maxMedia int64
	parse    article.Options
	now      func() time.Time
	langs    *langs // the languages folders give their articles; nil: none
}

// newReader reads the files under root as opts, defaults set, say.
func newReader(root string, opts Options) reader {
	return reader{root: root, maxSize: opts.MaxSize, maxMedia: opts.MaxMediaSize, now: opts.Now,
		parse: article.Options{Charset: opts.Charset, Location: opts.Location, Now: opts.Now, Lang: opts.Lang}}
}

// loaded is what load returned for one file: the article and its file's
// fingerprint, or why it is refused (err); noImage, with an article
// whose MissingImage is set, says why its image was left out.
type loaded struct {
	it      storage.Item
	fp      storage.File
	err     error
	noImage error
}

// load reads rel and parses it. It never follows a symbolic link, on the
// way or at the end (see openBeneath), and never reads anything but a
// regular file: it opens without blocking, so a FIFO or a device named
// like an article is refused, not waited on. The fingerprint it returns
// is the file's as it was opened, or the zero File if it was not. It
// looks at the article's local image (see reader.image), but for a draft.
func (r reader) load(rel string) loaded {
	data, fp, err := r.read(rel)
	if err != nil {
		return loaded{fp: fp, err: err}
	}
	// Before Parse: a file refused is known by its bytes too (see refusal).
	sum := sha256.Sum256(data)
	fp.Hash = hex.EncodeToString(sum[:])
	opts, inherit := r.langs.inherit(rel, r.parse)
	a, err := article.Parse(rel, data, opts)
	if err != nil {
		return loaded{fp: fp, err: err}
	}
	inherit(&a)
	it := storage.Item{Article: a}
	it.Path, it.File = rel, fp
	// A file dated in the future (a wrong clock) is dated now, so that no
	// reader sees an implausible date. One dated before 1990 (tools that
	// zero modification times; validators call such dates implausible)
	// gets a fixed old date instead of now: it must not look new, and a
	// new database must give it the same date. Feeds show milliseconds.
	t := fp.ModTime
	if now := r.now(); t.After(now) {
		t = now
	} else if t.Before(earliestDate) {
		t = oldDate
	}
	it.Published = t.UTC().Truncate(time.Millisecond)
	it.Updated = it.Published
	if a.Draft {
		return loaded{it: it, fp: fp}
	}
	noImage, err := r.image(&it)
	return loaded{it: it, fp: fp, err: err, noImage: noImage}
}

// read reads the bytes of the article file rel for load, with the
// fingerprint of the file as it was opened.
func (r reader) read(rel string) ([]byte, storage.File, error) {
	if err := checkName(rel); err != nil {
		return nil, storage.File{}, err
	}
	f, err := openBeneath(r.root, rel)
	if err != nil {
		return nil, storage.File{}, err
	}
	defer f.Close() // read-only: nothing to lose on close
	before, err := f.Stat()
	if err != nil {
		return nil, storage.File{}, err
	}
	fp := storage.File{Size: before.Size(), ModTime: before.ModTime()}
	switch mode := before.Mode(); {
	case !mode.IsRegular():
		return nil, fp, fmt.Errorf("%w (%s)", errNotRegular, mode.Type())
	case before.Size() > r.maxSize:
		return nil, fp, fmt.Errorf("%w: %d bytes, the limit is %d (-max-size)", errTooLarge, before.Size(), r.maxSize)
	}
	data, err := readSize(f, before.Size())
	if err != nil {
		return nil, fp, err
	}
	after, err := f.Stat()
	if err != nil {
		return nil, fp, err
	}
	if after.Size() != int64(len(data)) || !after.ModTime().Equal(before.ModTime()) {
		return nil, fp, errBusy
	}
	return data, fp, nil
}

// readSize reads the size bytes that f held when it was looked at, in
// one read as a rule (io.ReadAll would start at 512 bytes and grow, a
// read each time): a file that grew or shrank meanwhile is told by the
// look after (see read), which its size or time no longer match.
func readSize(f *os.File, size int64) ([]byte, error) {
	data := make([]byte, size)
	n, err := io.ReadFull(f, data)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil // shrank: the look after says so
	}
	return data[:n], err
}

// date gives it, as load read it, the date it arrived: a file seen
// arriving live is dated now; one a scan found is dated by its
// modification time (as load dated it) if that is later than the last
// time the folder was looked at (see Options.LastRun), else now. In an
// empty database no watcher ever looked, and every file keeps its
// modification time: the folder's history. The store keeps the published
// date of an article it already holds (an edit, a rename, a restore).
func (w *Watcher) date(it *storage.Item, live bool) {
	if live || !it.Published.After(w.since) {
		now := w.opts.Now().UTC().Truncate(time.Millisecond)
		it.Published, it.Updated = now, now
	}
}

// Dates of files before earliestDate are implausible; such a file gets oldDate.
var (
	earliestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	oldDate      = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkName refuses paths that cannot become a URL and a log line intact.
func checkName(rel string) error {
	if !utf8.ValidString(rel) {
		return fmt.Errorf("%w: not valid UTF-8", errBadName)
	}
	if strings.ContainsFunc(rel, unicode.IsControl) {
		return fmt.Errorf("%w: it contains control characters", errBadName)
	}
	if n := escapedLen(rel); n > MaxURLPath {
		return fmt.Errorf("%w: its URL path would be %d bytes, over %d (Arabic takes 6 bytes a letter in a URL)", errBadName, n, MaxURLPath)
	}
	return nil
}

// MaxURLPath bounds the percent-encoded path of an article under the
// seeds folder: its link must open, and the server refuses request
// targets over 4 KiB, which leaves room for the base URL's path.
const MaxURLPath = 3 << 10

// escapedLen is the length of rel's slug (see article.Slug),
// percent-encoded segment by segment as article URLs are.
func escapedLen(rel string) int {
	n := 0
	for seg := range strings.SplitSeq(article.Slug(rel), "/") {
		n += len(url.PathEscape(seg)) + 1
	}
	return n - 1
}
