package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// subscriber is a WebSub subscriber on 127.0.0.1: it confirms every
// verification of intent, takes every delivery, and records both.
type subscriber struct {
	url           string
	verifications chan url.Values
	deliveries    chan delivery
	requests      atomic.Int64
}

// delivery is a content distribution request a subscriber received.
type delivery struct {
	path   string
	body   []byte
	header http.Header
}

func newSubscriber(t *testing.T) *subscriber {
	s := &subscriber{verifications: make(chan url.Values, 16), deliveries: make(chan delivery, 64)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			q.Set("path", r.URL.Path)
			select {
			case s.verifications <- q:
			default:
			}
			io.WriteString(w, q.Get("hub.challenge"))
		case http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			select {
			case s.deliveries <- delivery{r.URL.Path, body, r.Header.Clone()}:
			default:
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// receive returns the next value of ch, failing the test if none comes
// within eventLimit.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(eventLimit):
		t.Fatalf("no %s within %v", what, eventLimit)
		panic("unreachable")
	}
}

// subscribe asks the daemon's hub for a subscription, with the extra
// parameters given (name, value pairs), and wants it accepted.
func subscribe(t *testing.T, in *instance, topic, callback, secret string, extra ...string) {
	t.Helper()
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback}}
	if secret != "" {
		form.Set("hub.secret", secret)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	resp, err := http.PostForm(in.url+"/hub", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("subscribe to %s: %s %s", topic, resp.Status, body)
	}
}

// waitMetric waits until the daemon's metric with the given labels is want.
func waitMetric(t *testing.T, in *instance, want float64, name string, labels ...string) {
	t.Helper()
	var got float64
	seedtest.WaitFor(t, eventLimit, name, in.log, func() bool {
		got = value(t, in.scrape(t), name, labels...)
		return got == want
	})
}

// runListSubscriptions runs "seedfeed list -subscriptions" with args.
func runListSubscriptions(t *testing.T, db string, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	args = append([]string{"list", "-subscriptions", "-db", db}, args...)
	if err := run(context.Background(), args, env(nil), &out, &errs); err != nil {
		t.Fatalf("%q = %v\n%s", args, err, errs.String())
	}
	return out.String()
}

