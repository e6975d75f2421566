// Package watcher keeps a store in step with a folder of article files:
// a scan reconciles the two at start-up, then file-system events (fsnotify)
// publish new and changed files once they have settled and unpublish
// deleted ones.
package watcher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/text/encoding"

	"github.com/seedfeed/seedfeed/storage"
)

// Store is what the watcher needs of the database.
type Store interface {
	Put(items ...storage.Item) ([]storage.Change, error)
	Remove(paths ...string) (int, error)
	Files() (map[string]storage.File, error)
}

// Defaults for the zero values of Options.
const (
	DefaultSettle  = 250 * time.Millisecond
	DefaultMaxSize = 1 << 20
)

// batchSize is how many articles a scan stores in one transaction: a
// commit costs an fsync, so one per file makes a large import slow.
const batchSize = 128

// Options configure a Watcher.
type Options struct {
	// Settle is how long a file must go without events before it is read.
	Settle time.Duration
	// MaxSize is the largest file that is published, in bytes.
	MaxSize int64
	// Charset decodes files that are not valid UTF-8; nil refuses them.
	Charset encoding.Encoding
	// Rescan, when positive, is the period of a full rescan that catches
	// what events miss (network file systems, an overflowing event queue).
	Rescan time.Duration
	// Logger receives one line per publication, update, removal and refusal.
	Logger *slog.Logger
	// Now is the clock; tests may set it.
	Now func() time.Time
}

// Watcher publishes the article files under one folder into a Store.
type Watcher struct {
	root  string // absolute, symbolic links resolved
	store Store
	opts  Options
	log   *slog.Logger

	fs       *fsnotify.Watcher
	dirs     map[string]bool // watched folders, relative ("." is root)
	deb      *debouncer
	rescanCh chan struct{}
}

// New prepares a watcher of dir. It starts watching at once, so that no
// file written between New and Run goes unnoticed; call Scan, then Run.
func New(dir string, store Store, opts Options) (*Watcher, error) {
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, fmt.Errorf("seeds folder %s: %w", dir, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("seeds folder %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("seeds folder %s: not a directory", dir)
	}
	fsw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	w := &Watcher{
		root:     root,
		store:    store,
		opts:     opts,
		log:      opts.Logger,
		fs:       fsw,
		dirs:     make(map[string]bool),
		deb:      newDebouncer(opts.Settle),
		rescanCh: make(chan struct{}, 1),
	}
	if err := w.watch("."); err != nil {
		_ = fsw.Close() // the watch error is the one to report
		return nil, err
	}
	return w, nil
}

// Close stops watching. Run closes the watcher itself when it returns.
func (w *Watcher) Close() error { return w.fs.Close() }

// Rescan asks Run for a full scan of the folder.
func (w *Watcher) Rescan() {
	select {
	case w.rescanCh <- struct{}{}:
	default: // one is already pending
	}
}

// Run handles file-system events until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.fs.Close()
	timer := time.NewTimer(0)
	timer.Stop()
	var tick <-chan time.Time
	if w.opts.Rescan > 0 {
		t := time.NewTicker(w.opts.Rescan)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return errors.New("watch: event channel closed")
			}
			w.event(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return errors.New("watch: error channel closed")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("event queue overflowed; rescanning", "dir", w.root)
				w.scanAndLog(ctx, "overflow")
			} else {
				w.log.Error("watch error", "dir", w.root, "err", err)
			}
		case <-timer.C:
		case <-tick:
			w.scanAndLog(ctx, "periodic")
		case <-w.rescanCh:
			w.scanAndLog(ctx, "requested")
		}
		for _, rel := range w.deb.settled(w.opts.Now()) {
			w.process(rel)
		}
		if t, ok := w.deb.next(); ok {
			timer.Reset(t.Sub(w.opts.Now()))
		}
	}
}

func (w *Watcher) scanAndLog(ctx context.Context, why string) {
	if err := w.Scan(ctx); err != nil {
		w.log.Error("rescan failed", "reason", why, "dir", w.root, "err", err)
		return
	}
	w.log.Info("rescan done", "reason", why, "dir", w.root)
}

