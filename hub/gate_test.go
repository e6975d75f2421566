package hub

import (
	"io"
	"net/http"
	"strconv"
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
