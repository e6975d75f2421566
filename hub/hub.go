package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// Store is what the hub keeps in the database: subscriptions and the
// deliveries owed (storage.Store has these methods).
type Store interface {
	PutSubscription(storage.Subscription) error
	RemoveSubscription(topic, callback string) error
	RemoveSubscriptionIf(topic, callback string, expires time.Time) (bool, error)
	Subscription(topic, callback string) (storage.Subscription, error)
	Subscriptions(topic string) ([]storage.Subscription, error)
	AllSubscriptions() ([]storage.Subscription, error)
	UpdateDeliveries(...storage.DeliveryChange) error
	PendingDeliveries() ([]storage.Delivery, error)
}

// Options configure a Hub. Zero values take the defaults named.
type Options struct {
	// URL is the hub's own URL, sent as Link rel="hub" with each
	// delivery.
	URL string
	// Topic reports whether topic is one of the feeds this hub serves:
	// a subscription to any other is refused. Required.
	Topic func(topic string) bool
	// Content returns the current document of topic, for deliveries
	// still owed at a restart, before the topic is published again; nil,
	// or ok false, leaves them until the next Publish of the topic.
	Content func(topic string) (body []byte, contentType string, ok bool)
	// Logger receives the hub's events; nil discards them.
	Logger *slog.Logger
	// AllowPrivate lets callbacks resolve to loopback, private,
	// link-local and other non-public addresses (tests, intranets).
	AllowPrivate bool

	// DefaultLease is a subscription's lease when the subscriber asks
	// for none (10 days); MinLease and MaxLease bound what it may ask
	// for (1 hour, 30 days).
	DefaultLease, MinLease, MaxLease time.Duration
	// MaxPerHost and MaxTotal bound the subscriptions, per callback
	// host and in all (100, 10,000); MaxVerifying the verifications in
	// flight (100), MaxVerifyingPerHost those to one callback host (4).
	MaxPerHost, MaxTotal, MaxVerifying, MaxVerifyingPerHost int
	// Concurrency bounds the deliveries in flight (32); PerHost those to
	// one callback host (a quarter of Concurrency, at least 1): to a
	// name's registrable domain, and to each address and port it
	// resolves to, so that one party's callbacks that never answer,
	// under any number of names, hold no more, and others' pointed at a
	// subscriber's address on another port take none of its slots; to
	// each address (an IPv6 address's /64), on all its ports, half of
	// Concurrency (at least PerHost). A delivery's answer is read for a
	// second at most after its headers. A delivery retried after a
	// failure, or the first of a publication to a subscriber whose last
	// attempt failed, waits for one of its own smaller set of slots (a
	// quarter of Concurrency), so that failing subscribers leave the
	// others room.
	Concurrency, PerHost int
	// Timeout bounds each request to a subscriber: verification or
	// delivery, from dial to the end of the response read (10 s).
	// HeaderTimeout bounds the connect, over all the addresses of a
	// delivery's callback, and then the wait for its response headers
	// (3 s each, at most Timeout): a callback that never answers lets
	// go of its slot soon.
	// VerifyTimeout bounds a verification of intent, an echo (3 s, at
	// most Timeout).
	Timeout, HeaderTimeout, VerifyTimeout time.Duration
	// RetryBase is the wait after a delivery's first failure, doubled at
	// each next one up to RetryMax (10 s, 1 hour); a delivery is given
	// up after MaxAttempts failures (12).
	RetryBase, RetryMax time.Duration
	MaxAttempts         int
	// SweepEvery is the time between two sweeps of the subscriptions
	// whose lease ended (1 hour): they leave the store, the limits and
	// the list of subscriptions even if their topic is not published.
	SweepEvery time.Duration

	// resolver looks callback names up (tests); nil is net's default.
	resolver *net.Resolver
}

