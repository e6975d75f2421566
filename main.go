// Command seedfeed publishes a folder of article text files as Atom, RSS
// and JSON feeds, an HTML index and a page per article, and keeps them up
// to date as files are added, edited, renamed and deleted.
//
// Usage:
//
//	seedfeed [flags]                 run the daemon
//	seedfeed check [-seeds DIR]      say what would be published or refused
//	seedfeed backup [-db FILE] OUT   copy the database, the daemon running or not
//	seedfeed list [-db FILE]         print the published entries
//	seedfeed -version                print the version
//
// Every flag has an environment variable that supplies its default; the
// flag wins when both are given.
//
//	-seeds DIR                SEEDFEED_SEEDS             folder of .txt articles (seeds)
//	-db FILE                  SEEDFEED_DB                bbolt database (seedfeed.db)
//	-addr HOST:PORT           SEEDFEED_ADDR              listen address (localhost:8080)
//	-base-url URL             SEEDFEED_BASE_URL          public URL in links and ids (http://ADDR)
//	-lang TAG                 SEEDFEED_LANG              BCP 47 language of the articles (ar)
//	-title TEXT               SEEDFEED_TITLE             feed title (seedfeed)
//	-description TEXT         SEEDFEED_DESCRIPTION       feed description (the title)
//	-author NAME              SEEDFEED_AUTHOR            feed author (the title)
//	-limit N                  SEEDFEED_LIMIT             entries per feed (50)
//	-max-age SECONDS          SEEDFEED_MAX_AGE           Cache-Control max-age of every response (300)
//	-charset CHARSET          SEEDFEED_CHARSET           decode non-UTF-8 files from it, or none (windows-1256)
//	-max-size SIZE            SEEDFEED_MAX_SIZE          largest article file (1MiB)
//	-settle DURATION          SEEDFEED_SETTLE            quiet time, where close notifications are missing (250ms)
//	-rescan DURATION          SEEDFEED_RESCAN            period of a full rescan, 0 for none (5m)
//	-shutdown-timeout DURATION SEEDFEED_SHUTDOWN_TIMEOUT time for requests in flight at shutdown (10s)
//	-log-format FORMAT        SEEDFEED_LOG_FORMAT        text or json (text)
//	-log-level LEVEL          SEEDFEED_LOG_LEVEL         debug, info, warn or error (info)
//
// SIGTERM and SIGINT stop it cleanly; SIGHUP rescans the seeds folder.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	systemd "github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sync/errgroup"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var logged loggedError
	switch {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "seedfeed:", err)
		os.Exit(2)
	case errors.Is(err, errRefused), errors.As(err, &logged):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "seedfeed:", err)
		os.Exit(1)
	}
}

