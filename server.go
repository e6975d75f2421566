package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// maxURILength bounds the request target: no path seedfeed serves comes
// near it (the watcher refuses articles whose URL path would pass
// watcher.MaxURLPath, a kibibyte less), and a longer one is someone probing.
const maxURILength = 4096

// guard answers hostile request targets before any route sees them, and
// reports whether the request may go on: too
// long or holding a NUL byte is 400; an empty, "." or ".." segment (even
// percent-encoded) is 404, where http.ServeMux would redirect to the
// cleaned path. Nothing is read from the file system in any case: articles
// come from the database. Refusals are logged at debug level only.
//
// It is a function, not a wrapping handler, so that the metrics wrapper
// calls it inline: each request passes one wrapper, not two.
func guard(w http.ResponseWriter, r *http.Request, logger *slog.Logger, fail func(http.ResponseWriter, int)) bool {
	var status int
	var why string
	switch {
	case len(r.RequestURI) > maxURILength:
		status, why = http.StatusBadRequest, "request target too long"
	case strings.ContainsRune(r.URL.Path, 0):
		status, why = http.StatusBadRequest, "NUL byte in path"
	case !isClean(r.URL.Path):
		status, why = http.StatusNotFound, `path with empty, "." or ".." segments`
	default:
		return true
	}
	r.Pattern = "refused" // the route, for metrics
	logger.Debug("request refused", "method", r.Method, "uri", truncate(r.RequestURI, 200), "status", status, "reason", why)
	fail(w, status)
	return false
}

// isClean reports whether a decoded path has no empty, "." or ".."
// segment (a trailing slash aside).
func isClean(p string) bool {
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// connLimit returns how many connections the server may hold at once: n,
// or when n is 0 what the file descriptor limit allows less a reserve,
// so that clients can never take the descriptors the watcher needs to
// open articles and the store its database.
func connLimit(n int) int {
	if n > 0 {
		return n
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<20 {
		return 1 << 16
	}
	free := int(lim.Cur)
	return max(16, min(free-min(1024, free/2), 1<<16))
}

// connGuard holds the server to its connection limit. At the limit a
// new connection waits to be accepted (netutil.LimitListener); before
// that, once nine tenths of the limit are open, the server stops keeping
// idle connections alive and closes those it holds, so that clients idling
// on keep-alive cannot lock others out; it keeps them again below half.
type connGuard struct {
	srv       *http.Server
	high, low int
	log       *slog.Logger
	mu        sync.Mutex
	open      int
	shedding  bool
}

func guardConns(srv *http.Server, ln net.Listener, limit int, logger *slog.Logger) net.Listener {
	g := &connGuard{srv: srv, high: max(1, limit*9/10), low: limit / 2, log: logger}
	srv.ConnState = g.state
	return netutil.LimitListener(ln, limit)
}

func (g *connGuard) state(_ net.Conn, s http.ConnState) {
	d := 0
	switch s {
	case http.StateNew:
		d = 1
	case http.StateClosed, http.StateHijacked:
		d = -1
	default:
		return // active and idle, on every request: nothing to count
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open += d
	switch {
	case !g.shedding && g.open >= g.high:
		g.shedding = true
		g.log.Warn("near the connection limit: closing idle connections, no keep-alive", "open", g.open)
		g.srv.SetKeepAlivesEnabled(false)
	case g.shedding && g.open <= g.low:
		g.shedding = false
		g.log.Info("below half the connection limit: keep-alive again", "open", g.open)
		g.srv.SetKeepAlivesEnabled(true)
	}
}

// newServer is the public server, with every timeout set: a client cannot
// hold a connection by sending or reading slowly.
func newServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
}

// server is an http.Server and the listener it serves.
type server struct {
	srv *http.Server
	ln  net.Listener
}

// serve serves until shutdown, which is no error.
func (s server) serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", s.ln.Addr(), err)
	}
	return nil
}

// shutdown drains every server at once, within the one timeout; what is
// still in flight then is cut.
func shutdown(servers []server, timeout time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			if err := s.srv.Shutdown(ctx); err != nil {
				logger.Warn("requests still in flight at the shutdown timeout; closing their connections", "addr", s.ln.Addr().String(), "err", err)
				s.srv.Close()
			}
		})
	}
	wg.Wait()
}

// health answers 200 when the database answers and the watcher runs, and
// 503 with the reason otherwise; while the start-up scan runs (ready says
// when it is over), 503 with its progress. A watcher that polls folders
// the kernel refused to watch still serves: 200, status "degraded", with
// the reason (the limit, and how to raise it). search says when the
// search index is catching up with the database, which serves meanwhile.
func health(store *storage.Store, w *watcher.Watcher, ready func() bool, search func() string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		type status struct {
			Status     string `json:"status"`
			Articles   int    `json:"articles"`
			Reason     string `json:"reason,omitempty"`
			FilesDone  *int   `json:"files_done,omitempty"`
			FilesFound *int   `json:"files_found,omitempty"`
			Search     string `json:"search,omitempty"`
		}
		s, code := status{Status: "ok", Articles: store.Count()}, http.StatusOK
		if err := store.Check(); err != nil {
			s, code = status{Status: "unavailable", Reason: "database: " + err.Error()}, http.StatusServiceUnavailable
		} else if !ready() {
			p := w.Progress()
			s, code = status{Status: "starting", Articles: s.Articles, FilesDone: &p.Done, FilesFound: &p.Found}, http.StatusServiceUnavailable
		} else if err := w.Err(); err != nil {
			s, code = status{Status: "unavailable", Articles: s.Articles, Reason: err.Error()}, http.StatusServiceUnavailable
		} else if why := w.Coverage().Degraded; why != "" {
			s.Status, s.Reason = "degraded", why
		}
		s.Search = search()
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(code)
		// A failed write means the client went away; there is no one to tell.
		_ = json.NewEncoder(rw).Encode(s)
	}
}