func (o *Options) defaults() {
	dur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	num := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	dur(&o.DefaultLease, 10*24*time.Hour)
	dur(&o.MinLease, time.Hour)
	dur(&o.MaxLease, 30*24*time.Hour)
	dur(&o.Timeout, 10*time.Second)
	dur(&o.RetryBase, 10*time.Second)
	dur(&o.RetryMax, time.Hour)
	num(&o.MaxPerHost, 100)
	num(&o.MaxTotal, 10000)
	num(&o.MaxVerifying, 100)
	num(&o.MaxVerifyingPerHost, 4)
	num(&o.Concurrency, 32)
	num(&o.PerHost, max(1, o.Concurrency/4))
	dur(&o.HeaderTimeout, min(3*time.Second, o.Timeout))
	o.HeaderTimeout = min(o.HeaderTimeout, o.Timeout)
	dur(&o.VerifyTimeout, 3*time.Second)
	o.VerifyTimeout = min(o.VerifyTimeout, o.Timeout)
	num(&o.MaxAttempts, 12)
	dur(&o.SweepEvery, time.Hour)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Stats counts the hub's events since it was made.
type Stats struct {
	// Subscribed and Unsubscribed count verified requests, Refused the
	// verifications that failed and the requests refused beyond the
	// limits (403, 503).
	Subscribed, Unsubscribed, Refused int64
	// Delivered counts deliveries a subscriber took (2xx), Failed the
	// attempts that failed, Gone the subscriptions a 410 ended, GivenUp
	// the deliveries dropped after MaxAttempts, Expired the
	// subscriptions dropped at the end of their lease.
	Delivered, Failed, Gone, GivenUp, Expired int64
	// Subscriptions counts the subscriptions whose lease has not ended,
	// now.
	Subscriptions int64
}

type counters struct {
	subscribed, unsubscribed, refused         atomic.Int64
	delivered, failed, gone, givenUp, expired atomic.Int64
}

// Hub is a WebSub hub for its own topics: it serves subscription
// requests (ServeHTTP) and delivers what is published (Publish). Its
// methods are safe for concurrent use.
type Hub struct {
	store  Store
	opts   Options
	log    *slog.Logger
	client *http.Client

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{} // deliveries in flight
	retry  chan struct{} // deliveries in flight that failed before
	verify chan struct{} // verifications in flight
	rec    *recorder
	dns    dnsCache

	mu     sync.Mutex
	closed bool
	docs   map[string]doc   // each topic's newest document
	queues map[pair]*queue  // subscribers with a delivery owed
	hosts  map[string]*gate // deliveries in flight by callback host
	// verifying counts the verifications in flight by callback host;
	// verifyingPairs holds the subscriptions they are for: a second
	// request for one is refused (503) until the first is carried out,
	// so that their store writes and counts cannot interleave.
	verifying      map[string]int
	verifyingPairs map[pair]bool
	// subs and perHost count the subscriptions for the limits.
	subs    map[pair]entry
	perHost map[string]int
	byTopic map[string]map[string]bool // callbacks of subs, by topic
	// reserved and reservedHost count the rooms taken by subscriptions
	// being verified, in all and by callback host.
	reserved     int
	reservedHost map[string]int
	// nextExpiry is at most the end of the first lease of subs, zero
	// when there is none: reserve walks subs for the leases ended only
	// once it is past.
	nextExpiry time.Time
	n          counters
}

// New returns a hub keeping its state in store. It drops the expired
// subscriptions and resumes the deliveries owed. Close stops it.
func New(store Store, opts Options) (*Hub, error) {
	if opts.Topic == nil {
		return nil, errors.New("new hub: no Topic func")
	}
	opts.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		store:     store,
		opts:      opts,
		log:       opts.Logger,
		client:    newClient(opts.Timeout, opts.HeaderTimeout, opts.AllowPrivate),
		ctx:       ctx,
		cancel:    cancel,
		sem:       make(chan struct{}, opts.Concurrency),
		retry:     make(chan struct{}, max(1, opts.Concurrency/4)),
		hosts:     make(map[string]*gate),
		verifying: make(map[string]int),

		verifyingPairs: make(map[pair]bool),
		subs:           make(map[pair]entry),
		perHost:        make(map[string]int),
		byTopic:        make(map[string]map[string]bool),

		reservedHost: make(map[string]int),
		verify:       make(chan struct{}, opts.MaxVerifying),
		docs:         make(map[string]doc),
		queues:       make(map[pair]*queue),
		rec:          newRecorder(),
		dns:          dnsCache{resolver: opts.resolver, names: make(map[string]lookup)},
	}
	if h.dns.resolver == nil {
		h.dns.resolver = net.DefaultResolver
	}
	go h.recordLoop()
	all, err := store.AllSubscriptions()
	if err == nil {
		all, err = h.live(all)
	}
	for _, sub := range all {
		h.track(sub)
	}
	if err == nil {
		err = h.resume()
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("new hub: %w", err)
	}
	h.spawn(h.sweepLoop)
	return h, nil
}

