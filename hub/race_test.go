package hub

import (
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// TestGoneSparesRenewal checks that a 410 ends the subscription the
// delivery was for, not a renewal verified while it was in flight.
func TestGoneSparesRenewal(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	sub := newSubscriber(t)
	hold := make(chan struct{})
	sub.set(func(s *subscriber) {
		s.status = func() int { return http.StatusGone }
		s.hold = hold
	})
	h.subscribe(t, sub.url, 1)
	old, err := s.Subscription(topic, sub.url)
	if err != nil {
		t.Fatal(err)
	}
	h.Publish(topic, feedBytes, atomType)
	next(t, sub.deliveries, "the delivery")
	h.subscribe(t, sub.url, 2) // the renewal, while the 410 is on its way
	close(hold)
	h.waitStats(t, "the 410", func(s Stats) bool { return s.Gone == 1 })
	got, err := s.Subscription(topic, sub.url)
	if err != nil || got.Expires.Equal(old.Expires) {
		t.Fatalf("after a 410 for the old lease: %+v, %v; want the renewal kept", got, err)
	}
	if ts, _ := h.Topics(); !slices.Equal(ts, []string{topic}) || h.Stats().Subscriptions != 1 {
		t.Errorf("after a 410 for the old lease: topics %q, %+v; want the renewal counted", ts, h.Stats())
	}
}

// TestSweepSparesRenewal checks that the end of a lease read before a
// renewal was stored does not remove the renewal.
func TestSweepSparesRenewal(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	now := time.Now().UTC()
	old := storage.Subscription{Topic: topic, Callback: "https://a.example/cb", Expires: now.Add(-time.Second), Created: now}
	renewal := old
	renewal.Expires = now.Add(time.Hour)
	if err := s.PutSubscription(renewal); err != nil {
		t.Fatal(err)
	}
	h.track(renewal)
	if _, err := h.live([]storage.Subscription{old}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscription(topic, old.Callback); err != nil {
		t.Errorf("the renewal was removed with the old lease: %v", err)
	}
	if st := h.Stats(); st.Subscriptions != 1 || st.Expired != 0 {
		t.Errorf("Stats = %+v; want the renewal counted, none expired", st)
	}
}

// pausingStore is a real store whose removals of a subscription, once
// armed, wait for resume after they are written.
type pausingStore struct {
	*storage.Store
	armed   atomic.Bool
	removed chan struct{}
	resume  chan struct{}
}

func (p *pausingStore) RemoveSubscription(topic, callback string) error {
	err := p.Store.RemoveSubscription(topic, callback)
	if p.armed.Load() {
		p.removed <- struct{}{}
		<-p.resume
	}
	return err
}

// TestOneVerificationPerPair checks that a request for a subscription
// whose previous request is being carried out is refused for now, so
// that an unsubscription's and a subscription's store writes and counts
// cannot interleave (leaving a stored subscription that no delivery
// goes to).
func TestOneVerificationPerPair(t *testing.T) {
	s, _ := openStore(t)
	p := &pausingStore{Store: s, removed: make(chan struct{}, 1), resume: make(chan struct{})}
	h := newHub(t, p, testOptions())
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			close(p.resume)
		}
	})
	sub := newSubscriber(t)
	h.subscribe(t, sub.url, 1)
	p.armed.Store(true)
	form := url.Values{"hub.mode": {"unsubscribe"}, "hub.topic": {topic}, "hub.callback": {sub.url}}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("unsubscription = %d %q; want 202", code, body)
	}
	next(t, p.removed, "the unsubscription's removal")
	form.Set("hub.mode", "subscribe")
	if code, body := h.request(t, form); code != http.StatusServiceUnavailable {
		t.Errorf("subscription while the unsubscription is carried out = %d %q; want 503", code, body)
	}
	p.armed.Store(false)
	close(p.resume)
	resumed = true
	h.waitStats(t, "the unsubscription", func(s Stats) bool { return s.Unsubscribed == 1 })
	// Whatever came of the second request, the store and the counts agree.
	h.waitStats(t, "the verifications' end", func(Stats) bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.verifyingPairs) == 0
	})
	_, err := s.Subscription(topic, sub.url)
	stored := err == nil
	if ts, _ := h.Topics(); stored != (len(ts) == 1) {
		t.Errorf("stored %v, but topics with a subscriber %q", stored, ts)
	}
}
