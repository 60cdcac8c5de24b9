package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachErrorReason(t *testing.T) {
	cases := []struct {
		name    string
		r       req
		status  int
		reason  string
		message string // a part of error.message
	}{
		{"no Authorization", req{method: http.MethodGet, path: "/v1/checkout-sessions", token: ptr("")},
			401, ReasonUnauthorized, "Authorization header is missing"},
		{"not Bearer", req{method: http.MethodGet, path: "/v1/checkout-sessions", headers: map[string]string{"Authorization": "Basic dTpw"}},
			401, ReasonUnauthorized, "Bearer scheme"},
		{"Bearer without token", req{method: http.MethodGet, path: "/v1/checkout-sessions", headers: map[string]string{"Authorization": "Bearer "}},
			401, ReasonUnauthorized, "no token"},
		{"unknown token", req{method: http.MethodGet, path: "/v1/checkout-sessions", token: ptr("mon_test_wrong")},
			401, ReasonUnauthorized, "not valid"},
		{"401 comes before validation", req{method: http.MethodPost, path: "/v1/checkout-sessions", token: ptr(""), body: `{"bogus":1}`},
			401, ReasonUnauthorized, "Authorization"},
		{"space of another token", req{method: http.MethodGet, path: "/v1/checkout-sessions", space: ptr("spc-someone-else")},
			403, ReasonForbidden, "spc-someone-else"},
		{"403 comes before validation", req{method: http.MethodPost, path: "/v1/checkout-sessions", space: ptr("spc-someone-else"), body: `{"bogus":1}`},
			403, ReasonForbidden, "spc-someone-else"},
		{"unknown id", req{method: http.MethodGet, path: "/v1/checkout-sessions/scs-unknown"},
			404, ReasonNotFound, "scs-unknown"},
		{"delete unknown id", req{method: http.MethodDelete, path: "/v1/checkout-sessions/scs-unknown"},
			404, ReasonNotFound, "scs-unknown"},
		{"unknown path", req{method: http.MethodGet, path: "/v1/refunds"},
			404, ReasonNotFound, "no operation"},
		{"trailing slash", req{method: http.MethodGet, path: "/v1/checkout-sessions/"},
			404, ReasonNotFound, "no operation"},
		{"unknown method on a session", req{method: http.MethodPatch, path: "/v1/checkout-sessions/scs-1"},
			405, ReasonMethodNotAllowed, "it allows GET, DELETE"},
		{"unknown method on the list", req{method: http.MethodPut, path: "/v1/checkout-sessions"},
			405, ReasonMethodNotAllowed, "it allows GET, POST"},
		{"delete on the list is not the {id} path with an empty id", req{method: http.MethodDelete, path: "/v1/checkout-sessions"},
			405, ReasonMethodNotAllowed, "DELETE is not allowed on /v1/checkout-sessions; it allows GET, POST"},
		{"patch on the payments list", req{method: http.MethodPatch, path: "/v1/payments", body: "{}"},
			405, ReasonMethodNotAllowed, "PATCH is not allowed on /v1/payments; it allows GET"},
		{"unknown method on a payment", req{method: http.MethodDelete, path: "/v1/payments/pay-1"},
			405, ReasonMethodNotAllowed, "it allows GET, PATCH"},
		{"body too large", req{method: http.MethodPost, path: "/v1/checkout-sessions", body: `{"name":"` + strings.Repeat("x", 1<<20) + `"}`},
			413, ReasonRequestTooLarge, "bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.send(tc.r)
			require.Equal(t, tc.status, res.status, "%s", res.body)
			assert.Equal(t, "application/json", res.header.Get("Content-Type"))
			e := res.apiErr(t)
			assert.Equal(t, tc.reason, e.Reason)
			assert.Contains(t, e.Message, tc.message)
			if tc.status == http.StatusMethodNotAllowed {
				assert.NotEmpty(t, res.header.Get("Allow"))
			}
		})
	}
}

func TestCredentialsOption(t *testing.T) {
	f := newFixture(t,
		WithCredentials("mon_test_a", "spc-shop"),
		WithCredentials("mon_test_b", "spc-shop", "spc-other"),
		WithCredentials("mon_test_a", "spc-extra"), // adds a space to mon_test_a
		WithCredentials("mon_test_none"),
	)
	ok := func(token, space string) int {
		return f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions", token: &token, space: &space}).status
	}
	assert.Equal(t, http.StatusOK, ok("mon_test_a", "spc-shop"))
	assert.Equal(t, http.StatusOK, ok("mon_test_a", "spc-extra"))
	assert.Equal(t, http.StatusForbidden, ok("mon_test_a", "spc-other"))
	assert.Equal(t, http.StatusOK, ok("mon_test_b", "spc-other"))
	assert.Equal(t, http.StatusForbidden, ok("mon_test_none", "spc-shop"))
	assert.Equal(t, http.StatusUnauthorized, ok(DefaultToken, DefaultSpaceID), "the default applies only when no credentials are given")
}

func TestRequestIDsDiffer(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for range 20 {
		res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/scs-x"})
		id := res.header.Get("Monime-Request-Id")
		assert.False(t, seen[id], "request id %s repeated", id)
		seen[id] = true
	}
	assert.Equal(t, int64(20), f.srv.RequestCount())
}

func TestRateLimitPerTokenAndEndpoint(t *testing.T) {
	f := newFixture(t, WithRateLimit(2), WithCredentials(DefaultToken, DefaultSpaceID), WithCredentials("mon_test_other", DefaultSpaceID))
	get := req{method: http.MethodGet, path: "/v1/checkout-sessions/scs-x"}
	assert.Equal(t, http.StatusNotFound, f.send(get).status)
	assert.Equal(t, http.StatusNotFound, f.send(get).status)

	res := f.send(get)
	require.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, ReasonTooManyRequests, res.apiErr(t).Reason)
	assert.Equal(t, "endpoint-limit", res.header.Get("Monime-Rate-Limit"))
	assert.Equal(t, "1", res.header.Get("Retry-After"))

	assert.Equal(t, http.StatusOK, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).status, "another endpoint has its own budget")
	other := get
	other.token = ptr("mon_test_other")
	assert.Equal(t, http.StatusNotFound, f.send(other).status, "another token has its own budget")

	f.clock.Advance(1e9)
	assert.Equal(t, http.StatusNotFound, f.send(get).status, "the next second has a new budget")
}
