package hub

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// countingStore is a real store that counts the hub's write
// transactions on it, and its reads of every subscription.
type countingStore struct {
	*storage.Store
	writes atomic.Int64
	scans  atomic.Int64 // AllSubscriptions
}

func (c *countingStore) PutSubscription(sub storage.Subscription) error {
	c.writes.Add(1)
	return c.Store.PutSubscription(sub)
}

func (c *countingStore) RemoveSubscription(topic, callback string) error {
	c.writes.Add(1)
	return c.Store.RemoveSubscription(topic, callback)
}

func (c *countingStore) UpdateDeliveries(cs ...storage.DeliveryChange) error {
	c.writes.Add(1)
	return c.Store.UpdateDeliveries(cs...)
}

// TestFanOutWritesFew checks that a fan-out to many subscribers costs a
// few write transactions, not one per delivery: bbolt has one writer,
// and the articles' writes wait behind the hub's.
func TestFanOutWritesFew(t *testing.T) {
	const subscribers = 300
	s, _ := openStore(t)
	var got atomic.Int64
	done := make(chan struct{}, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == subscribers {
			done <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	now := time.Now().UTC()
	for i := range subscribers {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s?n=%d", srv, i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
	c := &countingStore{Store: s}
	h := newHub(t, c, testOptions())
	h.Publish(topic, feedBytes, atomType)
	next(t, done, "every delivery")
	waitNoPending(t, h, s)
	if n := c.writes.Load(); n > subscribers/10 {
		t.Errorf("%d write transactions for %d deliveries; want at most %d", n, subscribers, subscribers/10)
	}
}

// TestPublishRecordsOwedAtOnce checks that the deliveries a Publish
// owes are in the store, in one transaction, when it returns: a crash
// right after the caller recorded the topic as published loses none.
func TestPublishRecordsOwedAtOnce(t *testing.T) {
	const subscribers = 50
	s, _ := openStore(t)
	holdingSubscribers(t, s, subscribers) // no delivery ends before the check
	c := &countingStore{Store: s}
	h := newHub(t, c, testOptions())
	before := c.writes.Load()
	if err := h.Publish(topic, feedBytes, atomType); err != nil {
		t.Fatal(err)
	}
	if n := c.writes.Load() - before; n != 1 {
		t.Errorf("Publish made %d write transactions; want 1", n)
	}
	p, err := s.PendingDeliveries()
	if err != nil || len(p) != subscribers {
		t.Fatalf("after Publish: %d deliveries owed in the store, %v; want %d", len(p), err, subscribers)
	}
}

// failingStore is a real store whose next fails writes of deliveries
// fail, as a full or broken disk makes them.
type failingStore struct {
	*storage.Store
	fails atomic.Int64
}

var errDisk = errors.New("injected: no space left on device")

func (f *failingStore) UpdateDeliveries(cs ...storage.DeliveryChange) error {
	if f.fails.Add(-1) >= 0 {
		return errDisk
	}
	return f.Store.UpdateDeliveries(cs...)
}

// holdingSubscribers stores n subscriptions to topic of callbacks that
// answer no delivery until the test ends, so that no delivery's end
// changes what is owed.
func holdingSubscribers(t *testing.T, s *storage.Store, n int) {
	t.Helper()
	hold := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		<-hold
		w.WriteHeader(http.StatusNoContent)
	})
	t.Cleanup(func() { close(hold) }) // before the server's Close waits
	now := time.Now().UTC()
	for i := range n {
		sub := storage.Subscription{Topic: topic, Callback: fmt.Sprintf("%s?n=%d", srv, i), Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
}

func owedCount(t *testing.T, s *storage.Store) int {
	t.Helper()
	p, err := s.PendingDeliveries()
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

// TestPublishReportsFailedWrite checks that a Publish whose deliveries
// owed could not be written says so, however the record loop and
// Publish share the write, and that the next Publish writes them: a
// nil from Publish means they are in the store.
func TestPublishReportsFailedWrite(t *testing.T) {
	const subscribers = 500
	for run := range 5 {
		s, _ := openStore(t)
		holdingSubscribers(t, s, subscribers)
		f := &failingStore{Store: s}
		f.fails.Store(1)
		h := newHub(t, f, testOptions())
		err := h.Publish(topic, feedBytes, atomType)
		if n := owedCount(t, s); err == nil && n != subscribers {
			t.Fatalf("run %d: Publish = nil with %d of %d deliveries owed in the store", run, n, subscribers)
		}
		if !errors.Is(err, errDisk) {
			t.Errorf("run %d: Publish = %v after a failed write; want %v", run, err, errDisk)
		}
		if err := h.Publish(topic, feedBytes, atomType); err != nil {
			t.Fatalf("run %d: second Publish = %v", run, err)
		}
		if n := owedCount(t, s); n != subscribers {
			t.Fatalf("run %d: second Publish = nil with %d of %d deliveries owed in the store", run, n, subscribers)
		}
	}
}

// TestRecorderRetriesFailedWrite checks that changes whose write failed
// are written by a later one, with no Publish to ask for it.
func TestRecorderRetriesFailedWrite(t *testing.T) {
	const subscribers = 50
	s, _ := openStore(t)
	holdingSubscribers(t, s, subscribers)
	f := &failingStore{Store: s}
	f.fails.Store(2)
	h := newHub(t, f, testOptions())
	if err := h.Publish(topic, feedBytes, atomType); !errors.Is(err, errDisk) {
		t.Fatalf("Publish = %v; want %v", err, errDisk)
	}
	seedtest.WaitFor(t, waitFor, "the deliveries owed written at last", stringer(func() string {
		return fmt.Sprint(owedCount(t, s), " owed")
	}), func() bool { return owedCount(t, s) == subscribers })
}
