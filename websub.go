package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/hub"
	"github.com/seedfeed/seedfeed/storage"
)

// publisher tells WebSub subscribers of every change of a topic's bytes
// (a subscription feed's, see feed.Handler.Topic): through the built-in
// hub, or by pinging an external one (-hub). It runs after each refresh
// of the feeds, on a goroutine of its own, so that neither publishing
// nor serving waits for it; a refresh during a pass asks for one more.
type publisher struct {
	hub   *hub.Hub // nil with an external hub
	ext   string   // the external hub's URL, "" for the built-in hub
	feed  *feed.Handler
	store *storage.Store
	log   *slog.Logger
	base  string // the site's base URL
	ping  func(ok bool)

	kick     chan struct{}              // a pass is wanted
	version  uint64                     // the store's version the last pass saw
	recent   map[storage.List]time.Time // lists a write touched, until when they are candidates
	allUntil time.Time                  // until when every list is a candidate
	digests  map[string]string          // by topic, of the bytes last published
	started  bool                       // a pass ran: the next need not consider every topic
	client   *http.Client
	pings    sync.WaitGroup
	sem      chan struct{} // pings in flight

	pmu     sync.Mutex
	pinging map[string]bool // topics pinged or waiting to be, true if changed again meanwhile
}

// Limits on pinging an external hub: the attempts of each ping, the
// wait after the first failure (doubled after each next), the time each
// attempt may take, and the pings in flight.
const (
	pingAttempts = 3
	pingBackoff  = time.Second
	pingTimeout  = 10 * time.Second
	pingsAtOnce  = 4
)

func newPublisher(h *hub.Hub, ext string, fh *feed.Handler, store *storage.Store, base string, logger *slog.Logger, ping func(bool)) (*publisher, error) {
	digests, err := store.TopicDigests()
	if err != nil {
		return nil, fmt.Errorf("websub: %w", err)
	}
	return &publisher{
		hub: h, ext: ext, feed: fh, store: store, log: logger, base: base, ping: ping,
		kick: make(chan struct{}, 1), digests: digests, recent: make(map[storage.List]time.Time),
		client: &http.Client{Timeout: pingTimeout}, sem: make(chan struct{}, pingsAtOnce),
		pinging: make(map[string]bool),
	}, nil
}

// changed asks for a pass, without waiting: the handler's OnRender.
func (p *publisher) changed() {
	select {
	case p.kick <- struct{}{}:
	default: // one is asked for already
	}
}

// run makes a pass at once (what changed while no daemon ran), and then
// one per request, until ctx is done; it waits for the pings in flight.
func (p *publisher) run(ctx context.Context) error {
	defer p.pings.Wait()
	p.pass(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
			p.pass(ctx)
		}
	}
}

// pass publishes each topic whose bytes differ from those last
// published, and records their digests.
func (p *publisher) pass(ctx context.Context) {
	topics, err := p.topics()
	if err != nil {
		p.log.Error("websub: cannot list the topics", "err", err)
		return
	}
	done := make(map[string]string)
	for _, t := range topics {
		body, ctype, ok, err := p.feed.Topic(t)
		if err != nil {
			p.log.Error("websub: cannot render a topic", "topic", t, "err", err)
			continue
		}
		if !ok {
			continue // a list no article is in any more
		}
		sum := sha256.Sum256(body)
		digest := hex.EncodeToString(sum[:])
		if p.digests[t] == digest {
			continue
		}
		if p.hub != nil {
			// The digest is recorded only once the deliveries it owes
			// are: else a crash between would lose them for good.
			if err := p.hub.Publish(t, body, ctype); err != nil {
				p.log.Error("websub: cannot publish a topic", "topic", t, "err", err)
				continue
			}
		} else {
			p.pingHub(ctx, t)
		}
		p.digests[t], done[t] = digest, digest
	}
	if len(done) > 0 {
		if err := p.store.PutTopicDigests(done); err != nil {
			p.log.Error("websub: cannot store the topics' digests", "err", err)
		}
	}
}

