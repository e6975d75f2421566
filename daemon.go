package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	systemd "github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sync/errgroup"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/hub"
	"github.com/seedfeed/seedfeed/media"
	"github.com/seedfeed/seedfeed/search"
	"github.com/seedfeed/seedfeed/sitemap"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// daemon is seedfeed at work: the store, the watcher that fills it, the
// feed handler that renders it, and the servers that answer for them.
// newDaemon builds every part, Run runs them, Close releases them.
//
// newDaemon does what can fail before anything is served: the store, the
// listeners, the watcher. Run serves at once, then imports
// the seeds folder (the start-up scan): meanwhile /healthz answers 503
// with the scan's progress and every feed and page route 503 with
// Retry-After (media files, which need no import, are served), and
// systemd hears the progress. Once the scan is done the
// feeds are served, the watcher runs, and systemd hears READY=1. A stop
// during the scan is a clean stop; a failed scan, a failure.
//
// A new part (a WebSub hub, search, export) becomes a field here: built
// in newDaemon, where it can fail with a clear error before anything is
// served, run by Run in the errgroup, released by Close.
type daemon struct {
	cfg config // cfg.feed.BaseURL is filled in once the listener is bound
	log *slog.Logger
	hup chan os.Signal // SIGHUP: rescan

	store   *storage.Store
	ln      net.Listener // the public listener, as bound
	ctl     net.Listener // the control socket, or nil without one
	metrics *metrics
	watcher *watcher.Watcher
	feed    *feed.Handler
	sitemap *sitemap.Handler
	media   *media.Handler
	search  *search.Index
	// errorPages answer the requests refused before the feeds do (see
	// guard) and those while the start-up scan runs, in the site's
	// language as the feeds' own.
	errorPages *feed.ErrorPages
	hub        *hub.Hub                     // the built-in WebSub hub, nil with -hub
	pub        *publisher                   // tells the hub of each change of a feed
	pubReady   atomic.Pointer[publisher]    // pub, once set, for goroutines started before it
	servers    []server                     // the public server, then the control socket's if any
	lastRun    time.Time                    // when a daemon last ran on the store, before this one
	watchdog   time.Duration                // systemd's WatchdogSec, or 0 without a watchdog
	ready      atomic.Bool                  // the start-up scan is done, the watcher runs
	handler    atomic.Pointer[http.Handler] // what the public server serves
}

// errStopped is the start-up scan's answer to a stop: a clean stop, not
// a failure.
var errStopped = errors.New("stopped during the start-up scan")

// newDaemon does everything that can fail before anything is served, in
// order: it opens the store, binds the listener, reads the last run,
// notes the settings, opens the control socket, and builds the watcher
// and the servers. (The feed handler comes after the start-up scan: it
// renders what the store holds then; see serveFeeds.) It fails with an
// error that says which part failed, having closed whatever it opened.
func newDaemon(cfg config, logger *slog.Logger) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, log: logger, hup: make(chan os.Signal, 1)}
	// SIGHUP asks for a rescan; caught from the start, so that one sent
	// during a long start-up scan does not end the process.
	signal.Notify(d.hup, syscall.SIGHUP)
	defer func() {
		if err != nil {
			// What failed is err; closing the parts opened so far adds
			// nothing to it.
			_ = d.Close()
		}
	}()
	if err := d.open(); err != nil {
		return nil, err
	}
	if err := d.openSearch(); err != nil {
		return nil, err
	}
	d.metrics = newMetrics(func() float64 { return float64(d.store.Count()) }, func() float64 {
		t, err := d.store.LastPublication()
		if err != nil || t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	})
	if d.watchdog, err = systemd.SdWatchdogEnabled(false); err != nil {
		logger.Warn("no watchdog: cannot read its setting", "err", err)
	}
	opts := cfg.readOptions()
	opts.Settle, opts.Rescan, opts.Poll, opts.Logger, opts.Observer = cfg.settle, cfg.rescan, cfg.poll, logger, d.metrics
	opts.LastRun, opts.Progress, opts.OnProgress = d.lastRun, progressPeriod(d.watchdog), d.importing
	opts.LangFixed = cfg.feed.Explicit.Lang // else a root _index.md's lang is the site's
	if d.watcher, err = watcher.New(cfg.seeds, d.store, opts); err != nil {
		return nil, err
	}
	d.metrics.folders(d.watcher.Coverage, cfg.poll)
	if d.media, err = media.NewHandler(cfg.seeds, media.Options{
		MaxSize: int64(cfg.maxMediaSize), MaxAge: cfg.feed.MaxAge, Logger: logger,
	}); err != nil {
		return nil, err
	}
	if d.servers, err = d.newServers(); err != nil {
		return nil, err
	}
	return d, nil
}

