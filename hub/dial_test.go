package hub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", true},
		{"2001:4860:4860::8888", true},
		{"127.0.0.1", false},
		{"127.9.9.9", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"255.255.255.255", false},
		// Private IPv4 addresses inside translation and tunnel forms:
		// NAT64 (RFC 6052), SIIT, 6to4, IPv4-compatible, Teredo.
		{"64:ff9b::7f00:1", false},
		{"64:ff9b::a00:1", false},
		{"64:ff9b::a9fe:a9fe", false},
		{"64:ff9b::808:808", true},
		{"::ffff:0:127.0.0.1", false},
		{"::ffff:0:10.0.0.1", false},
		{"::ffff:0:8.8.8.8", true},
		{"2002:7f00:1::1", false},
		{"2002:a00:1::1", false},
		{"2002:c0a8:101::1", false},
		{"2002:808:808::1", true},
		{"::127.0.0.1", false},
		{"::8.8.8.8", false},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
	} {
		if got := public(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("public(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestPrivateRefusedAtDial(t *testing.T) {
	sub := newSubscriber(t)
	// The client refuses 127.0.0.1 when it dials, whatever name led there.
	for _, u := range []string{sub.url, "http://localhost" + sub.url[len("http://127.0.0.1"):]} {
		_, err := newClient(waitFor, waitFor, false).Get(u)
		if !errors.Is(err, errPrivate) {
			t.Errorf("Get(%s) = %v; want %v", u, err, errPrivate)
		}
	}
	// A hub without AllowPrivate accepts the request (the outcome is
	// not the answer's) but never reaches the callback.
	s, _ := openStore(t)
	opts := testOptions()
	opts.AllowPrivate = false
	h := newHub(t, s, opts)
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {sub.url}}
	if code, _ := h.request(t, form); code != http.StatusAccepted {
		t.Fatalf("request = %d, want 202", code)
	}
	h.waitStats(t, "the refusal", func(s Stats) bool { return s.Refused == 1 })
	select {
	case q := <-sub.verifications:
		t.Fatalf("a private callback was reached: %v", q)
	default:
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 0 {
		t.Fatalf("subscriptions = %v, %v; want none", all, err)
	}
}

// TestOneWriteHeldToLimit checks that a body that writes itself sends no
// more than its Content-Length: a longer one is cut there, and fails.
func TestOneWriteHeldToLimit(t *testing.T) {
	for _, tc := range []struct {
		body    string
		limit   int64
		want    string
		wantErr bool
	}{
		{"مقالة كاملة", 21, "مقالة كاملة", false},
		{"مقالة كاملة", 10, "مقالة", true},
	} {
		var out bytes.Buffer
		l := &io.LimitedReader{R: strings.NewReader(tc.body), N: tc.limit}
		n, err := l.R.(io.WriterTo).WriteTo(&limitedWriter{&out, l})
		if out.String() != tc.want || n != int64(len(tc.want)) || (err != nil) != tc.wantErr {
			t.Errorf("%q limited to %d: wrote %q (%d), %v; want %q, error %v", tc.body, tc.limit, out.String(), n, err, tc.want, tc.wantErr)
		}
	}
}

// countingConn counts the writes made on its connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestOneWritePerBody checks that the hub's client dials connections
// that send a delivery, pinned to its addresses, in one write for the
// headers and one for the rest, not one per 32 KiB of a feed of 300 KB,
// and that the subscriber gets the whole body.
func TestOneWritePerBody(t *testing.T) {
	sub := newSubscriber(t)
	pinned := context.WithValue(context.Background(), dialAddrs{}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	addr := "nowhere.invalid:" + portOf(sub.url)
	tr := newClient(waitFor, waitFor, true).Transport.(*http.Transport)
	c, err := tr.DialContext(pinned, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, ok := c.(oneWrite); !ok {
		t.Fatalf("the client dials a %T; want a oneWrite", c)
	}

	var writes atomic.Int64
	d := &net.Dialer{Timeout: waitFor}
	tr.DialContext = oneWriteDialer(func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dialPinned(d)(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	})
	body := bytes.Repeat([]byte("<entry>مقالة</entry>\n"), 300<<10/26)
	r, err := http.NewRequestWithContext(pinned, http.MethodPost, "http://"+addr+"/cb", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := next(t, sub.deliveries, "the delivery").body; !bytes.Equal(got, body) {
		t.Fatalf("the subscriber got %d bytes; want the %d sent", len(got), len(body))
	}
	if n := writes.Load(); n > 2 {
		t.Errorf("%d bytes sent in %d writes; want 2 (headers, body)", len(body), n)
	}
}