// recentFor is how long a list a write touched stays a candidate of
// the passes: the feed handler renders after the store is written, and
// a pass may come between. The digests keep a topic seen again from
// being published twice.
const recentFor = time.Minute

// topics are the topics that may have changed since the last pass: the
// main feeds and those of the lists a write touched lately (every
// list's at the first pass, or when the store cannot say which). With the built-in hub, only
// those that have a subscriber.
func (p *publisher) topics() ([]string, error) {
	now := time.Now()
	c := p.store.ChangesSince(p.version)
	p.version = c.Version
	if c.All {
		p.allUntil = now.Add(recentFor)
	}
	for l := range c.Lists {
		p.recent[l] = now.Add(recentFor)
	}
	for l, until := range p.recent {
		if now.After(until) {
			delete(p.recent, l)
		}
	}
	// The first pass considers every topic, against the digests
	// stored: a setting changed while no daemon ran (-title) changes
	// every list's feeds, and the store's change log does not say so.
	all := now.Before(p.allUntil) || !p.started
	p.started = true
	var subscribed map[string]bool
	var searches []string // subscribed search feeds: any change may change them
	if p.hub != nil {
		ts, err := p.hub.Topics()
		if err != nil || all {
			return ts, err
		}
		subscribed = make(map[string]bool, len(ts))
		for _, t := range ts {
			subscribed[t] = true
			if p.feed.IsSearchTopic(t) {
				searches = append(searches, t)
			}
		}
	}
	lists, err := p.lists(all)
	if err != nil {
		return nil, err
	}
	topics := searches
	for _, l := range lists {
		for _, f := range []feed.Format{feed.Atom, feed.RSS, feed.JSON} {
			if t := feed.ListFeedURL(p.base, l, f); subscribed == nil || subscribed[t] {
				topics = append(topics, t)
			}
		}
	}
	return topics, nil
}

// lists returns the main list, and every other list when all, else
// those a write touched lately.
func (p *publisher) lists(all bool) ([]storage.List, error) {
	lists := []storage.List{{}}
	if !all {
		for l := range p.recent {
			if l.Kind != storage.Main {
				lists = append(lists, l)
			}
		}
		return lists, nil
	}
	for _, k := range []storage.Kind{storage.Section, storage.Category} {
		infos, err := p.store.Lists(k)
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			lists = append(lists, info.List)
		}
	}
	return lists, nil
}

// pingHub tells the external hub that topic changed (WebSub's common
// hub.mode=publish), in the background: a few attempts, each bounded in
// time, a few pings at once. Changes of a topic while its ping waits or
// runs make one more ping after it, not one each: the hub fetches the
// topic anyway, and a burst of articles should not become a burst of
// pings.
func (p *publisher) pingHub(ctx context.Context, topic string) {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	if _, busy := p.pinging[topic]; busy {
		p.pinging[topic] = true
		p.log.Debug("websub: a ping of this topic is under way; one more follows it", "topic", topic)
		return
	}
	p.pinging[topic] = false
	p.pings.Go(func() {
		for {
			p.pingOnce(ctx, topic)
			p.pmu.Lock()
			again := p.pinging[topic] && ctx.Err() == nil
			if again {
				p.pinging[topic] = false
			} else {
				delete(p.pinging, topic)
			}
			p.pmu.Unlock()
			if !again {
				return
			}
		}
	})
}

// pingOnce pings the hub about topic, retrying a failure a few times.
func (p *publisher) pingOnce(ctx context.Context, topic string) {
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return
	}
	{
		wait := pingBackoff
		for attempt := 1; ; attempt++ {
			err := p.post(ctx, topic)
			if err == nil {
				p.ping(true)
				return
			}
			p.ping(false)
			p.log.Warn("websub: the hub refused a ping", "hub", p.ext, "topic", topic, "attempt", attempt, "err", err)
			if attempt == pingAttempts || !sleepCtx(ctx, wait) {
				return
			}
			wait *= 2
		}
	}
}

