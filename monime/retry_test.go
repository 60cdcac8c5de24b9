package monime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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

// script answers the n-th request with steps[n] (the last step repeats).
type script struct {
	mu    sync.Mutex
	n     int
	steps []func(w http.ResponseWriter, r *http.Request)
	keys  []string
	// bodies are what each attempt sent.
	bodies []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	s.mu.Lock()
	step := s.steps[min(s.n, len(s.steps)-1)]
	s.n++
	s.keys = append(s.keys, r.Header.Get("Idempotency-Key"))
	s.bodies = append(s.bodies, b.String())
	s.mu.Unlock()
	step(w, r)
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func status(code int, reason string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { writeError(w, code, reason, "injected") }
}

func ok(w http.ResponseWriter, r *http.Request) { writeResult(w, wireSession("scs-1")) }

// hangUp closes the connection without answering: to the client, a
// connection reset or EOF.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestRetriesTransientFailuresWithTheSameKeyAndBody(t *testing.T) {
	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUp, status(code, "transient"), ok}} // the hang-up comes first, on a fresh connection, which net/http does not retry by itself
			c, tr := newTestClient(t, s)
			tr.HostileResponses = code == 408 // 408 is not in the spec's responses
			var info ResponseInfo
			got, err := c.CheckoutSessions.Create(context.Background(), validParams(), WithResponseInfo(&info))
			require.NoError(t, err)
			assert.Equal(t, "scs-1", got.ID)
			assert.Equal(t, 3, s.count())
			assert.Equal(t, 3, info.Attempts)
			require.Len(t, s.keys, 3)
			assert.Regexp(t, uuidV4, s.keys[0])
			assert.Equal(t, []string{s.keys[0], s.keys[0], s.keys[0]}, s.keys, "one key for every attempt")
			assert.Equal(t, s.bodies[0], s.bodies[2], "every attempt sends the whole body again")
			assert.NotEmpty(t, s.bodies[2])
		})
	}
}

func TestFinalErrorsMakeExactlyOneAttempt(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 409, 501} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			s := &script{steps: []func(http.ResponseWriter, *http.Request){status(code, "final")}}
			c, tr := newTestClient(t, s, WithMaxRetries(5))
			tr.HostileResponses = code == 501
			_, err := c.CheckoutSessions.Create(context.Background(), validParams())
			var apiErr *Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, code, apiErr.StatusCode)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, 1, s.count())
			assert.NotContains(t, err.Error(), "attempts")
		})
	}
}

func TestAttemptsFollowWithMaxRetries(t *testing.T) {
	for _, tc := range []struct {
		client, call []Option
		want         int
	}{
		{nil, nil, 3}, // the default: 2 retries
		{[]Option{WithMaxRetries(0)}, nil, 1},
		{[]Option{WithMaxRetries(4)}, nil, 5},
		{[]Option{WithMaxRetries(4)}, []Option{WithMaxRetries(1)}, 2},
	} {
		s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable")}}
		var copts []ClientOption
		for _, o := range tc.client {
			copts = append(copts, o)
		}
		var callOpts []CallOption
		for _, o := range tc.call {
			callOpts = append(callOpts, o)
		}
		c, tr := newTestClient(t, s, copts...)
		tr.HostileResponses = true // 503 is answered by the spec's default response
		_, err := c.CheckoutSessions.Get(context.Background(), "scs-1", callOpts...)
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, tc.want, apiErr.Attempts)
		assert.Equal(t, tc.want, s.count())
		if tc.want > 1 {
			assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempts", tc.want))
		}
		assert.ErrorIs(t, err, ErrServer)
	}
}

