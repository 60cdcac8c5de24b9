package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// send makes one request with the given Host header and other headers, and
// returns the answer's status, body and response; redirects are not
// followed.
func send(t *testing.T, method, url, host string, header ...string) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw), resp
}

// sessionCount is how many sessions the admin API lists.
func sessionCount(t *testing.T, base string, header ...string) int {
	t.Helper()
	var list struct {
		Result []any `json:"result"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, base+"/_fake/sessions", nil, &list, header...))
	return len(list.Result)
}

func TestAdminAndDashboardRefuseAnotherSitesHost(t *testing.T) {
	r := start(t, nil)
	createSession(t, r.URL, "rebinding")

	code, body, _ := send(t, http.MethodPost, r.URL+"/_fake/reset", "evil.example:8089")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, `the Host header \"evil.example:8089\" is not this fake's address`)
	assert.Contains(t, body, "-admin-token", "says how to serve other machines")
	assert.Equal(t, 1, sessionCount(t, r.URL), "a refused reset wiped the state")

	code, body, _ = send(t, http.MethodGet, r.URL+"/", "evil.example")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "DNS rebinding")

	for _, host := range []string{"", "localhost", "localhost:8089", "127.0.0.1", "[::1]:8089"} {
		code, _, _ := send(t, http.MethodGet, r.URL+"/", host)
		assert.Equal(t, http.StatusOK, code, "Host %q", host)
	}
	// The Monime API checks its own token, whatever the Host.
	code, _, _ = send(t, http.MethodGet, r.URL+"/v1/checkout-sessions", "evil.example", apiHeaders...)
	assert.Equal(t, http.StatusOK, code)
}

func TestAdminTokenIsRequiredInsteadOfTheHost(t *testing.T) {
	const token = "admin-0123456789abcdef"
	r := start(t, nil, "-admin-token", token)
	createSession(t, r.URL, "token")

	code, body, _ := send(t, http.MethodPost, r.URL+"/_fake/reset", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, body, "started with -admin-token")
	assert.Contains(t, body, "Authorization: Bearer")
	code, _, _ = send(t, http.MethodPost, r.URL+"/_fake/reset", "", "Authorization", "Bearer wrong-0123456789abcdef")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, 1, sessionCount(t, r.URL, "Authorization", "Bearer "+token))

	// Another machine names the fake by its own address: the token admits it.
	code, _, _ = send(t, http.MethodPost, r.URL+"/_fake/reset", "fake.ci.internal:8089", "Authorization", "Bearer "+token)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 0, sessionCount(t, r.URL, "Authorization", "Bearer "+token))

	// A browser: ?token= once sets a cookie and leaves the address bar.
	code, body, _ = send(t, http.MethodGet, r.URL+"/webhooks", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, body, "?token=")
	code, _, _ = send(t, http.MethodGet, r.URL+"/webhooks?token=nope", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, resp := send(t, http.MethodGet, r.URL+"/webhooks?token="+token+"&notice=hi", "")
	require.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, "/webhooks?notice=hi", resp.Header.Get("Location"))
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == adminCookie {
			cookie = c
		}
	}
	require.NotNil(t, cookie, "no %s cookie was set", adminCookie)
	assert.True(t, cookie.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, cookie.SameSite)
	code, body, _ = send(t, http.MethodGet, r.URL+"/webhooks", "", "Cookie", cookie.Name+"="+cookie.Value)
	assert.Equal(t, http.StatusOK, code, body)

	// The Monime API keeps its own access token.
	code, _, _ = send(t, http.MethodGet, r.URL+"/v1/checkout-sessions", "", apiHeaders...)
	assert.Equal(t, http.StatusOK, code)
}

// The rule for addresses other machines reach is checked on the
// configuration: the tests listen on loopback only.
func TestAnAddressOthersReachNeedsAnAdminToken(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8089", ":8089", "[::]:8089", "192.168.1.20:8089", "fake.ci.internal:8089"} {
		_, err := parseConfig([]string{"-addr", addr}, env(), io.Discard)
		require.Error(t, err, addr)
		assert.ErrorIs(t, err, errUsage)
		assert.Contains(t, err.Error(), "-addr "+addr+" listens on")
		assert.Contains(t, err.Error(), "pass -admin-token")

		cfg, err := parseConfig([]string{"-addr", addr, "-admin-token", "admin-0123456789abcdef"}, env(), io.Discard)
		require.NoError(t, err, addr)
		assert.Equal(t, "admin-0123456789abcdef", cfg.adminToken)
	}
	for _, addr := range []string{"127.0.0.1:8089", "localhost:8089", "[::1]:0", "127.0.0.2:0"} {
		_, err := parseConfig([]string{"-addr", addr}, env(), io.Discard)
		assert.NoError(t, err, addr)
	}
	_, err := parseConfig([]string{"-admin-token", "short"}, env(), io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-admin-token is shorter than 16 characters")
	_, err = parseConfig([]string{"-addr", "0.0.0.0:8089"}, env(envName("admin-token"), "admin-0123456789abcdef"), io.Discard)
	assert.NoError(t, err, "the environment twin counts")
}
