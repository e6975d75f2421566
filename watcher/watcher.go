// Package watcher keeps a store in step with a folder of article files:
// a scan reconciles the two at start-up, then file-system events publish
// new and changed files once they are complete and unpublish deleted ones.
//
// A file is complete when its writer closes it (on Linux, inotify's
// IN_CLOSE_WRITE, read alongside fsnotify) or when it is moved into the
// folder whole. Where the system has no such notification, a file is read
// once it has had no events for Options.Settle. Processing is idempotent
// (the store compares content hashes), so duplicate events, rescans and
// retries do no harm.
package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/text/encoding"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// Store is what the watcher needs of the database.
type Store interface {
	Put(items ...storage.Item) ([]storage.Change, error)
	Move(from string, it storage.Item) (storage.Change, error)
	Remove(paths ...string) ([]string, error)
	Fingerprints() (map[string]storage.Fingerprint, error)
	CompactFingerprints() error
	PathsWithHash(hash string) ([]string, error)
}

// Defaults for the zero values of Options.
const (
	DefaultSettle  = 250 * time.Millisecond
	DefaultMaxSize = 1 << 20
)

const (
	// batchSize and batchBytes bound the articles one transaction stores:
	// a commit costs an fsync, so one per file makes a large import slow.
	batchSize  = 512
	batchBytes = 4 << 20
	// loadWindow is how many files are read in parallel before what they
	// hold is handled: it bounds the memory that reading takes.
	loadWindow = 128
	// compactAfter is how many files a scan must store before it compacts
	// the store's fingerprints (see storage.Store.CompactFingerprints).
	compactAfter = 1000
	// defaultOpenTimeout is how long a file that is being written, and
	// whose writer has not closed it, may go without writes before it is
	// read anyway (where close notifications exist).
	defaultOpenTimeout = 30 * time.Second
	// A failed store write is retried after minRetry, doubling up to maxRetry.
	minRetry = time.Second
	maxRetry = time.Minute
	// rootPoll is how often a vanished seeds folder is looked for.
	rootPoll = time.Second
)

// Options configure a Watcher.
type Options struct {
	// Settle is how long a file must go without events before it is read
	// where close notifications do not exist, and how long a deletion or
	// a move waits, so that both halves of a rename are seen together.
	Settle time.Duration
	// MaxSize is the largest file that is published, in bytes.
	MaxSize int64
	// Charset decodes files that are not valid UTF-8; nil refuses them.
	Charset encoding.Encoding
	// Rescan, when positive, is the period of a full rescan that catches
	// what events miss (network file systems, for one).
	Rescan time.Duration
	// Logger receives one line per publication, update, move, removal and
	// refusal, each naming the file.
	Logger *slog.Logger
	// Observer, if not nil, is told about events, rescans, refusals and
	// store writes, for metrics.
	Observer Observer
	// Now is the clock; tests may set it.
	Now func() time.Time

	openTimeout time.Duration // defaultOpenTimeout; tests shorten it
}

// Watcher publishes the article files under one folder into a Store.
type Watcher struct {
	root   string // absolute, symbolic links resolved
	store  Store
	opts   Options
	log    *slog.Logger
	reader reader

	fs   *fsnotify.Watcher
	done completions // nil where there are no close notifications
	dirs map[string]bool
	deb  *debouncer

	obs       Observer
	refused   map[string]storage.File // refused files, by path, as they were then
	retries   map[string]int          // failed store writes and reads short of resources, by path
	tentative map[string]bool         // waiting only for a fallback deadline (see written)
	vacated   map[string]time.Time    // files deleted or renamed away, by when that is handled
	firstSeen map[string]time.Time    // first event of work waiting, by path
	rootGone  atomic.Bool
	running   atomic.Bool
	started   chan struct{}         // closed when Run starts
	retryErr  atomic.Pointer[error] // the last failure that files wait to retry (see failed)
	rescanCh  chan struct{}
}

