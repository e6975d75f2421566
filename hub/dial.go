package hub

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errPrivate refuses a connection to an address that is not public.
var errPrivate = errors.New("not a public address")

// nonPublic are the ranges, beyond what netip's methods name, that no
// stranger's callback may reach: this host's network, carrier-grade
// NAT, IETF protocol assignments, benchmarking, reserved, and IPv6's
// discard and unique-local (IsPrivate has the latter), local-use NAT64,
// and the IPv4-compatible (deprecated) and Teredo forms, whose inner
// IPv4 address is refused rather than decoded.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("2001::/32"),
}

// Forms of IPv6 address that carry an IPv4 address, which a host
// behind NAT64 or a 6to4 relay reaches: the IPv4 address must be public.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")    // RFC 6052, the IPv4 in the low 32 bits
	siit      = netip.MustParsePrefix("::ffff:0:0:0/96") // RFC 2765, likewise
	sixToFour = netip.MustParsePrefix("2002::/16")       // RFC 3056, the IPv4 in bits 16 to 48
)

// inner returns the IPv4 address that a carries, if it is of a form
// that carries one.
func inner(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return a, false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a), siit.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return a, false
}

// public reports whether a may be dialled for a stranger.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if v4, ok := inner(a); ok {
		return public(v4)
	}
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// control refuses to connect to a non-public address. It runs on the
// address actually dialled, after name resolution: a name that resolves
// to a public address when checked and to a private one when dialled
// (DNS rebinding) is caught too.
func control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s %s: %w", network, address, err)
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("dial %s %s: %w", network, address, errPrivate)
	}
	return nil
}

// newClient returns the client that talks to subscribers: bounded in
// time (headerTimeout to the response's headers), never following a redirect, using no proxy (a proxy would dial
// in the hub's stead, past control), and refusing non-public addresses
// unless allowPrivate.
func newClient(timeout, headerTimeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = control
	}
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  headerTimeout,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    100, // at least Options.PerHost: kept between fan-outs, not dialled again
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxResponse,
		// No Accept-Encoding: gzip asked for, so none decoded behind
		// the hub's back: the challenge is compared with the bytes the
		// subscriber sent, and a small read limit is not a gzip bomb's.
		DisableCompression: true,
	}
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
