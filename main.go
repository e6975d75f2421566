// Command seedfeed publishes a folder of articles (plain text or Markdown
// with front matter) as Atom, RSS and JSON feeds, an HTML index and a page
// per article, serves the images beside them under /media/, and keeps
// them up to date as files are added, edited, renamed and deleted.
//
// Usage:
//
//	seedfeed [flags]                 run the daemon
//	seedfeed check [-seeds DIR] [-json] say what would be published or refused
//	seedfeed backup [-db FILE] OUT   copy the database, the daemon running or not
//	seedfeed list [-db FILE]         print the published entries
//	seedfeed -version                print the version
//
// Every flag has an environment variable that supplies its default; the
// flag wins when both are given.
//
//	-seeds DIR                SEEDFEED_SEEDS             folder of .txt and .md articles and media (seeds)
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
//	-max-media-size SIZE      SEEDFEED_MAX_MEDIA_SIZE    largest media file served or shown (20MiB)
//	-timezone NAME            SEEDFEED_TIMEZONE          IANA zone of front-matter dates without one, and of the pages' dates (UTC)
//	-digits DIGITS            SEEDFEED_DIGITS            digits of Arabic pages' dates: arab (٠١٢٣) or latn (0123) (arab)
//	-settle DURATION          SEEDFEED_SETTLE            quiet time, where close notifications are missing (250ms)
//	-rescan DURATION          SEEDFEED_RESCAN            period of a full rescan, 0 for none (5m)
//	-poll DURATION            SEEDFEED_POLL              period of the polls of folders the kernel will not watch (5s)
//	-shutdown-timeout DURATION SEEDFEED_SHUTDOWN_TIMEOUT time for requests in flight at shutdown (10s)
//	-max-conns N              SEEDFEED_MAX_CONNS         connections served at once, 0 for what the file limit allows (0)
//	-search-index DIR         SEEDFEED_SEARCH_INDEX      folder of the search index (the -db file's name and .search)
//	-hub URL                  SEEDFEED_HUB               external WebSub hub to advertise and ping (the built-in one at /hub)
//	-hub-allow-private        SEEDFEED_HUB_ALLOW_PRIVATE let the built-in hub call back private addresses (false)
//	-log-format FORMAT        SEEDFEED_LOG_FORMAT        text or json (text)
//	-log-level LEVEL          SEEDFEED_LOG_LEVEL         debug, info, warn or error (info)
//
// SIGTERM and SIGINT stop it cleanly; SIGHUP rescans the seeds folder.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	// The time zone database, for -timezone on a machine without one
	// (a minimal container image): some 400 KB.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var logged loggedError
	switch {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		// One line a wrong setting, each naming the program.
		for line := range strings.Lines(err.Error()) {
			fmt.Fprint(os.Stderr, "seedfeed: ", line)
		}
		fmt.Fprintln(os.Stderr)
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
	d, err := newDaemon(cfg, logger)
	if err == nil {
		err = d.Run(ctx)
		// The store was written and synced by each of its transactions:
		// an error closing it loses nothing, and changes no exit status.
		_ = d.Close()
	}
	if err != nil {
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
