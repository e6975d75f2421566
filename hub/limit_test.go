package hub

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
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
// answer than the hub has delivery slots, all on one address under two
// names (127.0.0.1 and localhost: the names of one machine share its
// slots), leave room for an honest subscriber on another address: it is
// delivered while they hang, before any of them timed out.
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
		cb := hang
		if i%2 == 1 {
			cb = strings.Replace(hang, "127.0.0.1", "localhost", 1)
		}
		h.subscribe(t, cb+"?n="+strconv.Itoa(i), int64(i+1))
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
		t.Errorf("%d requests in flight to one address; want at most %d", n, opts.PerHost)
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

func (c *countingStore) AllSubscriptions() ([]storage.Subscription, error) {
	c.scans.Add(1)
	return c.Store.AllSubscriptions()
}

// TestLimitsByAddress checks that the per-host limit counts the
// spellings of one address as one host, that expired leases take no
// room, and that a request reads no list of every subscription.
func TestLimitsByAddress(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxPerHost, opts.MaxTotal = 2, 3
	a := newSubscriber(t)
	now := time.Now().UTC()
	ends := now.Add(300 * time.Millisecond)
	for i := range 2 { // live when the hub starts, expired soon after
		sub := storage.Subscription{Topic: topic, Callback: a.url + "?old=" + strconv.Itoa(i), Expires: ends, Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
	c := &countingStore{Store: s}
	h := newHub(t, c, opts)
	scans := c.scans.Load()
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {a.url + "?n=1"}}
	if code, body := h.request(t, form); code != http.StatusForbidden || !strings.Contains(body, "callback host") {
		t.Fatalf("third subscription of a host = %d %q; want 403", code, body)
	}
	seedtest.WaitFor(t, waitFor, "the leases' end", stringer(time.Now().String), func() bool { return time.Now().After(ends) })
	h.subscribe(t, a.url+"?n=1", 1)
	h.subscribe(t, a.url+"?n=2", 2)
	// [::ffff:127.0.0.1] and [::ffff:7f00:1] are 127.0.0.1.
	port := a.url[len("http://127.0.0.1"):]
	for _, host := range []string{"[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]"} {
		form.Set("hub.callback", "http://"+host+port+"?n=3")
		if code, body := h.request(t, form); code != http.StatusForbidden || !strings.Contains(body, "callback host") {
			t.Errorf("subscription of %s = %d %q; want 403 (the host's third)", host, code, body)
		}
	}
	if n := c.scans.Load() - scans; n != 0 {
		t.Errorf("%d reads of every subscription for 5 requests; want none", n)
	}
}

// TestHeaderTimeout checks that a callback that never answers lets go
// of its delivery slot after HeaderTimeout, well before Timeout.
func TestHeaderTimeout(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.HeaderTimeout, opts.RetryBase = 100*time.Millisecond, time.Hour
	h := newHub(t, s, opts)
	release := make(chan struct{})
	hang := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		<-release
	})
	t.Cleanup(func() { close(release) }) // before the server closes
	h.subscribe(t, hang, 1)
	h.Publish(topic, feedBytes, atomType)
	seedtest.WaitFor(t, opts.Timeout/2, "the failure", stringer(func() string { return fmt.Sprintf("%+v", h.Stats()) }),
		func() bool { return h.Stats().Failed == 1 })
}

// TestRoomReservedAtRequest checks that a subscription takes its room
// when it is requested, so that a second request cannot take it while
// the first is verified, and gives it back when verification fails.
func TestRoomReservedAtRequest(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxPerHost = 1
	h := newHub(t, s, opts)
	asked, answer := make(chan struct{}, 1), make(chan bool)
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		if !<-answer {
			http.NotFound(w, r)
		}
	})
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {slow}}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("first subscription = %d %q; want 202", code, body)
	}
	next(t, asked, "the first verification")
	other := newSubscriber(t)
	form.Set("hub.callback", other.url)
	if code, body := h.request(t, form); code != http.StatusForbidden {
		t.Errorf("second subscription of the host during the first's verification = %d %q; want 403", code, body)
	}
	answer <- false
	h.waitStats(t, "the refusals", func(s Stats) bool { return s.Refused == 2 }) // the 403 and the verification
	h.subscribe(t, other.url, 1)
}

