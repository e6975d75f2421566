package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// The control socket lets the backup and list commands reach a running
// daemon, whose bbolt lock keeps every other process from the database.
// It lives beside the database, is open to its owner only, and speaks
// HTTP: GET /backup streams a consistent copy, GET /list the entries.
// The public listener never serves these.

// socketPath is the control socket of the database at db.
func socketPath(db string) string { return db + ".sock" }

// listenControl listens on db's control socket. A socket left by a daemon
// that died is removed: the caller holds the database's lock, so no other
// daemon uses it. The socket is made with a umask that leaves it to its
// owner from the start, not only after a chmod.
func listenControl(db string) (net.Listener, error) {
	path := socketPath(db)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSocket != 0 {
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control socket %s: %w", path, err)
		}
	}
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// controlHandler serves the control socket.
func controlHandler(store *storage.Store, db, baseURL string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		// The copy goes to a file beside the database first, in one short
		// read transaction: streamed straight to a slow client, it would
		// hold the transaction open, and a writer that must grow the map
		// waits for every reader.
		tmp, err := os.CreateTemp(filepath.Dir(db), ".seedfeed-backup-*")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close() // read only from here on
		n, err := store.WriteTo(tmp)
		if err == nil {
			_, err = tmp.Seek(0, io.SeekStart)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		// A failed copy shows as a short body, which the client checks.
		_, _ = io.Copy(w, tmp)
	})
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) {
		items, err := store.Entries()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// A failed write means the client went away; there is no one to tell.
		_ = writeList(w, items, baseURL)
	})
	return mux
}

// writeList prints items as a table: id, published date, path, title.
func writeList(w io.Writer, items []storage.Item, baseURL string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPUBLISHED\tPATH\tTITLE")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", feed.EntryID(baseURL, it), it.Published.UTC().Format(time.RFC3339), it.Path, it.Title)
	}
	return tw.Flush()
}

// controlGet asks the daemon that holds db for path over its socket. It
// returns errNoDaemon when no daemon listens there.
func controlGet(ctx context.Context, db, path string) (*http.Response, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socketPath(db))
		},
	}}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://seedfeed"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, errNoDaemon
	}
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", socketPath(db), err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		return nil, fmt.Errorf("control socket %s: %s: %s", socketPath(db), resp.Status, body)
	}
	return resp, nil
}

var errNoDaemon = errors.New("no daemon listens on the control socket")

// openStopped opens db read-only for a command run while no daemon does.
func openStopped(db string) (*storage.Store, error) {
	s, err := storage.Open(db, storage.Options{ReadOnly: true})
	if errors.Is(err, storage.ErrLocked) {
		return nil, fmt.Errorf("%w, and its control socket %s does not answer", err, socketPath(db))
	}
	return s, err
}

// backupCommand is "seedfeed backup [-db FILE] OUT".
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlagSet("seedfeed backup", "seedfeed backup [-db FILE] OUT\n\n"+
		"Writes a consistent copy of the database to OUT, from the running daemon\n"+
		"or, when none runs, from the file itself.", stderr)
	cfg.dbFlag(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("backup takes one argument, the file to write or - for standard output (see seedfeed backup -h)")
	}
	out := fs.Arg(0)
	// Renamed over the live database, the copy would cut the daemon off
	// its file: it would go on writing to one that no name leads to.
	if a, b := filepath.Clean(out), filepath.Clean(socketPath(cfg.db)); a == b {
		return usageErrorf("backup to %s would replace the daemon's control socket; give another file", out)
	}
	if ofi, err := os.Stat(out); err == nil {
		for _, p := range []string{cfg.db, socketPath(cfg.db)} {
			if fi, err := os.Stat(p); err == nil && os.SameFile(ofi, fi) {
				return usageErrorf("backup to %s would replace %s itself; give another file", out, p)
			}
		}
	}
	// Write beside OUT and rename, so that OUT is a whole copy or untouched.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".seedfeed-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	n, err := backupTo(ctx, cfg.db, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("backup of %s to %s: %w", cfg.db, out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d bytes\n", out, n)
	return nil
}

func backupTo(ctx context.Context, db string, w io.Writer) (int64, error) {
	resp, err := controlGet(ctx, db, "/backup")
	if errors.Is(err, errNoDaemon) {
		// The file's own pages, whatever seedfeed version wrote them: a
		// backup is most wanted before an upgrade migrates the file.
		n, err := storage.Backup(db, w, 0)
		if errors.Is(err, storage.ErrLocked) {
			err = fmt.Errorf("%w, and its control socket %s does not answer", err, socketPath(db))
		}
		return n, err
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("the daemon sent %d of %d bytes", n, resp.ContentLength)
	}
	return n, err
}

// listCommand is "seedfeed list [-db FILE]".
func listCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlagSet("seedfeed list", "seedfeed list [-db FILE]\n\n"+
		"Prints the published entries, newest first: id, published date, path, title.\n"+
		"Ids use the running daemon's -base-url, or, when none runs, this one's.", stderr)
	cfg.dbFlag(fs)
	cfg.urlFlags(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q (see list -h)", fs.Arg(0))
	}
	if err := joinChecks(cfg.validateURL); err != nil {
		return err
	}
	resp, err := controlGet(ctx, cfg.db, "/list")
	if err == nil {
		defer resp.Body.Close()
		_, err = io.Copy(stdout, resp.Body)
		return err
	}
	if !errors.Is(err, errNoDaemon) {
		return err
	}
	s, err := openStopped(cfg.db)
	if err != nil {
		return err
	}
	defer s.Close()
	items, err := s.Entries()
	if err != nil {
		return err
	}
	baseURL := cfg.feed.BaseURL
	if baseURL == "" {
		baseURL = defaultBaseURL(cfg.addr, nil)
	}
	return writeList(stdout, items, baseURL)
}

// errRefused makes check exit with status 1.
var errRefused = errors.New("some files would be refused")

// checkCommand is "seedfeed check [-seeds DIR]".
func checkCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlagSet("seedfeed check", "seedfeed check [-seeds DIR]\n\n"+
		"Reads every article file as the daemon would and says, file by file, what\n"+
		"would be published and what would be refused, and why. Exits 1 if any\n"+
		"file would be refused.", stderr)
	cfg.seedsFlags(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q (see check -h)", fs.Arg(0))
	}
	if err := joinChecks(cfg.validateCharset, cfg.validateSeeds); err != nil {
		return err
	}
	ok, refused := 0, 0
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	err := watcher.Check(cfg.seeds, watcher.Options{MaxSize: int64(cfg.maxSize), Charset: cfg.charset},
		func(rel string, it storage.Item, err error) {
			if err != nil {
				refused++
				fmt.Fprintf(tw, "refused\t%s\t%s: %v\n", rel, watcher.Reason(err), err)
				return
			}
			ok++
			from := ""
			if it.Charset != "" {
				from = ", decoded from " + it.Charset
			}
			fmt.Fprintf(tw, "ok\t%s\t%s (%d paragraphs%s)\n", rel, it.Title, len(it.Paragraphs), from)
		})
	tw.Flush()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d would be published, %d refused\n", ok, refused)
	if refused > 0 {
		return errRefused
	}
	return nil
}
