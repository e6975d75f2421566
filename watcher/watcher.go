// Package watcher keeps a store in step with a folder of article files:
// a scan reconciles the two at start-up, then file-system events publish
// new and changed files once they are complete and unpublish deleted ones.
//
// A file is complete when its writer closes it (on Linux, inotify's
// IN_CLOSE_WRITE) or when it is moved into the folder whole. Where the
// system has no such notification, a file is read once it has had no
// events for Options.Settle. Each folder takes one watch; folders the
// kernel refuses to watch (past fs.inotify.max_user_watches) are polled
// every Options.Poll instead, and Coverage says so. Processing is
// idempotent (the store compares content hashes), so duplicate events,
// rescans, polls and retries do no harm.
package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/text/encoding"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/storage"
)

// Store is what the watcher needs of the database.
type Store interface {
	Put(items ...storage.Item) ([]storage.Change, error)
	Move(from string, it storage.Item) (storage.Change, error)
	MoveFolder(from, to string) ([]string, error)
	Replace(from string, it storage.Item) (storage.Change, error)
	Remove(paths ...string) ([]string, error)
	Withdraw(paths ...string) ([]string, error)
	Fingerprints() (map[string]storage.Fingerprint, error)
	CompactFingerprints() error
	PathsWithHash(hash string) ([]string, error)
	SlugHolders(paths ...string) (map[string]string, error)
	PathsWithImage(images ...string) ([]string, error)
	ImageUses() ([]storage.ImageUse, error)
	PutSection(sec storage.SectionMeta) error
	RemoveSection(path string) error
	Sections() (map[string]storage.SectionMeta, error)
	SetLangs(langs map[string]string) ([]string, error)
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
	// where close notifications do not exist; and, where they exist, how
	// long a deletion or a move away waits, so that a file written under
	// the name meanwhile is an edit (an editor's save through a backup
	// name), and how long after it was first published from a close a
	// rename still gives an article the key of its new name (a temporary
	// file renamed into place; see storage.Store.Replace).
	Settle time.Duration
	// MaxSize is the largest file that is published, in bytes.
	MaxSize int64
	// Charset decodes files that are not valid UTF-8; nil refuses them.
	Charset encoding.Encoding
	// Location reads front-matter dates that name no zone; nil is UTC.
	Location *time.Location
	// Lang is the site's language, for article.Parse (see
	// article.Options.Lang).
	Lang language.Tag
	// LangFixed says the site's language was set explicitly (a flag):
	// the seeds folder's own _index.md does not give its articles its
	// language then, as a subfolder's does (see sections.go).
	LangFixed bool
	// MaxMediaSize is the largest local image an article may name, in
	// bytes (DefaultMaxMediaSize when zero): an article whose image is
	// larger is refused (image_too_large).
	MaxMediaSize int64
	// Rescan, when positive, is the period of a full rescan that catches
	// what events miss (network file systems, for one).
	Rescan time.Duration
	// Poll is the period at which the folders the kernel refuses to watch
	// are looked at (DefaultPoll when zero): a change there is published
	// within Poll and Settle.
	Poll time.Duration
	// Logger receives one line per publication, update, move, removal and
	// refusal, each naming the file (at debug during the start-up scan,
	// which logs its progress and a summary at info instead).
	Logger *slog.Logger
	// Observer, if not nil, is told about events, rescans, refusals and
	// store writes, for metrics.
	Observer Observer
	// Now is the clock; tests may set it. article.Parse refuses dates
	// after it; Run reads a file so refused again when its date comes
	// (see article.FutureDateError.Due), with no event nor rescan.
	Now func() time.Time
	// Progress is the period of the progress reports of the start-up
	// scan (DefaultProgress when zero): a line at info, and OnProgress.
	Progress time.Duration
	// OnProgress, if not nil, is called with each progress report of the
	// start-up scan, from the goroutine that runs the scan.
	OnProgress func(Progress)
	// LastRun is the last moment a watcher is known to have run on the
	// store (storage.Store.LastRun), or the zero time if none ever did.
	// It dates the files that the start-up scan finds new: in an empty
	// database, where no watcher ever ran, each file is dated by its
	// modification time (the folder's history); otherwise a file is
	// dated by its modification time if that is later than LastRun (it
	// arrived while no watcher ran), else by the moment the scan found it
	// (an old file copied in with its time kept). A file seen arriving
	// live is dated by the moment it is read.
	LastRun time.Time

	openTimeout   time.Duration // defaultOpenTimeout; tests shorten it
	noCompletions bool          // fsnotify alone, as where inotify's own instance is missing; tests set it
}

