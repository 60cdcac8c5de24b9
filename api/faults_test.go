package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freshConnClient opens a new connection for every request, so that a reset
// or dropped connection surfaces as an error instead of being retried by
// net/http, which replays a request with an Idempotency-Key header (or a
// GET) once when a reused connection breaks before any answer.
func (f *fixture) freshConnClient() *http.Client {
	tr := f.ts.Client().Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	return &http.Client{Transport: tr}
}

func TestInjectedStatusFailsTheNextRequests(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 2, Fault{Status: 503, RetryAfter: 2}))

	for range 2 {
		res := f.send(createReq("k", minimalBody))
		require.Equal(t, http.StatusServiceUnavailable, res.status)
		e := res.apiErr(t)
		assert.Equal(t, "service_unavailable", e.Reason)
		assert.Contains(t, e.Message, "injected fault")
		assert.Equal(t, "2", res.header.Get("Retry-After"))
	}
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID), "a failed request is not handled")
	assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).status, "other requests pass")

	res := f.send(createReq("k", minimalBody))
	assert.Equal(t, http.StatusOK, res.status, "the third passes")
	assert.Empty(t, res.header.Get("Monime-Cache"), "and is not a replay: failures kept nothing")
}

func TestInjected429LooksLikeARateLimit(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault("", "/v1/checkout-sessions", 1, Fault{Status: 429, RetryAfter: 3}))
	res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"})
	require.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, ReasonTooManyRequests, res.apiErr(t).Reason)
	assert.Equal(t, "3", res.header.Get("Retry-After"))
	assert.Equal(t, "endpoint-limit", res.header.Get("Monime-Rate-Limit"))
}

func TestFaultPatternsAndOrder(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	require.NoError(t, f.srv.InjectFault("", "/v1/checkout-sessions/*", 2, Fault{Status: 500}))
	require.NoError(t, f.srv.InjectFault(http.MethodGet, "/v1/checkout-sessions/*", 1, Fault{Status: 502}))

	assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).status, "* matches one segment, not none")
	assert.Equal(t, http.StatusInternalServerError, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id}).status)
	assert.Equal(t, http.StatusInternalServerError, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id}).status, "any method")
	res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id})
	assert.Equal(t, http.StatusBadGateway, res.status, "then the next rule")
	assert.Equal(t, "bad_gateway", res.apiErr(t).Reason)
	assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id}).status, "rules used up")
}

func TestClearFaults(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault("", "/v1/checkout-sessions", 5, Fault{Status: 500}))
	f.srv.ClearFaults()
	assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).status)
}

func TestResetBeforeHandling(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, Fault{Reset: true}))
	_, err := f.freshConnClient().Do(f.build(createReq("k", minimalBody)))
	require.Error(t, err, "no answer")
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID), "nothing stored")
	assert.Equal(t, int64(1), f.srv.RequestCount())

	res := f.send(createReq("k", minimalBody))
	assert.Equal(t, http.StatusOK, res.status)
	assert.Empty(t, res.header.Get("Monime-Cache"), "the key was never taken")
}

func TestDropAfterHandling(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, Fault{Drop: true}))
	_, err := f.freshConnClient().Do(f.build(createReq("k", minimalBody)))
	require.Error(t, err, "the answer is lost")

	stored := FindAll[Session](f.srv, DefaultSpaceID)
	require.Len(t, stored, 1, "but the session was created")

	res := f.send(createReq("k", minimalBody))
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "irc", res.header.Get("Monime-Cache"), "a retry with the key gets the lost answer")
	assert.Equal(t, stored[0].Id, res.session(t).Id)
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 1)
}

func TestNetHTTPRetriesADropOnAReusedConnection(t *testing.T) {
	// Not the fake's behaviour but net/http's, which every Go client meets:
	// a POST with an Idempotency-Key on a reused keep-alive connection is
	// sent again, once, when the connection breaks before any answer.
	f := newFixture(t)
	f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}) // opens the connection
	require.NoError(t, f.srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, Fault{Drop: true}))

	res := f.send(createReq("k", minimalBody))
	assert.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "irc", res.header.Get("Monime-Cache"), "the caller sees the replay of its own lost first attempt")
	assert.Equal(t, int64(3), f.srv.RequestCount())
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 1)
}

func TestLatency(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.InjectFault(http.MethodGet, "/v1/checkout-sessions", 1, Fault{Latency: 80 * time.Millisecond}))
	start := time.Now()
	res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"})
	assert.Equal(t, http.StatusOK, res.status)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)

	require.NoError(t, f.srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, Fault{Latency: time.Second}))
	client := &http.Client{Transport: f.freshConnClient().Transport, Timeout: 30 * time.Millisecond}
	start = time.Now()
	_, err := client.Do(f.build(createReq("k", minimalBody)))
	require.Error(t, err, "the client gives up first")
	f.ts.Close() // waits for the handler to return
	assert.Less(t, time.Since(start), time.Second, "the fake stops waiting when the client goes")
	assert.Equal(t, int64(2), f.srv.RequestCount())
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID), "a request abandoned during latency is not handled")
}

