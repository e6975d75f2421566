package hub

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// doc is a topic's newest document.
type doc struct {
	body        []byte
	contentType string
}

// pair names a subscription: a topic and a callback.
type pair struct{ topic, callback string }

// queue is a subscriber owed a delivery. One goroutine (run) serves it,
// so that one subscriber's slowness delays only itself.
type queue struct {
	attempts int       // failed so far
	next     time.Time // when the next attempt is due
	// dirty says the topic was published again since the attempt under
	// way began: once it succeeds, the newer version is owed.
	dirty bool
}

// outcome is what came of a delivery attempt.
type outcome int

const (
	delivered outcome = iota
	failed
	gone    // 410: the subscriber ended the subscription
	orphan  // there is nothing to send yet
	ended   // the subscription is gone or expired
	stopped // the hub closed
)

// Publish tells the hub that topic's document is now body, of type
// contentType: the hub posts it to each live subscriber of topic, in
// the background. Before it returns, the deliveries owed are in the
// store, in one transaction for the whole fan-out, so that a crash
// after the caller records the topic as published loses none; an error
// says the write that took them failed (they stay to be written again).
// It never waits on a subscriber; a subscriber still owed an older
// version gets this one instead.
func (h *Hub) Publish(topic string, body []byte, contentType string) error {
	d := doc{bytes.Clone(body), contentType}
	now := time.Now().UTC()
	var fresh []pair
	var owed []storage.Delivery
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return errClosed
	}
	h.docs[topic] = d
	for cb := range h.byTopic[topic] {
		p := pair{topic, cb}
		if !h.subs[p].expires.After(now) {
			continue // dropped by the sweep or at its next attempt
		}
		q, ok := h.queues[p]
		if ok {
			q.dirty = true
		} else {
			q = &queue{next: now}
			h.queues[p] = q
			fresh = append(fresh, p)
		}
		// A queued one is owed again, as it stands: the write of its
		// record may have failed.
		owed = append(owed, storage.Delivery{Topic: topic, Callback: cb, Attempts: q.attempts, Next: q.next})
	}
	var written <-chan error
	if len(owed) > 0 {
		// Under mu: after any settled of an older queue of these; in one
		// record, so that no write takes part of the fan-out only.
		written = h.owe(owed...)
	}
	h.mu.Unlock()
	if len(owed) == 0 {
		return nil
	}
	// Written before the first attempt, so that its end comes after.
	h.flush()
	err := <-written
	for _, p := range fresh {
		if !h.spawn(func() { h.run(p) }) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// errClosed is Publish's error once Close was called.
var errClosed = errors.New("the hub is closed")

// resume starts the deliveries the store says are owed.
func (h *Hub) resume() error {
	pending, err := h.store.PendingDeliveries()
	if err != nil {
		return err
	}
	for _, d := range pending {
		p := pair{d.Topic, d.Callback}
		h.mu.Lock()
		h.queues[p] = &queue{attempts: d.Attempts, next: d.Next}
		h.mu.Unlock()
		h.spawn(func() { h.run(p) })
	}
	return nil
}

// run delivers to p until it is delivered, given up or the hub closes;
// it is the only goroutine serving p's queue.
func (h *Hub) run(p pair) {
	for {
		h.mu.Lock()
		q := h.queues[p]
		next := q.next
		h.mu.Unlock()
		if !h.sleep(next) {
			return // what is owed stays in the store
		}
		h.mu.Lock()
		q.dirty = false
		d, ok := h.docs[p.topic]
		retry := q.attempts > 0 || h.subs[p].failing
		h.mu.Unlock()
		out, sub := orphan, storage.Subscription{}
		if ok || h.content(p.topic, &d) {
			out, sub = h.attempt(p, d, retry)
		}
		if !h.settle(p, q, out, sub) {
			return
		}
	}
}

// content fills d with topic's current document from Options.Content,
// for a delivery resumed before the topic was published again.
func (h *Hub) content(topic string, d *doc) bool {
	if h.opts.Content == nil {
		return false
	}
	body, ct, ok := h.opts.Content(topic)
	if ok {
		*d = doc{body, ct}
	}
	return ok
}

// settle records the outcome of an attempt for p, made for the
// subscription sub, and reports whether another attempt follows.
func (h *Hub) settle(p pair, q *queue, out outcome, sub storage.Subscription) bool {
	var err error
	switch out {
	case failed:
		h.mu.Lock()
		h.setFailing(p, true)
		q.attempts++
		give := q.attempts >= h.opts.MaxAttempts
		q.next = time.Now().UTC().Add(h.backoff(q.attempts))
		d := storage.Delivery{Topic: p.topic, Callback: p.callback, Attempts: q.attempts, Next: q.next}
		if give {
			delete(h.queues, p)
			h.settled(p) // under mu: before a newer queue's owe
		}
		h.mu.Unlock()
		if give {
			h.n.givenUp.Add(1)
			h.log.Warn("websub delivery given up", "topic", p.topic, "callback", Redact(p.callback), "attempts", d.Attempts)
			return false
		}
		h.owe(d)
		return true
	case gone, ended:
		h.mu.Lock()
		delete(h.queues, p)
		h.settled(p) // after any owe recorded before, which a late write would restore
		h.mu.Unlock()
		if out == gone {
			_, err = h.drop(sub) // not a renewal verified meanwhile
			h.n.gone.Add(1)      // once it is ended, so that Stats tell
		}
	case delivered, orphan:
		return h.done(p, q, out == delivered)
	case stopped:
		return false // what is owed stays in the store
	}
	if err != nil {
		h.log.Error("websub delivery", "topic", p.topic, "callback", Redact(p.callback), "err", err)
	}
	return false
}

// done ends p's queue once what was owed is delivered (or there is
// nothing to deliver), unless the topic was published again meanwhile:
// then the newer version is owed, at once.
func (h *Hub) done(p pair, q *queue, delivered bool) bool {
	h.mu.Lock()
	if delivered {
		h.setFailing(p, false)
	}
	if q.dirty && delivered {
		q.attempts, q.next = 0, time.Now()
		h.mu.Unlock()
		return true
	}
	if !delivered {
		// Nothing to send yet (a delivery resumed before its topic was
		// published again): it stays owed in the store, for the next hub
		// or the next Publish.
		if q.dirty {
			q.next = time.Now()
			h.mu.Unlock()
			return true
		}
		delete(h.queues, p)
		h.mu.Unlock()
		return false
	}
	delete(h.queues, p)
	h.settled(p) // under mu: before a newer queue's owe
	h.mu.Unlock()
	return false
}

// setFailing notes whether p's last delivery attempt failed, with h.mu
// held.
func (h *Hub) setFailing(p pair, failing bool) {
	if e, ok := h.subs[p]; ok {
		e.failing = failing
		h.subs[p] = e
	}
}

// backoff is the wait after the nth failure: RetryBase doubled n-1
// times, at most RetryMax, give or take a half at random, so that
// subscribers that failed together do not retry together.
func (h *Hub) backoff(n int) time.Duration {
	d := h.opts.RetryBase
	for i := 1; i < n && d < h.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, h.opts.RetryMax)
	return d/2 + rand.N(d)
}

