package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// maxLimit bounds -limit: a feed over 1 MB burdens every reader.
const maxLimit = 1000

type config struct {
	seeds, db, addr string
	settle, rescan  time.Duration
	poll            time.Duration // watcher.Options.Poll
	shutdownTimeout time.Duration
	maxConns        int
	archiveSize     int    // storage.Options.PageSize
	searchIndex     string // the search index's folder; validateSearch fills in the default
	// explicit names the flags given on the command line or through
	// their environment twins: a root _index.md fills in the others.
	explicit     map[string]bool
	maxSize      sizeFlag
	maxMediaSize sizeFlag
	charsetName  string
	charset      encoding.Encoding
	timezone     string         // as given; validateRead fills location
	location     *time.Location // where front-matter dates without a zone are, and the pages' dates
	logFormat    string
	logLevel     slog.Level
	version      bool

	baseURL, lang string // as given; validate fills feed.BaseURL and feed.Lang
	feed          feed.Config

	// hub is an external WebSub hub's URL, "" for the built-in one at
	// /hub; hubAllowPrivate lets the built-in hub call back private
	// addresses.
	hub             string
	hubAllowPrivate bool
}

// The flags, in groups that the commands share.

// seedsFlags are the flags of reading the seeds folder: the daemon and
// check read it alike.
func (cfg *config) seedsFlags(fs *flag.FlagSet) {
	cfg.maxSize = watcher.DefaultMaxSize
	cfg.maxMediaSize = watcher.DefaultMaxMediaSize
	fs.StringVar(&cfg.seeds, "seeds", "seeds", "watch `DIR` and its subfolders for .txt and .md articles and their media files")
	fs.Var(&cfg.maxSize, "max-size", "refuse article files larger than `SIZE` (bytes, or with KiB or MiB)")
	fs.Var(&cfg.maxMediaSize, "max-media-size", "serve no media file (image) larger than `SIZE`, nor show it in an article (bytes, or with KiB, MiB or GiB)")
	fs.StringVar(&cfg.charsetName, "charset", "windows-1256", "decode files that are not UTF-8 from `CHARSET` (a WHATWG label), or none to refuse them")
	fs.StringVar(&cfg.lang, "lang", "ar", "BCP 47 language `TAG` of the articles that do not name their own (front matter lang)")
	fs.StringVar(&cfg.timezone, "timezone", "UTC", "read front-matter dates that name no zone, and show the pages' dates and times, in time zone `NAME` (IANA, such as Asia/Riyadh)")
}

func (cfg *config) dbFlag(fs *flag.FlagSet) {
	fs.StringVar(&cfg.db, "db", "seedfeed.db", "keep the database in `FILE`, created if missing")
}

func (cfg *config) urlFlags(fs *flag.FlagSet) {
	fs.StringVar(&cfg.addr, "addr", "localhost:8080", "listen on `HOST:PORT`")
	fs.StringVar(&cfg.baseURL, "base-url", "", "public `URL` used in every link and id (default http:// and -addr)")
}

func (cfg *config) serveFlags(fs *flag.FlagSet) {
	cfg.seedsFlags(fs)
	cfg.dbFlag(fs)
	cfg.urlFlags(fs)
	cfg.feed.MaxAge = 300 * time.Second
	fs.StringVar(&cfg.feed.Title, "title", "seedfeed", "feed title `TEXT`")
	fs.StringVar(&cfg.feed.Description, "description", "", "feed description `TEXT` (default the title)")
	fs.StringVar(&cfg.feed.Author, "author", "", "feed author `NAME` (default the title)")
	fs.TextVar(&cfg.feed.Digits, "digits", feed.ArabicDigits, "write the dates and page numbers of Arabic pages in `DIGITS`: arab (٠١٢٣…) or latn (0123…)")
	fs.IntVar(&cfg.feed.Limit, "limit", 50, fmt.Sprintf("show `N` entries per feed and on the index, 1 to %d", maxLimit))
	fs.Var((*secondsFlag)(&cfg.feed.MaxAge), "max-age", "let clients and caches reuse a response for `SECONDS` (or a duration such as 5m)")
	fs.DurationVar(&cfg.settle, "settle", watcher.DefaultSettle, "wait `DURATION` before a deletion or a move away is unpublished (a save through a backup name stays an edit); a new file renamed within it takes its final name's id; where close notifications are missing, read a file once it has been quiet for it")
	fs.DurationVar(&cfg.rescan, "rescan", 5*time.Minute, "rescan the whole seeds folder every `DURATION`, 0 for never")
	fs.DurationVar(&cfg.poll, "poll", watcher.DefaultPoll, "look every `DURATION` at the folders the kernel refuses to watch (past fs.inotify.max_user_watches): a change there is published within it and -settle")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGTERM or SIGINT, let requests in flight finish for up to `DURATION`")
	fs.IntVar(&cfg.archiveSize, "archive-size", 0, fmt.Sprintf("put `N` articles in each archive document (RFC 5005) and sitemap chunk; 0 keeps the database's, %d for a new one; a change renumbers the archives", storage.DefaultPageSize))
	fs.StringVar(&cfg.searchIndex, "search-index", "", "keep the search index in folder `DIR`, rebuilt from the database when missing (default the -db file's name and .search)")
	fs.IntVar(&cfg.maxConns, "max-conns", 0, "serve at most `N` connections at once; 0 for as many as the file descriptor limit allows, less a reserve for the seeds and the database")
	fs.StringVar(&cfg.hub, "hub", "", "advertise the external WebSub hub at `URL` and ping it (hub.mode=publish) at every change of a feed, instead of the built-in hub at /hub")
	fs.BoolVar(&cfg.hubAllowPrivate, "hub-allow-private", false, "let the built-in WebSub hub call back loopback, private and link-local addresses (tests, intranets)")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `FORMAT`: text or json")
	fs.TextVar(&cfg.logLevel, "log-level", slog.LevelInfo, "log `LEVEL`: debug, info, warn or error")
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
}

