package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seedfeed/seedfeed/storage"
)

// Limits on what a subscriber sends and what the hub reads back.
const (
	maxRequest  = 16 << 10 // a subscription request's body
	maxURL      = 2048     // hub.callback and hub.topic
	maxSecret   = 199      // hub.secret: under 200 bytes, as the spec says
	maxResponse = 64 << 10 // what the hub reads of a subscriber's answer
)

// request is a subscription request.
type request struct {
	mode     string // "subscribe" or "unsubscribe"
	topic    string
	callback *url.URL
	lease    time.Duration // subscribe only
	secret   string
	// release gives back the room reserved for a new subscription; nil
	// for a renewal, which took none.
	release func()
}

// ServeHTTP takes a subscription or unsubscription request (a form
// POST, W3C WebSub 5.1). It answers 202 Accepted once the request is
// well formed and names a topic of this hub, and then verifies the
// subscriber's intent in the background; the answer says nothing of
// that outcome. A bad request gets a 4xx and a plain reason.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "the hub takes a form POST", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequest)
	if err := r.ParseForm(); err != nil {
		code := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, "read the form: "+err.Error(), code)
		return
	}
	// Unknown parameters are ignored, whatever their bytes.
	for _, k := range []string{"hub.mode", "hub.topic", "hub.callback", "hub.secret", "hub.lease_seconds"} {
		if slices.ContainsFunc(r.PostForm[k], notUTF8) {
			http.Error(w, "the form is not UTF-8", http.StatusBadRequest)
			return
		}
	}
	req, err := h.parse(r.PostForm)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if req.mode == "unsubscribe" && !h.subscribed(req) {
		accepted(w) // nothing to end: nothing to verify
		return
	}
	if req.mode == "subscribe" {
		if req.release, err = h.reserve(req.topic, req.callback); err != nil {
			h.n.refused.Add(1)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
	}
	host, p := hostKey(req.callback), pair{req.topic, req.callback.String()}
	if err := h.startVerify(host, p); err != nil {
		h.n.refused.Add(1)
		req.free()
		w.Header().Set("Retry-After", "60")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if !h.spawn(func() { defer h.endVerify(host, p); defer req.free(); h.confirm(&req) }) {
		req.free()
		h.endVerify(host, p)
		http.Error(w, "the hub is stopping", http.StatusServiceUnavailable)
		return
	}
	accepted(w)
}

// free gives back the room req reserved, if any.
func (req *request) free() {
	if req.release != nil {
		req.release()
	}
}

// Redact is callback as logs and lists show it: its userinfo, which
// may be a password or a token, replaced by "redacted".
func Redact(callback string) string {
	u, err := url.Parse(callback)
	if err != nil {
		return "(unreadable callback)"
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	return u.String()
}

// notUTF8 reports whether s is not valid UTF-8: a topic, callback or
// secret that is not would be stored and sent back mangled.
func notUTF8(s string) bool { return !utf8.ValidString(s) }

// accepted answers 202: the same answer whatever comes of the request.
func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintln(w, "accepted: the hub will verify the intent at the callback")
}

// subscribed reports whether req's callback has a subscription to its
// topic (or the store cannot say): an unsubscription of none is not
// verified, so that strangers cannot spend the hub's verifications.
func (h *Hub) subscribed(req request) bool {
	_, err := h.store.Subscription(req.topic, req.callback.String())
	return !errors.Is(err, storage.ErrNotFound)
}

// startVerify takes a verification slot, in all and for the callback
// host, for the subscription p, unless one is being verified for p;
// endVerify gives it back.
func (h *Hub) startVerify(host string, p pair) error {
	select {
	case h.verify <- struct{}{}:
	default:
		return errors.New("too many verifications in flight, try later")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.verifying[host] >= h.opts.MaxVerifyingPerHost {
		<-h.verify
		return fmt.Errorf("too many verifications in flight to callback host %s, try later", host)
	}
	if h.verifyingPairs[p] {
		<-h.verify
		return errors.New("a request for this callback and topic is being verified, try later")
	}
	h.verifying[host]++
	h.verifyingPairs[p] = true
	return nil
}

func (h *Hub) endVerify(host string, p pair) {
	h.mu.Lock()
	if h.verifying[host]--; h.verifying[host] <= 0 {
		delete(h.verifying, host)
	}
	delete(h.verifyingPairs, p)
	h.mu.Unlock()
	<-h.verify
}

// parse checks a request's form; parameters it does not know are
// ignored, as the spec asks.
func (h *Hub) parse(form url.Values) (request, error) {
	req := request{mode: form.Get("hub.mode"), topic: form.Get("hub.topic"), secret: form.Get("hub.secret")}
	switch req.mode {
	case "subscribe", "unsubscribe":
	case "":
		return req, errors.New("hub.mode: missing")
	default:
		return req, fmt.Errorf("hub.mode %q: want subscribe or unsubscribe", req.mode)
	}
	cb := form.Get("hub.callback")
	if cb == "" {
		return req, errors.New("hub.callback: missing")
	}
	u, err := url.Parse(cb)
	if err != nil || len(cb) > maxURL || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return req, errors.New("hub.callback: want an absolute http or https URL")
	}
	u.Fragment, u.RawFragment = "", ""
	req.callback = u
	if req.topic == "" {
		return req, errors.New("hub.topic: missing")
	}
	if len(req.topic) > maxURL || !h.opts.Topic(req.topic) {
		return req, errors.New("hub.topic: not a topic of this hub")
	}
	if len(req.secret) > maxSecret {
		return req, fmt.Errorf("hub.secret: %d bytes, want under 200", len(req.secret))
	}
	req.lease, err = h.lease(form.Get("hub.lease_seconds"))
	return req, err
}

// lease is the lease of a subscription that asked for s seconds: the
// default when s is absent, 0 or negative (the hub picks, as the spec
// lets it), else s within [MinLease, MaxLease], a number too large to
// read being MaxLease. Only s that is no whole number is refused.
func (h *Hub) lease(s string) (time.Duration, error) {
	if s == "" {
		return h.opts.DefaultLease, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(s, "-"):
		return h.opts.MaxLease, nil
	case errors.Is(err, strconv.ErrRange), err == nil && n <= 0:
		return h.opts.DefaultLease, nil
	case err != nil:
		return 0, errors.New("hub.lease_seconds: want a whole number of seconds")
	}
	d := time.Duration(min(n, int64(h.opts.MaxLease/time.Second))) * time.Second
	return min(max(d, h.opts.MinLease), h.opts.MaxLease), nil
}

// confirm verifies the intent of req at its callback (WebSub 5.3) and,
// if the subscriber confirms it, carries it out: a subscription, or a
// renewal replacing the old one, or its end.
func (h *Hub) confirm(req *request) {
	cb := req.callback.String()
	log := h.log.With("mode", req.mode, "topic", req.topic, "callback", Redact(cb))
	if err := h.challenge(*req); err != nil {
		h.n.refused.Add(1)
		log.Info("websub verification failed", "err", err)
		return
	}
	if req.mode == "unsubscribe" {
		if err := h.store.RemoveSubscription(req.topic, cb); err != nil {
			log.Error("websub unsubscribe", "err", err)
			return
		}
		h.untrack(pair{req.topic, cb})
		h.n.unsubscribed.Add(1)
		log.Info("websub unsubscribed")
		return
	}
	if req.release == nil {
		// A renewal took no room at the request; its lease may have
		// ended since.
		var err error
		if req.release, err = h.reserve(req.topic, req.callback); err != nil {
			h.deny(*req, log, err)
			return
		}
	}
	now := time.Now().UTC()
	sub := storage.Subscription{Topic: req.topic, Callback: cb, Secret: req.secret, Expires: now.Add(req.lease), Created: now}
	if old, err := h.store.Subscription(req.topic, cb); err == nil {
		sub.Created = old.Created
	}
	if err := h.store.PutSubscription(sub); err != nil {
		log.Error("websub subscribe", "err", err)
		h.deny(*req, log, errors.New("the hub could not store the subscription"))
		return
	}
	h.track(sub)
	h.n.subscribed.Add(1)
	log.Info("websub subscribed", "expires", sub.Expires)
}

// challenge sends req's verification of intent: a GET to the callback,
// its own query kept, with a fresh random challenge that the subscriber
// must echo in the body of a 2xx.
func (h *Hub) challenge(req request) error {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	c := hex.EncodeToString(b[:])
	q := url.Values{"hub.mode": {req.mode}, "hub.topic": {req.topic}, "hub.challenge": {c}}
	if req.mode == "subscribe" {
		q.Set("hub.lease_seconds", strconv.FormatInt(int64(req.lease/time.Second), 10))
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.VerifyTimeout)
	defer cancel()
	resp, err := h.get(ctx, req.callback, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(len(c))+1))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("callback answered %s", resp.Status)
	}
	if string(body) != c {
		return errors.New("callback did not echo the challenge")
	}
	return nil
}

// get sends a GET to callback, its own query kept and q added.
func (h *Hub) get(ctx context.Context, callback *url.URL, q url.Values) (*http.Response, error) {
	u := *callback
	if u.RawQuery != "" {
		u.RawQuery += "&" + q.Encode()
	} else {
		u.RawQuery = q.Encode()
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client.Do(r)
	return resp, redactErr(err)
}

// redactErr is err without the userinfo of the URL it names, if any:
// net/http hides a password, not a user name, which may be a token.
func redactErr(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		ue.URL = Redact(ue.URL)
	}
	return err
}

// deny tells req's subscriber, after it confirmed, that the hub refused
// its subscription (WebSub 5.2: hub.mode=denied), so that it does not
// believe itself subscribed; the answer is not read.
func (h *Hub) deny(req request, log *slog.Logger, reason error) {
	h.n.refused.Add(1)
	log.Info("websub subscription refused", "err", reason)
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.VerifyTimeout)
	defer cancel()
	q := url.Values{"hub.mode": {"denied"}, "hub.topic": {req.topic}, "hub.reason": {reason.Error()}}
	resp, err := h.get(ctx, req.callback, q)
	if err != nil {
		log.Info("websub denial not received", "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
}