func TestRandomFaultsAreSeeded(t *testing.T) {
	faults := []Fault{{Status: 503}, {Reset: true}, {Drop: true}}
	draw := func(seed uint64) []Fault {
		fn := RandomFaults(seed, 0.3, faults...)
		out := make([]Fault, 1000)
		for i := range out {
			out[i] = fn(nil)
		}
		return out
	}
	a := draw(7)
	assert.Equal(t, a, draw(7), "same seed, same faults")
	assert.NotEqual(t, a, draw(8))
	n := 0
	kinds := map[Fault]int{}
	for _, f := range a {
		if !f.zero() {
			n++
			kinds[f]++
		}
	}
	assert.InDelta(t, 300, n, 60, "about 30%% of requests")
	assert.Len(t, kinds, 3, "each fault occurs")
	assert.Equal(t, Fault{}, RandomFaults(1, 1)(nil), "no faults to choose from")
}

func TestRetriesThroughRandomFaultsCreateEachSessionOnce(t *testing.T) {
	run := func(seed uint64) (attempts int, ids []string) {
		f := newFixture(t, WithFaultFunc(RandomFaults(seed, 0.3, Fault{Status: 503}, Fault{Reset: true}, Fault{Drop: true}, Fault{Status: 429, RetryAfter: 1})))
		client := f.freshConnClient()
		for i := range 20 {
			key := "order-" + string(rune('a'+i))
			for try := 0; ; try++ {
				require.Less(t, try, 30, "a create that never got through")
				attempts++
				resp, err := client.Do(f.build(createReq(key, minimalBody)))
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
				require.Contains(t, []int{429, 503}, resp.StatusCode)
			}
		}
		for _, s := range FindAll[Session](f.srv, DefaultSpaceID) {
			ids = append(ids, s.IdempotencyKey)
		}
		return attempts, ids
	}
	attempts, keys := run(42)
	assert.Len(t, keys, 20, "one session per logical create, whatever failed on the way")
	assert.Greater(t, attempts, 20, "faults happened")
	again, _ := run(42)
	assert.Equal(t, attempts, again, "the same seed gives the same run")
}

func TestInjectFaultReportsBadArgumentsAsErrors(t *testing.T) {
	for _, tc := range []struct {
		name            string
		method, pattern string
		n               int
		fault           Fault
		want            string
	}{
		{"lower-case method", "post", "/v1/checkout-sessions", 1, Fault{Status: 500}, `api: InjectFault: method "post" would match no request: HTTP methods are case-sensitive; pass "POST"`},
		{"malformed pattern", "", "/v1/[", 1, Fault{Status: 500}, `api: InjectFault: pattern "/v1/[" is malformed (syntax error in pattern)`},
		{"relative pattern", "", "v1/checkout-sessions", 1, Fault{Status: 500}, `api: InjectFault: pattern "v1/checkout-sessions" would match no request`},
		{"zero n", "", "/v1/x", 0, Fault{Status: 500}, "api: InjectFault: n must be at least 1, got 0"},
		{"success status", "", "/v1/x", 1, Fault{Status: 200}, "api: InjectFault: Fault.Status must be 400 to 599 (or 0 for none), got 200"},
		{"status above 599", "", "/v1/x", 1, Fault{Status: 600}, "api: InjectFault: Fault.Status must be 400 to 599 (or 0 for none), got 600"},
		{"negative latency", "", "/v1/x", 1, Fault{Latency: -1}, "api: InjectFault: Fault.Latency must not be negative, got -1ns"},
		{"negative Retry-After", "", "/v1/x", 1, Fault{Status: 503, RetryAfter: -1}, "api: InjectFault: Fault.RetryAfter must not be negative, got -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var err error
			require.NotPanics(t, func() { err = f.srv.InjectFault(tc.method, tc.pattern, tc.n, tc.fault) })
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got:\n%s", err)
			assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).status, "no rule was added")
		})
	}
}

func TestAFaultFuncsBadFaultIsAnswered500AndRecorded(t *testing.T) {
	srv := mustNew(t, WithFaultFunc(RandomFaults(1, 1, Fault{Status: 302})))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	r, err := http.NewRequest(http.MethodGet, ts.URL+"/v1/checkout-sessions", nil)
	require.NoError(t, err)
	resp, err := ts.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	res := response{status: resp.StatusCode, header: resp.Header, body: body}
	require.Equal(t, http.StatusInternalServerError, res.status)
	assert.NotEmpty(t, res.header.Get("Monime-Request-Id"))
	e := res.apiErr(t)
	assert.Equal(t, ReasonInternal, e.Reason)
	want := "api: the WithFaultFunc function returned a Fault the fake cannot apply to GET /v1/checkout-sessions: Fault.Status must be 400 to 599 (or 0 for none), got 302"
	assert.Equal(t, want, e.Message)
	require.Len(t, srv.ResponseViolations(), 1, "recorded, so a test that checks for violations fails")
	assert.EqualError(t, srv.ResponseViolations()[0], want)
}

func TestResetOverTLS(t *testing.T) {
	srv := mustNew(t, WithResponseValidation(true))
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	require.NoError(t, srv.InjectFault("", "/v1/checkout-sessions", 1, Fault{Reset: true}))
	r, err := http.NewRequest(http.MethodGet, ts.URL+"/v1/checkout-sessions", nil)
	require.NoError(t, err)
	_, err = ts.Client().Do(r)
	require.Error(t, err)
	assert.Equal(t, int64(1), srv.RequestCount())
}