// parseConfig reads the daemon's flags in args, with defaults from the
// environment, and validates them all before anything starts.
func parseConfig(args []string, getenv func(string) string, stdout, stderr io.Writer) (config, error) {
	var cfg config
	fs := newFlagSet("seedfeed", "seedfeed [flags]\n       seedfeed check|backup|list -h", stderr)
	cfg.serveFlags(fs)
	if err := parseNoArgs(fs, args, getenv); err != nil || cfg.version {
		return cfg, err
	}
	cfg.explicit = make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { cfg.explicit[f.Name] = true })
	cfg.feed.Explicit = feed.Explicit{Title: cfg.explicit["title"], Description: cfg.explicit["description"], Lang: cfg.explicit["lang"]}
	return cfg, cfg.validate()
}

// maxArchiveSize bounds -archive-size: an archive document of more
// articles is a download no reader wants in one piece.
const maxArchiveSize = 1000

// minRescan bounds -rescan from below: a full scan reads every folder.
const minRescan = time.Second

// validate checks every setting of the daemon and fills in the derived
// ones. It reports every wrong setting at once, and looks at the disk
// (the seeds folder, the database's) only when the rest are right.
func (cfg *config) validate() error {
	if err := joinChecks(cfg.validateURL, cfg.validateHub, cfg.validateFeed, cfg.validateRead, cfg.validateService); err != nil {
		return err
	}
	return joinChecks(cfg.validateSeeds, cfg.validateDB, cfg.validateSearch)
}

// joinChecks runs every check and returns what they found wrong, one
// setting a line, as a usage error.
func joinChecks(checks ...func() error) error {
	var errs []error
	for _, check := range checks {
		if err := check(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}

// validateService checks the settings of the daemon's own running.
func (cfg *config) validateService() error {
	var errs []error
	if cfg.settle <= 0 {
		errs = append(errs, fmt.Errorf("-settle %v: must be positive", cfg.settle))
	}
	if cfg.poll <= 0 {
		errs = append(errs, fmt.Errorf("-poll %v: must be positive", cfg.poll))
	}
	if cfg.rescan != 0 && cfg.rescan < minRescan {
		errs = append(errs, fmt.Errorf("-rescan %v: must be 0 (never) or at least %v: a rescan reads every folder", cfg.rescan, minRescan))
	}
	if cfg.shutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("-shutdown-timeout %v: must be positive", cfg.shutdownTimeout))
	}
	if cfg.archiveSize < 0 || cfg.archiveSize > maxArchiveSize {
		errs = append(errs, fmt.Errorf("-archive-size %d: want 0 (keep the database's) or 1 to %d", cfg.archiveSize, maxArchiveSize))
	}
	if cfg.maxConns < 0 {
		errs = append(errs, fmt.Errorf("-max-conns %d: must not be negative", cfg.maxConns))
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		errs = append(errs, fmt.Errorf("-log-format %q: want text or json", cfg.logFormat))
	}
	return errors.Join(errs...)
}

