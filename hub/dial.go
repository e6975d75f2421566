package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// A callback that does not answer at connect holds its slots no
	// longer than one that does not send its headers.
	d := &net.Dialer{Timeout: headerTimeout}
	if !allowPrivate {
		d.Control = control
	}
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            oneWriteDialer(dialPinned(d)),
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

// dialAddrs is the context key of the addresses a delivery dials,
// []netip.Addr: those its delivery gates were chosen by (see resolve),
// so that a name that resolves anew to elsewhere (DNS rebinding) gets
// no gate of its own.
type dialAddrs struct{}

// fallbackDelay is how long the addresses of a name's first family
// (IPv6 or IPv4) have before those of the other are dialled too
// (Happy Eyeballs, RFC 8305, as net.Dialer does).
const fallbackDelay = 300 * time.Millisecond

// dialPinned dials with d the addresses the context names in
// dialAddrs, on the port asked for, as net.Dialer dials a name's: the
// first family's in turn, the other's in turn from fallbackDelay on or
// once the first's failed, the first connection made winning, all
// within d.Timeout. Without addresses, it dials what it is asked.
func dialPinned(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		addrs, _ := ctx.Value(dialAddrs{}).([]netip.Addr)
		if len(addrs) == 0 {
			return d.DialContext(ctx, network, address)
		}
		_, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		if d.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d.Timeout)
			defer cancel()
		}
		var first, other []netip.Addr
		for _, a := range addrs {
			if a.Is4() == addrs[0].Is4() {
				first = append(first, a)
			} else {
				other = append(other, a)
			}
		}
		if len(other) == 0 {
			return dialSerial(ctx, d, network, port, first)
		}
		return dialRace(ctx, d, network, port, first, other)
	}
}

// dialRace dials first, and other from fallbackDelay on or once first
// failed, and returns the first connection made; a later one is closed.
func dialRace(ctx context.Context, d *net.Dialer, network, port string, first, other []netip.Addr) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan dialResult, 2)
	dial := func(addrs []netip.Addr) {
		go func() {
			c, err := dialSerial(ctx, d, network, port, addrs)
			results <- dialResult{c, err}
		}()
	}
	dial(first)
	fallback := time.NewTimer(fallbackDelay)
	defer fallback.Stop()
	running, started := 1, false
	var errs []error
	for {
		select {
		case <-fallback.C:
		case r := <-results:
			running--
			if r.err == nil {
				if running > 0 {
					go closeLate(results)
				}
				return r.c, nil
			}
			errs = append(errs, r.err)
		}
		if !started {
			started = true
			running++
			dial(other)
		} else if running == 0 {
			return nil, errors.Join(errs...)
		}
	}
}

type dialResult struct {
	c   net.Conn
	err error
}

// closeLate closes the connection of the other dial, still running
// when one won (it is cancelled, and ends soon).
func closeLate(results <-chan dialResult) {
	if r := <-results; r.c != nil {
		r.c.Close()
	}
}

// dialSerial dials addrs in turn, each given an equal share of the
// time left (at least minDialShare, if there is as much), and returns
// the first connection made.
func dialSerial(ctx context.Context, d *net.Dialer, network, port string, addrs []netip.Addr) (net.Conn, error) {
	var errs []error
	for i, a := range addrs {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if end, ok := ctx.Deadline(); ok {
			left := time.Until(end)
			share := max(left/time.Duration(len(addrs)-i), min(left, minDialShare))
			actx, cancel = context.WithTimeout(ctx, share)
		}
		c, err := d.DialContext(actx, network, net.JoinHostPort(a.String(), port))
		cancel()
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// minDialShare is the least time an address is given to connect when
// the time left allows, as net.Dialer gives: a slow first address
// leaves the others less, not none.
const minDialShare = 2 * time.Second

// oneWriteDialer wraps dial's connections in oneWrite.
func oneWriteDialer(dial func(ctx context.Context, network, address string) (net.Conn, error)) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return oneWrite{c}, nil
	}
}

// oneWrite is a connection to a subscriber that sends a delivery's body
// in one write. net/http hands a body to the connection as an
// io.LimitedReader of its Content-Length, which io.Copy sends through a
// new 32 KiB buffer, 32 KiB a write: for a feed of 260 KB to 1,000
// subscribers, 32 MB of garbage and 8,000 writes a publication. The
// hub's bodies (a bytes.Reader) write themselves, held to the limit.
type oneWrite struct{ net.Conn }

// ReadFrom sends r on the connection.
func (c oneWrite) ReadFrom(r io.Reader) (int64, error) {
	if l, ok := r.(*io.LimitedReader); ok {
		if wt, ok := l.R.(io.WriterTo); ok {
			return wt.WriteTo(&limitedWriter{c.Conn, l})
		}
	}
	return io.Copy(c.Conn, r)
}

// errBodyTooLong is a body longer than its Content-Length.
var errBodyTooLong = errors.New("request body longer than its Content-Length")

// limitedWriter writes at most l.N bytes to w, counting them off l.N.
type limitedWriter struct {
	w io.Writer
	l *io.LimitedReader
}

func (lw *limitedWriter) Write(p []byte) (int, error) {
	var err error
	if int64(len(p)) > lw.l.N {
		p, err = p[:lw.l.N], errBodyTooLong
	}
	n, werr := lw.w.Write(p)
	lw.l.N -= int64(n)
	if werr != nil {
		return n, werr
	}
	return n, err
}
