package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keepAlive opens a connection to base, asks /healthz on it and leaves it
// open and idle, as an HTTP client's pool does.
func keepAlive(t *testing.T, base string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return c, br
}

// closedByServer reports whether the server has closed c within wait.
func closedByServer(c net.Conn, br *bufio.Reader, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := br.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	r := start(t, nil, "-idle-timeout", "200ms")
	c, br := keepAlive(t, r.URL)
	assert.True(t, closedByServer(c, br, 5*time.Second), "an idle keep-alive connection is still open 5 s after -idle-timeout 200ms")
}

func TestIdleConnectionsMakeRoomAtTheLimit(t *testing.T) {
	r := start(t, nil, "-max-conns", "8")
	type idle struct {
		c  net.Conn
		br *bufio.Reader
	}
	var conns []idle
	for range 12 {
		c, br := keepAlive(t, r.URL)
		conns = append(conns, idle{c, br})
	}
	// A client with no connection to reuse still gets through.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(r.URL + "/healthz")
	require.NoError(t, err, "/healthz does not answer while idle connections fill -max-conns")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	closed := 0
	for _, c := range conns {
		if closedByServer(c.c, c.br, 200*time.Millisecond) {
			closed++
		}
	}
	// 13 connections were opened with room for 8: the 5 idle the longest
	// made room.
	assert.GreaterOrEqual(t, closed, 5, "the fake holds more connections open than -max-conns 8")
}

func TestConnectionLimitHoldsForBusyConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	limit := newConnLimit(ln, 2)
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
	}), limit, time.Minute)
	go func() { _ = srv.Serve(limit) }()
	t.Cleanup(func() { srv.Close() })

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var wg sync.WaitGroup
	codes := make(chan int, 3)
	for range 3 {
		wg.Go(func() {
			resp, err := client.Get("http://" + ln.Addr().String() + "/")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	require.Eventually(t, func() bool { return inFlight.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(200 * time.Millisecond) // room for a third, were there any
	assert.EqualValues(t, 2, most.Load(), "more requests are served at once than the limit of 2 connections")
	close(release)
	wg.Wait()
	close(codes)
	for code := range codes {
		assert.Equal(t, http.StatusOK, code)
	}
}

func TestConnectionFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{{"-max-conns", "0"}, {"-idle-timeout", "0s"}} {
		code, _, stderr := runOnce(t, nil, args...)
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, stderr, args[0], "the message names the flag")
	}
}

func TestBannerPrintsTheAddressListenedOn(t *testing.T) {
	r := start(t, nil)
	got := r.banner(t, "listening on")
	assert.Regexp(t, `^127\.0\.0\.1:[1-9][0-9]*$`, got, "the chosen port, not 0")
	assert.Equal(t, "http://"+got, r.URL)

	// Every interface: printed as such, not as 127.0.0.1 (checked without
	// listening beyond loopback).
	var out strings.Builder
	printBanner(&out, &config{token: "t", space: "spc-x"}, &net.TCPAddr{IP: net.IPv4zero, Port: 8089}, "http://127.0.0.1:8089", "")
	assert.Contains(t, out.String(), "listening on    0.0.0.0:8089   (reachable from other machines)")
}

func TestCloseEndsAnAcceptWaitingForRoom(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	limit := newConnLimit(ln, 1)
	first, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer first.Close()
	held, err := limit.Accept()
	require.NoError(t, err)
	defer held.Close()
	limit.track(held, http.StateActive) // busy: it cannot make room

	second, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer second.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := limit.Accept()
		if c != nil {
			c.Close()
		}
		accepted <- err
	}()
	time.Sleep(100 * time.Millisecond) // let it wait for room
	require.NoError(t, limit.Close())
	select {
	case err := <-accepted:
		assert.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits for room after Close")
	}
}