func TestTransportFailureAfterAllRetriesSaysSo(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUp}}
	c, _ := newTestClient(t, s, WithMaxRetries(2))
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed after 3 attempts")
	assert.Contains(t, err.Error(), "GET /v1/checkout-sessions/scs-1")
	assert.Equal(t, 3, s.count())
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Monime-Rate-Limit", "endpoint-limit")
		writeError(w, 429, "too_many_requests", "slow down")
	}
	t.Run("capped", func(t *testing.T) {
		s := &script{steps: []func(http.ResponseWriter, *http.Request){rateLimited, ok}}
		c, _ := newTestClient(t, s, WithRetryBackoff(time.Millisecond, 20*time.Millisecond))
		start := time.Now()
		_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
		require.NoError(t, err)
		took := time.Since(start)
		assert.GreaterOrEqual(t, took, 20*time.Millisecond, "the capped Retry-After wait")
		assert.Less(t, took, 800*time.Millisecond, "Retry-After: 1 must be capped at 20ms")
	})
	t.Run("honoured", func(t *testing.T) {
		s := &script{steps: []func(http.ResponseWriter, *http.Request){rateLimited, ok}}
		c, _ := newTestClient(t, s, WithRetryBackoff(time.Millisecond, 3*time.Second))
		start := time.Now()
		_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After: 1 waits a second, not the 1ms backoff")
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &config{backoff: 500 * time.Millisecond, maxBackoff: 8 * time.Second}
	resp := func(v string) *answer { return &answer{header: http.Header{"Retry-After": {v}}} }
	assert.Equal(t, 3*time.Second, p.wait(1, resp("3"), now))
	assert.Equal(t, 8*time.Second, p.wait(1, resp("120"), now), "capped")
	assert.Equal(t, 5*time.Second, p.wait(1, resp(now.Add(5*time.Second).Format(http.TimeFormat)), now), "HTTP date")
	for i := range 200 {
		n := i%6 + 1
		w := p.wait(n, resp("garbage"), now)
		ceiling := min(p.backoff<<(n-1), p.maxBackoff)
		assert.True(t, w >= 0 && w < ceiling, "attempt %d waited %v, ceiling %v", n, w, ceiling)
	}
	assert.Equal(t, 8*time.Second, min(p.backoff<<10, p.maxBackoff))
	assert.Zero(t, parseRetryAfter("-3", now))
	assert.Zero(t, parseRetryAfter(now.Add(-time.Hour).Format(http.TimeFormat), now))
}

func TestCancellingDuringBackoffReturnsPromptly(t *testing.T) {
	// Retry-After makes the wait exactly 10 s (full jitter could draw a
	// wait shorter than the test's 20 ms).
	unavailable := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		writeError(w, 503, "unavailable", "injected")
	}
	s := &script{steps: []func(http.ResponseWriter, *http.Request){unavailable}}
	c, tr := newTestClient(t, s, WithRetryBackoff(10*time.Second, 10*time.Second), WithMaxRetries(5))
	tr.HostileResponses = true
	ctx, cancel := context.WithCancel(context.Background())
	var canceledAt time.Time
	go func() {
		for s.count() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // well inside the first wait
		canceledAt = time.Now()
		cancel()
	}()
	_, err := c.CheckoutSessions.Create(ctx, validParams())
	returned := time.Now()
	require.Error(t, err)
	assert.Less(t, returned.Sub(canceledAt), 50*time.Millisecond)
	assert.ErrorIs(t, err, context.Canceled)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr, "the last attempt's error is wrapped")
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, 1, s.count())
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(ok))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	defer srv.Close()
	srv.Config.ErrorLog = newDiscardLog()
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	var info ResponseInfo
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Equal(t, 1, info.Attempts)
	assert.Equal(t, int32(1), conns.Load())
}

func TestDeleteWhoseAnswerWasLostSucceedsOn404(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUp, status(404, "not_found")}}
	c, _ := newTestClient(t, s)
	require.NoError(t, c.CheckoutSessions.Delete(context.Background(), "scs-1"))
	assert.Equal(t, 2, s.count())

	// A plain 404, with no earlier lost attempt, is still an error.
	s = &script{steps: []func(http.ResponseWriter, *http.Request){status(404, "not_found")}}
	c, _ = newTestClient(t, s)
	require.ErrorIs(t, c.CheckoutSessions.Delete(context.Background(), "scs-1"), ErrNotFound)
}

func TestRetriesReuseTheConnection(t *testing.T) {
	var conns atomic.Int32
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(500, "boom"), status(502, "boom"), ok}}
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	assert.Equal(t, 3, s.count())
	assert.Equal(t, int32(1), conns.Load(), "drained bodies let every attempt reuse one connection")
}

func TestRetriesAreLoggedWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable"), ok}}
	c, tr := newTestClient(t, s, WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	tr.HostileResponses = true
	p := validParams()
	p.CallbackState = "cb-secret-state"
	_, err := c.CheckoutSessions.Create(context.Background(), p)
	require.NoError(t, err)
	out := logs.String()
	assert.Contains(t, out, `"msg":"monime: retrying"`)
	assert.Contains(t, out, `"attempt":1`)
	assert.Contains(t, out, `"status":503`)
	assert.Contains(t, out, `"wait"`)
	for _, secret := range []string{testToken, "s3cr3t", "cb-secret-state", "c_77", "T-shirt"} {
		assert.NotContains(t, out, secret)
	}
}

func TestNonIdempotentRequestsAreNotRetried(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader("{}"))
	require.NoError(t, err)
	assert.False(t, retryableRequest(req), "a POST without Idempotency-Key")
	req.Header.Set("Idempotency-Key", "k")
	assert.True(t, retryableRequest(req))
	req.GetBody = nil
	assert.False(t, retryableRequest(req), "a body that cannot be rewound")
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		r, _ := http.NewRequest(m, "http://127.0.0.1/", nil)
		assert.True(t, retryableRequest(r), m)
	}
	r, _ := http.NewRequest(http.MethodPatch, "http://127.0.0.1/", nil)
	assert.False(t, retryableRequest(r))
	assert.False(t, errors.Is(nil, ErrServer))
}

// cutOff answers 200 with a Content-Length but only half the body, then
// closes the connection: the session may exist, the answer is lost.
func cutOff(w http.ResponseWriter, r *http.Request) {
	body := []byte(`{"success":true,"messages":[],"result":{"id":"scs-1","name":"Order #1042","status":"pending"}}`)
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMonime-Request-Id: req-cut\r\nContent-Length: %d\r\n\r\n", len(body))
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
	_ = conn.Close()
}

