package hub

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
)

func TestVerificationOfIntent(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	sub := newSubscriber(t)
	// The callback's own query stays; parameters the hub does not know
	// are ignored.
	cb := sub.url + "?id=7&x=%D8%B3"
	h.subscribe(t, cb, 1, "hub.unknown", "whatever", "foo", "bar")
	q := next(t, sub.verifications, "the verification")
	want := map[string]string{
		"id": "7", "x": "س", "hub.mode": "subscribe", "hub.topic": topic, "hub.lease_seconds": "864000",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("verification %s = %q, want %q (query %v)", k, q.Get(k), v, q)
		}
	}
	if q.Has("hub.unknown") || q.Has("foo") || q.Has("hub.secret") {
		t.Errorf("verification query %v carries what it should not", q)
	}
	first := q.Get("hub.challenge")
	if len(first) < 32 {
		t.Errorf("hub.challenge %q: want a long random string", first)
	}
	got, err := s.Subscription(topic, cb)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(got.Expires); d < 10*24*time.Hour-time.Minute || d > 10*24*time.Hour {
		t.Errorf("lease ends in %v, want 10 days", d)
	}
	// A challenge is never used twice.
	h.subscribe(t, cb, 2)
	if again := next(t, sub.verifications, "the second verification").Get("hub.challenge"); again == first {
		t.Errorf("second challenge %q = the first", again)
	}
}

func TestLeaseBounds(t *testing.T) {
	for _, tc := range []struct {
		name, asked, want string
	}{
		{"below the minimum", "60", "3600"},
		{"within", "7200", "7200"},
		{"above the maximum", "99999999999", "2592000"},
		{"beyond int64", "99999999999999999999", "2592000"},
		{"zero: the default", "0", "864000"},
		{"negative: the default", "-5", "864000"},
		{"hugely negative: the default", "-99999999999999999999", "864000"},
		{"with a plus sign", "+7200", "7200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openStore(t)
			h := newHub(t, s, testOptions())
			sub := newSubscriber(t)
			h.subscribe(t, sub.url, 1, "hub.lease_seconds", tc.asked)
			if got := next(t, sub.verifications, "verification").Get("hub.lease_seconds"); got != tc.want {
				t.Errorf("lease_seconds %s: verified with %s, want %s", tc.asked, got, tc.want)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	good := func(kv ...string) url.Values {
		f := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {"https://reader.example/cb"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		code int
		why  string
	}{
		{"no mode", good("hub.mode", ""), 400, "hub.mode"},
		{"publish mode", good("hub.mode", "publish"), 400, "hub.mode"},
		{"no callback", good("hub.callback", ""), 400, "hub.callback"},
		{"relative callback", good("hub.callback", "/cb"), 400, "hub.callback"},
		{"ftp callback", good("hub.callback", "ftp://reader.example/cb"), 400, "hub.callback"},
		{"no topic", good("hub.topic", ""), 400, "hub.topic"},
		{"a topic not ours", good("hub.topic", "https://elsewhere.example/feed.atom"), 400, "not a topic of this hub"},
		{"secret of 200 bytes", good("hub.secret", strings.Repeat("s", 200)), 400, "hub.secret"},
		{"lease not a number", good("hub.lease_seconds", "ten"), 400, "hub.lease_seconds"},
		{"secret not UTF-8", good("hub.secret", "s\xff"), 400, "UTF-8"},
		{"topic not UTF-8", good("hub.topic", topic+"?\xc3"), 400, "UTF-8"},
		{"callback not UTF-8", good("hub.callback", "https://reader.example/\xe2\x82"), 400, "UTF-8"},
		{"lease with a fraction", good("hub.lease_seconds", "3600.5"), 400, "hub.lease_seconds"},
		{"huge request", good("filler", strings.Repeat("x", maxRequest)), 413, "form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := h.request(t, tc.form)
			if code != tc.code || !strings.Contains(body, tc.why) {
				t.Errorf("request = %d %q; want %d with %q", code, body, tc.code, tc.why)
			}
		})
	}
	resp, err := http.Get(h.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /hub = %d, Allow %q; want 405, POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// An unknown parameter is ignored, UTF-8 or not.
	if code, body := h.request(t, good("x\xfe", "\xff")); code != http.StatusAccepted {
		t.Errorf("unknown parameter not UTF-8: %d %q; want 202", code, body)
	}
	// A secret of 199 bytes is fine. (Another callback: the first may
	// still be being verified, and a second request waits for it.)
	if code, body := h.request(t, good("hub.secret", strings.Repeat("s", 199), "hub.callback", "https://reader.example/cb2")); code != http.StatusAccepted {
		t.Errorf("199-byte secret: %d %q; want 202", code, body)
	}
}

func TestFailedVerification(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve http.HandlerFunc
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }},
		{"empty 200", func(w http.ResponseWriter, r *http.Request) {}},
		{"wrong challenge", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("nope")) }},
		{"challenge and more", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(r.URL.Query().Get("hub.challenge") + "x"))
		}},
		{"challenge with a 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			w.Write([]byte(r.URL.Query().Get("hub.challenge")))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openStore(t)
			h := newHub(t, s, testOptions())
			cb := serve(t, tc.serve)
			form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {cb}}
			if code, _ := h.request(t, form); code != http.StatusAccepted {
				t.Fatalf("request = %d, want 202 whatever the outcome", code)
			}
			h.waitStats(t, "the refusal", func(s Stats) bool { return s.Refused == 1 })
			if all, err := s.AllSubscriptions(); err != nil || len(all) != 0 {
				t.Errorf("subscriptions = %v, %v; want none", all, err)
			}
		})
	}
}