// open opens the store, binds the public listener and the control
// socket, reads when a daemon last ran, and notes the settings.
func (d *daemon) open() error {
	var err error
	if d.store, err = storage.Open(d.cfg.db, storage.Options{PageSize: d.cfg.archiveSize}); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if d.ln, err = net.Listen("tcp", d.cfg.addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if d.cfg.feed.BaseURL == "" {
		d.cfg.feed.BaseURL = defaultBaseURL(d.cfg.addr, d.ln.Addr())
	}
	d.cfg.feed.Hub = d.cfg.hubURL() // known once the base URL is
	// Read before anything writes: it tells files that arrived while no
	// daemon ran (see watcher.Options.LastRun).
	if d.lastRun, err = d.store.LastRun(); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	// A database that holds no article has published nothing a reader
	// could have seen: a daemon that ran on an empty or unmounted folder
	// leaves the first real import its history (modification times).
	if d.store.Count() == 0 {
		d.lastRun = time.Time{}
	}
	// Other settings, or another seedfeed, may serve other bytes for the
	// same articles: Last-Modified must move then too.
	if _, err := d.store.NoteSettings(settingsDigest(d.cfg.feed)); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	// Without the control socket (a path too long for one, say), the
	// daemon still serves; backup and list then cannot reach it.
	if d.ctl, err = listenControl(d.cfg.db); err != nil {
		d.log.Error("no control socket: backup and list will not reach this daemon", "err", err)
	}
	return nil
}

// newServers builds the public server and the control socket's server.
// The public server answers /healthz and /metrics from the start, and
// everything else with 503 until the start-up scan is done (see serveFeeds).
func (d *daemon) newServers() ([]server, error) {
	var err error
	if d.errorPages, err = feed.NewErrorPages(d.cfg.feed); err != nil {
		return nil, err
	}
	start := http.NewServeMux()
	routes := append(d.ownRoutes(), feed.Route{Name: "starting", Pattern: "/", Handler: http.HandlerFunc(d.starting)})
	h := d.instrument(start, routes)
	d.handler.Store(&h)
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*d.handler.Load()).ServeHTTP(w, r)
	}), d.log)
	servers := []server{{srv, guardConns(srv, d.ln, connLimit(d.cfg.maxConns), d.log)}}
	if d.ctl != nil {
		ctl := &http.Server{Handler: d.controlHandler(), ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, server{ctl, d.ctl})
	}
	return servers, nil
}

// ownRoutes are the routes the daemon serves itself, besides the feeds.
func (d *daemon) ownRoutes() []feed.Route {
	return []feed.Route{
		{Name: "healthz", Pattern: "GET /healthz", Handler: health(d.store, d.watcher, d.ready.Load, d.searchStatus)},
		{Name: "metrics", Pattern: "GET /metrics", Handler: d.metrics.handler()},
		// Every method, so that the handler answers 405 with Allow itself.
		// Served from the start: media files need no import.
		{Name: "media", Pattern: media.Prefix, Handler: d.media},
	}
}

// instrument registers routes on mux, and wraps it in the metrics that
// name each route.
func (d *daemon) instrument(mux *http.ServeMux, routes []feed.Route) http.Handler {
	names := map[string]string{}
	for _, r := range routes {
		mux.Handle(r.Pattern, r.Handler)
		names[r.Pattern] = r.Name
	}
	return d.metrics.instrument(mux, names, d.log, d.errorPages.Write)
}

// serveFeeds builds the feed handler, which renders what the store holds
// now, and has the public server serve its routes from then on.
func (d *daemon) serveFeeds() error {
	var err error
	if d.feed, err = feed.NewHandler(d.store, d.cfg.feed, d.log); err != nil {
		return err
	}
	if err := d.startHub(); err != nil {
		return err
	}
	d.feed.OnRender(func(took time.Duration) {
		d.metrics.rendered(took)
		d.pub.changed()
	})
	if d.sitemap, err = sitemap.New(d.store, sitemap.Config{
		BaseURL: d.cfg.feed.BaseURL, Title: d.cfg.feed.Title, TitleFixed: d.cfg.feed.Explicit.Title,
		Lang: d.cfg.feed.Lang, MaxAge: d.cfg.feed.MaxAge,
	}, d.log); err != nil {
		return err
	}
	h := d.instrument(http.NewServeMux(), slices.Concat(d.feed.Routes(), d.sitemap.Routes(), d.ownRoutes(), d.hubRoutes()))
	d.handler.Store(&h)
	return nil
}

// Addr is the address the public server listens on.
func (d *daemon) Addr() net.Addr { return d.ln.Addr() }

