package hub

import (
	"slices"
	"sync"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// recordEvery is the shortest time between two of the recorder's
// writes: the deliveries' changes of that time share one transaction.
// retryEvery is the wait before a write that failed is tried again.
const (
	recordEvery = 50 * time.Millisecond
	retryEvery  = time.Second
)

// recorder owns the hub's writes of the deliveries owed: it coalesces
// them, in order, into one transaction per recordEvery at most, so that
// a fan-out to many subscribers costs a few syncs, not one each (bbolt
// has one writer, and an article's write would wait behind them). A
// crash loses at most the last recordEvery of changes: deliveries done
// then are repeated, which WebSub allows (at least once). A write that
// fails loses nothing: its changes go back in front of the newer ones,
// for the next write.
type recorder struct {
	// wmu is held from taking the changes to writing them, so that two
	// flushes write in the order they took.
	wmu     sync.Mutex
	mu      sync.Mutex
	changes []storage.DeliveryChange
	// waiters are told the outcome of the write that takes the changes
	// recorded before them.
	waiters []chan<- error
	kick    chan struct{} // something to write
	stop    chan struct{} // closed by Close, once no delivery runs
	stopped chan struct{} // closed once the last changes are written
}

func newRecorder() *recorder {
	return &recorder{kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// owe records that each of ds is owed. The channel returned receives
// the outcome of the write that takes them, once: nil when they are in
// the store.
func (h *Hub) owe(ds ...storage.Delivery) <-chan error {
	cs := make([]storage.DeliveryChange, len(ds))
	for i, d := range ds {
		cs[i] = storage.DeliveryChange{Delivery: d}
	}
	return h.record(cs...)
}

// settled records that p's delivery is done: delivered, given up, or
// its subscription ended.
func (h *Hub) settled(p pair) {
	h.record(storage.DeliveryChange{Delivery: storage.Delivery{Topic: p.topic, Callback: p.callback}, Done: true})
}

func (h *Hub) record(cs ...storage.DeliveryChange) <-chan error {
	w := make(chan error, 1)
	r := h.rec
	r.mu.Lock()
	r.changes = append(r.changes, cs...)
	r.waiters = append(r.waiters, w)
	r.mu.Unlock()
	r.poke()
	return w
}

// poke wakes the record loop, without waiting.
func (r *recorder) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// recordLoop writes the changes recorded, until stop, and then the
// last of them. After a write failed, it tries again in retryEvery.
func (h *Hub) recordLoop() {
	r := h.rec
	defer close(r.stopped)
	for {
		select {
		case <-r.kick:
		case <-r.stop:
			h.flush()
			return
		}
		wait, err := recordEvery, h.flush()
		if err != nil {
			wait = retryEvery
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			h.flush()
			return
		}
		if err != nil {
			r.poke()
		}
	}
}

// flush writes the changes recorded so far in one transaction, and
// tells their waiters how it went. On error the changes stay, before
// any recorded since, for the next flush.
func (h *Hub) flush() error {
	r := h.rec
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.mu.Lock()
	cs, ws := r.changes, r.waiters
	r.changes, r.waiters = nil, nil
	r.mu.Unlock()
	var err error
	if len(cs) > 0 {
		err = h.store.UpdateDeliveries(cs...)
	}
	if err != nil {
		h.log.Error("websub: cannot record the deliveries owed", "changes", len(cs), "err", err)
		r.mu.Lock()
		r.changes = append(latest(cs), r.changes...)
		r.mu.Unlock()
	}
	for _, w := range ws {
		w <- err
	}
	return err
}

// latest returns the last change of each pair in cs, in their order:
// what applying all of cs in order comes to, so that changes kept
// through failing writes grow no larger than the pairs they touch.
func latest(cs []storage.DeliveryChange) []storage.DeliveryChange {
	seen := make(map[pair]bool, len(cs))
	out := make([]storage.DeliveryChange, 0, len(cs))
	for _, c := range slices.Backward(cs) {
		p := pair{c.Topic, c.Callback}
		if !seen[p] {
			seen[p] = true
			out = append(out, c)
		}
	}
	slices.Reverse(out)
	return out
}