// event turns one fsnotify event into debounced work.
func (w *Watcher) event(ev fsnotify.Event) {
	w.log.Debug("fs event", "op", ev.Op.String(), "path", ev.Name)
	rel, ok := w.rel(ev.Name)
	if !ok || ignored(path.Base(rel)) {
		return
	}
	switch {
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(ev.Name)
		if err != nil {
			return // gone already; its Remove event follows
		}
		if fi.IsDir() {
			if err := w.watch(rel); err != nil {
				w.log.Error("cannot watch folder", "path", rel, "err", err)
			}
			return
		}
		if candidate(rel) {
			w.deb.touch(rel, w.opts.Now())
		}
	case ev.Has(fsnotify.Write):
		if candidate(rel) {
			w.deb.touch(rel, w.opts.Now())
		}
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		w.deb.cancel(rel)
		if w.dirs[rel] {
			w.unwatch(rel)
			return
		}
		if candidate(rel) {
			w.unpublish(rel)
		}
	}
}

// watch adds rel and every folder under it to the watch list, and queues
// the files it finds there: a folder moved in whole brings files that
// raised no event of their own.
func (w *Watcher) watch(rel string) error {
	return filepath.WalkDir(w.abs(rel), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == w.abs(rel) {
				return err
			}
			w.log.Warn("cannot read folder", "path", p, "err", err)
			return nil
		}
		r, ok := w.rel(p)
		if !ok {
			return nil
		}
		if d.IsDir() {
			if r != "." && ignored(d.Name()) {
				return filepath.SkipDir
			}
			if err := w.fs.Add(p); err != nil {
				return fmt.Errorf("watch %s: %w", p, err)
			}
			w.dirs[r] = true
			return nil
		}
		if candidate(r) && rel != "." {
			w.deb.touch(r, w.opts.Now())
		}
		return nil
	})
}

// unwatch forgets the folder rel, which was deleted or moved away, and
// unpublishes every article under it.
func (w *Watcher) unwatch(rel string) {
	prefix := rel + "/"
	for d := range w.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			delete(w.dirs, d)
			// A folder moved within the tree keeps its inotify watch
			// under the old name; drop it. A deleted one is gone already.
			_ = w.fs.Remove(w.abs(d))
		}
	}
	files, err := w.store.Files()
	if err != nil {
		w.log.Error("cannot list stored files", "err", err)
		return
	}
	for p := range files {
		if strings.HasPrefix(p, prefix) {
			w.deb.cancel(p)
			w.unpublish(p)
		}
	}
}

// Scan reconciles the store with the folder: it publishes files that are
// new or whose size or modification time differ from what is stored, and
// unpublishes stored files that are gone. Files whose fingerprint matches
// are not read.
func (w *Watcher) Scan(ctx context.Context) error {
	stored, err := w.store.Files()
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	seen := make(map[string]bool, len(stored))
	var unreadable []string // folders whose stored files must not be dropped
	var batch []storage.Item
	flush := func() {
		if len(batch) > 0 {
			w.put(batch...)
			batch = batch[:0]
		}
	}
	err = filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r, ok := w.rel(p)
		if err != nil {
			if p == w.root {
				return err
			}
			w.log.Warn("cannot read folder", "path", r, "err", err)
			unreadable = append(unreadable, r+"/")
			return nil
		}
		if !ok || (r != "." && ignored(d.Name())) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if !w.dirs[r] {
				if err := w.fs.Add(p); err != nil {
					w.log.Error("cannot watch folder", "path", r, "err", err)
				} else {
					w.dirs[r] = true
				}
			}
			return nil
		}
		if !candidate(r) {
			return nil
		}
		seen[r] = true
		if f, ok := stored[r]; ok {
			if fi, err := d.Info(); err == nil && f.Size == fi.Size() && f.ModTime.Equal(fi.ModTime()) {
				return nil
			}
		}
		if it, ok := w.read(r); ok {
			batch = append(batch, it)
			if len(batch) == batchSize {
				flush()
			}
		}
		return nil
	})
	flush()
	if err != nil {
		return fmt.Errorf("scan %s: %w", w.root, err)
	}
	var gone []string
next:
	for p := range stored {
		if seen[p] {
			continue
		}
		for _, dir := range unreadable {
			if strings.HasPrefix(p, dir) {
				continue next
			}
		}
		gone = append(gone, p)
	}
	for _, p := range gone {
		w.unpublish(p)
	}
	return nil
}