// attempt posts d to p's subscriber, if the subscription is still live,
// once its callback host has a slot free and the hub one, from the
// retries' slots when retry. It returns the subscription it posted for.
func (h *Hub) attempt(p pair, d doc, retry bool) (outcome, storage.Subscription) {
	// From memory, which track and untrack keep in step with the store:
	// a read of the store for each delivery was a tenth of a fan-out's
	// CPU. The lease's end is as stored, for drop's compare-and-delete.
	h.mu.Lock()
	e, ok := h.subs[p]
	h.mu.Unlock()
	if !ok {
		return ended, storage.Subscription{} // unsubscribed, gone or swept
	}
	sub := storage.Subscription{Topic: p.topic, Callback: p.callback, Secret: e.secret, Expires: e.expires}
	if !e.expires.After(time.Now()) {
		if _, err := h.live([]storage.Subscription{sub}); err != nil {
			h.log.Error("websub expire", "topic", p.topic, "callback", Redact(p.callback), "err", err)
		}
		return ended, sub
	}
	u := e.callback
	addrs, err := h.resolve(u)
	if err == nil {
		keys := gateKeys(u, addrs)
		if !h.enterHosts(keys) {
			return stopped, sub
		}
		defer h.leaveHosts(keys)
		pool, ok := h.enterPool(retry)
		if !ok {
			return stopped, sub
		}
		defer func() { <-pool }()
		err = h.post(sub, d, addrs)
	}
	log := h.log.With("topic", p.topic, "callback", Redact(p.callback))
	switch {
	case h.ctx.Err() != nil:
		return stopped, sub
	case err == nil:
		h.n.delivered.Add(1)
		log.Debug("websub delivered")
		return delivered, sub
	case errors.Is(err, errGone):
		log.Info("websub subscription gone")
		return gone, sub
	default:
		h.n.failed.Add(1)
		log.Info("websub delivery failed", "err", err)
		return failed, sub
	}
}

// errGone is a subscriber's 410: it wants no more.
var errGone = errors.New("410 Gone")

// post sends d to sub's callback (WebSub 7), dialling one of addrs:
// the whole document, its type, the hub's and the topic's links, and a
// signature when the subscriber gave a secret.
func (h *Hub) post(sub storage.Subscription, d doc, addrs []netip.Addr) error {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.Timeout)
	defer cancel()
	ctx = context.WithValue(ctx, dialAddrs{}, addrs)
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Callback, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	if d.contentType != "" {
		r.Header.Set("Content-Type", d.contentType)
	}
	r.Header.Add("Link", "<"+h.opts.URL+`>; rel="hub"`)
	r.Header.Add("Link", "<"+sub.Topic+`>; rel="self"`)
	if sub.Secret != "" {
		m := hmac.New(sha256.New, []byte(sub.Secret))
		m.Write(d.body)
		r.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := h.client.Do(r)
	if err != nil {
		return redactErr(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		// Read a little, briefly, so that the connection may serve the
		// next delivery: the status said all, and a callback that
		// trickles its answer holds its slots no longer.
		stop := time.AfterFunc(answerTimeout, cancel)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		stop.Stop()
		return nil
	case resp.StatusCode == http.StatusGone:
		return errGone
	default:
		return errors.New("callback answered " + resp.Status)
	}
}

// What the hub reads of a delivery's answer after its headers: a
// subscriber has nothing to say in it.
const (
	maxAnswer     = 4 << 10
	answerTimeout = time.Second
)