// loggedError is an error the daemon's logger has reported already, in
// the log's own format (-log-format json stays JSON to the last line).
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return checkCommand(args[1:], getenv, stdout, stderr)
		case "backup":
			return backupCommand(ctx, args[1:], getenv, stdout, stderr)
		case "list":
			return listCommand(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	cfg, err := parseConfig(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	if cfg.version {
		fmt.Fprintln(stdout, version())
		return nil
	}
	logger := newLogger(cfg, stderr)
	if err := serve(ctx, cfg, logger); err != nil {
		logger.Error("seedfeed stopped", "err", err)
		return loggedError{err}
	}
	return nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the daemon until ctx is done. Everything that can fail at
// start-up does so before anything is served.
func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	// SIGHUP asks for a rescan; caught from the start, so that one sent
	// during a long start-up scan does not end the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	store, err := storage.Open(cfg.db, storage.Options{})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer store.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	feedCfg := cfg.feed
	if feedCfg.BaseURL == "" {
		feedCfg.BaseURL = defaultBaseURL(cfg.addr, ln.Addr())
	}
	// Other settings, or another seedfeed, may serve other bytes for the
	// same articles: Last-Modified must move then too.
	if _, err := store.NoteSettings(settingsDigest(feedCfg)); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	// Without the control socket (a path too long for one, say), the
	// daemon still serves; backup and list then cannot reach it.
	ctl, err := listenControl(cfg.db)
	if err != nil {
		logger.Error("no control socket: backup and list will not reach this daemon", "err", err)
	} else {
		defer ctl.Close()
	}

	m := newMetrics(func() float64 { return float64(store.Count()) }, func() float64 {
		t, err := store.LastPublication()
		if err != nil || t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	})
	w, err := watcher.New(cfg.seeds, store, watcher.Options{
		Settle:   cfg.settle,
		MaxSize:  int64(cfg.maxSize),
		Charset:  cfg.charset,
		Rescan:   cfg.rescan,
		Logger:   logger,
		Observer: m,
	})
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Scan(ctx); err != nil || ctx.Err() != nil {
		if ctx.Err() != nil {
			// A stop during a long first import is a clean stop: each
			// batch stored is whole, and the next start takes up the rest.
			logger.Info("stopped during the start-up scan", "articles", store.Count())
			return nil
		}
		return err
	}
	h, err := feed.NewHandler(store, feedCfg, logger)
	if err != nil {
		return err
	}
	h.OnRender(m.rendered)

	mux := http.NewServeMux()
	h.Register(mux)
	mux.Handle("GET /healthz", health(store, w))
	mux.Handle("GET /metrics", m.handler())
	srv := &http.Server{
		Handler:           m.instrument(mux, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	public := guardConns(srv, ln, connLimit(cfg.maxConns), logger)
	ctlSrv := &http.Server{Handler: controlHandler(store, cfg.db, feedCfg.BaseURL), ReadHeaderTimeout: 5 * time.Second}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.Run(ctx) })
	g.Go(func() error { return h.Run(ctx) })
	servers := []struct {
		srv *http.Server
		ln  net.Listener
	}{{srv, public}}
	if ctl != nil {
		servers = append(servers, struct {
			srv *http.Server
			ln  net.Listener
		}{ctlSrv, ctl})
	}
	for _, s := range servers {
		g.Go(func() error {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve %s: %w", s.ln.Addr(), err)
			}
			return nil
		})
	}
	g.Go(func() error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
				logger.Info("SIGHUP: rescanning the seeds folder")
				w.Rescan()
			}
		}
	})
	g.Go(func() error {
		<-ctx.Done()
		logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
		notify(logger, systemd.SdNotifyStopping)
		sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
		defer cancel()
		// Both servers drain at once, within the one timeout; what is
		// still in flight then is cut.
		var wg sync.WaitGroup
		for _, s := range servers {
			wg.Go(func() {
				if err := s.srv.Shutdown(sctx); err != nil {
					logger.Warn("requests still in flight at the shutdown timeout; closing their connections", "addr", s.ln.Addr().String(), "err", err)
					s.srv.Close()
				}
			})
		}
		wg.Wait()
		return nil
	})

	// Ready once the watcher runs, so that /healthz says ok from the first
	// request; a stop meanwhile is no start.
	select {
	case <-w.Started():
	case <-ctx.Done():
	}
	if ctx.Err() == nil {
		logger.Info("listening", "addr", ln.Addr().String(), "url", feedCfg.BaseURL+"/",
			"atom", feedCfg.BaseURL+feed.PathAtom, "rss", feedCfg.BaseURL+feed.PathRSS, "json", feedCfg.BaseURL+feed.PathJSON,
			"articles", store.Count(), "version", version())
		notify(logger, systemd.SdNotifyReady)
	}
	if err := g.Wait(); err != nil {
		return err // main prints it
	}
	logger.Info("stopped")
	return nil
}

// settingsDigest is a digest of what shapes the bytes served besides the
// articles: the feed settings and the seedfeed build.
func settingsDigest(cfg feed.Config) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%q %q %q %q %q %d %d %q",
		cfg.BaseURL, cfg.Title, cfg.Description, cfg.Author, cfg.Lang.String(), cfg.Limit, cfg.MaxAge, version()))
	return hex.EncodeToString(sum[:])
}

// notify tells systemd, when it started the daemon with Type=notify.
func notify(logger *slog.Logger, state string) {
	if _, err := systemd.SdNotify(false, state); err != nil {
		logger.Warn("cannot notify systemd", "state", state, "err", err)
	}
}

// health answers 200 when the database answers and the watcher runs, and
// 503 with the reason otherwise.
func health(store *storage.Store, w *watcher.Watcher) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		type status struct {
			Status   string `json:"status"`
			Articles int    `json:"articles"`
			Reason   string `json:"reason,omitempty"`
		}
		s, code := status{Status: "ok", Articles: store.Count()}, http.StatusOK
		if err := store.Check(); err != nil {
			s, code = status{Status: "unavailable", Reason: "database: " + err.Error()}, http.StatusServiceUnavailable
		} else if err := w.Err(); err != nil {
			s, code = status{Status: "unavailable", Articles: s.Articles, Reason: err.Error()}, http.StatusServiceUnavailable
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(code)
		// A failed write means the client went away; there is no one to tell.
		_ = json.NewEncoder(rw).Encode(s)
	}
}

// version is the module version and the VCS revision from the build info.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "seedfeed (no build information)"
	}
	v := "seedfeed " + bi.Main.Version
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		v += " " + rev
		if t := settings["vcs.time"]; t != "" {
			v += " " + t
		}
		if settings["vcs.modified"] == "true" {
			v += " (modified)"
		}
	}
	return v + " " + bi.GoVersion
}
