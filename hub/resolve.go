package hub

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// How long a name's addresses are kept (dnsTTL), or its failed lookup
// (dnsFailTTL: the fan-out under way shares it, the next publication
// asks again), for at most dnsNames names.
const (
	dnsTTL     = 30 * time.Second
	dnsFailTTL = time.Second
	dnsNames   = 1024
)

// maxDialled is how many of a name's addresses a delivery tries (see
// dialPinned) and gates: more are rare, and the header time would not
// let a delivery try them all.
const maxDialled = 8

// dnsCache keeps recent lookups of callback names, so that the
// deliveries of a publication to the callbacks of one name make one
// lookup, not one each.
type dnsCache struct {
	resolver *net.Resolver
	flight   singleflight.Group
	mu       sync.Mutex
	names    map[string]lookup
}

// lookup is a name's addresses, or why it has none, until expires.
type lookup struct {
	addrs   []netip.Addr
	err     error
	expires time.Time
}

// resolve returns the addresses a delivery to u dials (see dialPinned):
// an IP literal's own, else what the resolver says of the name, at
// most maxDialled, each once. The delivery gates are chosen by them,
// so that the names of one machine, which cost an attacker nothing
// (wildcard DNS), share its slots.
func (h *Hub) resolve(u *url.URL) ([]netip.Addr, error) {
	name := u.Hostname()
	if a, err := netip.ParseAddr(name); err == nil {
		return []netip.Addr{a.Unmap()}, nil // a link-local's zone kept
	}
	c := &h.dns
	key := strings.ToLower(name)
	now := time.Now()
	c.mu.Lock()
	l, ok := c.names[key]
	c.mu.Unlock()
	if ok && now.Before(l.expires) {
		return l.addrs, l.err
	}
	v, _, _ := c.flight.Do(key, func() (any, error) {
		l := h.lookup(name)
		if h.ctx.Err() == nil {
			c.keep(key, l)
		}
		return l, nil
	})
	l = v.(lookup)
	return l.addrs, l.err
}

// lookup asks the resolver for name's addresses.
func (h *Hub) lookup(name string) lookup {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.HeaderTimeout)
	defer cancel()
	found, err := h.dns.resolver.LookupNetIP(ctx, "ip", name)
	var out []netip.Addr
	for _, a := range found {
		a = a.Unmap().WithZone("")
		if len(out) < maxDialled && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if err == nil && len(out) == 0 {
		err = errors.New("lookup " + name + ": no address")
	}
	if err != nil {
		return lookup{err: err, expires: time.Now().Add(dnsFailTTL)}
	}
	return lookup{addrs: out, expires: time.Now().Add(dnsTTL)}
}

// keep stores l as key's, making room when the cache is full: the
// expired go, else one at random.
func (c *dnsCache) keep(key string, l lookup) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) >= dnsNames {
		now := time.Now()
		for k, old := range c.names {
			if !now.Before(old.expires) {
				delete(c.names, k)
			}
		}
		for k := range c.names {
			if len(c.names) < dnsNames {
				break
			}
			delete(c.names, k)
		}
	}
	c.names[key] = l
}
