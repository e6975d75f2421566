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
// discard and unique-local (IsPrivate has the latter).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// public reports whether a may be dialled for a stranger.
func public(a netip.Addr) bool {
	a = a.Unmap()
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
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxResponse,
	}
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
