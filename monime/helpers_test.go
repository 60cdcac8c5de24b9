package monime

import (
	"encoding/json"
	"io"
	"iter"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/internal/contract"
)

const (
	testToken = "mon_test_s3cr3tT0kenValue"
	testSpace = "spc-test123"
)

var upstreamDoc = sync.OnceValues(func() (*contract.Doc, error) {
	return contract.Load(contract.UpstreamPath())
})

// upstream returns Monime's own document for a second check of requests.
// Missing it fails under CI and is reported (not hidden) elsewhere.
func upstream(t testing.TB) *contract.Doc {
	d, err := upstreamDoc()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Monime's upstream OpenAPI is needed in CI (set MONIME_UPSTREAM_SPEC): %v", err)
		}
		t.Logf("upstream OpenAPI not found, requests are checked against spec/ only: %v", err)
		return nil
	}
	return d
}

// newTestClient starts h on loopback and returns a client whose traffic is
// validated against spec/ (requests also against upstream). Retries wait at
// most a few milliseconds.
func newTestClient(t testing.TB, h http.Handler, opts ...ClientOption) (*Client, *contract.Transport) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr := contract.NewTransport(t, upstream(t))
	all := append([]ClientOption{
		WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: tr}),
		WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
	}, opts...)
	c, err := NewClient(testToken, testSpace, all...)
	require.NoError(t, err)
	return c, tr
}

// wireSession is a valid CheckoutSession as Monime sends it.
func wireSession(id string) map[string]any {
	return map[string]any{
		"id":          id,
		"name":        "Order #1042",
		"status":      "pending",
		"orderNumber": nil,
		"reference":   "1042",
		"description": nil,
		"redirectUrl": "https://checkout.monime.io/" + id,
		"successUrl":  "https://shop.example/ok",
		"cancelUrl":   "https://shop.example/cancel",
		"lineItems": map[string]any{"data": []any{map[string]any{
			"type": "custom", "id": "sli-1", "name": "T-shirt",
			"price": map[string]any{"currency": "SLE", "value": 15000}, "quantity": 2,
		}}},
		"financialAccountId": nil,
		"expireTime":         "2025-09-01T12:30:00Z",
		"createTime":         "2025-09-01T12:00:00Z",
		"metadata":           map[string]any{"cart": "c_77"},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Monime-Request-Id", "req-test-1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}, "result": result})
}

func writeError(w http.ResponseWriter, status int, reason, message string) {
	writeJSON(w, status, map[string]any{
		"success":  false,
		"messages": []any{},
		"error":    map[string]any{"code": status, "reason": reason, "message": message, "details": []any{}},
	})
}

func validParams() *CheckoutSessionCreateParams {
	return &CheckoutSessionCreateParams{
		Name:       "Order #1042",
		LineItems:  []LineItem{{Name: "T-shirt", Price: Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
		Reference:  "1042",
		Metadata:   Metadata{"cart": "c_77"},
	}
}

func newDiscardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// badCall is a call the client must refuse before sending, naming field.
type badCall struct {
	call  func() error
	field string
}

// refusedBeforeSending runs each call as a subtest: it must fail with a
// ValidationError (matching ErrInvalidRequest) whose one problem names
// its field. The caller checks that nothing was sent.
func refusedBeforeSending(t *testing.T, calls map[string]badCall) {
	t.Helper()
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			require.Len(t, ve.Problems, 1, "%v", err)
			assert.Equal(t, tc.field, ve.Problems[0].Field, "%v", err)
		})
	}
}

// collect drains an All iterator, failing the test on an error.
func collect[T any](t *testing.T, seq iter.Seq2[*T, error]) []*T {
	t.Helper()
	var out []*T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}