// failingPuts is a store that cannot store a subscription.
type failingPuts struct{ *storage.Store }

func (failingPuts) PutSubscription(storage.Subscription) error {
	return errors.New("disk full")
}

// TestDenied checks that a subscription the hub refuses after its
// subscriber confirmed is denied at the callback (WebSub 5.2).
func TestDenied(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, failingPuts{s}, testOptions())
	sub := newSubscriber(t)
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {sub.url + "?x=1"}}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("subscription = %d %q; want 202", code, body)
	}
	if q := next(t, sub.verifications, "the verification"); q.Get("hub.mode") != "subscribe" {
		t.Fatalf("verification %v", q)
	}
	q := next(t, sub.verifications, "the denial")
	if q.Get("hub.mode") != "denied" || q.Get("hub.topic") != topic || q.Get("hub.reason") == "" || q.Get("x") != "1" {
		t.Errorf("denial %v; want hub.mode=denied, the topic, a reason and the callback's own query", q)
	}
	h.waitStats(t, "the refusal", func(s Stats) bool { return s.Refused == 1 })
}

func TestHostKey(t *testing.T) {
	for _, tc := range []struct{ callback, want string }{
		{"http://127.0.0.1:8080/cb", "127.0.0.1"},
		{"http://[::ffff:7f00:1]/cb", "127.0.0.1"},
		{"http://[fe80::1%25eth0]/cb", "fe80::/64"},
		{"http://[2001:db8::1:2]:8080/cb", "2001:db8::/64"},
		{"http://localhost/cb", "localhost"},
		{"http://Feeds.Example.ORG./cb", "example.org"},
		{"http://a.b.example.org/cb", "example.org"},
		{"http://x.example.co.uk/cb", "example.co.uk"},
		{"http://a.user.github.io/cb", "user.github.io"},
		{"http://b.other.github.io/cb", "other.github.io"},
		{"http://موقع.مثال.السعودية/cb", "xn--mgbh0fb.xn--mgberp4a5d4ar"},
	} {
		u, err := url.Parse(tc.callback)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostKey(u); got != tc.want {
			t.Errorf("hostKey(%s) = %q, want %q", tc.callback, got, tc.want)
		}
	}
}

// TestLimitsByDomain checks that the per-host limit counts the names of
// one registrable domain as one host: a wildcard DNS record gives no
// new room per name.
func TestLimitsByDomain(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxPerHost = 3
	now := time.Now().UTC()
	for i := range opts.MaxPerHost {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("http://w%d.attacker.example/cb", i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
	h := newHub(t, s, opts)
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {"http://w99.attacker.example/cb"}}
	code, body := h.request(t, form)
	if code != http.StatusForbidden || !strings.Contains(body, "callback host attacker.example") {
		t.Errorf("another name of a full domain = %d %q; want 403 for attacker.example", code, body)
	}
	if st := h.Stats(); st.Refused != 1 {
		t.Errorf("Stats = %+v after a 403; want it counted as refused", st)
	}
}

// TestLimitsByIPv6Block checks that the per-host limit counts the IPv6
// addresses of one /64, which one site has for nothing, as one host.
func TestLimitsByIPv6Block(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxPerHost = 2
	subscribeStored(t, s, "http://[2001:db8::1]/cb", "http://[2001:db8::2]:8080/cb")
	h := newHub(t, s, opts)
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {"http://[2001:db8::3]/cb"}}
	code, body := h.request(t, form)
	if code != http.StatusForbidden || !strings.Contains(body, "callback host 2001:db8::/64") {
		t.Errorf("another address of a full /64 = %d %q; want 403 for 2001:db8::/64", code, body)
	}
}