func TestAnAnswerCutOffMidBodyIsRetriedWithTheSameKey(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){cutOff, ok}}
	c, tr := newTestClient(t, s)
	tr.HostileResponses = true // the cut-off answer cannot validate
	var info ResponseInfo
	got, err := c.CheckoutSessions.Create(context.Background(), validParams(), WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, "scs-1", got.ID)
	assert.Equal(t, 2, s.count())
	assert.Equal(t, 2, info.Attempts)
	assert.Equal(t, s.keys[0], s.keys[1], "the retry carries the first attempt's key")

	// Out of retries, the caller learns the key to retry with.
	s = &script{steps: []func(http.ResponseWriter, *http.Request){cutOff}}
	c, tr = newTestClient(t, s, WithMaxRetries(1))
	tr.HostileResponses = true
	_, err = c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey("order-77"))
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, "order-77", reqErr.IdempotencyKey)
	assert.Equal(t, 2, reqErr.Attempts)
	assert.Contains(t, err.Error(), "Idempotency-Key order-77; retry with the same key")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestABodySlowerThanTheAttemptTimeoutIsRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "400")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"success":true,`))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	s := &script{steps: []func(http.ResponseWriter, *http.Request){slowBody, ok}}
	c, tr := newTestClient(t, s, WithTimeout(500*time.Millisecond))
	tr.HostileResponses = true
	got, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	assert.Equal(t, "scs-1", got.ID)
	assert.Equal(t, 2, s.count())
}

func TestAConflictAfterALostAnswerSaysToKeepTheKey(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUp, status(409, ReasonIdempotencyKeyInUse)}}
	c, _ := newTestClient(t, s)
	_, err := c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey("order-5"))
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.AnswerLost)
	assert.Equal(t, "order-5", apiErr.IdempotencyKey)
	assert.Contains(t, err.Error(), "retry later with the same Idempotency-Key")

	// A plain conflict, with no lost answer before it, says nothing of the kind.
	s = &script{steps: []func(http.ResponseWriter, *http.Request){status(409, ReasonIdempotencyKeyInUse)}}
	c, _ = newTestClient(t, s)
	_, err = c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey("order-5"))
	require.ErrorAs(t, err, &apiErr)
	assert.False(t, apiErr.AnswerLost)
	assert.NotContains(t, err.Error(), "retry later")
}

func TestDeleteAfterA503ThenA404IsNotFound(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable"), status(404, "not_found")}}
	c, tr := newTestClient(t, s)
	tr.HostileResponses = true
	require.ErrorIs(t, c.CheckoutSessions.Delete(context.Background(), "scs-typo"), ErrNotFound, "a 503 says nothing was done")

	s = &script{steps: []func(http.ResponseWriter, *http.Request){status(500, "boom"), status(404, "not_found")}}
	c, _ = newTestClient(t, s)
	require.NoError(t, c.CheckoutSessions.Delete(context.Background(), "scs-1"), "a 500 may have deleted it")
}

func TestDeleteAcceptsA2xxThatIsNotAnEnvelope(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>OK</html>"))
	}))
	tr.HostileResponses = true
	require.NoError(t, c.CheckoutSessions.Delete(context.Background(), "scs-1"))
}

func TestACutOffAnswerStillReportsItsRequestID(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){cutOff}}
	c, tr := newTestClient(t, s, WithMaxRetries(0))
	tr.HostileResponses = true
	var info ResponseInfo
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.ErrorAs(t, err, new(*RequestError))
	assert.Equal(t, "req-cut", info.RequestID)
	assert.Equal(t, 200, info.StatusCode)
}

func TestABodyThatCannotBeSentAgainIsNotRetried(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithRetryBackoff(time.Millisecond, time.Millisecond), WithMaxRetries(3))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/checkout-sessions", strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("Idempotency-Key", "k")
	req.GetBody = func() (io.ReadCloser, error) { return nil, errors.New("gone") }
	cl, err := c.newCall(context.Background(), req.Method, req.URL.Path, nil)
	require.NoError(t, err)
	_, err = cl.send(context.Background(), req, nil)
	require.ErrorIs(t, err, errRewind)
	assert.Equal(t, 1, s.count(), "the failed rewind ends the call")
}

// ResponseInfo says how long a call took and how much of it was spent
// waiting between attempts.
func TestResponseInfoTimesTheCallAndItsWaits(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable"), ok}}
	c, _ := newTestClient(t, s, WithRetryBackoff(30*time.Millisecond, 30*time.Millisecond))
	var info ResponseInfo
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 2, info.Attempts)
	assert.Greater(t, info.Waited, time.Duration(0))
	assert.GreaterOrEqual(t, info.Duration, info.Waited)

	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 1, info.Attempts)
	assert.Zero(t, info.Waited, "no retry, no wait")
	assert.Positive(t, info.Duration)
}

// A retry the caller's deadline would cut off is not waited for: the call
// answers at once with the attempt's own error, here the 429 with its
// Retry-After, instead of sleeping until the deadline.
func TestARetryPastTheDeadlineIsNotWaitedFor(t *testing.T) {
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeError(w, 429, "too_many_requests", "slow down")
	}
	s := &script{steps: []func(http.ResponseWriter, *http.Request){rateLimited, ok}}
	c, _ := newTestClient(t, s, WithRetryBackoff(time.Millisecond, 8*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var info ResponseInfo
	start := time.Now()
	_, err := c.CheckoutSessions.Get(ctx, "scs-1", WithResponseInfo(&info))
	assert.Less(t, time.Since(start), time.Second, "no sleep until the deadline")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 5*time.Second, apiErr.RetryAfter)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Equal(t, 1, s.count())
	assert.Zero(t, info.Waited)

	// With time enough, the same call waits and succeeds.
	s = &script{steps: []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeError(w, 429, "too_many_requests", "slow down")
	}, ok}}
	c, _ = newTestClient(t, s, WithRetryBackoff(time.Millisecond, 8*time.Second))
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.CheckoutSessions.Get(ctx, "scs-1")
	require.NoError(t, err)
	assert.Equal(t, 2, s.count())
}
