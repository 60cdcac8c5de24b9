package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts of the fake's HTTP server. A client that opens a connection and
// sends nothing, or keeps one open doing nothing, does not hold it for ever.
const (
	// readHeaderTimeout bounds reading a request's headers.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request, its body included.
	readTimeout = 30 * time.Second
	// writeTimeout bounds a request from the end of its headers to the end
	// of its answer. It is longer than any latency a test would inject with
	// a fault (POST /_fake/faults latencyMs) to try a client's timeout.
	writeTimeout = 5 * time.Minute
	// defaultIdleTimeout is how long a keep-alive connection may wait for
	// its next request (-idle-timeout).
	defaultIdleTimeout = 60 * time.Second
	// defaultMaxConns is how many connections the fake holds open at once
	// (-max-conns).
	defaultMaxConns = 1000
)

// connLimit is a net.Listener that holds at most max connections open at
// once. At the limit, a new connection takes the place of the one idle the
// longest (a keep-alive connection between requests, or one that has sent
// nothing yet), which is closed, as a server may close an idle keep-alive
// connection at any time; when none is idle, Accept waits for a connection
// to close. So thousands of idle connections neither use up the process's
// file descriptors nor keep /healthz from answering. Its track method is
// the http.Server's ConnState hook.
type connLimit struct {
	net.Listener
	max int

	mu    sync.Mutex
	freed *sync.Cond
	open  map[net.Conn]bool      // every connection counted, until closed
	idle  map[net.Conn]time.Time // those idle, and since when
	fresh map[net.Conn]bool      // idle ones that have not sent a request yet
	shut  bool                   // Close was called
}

// freshGrace is how long a connection that has sent nothing yet is spared:
// a client sends its request as soon as it has connected, and closing the
// connection under it would fail that request.
const freshGrace = time.Second

func newConnLimit(ln net.Listener, max int) *connLimit {
	l := &connLimit{Listener: ln, max: max, open: map[net.Conn]bool{}, idle: map[net.Conn]time.Time{}, fresh: map[net.Conn]bool{}}
	l.freed = sync.NewCond(&l.mu)
	return l
}

// limitedConn is a connection counted by a connLimit until it is closed.
type limitedConn struct {
	net.Conn
	l    *connLimit
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}

func (l *connLimit) release(c net.Conn) {
	l.mu.Lock()
	delete(l.open, c)
	delete(l.idle, c)
	delete(l.fresh, c)
	l.mu.Unlock()
	l.freed.Signal()
}

// Accept waits for a connection, then for room for it.
func (l *connLimit) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &limitedConn{Conn: raw, l: l}
	l.mu.Lock()
	for len(l.open) >= l.max && !l.shut {
		oldest, retry := l.oldestIdleLocked(time.Now())
		if oldest == nil {
			if retry > 0 { // a fresh connection may be closed then
				t := time.AfterFunc(retry, l.freed.Broadcast)
				l.freed.Wait()
				t.Stop()
			} else {
				l.freed.Wait()
			}
			continue
		}
		// Closed outside the lock: Close calls release.
		delete(l.idle, oldest)
		delete(l.fresh, oldest)
		l.mu.Unlock()
		_ = oldest.Close()
		l.mu.Lock()
	}
	if l.shut { // closed while it waited for room
		l.mu.Unlock()
		raw.Close()
		return nil, net.ErrClosed
	}
	l.open[c] = true
	l.idle[c] = time.Now() // idle until its first request arrives
	l.fresh[c] = true
	l.mu.Unlock()
	return c, nil
}

// Close stops accepting; an Accept waiting for room returns.
func (l *connLimit) Close() error {
	l.mu.Lock()
	l.shut = true
	l.mu.Unlock()
	l.freed.Broadcast()
	return l.Listener.Close()
}

// oldestIdleLocked returns the connection idle the longest that may be
// closed now, or nil and, when a fresh one will be closable later, how long
// until then.
func (l *connLimit) oldestIdleLocked(now time.Time) (oldest net.Conn, retry time.Duration) {
	var since time.Time
	for c, t := range l.idle {
		if l.fresh[c] && now.Sub(t) < freshGrace {
			if wait := freshGrace - now.Sub(t); retry == 0 || wait < retry {
				retry = wait
			}
			continue
		}
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	if oldest != nil {
		return oldest, 0
	}
	return nil, retry
}

// track is the http.Server's ConnState hook: it tells which connections
// are idle.
func (l *connLimit) track(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.open[c] {
		return // closed already, or not one of ours
	}
	switch state {
	case http.StateIdle:
		l.idle[c] = time.Now()
	case http.StateActive, http.StateHijacked:
		delete(l.idle, c)
		delete(l.fresh, c)
	}
}

// newHTTPServer is the fake's http.Server, its connections accepted by
// limit.
func newHTTPServer(h http.Handler, limit *connLimit, idleTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ConnState:         limit.track,
	}
}
