package hub

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
)

// serveOn serves fn on the loopback address ip (127.0.0.2 is another
// callback host than 127.0.0.1, on the same machine) and returns its
// URL.
func serveOn(t testing.TB, ip string, fn http.HandlerFunc) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(fn)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/cb"
}

// TestHangingSubscribersDelayNoOne checks that more callbacks that never
// answer than the hub has delivery slots, all on one host, leave room
// for an honest subscriber on another host: it is delivered while they
// hang, before any of them timed out.
func TestHangingSubscribersDelayNoOne(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.Concurrency, opts.PerHost = 4, 2
	opts.HeaderTimeout = opts.Timeout // the cap, not the timeout, is under test
	h := newHub(t, s, opts)
	var arrived atomic.Int64
	arrivals := make(chan struct{}, 100)
	release := make(chan struct{})
	hang := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		arrived.Add(1)
		arrivals <- struct{}{}
		<-release
	})
	t.Cleanup(func() { close(release) }) // before the server closes
	hanging := 2*opts.Concurrency + 1
	for i := range hanging {
		h.subscribe(t, hang+"?n="+strconv.Itoa(i), int64(i+1))
	}
	h.Publish(topic, feedBytes, atomType)
	for range opts.PerHost {
		next(t, arrivals, "a hanging subscriber's request")
	}
	honest := newSubscriber(t)
	honest.url = serveOn(t, "127.0.0.2", honest.serve)
	h.subscribe(t, honest.url, int64(hanging+1))
	h.Publish(topic, feedBytes, atomType)
	next(t, honest.deliveries, "the honest subscriber's delivery")
	if st := h.Stats(); st.Failed != 0 {
		t.Fatalf("the honest subscriber waited for a hanging one to time out: %+v", st)
	}
	if n := arrived.Load(); n > int64(opts.PerHost) {
		t.Errorf("%d requests in flight to one host; want at most %d", n, opts.PerHost)
	}
}

// TestVerificationFloods checks that unsubscriptions of callbacks that
// have no subscription cost nothing, and that one callback host's
// verifications that never end hold a few of the hub's slots only: an
// honest subscriber on another host is verified meanwhile.
func TestVerificationFloods(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxVerifying, opts.MaxVerifyingPerHost = 4, 2
	h := newHub(t, s, opts)
	var gets atomic.Int64
	arrivals := make(chan struct{}, 100)
	release := make(chan struct{})
	hang := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		arrivals <- struct{}{}
		<-release
	})
	t.Cleanup(func() { close(release) }) // before the server closes
	form := url.Values{"hub.mode": {"unsubscribe"}, "hub.topic": {topic}}
	for i := range 2 * opts.MaxVerifying {
		form.Set("hub.callback", hang+"?n="+strconv.Itoa(i))
		if code, body := h.request(t, form); code != http.StatusAccepted {
			t.Fatalf("unsubscription %d without a subscription = %d %q; want 202", i, code, body)
		}
	}
	form.Set("hub.mode", "subscribe")
	for i := range opts.MaxVerifying {
		form.Set("hub.callback", hang+"?s="+strconv.Itoa(i))
		code, body := h.request(t, form)
		if i < opts.MaxVerifyingPerHost && code != http.StatusAccepted {
			t.Fatalf("subscription %d = %d %q; want 202", i, code, body)
		}
		if i >= opts.MaxVerifyingPerHost && code != http.StatusServiceUnavailable {
			t.Fatalf("subscription %d past the host's verifications = %d %q; want 503", i, code, body)
		}
	}
	for range opts.MaxVerifyingPerHost {
		next(t, arrivals, "a hanging verification")
	}
	honest := newSubscriber(t)
	honest.url = serveOn(t, "127.0.0.2", honest.serve)
	h.subscribe(t, honest.url, 1)
	if n := gets.Load(); n != int64(opts.MaxVerifyingPerHost) {
		t.Errorf("%d verifications reached the hanging host; want %d (the subscriptions only)", n, opts.MaxVerifyingPerHost)
	}
}