// Watcher publishes the article files under one folder into a Store.
type Watcher struct {
	root   string // absolute, symbolic links resolved
	store  Store
	opts   Options
	log    *slog.Logger
	reader reader

	fs   *fsnotify.Watcher // the notifier where done is nil, or nil (see notify.go)
	done completions       // nil where there are no close notifications
	held []completion      // failures and overflows drain took, for Run
	dirs map[string]bool   // watched folders
	poll polling           // folders polled instead
	deb  *debouncer

	obs       Observer
	refused   map[string]refusal      // refused files, by path, as they were then
	twins     map[string]string       // files refused for a URL another file holds, to that file
	future    *debouncer              // files refused for a date in the future, due when it comes
	drafts    map[string]storage.File // drafts, by path, as they were when logged
	sections  sections                // the folders' descriptions (see sections.go)
	bigImage  map[string]string       // files refused for their image's size, to that image
	noted     map[note]string         // what was logged of each file, to the version it was logged for
	retries   map[string]int          // failed store writes and reads short of resources, by path
	tentative map[string]bool         // waiting only for a fallback deadline (see written)
	vacated   map[string]time.Time    // files deleted or renamed away, by when that is handled
	renames   renames                 // the first halves of renames, by cookie
	origin    map[string]string       // files renamed within the folders, to where they were
	closed    map[string]bool         // files due because their writer closed them
	fresh     fresh                   // articles just published from a close (see move)
	since     time.Time               // when the folder was last looked at (see date)
	firstSeen map[string]time.Time    // first event of work waiting, by path
	firstWalk *walked                 // what New's walk found, for Scan (see walked)
	rootGone  atomic.Bool
	running   atomic.Bool
	started   chan struct{} // closed when Run starts
	ready     chan struct{} // closed: always ready (see more)
	watchedN  atomic.Int64  // see Coverage
	polledN   atomic.Int64
	degraded  atomic.Pointer[degradation]
	retryErr  atomic.Pointer[error] // the last failure that files wait to retry (see failed)
	rescanCh  chan chan error       // Rescan's requests, each answered with the scan's error
	ping      chan struct{}         // Alive's requests (see step)

	tally       *tally       // what the scan under way did, or nil
	filesDone   atomic.Int64 // see Progress
	filesFound  atomic.Int64
	scanElapsed atomic.Int64 // a time.Duration
}

// New prepares a watcher of dir. It starts watching at once, so that no
// file written between New and Run goes unnoticed; call Scan, then Run.
func New(dir string, store Store, opts Options) (*Watcher, error) {
	opts = opts.withDefaults()
	root, err := seedsRoot(dir)
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		root:      root,
		store:     store,
		opts:      opts,
		log:       opts.Logger,
		reader:    newReader(root, opts),
		sections:  sections{refused: make(map[string]string), langs: &langs{fixed: opts.LangFixed}},
		dirs:      make(map[string]bool),
		poll:      polling{dirs: make(map[string]*listing)},
		deb:       newDebouncer(),
		obs:       opts.Observer,
		refused:   make(map[string]refusal),
		twins:     make(map[string]string),
		future:    newDebouncer(),
		drafts:    make(map[string]storage.File),
		bigImage:  make(map[string]string),
		noted:     make(map[note]string),
		retries:   make(map[string]int),
		tentative: make(map[string]bool),
		vacated:   make(map[string]time.Time),
		origin:    make(map[string]string),
		closed:    make(map[string]bool),
		fresh:     make(fresh),
		since:     opts.LastRun,
		firstSeen: make(map[string]time.Time),
		started:   make(chan struct{}),
		ready:     make(chan struct{}),
		rescanCh:  make(chan chan error),
		ping:      make(chan struct{}),
	}
	close(w.ready)
	w.reader.langs = w.sections.langs
	if err := w.openNotifier(); err != nil {
		return nil, err
	}
	w.firstWalk = &walked{}
	if err := w.watchAll(); err != nil {
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
	if opts.MaxMediaSize <= 0 {
		opts.MaxMediaSize = DefaultMaxMediaSize
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
	if opts.Progress <= 0 {
		opts.Progress = DefaultProgress
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	return opts
}

// Close stops watching. Run closes the watcher itself when it returns.
func (w *Watcher) Close() error {
	var err error
	if w.done != nil {
		err = w.done.Close()
		w.done = nil
	}
	if w.fs != nil {
		err = w.fs.Close()
		w.fs = nil
	}
	return err
}

// Rescan has Run scan the whole folder and returns once the scan is
// done, with its error, or with ctx's once ctx ends first.
func (w *Watcher) Rescan(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case w.rescanCh <- reply:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
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
