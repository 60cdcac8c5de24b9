package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// clock is a settable time source for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustNew is New for options known to be valid.
func mustNew(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	srv, err := New(opts...)
	require.NoError(tb, err)
	return srv
}

// fixture is a fake on loopback with response validation on, a settable
// clock and a client. Cleanup fails the test if any answer broke the spec.
type fixture struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	clock  *clock
	client *http.Client
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	c := newClock()
	srv := mustNew(t, append([]Option{WithClock(c.Now)}, append(opts, WithResponseValidation(true))...)...)
	ts := httptest.NewServer(srv)
	f := &fixture{t: t, srv: srv, ts: ts, clock: c, client: ts.Client()}
	t.Cleanup(func() {
		ts.Close()
		assert.Empty(t, srv.ResponseViolations(), "answers of the fake that broke spec/monime.yaml")
	})
	return f
}

// response is one answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// req describes a request; zero fields get working defaults.
type req struct {
	method  string
	path    string
	body    string
	token   *string // nil: DefaultToken; "": no Authorization header
	space   *string // nil: DefaultSpaceID; "": no Monime-Space-Id header
	key     *string // POST only. nil: a fresh key; "": no Idempotency-Key header
	headers map[string]string
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) build(r req) *http.Request {
	f.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, f.ts.URL+r.path, body)
	require.NoError(f.t, err)
	token := DefaultToken
	if r.token != nil {
		token = *r.token
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	space := DefaultSpaceID
	if r.space != nil {
		space = *r.space
	}
	if space != "" {
		hr.Header.Set("Monime-Space-Id", space)
	}
	if r.method == http.MethodPost {
		key := newID("key-", 16)
		if r.key != nil {
			key = *r.key
		}
		if key != "" {
			hr.Header.Set("Idempotency-Key", key)
		}
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	return hr
}

// send sends r and checks what every answer must have.
func (f *fixture) send(r req) response {
	f.t.Helper()
	resp, err := f.client.Do(f.build(r))
	require.NoError(f.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	assert.True(f.t, strings.HasPrefix(resp.Header.Get("Monime-Request-Id"), "req-"), "%s %s: Monime-Request-Id missing", r.method, r.path)
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

const minimalBody = `{"name":"Order #1","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000}}]}`

func (f *fixture) create(body string) gen.CheckoutSession {
	f.t.Helper()
	return okResult[gen.CheckoutSession](f, req{method: http.MethodPost, path: "/v1/checkout-sessions", body: body})
}

func (f *fixture) get(id string) gen.CheckoutSession {
	f.t.Helper()
	return okResult[gen.CheckoutSession](f, req{method: http.MethodGet, path: "/v1/checkout-sessions/" + id})
}

// okResult sends r, requires a 200 and returns the envelope's result.
func okResult[R any](f *fixture, r req) R {
	f.t.Helper()
	return result[R](f.t, f.ok(r))
}

// okBody sends r, requires a 200 and decodes the whole body as E (a list
// envelope, with its pagination).
func okBody[E any](f *fixture, r req) E {
	f.t.Helper()
	res := f.ok(r)
	var body E
	require.NoError(f.t, json.Unmarshal(res.body, &body), "%s", res.body)
	return body
}

// ok sends r and requires a 200.
func (f *fixture) ok(r req) response {
	f.t.Helper()
	res := f.send(r)
	require.Equal(f.t, http.StatusOK, res.status, "%s %s: %s", r.method, r.path, res.body)
	return res
}

// result decodes the result of a success envelope, failing the test on
// anything else.
func result[R any](t *testing.T, r response) R {
	t.Helper()
	var env struct {
		Success bool `json:"success"`
		Result  R    `json:"result"`
	}
	require.NoError(t, json.Unmarshal(r.body, &env), "%s", r.body)
	require.True(t, env.Success, "%s", r.body)
	return env.Result
}

func (r response) session(t *testing.T) gen.CheckoutSession { return result[gen.CheckoutSession](t, r) }

func (r response) list(t *testing.T) gen.CheckoutSessionListEnvelope {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "list: %s", r.body)
	var env gen.CheckoutSessionListEnvelope
	require.NoError(t, json.Unmarshal(r.body, &env), "%s", r.body)
	return env
}

// apiErr decodes an error answer and checks the envelope's invariants.
func (r response) apiErr(t *testing.T) gen.Error {
	t.Helper()
	var env gen.ErrorEnvelope
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&env), "%s", r.body)
	require.False(t, env.Success)
	require.Equal(t, r.status, env.Error.Code, "error.code repeats the status")
	require.NotEmpty(t, env.Error.Message)
	require.NotNil(t, env.Error.Details, "details is always an array")
	return env.Error
}

// fields lists the field of every detail of an error.
func fields(e gen.Error) []string {
	var out []string
	for _, d := range *e.Details {
		if d.Field != nil {
			out = append(out, *d.Field)
		} else {
			out = append(out, "")
		}
	}
	return out
}
