package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/seedfeed/seedfeed/hub"
	"github.com/seedfeed/seedfeed/storage"
)

// The admin commands backup and list (check is in check.go). They reach
// a running daemon through its control socket (control.go), or read the
// file when no daemon runs.

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
	fs := newFlagSet("seedfeed backup", "seedfeed backup [-db FILE] OUT|-\n\n"+
		"Writes a consistent copy of the database to OUT, or with - to standard\n"+
		"output, from the running daemon or, when none runs, from the file itself.", stderr)
	cfg.dbFlag(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("backup takes one argument, the file to write or - for standard output (see seedfeed backup -h)")
	}
	out := fs.Arg(0)
	if out == "-" {
		return backupToStdout(ctx, cfg.db, stdout, stderr)
	}
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

// backupToStdout writes the copy to standard output, as "backup -" asks,
// unless that is a terminal, and says how much it wrote on stderr.
func backupToStdout(ctx context.Context, db string, stdout, stderr io.Writer) error {
	if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return usageErrorf("backup - writes the database to standard output, which is a terminal: redirect it (backup - > FILE)")
		}
	}
	n, err := backupTo(ctx, db, stdout)
	if err != nil {
		return fmt.Errorf("backup of %s to standard output: %w", db, err)
	}
	fmt.Fprintf(stderr, "wrote %d bytes of %s to standard output\n", n, db)
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

// listCommand is "seedfeed list [-db FILE] [-json] [-subscriptions]".
func listCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var asJSON, subs bool
	fs := newFlagSet("seedfeed list", "seedfeed list [-db FILE] [-json] [-subscriptions]\n\n"+
		"Prints the published entries, newest first: id, published date, path, title,\n"+
		"or with -json one JSON object a line. Ids use the running daemon's -base-url,\n"+
		"or, when none runs, the one given here. With -subscriptions it prints the\n"+
		"built-in WebSub hub's subscriptions instead: topic, callback, lease end, signed.", stderr)
	cfg.dbFlag(fs)
	fs.StringVar(&cfg.baseURL, "base-url", "", "public `URL` of the ids when no daemon answers (default http:// and -addr)")
	fs.StringVar(&cfg.addr, "addr", "localhost:8080", "the daemon's `HOST:PORT`, for the ids when no daemon answers and no -base-url is given")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object a line: id, url, path, title, published, updated")
	fs.BoolVar(&subs, "subscriptions", false, "print the WebSub subscriptions (topic, callback, expires, signed), not the entries")
	if err := parseNoArgs(fs, args, getenv); err != nil {
		return err
	}
	if subs {
		return listSubscriptions(ctx, cfg.db, asJSON, stdout)
	}
	if err := joinChecks(cfg.validateURL); err != nil {
		return err
	}
	return fromDaemonOrFile(ctx, cfg.db, "/list", asJSON, stdout, func(s *storage.Store) error {
		items, err := s.Entries()
		if err != nil {
			return err
		}
		baseURL := cfg.feed.BaseURL
		if baseURL == "" {
			baseURL = defaultBaseURL(cfg.addr, nil)
		}
		if asJSON {
			return writeListJSON(stdout, items, baseURL)
		}
		return writeList(stdout, items, baseURL)
	})
}

// fromDaemonOrFile copies to stdout the running daemon's answer to path
// (with ?format=json when asJSON), or, when no daemon runs, has read
// print from the file, opened read-only.
func fromDaemonOrFile(ctx context.Context, db, path string, asJSON bool, stdout io.Writer, read func(*storage.Store) error) error {
	if asJSON {
		path += "?format=json"
	}
	resp, err := controlGet(ctx, db, path)
	if err == nil {
		defer resp.Body.Close()
		_, err = io.Copy(stdout, resp.Body)
		return err
	}
	if !errors.Is(err, errNoDaemon) {
		return err
	}
	s, err := openStopped(db)
	if err != nil {
		return err
	}
	defer s.Close()
	return read(s)
}

// listSubscriptions is "list -subscriptions": from the running daemon,
// or read from the file when none runs.
func listSubscriptions(ctx context.Context, db string, asJSON bool, stdout io.Writer) error {
	return fromDaemonOrFile(ctx, db, "/subscriptions", asJSON, stdout, func(s *storage.Store) error {
		all, err := s.AllSubscriptions()
		if err != nil {
			return err
		}
		return writeSubscriptions(stdout, all, asJSON)
	})
}

// subscriptionEntry is one line of "list -subscriptions -json". The
// secret is never shown: whether there is one is.
type subscriptionEntry struct {
	Topic    string    `json:"topic"`
	Callback string    `json:"callback"`
	Expires  time.Time `json:"expires"`
	Created  time.Time `json:"created"`
	Signed   bool      `json:"signed"`
}

// writeSubscriptions prints subs, by topic then callback: a table, or
// one JSON object a line.
func writeSubscriptions(w io.Writer, subs []storage.Subscription, asJSON bool) error {
	for i := range subs {
		subs[i].Callback = hub.Redact(subs[i].Callback) // a password in a callback is the subscriber's
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, sub := range subs {
			e := subscriptionEntry{sub.Topic, sub.Callback, sub.Expires.UTC(), sub.Created.UTC(), sub.Secret != ""}
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tCALLBACK\tEXPIRES\tSIGNED")
	for _, sub := range subs {
		signed := "no"
		if sub.Secret != "" {
			signed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sub.Topic, sub.Callback, sub.Expires.UTC().Format(time.RFC3339), signed)
	}
	return tw.Flush()
}
