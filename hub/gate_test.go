package hub

import (
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// trickle answers a verification at once, and a delivery with a 200
// and its headers at once, then a byte of its body every 100 ms until
// release is closed or the hub goes: the answer never ends in time.
func trickle(arrivals chan<- struct{}, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		arrivals <- struct{}{}
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for range 1000 {
			if _, err := w.Write([]byte{'x'}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-release:
				return
			case <-r.Context().Done():
				return
			}
		}
	}
}

// TestTricklingSubscribersDelayNoOne checks that callbacks that send
// their answer's headers at once and then trickle its body, on as many
// hosts as fill the delivery slots, hold them briefly only: an honest
// subscriber on another host is delivered long before Timeout.
func TestTricklingSubscribersDelayNoOne(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.Concurrency, opts.PerHost = 4, 1
	opts.Timeout = 30 * time.Second
	h := newHub(t, s, opts)
	arrivals := make(chan struct{}, 100)
	release := make(chan struct{})
	var n int64
	for i := range opts.Concurrency / opts.PerHost {
		cb := serveOn(t, "127.0.0."+strconv.Itoa(i+2), trickle(arrivals, release))
		for j := range 2 {
			n++
			h.subscribe(t, cb+"?n="+strconv.Itoa(j), n)
		}
	}
	t.Cleanup(func() { close(release) }) // before the servers close
	h.Publish(topic, feedBytes, atomType)
	for range opts.Concurrency {
		next(t, arrivals, "a trickling subscriber's delivery")
	}
	honest := newSubscriber(t)
	h.subscribe(t, honest.url, n+1)
	start := time.Now()
	h.Publish(topic, feedBytes, atomType)
	select {
	case <-honest.deliveries:
	case <-time.After(3 * answerTimeout):
		t.Fatalf("the honest subscriber not delivered %v after the publication: trickling answers hold the slots", 3*answerTimeout)
	}
	t.Logf("honest subscriber delivered %v after the publication", time.Since(start))
}

// hanger answers a verification at once; a delivery it counts on
// arrivals and holds until release is closed, or, while refuse is set,
// answers 500 at once.
type hanger struct {
	arrivals chan struct{}
	release  chan struct{}
	refuse   atomic.Bool
}

func newHanger() *hanger {
	return &hanger{arrivals: make(chan struct{}, 100), release: make(chan struct{})}
}

func (g *hanger) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		io.WriteString(w, r.URL.Query().Get("hub.challenge"))
		return
	}
	if g.refuse.Load() {
		http.Error(w, "no", http.StatusInternalServerError)
		return
	}
	g.arrivals <- struct{}{}
	select {
	case <-g.release:
	case <-r.Context().Done():
	}
}

// TestOtherPortTakesNoSlots checks that callbacks of others that point
// at a subscriber's address, on another port that never answers, leave
// the subscriber its slots: it is delivered while they hang.
func TestOtherPortTakesNoSlots(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.Concurrency, opts.PerHost = 8, 2
	opts.HeaderTimeout = opts.Timeout // the gates, not the timeout, are under test
	h := newHub(t, s, opts)
	g := newHanger()
	// localhost is 127.0.0.1, the victim's address, under another name.
	hang := strings.Replace(serve(t, g.serve), "127.0.0.1", "localhost", 1)
	t.Cleanup(func() { close(g.release) }) // before the server closes
	other := site + "other.atom"
	for i := range 2 * opts.PerHost {
		h.subscribe(t, hang+"?n="+strconv.Itoa(i), int64(i+1), "hub.topic", other)
	}
	victim := newSubscriber(t)
	h.subscribe(t, victim.url, int64(2*opts.PerHost+1))
	h.Publish(other, feedBytes, atomType)
	for range opts.PerHost {
		next(t, g.arrivals, "a hanging callback's delivery")
	}
	h.Publish(topic, feedBytes, atomType)
	next(t, victim.deliveries, "the victim's delivery")
	if st := h.Stats(); st.Failed != 0 {
		t.Fatalf("the victim waited for the hanging callbacks on its address to time out: %+v", st)
	}
}

// TestFailingTakesRetrySlot checks that a publication's first delivery
// to a subscriber whose last attempt failed takes a retry's slot: such
// callbacks, now hanging, on as many addresses as fill the hub's slots,
// leave room for an honest subscriber.
func TestFailingTakesRetrySlot(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.Concurrency, opts.PerHost = 4, 1
	opts.MaxAttempts = 1 // each publication's delivery is tried once
	opts.HeaderTimeout = opts.Timeout
	h := newHub(t, s, opts)
	g := newHanger()
	g.refuse.Store(true)
	other := site + "other.atom"
	for i := range opts.Concurrency {
		cb := serveOn(t, "127.0.0."+strconv.Itoa(i+2), g.serve)
		h.subscribe(t, cb, int64(i+1), "hub.topic", other)
	}
	t.Cleanup(func() { close(g.release) }) // before the servers close
	h.Publish(other, feedBytes, atomType)
	h.waitStats(t, "the refusals", func(st Stats) bool { return st.GivenUp == int64(opts.Concurrency) })
	g.refuse.Store(false)
	honest := newSubscriber(t)
	h.subscribe(t, honest.url, int64(opts.Concurrency+1))
	h.Publish(other, feedBytes, atomType)
	next(t, g.arrivals, "a hanging callback's delivery")
	h.Publish(topic, feedBytes, atomType)
	next(t, honest.deliveries, "the honest subscriber's delivery")
	if st := h.Stats(); st.Failed != int64(opts.Concurrency) {
		t.Fatalf("the honest subscriber waited for a hanging callback to time out: %+v", st)
	}
}

func TestGateKeys(t *testing.T) {
	for _, tc := range []struct {
		callback string
		addrs    []string
		want     string
	}{
		{"http://127.0.0.1:8080/cb", []string{"127.0.0.1"}, "dial 127.0.0.1:8080,addr 127.0.0.1"},
		{"https://a.example.org/cb", []string{"2001:db8::1", "192.0.2.1"},
			"host example.org,dial 192.0.2.1:443,dial [2001:db8::1]:443,addr 192.0.2.1,addr 2001:db8::"},
		{"http://[fe80::1%25eth0]/cb", []string{"fe80::1%eth0"}, "dial [fe80::1]:80,addr fe80::"},
	} {
		u, err := url.Parse(tc.callback)
		if err != nil {
			t.Fatal(err)
		}
		var addrs []netip.Addr
		for _, a := range tc.addrs {
			addrs = append(addrs, netip.MustParseAddr(a))
		}
		if got := strings.Join(gateKeys(u, addrs), ","); got != tc.want {
			t.Errorf("gateKeys(%s, %v) = %s, want %s", tc.callback, tc.addrs, got, tc.want)
		}
	}
}
