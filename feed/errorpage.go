package feed

import (
	"net/http"
)

// pageError is what an error page says: its heading and a sentence.
type pageError struct{ Heading, Text string }

// errorTemplate is an error page: the layout, with the error in <main>
// and a link to the home page.
var errorTemplate = newPageTemplate(`{{define "main"}}{{with .Error}}
<h1>{{.Heading}}</h1>
<p>{{.Text}}</p>
<p><a href="{{$.BaseURL}}/">{{$.Words.Say "home"}}</a></p>
{{- end}}{{end}}`)

// errorWords are the catalog's keys of each error page's heading and
// sentence, by status; any other status is answered as a 500.
var errorWords = map[int][2]string{
	http.StatusBadRequest:          {"bad request", "bad request text"},
	http.StatusNotFound:            {"not found", "not found text"},
	http.StatusMethodNotAllowed:    {"not allowed", "not allowed text"},
	http.StatusInternalServerError: {"error", "error text"},
	http.StatusServiceUnavailable:  {"unavailable", "unavailable text"},
}

// ErrorPages are the HTML error pages of one configuration, in the
// site's language, rendered once: an error page is no place for an error
// of its own. The feed handler answers its errors with them, and so may
// what answers before it (a guard, a server still starting).
type ErrorPages struct {
	pages map[int][]byte
	lang  string // the site's, which they are in
}

// NewErrorPages renders the error pages of cfg.
func NewErrorPages(cfg Config) (*ErrorPages, error) {
	e := &ErrorPages{pages: make(map[int][]byte, len(errorWords)), lang: cfg.Lang.String()}
	for status, keys := range errorWords {
		p := cfg.page()
		p.Error = &pageError{Heading: p.Words.Say(keys[0]), Text: p.Words.Say(keys[1])}
		p.DocTitle = p.Error.Heading + " · " + cfg.Title
		p.NoIndex = true
		body, err := renderPage(errorTemplate, p)
		if err != nil {
			return nil, err
		}
		e.pages[status] = body
	}
	return e, nil
}

// Write answers with the error page of status (400, 404, 405, 500 or
// 503; another is answered as 500), as http.Error answers with text.
// Headers set before it, such as Allow or Retry-After, are kept.
func (e *ErrorPages) Write(w http.ResponseWriter, status int) {
	body, ok := e.pages[status]
	if !ok {
		status, body = http.StatusInternalServerError, e.pages[http.StatusInternalServerError]
	}
	hd := w.Header()
	hd.Del("Content-Length")
	hd.Del("Content-Encoding")
	hd.Set("Content-Type", typeHTML)
	hd.Set("Content-Language", e.lang)
	hd.Set("X-Content-Type-Options", "nosniff")
	// What is missing now may be published in a moment; no-store, as
	// the starting server says, is stronger still.
	if hd.Get("Cache-Control") != "no-store" {
		hd.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	// A client gone is no error of ours.
	_, _ = w.Write(body)
}

// writeError answers with the error page of status, from the current
// configuration's pages.
func (h *Handler) writeError(w http.ResponseWriter, status int) {
	h.current.Load().errors.Write(w, status)
}

// notFound answers that nothing is at the request's path: every page and
// document is read only, so a method other than GET and HEAD is not
// allowed anywhere (as http.ServeMux answers it where a GET route is).
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.writeError(w, http.StatusMethodNotAllowed)
		return
	}
	h.writeError(w, http.StatusNotFound)
}
