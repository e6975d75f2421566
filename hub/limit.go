package hub

import (
	"net/netip"
	"net/url"
	"strings"
)

// hostKey is the callback host that the limits count: an IP literal in
// its canonical form (an IPv4-mapped IPv6 address as the IPv4 address,
// without zone), or a name in lower case without its final dot, so that
// the spellings of one address are one host.
func hostKey(u *url.URL) string {
	name := u.Hostname()
	if a, err := netip.ParseAddr(name); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// gate bounds the deliveries in flight to one callback host.
type gate struct {
	slots chan struct{}
	users int // waiting or holding a slot: the gate goes with the last
}

// enterHost waits for one of host's delivery slots, and reports false
// if the hub closed first; leaveHost gives it back.
func (h *Hub) enterHost(host string) bool {
	h.mu.Lock()
	g := h.hosts[host]
	if g == nil {
		g = &gate{slots: make(chan struct{}, h.opts.PerHost)}
		h.hosts[host] = g
	}
	g.users++
	h.mu.Unlock()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-h.ctx.Done():
		h.dropGate(host, g)
		return false
	}
}

func (h *Hub) leaveHost(host string) {
	h.mu.Lock()
	g := h.hosts[host]
	h.mu.Unlock()
	<-g.slots
	h.dropGate(host, g)
}

func (h *Hub) dropGate(host string, g *gate) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if g.users--; g.users == 0 {
		delete(h.hosts, host)
	}
}

// enterPool waits for a delivery slot, from the smaller set kept for
// retries when the delivery failed before, and reports false if the hub
// closed first. It returns the slot's pool, for leaving.
func (h *Hub) enterPool(retry bool) (chan struct{}, bool) {
	pool := h.sem
	if retry {
		pool = h.retry
	}
	select {
	case pool <- struct{}{}:
		return pool, true
	case <-h.ctx.Done():
		return nil, false
	}
}
