package main

import (
	"context"
	"encoding/json"
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
		write, typ := writeList, "text/plain; charset=utf-8"
		if r.URL.Query().Get("format") == "json" {
			write, typ = writeListJSON, "application/x-ndjson"
		}
		w.Header().Set("Content-Type", typ)
		// A failed write means the client went away; there is no one to tell.
		_ = write(w, items, baseURL)
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

// listEntry is one line of "list -json".
type listEntry struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Path      string    `json:"path"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"`
}

// writeListJSON prints items as one JSON object a line, for scripts.
func writeListJSON(w io.Writer, items []storage.Item, baseURL string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // titles exactly as written: no \u003c for <
	for _, it := range items {
		e := listEntry{ID: feed.EntryID(baseURL, it), URL: feed.ArticleURL(baseURL, it), Path: it.Path,
			Title: it.Title, Published: it.Published.UTC(), Updated: it.Updated.UTC()}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
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
