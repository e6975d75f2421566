package hub

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
)

// gate bounds the deliveries in flight to one callback host.
type gate struct {
	slots chan struct{}
	users int // waiting or holding a slot: the gate goes with the last
}

// maxDialled is how many of a callback host's addresses a delivery
// tries: the first, and the first of the other family (IPv4 or IPv6).
const maxDialled = 2

// resolve returns the addresses a delivery to u dials (see dialAddrs):
// an IP literal's own, else what the resolver says of the name. The
// delivery gates are chosen by them, so that the names of one machine,
// which cost an attacker nothing (wildcard DNS), share its slots.
func (h *Hub) resolve(u *url.URL) ([]netip.Addr, error) {
	name := u.Hostname()
	if a, err := netip.ParseAddr(name); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.HeaderTimeout)
	defer cancel()
	found, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range found {
		a = a.Unmap()
		if len(out) == 0 || (len(out) < maxDialled && a.Is4() != out[0].Is4()) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("lookup " + name + ": no address")
	}
	return out, nil
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