// process publishes, updates or unpublishes rel after it settled.
func (w *Watcher) process(rel string) {
	if _, err := os.Lstat(w.abs(rel)); errors.Is(err, fs.ErrNotExist) {
		w.unpublish(rel)
		return
	}
	if it, ok := w.read(rel); ok {
		w.put(it)
	}
}

// read reads and parses rel, logging why it is refused if it is.
func (w *Watcher) read(rel string) (storage.Item, bool) {
	it, err := w.load(rel)
	if err != nil {
		if errors.Is(err, errBusy) {
			w.deb.touch(rel, w.opts.Now())
		} else {
			w.log.Warn("file refused", "path", rel, "reason", err)
		}
		return storage.Item{}, false
	}
	return it, true
}

// errBusy means the file changed while it was read: read it again later.
var errBusy = errors.New("changed while being read")

func (w *Watcher) load(rel string) (storage.Item, error) {
	if err := checkName(rel); err != nil {
		return storage.Item{}, err
	}
	abs := w.abs(rel)
	before, err := os.Lstat(abs)
	if err != nil {
		return storage.Item{}, err
	}
	if !before.Mode().IsRegular() {
		return storage.Item{}, fmt.Errorf("not a regular file (%s)", before.Mode().Type())
	}
	if before.Size() > w.opts.MaxSize {
		return storage.Item{}, fmt.Errorf("too large: %d bytes, the limit is %d", before.Size(), w.opts.MaxSize)
	}
	f, err := os.Open(abs)
	if err != nil {
		return storage.Item{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, w.opts.MaxSize+1))
	_ = f.Close() // read-only: nothing to lose on close
	if err != nil {
		return storage.Item{}, err
	}
	after, err := os.Lstat(abs)
	if err != nil {
		return storage.Item{}, err
	}
	if after.Size() != int64(len(data)) || !after.ModTime().Equal(before.ModTime()) {
		return storage.Item{}, errBusy
	}
	text, err := Decode(data, w.opts.Charset)
	if err != nil {
		return storage.Item{}, err
	}
	it, err := Parse(text)
	if err != nil {
		return storage.Item{}, err
	}
	sum := sha256.Sum256(data)
	it.Path = rel
	it.File = storage.File{Size: after.Size(), ModTime: after.ModTime(), Hash: hex.EncodeToString(sum[:])}
	// A file dated in the future (a wrong clock) is dated now, so that no
	// reader sees an implausible date. Feeds show milliseconds.
	t := after.ModTime()
	if now := w.opts.Now(); t.After(now) {
		t = now
	}
	it.Published = t.UTC().Truncate(time.Millisecond)
	it.Updated = it.Published
	return it, nil
}

func (w *Watcher) put(items ...storage.Item) {
	changes, err := w.store.Put(items...)
	if err != nil {
		w.log.Error("cannot store articles", "count", len(items), "first", items[0].Path, "err", err)
		return
	}
	for i, c := range changes {
		switch c {
		case storage.Added:
			w.log.Info("article published", "path", items[i].Path, "title", items[i].Title)
		case storage.Updated:
			w.log.Info("article updated", "path", items[i].Path, "title", items[i].Title)
		}
	}
}

func (w *Watcher) unpublish(rel string) {
	n, err := w.store.Remove(rel)
	if err != nil {
		w.log.Error("cannot remove article", "path", rel, "err", err)
		return
	}
	if n > 0 {
		w.log.Info("article removed", "path", rel)
	}
}

// rel returns the slash-separated path of abs under the root.
func (w *Watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

func (w *Watcher) abs(rel string) string { return filepath.Join(w.root, filepath.FromSlash(rel)) }

// candidate reports whether rel names an article file.
func candidate(rel string) bool {
	return strings.HasSuffix(rel, ".txt") && !ignored(path.Base(rel))
}

// ignored reports whether name is hidden or an editor's or a download's
// temporary file.
func ignored(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	switch path.Ext(name) {
	case ".swp", ".swx", ".tmp", ".part", ".crdownload":
		return true
	}
	return false
}

// checkName refuses paths that cannot become a URL and a log line intact.
func checkName(rel string) error {
	if !utf8.ValidString(rel) {
		return errors.New("file name is not valid UTF-8")
	}
	if strings.ContainsFunc(rel, unicode.IsControl) {
		return errors.New("file name contains control characters")
	}
	return nil
}