func TestResubscription(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	sub := newSubscriber(t)
	h.subscribe(t, sub.url, 1, "hub.secret", "old", "hub.lease_seconds", "7200")
	first, err := s.Subscription(topic, sub.url)
	if err != nil {
		t.Fatal(err)
	}
	// An unverified renewal leaves the old subscription as it was.
	sub.set(func(s *subscriber) { s.confirm = false })
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {sub.url}, "hub.secret": {"forged"}}
	if code, _ := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("renewal = %d, want 202", code)
	}
	h.waitStats(t, "the refusal", func(s Stats) bool { return s.Refused == 1 })
	if got, err := s.Subscription(topic, sub.url); err != nil || got.Secret != "old" || !got.Expires.Equal(first.Expires) {
		t.Fatalf("after an unverified renewal: %+v, %v; want the old one", got, err)
	}
	// A verified one replaces it, keeping when it was created.
	sub.set(func(s *subscriber) { s.confirm = true })
	h.subscribe(t, sub.url, 2, "hub.secret", "new")
	got, err := s.Subscription(topic, sub.url)
	if err != nil || got.Secret != "new" || !got.Expires.After(first.Expires) || !got.Created.Equal(first.Created) {
		t.Fatalf("after a renewal: %+v, %v; first %+v", got, err, first)
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 1 {
		t.Fatalf("subscriptions = %v, %v; want one", all, err)
	}
}

func TestUnsubscription(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	gone, stays := newSubscriber(t), newSubscriber(t)
	h.subscribe(t, gone.url, 1)
	h.subscribe(t, stays.url, 2)
	next(t, gone.verifications, "verification")
	form := url.Values{"hub.mode": {"unsubscribe"}, "hub.topic": {topic}, "hub.callback": {gone.url}}
	if code, _ := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("unsubscribe = %d, want 202", code)
	}
	q := next(t, gone.verifications, "the unsubscription's verification")
	if q.Get("hub.mode") != "unsubscribe" || q.Get("hub.topic") != topic || q.Has("hub.lease_seconds") || q.Get("hub.challenge") == "" {
		t.Errorf("unsubscription verification = %v", q)
	}
	h.waitStats(t, "the unsubscription", func(s Stats) bool { return s.Unsubscribed == 1 })
	if _, err := s.Subscription(topic, gone.url); err == nil {
		t.Fatal("the subscription outlived its unsubscription")
	}
	h.Publish(topic, []byte("<feed/>"), "application/atom+xml")
	next(t, stays.deliveries, "the remaining subscriber's delivery")
	h.waitStats(t, "the deliveries", func(s Stats) bool { return s.Delivered == 1 })
	select {
	case d := <-gone.deliveries:
		t.Fatalf("the unsubscribed callback received %q", d.body)
	default:
	}
}

