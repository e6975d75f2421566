package hub

import (
	"net/netip"
	"net/url"
	"slices"
)

// gate bounds the deliveries in flight to one callback host.
type gate struct {
	slots chan struct{}
	users int // waiting or holding a slot: the gate goes with the last
}

// gateKeys are the gates a delivery to u, dialling addrs, enters, in
// order: its callback host's (the registrable domain of a name, see
// hostKey) and each address's (an IPv6 address's /64, the block one
// site is given), each once.
func gateKeys(u *url.URL, addrs []netip.Addr) []string {
	keys := []string{hostKey(u)}
	for _, a := range addrs {
		a = a.WithZone("")
		if a.Is6() {
			a = netip.PrefixFrom(a, 64).Masked().Addr()
		}
		keys = append(keys, a.String())
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// enterHosts waits for a delivery slot of each gate of keys, in their
// order (the same for all, so that no two deliveries wait on each
// other), and reports false if the hub closed first; leaveHosts gives
// them back.
func (h *Hub) enterHosts(keys []string) bool {
	for i, k := range keys {
		if !h.enterHost(k) {
			h.leaveHosts(keys[:i])
			return false
		}
	}
	return true
}

func (h *Hub) leaveHosts(keys []string) {
	for _, k := range keys {
		h.leaveHost(k)
	}
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
