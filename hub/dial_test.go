package hub

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
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
