package hub

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

const atomType = "application/atom+xml; charset=utf-8"

var feedBytes = []byte(`<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>مدونة</title></feed>`)

func TestDistribution(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	signed, plain := newSubscriber(t), newSubscriber(t)
	h.subscribe(t, signed.url, 1, "hub.secret", "سر مشترك")
	h.subscribe(t, plain.url, 2)
	body := bytes.Clone(feedBytes)
	h.Publish(topic, body, atomType)
	body[0] = 'X' // the caller may reuse its bytes

	for _, tc := range []struct {
		name   string
		sub    *subscriber
		secret string
	}{{"signed", signed, "سر مشترك"}, {"plain", plain, ""}} {
		d := next(t, tc.sub.deliveries, tc.name+" delivery")
		if !bytes.Equal(d.body, feedBytes) {
			t.Errorf("%s: body %q, want %q", tc.name, d.body, feedBytes)
		}
		if ct := d.header.Get("Content-Type"); ct != atomType {
			t.Errorf("%s: Content-Type %q, want %q", tc.name, ct, atomType)
		}
		links := d.header.Values("Link")
		want := []string{"<" + hubURL + `>; rel="hub"`, "<" + topic + `>; rel="self"`}
		if !slices.Equal(links, want) {
			t.Errorf("%s: Link %q, want %q", tc.name, links, want)
		}
		sig := d.header.Get("X-Hub-Signature")
		if tc.secret == "" {
			if sig != "" {
				t.Errorf("%s: X-Hub-Signature %q without a secret", tc.name, sig)
			}
			continue
		}
		m := hmac.New(sha256.New, []byte(tc.secret))
		m.Write(feedBytes)
		if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); sig != want {
			t.Errorf("%s: X-Hub-Signature %q, want %q", tc.name, sig, want)
		}
	}
	h.waitStats(t, "two deliveries", func(s Stats) bool { return s.Delivered == 2 })
	waitNoPending(t, h, s)
}

// waitNoPending waits until the store owes no delivery.
func waitNoPending(t *testing.T, h *testHub, s *storage.Store) {
	t.Helper()
	h.waitStats(t, "no delivery owed", func(Stats) bool {
		p, err := s.PendingDeliveries()
		return err == nil && len(p) == 0
	})
}

func TestGoneEndsSubscription(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) { s.status = func() int { return http.StatusGone } })
	h.subscribe(t, sub.url, 1)
	h.Publish(topic, feedBytes, atomType)
	next(t, sub.deliveries, "the delivery")
	h.waitStats(t, "the 410", func(s Stats) bool { return s.Gone == 1 })
	if _, err := s.Subscription(topic, sub.url); err == nil {
		t.Fatal("the subscription outlived its 410")
	}
	waitNoPending(t, h, s)
	if st := h.Stats(); st.Failed != 0 {
		t.Errorf("a 410 counted as a failure: %+v", st)
	}
}

func TestRetry(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	sub := newSubscriber(t)
	answers := make(chan int, 3)
	answers <- 500
	answers <- http.StatusServiceUnavailable
	answers <- 200
	sub.set(func(s *subscriber) { s.status = func() int { return <-answers } })
	h.subscribe(t, sub.url, 1)
	h.Publish(topic, feedBytes, atomType)
	for i := range 3 {
		if d := next(t, sub.deliveries, "an attempt"); !bytes.Equal(d.body, feedBytes) {
			t.Fatalf("attempt %d: body %q", i, d.body)
		}
	}
	h.waitStats(t, "the delivery", func(s Stats) bool { return s.Delivered == 1 && s.Failed == 2 })
	waitNoPending(t, h, s)
}

func TestGiveUp(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxAttempts = 2
	h := newHub(t, s, opts)
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) { s.status = func() int { return 500 } })
	h.subscribe(t, sub.url, 1)
	h.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "giving up", func(s Stats) bool { return s.GivenUp == 1 && s.Failed == 2 })
	waitNoPending(t, h, s)
	// The subscription stays until its lease ends.
	if _, err := s.Subscription(topic, sub.url); err != nil {
		t.Fatal(err)
	}
}

func TestNoRedirect(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	target := newSubscriber(t)
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) {
		s.status = func() int { return http.StatusTemporaryRedirect }
	})
	h.subscribe(t, sub.url, 1)
	// The redirect's target, were it followed, would take the delivery.
	redirect := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Write([]byte(r.URL.Query().Get("hub.challenge")))
			return
		}
		http.Redirect(w, r, target.url, http.StatusTemporaryRedirect)
	})
	h.subscribe(t, redirect, 2)
	h.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "two failures", func(s Stats) bool { return s.Failed >= 2 })
	select {
	case d := <-target.deliveries:
		t.Fatalf("a redirect was followed: %q", d.body)
	default:
	}
}

