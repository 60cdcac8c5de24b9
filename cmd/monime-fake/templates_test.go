package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closedPort returns a loopback address nothing listens on: a connection
// to it is refused.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestPagesShowFailedDeliveries is the regression of issue 21: the
// Webhooks page and a session's page answered 500 as soon as a delivery
// failed, because the deliveries template read a field the row lacks.
func TestPagesShowFailedDeliveries(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not today", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	refused := "http://" + closedPort(t) + "/hooks"
	r := start(t, nil, "-webhook-url", failing.URL, "-webhook-url", refused)
	id := createSession(t, r.URL, "fails")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/cancel", nil, nil))

	var deliveries struct{ Result []deliveryView }
	eventually(t, "a failed attempt to each receiver", func() bool {
		call(t, http.MethodGet, r.URL+"/_fake/deliveries", nil, &deliveries)
		seen := map[string]bool{}
		for _, d := range deliveries.Result {
			seen[d.URL] = seen[d.URL] || !d.OK
		}
		return seen[failing.URL] && seen[refused]
	})
	for _, path := range []string{"/webhooks", "/sessions/" + id} {
		code, body := getPage(t, r.URL+path)
		require.Equal(t, http.StatusOK, code, "%s with failed deliveries:\n%s", path, body)
		assert.Contains(t, body, `data-ok="false"`, path)
		assert.Contains(t, body, "receiver answered 500", path)
		assert.Contains(t, body, "no answer", path)
		assert.Contains(t, body, "refused", path)
	}
}
