// Package monimetest runs the fake Monime API (package api) for your tests,
// in the style of net/http/httptest: one call starts it on loopback, wires a
// real *monime.Client to it, and stops it when the test ends.
//
//	func TestCheckout(t *testing.T) {
//		fake := monimetest.NewServer(t)
//		c := fake.Client()
//		s, err := c.CheckoutSessions.Create(ctx, params)
//		...
//		fake.Complete(s.ID) // the customer pays
//		s, err = c.CheckoutSessions.Get(ctx, s.ID) // s.Status == monime.CheckoutSessionStatusCompleted
//	}
//
// The fake validates every request against the API's OpenAPI contract and,
// here, every response too: a response that breaks the contract fails the
// test. It keeps sessions in memory, replays idempotent creates as Monime
// does, and can inject faults (FailNext, InjectFault) and move sessions
// through their life (Complete, Cancel, Expire, Start).
package monimetest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
)

// Server is a running fake Monime API. The embedded *api.Server gives the
// lifecycle controls (Complete, Cancel, Expire, Start), fault injection
// (InjectFault, ClearFaults) and inspection (Sessions, Session).
type Server struct {
	*api.Server
	// URL is the fake's base URL, http://127.0.0.1:port.
	URL string
	// Token and SpaceID are the credentials Client uses: api.DefaultToken
	// and api.DefaultSpaceID.
	Token, SpaceID string

	http *httptest.Server
	tb   testing.TB
}

// NewServer starts the fake for the test tb and stops it at cleanup. Pass
// api options to change credentials, the clock, the session TTL, rate
// limits or faults. Client uses api.DefaultToken on api.DefaultSpaceID; with
// other credentials (api.WithCredentials), use ClientFor.
func NewServer(tb testing.TB, opts ...api.Option) *Server {
	tb.Helper()
	all := append([]api.Option{api.WithResponseValidation(true)}, opts...)
	fake, err := newFake(all)
	if err != nil {
		tb.Fatalf("monimetest: %v", err)
	}
	hs := httptest.NewServer(fake)
	s := &Server{Server: fake, URL: hs.URL, Token: api.DefaultToken, SpaceID: api.DefaultSpaceID, http: hs, tb: tb}
	tb.Cleanup(func() {
		fake.Close() // stops webhook deliveries still being retried
		hs.Close()
		for _, v := range fake.ResponseViolations() {
			tb.Errorf("monimetest: the fake sent a response that breaks the API contract: %v", v)
		}
	})
	return s
}

// newFake is api.New, with an invalid option (which api.New reports by
// panicking, as a bug in the calling test) turned into an error.
func newFake(opts []api.Option) (fake *api.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return api.New(opts...), nil
}

// Client returns a *monime.Client for the fake with api.DefaultToken on
// api.DefaultSpaceID. Retries wait at most a few milliseconds, so tests that
// inject faults stay fast; opts are applied after these defaults.
func (s *Server) Client(opts ...monime.ClientOption) *monime.Client {
	s.tb.Helper()
	return s.ClientFor(s.Token, s.SpaceID, opts...)
}

// ClientFor is Client with other credentials.
func (s *Server) ClientFor(token, spaceID string, opts ...monime.ClientOption) *monime.Client {
	s.tb.Helper()
	all := append([]monime.ClientOption{
		monime.WithBaseURL(s.URL),
		monime.WithHTTPClient(s.http.Client()),
		monime.WithRetryBackoff(time.Millisecond, 10*time.Millisecond),
	}, opts...)
	c, err := monime.NewClient(token, spaceID, all...)
	if err != nil {
		s.tb.Fatalf("monimetest: %v", err)
	}
	return c
}

// HTTPClient returns an *http.Client for raw requests to the fake.
func (s *Server) HTTPClient() *http.Client { return s.http.Client() }

// Stored returns the sessions in the client's space, newest first,
// including what reads hide (callback state, payment options).
func (s *Server) Stored() []api.Session { return s.Sessions(s.SpaceID) }

// FailNext makes the next n requests matching method and path pattern (for
// example "POST", "/v1/checkout-sessions") answer status with the Monime
// error envelope, without handling them.
//
// A bad argument (n below 1, a status outside 400 to 599, a malformed
// pattern) fails the test.
func (s *Server) FailNext(n int, method, pattern string, status int) {
	s.tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			s.tb.Fatalf("monimetest: FailNext: %v", r)
		}
	}()
	s.InjectFault(method, pattern, n, api.Fault{Status: status})
}
