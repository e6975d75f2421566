package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seedfeed/seedfeed/storage"
)

// metrics are seedfeed's Prometheus metrics, in a registry of their own.
// They implement watcher.Observer.
type metrics struct {
	reg             *prometheus.Registry
	publications    *prometheus.CounterVec
	refused         *prometheus.CounterVec
	events          *prometheus.CounterVec
	rescans         *prometheus.CounterVec
	latency         prometheus.Histogram
	lastPublication prometheus.Gauge
	requests        *prometheus.CounterVec
	durations       *prometheus.HistogramVec
}

func newMetrics(articles func() float64) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		publications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_publications_total",
			Help: "Changes to the published articles, by kind: added, updated, restored, moved, removed.",
		}, []string{"change"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_files_refused_total",
			Help: "Article files refused, by reason.",
		}, []string{"reason"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_watcher_events_total",
			Help: "File-system events seen for the seeds folder, by operation.",
		}, []string{"op"}),
		rescans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_rescans_total",
			Help: "Full scans of the seeds folder, by reason.",
		}, []string{"reason"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "seedfeed_publish_latency_seconds",
			Help:    "Time from a file-system event to the article's change being stored.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		lastPublication: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "seedfeed_last_publication_timestamp_seconds",
			Help: "When an article was last added, updated or restored, in Unix seconds.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_http_requests_total",
			Help: "HTTP requests, by route and status code.",
		}, []string{"route", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "seedfeed_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route"}),
	}
	m.reg.MustRegister(
		m.publications, m.refused, m.events, m.rescans, m.latency, m.lastPublication, m.requests, m.durations,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_articles",
			Help: "Articles published now.",
		}, articles),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Known label values start at zero, so that rates work from the start.
	for _, c := range []string{"added", "updated", "restored", "moved", "removed"} {
		m.publications.WithLabelValues(c)
	}
	for _, r := range []string{"empty", "binary", "not_utf8", "damaged_utf8", "replacement_char", "too_large", "symlink", "not_regular", "bad_name", "unreadable"} {
		m.refused.WithLabelValues(r)
	}
	for _, r := range []string{"startup", "periodic", "overflow", "requested", "folder_back"} {
		m.rescans.WithLabelValues(r)
	}
	for _, op := range []string{"create", "write", "remove", "rename", "chmod", "close_write", "moved_to"} {
		m.events.WithLabelValues(op)
	}
	return m
}

func (m *metrics) Event(op string)       { m.events.WithLabelValues(op).Inc() }
func (m *metrics) Rescan(reason string)  { m.rescans.WithLabelValues(reason).Inc() }
func (m *metrics) Refused(reason string) { m.refused.WithLabelValues(reason).Inc() }
func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

func (m *metrics) Stored(c storage.Change, latency time.Duration) {
	m.publications.WithLabelValues(c.String()).Inc()
	if latency > 0 {
		m.latency.Observe(latency.Seconds())
	}
	switch c {
	case storage.Added, storage.Updated, storage.Restored:
		m.lastPublication.SetToCurrentTime()
	}
}

// instrument counts requests and their durations by the route that
// answered them: http.ServeMux sets the request's Pattern as it routes.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern // or "refused", from guard
		if route == "" {
			route = "none" // no route matched: 404 or 405
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.durations.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
