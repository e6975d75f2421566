package hub

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/seedfeed/seedfeed/storage"
)

// hostKey is the callback host that the limits count: an IPv4 literal
// in its canonical form (an IPv4-mapped IPv6 address as the IPv4
// address), so that the spellings of one address are one host, and an
// IPv6 literal's /64 (without zone), which one site has for nothing; or
// a name's registrable domain (eTLD+1: example.org for a.b.example.org,
// user.github.io for a.user.github.io), in lower-case ASCII, so that
// the names a wildcard DNS record gives for nothing are one host too;
// or a name that has none (localhost) as it is.
func hostKey(u *url.URL) string {
	name := u.Hostname()
	if a, err := netip.ParseAddr(name); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			// The block one site is given, as the delivery gates count.
			return netip.PrefixFrom(a, 64).Masked().String()
		}
		return a.String()
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if ascii, err := idna.Lookup.ToASCII(name); err == nil {
		name = ascii
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
		return d
	}
	return name
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

// entry is a subscription as the limits count it, and as its
// deliveries are made.
type entry struct {
	host     string
	expires  time.Time
	callback *url.URL // parsed once, by track; read only
	secret   string
	// failing says its last delivery attempt failed: its next takes a
	// retry's slot, even if it is a new publication's first.
	failing bool
}

// track counts sub, live or renewed, in the limits; untrack forgets
// the subscription p.
func (h *Hub) track(sub storage.Subscription) {
	u, err := url.Parse(sub.Callback)
	if err != nil {
		return // stored by ServeHTTP, which parsed it: cannot be
	}
	p := pair{sub.Topic, sub.Callback}
	h.mu.Lock()
	defer h.mu.Unlock()
	failing := h.subs[p].failing // a renewal answers no delivery
	h.forget(p)
	e := entry{hostKey(u), sub.Expires, u, sub.Secret, failing}
	h.subs[p] = e
	if h.nextExpiry.IsZero() || e.expires.Before(h.nextExpiry) {
		h.nextExpiry = e.expires
	}
	h.perHost[e.host]++
	if h.byTopic[p.topic] == nil {
		h.byTopic[p.topic] = make(map[string]bool)
	}
	h.byTopic[p.topic][p.callback] = true
}

func (h *Hub) untrack(p pair) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forget(p)
}

// forget is untrack with h.mu held.
func (h *Hub) forget(p pair) {
	e, ok := h.subs[p]
	if !ok {
		return
	}
	delete(h.subs, p)
	if delete(h.byTopic[p.topic], p.callback); len(h.byTopic[p.topic]) == 0 {
		delete(h.byTopic, p.topic)
	}
	if h.perHost[e.host]--; h.perHost[e.host] <= 0 {
		delete(h.perHost, e.host)
	}
}

// forgetExpired forgets the leases ended at now, in memory (the sweep
// drops them from the store), and notes when the next one ends: the
// requests refused, which cost their sender nothing, walk the
// subscriptions only when some lease ended since the last walk.
func (h *Hub) forgetExpired(now time.Time) {
	h.nextExpiry = time.Time{}
	for q, e := range h.subs {
		switch {
		case !e.expires.After(now):
			h.forget(q)
		case h.nextExpiry.IsZero() || e.expires.Before(h.nextExpiry):
			h.nextExpiry = e.expires
		}
	}
}

// reserve takes room for a new subscription of callback to topic, for
// the time of its verification, and refuses it beyond the limits per
// callback host and in all (the subscriptions and the rooms reserved).
// A renewal of a live lease takes no new room (release is nil), and an
// expired lease none at all. release gives the room back, once the
// subscription is stored or refused. The counts are kept in
// memory: a request reads no list of every subscription.
func (h *Hub) reserve(topic string, callback *url.URL) (release func(), err error) {
	p := pair{topic, callback.String()}
	host := hostKey(callback)
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.subs[p]; ok && e.expires.After(now) {
		return nil, nil
	}
	full := h.perHost[host]+h.reservedHost[host] >= h.opts.MaxPerHost || len(h.subs)+h.reserved >= h.opts.MaxTotal
	if full && !h.nextExpiry.IsZero() && !now.Before(h.nextExpiry) {
		h.forgetExpired(now)
	}
	if h.perHost[host]+h.reservedHost[host] >= h.opts.MaxPerHost {
		return nil, fmt.Errorf("too many subscriptions for callback host %s", host)
	}
	if len(h.subs)+h.reserved >= h.opts.MaxTotal {
		return nil, errors.New("the hub holds all the subscriptions it takes")
	}
	h.reserved++
	h.reservedHost[host]++
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.reserved--
			if h.reservedHost[host]--; h.reservedHost[host] <= 0 {
				delete(h.reservedHost, host)
			}
		})
	}, nil
}