// New prepares a watcher of dir. It starts watching at once, so that no
// file written between New and Run goes unnoticed; call Scan, then Run.
func New(dir string, store Store, opts Options) (*Watcher, error) {
	opts = opts.withDefaults()
	root, err := seedsRoot(dir)
	if err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	done, err := newCompletions()
	if err != nil {
		opts.Logger.Warn("no close-after-write notifications; files are read once they settle", "err", err)
		done = nil
	}
	w := &Watcher{
		root:      root,
		store:     store,
		opts:      opts,
		log:       opts.Logger,
		reader:    newReader(root, opts),
		fs:        fsw,
		done:      done,
		dirs:      make(map[string]bool),
		deb:       newDebouncer(),
		obs:       opts.Observer,
		refused:   make(map[string]storage.File),
		retries:   make(map[string]int),
		tentative: make(map[string]bool),
		vacated:   make(map[string]time.Time),
		firstSeen: make(map[string]time.Time),
		started:   make(chan struct{}),
		rescanCh:  make(chan struct{}, 1),
	}
	if err := w.watch("."); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (opts Options) withDefaults() Options {
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
	if opts.openTimeout <= 0 {
		opts.openTimeout = defaultOpenTimeout
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	return opts
}

// seedsRoot returns the absolute path of the folder dir, links resolved.
func seedsRoot(dir string) (string, error) {
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return "", fmt.Errorf("seeds folder %s: %w", dir, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return "", fmt.Errorf("seeds folder %s: %w", dir, err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("seeds folder %s: not a directory", dir)
	}
	return root, nil
}

// Close stops watching. Run closes the watcher itself when it returns.
func (w *Watcher) Close() error {
	if w.done != nil {
		// The fsnotify error is the one worth reporting.
		_ = w.done.Close()
		w.done = nil
	}
	return w.fs.Close()
}

// Rescan asks Run for a full scan of the folder.
func (w *Watcher) Rescan() {
	select {
	case w.rescanCh <- struct{}{}:
	default: // one is already pending
	}
}

// Err reports why the watcher is not doing its job: it is not running,
// the seeds folder is gone, or files wait to retry a failed store write
// (or a read that ran out of descriptors).
// It is safe to call from any goroutine.
func (w *Watcher) Err() error {
	switch {
	case !w.running.Load():
		return errors.New("the watcher is not running")
	case w.rootGone.Load():
		return fmt.Errorf("the seeds folder %s is gone", w.root)
	}
	if err := w.retryErr.Load(); err != nil {
		return *err
	}
	return nil
}

// Started is closed once Run runs: from then on Err says how it does.
func (w *Watcher) Started() <-chan struct{} { return w.started }

// Run handles file-system events until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
	w.running.Store(true)
	close(w.started)
	defer w.running.Store(false)
	defer w.Close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var rescan <-chan time.Time
	if w.opts.Rescan > 0 {
		t := time.NewTicker(w.opts.Rescan)
		defer t.Stop()
		rescan = t.C
	}
	rootPoller := time.NewTicker(rootPoll)
	defer rootPoller.Stop()
	for {
		var doneCh <-chan completion
		if w.done != nil {
			doneCh = w.done.Events()
		}
		select {
		case <-ctx.Done():
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
				w.rescan(ctx, RescanOverflow)
			} else {
				w.log.Error("watch error", "dir", w.root, "err", err)
			}
		case c, ok := <-doneCh:
			if !ok {
				c.err = errors.New("notifier stopped")
			}
			w.complete(ctx, c)
		case <-timer.C:
		case <-rescan:
			w.rescan(ctx, RescanPeriodic)
		case <-w.rescanCh:
			w.rescan(ctx, RescanRequested)
		case <-rootPoller.C:
			if w.rootGone.Load() {
				w.findRoot(ctx)
			}
		}
		w.drain() // a burst of events is handled, and stored, in batches
		due := w.deb.settled(w.opts.Now())
		// Files at vacated paths go last: a file moved elsewhere is found
		// at its new place before its old name's new file is read.
		slices.SortStableFunc(due, func(a, b string) int {
			_, va := w.vacated[a]
			_, vb := w.vacated[b]
			switch {
			case !va && vb:
				return -1
			case va && !vb:
				return 1
			}
			return 0
		})
		for _, rel := range due {
			delete(w.tentative, rel)
		}
		w.process(ctx, due, liveMoves)
		for _, rel := range due {
			delete(w.vacated, rel) // after process: move reads them
		}
		if t, ok := w.deb.next(); ok {
			timer.Reset(t.Sub(w.opts.Now()))
		}
	}
}

// rescan scans the whole folder again; why is one of the reasons that
// Observer.Rescan lists.
func (w *Watcher) rescan(ctx context.Context, why string) {
	if w.rootGone.Load() {
		return // findRoot scans when the folder is back
	}
	w.obs.Rescan(why)
	if err := w.scan(ctx); err != nil {
		w.log.Error("rescan failed", "reason", why, "dir", w.root, "err", err)
		return
	}
	w.log.Info("rescan done", "reason", why, "dir", w.root)
}

// schedule has rel processed after delay, or later if more events come.
func (w *Watcher) schedule(rel string, delay time.Duration) {
	now := w.opts.Now()
	w.seen(rel, now)
	delete(w.tentative, rel)
	w.deb.touch(rel, now.Add(delay))
}

// fallback has rel processed after delay unless something firmer than a
// fallback (a close, a move) has it due already: the deadline for files
// whose completion no notification will tell.
func (w *Watcher) fallback(rel string, delay time.Duration) {
	if w.deb.has(rel) && !w.tentative[rel] {
		return
	}
	now := w.opts.Now()
	w.seen(rel, now)
	w.tentative[rel] = true
	w.deb.touch(rel, now.Add(delay))
}

// seen notes when work for rel began, for the publication latency.
func (w *Watcher) seen(rel string, now time.Time) {
	if _, ok := w.firstSeen[rel]; !ok {
		w.firstSeen[rel] = now
	}
}

// stored tells the observer what a store write did to rel.
func (w *Watcher) stored(rel string, c storage.Change) {
	var latency time.Duration
	if t, ok := w.firstSeen[rel]; ok {
		latency = w.opts.Now().Sub(t)
		delete(w.firstSeen, rel)
	}
	if c != storage.Unchanged {
		w.obs.Stored(c, latency)
	}
}

// written schedules a file that is being written. Where close
// notifications exist, the close (or a move into the folder) schedules it;
// each write only moves a fallback deadline, for writers that never close,
// to openTimeout after it: a file is read once its writer closes it, or
// once it has gone that long without a write. Elsewhere every write
// postpones the file until it settles.
func (w *Watcher) written(rel string) {
	if w.done != nil {
		w.fallback(rel, w.opts.openTimeout)
		return
	}
	w.schedule(rel, w.opts.Settle)
}

// event turns one fsnotify event into scheduled work. Where close
// notifications exist, fsnotify's events for files are left to them (see
// complete): they come from another queue, in no order with the closes,
// and a file's history must be read in order. fsnotify still tells of
// folders, of the seeds folder itself, and of mode changes.
func (w *Watcher) event(ev fsnotify.Event) {
	w.log.Debug("fs event", "op", ev.Op.String(), "path", ev.Name)
	rel, ok := w.rel(ev.Name)
	if !ok || (rel != "." && ignored(path.Base(rel))) {
		return
	}
	w.obs.Event(strings.ToLower(ev.Op.String()))
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
		} else if candidate(rel) && w.done == nil {
			w.schedule(rel, w.opts.Settle)
		}
	case ev.Has(fsnotify.Write):
		if candidate(rel) && w.done == nil {
			w.written(rel)
		}
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		switch {
		case rel == ".":
			w.lostRoot()
		case w.dirs[rel]:
			w.unwatch(rel)
		case candidate(rel) && w.done == nil:
			w.schedule(rel, w.opts.Settle)
		}
	case ev.Has(fsnotify.Chmod):
		// Backup and antivirus tools change modes all day: only a file
		// refused before (unreadable, say) is worth another look.
		if _, ok := w.refused[rel]; ok {
			delete(w.refused, rel)
			w.schedule(rel, w.opts.Settle)
		}
	}
}