func TestSlowSubscriberDelaysNoOne(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	slow, fast := newSubscriber(t), newSubscriber(t)
	hold := make(chan struct{})
	slow.set(func(s *subscriber) { s.hold = hold })
	t.Cleanup(func() { close(hold) }) // before the servers close
	h.subscribe(t, slow.url, 1)
	h.subscribe(t, fast.url, 2)
	h.Publish(topic, feedBytes, atomType)
	next(t, slow.deliveries, "the slow subscriber's request")
	// The slow subscriber holds its request: the fast one gets this
	// version and the next while it does.
	next(t, fast.deliveries, "the first delivery to the fast subscriber")
	second := append(bytes.Clone(feedBytes), '\n')
	h.waitStats(t, "the first delivery", func(s Stats) bool { return s.Delivered == 1 })
	h.Publish(topic, second, atomType)
	if d := next(t, fast.deliveries, "the second delivery to the fast subscriber"); !bytes.Equal(d.body, second) {
		t.Fatalf("second delivery %q, want %q", d.body, second)
	}
	h.waitStats(t, "the second delivery", func(s Stats) bool { return s.Delivered == 2 })
	select {
	case <-hold:
		t.Fatal("the slow subscriber was released")
	default:
	}
}

func TestRestartBetweenSubscribeAndPublish(t *testing.T) {
	s, path := openStore(t)
	sub := newSubscriber(t)
	first, err := New(s, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{first, serve(t, first.ServeHTTP)}
	h.subscribe(t, sub.url, 1)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	second := newHub(t, s, testOptions())
	second.Publish(topic, feedBytes, atomType)
	if d := next(t, sub.deliveries, "the delivery after the restart"); !bytes.Equal(d.body, feedBytes) {
		t.Fatalf("delivery %q", d.body)
	}
}

func TestRestartResumesDelivery(t *testing.T) {
	s, path := openStore(t)
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) { s.status = func() int { return 500 } })
	opts := testOptions()
	opts.RetryBase = time.Hour // no retry before the restart
	first, err := New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{first, serve(t, first.ServeHTTP)}
	h.subscribe(t, sub.url, 1)
	first.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "the failure", func(s Stats) bool { return s.Failed == 1 })
	h.waitStats(t, "the retry stored", func(Stats) bool {
		p, err := s.PendingDeliveries()
		return err == nil && len(p) == 1 && p[0].Attempts == 1
	})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// The retry is due: no Publish, the next hub delivers the topic's
	// current document.
	p, err := s.PendingDeliveries()
	if err != nil {
		t.Fatal(err)
	}
	p[0].Next = time.Now()
	if err := s.PutDelivery(p[0]); err != nil {
		t.Fatal(err)
	}
	sub.set(func(s *subscriber) { s.status = nil })
	opts = testOptions()
	opts.Content = func(t string) ([]byte, string, bool) { return feedBytes, atomType, t == topic }
	second := newHub(t, s, opts)
	next(t, sub.deliveries, "the failed attempt") // received before the restart
	if d := next(t, sub.deliveries, "the resumed delivery"); !bytes.Equal(d.body, feedBytes) {
		t.Fatalf("delivery %q", d.body)
	}
	second.waitStats(t, "the delivery", func(s Stats) bool { return s.Delivered == 1 })
	waitNoPending(t, second, s)
}