func (cfg *config) validateSeeds() error {
	if fi, err := os.Stat(cfg.seeds); err != nil {
		return fmt.Errorf("-seeds %s: %w", cfg.seeds, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("-seeds %s: not a directory", cfg.seeds)
	}
	return nil
}

// validateRead checks the settings of reading articles (see seedsFlags)
// and fills in the charset, the language and the time zone.
func (cfg *config) validateRead() error {
	var errs []error
	var err error
	if cfg.charset, err = article.Charset(cfg.charsetName); err != nil {
		errs = append(errs, fmt.Errorf("-charset: %v", err))
	}
	if cfg.feed.Lang, err = language.Parse(cfg.lang); err != nil {
		errs = append(errs, fmt.Errorf("-lang %q: not a valid BCP 47 language tag: %v", cfg.lang, err))
	}
	if cfg.location, err = loadTimezone(cfg.timezone); err != nil {
		errs = append(errs, err)
	}
	cfg.feed.Location = cfg.location
	return errors.Join(errs...)
}

// readOptions are the watcher's options of reading files, which the
// daemon and check share, so that check reads as the daemon would.
func (cfg *config) readOptions() watcher.Options {
	return watcher.Options{
		MaxSize:      int64(cfg.maxSize),
		Charset:      cfg.charset,
		Location:     cfg.location,
		Lang:         cfg.feed.Lang,
		MaxMediaSize: int64(cfg.maxMediaSize),
	}
}

// loadTimezone loads the IANA time zone name: from the system's
// database, or from the copy built into the binary (time/tzdata, imported
// in main.go) on a machine that has none.
func loadTimezone(name string) (*time.Location, error) {
	if name == "" {
		return nil, errors.New("-timezone: empty: want an IANA time zone name such as Asia/Riyadh, or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("-timezone %q: unknown time zone: want an IANA name such as Asia/Riyadh or Africa/Cairo, or UTC", name)
	}
	return loc, nil
}

func (cfg *config) validateDB() error {
	if cfg.db == "" {
		return errors.New("-db: empty file name")
	}
	if fi, err := os.Stat(filepath.Dir(cfg.db)); err != nil {
		return fmt.Errorf("-db %s: %w", cfg.db, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("-db %s: %s is not a directory", cfg.db, filepath.Dir(cfg.db))
	}
	if fi, err := os.Stat(cfg.db); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("-db %s: not a regular file", cfg.db)
	}
	return nil
}

func (cfg *config) validateURL() error {
	// Port 0 is allowed: the system picks one, and the log says which.
	if _, port, err := net.SplitHostPort(cfg.addr); err != nil {
		return fmt.Errorf("-addr %q: %v", cfg.addr, err)
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("-addr %q: port %q is not a number from 0 to 65535", cfg.addr, port)
	}
	if cfg.baseURL == "" {
		return nil // known once the listener is bound
	}
	u, err := url.Parse(cfg.baseURL)
	switch {
	case err != nil:
		return fmt.Errorf("-base-url %q: %v", cfg.baseURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("-base-url %q: the scheme must be http or https", cfg.baseURL)
	case u.Host == "":
		return fmt.Errorf("-base-url %q: no host", cfg.baseURL)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("-base-url %q: no query, fragment or user name allowed", cfg.baseURL)
	}
	cfg.feed.BaseURL = strings.TrimRight(u.String(), "/")
	return nil
}

// validateHub checks -hub: an absolute http or https URL, which the
// feeds name and the daemon posts to.
func (cfg *config) validateHub() error {
	if cfg.hub == "" {
		return nil
	}
	u, err := url.Parse(cfg.hub)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("-hub %q: want an absolute http or https URL, without a fragment", cfg.hub)
	}
	if cfg.hubAllowPrivate {
		return errors.New("-hub-allow-private: only the built-in hub calls subscribers back; an external hub (-hub) has its own rules")
	}
	return nil
}

// hubURL is the WebSub hub the feeds advertise: -hub, or the built-in
// one's at /hub.
func (cfg *config) hubURL() string {
	if cfg.hub != "" {
		return cfg.hub
	}
	return cfg.feed.BaseURL + "/hub"
}

func (cfg *config) validateFeed() error {
	var errs []error
	if strings.TrimSpace(cfg.feed.Title) == "" {
		errs = append(errs, errors.New("-title: empty"))
	}
	for _, f := range []struct{ name, v string }{{"-title", cfg.feed.Title}, {"-description", cfg.feed.Description}, {"-author", cfg.feed.Author}} {
		if !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, unicode.IsControl) {
			errs = append(errs, fmt.Errorf("%s %q: not valid UTF-8 or holds control characters, which feeds cannot carry", f.name, f.v))
		}
	}
	if cfg.feed.Description == "" {
		cfg.feed.Description = cfg.feed.Title
	}
	if cfg.feed.Author == "" {
		cfg.feed.Author = cfg.feed.Title
	}
	if cfg.feed.Limit < 1 || cfg.feed.Limit > maxLimit {
		errs = append(errs, fmt.Errorf("-limit %d: must be from 1 to %d", cfg.feed.Limit, maxLimit))
	}
	if cfg.feed.MaxAge > 365*24*time.Hour {
		errs = append(errs, fmt.Errorf("-max-age %v: more than a year", cfg.feed.MaxAge))
	}
	return errors.Join(errs...)
}

// defaultBaseURL is http:// and the address the server listens on, with
// "localhost" for a wildcard host and the bound port for port 0.
func defaultBaseURL(addr string, bound net.Addr) string {
	host, port, _ := net.SplitHostPort(addr) // validated by validateURL
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	if port == "0" && bound != nil {
		if tcp, ok := bound.(*net.TCPAddr); ok {
			port = strconv.Itoa(tcp.Port)
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