// complete handles a completion, one step of a file's history told in
// order: a creation or a write only moves a fallback deadline (a file
// arriving whole by hard link raises nothing else); a close has the file
// read at once; a move in waits as long as a deletion or a move away
// does, so that the two halves of a rename are handled together.
func (w *Watcher) complete(ctx context.Context, c completion) {
	switch {
	case c.err != nil:
		w.log.Error("close-after-write notifications stopped; files are read once they settle", "err", c.err)
		w.done.Close()
		w.done = nil
	case c.overflow:
		w.rescan(ctx, RescanOverflow)
	default:
		rel, ok := w.rel(c.path)
		if !ok || !candidate(rel) {
			return
		}
		switch c.op {
		case opVacated:
			w.schedule(rel, w.opts.Settle)
			w.vacated[rel] = w.opts.Now().Add(w.opts.Settle)
			return
		case opCreated:
			// A file made where one was just deleted or moved away is
			// a new one: that deadline must not read it half-written.
			if _, ok := w.vacated[rel]; ok {
				w.tentative[rel] = true
			}
			w.fallback(rel, w.opts.Settle)
			return
		case opWritten:
			w.written(rel)
			return
		case opMovedIn:
			w.obs.Event(eventMovedTo)
		default:
			w.obs.Event(eventCloseWrite)
		}
		var delay time.Duration
		if c.op == opMovedIn {
			delay = w.opts.Settle
		}
		// A file written where one was renamed away waits for the other
		// half of that rename, which may be the old article's new place
		// (a "latest" file rotated to an archive name): see move.
		if at, ok := w.vacated[rel]; ok {
			delay = max(delay, at.Sub(w.opts.Now())+vacatedSlack)
		}
		w.schedule(rel, delay)
	}
}

