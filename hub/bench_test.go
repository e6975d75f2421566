package hub

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// BenchmarkFanOut measures Publish to the last of 1,000 subscribers'
// deliveries, all on one loopback server (the target: 2 s).
func BenchmarkFanOut(b *testing.B) {
	const subscribers = 1000
	s, _ := openStore(b)
	var got atomic.Int64
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == subscribers {
			done <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	now := time.Now().UTC()
	for i := range subscribers {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s/cb?n=%d", srv.URL, i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			b.Fatal(err)
		}
	}
	h := newHub(b, s, testOptions())
	var worst, total time.Duration
	rounds := 0
	for b.Loop() {
		got.Store(0)
		start := time.Now()
		h.Publish(topic, feedBytes, atomType)
		select {
		case <-done:
		case <-time.After(time.Minute):
			b.Fatalf("%d of %d delivered after a minute", got.Load(), subscribers)
		}
		took := time.Since(start)
		worst, total = max(worst, took), total+took
		rounds++
		// The next round starts once every delivery is done in the store.
		b.StopTimer()
		waitDone(b, s)
		b.StartTimer()
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	b.ReportMetric(float64(total.Milliseconds())/float64(rounds), "mean-ms")
}

// BenchmarkOneSubscriber measures Publish to one subscriber's callback
// receiving the document (the target for the hub's share of
// file-to-subscriber: p50 ≤ 50 ms, p99 ≤ 150 ms).
func BenchmarkOneSubscriber(b *testing.B) {
	s, _ := openStore(b)
	h := newHub(b, s, testOptions())
	sub := newSubscriber(b)
	h.subscribe(b, sub.url, 1)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		h.Publish(topic, feedBytes, atomType)
		next(b, sub.deliveries, "the delivery")
		took = append(took, time.Since(start))
		b.StopTimer() // each round starts with nothing owed
		waitDone(b, s)
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// waitDone waits until the store owes no delivery.
func waitDone(b *testing.B, s *storage.Store) {
	if !seedtest.Poll(time.Minute, func() bool {
		p, err := s.PendingDeliveries()
		return err == nil && len(p) == 0
	}) {
		b.Fatal("deliveries still owed after a minute")
	}
}

// BenchmarkWriteDuringFanOut measures a store write (as an article's
// would be) made while the hub delivers to 1,000 subscribers and
// records it: bbolt has one writer, so the hub's records must not queue
// the feed's writes (the issue: publishing latency unchanged with 1,000
// subscribers attached).
func BenchmarkWriteDuringFanOut(b *testing.B) {
	const subscribers = 1000
	s, _ := openStore(b)
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	now := time.Now().UTC()
	for i := range subscribers {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s/cb?n=%d", srv.URL, i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			b.Fatal(err)
		}
	}
	h := newHub(b, s, testOptions())
	var took []time.Duration
	for b.Loop() {
		got.Store(0)
		h.Publish(topic, feedBytes, atomType)
		for i := 0; got.Load() < subscribers; i++ {
			start := time.Now()
			if err := s.PutTopicDigests(map[string]string{topic: fmt.Sprint(i)}); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		b.StopTimer()
		waitDone(b, s)
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "write-p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "write-p99-µs")
	b.ReportMetric(float64(took[len(took)-1].Microseconds()), "write-max-µs")
}

// BenchmarkFanOutFeed is BenchmarkFanOut as bench/hub.sh has it: a
// feed of the size of a /feed.atom of 50 full entries (256 KiB) and
// the 1,000 subscribers on 10 loopback addresses, 100 each (the hub's
// limit per callback host), so that the limits per host and the
// connections kept between fan-outs are those of the bench. Besides
// the time to the last delivery it reports the process's CPU time per
// fan-out (hub and subscribers: both in this process; the subscribers
// only read the body into a reused buffer) and the connections the
// subscribers accepted per fan-out (dials: none once warm, if the hub
// keeps enough idle). A CPU profile (-cpuprofile) tells the hub's part.
func BenchmarkFanOutFeed(b *testing.B) {
	const hosts, perHost = 10, 100
	body := bytes.Repeat([]byte("<entry><title>مقالة</title><content>فقرة من نص عربي يطول.</content></entry>\n"), 256<<10/92)
	s, _ := openStore(b)
	var got, conns atomic.Int64
	done := make(chan struct{}, 1)
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		buf.Reset()
		buf.ReadFrom(r.Body)
		bufs.Put(buf)
		if got.Add(1) == hosts*perHost {
			done <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	now := time.Now().UTC()
	for k := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+k))
		if err != nil {
			b.Skipf("no loopback address 127.0.0.%d: %v", 2+k, err)
		}
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: handler, ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}}}
		srv.Start()
		b.Cleanup(srv.Close)
		for i := range perHost {
			sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s/cb/%d", srv.URL, i), Expires: now.Add(time.Hour), Created: now}
			if err := s.PutSubscription(sub); err != nil {
				b.Fatal(err)
			}
		}
	}
	h := newHub(b, s, testOptions())
	fanOut := func() time.Duration {
		got.Store(0)
		start := time.Now()
		h.Publish(topic, body, atomType)
		select {
		case <-done:
		case <-time.After(time.Minute):
			b.Fatalf("%d of %d delivered after a minute", got.Load(), hosts*perHost)
		}
		took := time.Since(start)
		waitDone(b, s)
		return took
	}
	fanOut() // the connections made, as between two publications
	var total time.Duration
	c0, cpu0 := conns.Load(), cpuTime(b)
	for b.Loop() {
		total += fanOut()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "last-ms")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms")
	b.ReportMetric(float64(conns.Load()-c0)/float64(b.N), "dials")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFanOutReusesConnections checks that a fan-out to many callbacks
// on one host dials no new connection once one went before: the hub
// keeps idle as many as it runs to the host at once (Options.PerHost),
// where it kept 4 of the 8 and dialled again at every publication.
func TestFanOutReusesConnections(t *testing.T) {
	const subscribers = 200
	s, _ := openStore(t)
	var got, conns atomic.Int64
	done := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == subscribers {
			done <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	now := time.Now().UTC()
	for i := range subscribers {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s/cb/%d", srv.URL, i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
	h := newHub(t, s, testOptions())
	perHost := int64(h.opts.PerHost)
	for round := range 3 {
		got.Store(0)
		before := conns.Load()
		h.Publish(topic, feedBytes, atomType)
		next(t, done, "every delivery")
		waitNoPending(t, h, s)
		// A connection goes back to the pool just after its response
		// is read: a delivery may miss it, and dial, now and then.
		if n := conns.Load() - before; round > 0 && n >= perHost/2 {
			t.Errorf("fan-out %d: %d connections dialled to the one host; want fewer than %d", round+1, n, perHost/2)
		}
	}
}
