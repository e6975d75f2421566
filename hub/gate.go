package hub

import (
	"cmp"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// gate bounds the deliveries in flight to one callback host.
type gate struct {
	slots chan struct{}
	users int // waiting or holding a slot: the gate goes with the last
}

// gateKeys are the gates a delivery to u, dialling addrs, enters, in
// this order, each once: its callback host's, for a name (its registrable
// domain, see hostKey); each endpoint's, address and port, so that
// callbacks of others pointed at a subscriber's address on another port
// (one that hangs) do not take its slots; and each address's (an IPv6
// address's /64, the block one site is given), larger (see gateSize),
// so that one machine's ports hold half the hub's slots at most.
func gateKeys(u *url.URL, addrs []netip.Addr) []string {
	var keys []string
	if _, err := netip.ParseAddr(u.Hostname()); err != nil {
		keys = append(keys, "host "+hostKey(u))
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	for _, a := range addrs {
		a = a.WithZone("")
		keys = append(keys, "dial "+net.JoinHostPort(a.String(), port))
		if a.Is6() {
			a = netip.PrefixFrom(a, 64).Masked().Addr()
		}
		keys = append(keys, "addr "+a.String())
	}
	// Narrow before broad: a delivery waiting for a gate holds those it
	// entered before, which must not be a machine's.
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(gateRank(a), gateRank(b)), strings.Compare(a, b))
	})
	return slices.Compact(keys)
}

func gateRank(key string) int {
	return strings.Index("host dial addr ", key[:5])
}

// gateSize is how many deliveries the gate key lets through at once:
// PerHost, or for an address's, half Concurrency (at least PerHost).
func (h *Hub) gateSize(key string) int {
	if strings.HasPrefix(key, "addr ") {
		return max(h.opts.PerHost, h.opts.Concurrency/2)
	}
	return h.opts.PerHost
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
		g = &gate{slots: make(chan struct{}, h.gateSize(host))}
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