// vacatedSlack is how long after a deletion's or rename's deadline a new
// file at that path waits, so that both are handled in one batch.
const vacatedSlack = 5 * time.Millisecond

// watch adds rel and every folder under it to the watch lists, and
// schedules the files it finds there: a folder moved in whole brings
// files that raised no event of their own.
func (w *Watcher) watch(rel string) error {
	top := w.abs(rel)
	return filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == top {
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
			return w.addDir(r)
		}
		if rel != "." && candidate(r) {
			// Maybe still being written: where closes are told, a
			// write or the close decides (see fallback).
			if w.done != nil {
				w.fallback(r, w.opts.Settle)
			} else {
				w.schedule(r, w.opts.Settle)
			}
		}
		return nil
	})
}

// addDir watches one folder with fsnotify and the completion notifier.
func (w *Watcher) addDir(rel string) error {
	if w.dirs[rel] {
		return nil
	}
	abs := w.abs(rel)
	if err := w.fs.Add(abs); err != nil {
		return fmt.Errorf("watch %s: %w", abs, err)
	}
	if w.done != nil {
		if err := w.done.Add(abs); err != nil {
			w.log.Warn("no close-after-write notifications for folder", "path", rel, "err", err)
		}
	}
	w.dirs[rel] = true
	return nil
}

// unwatch forgets the folder rel, deleted or moved away, and schedules
// every article under it: each is unpublished, or moved where it went.
func (w *Watcher) unwatch(rel string) {
	prefix := rel + "/"
	for d := range w.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			delete(w.dirs, d)
			// A folder moved within the tree keeps its inotify watch
			// under the old name; drop it. A deleted one is gone already.
			_ = w.fs.Remove(w.abs(d))
			if w.done != nil {
				w.done.Remove(w.abs(d))
			}
		}
	}
	files, err := w.store.Fingerprints()
	if err != nil {
		w.log.Error("cannot list stored files", "err", err)
		return
	}
	for p := range files {
		if strings.HasPrefix(p, prefix) {
			w.schedule(p, w.opts.Settle)
		}
	}
}

// lostRoot notes that the seeds folder itself is gone. Its articles stay
// published (a folder being replaced, or a share unmounted, should not
// empty the feeds); findRoot rescans when it is back.
func (w *Watcher) lostRoot() {
	if w.rootGone.Load() {
		return
	}
	w.rootGone.Store(true)
	for d := range w.dirs {
		delete(w.dirs, d)
		if w.done != nil {
			w.done.Remove(w.abs(d))
		}
	}
	w.log.Error("seeds folder is gone; its articles stay published until it is back", "dir", w.root)
}

// findRoot watches the seeds folder again once it exists.
func (w *Watcher) findRoot(ctx context.Context) {
	if fi, err := os.Stat(w.root); err != nil || !fi.IsDir() {
		return
	}
	if err := w.watch("."); err != nil {
		w.log.Error("cannot watch seeds folder", "dir", w.root, "err", err)
		return
	}
	w.rootGone.Store(false)
	w.log.Info("seeds folder is back; rescanning", "dir", w.root)
	w.rescan(ctx, RescanFolderBack)
}

// rel returns the slash-separated path of abs under the root.
func (w *Watcher) rel(abs string) (string, bool) { return relTo(w.root, abs) }

// relTo returns the slash-separated path of abs under root, and false if
// abs is not under root.
func relTo(root, abs string) (string, bool) {
	r, err := filepath.Rel(root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

func (w *Watcher) abs(rel string) string { return filepath.Join(w.root, filepath.FromSlash(rel)) }

// candidate reports whether rel names an article file.
func candidate(rel string) bool {
	return article.Is(rel) && !ignored(path.Base(rel))
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
