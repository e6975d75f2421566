package main

import (
	"log/slog"
	"net/http"
	"path"
	"strings"
)

// maxURILength bounds the request target: no path seedfeed serves comes
// near it, and a longer one is someone probing.
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
func guard(w http.ResponseWriter, r *http.Request, logger *slog.Logger) bool {
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
	http.Error(w, http.StatusText(status)+": "+why, status)
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