func TestLimits(t *testing.T) {
	s, _ := openStore(t)
	opts := testOptions()
	opts.MaxPerHost, opts.MaxTotal = 2, 3
	h := newHub(t, s, opts)
	a := newSubscriber(t)
	h.subscribe(t, a.url+"?n=1", 1)
	h.subscribe(t, a.url+"?n=2", 2)
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {a.url + "?n=3"}}
	if code, body := h.request(t, form); code != http.StatusForbidden || !strings.Contains(body, "callback host") {
		t.Errorf("third subscription of a host = %d %q; want 403", code, body)
	}
	// A renewal takes no new room.
	h.subscribe(t, a.url+"?n=2", 3)
	// localhost is another host name than 127.0.0.1.
	b := strings.Replace(newSubscriber(t).url, "127.0.0.1", "localhost", 1)
	h.subscribe(t, b, 4)
	form.Set("hub.callback", b+"?n=2")
	if code, body := h.request(t, form); code != http.StatusForbidden || !strings.Contains(body, "all the subscriptions") {
		t.Errorf("subscription past the total = %d %q; want 403", code, body)
	}
}

// TestChallengeExact checks that the verification asks for no
// compression and compares the challenge with the bytes sent: a gzipped
// echo is not the challenge.
func TestChallengeExact(t *testing.T) {
	s, _ := openStore(t)
	h := newHub(t, s, testOptions())
	enc := make(chan string, 1)
	cb := serve(t, func(w http.ResponseWriter, r *http.Request) {
		enc <- r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		io.WriteString(z, r.URL.Query().Get("hub.challenge"))
		z.Close()
	})
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {cb}}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("subscribe: %d %q", code, body)
	}
	if got := next(t, enc, "the verification"); strings.Contains(got, "gzip") {
		t.Errorf("verification sent Accept-Encoding %q; want no gzip", got)
	}
	h.waitStats(t, "the refusal", func(s Stats) bool { return s.Refused == 1 })
	if st := h.Stats(); st.Subscribed != 0 {
		t.Errorf("Stats %+v: a gzipped echo verified", st)
	}
}

// TestLogsRedactUserinfo checks that a callback's userinfo, which may
// be a password, is not in the logs.
func TestLogsRedactUserinfo(t *testing.T) {
	s, _ := openStore(t)
	var logs seedtest.LogBuffer
	opts := testOptions()
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHub(t, s, opts)
	sub := newSubscriber(t)
	sub.set(func(s *subscriber) { s.status = func() int { return 500 } })
	cb := strings.Replace(sub.url, "http://", "http://alice:hunter2@", 1)
	h.subscribe(t, cb, 1)
	h.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "a failed delivery", func(s Stats) bool { return s.Failed >= 1 })
	// A verification that cannot connect: the error names the URL.
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {"http://bob:pw2@127.0.0.1:1/cb"}}
	if code, body := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("subscription = %d %q; want 202", code, body)
	}
	h.waitStats(t, "the failed verification", func(s Stats) bool { return s.Refused == 1 })
	out := logs.String()
	if strings.Contains(out, "hunter2") || strings.Contains(out, "alice") || strings.Contains(out, "bob") {
		t.Errorf("the logs show the callback's userinfo:\n%s", out)
	}
	if !strings.Contains(out, "redacted@127.0.0.1") {
		t.Errorf("the logs do not name the callback:\n%s", out)
	}
	if got := Redact(cb); got != strings.Replace(sub.url, "http://", "http://redacted@", 1) {
		t.Errorf("Redact(%q) = %q", cb, got)
	}
}
