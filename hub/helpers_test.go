package hub

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

const (
	site    = "https://example.org/"
	topic   = site + "feed.atom"
	hubURL  = site + "hub"
	waitFor = 10 * time.Second
)

// openStore opens a store in a fresh temporary directory, closed at the
// test's end.
func openStore(t testing.TB) (*storage.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seedfeed.db")
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// testOptions are the options of a test hub: its topics are the site's,
// callbacks on loopback are allowed and retries come quickly.
func testOptions() Options {
	return Options{
		URL:          hubURL,
		Topic:        func(t string) bool { return strings.HasPrefix(t, site) },
		AllowPrivate: true,
		RetryBase:    20 * time.Millisecond,
		RetryMax:     100 * time.Millisecond,
		Timeout:      5 * time.Second,
	}
}

// testHub is a hub served over HTTP on 127.0.0.1.
type testHub struct {
	*Hub
	url string
}

func newHub(t testing.TB, s Store, opts Options) *testHub {
	t.Helper()
	h, err := New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return &testHub{h, srv.URL}
}

// request posts form to the hub and returns the status and body.
func (h *testHub) request(t testing.TB, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(h.url, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// subscribe asks the hub to subscribe callback to topic (with the
// params extra), expecting 202, and waits until the hub counted n
// verified subscriptions in all.
func (h *testHub) subscribe(t testing.TB, callback string, n int64, extra ...string) {
	t.Helper()
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("subscribe: %d %s; want 202", code, body)
	}
	h.waitStats(t, "subscribed", func(s Stats) bool { return s.Subscribed >= n })
}

func (h *testHub) waitStats(t testing.TB, what string, cond func(Stats) bool) {
	t.Helper()
	seedtest.WaitFor(t, waitFor, what, stringer(func() string { return fmt.Sprintf("%+v", h.Stats()) }),
		func() bool { return cond(h.Stats()) })
}

type stringer func() string

func (s stringer) String() string { return s() }

// delivery is a POST a subscriber received.
type delivery struct {
	header http.Header
	body   []byte
}

// subscriber is a WebSub subscriber on 127.0.0.1: it records the
// verifications and deliveries it receives, on channels.
type subscriber struct {
	url           string
	verifications chan url.Values
	deliveries    chan delivery

	mu      sync.Mutex
	confirm bool          // echo the challenge
	status  func() int    // a delivery's answer; 204 when nil
	hold    chan struct{} // when set, deliveries wait for it to close
}

func newSubscriber(t testing.TB) *subscriber {
	t.Helper()
	s := &subscriber{verifications: make(chan url.Values, 100), deliveries: make(chan delivery, 100), confirm: true}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.url = srv.URL + "/cb"
	return s
}

func (s *subscriber) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	confirm, status, hold := s.confirm, s.status, s.hold
	s.mu.Unlock()
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		s.verifications <- q
		if confirm {
			io.WriteString(w, q.Get("hub.challenge"))
		} else {
			http.NotFound(w, r)
		}
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.deliveries <- delivery{r.Header.Clone(), body}
	if hold != nil {
		<-hold
	}
	code := http.StatusNoContent
	if status != nil {
		code = status()
	}
	w.WriteHeader(code)
}

func (s *subscriber) set(fn func(s *subscriber)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// next returns the next thing received on ch, failing after waitFor.
func next[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("timed out after %v waiting for %s", waitFor, what)
		panic("unreachable")
	}
}

// serve serves fn on 127.0.0.1 and returns its URL.
func serve(t testing.TB, fn http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(fn)
	t.Cleanup(srv.Close)
	return srv.URL + "/cb"
}
