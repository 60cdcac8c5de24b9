package monime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A redirect to another host must never carry the token there, even when
// the caller's http.Client would forward headers.
func TestAuthorizationNeverFollowsARedirectToAnotherHost(t *testing.T) {
	var mu sync.Mutex
	var seen http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		mu.Unlock()
		writeResult(w, wireSession("scs-1"))
	}))
	defer other.Close()
	// Same IP, other port: Go's own rule would still forward the header to
	// "127.0.0.1"; ours compares scheme, host and port.
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer origin.Close()

	for _, hc := range []*http.Client{nil, {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
		var opts []ClientOption
		opts = append(opts, WithBaseURL(origin.URL))
		if hc != nil {
			opts = append(opts, WithHTTPClient(hc))
		}
		c, err := NewClient(testToken, testSpace, opts...)
		require.NoError(t, err)
		_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
		require.NoError(t, err)
		mu.Lock()
		assert.Empty(t, seen.Get("Authorization"), "the token leaked to %s", other.URL)
		assert.Empty(t, seen.Get("Monime-Space-Id"))
		mu.Unlock()
	}

	// A redirect within the same origin keeps the credentials.
	same := http.NewServeMux()
	same.HandleFunc("/v1/checkout-sessions/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/checkout-sessions/scs-1", http.StatusTemporaryRedirect)
	})
	same.HandleFunc("/v1/checkout-sessions/scs-1", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			writeError(w, 401, "unauthorized", "no token")
			return
		}
		writeResult(w, wireSession("scs-1"))
	})
	srv := httptest.NewServer(same)
	defer srv.Close()
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Get(context.Background(), "old")
	require.NoError(t, err)
}

// hangUntil answers nothing until release is closed or the attempt is cut.
func hangUntil(release <-chan struct{}) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

func TestEachAttemptHasATimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &script{steps: []func(http.ResponseWriter, *http.Request){
		hangUntil(release),
		ok,
	}}
	c, _ := newTestClient(t, s, WithTimeout(500*time.Millisecond)) // roomy: validation under -race is slow
	start := time.Now()
	var info ResponseInfo
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.NoError(t, err, "the slow attempt times out and the retry succeeds")
	assert.Equal(t, 2, info.Attempts)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// A caller's deadline later than the attempt timeout leaves the attempt
// timeout in charge: the slow attempt is cut and retried within it.
func TestAttemptTimeoutHoldsUnderALaterDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &script{steps: []func(http.ResponseWriter, *http.Request){
		hangUntil(release),
		ok,
	}}
	c, _ := newTestClient(t, s, WithTimeout(500*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var info ResponseInfo
	_, err := c.CheckoutSessions.Get(ctx, "scs-1", WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 2, info.Attempts)
}

// A caller's deadline sooner than the attempt timeout bounds the attempt by
// itself: the call ends with the caller's deadline, and is not retried.
func TestASoonerCallerDeadlineEndsTheCall(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var requests atomic.Int32
	s := &script{steps: []func(http.ResponseWriter, *http.Request){
		func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			hangUntil(release)(w, r)
		},
		ok,
	}}
	c, _ := newTestClient(t, s, WithTimeout(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.CheckoutSessions.Get(ctx, "scs-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.LessOrEqual(t, requests.Load(), int32(1), "no retry after the caller's deadline")
}

// Every attempt's context carries a deadline: the client's per-attempt
// timeout, or the caller's deadline when that comes first.
func TestEveryAttemptHasADeadline(t *testing.T) {
	var deadlines []time.Time
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		d, ok := r.Context().Deadline()
		require.True(t, ok, "the attempt has a deadline")
		deadlines = append(deadlines, d)
		return nil, errors.New("connection reset")
	})
	c, err := NewClient(testToken, testSpace, WithTimeout(time.Minute), WithMaxRetries(1),
		WithRetryBackoff(time.Millisecond, time.Millisecond), WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)

	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.Error(t, err)
	require.Len(t, deadlines, 2, "first attempt and retry")
	for _, d := range deadlines {
		assert.WithinDuration(t, time.Now().Add(time.Minute), d, 5*time.Second)
	}

	deadlines = nil
	soon, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want, _ := soon.Deadline()
	_, err = c.CheckoutSessions.Get(soon, "scs-1")
	require.Error(t, err)
	require.NotEmpty(t, deadlines)
	assert.Equal(t, want, deadlines[0], "the caller's sooner deadline bounds the attempt")
	assert.NoError(t, soon.Err(), "ending an attempt never cancels the caller's context")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Neither errors nor logs at any level carry the token, whatever happens.
func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &script{steps: []func(http.ResponseWriter, *http.Request){
		hangUp, status(503, "unavailable"), status(401, "unauthorized"),
	}}
	c, tr := newTestClient(t, s, WithLogger(logger))
	tr.HostileResponses = true
	_, err := c.CheckoutSessions.Create(context.Background(), validParams())
	require.Error(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), "s3cr3t", verb)
	}
	assert.NotContains(t, logs.String(), "s3cr3t")
	assert.True(t, strings.Count(logs.String(), "monime: attempt") >= 3, logs.String())
}