// sweepLoop drops the expired subscriptions every SweepEvery, until
// Close.
func (h *Hub) sweepLoop() {
	t := time.NewTicker(h.opts.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		all, err := h.store.AllSubscriptions()
		if err == nil {
			_, err = h.live(all)
		}
		if err != nil {
			h.log.Error("websub: cannot sweep the expired subscriptions", "err", err)
		}
	}
}

// Close stops the hub: requests to subscribers in flight are cancelled
// and Close waits for them. The deliveries owed stay in the store, for
// the next hub.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	close(h.rec.stop)
	<-h.rec.stopped
	h.client.CloseIdleConnections()
	return nil
}

// Stats returns the hub's counts.
func (h *Hub) Stats() Stats {
	var live int64
	now := time.Now()
	h.mu.Lock()
	for _, e := range h.subs {
		if e.expires.After(now) {
			live++
		}
	}
	h.mu.Unlock()
	return Stats{
		Subscriptions: live,
		Subscribed:    h.n.subscribed.Load(),
		Unsubscribed:  h.n.unsubscribed.Load(),
		Refused:       h.n.refused.Load(),
		Delivered:     h.n.delivered.Load(),
		Failed:        h.n.failed.Load(),
		Gone:          h.n.gone.Load(),
		GivenUp:       h.n.givenUp.Load(),
		Expired:       h.n.expired.Load(),
	}
}

// spawn runs fn in a goroutine that Close waits for, unless the hub is
// closed.
func (h *Hub) spawn(fn func()) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		fn()
	}()
	return true
}

// live returns the subscriptions of subs whose lease has not ended, and
// removes the others from the store, unless renewed since.
func (h *Hub) live(subs []storage.Subscription) ([]storage.Subscription, error) {
	now := time.Now()
	out := subs[:0]
	for _, sub := range subs {
		if sub.Expires.After(now) {
			out = append(out, sub)
			continue
		}
		removed, err := h.drop(sub)
		if err != nil {
			return nil, err
		}
		if removed {
			h.n.expired.Add(1)
			h.log.Info("websub subscription expired", "topic", sub.Topic, "callback", Redact(sub.Callback))
		}
	}
	return out, nil
}

// drop removes sub from the store and the limits, as it was read: not
// a renewal of it stored since, which its end (a 410 or the lease's)
// must not take with it. It reports whether it removed it.
func (h *Hub) drop(sub storage.Subscription) (bool, error) {
	removed, err := h.store.RemoveSubscriptionIf(sub.Topic, sub.Callback, sub.Expires)
	if err != nil {
		return false, err
	}
	p := pair{sub.Topic, sub.Callback}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.subs[p]; ok && e.expires.Equal(sub.Expires) {
		h.forget(p)
	}
	return removed, nil
}

// sleep waits until t, and reports false if the hub closed first.
func (h *Hub) sleep(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return h.ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-h.ctx.Done():
		return false
	}
}

// Topics returns the topics that have a subscriber whose lease has not
// ended, each once, in order: the feeds worth publishing.
func (h *Hub) Topics() ([]string, error) {
	now := time.Now()
	seen := make(map[string]bool)
	h.mu.Lock()
	for p, e := range h.subs {
		if e.expires.After(now) {
			seen[p.topic] = true
		}
	}
	h.mu.Unlock()
	return slices.Sorted(maps.Keys(seen)), nil
}
