package main

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// How fast one client may create orders by default: a burst of
// defaultOrderBurst, then one every defaultOrderEvery. Shoppers behind one
// address (an office, a mobile network's NAT) share it, so it is
// generous; what it stops is one machine creating thousands of orders,
// and as many checkout sessions at Monime.
const (
	defaultOrderBurst = 10
	defaultOrderEvery = 6 * time.Second
)

// maxLimitedClients bounds the memory the limiter holds. A bucket that
// has refilled is forgotten, so this many only fill up when as many
// addresses order within a minute; a new one is refused until some refill.
const maxLimitedClients = 100_000

// clientLimiter limits how often each client may create an order: a token
// bucket (golang.org/x/time/rate) per client address, IPv6 clients by
// their /64, which one subscriber usually holds whole.
//
// It keys by the connection's address. Behind a reverse proxy that is the
// proxy's: key by the client address the proxy reports instead, and trust
// that header only from the proxy.
type clientLimiter struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu        sync.Mutex
	clients   map[netip.Prefix]*rate.Limiter
	lastSweep time.Time
}

// newClientLimiter lets each client create burst orders at once, then one
// every every.
func newClientLimiter(every time.Duration, burst int) *clientLimiter {
	return &clientLimiter{every: every, burst: burst, now: time.Now, clients: make(map[netip.Prefix]*rate.Limiter)}
}

// allow takes one order from the bucket of the client at remoteAddr (an
// http.Request's RemoteAddr), or reports how long until it may order.
func (l *clientLimiter) allow(remoteAddr string) (ok bool, retryAfter time.Duration) {
	key := clientKey(remoteAddr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetRefilled(now)
	lim := l.clients[key]
	if lim == nil {
		if len(l.clients) >= maxLimitedClients {
			return false, l.every
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.clients[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now) // give the token back: a refused order costs nothing
		return false, wait
	}
	return true, 0
}

// forgetRefilled drops, at most once per l.every, the buckets that are
// full again: a full bucket is the same as none.
func (l *clientLimiter) forgetRefilled(now time.Time) {
	if now.Sub(l.lastSweep) < l.every {
		return
	}
	l.lastSweep = now
	for key, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, key)
		}
	}
}

// clientKey is the client of remoteAddr ("ip:port"): an IPv4 address, or
// the /64 of an IPv6 one. Addresses that cannot be read share one key.
func clientKey(remoteAddr string) netip.Prefix {
	var addr netip.Addr
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		addr = ap.Addr()
	} else if a, err := netip.ParseAddr(remoteAddr); err == nil {
		addr = a
	}
	addr = addr.Unmap().WithZone("")
	bits := 64
	if addr.Is4() {
		bits = 32
	}
	p, _ := addr.Prefix(bits) // the zero Prefix for an invalid address
	return p
}