// Run serves until ctx is done, then lets requests in flight finish for
// up to the shutdown timeout. It serves from the start, imports the seeds
// folder (see daemon), then runs the watcher and the handler. It returns
// the first part's failure, if one failed. It is called once.
func (d *daemon) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, s := range d.servers {
		g.Go(s.serve)
	}
	g.Go(func() error {
		<-ctx.Done()
		d.log.Info("shutting down", "timeout", d.cfg.shutdownTimeout)
		notify(d.log, systemd.SdNotifyStopping)
		shutdown(d.servers, d.cfg.shutdownTimeout, d.log)
		return nil
	})
	g.Go(func() error { return d.keepWatchdog(ctx) })
	g.Go(func() error { return d.search.Run(ctx) })
	g.Go(func() error { return d.work(ctx) })
	switch err := g.Wait(); {
	case errors.Is(err, errStopped):
		// Each batch stored is whole, and the next start takes up the rest.
		d.log.Info("stopped during the start-up scan", "articles", d.store.Count())
		return nil
	case err != nil:
		return err // run logs it
	}
	d.noteRun()
	d.log.Info("stopped")
	return nil
}

// work imports the seeds folder, then runs the watcher, the handler, the
// answer to SIGHUP and the notes of the run until ctx is done; it says
// the daemon is ready in between. A stop during the import is errStopped.
func (d *daemon) work(ctx context.Context) error {
	d.log.Info("importing the seeds folder; /healthz answers meanwhile", "dir", d.cfg.seeds, "addr", d.ln.Addr().String())
	if err := d.watcher.Scan(ctx); err != nil || ctx.Err() != nil {
		if ctx.Err() != nil {
			return errStopped
		}
		return err
	}
	d.noteRun()
	if err := d.serveFeeds(); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.watcher.Run(ctx) })
	g.Go(func() error { return d.feed.Run(ctx) })
	g.Go(func() error { return d.pub.run(ctx) })
	g.Go(func() error { return d.reloads(ctx) })
	g.Go(func() error { return d.keepStatus(ctx) })
	g.Go(func() error {
		t := time.NewTicker(runNote)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				d.noteRun()
			}
		}
	})
	// Ready once the watcher runs, so that /healthz says ok from the first
	// request; a stop meanwhile is no start.
	select {
	case <-d.watcher.Started():
	case <-ctx.Done():
	}
	if ctx.Err() == nil {
		d.ready.Store(true)
		base := d.cfg.feed.BaseURL
		d.log.Info("listening", "addr", d.ln.Addr().String(), "url", base+"/",
			"atom", base+feed.PathAtom, "rss", base+feed.PathRSS, "json", base+feed.PathJSON,
			"articles", d.store.Count(), "version", version())
		notify(d.log, systemd.SdNotifyReady+"\n"+d.status())
	}
	return g.Wait()
}

// Close releases what newDaemon opened, the store last, and returns the
// store's error. After Run, the servers and the watcher have stopped
// already.
func (d *daemon) Close() error {
	if d.watcher != nil {
		// Run closed it, or newDaemon failed; either way only the
		// store's error can still matter.
		_ = d.watcher.Close()
	}
	for _, ln := range []net.Listener{d.ctl, d.ln} {
		if ln != nil {
			// Closed already by the server's Shutdown, or never served.
			_ = ln.Close()
		}
	}
	if d.hub != nil {
		// Before the store: the hub writes what it delivered. What is
		// still owed stays there, for the next run.
		_ = d.hub.Close()
	}
	var err error
	if d.search != nil {
		// After Run, nothing writes to the store: the index closes clean.
		err = d.search.Close()
	}
	if d.store != nil {
		err = errors.Join(err, d.store.Close())
	}
	signal.Stop(d.hup)
	return err
}

// runNote is how often a running daemon notes that it runs, besides after
// its start-up scan and when it stops: after a kill -9, the files it saw are
// told from those that came later (watcher.Options.LastRun) to within this.
const runNote = time.Minute

// noteRun records now as a moment the daemon ran. A failure costs only
// the dating of files that arrive while it is down, so it is logged.
func (d *daemon) noteRun() {
	if err := d.store.NoteRun(time.Now()); err != nil {
		d.log.Error("cannot note the run in the database", "err", err)
	}
}

// settingsDigest is a digest of what shapes the bytes served besides the
// articles: the feed settings and the seedfeed build.
func settingsDigest(cfg feed.Config) string {
	zone := "UTC"
	if cfg.Location != nil {
		zone = cfg.Location.String()
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%q %q %q %q %q %d %d %q %v %q %v %q",
		cfg.BaseURL, cfg.Title, cfg.Description, cfg.Author, cfg.Lang.String(), cfg.Limit, cfg.MaxAge, version(), cfg.Explicit, zone, cfg.Digits, cfg.Hub))
	return hex.EncodeToString(sum[:])
}