// post sends one ping; only a 2xx counts.
func (p *publisher) post(ctx context.Context, topic string) error {
	// hub.url is what most hubs read; hub.topic what some others do.
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {topic}, "hub.topic": {topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.ext, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that the connection serves the next
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the hub answered %s", resp.Status)
	}
	return nil
}

// sleepCtx waits d, and reports false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// startHub builds the built-in hub, unless -hub names an external one,
// and the publisher that tells either of each change. It comes after
// the feed handler: the hub asks it what its topics are, and their
// bytes for the deliveries a restart left owed.
func (d *daemon) startHub() error {
	if d.cfg.hub == "" {
		var err error
		d.hub, err = hub.New(d.store, hub.Options{
			URL:          d.cfg.hubURL(),
			Topic:        d.isTopic,
			Content:      d.topicContent,
			Logger:       d.log,
			AllowPrivate: d.cfg.hubAllowPrivate,
		})
		if err != nil {
			return fmt.Errorf("websub hub: %w", err)
		}
		d.metrics.websub(d.hub.Stats, d.liveSubscriptions)
	}
	var err error
	d.pub, err = newPublisher(d.hub, d.cfg.hub, d.feed, d.store, d.cfg.feed.BaseURL, d.log, d.metrics.pinged)
	if err == nil {
		d.pubReady.Store(d.pub) // for the search index's goroutine
	}
	return err
}

// maxSearchTopics bounds the searches' feeds that have subscribers: each
// is searched again at every change, so strangers' subscriptions to
// thousands of queries would make every publication cost thousands of
// searches.
var maxSearchTopics = 100

// isTopic is the hub's Options.Topic: the feeds' topics, of which at
// most maxSearchTopics searches.
func (d *daemon) isTopic(topic string) bool {
	if !d.feed.IsTopic(topic) {
		return false
	}
	if !d.feed.IsSearchTopic(topic) {
		return true
	}
	ts, err := d.hub.Topics()
	if err != nil {
		return false
	}
	n := 0
	for _, t := range ts {
		if t == topic {
			return true // subscribed already: a renewal, or another subscriber
		}
		if d.feed.IsSearchTopic(t) {
			n++
		}
	}
	return n < maxSearchTopics
}

// topicContent is the hub's Options.Content: topic's bytes now.
func (d *daemon) topicContent(topic string) ([]byte, string, bool) {
	body, ctype, ok, err := d.feed.Topic(topic)
	if err != nil {
		d.log.Error("websub: cannot render a topic", "topic", topic, "err", err)
	}
	return body, ctype, ok && err == nil
}

// liveSubscriptions counts the subscriptions whose lease has not ended,
// for the metrics: the hub's count in memory, which decodes nothing.
func (d *daemon) liveSubscriptions() float64 {
	return float64(d.hub.Stats().Subscriptions)
}

// hubRoutes are the built-in hub's route, none with an external hub.
// Every method goes to the hub, so that it answers 405 itself.
func (d *daemon) hubRoutes() []feed.Route {
	if d.hub == nil {
		return nil
	}
	return []feed.Route{{Name: "hub", Pattern: "/hub", Handler: d.hub}}
}

// controlHandler serves the control socket: what control.go serves, and
// GET /subscriptions for "list -subscriptions".
func (d *daemon) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", controlHandler(d.store, d.cfg.db, d.cfg.feed.BaseURL))
	mux.HandleFunc("GET /subscriptions", func(w http.ResponseWriter, r *http.Request) {
		subs, err := d.store.AllSubscriptions()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for i := range subs {
			subs[i].Callback = hub.Redact(subs[i].Callback)
		}
		asJSON := r.URL.Query().Get("format") == "json"
		w.Header().Set("Content-Type", map[bool]string{false: "text/plain; charset=utf-8", true: "application/x-ndjson"}[asJSON])
		// A failed write means the client went away; there is no one to tell.
		_ = writeSubscriptions(w, subs, asJSON)
	})
	return mux
}
