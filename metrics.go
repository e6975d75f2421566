package main

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seedfeed/seedfeed/hub"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// metrics are seedfeed's Prometheus metrics, in a registry of their own.
// They implement watcher.Observer.
type metrics struct {
	reg          *prometheus.Registry
	publications *prometheus.CounterVec
	refused      *prometheus.CounterVec
	events       *prometheus.CounterVec
	rescans      *prometheus.CounterVec
	latency      prometheus.Histogram
	render       prometheus.Histogram
	requests     *prometheus.CounterVec
	durations    *prometheus.HistogramVec
	pings        *prometheus.CounterVec
	routes       sync.Map // route → *routeMetrics
}

// newMetrics registers seedfeed's metrics; articles and lastPublication
// read the store when scraped, so that neither starts from zero after a
// restart.
func newMetrics(articles, lastPublication func() float64) *metrics {
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
		render: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "seedfeed_render_duration_seconds",
			Help:    "Time to render and compress every feed and the index after a change.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
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
		pings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seedfeed_websub_pings_total",
			Help: "Publish pings (hub.mode=publish) sent to the external WebSub hub (-hub), by result: ok or failed (each failed attempt).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(
		m.publications, m.refused, m.events, m.rescans, m.latency, m.render, m.requests, m.durations, m.pings,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_articles",
			Help: "Articles published now.",
		}, articles),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_last_publication_timestamp_seconds",
			Help: "When an article was last added, updated or restored, in Unix seconds; 0 if never.",
		}, lastPublication),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Known label values start at zero, so that rates work from the start.
	for _, c := range []string{"added", "updated", "restored", "moved", "removed"} {
		m.publications.WithLabelValues(c)
	}
	for _, r := range watcher.Reasons() {
		m.refused.WithLabelValues(r)
	}
	for _, r := range watcher.RescanReasons() {
		m.rescans.WithLabelValues(r)
	}
	for _, op := range watcher.Events() {
		m.events.WithLabelValues(op)
	}
	for _, r := range []string{"ok", "failed"} {
		m.pings.WithLabelValues(r)
	}
	return m
}

// pinged counts a ping of the external hub.
func (m *metrics) pinged(ok bool) {
	m.pings.WithLabelValues(map[bool]string{true: "ok", false: "failed"}[ok]).Inc()
}

// websub registers the built-in hub's metrics: its counts, read from
// stats when scraped, and the live subscriptions, from subscriptions.
func (m *metrics) websub(stats func() hub.Stats, subscriptions func() float64) {
	counter := func(name, help, result string, v func(hub.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: name, Help: help, ConstLabels: prometheus.Labels{"result": result},
		}, func() float64 { return float64(v(stats())) })
	}
	const (
		verifications = "seedfeed_websub_verifications_total"
		verifyHelp    = "Verifications of intent by the built-in WebSub hub, by result: subscribed, unsubscribed, or refused (failed, or beyond the limits)."
		deliveries    = "seedfeed_websub_deliveries_total"
		deliverHelp   = "Content deliveries by the built-in WebSub hub, by result: delivered (2xx), failed (each failed attempt), gone (410 ended the subscription), given_up (after the last attempt)."
	)
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_websub_subscriptions",
			Help: "Subscriptions to the built-in WebSub hub whose lease has not ended.",
		}, subscriptions),
		counter(verifications, verifyHelp, "subscribed", func(s hub.Stats) int64 { return s.Subscribed }),
		counter(verifications, verifyHelp, "unsubscribed", func(s hub.Stats) int64 { return s.Unsubscribed }),
		counter(verifications, verifyHelp, "refused", func(s hub.Stats) int64 { return s.Refused }),
		counter(deliveries, deliverHelp, "delivered", func(s hub.Stats) int64 { return s.Delivered }),
		counter(deliveries, deliverHelp, "failed", func(s hub.Stats) int64 { return s.Failed }),
		counter(deliveries, deliverHelp, "gone", func(s hub.Stats) int64 { return s.Gone }),
		counter(deliveries, deliverHelp, "given_up", func(s hub.Stats) int64 { return s.GivenUp }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "seedfeed_websub_expired_total",
			Help: "Subscriptions to the built-in WebSub hub dropped at the end of their lease.",
		}, func() float64 { return float64(stats().Expired) }),
	)
}

// folders registers the gauges of how the watcher follows the folders:
// coverage is read when scraped; poll is the period of the polls.
func (m *metrics) folders(coverage func() watcher.Coverage, poll time.Duration) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_watched_folders",
			Help: "Folders under the seeds folder watched through inotify: changes there are seen at once.",
		}, func() float64 { return float64(coverage().Watched) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_polled_folders",
			Help: "Folders the kernel refused to watch (fs.inotify.max_user_watches), looked at every poll period instead.",
		}, func() float64 { return float64(coverage().Polled) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "seedfeed_poll_period_seconds",
			Help: "How often the polled folders are looked at (-poll).",
		}, func() float64 { return poll.Seconds() }),
	)
}

func (m *metrics) Event(op string)          { m.events.WithLabelValues(op).Inc() }
func (m *metrics) Rescan(reason string)     { m.rescans.WithLabelValues(reason).Inc() }
func (m *metrics) Refused(reason string)    { m.refused.WithLabelValues(reason).Inc() }
func (m *metrics) handler() http.Handler    { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }
func (m *metrics) rendered(d time.Duration) { m.render.Observe(d.Seconds()) }

func (m *metrics) Stored(c storage.Change, latency time.Duration) {
	m.publications.WithLabelValues(c.String()).Inc()
	if latency > 0 {
		m.latency.Observe(latency.Seconds())
	}
}

// instrument runs guard (which answers a refusal with fail), then next, and counts requests and their
// durations by the name of the route that answered them: http.ServeMux
// sets the request's Pattern as it routes, and names maps patterns to
// names for people ("index", "atom", "article", ...).
func (m *metrics) instrument(next http.Handler, names map[string]string, logger *slog.Logger, fail func(http.ResponseWriter, int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		if guard(sw, r, logger, fail) {
			next.ServeHTTP(sw, r)
		}
		route := r.Pattern // "refused", from guard, or a pattern
		if name, ok := names[route]; ok {
			route = name
		} else if route == "" {
			route = "none" // no route matched: 404 or 405
		}
		rm := m.route(route)
		rm.duration.Observe(time.Since(start).Seconds())
		rm.counter(m, route, sw.status).Inc()
	})
}

// routeMetrics are one route's series, looked up once: finding a series
// by its labels hashes them, which costs more than serving a 304.
type routeMetrics struct {
	duration prometheus.Observer
	codes    sync.Map // status code → prometheus.Counter
}

// route returns the series of route. Routes are the names of the patterns
// the server registers, "none" and "refused": a handful.
func (m *metrics) route(route string) *routeMetrics {
	if v, ok := m.routes.Load(route); ok {
		return v.(*routeMetrics)
	}
	v, _ := m.routes.LoadOrStore(route, &routeMetrics{duration: m.durations.WithLabelValues(route)})
	return v.(*routeMetrics)
}

func (rm *routeMetrics) counter(m *metrics, route string, code int) prometheus.Counter {
	if c, ok := rm.codes.Load(code); ok {
		return c.(prometheus.Counter)
	}
	c, _ := rm.codes.LoadOrStore(code, m.requests.WithLabelValues(route, strconv.Itoa(code)))
	return c.(prometheus.Counter)
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
