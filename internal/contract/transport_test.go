package contract

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spyTB records Errorf calls instead of failing the real test.
type spyTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (s *spyTB) Errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

func (s *spyTB) all() string { return strings.Join(s.errs, "\n") }

func send(t *testing.T, tr *Transport, url, method, body string, h map[string]string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
}

func TestTransportCatchesRequestsAndResponsesThatBreakTheSpec(t *testing.T) {
	session := `{"id":"scs-1","name":"n","status":"pending","orderNumber":null,"reference":null,"description":null,"financialAccountId":null,"metadata":null,"redirectUrl":"https://x/","lineItems":{"data":[]},"expireTime":"2025-01-01T00:00:00Z","createTime":"2025-01-01T00:00:00Z"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Monime-Request-Id", "req-1")
		if r.URL.Query().Get("bad") == "1" {
			_, _ = w.Write([]byte(`{"success":true,"result":{"id":"scs-1"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"messages":[],"result":` + session + `}`))
	}))
	defer srv.Close()
	good := map[string]string{"Authorization": "Bearer t", "Monime-Space-Id": "spc-1"}

	spy := &spyTB{TB: t}
	tr := NewTransport(spy, nil)
	send(t, tr, srv.URL+"/v1/checkout-sessions/scs-1", http.MethodGet, "", good)
	assert.Empty(t, spy.errs, "a valid exchange must pass")

	send(t, tr, srv.URL+"/v1/checkout-sessions/scs-1", http.MethodGet, "", map[string]string{"Authorization": "Bearer t"})
	assert.Contains(t, spy.all(), "Monime-Space-Id")

	spy.errs = nil
	send(t, tr, srv.URL+"/v1/checkout-sessions/scs-1", http.MethodGet, "", map[string]string{"Monime-Space-Id": "spc-1"})
	assert.Contains(t, spy.all(), "breaks spec")

	spy.errs = nil
	send(t, tr, srv.URL+"/v1/checkout-sessions/scs-1?bad=1", http.MethodGet, "", good)
	assert.Contains(t, spy.all(), "response 200")

	spy.errs = nil
	body := `{"name":"n","lineItems":[{"name":"x","price":{"currency":"SLE","value":1}}],"successUrl":"/relative"}`
	send(t, tr, srv.URL+"/v1/checkout-sessions", http.MethodPost, body,
		map[string]string{"Authorization": "Bearer t", "Monime-Space-Id": "spc-1", "Idempotency-Key": "k", "Content-Type": "application/json"})
	assert.Contains(t, spy.all(), "absolute URL", "format uri is checked")

	spy.errs = nil
	body = `{"name":"n","lineItems":[{"name":"x","price":{"currency":"EUR","value":1}}],"surprise":1}`
	send(t, tr, srv.URL+"/v1/checkout-sessions", http.MethodPost, body,
		map[string]string{"Authorization": "Bearer t", "Monime-Space-Id": "spc-1", "Idempotency-Key": "k", "Content-Type": "application/json"})
	assert.Contains(t, spy.all(), "EUR")
	assert.Contains(t, spy.all(), "surprise")
	assert.Equal(t, 6, tr.Requests())
}
