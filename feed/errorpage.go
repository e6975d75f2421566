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

// errorPages are the error pages of one configuration, rendered with the
// main documents: an error page is no place for an error of its own.
type errorPages struct {
	notFound, failed []byte
	lang             string // the site's, which they are in
}

// renderErrorPages renders the error pages in the site's language.
func renderErrorPages(cfg Config) (errorPages, error) {
	e := errorPages{lang: cfg.Lang.String()}
	var err error
	for _, pg := range []struct {
		dst         *[]byte
		heading, tx string
	}{{&e.notFound, "not found", "not found text"}, {&e.failed, "error", "error text"}} {
		p := cfg.page()
		p.Error = &pageError{Heading: p.Words.Say(pg.heading), Text: p.Words.Say(pg.tx)}
		p.DocTitle = p.Error.Heading + " · " + cfg.Title
		p.NoIndex = true
		if *pg.dst, err = renderPage(errorTemplate, p); err != nil {
			return e, err
		}
	}
	return e, nil
}

// writeError answers with the error page of status (404 or 500), an
// HTML page in the site's language, as http.Error answers with text.
func (h *Handler) writeError(w http.ResponseWriter, status int) {
	pages := h.current.Load().errors
	body := pages.failed
	if status == http.StatusNotFound {
		body = pages.notFound
	}
	hd := w.Header()
	hd.Del("Content-Length")
	hd.Set("Content-Type", typeHTML)
	hd.Set("Content-Language", pages.lang)
	hd.Set("X-Content-Type-Options", "nosniff")
	// What is missing now may be published in a moment.
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	// A client gone is no error of ours.
	_, _ = w.Write(body)
}

// notFound answers that nothing is at the request's path: every page and
// document is read only, so a method other than GET and HEAD is not
// allowed anywhere (as http.ServeMux answers it where a GET route is).
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	h.writeError(w, http.StatusNotFound)
}