func writeArticle(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHubPush subscribes to the main feed (with a secret) and to a
// section's (without), restarts the daemon, drops an article in: each
// subscriber gets the feed as a GET serves it, signed only where a
// secret was given (issue 15).
func TestHubPush(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	dir := filepath.Join(seeds, "أخبار")
	writeArticle(t, dir, "first.txt", "الخبر الأول\nفقرة أولى.")
	const base = "http://news.example"
	args := []string{"-hub-allow-private", "-base-url", base}
	in := startRun(t, seeds, db, args...)
	main := base + feed.PathAtom
	section := feed.ListFeedURL(base, storage.List{Kind: storage.Section, Name: "أخبار"}, feed.Atom)
	sub := newSubscriber(t)
	const secret = "سرّ المشترك"

	subscribe(t, in, main, sub.url+"/main?x=1", secret, "hub.unknown", "ignored")
	q := receive(t, sub.verifications, "verification of the main feed's subscription")
	if q.Get("path") != "/main" || q.Get("x") != "1" || q.Get("hub.mode") != "subscribe" || q.Get("hub.topic") != main ||
		len(q.Get("hub.challenge")) < 16 || q.Get("hub.lease_seconds") != "864000" {
		t.Fatalf("verification = %v; want the callback's path and query, mode subscribe, topic %s, a challenge, lease 864000", q, main)
	}
	subscribe(t, in, section, sub.url+"/section", "")
	q2 := receive(t, sub.verifications, "verification of the section feed's subscription")
	if q2.Get("hub.topic") != section || q2.Get("hub.challenge") == q.Get("hub.challenge") {
		t.Fatalf("verification = %v; want topic %s and a fresh challenge", q2, section)
	}
	waitMetric(t, in, 2, "seedfeed_websub_verifications_total", "result", "subscribed")
	waitMetric(t, in, 2, "seedfeed_websub_subscriptions")

	// list -subscriptions, from the running daemon and then from the file.
	for _, out := range []string{runListSubscriptions(t, db), func() string { in.stop(t); return runListSubscriptions(t, db, "-json") }()} {
		if !strings.Contains(out, main) || !strings.Contains(out, section) || !strings.Contains(out, sub.url+"/main?x=1") || strings.Contains(out, secret) {
			t.Fatalf("list -subscriptions =\n%s\nwant both topics and callbacks, and no secret", out)
		}
	}
	if out := runListSubscriptions(t, db, "-json"); !strings.Contains(out, `"signed":true`) || !strings.Contains(out, `"signed":false`) {
		t.Fatalf("list -subscriptions -json =\n%s\nwant one signed and one not", out)
	}

	// A restart between subscription and publication.
	in = startRun(t, seeds, db, args...)
	const title = "خبر عاجل بعد إعادة التشغيل"
	writeArticle(t, dir, "second.txt", title+"\nفقرة.")
	got := map[string]delivery{}
	deadline := time.After(eventLimit)
	for len(got) < 2 {
		select {
		case d := <-sub.deliveries:
			if bytes.Contains(d.body, []byte(title)) {
				got[d.path] = d
			}
		case <-deadline:
			t.Fatalf("deliveries with the new article within %v: %d of 2", eventLimit, len(got))
		}
	}
	for path, topic := range map[string]string{"/main": main, "/section": section} {
		d := got[path]
		resp, body := in.get(t, strings.TrimPrefix(topic, base))
		if !bytes.Equal(d.body, body) {
			t.Errorf("%s: delivered body differs from GET's:\n%s\nGET:\n%s", topic, d.body, body)
		}
		if ct := d.header.Get("Content-Type"); ct != resp.Header.Get("Content-Type") || ct == "" {
			t.Errorf("%s: delivered Content-Type %q, GET's %q", topic, ct, resp.Header.Get("Content-Type"))
		}
		links := d.header.Values("Link")
		if !slices.Contains(links, "<"+base+`/hub>; rel="hub"`) || !slices.Contains(links, "<"+topic+`>; rel="self"`) {
			t.Errorf("%s: Link headers %q; want the hub's and self", topic, links)
		}
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(got["/main"].body)
	if sig, want := got["/main"].header.Get("X-Hub-Signature"), "sha256="+hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Errorf("X-Hub-Signature = %q, want %q", sig, want)
	}
	if sig := got["/section"].header.Get("X-Hub-Signature"); sig != "" {
		t.Errorf("X-Hub-Signature without a secret = %q, want none", sig)
	}
	if v := value(t, in.scrape(t), "seedfeed_websub_deliveries_total", "result", "delivered"); v < 2 {
		t.Errorf("deliveries delivered = %v, want at least 2", v)
	}
}

// TestHubRefusesPrivateCallback: without -hub-allow-private a callback
// on 127.0.0.1 is never called, though the request is accepted.
func TestHubRefusesPrivateCallback(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	writeArticle(t, seeds, "a.txt", "عنوان\nفقرة.")
	in := startRun(t, seeds, db)
	sub := newSubscriber(t)
	subscribe(t, in, in.url+feed.PathAtom, sub.url+"/cb", "")
	waitMetric(t, in, 1, "seedfeed_websub_verifications_total", "result", "refused")
	if n := sub.requests.Load(); n != 0 {
		t.Fatalf("the private callback got %d requests; want none", n)
	}
	if v := value(t, in.scrape(t), "seedfeed_websub_subscriptions"); v != 0 {
		t.Fatalf("subscriptions = %v, want 0", v)
	}
	// Not a topic: a 4xx with a reason, no verification.
	for _, topic := range []string{in.url + "/archive/1.atom", in.url + "/", "https://elsewhere.example/feed.atom", in.url + "/sections/none/feed.atom"} {
		resp, err := http.PostForm(in.url+"/hub", url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {sub.url + "/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("subscribe to %s: %s, want 400", topic, resp.Status)
		}
	}
}

// TestExternalHub: with -hub, the daemon serves no hub of its own and
// pings the external one with each topic that changed.
func TestExternalHub(t *testing.T) {
	pings := make(chan url.Values, 64)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.ParseForm() != nil {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		select {
		case pings <- r.PostForm:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer fake.Close()
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	const base = "http://news.example"
	in := startRun(t, seeds, db, "-hub", fake.URL+"/hub", "-base-url", base)
	if resp, _ := in.get(t, "/hub"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /hub with an external hub = %s, want 404", resp.Status)
	}
	writeArticle(t, filepath.Join(seeds, "رياضة"), "a.txt", "مباراة\nفقرة.")
	section := storage.List{Kind: storage.Section, Name: "رياضة"}
	want := map[string]bool{}
	for _, f := range []feed.Format{feed.Atom, feed.RSS, feed.JSON} {
		want[feed.ListFeedURL(base, storage.List{}, f)] = true
		want[feed.ListFeedURL(base, section, f)] = true
	}
	deadline := time.After(eventLimit)
	for len(want) > 0 {
		select {
		case p := <-pings:
			if p.Get("hub.mode") != "publish" {
				t.Fatalf("ping %v: want hub.mode=publish", p)
			}
			delete(want, p.Get("hub.url"))
		case <-deadline:
			t.Fatalf("no ping within %v for %v", eventLimit, want)
		}
	}
	// Counted once the hub has answered: after it saw the ping.
	seedtest.WaitFor(t, eventLimit, "6 pings counted", in.log, func() bool {
		return value(t, in.scrape(t), "seedfeed_websub_pings_total", "result", "ok") >= 6
	})
}

// TestExternalHubCoalesces: changes of a topic while its ping is under
// way make one more ping, not one each, and each ping names the topic
// as hub.url and hub.topic.
func TestExternalHubCoalesces(t *testing.T) {
	const base = "http://news.example"
	atom := feed.ListFeedURL(base, storage.List{}, feed.Atom)
	arrived, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var got []url.Values
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() != nil {
			http.Error(w, "want a form", http.StatusBadRequest)
			return
		}
		if r.PostForm.Get("hub.url") == atom {
			mu.Lock()
			got = append(got, r.PostForm)
			first := len(got) == 1
			mu.Unlock()
			if first {
				close(arrived)
				<-release
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer fake.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	in := startRun(t, seeds, db, "-hub", fake.URL+"/hub", "-base-url", base, "-log-level", "debug")
	writeArticle(t, seeds, "a0.txt", "الأول\nفقرة.")
	select {
	case <-arrived:
	case <-time.After(eventLimit):
		t.Fatalf("no ping of %s within %v", atom, eventLimit)
	}
	for i := 1; i <= 3; i++ {
		writeArticle(t, seeds, fmt.Sprintf("a%d.txt", i), fmt.Sprintf("الخبر %d\nفقرة.", i))
		seedtest.WaitFor(t, eventLimit, "the ping to be coalesced", in.log, func() bool {
			return strings.Count(in.log.String(), "one more follows it") >= i
		})
	}
	close(release)
	seedtest.WaitFor(t, eventLimit, "the second ping", in.log, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	in.stop(t) // waits for the pings in flight
	mu.Lock()
	defer mu.Unlock()
	// Two: the first, and one for the three changes during it; three
	// when a pass saw a feed's bytes change twice for one article (a
	// render after the article's, for its sections), the second after
	// the release. One a change would be four.
	if len(got) < 2 || len(got) > 3 {
		t.Errorf("pings of %s = %d, want 2 (or 3), not one for each of the 4 changes", atom, len(got))
	}
	for _, p := range got {
		if p.Get("hub.mode") != "publish" || p.Get("hub.topic") != atom {
			t.Errorf("ping %v: want hub.mode=publish and hub.topic=%s", p, atom)
		}
	}
}

func TestHubFlags(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	cfg, err := parseConfig([]string{"-seeds", seeds, "-db", db}, env(map[string]string{"SEEDFEED_HUB": "https://hub.example/"}), io.Discard, io.Discard)
	if err != nil || cfg.hub != "https://hub.example/" || cfg.hubURL() != "https://hub.example/" {
		t.Fatalf("SEEDFEED_HUB: cfg.hub %q, %v", cfg.hub, err)
	}
	cfg, err = parseConfig([]string{"-seeds", seeds, "-db", db, "-base-url", "https://site.example/"}, env(map[string]string{"SEEDFEED_HUB_ALLOW_PRIVATE": "true"}), io.Discard, io.Discard)
	if err != nil || !cfg.hubAllowPrivate || cfg.hubURL() != "https://site.example/hub" {
		t.Fatalf("SEEDFEED_HUB_ALLOW_PRIVATE: %v, hub %q, %v", cfg.hubAllowPrivate, cfg.hubURL(), err)
	}
	for _, bad := range [][]string{{"-hub", "ftp://hub.example/"}, {"-hub", "/hub"}, {"-hub", "https://hub.example/", "-hub-allow-private"}} {
		if _, err := parseConfig(append([]string{"-seeds", seeds, "-db", db}, bad...), env(nil), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-hub") {
			t.Errorf("%q: %v, want an error naming -hub", bad, err)
		}
	}
}

// TestHubRestartWithNewSettings: a setting that changes every feed's
// bytes (-title), changed while no daemon ran, reaches a section feed's
// subscriber too, not only the main feed's (review 15, F10).
func TestHubRestartWithNewSettings(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	dir := filepath.Join(seeds, "أخبار")
	writeArticle(t, dir, "first.txt", "الخبر الأول\nفقرة أولى.")
	const base = "http://news.example"
	args := []string{"-hub-allow-private", "-base-url", base}
	in := startRun(t, seeds, db, args...)
	section := feed.ListFeedURL(base, storage.List{Kind: storage.Section, Name: "أخبار"}, feed.Atom)
	sub := newSubscriber(t)
	subscribe(t, in, section, sub.url+"/section", "")
	waitMetric(t, in, 1, "seedfeed_websub_subscriptions")
	// A delivery, so that the section's digest is stored.
	writeArticle(t, dir, "second.txt", "الخبر الثاني\nفقرة.")
	for d := receive(t, sub.deliveries, "the second article"); !bytes.Contains(d.body, []byte("الخبر الثاني")); {
		d = receive(t, sub.deliveries, "the second article")
	}
	in.stop(t)

	const title = "عنوان جديد"
	in = startRun(t, seeds, db, append(args, "-title", title)...)
	for {
		d := receive(t, sub.deliveries, "the section feed with the new title")
		if bytes.Contains(d.body, []byte(title)) {
			_, body := in.get(t, strings.TrimPrefix(section, base))
			if !bytes.Equal(d.body, body) {
				t.Fatalf("delivered body differs from GET's:\n%s\nGET:\n%s", d.body, body)
			}
			return
		}
	}
}

// TestListSubscriptionsRedacts: a callback's password is the
// subscriber's, and list -subscriptions from the file does not print it.
func TestListSubscriptionsRedacts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "seedfeed.db")
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sub := storage.Subscription{Topic: "http://news.example/feed.atom", Callback: "https://reader:s3cret@reader.example/cb", Created: now, Expires: now.Add(time.Hour)}
	if err := s.PutSubscription(sub); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"-json"}} {
		out := runListSubscriptions(t, db, args...)
		if strings.Contains(out, "reader:") || strings.Contains(out, "s3cret") || !strings.Contains(out, "redacted@reader.example/cb") {
			t.Errorf("list -subscriptions %q =\n%s\nwant the callback with its userinfo redacted", args, out)
		}
	}
}

// TestHubPushSearch: a search's feed is a topic too. A subscriber to the
// feed of a search is sent it when an article that matches is published,
// once the search index has it, with the hub and self links of any
// topic; an article that does not match sends nothing new.
func TestHubPushSearch(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	writeArticle(t, seeds, "first.txt", "المجلس البلدي يجتمع\nفقرة أولى.")
	const base = "http://news.example"
	in := startRun(t, seeds, db, "-hub-allow-private", "-base-url", base)
	topic := feed.SearchFeedURL(base, "المجلس", feed.Atom) // and للمجلس, through the analysis
	resp, body := in.get(t, strings.TrimPrefix(topic, base))
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Link"), `rel="hub"`) || !bytes.Contains(body, []byte(`rel="hub"`)) {
		t.Fatalf("GET %s = %s, Link %q: want 200 naming the hub in the header and the feed", topic, resp.Status, resp.Header.Get("Link"))
	}
	sub := newSubscriber(t)
	subscribe(t, in, topic, sub.url+"/search", "")
	if q := receive(t, sub.verifications, "verification of the search feed's subscription"); q.Get("hub.topic") != topic {
		t.Fatalf("verification = %v, want topic %s", q, topic)
	}
	waitMetric(t, in, 1, "seedfeed_websub_subscriptions")

	writeArticle(t, seeds, "other.txt", "مباراة كرة القدم\nلا علاقة لها.")
	const title = "اجتماع طارئ للمجلس بعد العاصفة"
	writeArticle(t, seeds, "second.txt", title+"\nفقرة.")
	var d delivery
	for !bytes.Contains(d.body, []byte(title)) {
		d = receive(t, sub.deliveries, "a delivery of the search feed with the new article")
		if bytes.Contains(d.body, []byte("مباراة")) {
			t.Fatalf("the search feed delivered holds an article that does not match:\n%s", d.body)
		}
	}
	_, now := in.get(t, strings.TrimPrefix(topic, base))
	if !bytes.Equal(d.body, now) {
		t.Errorf("delivered body differs from GET's:\n%s\nGET:\n%s", d.body, now)
	}
	if l := d.header.Values("Link"); !slices.Contains(l, "<"+base+`/hub>; rel="hub"`) || !slices.Contains(l, "<"+topic+`>; rel="self"`) {
		t.Errorf("delivery Link %q, want the hub and %s as self", l, topic)
	}
}

// TestSearchTopicsBounded: at most maxSearchTopics searches' feeds have
// subscribers, since each is searched again at every change; another
// subscriber to one of them is welcome.
func TestSearchTopicsBounded(t *testing.T) {
	defer func(n int) { maxSearchTopics = n }(maxSearchTopics)
	maxSearchTopics = 1
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "seedfeed.db")
	writeArticle(t, seeds, "first.txt", "المجلس البلدي يجتمع\nفقرة أولى.")
	const base = "http://news.example"
	in := startRun(t, seeds, db, "-hub-allow-private", "-base-url", base)
	sub := newSubscriber(t)
	first, second := feed.SearchFeedURL(base, "المجلس", feed.Atom), feed.SearchFeedURL(base, "البلدي", feed.Atom)
	subscribe(t, in, first, sub.url+"/a", "")
	waitMetric(t, in, 1, "seedfeed_websub_subscriptions")
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {second}, "hub.callback": {sub.url + "/b"}}
	resp, err := http.PostForm(in.url+"/hub", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a second search's feed past the bound: %s, want 400", resp.Status)
	}
	subscribe(t, in, first, sub.url+"/c", "")
	waitMetric(t, in, 2, "seedfeed_websub_subscriptions")
}
