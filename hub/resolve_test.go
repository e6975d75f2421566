package hub

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/seedfeed/seedfeed/storage"
)

// dnsServer is a DNS server on 127.0.0.1 (UDP) that answers the names
// it is given, NXDOMAIN for others, and counts the questions.
type dnsServer struct {
	addr string

	mu      sync.Mutex
	answers map[string][]netip.Addr // by name, with its final dot
	asked   map[string]int          // A questions, by name
}

func newDNSServer(t testing.TB) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dnsServer{addr: conn.LocalAddr().String(), answers: make(map[string][]netip.Addr), asked: make(map[string]int)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if msg, err := s.answer(buf[:n]); err == nil {
				conn.WriteTo(msg, from)
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return s
}

func (s *dnsServer) set(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[name] = nil
	for _, a := range addrs {
		s.answers[name] = append(s.answers[name], netip.MustParseAddr(a))
	}
}

func (s *dnsServer) questions(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[name]
}

// answer builds the reply to the query q.
func (s *dnsServer) answer(q []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, err
	}
	question, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(question.Name.String())
	s.mu.Lock()
	addrs, known := s.answers[name]
	if question.Type == dnsmessage.TypeA {
		s.asked[name]++
	}
	s.mu.Unlock()
	reply := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		reply.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, reply)
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(question); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rh := dnsmessage.ResourceHeader{Name: question.Name, Type: question.Type, Class: dnsmessage.ClassINET, TTL: 300}
	for _, a := range addrs {
		switch {
		case question.Type == dnsmessage.TypeA && a.Is4():
			err = b.AResource(rh, dnsmessage.AResource{A: a.As4()})
		case question.Type == dnsmessage.TypeAAAA && a.Is6():
			err = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: a.As16()})
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// resolver is a resolver that asks s only.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.addr)
	}}
}

// subscribeStored stores subscriptions of callbacks to topic, as a hub
// made after would find them.
func subscribeStored(t testing.TB, s Store, callbacks ...string) {
	t.Helper()
	now := time.Now().UTC()
	for _, cb := range callbacks {
		sub := storage.Subscription{Topic: topic, Callback: cb, Expires: now.Add(time.Hour), Created: now}
		if err := s.PutSubscription(sub); err != nil {
			t.Fatal(err)
		}
	}
}

// portOf returns the port of the callback URL cb on 127.0.0.1.
func portOf(cb string) string {
	rest := strings.TrimPrefix(cb, "http://127.0.0.1:")
	return rest[:strings.Index(rest, "/")]
}

// TestLookupOncePerName checks that the deliveries to the callbacks of
// one name make one lookup of it, in a publication and the next.
func TestLookupOncePerName(t *testing.T) {
	dns := newDNSServer(t)
	dns.set("cb.test.", "127.0.0.1")
	sub := newSubscriber(t)
	s, _ := openStore(t)
	const n = 20
	var cbs []string
	for i := range n {
		cbs = append(cbs, "http://cb.test.:"+portOf(sub.url)+"/cb?n="+strconv.Itoa(i))
	}
	subscribeStored(t, s, cbs...)
	opts := testOptions()
	opts.resolver = dns.resolver()
	h := newHub(t, s, opts)
	for round := int64(1); round <= 2; round++ {
		h.Publish(topic, feedBytes, atomType)
		h.waitStats(t, "the deliveries", func(st Stats) bool { return st.Delivered == round*n })
	}
	if got := dns.questions("cb.test."); got != 1 {
		t.Errorf("%d lookups of cb.test. for %d deliveries; want 1", got, 2*n)
	}
}

// TestFailedLookupNotKept checks that a name whose lookup failed is
// looked up again soon: once it resolves, its subscriber is delivered.
func TestFailedLookupNotKept(t *testing.T) {
	dns := newDNSServer(t)
	sub := newSubscriber(t)
	s, _ := openStore(t)
	subscribeStored(t, s, "http://late.test.:"+portOf(sub.url)+"/cb")
	opts := testOptions()
	opts.resolver = dns.resolver()
	opts.MaxAttempts = 1000 // retried every 100 ms at most, until waitFor
	h := newHub(t, s, opts)
	h.Publish(topic, feedBytes, atomType)
	h.waitStats(t, "the failure", func(st Stats) bool { return st.Failed >= 1 })
	dns.set("late.test.", "127.0.0.1")
	next(t, sub.deliveries, "the delivery once the name resolves")
	if got := dns.questions("late.test."); got < 2 {
		t.Errorf("%d lookups; want the failed one and another", got)
	}
}

// TestEveryAddressTried checks that a delivery tries each address its
// callback's name resolves to, of both families: two dead ones first
// do not fail it.
func TestEveryAddressTried(t *testing.T) {
	dns := newDNSServer(t)
	sub := newSubscriber(t)
	// Nothing listens on [::1] and 127.0.0.3 at the subscriber's port.
	dns.set("multi.test.", "::1", "127.0.0.3", "127.0.0.1")
	s, _ := openStore(t)
	subscribeStored(t, s, "http://multi.test.:"+portOf(sub.url)+"/cb")
	opts := testOptions()
	opts.resolver = dns.resolver()
	opts.RetryBase = time.Hour // one attempt
	h := newHub(t, s, opts)
	h.Publish(topic, feedBytes, atomType)
	next(t, sub.deliveries, "the delivery")
	if st := h.Stats(); st.Failed != 0 {
		t.Errorf("Stats = %+v; want no failure", st)
	}
}

// TestDialPinned checks that a delivery dials the addresses it was
// given, not what its URL's name resolves to (nothing, here).
func TestDialPinned(t *testing.T) {
	sub := newSubscriber(t)
	u := "http://nowhere.invalid:" + portOf(sub.url) + "/cb"
	ctx := context.WithValue(context.Background(), dialAddrs{}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newClient(waitFor, waitFor, true).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	next(t, sub.deliveries, "the request at the pinned address")
	// Without them, the name is looked up, and does not resolve.
	r, _ = http.NewRequest(http.MethodPost, u, strings.NewReader("x"))
	var dnsErr *net.DNSError
	if _, err := newClient(waitFor, waitFor, true).Do(r); !errors.As(err, &dnsErr) {
		t.Errorf("request without pinned addresses: %v; want a DNS error", err)
	}
}
