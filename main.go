// Command seedfeed publishes a folder of article text files as Atom, RSS
// and JSON feeds, an HTML index and a page per article, and keeps them up
// to date as files are added, edited and deleted.
//
// Usage:
//
//	seedfeed [flags]
//
// Every flag has an environment variable that supplies its default; the
// flag wins when both are given.
//
//	-seeds DIR        SEEDFEED_SEEDS        folder of .txt articles (seeds)
//	-db FILE          SEEDFEED_DB           bbolt database (seedfeed.db)
//	-addr HOST:PORT   SEEDFEED_ADDR         listen address (localhost:8080)
//	-base-url URL     SEEDFEED_BASE_URL     public URL in links and ids (http://ADDR)
//	-lang TAG         SEEDFEED_LANG         BCP 47 language of the articles (ar)
//	-title TEXT       SEEDFEED_TITLE        feed title (seedfeed)
//	-description TEXT SEEDFEED_DESCRIPTION  feed description (the title)
//	-author NAME      SEEDFEED_AUTHOR       feed author (the title)
//	-limit N          SEEDFEED_LIMIT        entries per feed (50)
//	-settle DURATION  SEEDFEED_SETTLE       quiet time before a changed file is read (250ms)
//	-max-size SIZE    SEEDFEED_MAX_SIZE     largest article file (1MiB)
//	-charset CHARSET  SEEDFEED_CHARSET      decode non-UTF-8 files from it, or none (windows-1256)
//	-rescan DURATION  SEEDFEED_RESCAN       period of a full rescan, 0 for none (5m)
//	-max-age SECONDS  SEEDFEED_MAX_AGE      Cache-Control max-age of every response (300)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "seedfeed:", err)
		os.Exit(1)
	}
}

// shutdownTimeout bounds how long requests in flight may take to finish.
const shutdownTimeout = 10 * time.Second

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

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

	w, err := watcher.New(cfg.seeds, store, watcher.Options{
		Settle:  cfg.settle,
		MaxSize: cfg.maxSize,
		Charset: cfg.charset,
		Rescan:  cfg.rescan,
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Scan(ctx); err != nil {
		return err
	}

	h, err := feed.NewHandler(store, feedCfg, logger)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "url", feedCfg.BaseURL+"/",
		"atom", feedCfg.BaseURL+feed.PathAtom, "rss", feedCfg.BaseURL+feed.PathRSS, "json", feedCfg.BaseURL+feed.PathJSON)

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.Run(ctx) })
	g.Go(func() error { return h.Run(ctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	logger.Info("stopped", "err", err)
	return err
}

// defaultBaseURL is http:// and the address the server listens on, with
// "localhost" for a wildcard host and the bound port for port 0.
func defaultBaseURL(addr string, bound net.Addr) string {
	host, port, _ := net.SplitHostPort(addr) // validated by parseConfig
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	if port == "0" {
		if tcp, ok := bound.(*net.TCPAddr); ok {
			port = fmt.Sprint(tcp.Port)
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
