package hub

import (
	"sync"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// recordEvery is the shortest time between two of the recorder's
// writes: the deliveries' changes of that time share one transaction.
const recordEvery = 50 * time.Millisecond

// recorder owns the hub's writes of the deliveries owed: it coalesces
// them, in order, into one transaction per recordEvery at most, so that
// a fan-out to many subscribers costs a few syncs, not one each (bbolt
// has one writer, and an article's write would wait behind them). A
// crash loses at most the last recordEvery of changes: deliveries done
// then are repeated, which WebSub allows (at least once).
type recorder struct {
	// wmu is held from taking the changes to writing them, so that two
	// flushes write in the order they took.
	wmu     sync.Mutex
	mu      sync.Mutex
	changes []storage.DeliveryChange
	kick    chan struct{} // something to write
	stop    chan struct{} // closed by Close, once no delivery runs
	stopped chan struct{} // closed once the last changes are written
}

func newRecorder() *recorder {
	return &recorder{kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// owe records that d is owed.
func (h *Hub) owe(ds ...storage.Delivery) {
	cs := make([]storage.DeliveryChange, len(ds))
	for i, d := range ds {
		cs[i] = storage.DeliveryChange{Delivery: d}
	}
	h.record(cs...)
}

// settled records that p's delivery is done: delivered, given up, or
// its subscription ended.
func (h *Hub) settled(p pair) {
	h.record(storage.DeliveryChange{Delivery: storage.Delivery{Topic: p.topic, Callback: p.callback}, Done: true})
}

func (h *Hub) record(cs ...storage.DeliveryChange) {
	r := h.rec
	r.mu.Lock()
	r.changes = append(r.changes, cs...)
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// recordLoop writes the changes recorded, until stop, and then the
// last of them.
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
		h.flush()
		t := time.NewTimer(recordEvery)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			h.flush()
			return
		}
	}
}

// flush writes the changes recorded so far in one transaction.
func (h *Hub) flush() error {
	r := h.rec
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.mu.Lock()
	cs := r.changes
	r.changes = nil
	r.mu.Unlock()
	if len(cs) == 0 {
		return nil
	}
	err := h.store.UpdateDeliveries(cs...)
	if err != nil {
		h.log.Error("websub: cannot record the deliveries owed", "changes", len(cs), "err", err)
	}
	return err
}