func TestExpiredLeaseDropped(t *testing.T) {
	s, _ := openStore(t)
	sub := newSubscriber(t)
	now := time.Now().UTC()
	for _, cb := range []string{sub.url + "?old", sub.url} {
		exp := now.Add(time.Hour)
		if cb != sub.url {
			exp = now.Add(-time.Second)
		}
		if err := s.PutSubscription(storage.Subscription{Topic: topic, Callback: cb, Expires: exp, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHub(t, s, testOptions())
	if st := h.Stats(); st.Expired != 1 {
		t.Fatalf("Stats = %+v, want one expired", st)
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 1 || all[0].Callback != sub.url {
		t.Fatalf("subscriptions = %v, %v; want the live one", all, err)
	}
	h.Publish(topic, feedBytes, atomType)
	next(t, sub.deliveries, "the live subscriber's delivery")
}

func TestTopics(t *testing.T) {
	s, _ := openStore(t)
	now := time.Now().UTC()
	rss := site + "feed.rss"
	for _, sub := range []storage.Subscription{
		{Topic: topic, Callback: "https://a.example/cb", Expires: now.Add(time.Hour)},
		{Topic: topic, Callback: "https://b.example/cb", Expires: now.Add(time.Hour)},
		{Topic: rss, Callback: "https://a.example/cb", Expires: now.Add(time.Hour)},
		{Topic: site + "sections/x/feed.atom", Callback: "https://a.example/cb", Expires: now.Add(time.Hour)},
	} {
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
	h := newHub(t, s, testOptions())
	// Expired after New looked: Topics leaves it out all the same.
	if err := s.PutSubscription(storage.Subscription{Topic: site + "feed.json", Callback: "https://a.example/cb", Expires: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Topics()
	want := []string{topic, rss, site + "sections/x/feed.atom"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Topics = %q, %v; want %q", got, err, want)
	}
}

// TestSweep checks that a lease that ends while the hub runs is dropped
// from the store without a Publish of its topic.
func TestSweep(t *testing.T) {
	s, _ := openStore(t)
	now := time.Now().UTC()
	sub := storage.Subscription{Topic: topic, Callback: "https://a.example/cb", Expires: now.Add(300 * time.Millisecond), Created: now}
	if err := s.PutSubscription(sub); err != nil {
		t.Fatal(err)
	}
	opts := testOptions()
	opts.SweepEvery = 20 * time.Millisecond
	h := newHub(t, s, opts)
	if st := h.Stats(); st.Subscriptions != 1 {
		t.Errorf("Stats = %+v before the lease's end; want 1 subscription", st)
	}
	h.waitStats(t, "the expiry", func(st Stats) bool { return st.Expired == 1 })
	if st := h.Stats(); st.Subscriptions != 0 {
		t.Errorf("Stats = %+v after the lease's end; want no subscription", st)
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 0 {
		t.Errorf("subscriptions after the sweep = %v, %v; want none", all, err)
	}
}

// readCountingStore is a real store that counts the reads of a
// subscription.
type readCountingStore struct {
	*storage.Store
	reads atomic.Int64
}

func (c *readCountingStore) Subscription(topic, callback string) (storage.Subscription, error) {
	c.reads.Add(1)
	return c.Store.Subscription(topic, callback)
}

// TestDeliveryFromMemory checks that a delivery takes its subscription
// from the hub's memory, not the store, and that a verified renewal's
// new secret is the one it signs with.
func TestDeliveryFromMemory(t *testing.T) {
	s, _ := openStore(t)
	c := &readCountingStore{Store: s}
	h := newHub(t, c, testOptions())
	sub := newSubscriber(t)
	h.subscribe(t, sub.url, 1, "hub.secret", "سر قديم")
	h.subscribe(t, sub.url, 2, "hub.secret", "سر جديد")
	before := c.reads.Load()
	h.Publish(topic, feedBytes, atomType)
	d := next(t, sub.deliveries, "the delivery")
	m := hmac.New(sha256.New, []byte("سر جديد"))
	m.Write(feedBytes)
	if sig, want := d.header.Get("X-Hub-Signature"), "sha256="+hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Errorf("X-Hub-Signature %q; want %q, the renewal's secret", sig, want)
	}
	h.waitStats(t, "the delivery", func(s Stats) bool { return s.Delivered == 1 })
	if n := c.reads.Load() - before; n != 0 {
		t.Errorf("the delivery read the subscription from the store %d times; want none", n)
	}
}

// TestLeaseEndsWhileRetrying checks that a delivery still being retried
// when its subscription's lease ends stops there, and drops the
// subscription from the store and the counts.
func TestLeaseEndsWhileRetrying(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MinLease = time.Second
	opts.MaxAttempts = 1000
	h := newHub(t, s, opts)
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) { s.status = func() int { return 500 } })
	h.subscribe(t, sub.url, 1, "hub.lease_seconds", "1")
	h.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "the lease's end", func(s Stats) bool { return s.Expired == 1 })
	if st := h.Stats(); st.Subscriptions != 0 || st.GivenUp != 0 || st.Failed == 0 {
		t.Errorf("Stats = %+v; want failures, then the subscription expired, not given up", st)
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 0 {
		t.Errorf("subscriptions = %v, %v; want none", all, err)
	}
	waitNoPending(t, h, s)
}
