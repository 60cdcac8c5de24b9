package monime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	cases := []struct {
		name    string
		token   string
		space   string
		opts    []ClientOption
		wantErr string
	}{
		{"empty token", "", testSpace, nil, "access token is empty"},
		{"blank token", "   ", testSpace, nil, "access token is empty"},
		{"token with Bearer prefix", "Bearer mon_x", testSpace, nil, "white space"},
		{"empty space", testToken, "", nil, "space id"},
		{"space without spc- prefix", testToken, "space-1", nil, "want spc-"},
		{"bare spc- prefix", testToken, "spc-", nil, "want spc-"},
		{"space too long", testToken, "spc-" + strings.Repeat("a", 61), nil, "at most 64"},
		{"http base URL on a public host", testToken, testSpace, []ClientOption{WithBaseURL("http://api.monime.io")}, "plain http is allowed only for loopback"},
		{"relative base URL", testToken, testSpace, []ClientOption{WithBaseURL("/v1")}, "absolute http(s) URL"},
		{"ftp base URL", testToken, testSpace, []ClientOption{WithBaseURL("ftp://127.0.0.1")}, "absolute http(s) URL"},
		{"base URL with credentials", testToken, testSpace, []ClientOption{WithBaseURL("https://u:p@api.monime.io")}, "credentials"},
		{"nil http client", testToken, testSpace, []ClientOption{WithHTTPClient(nil)}, "WithHTTPClient(nil)"},
		{"negative retries", testToken, testSpace, []ClientOption{WithMaxRetries(-1)}, "want 0 to 20"},
		{"unknown version", testToken, testSpace, []ClientOption{WithAPIVersion("caph.2030-01-01")}, "WithAPIVersion"},
		{"managed header", testToken, testSpace, []ClientOption{WithHeader("Authorization", "x")}, "the client sets this header"},
		{"zero timeout", testToken, testSpace, []ClientOption{WithTimeout(0)}, "positive"},
		{"backwards backoff", testToken, testSpace, []ClientOption{WithRetryBackoff(2, 1)}, "initial <= max"},
		{"nil logger", testToken, testSpace, []ClientOption{WithLogger(nil)}, "WithLogger(nil)"},
		{"multi-line user agent", testToken, testSpace, []ClientOption{WithUserAgent("a\r\nX-Evil: 1")}, "one line"},
		{"token with a control byte", "mon_test\x00x", testSpace, nil, "control or non-ASCII"},
		{"space with a control byte", testToken, "spc-a\x01", nil, "want spc-"},
		{"header name with a space", testToken, testSpace, []ClientOption{WithHeader("Bad Name", "x")}, "header name"},
		{"header value with NUL", testToken, testSpace, []ClientOption{WithHeader("X-Ok", "a\x00")}, "control characters"},
		{"user agent by header", testToken, testSpace, []ClientOption{WithHeader("user-agent", "x")}, "WithUserAgent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.token, tc.space, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestNewClientAcceptsLoopbackHTTP(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://api.monime.io", "http://127.9.9.9"} {
		c, err := NewClient(testToken, testSpace, WithBaseURL(u))
		require.NoError(t, err, u)
		assert.True(t, strings.HasPrefix(c.BaseURL(), u), c.BaseURL())
	}
	c, err := NewClient(testToken, testSpace)
	require.NoError(t, err)
	assert.Equal(t, "https://api.monime.io/", c.BaseURL())
	assert.Equal(t, testSpace, c.SpaceID())
}

// recorder keeps the requests a test server saw.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (r *recorder) wrap(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b bytes.Buffer
		_, _ = b.ReadFrom(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Clone(context.Background()))
		r.body = append(r.body, b.Bytes())
		r.mu.Unlock()
		h(w, req)
	})
}

func (r *recorder) last() *http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestHeadersOnEveryRequest(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodDelete:
			writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}})
		case http.MethodGet:
			if r.URL.Path == "/v1/checkout-sessions" {
				writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{}, "pagination": map[string]any{"count": 0, "next": nil}})
				return
			}
			writeResult(w, wireSession("scs-1"))
		default:
			writeResult(w, wireSession("scs-1"))
		}
	}), WithUserAgent("myshop/1.4"))
	ctx := context.Background()

	_, err := c.CheckoutSessions.Create(ctx, validParams())
	require.NoError(t, err)
	post := rec.last()
	assert.Equal(t, "Bearer "+testToken, post.Header.Get("Authorization"))
	assert.Equal(t, testSpace, post.Header.Get("Monime-Space-Id"))
	assert.Equal(t, APIVersion, post.Header.Get("Monime-Version"))
	assert.Equal(t, "application/json", post.Header.Get("Content-Type"))
	assert.Equal(t, "monime-go/"+Version+" go/"+strings.TrimPrefix(runtime.Version(), "go")+" myshop/1.4", post.Header.Get("User-Agent"))
	assert.Regexp(t, uuidV4, post.Header.Get("Idempotency-Key"))

	_, err = c.CheckoutSessions.Get(ctx, "scs-1")
	require.NoError(t, err)
	_, err = c.CheckoutSessions.List(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, c.CheckoutSessions.Delete(ctx, "scs-1"))
	for _, r := range rec.reqs[1:] {
		assert.Empty(t, r.Header.Values("Idempotency-Key"), "%s must not carry an Idempotency-Key", r.Method)
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		assert.Equal(t, testSpace, r.Header.Get("Monime-Space-Id"))
		assert.Equal(t, APIVersion, r.Header.Get("Monime-Version"))
	}
}

func TestIdempotencyKeyIsFreshPerCallAndCallerChosenWhenGiven(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) { writeResult(w, wireSession("scs-1")) }))
	ctx := context.Background()
	_, err := c.CheckoutSessions.Create(ctx, validParams())
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Create(ctx, validParams())
	require.NoError(t, err)
	var info ResponseInfo
	_, err = c.CheckoutSessions.Create(ctx, validParams(), WithIdempotencyKey("order-1042"), WithResponseInfo(&info))
	require.NoError(t, err)

	k1, k2 := rec.reqs[0].Header.Get("Idempotency-Key"), rec.reqs[1].Header.Get("Idempotency-Key")
	assert.NotEqual(t, k1, k2, "two logical calls must not share a key")
	assert.Equal(t, "order-1042", rec.reqs[2].Header.Get("Idempotency-Key"))
	assert.Equal(t, "order-1042", info.IdempotencyKey)

	_, err = c.CheckoutSessions.Create(ctx, validParams(), WithIdempotencyKey(strings.Repeat("k", 65)))
	require.ErrorContains(t, err, "1 to 64 characters")
	_, err = c.CheckoutSessions.Create(ctx, validParams(), WithIdempotencyKey("a\x01b"))
	require.ErrorContains(t, err, "control characters")
	_, err = c.CheckoutSessions.Create(ctx, validParams(), WithIdempotencyKey(" k "))
	require.ErrorContains(t, err, "surrounding spaces")
	_, err = c.CheckoutSessions.Create(ctx, validParams(), WithIdempotencyKey(""))
	require.Error(t, err)
	assert.Len(t, rec.reqs, 3, "a bad key must not be sent")
}

func TestPerCallSpaceVersionAndHeaders(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) { writeResult(w, wireSession("scs-1")) }),
		WithHeader("X-Trace", "client"))
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1",
		WithSpaceID("spc-other"), WithAPIVersion(APIVersion20250620), WithHeader("X-Call", "yes"))
	require.NoError(t, err)
	r := rec.last()
	assert.Equal(t, "spc-other", r.Header.Get("Monime-Space-Id"))
	assert.Equal(t, APIVersion20250620, r.Header.Get("Monime-Version"))
	assert.Equal(t, "client", r.Header.Get("X-Trace"))
	assert.Equal(t, "yes", r.Header.Get("X-Call"))

	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithSpaceID("nope"))
	require.ErrorContains(t, err, "want spc-")
	assert.Len(t, rec.reqs, 1)
	// The per-call override did not leak into the client.
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	assert.Equal(t, testSpace, rec.last().Header.Get("Monime-Space-Id"))
}

func TestClientNeverPrintsItsToken(t *testing.T) {
	var logs bytes.Buffer
	c, err := NewClient(testToken, testSpace, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, testToken, verb)
		assert.NotContains(t, out, "s3cr3t", verb)
		deref := fmt.Sprintf(verb, *c) //nolint:govet // printing the struct value is what users might do
		assert.NotContains(t, deref, "s3cr3t", verb+" of the struct value")
	}
	assert.Contains(t, fmt.Sprint(c), "[redacted]")

	// Options print as function values, never as what they carry.
	for _, o := range []any{WithHeader("X-Api-Secret", "s3cr3t-header"), WithIdempotencyKey("s3cr3t-key"), WithBaseURL("https://api.monime.io")} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, o), "s3cr3t", verb)
		}
	}
}

func TestNilContextIsAnErrorNotAPanic(t *testing.T) {
	c, _ := newTestClient(t, http.NotFoundHandler())
	//lint:ignore SA1012 a nil context is exactly what is being tested
	_, err := c.CheckoutSessions.Get(nil, "scs-1") //nolint:staticcheck
	require.ErrorContains(t, err, "nil context")
}

func TestBaseURLErrorsNeverShowAPassword(t *testing.T) {
	_, err := NewClient(testToken, testSpace, WithBaseURL("https://user:hunter2@api.monime.io"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = NewClient(testToken, testSpace, WithBaseURL("http://user:hunter2@api.monime.io"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = NewClient(testToken, testSpace, WithBaseURL("http://user:hunter2@[::1"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

// Values users can build themselves, without NewClient, fail with a clear
// error instead of panicking.
func TestZeroValuesDoNotPanic(t *testing.T) {
	ctx := context.Background()
	var zero Client
	assert.Equal(t, "", zero.BaseURL())
	assert.Equal(t, "", zero.SpaceID())
	assert.Contains(t, zero.String(), "[redacted]")
	var nilClient *Client
	assert.Equal(t, "", nilClient.BaseURL())
	assert.Equal(t, "monime.Client(nil)", nilClient.String())

	var svc *CheckoutSessionsService
	_, err := svc.Create(ctx, validParams())
	require.ErrorContains(t, err, "NewClient")
	_, err = (&CheckoutSessionsService{}).Get(ctx, "scs-1")
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.CheckoutSessions.List(ctx, nil)
	require.ErrorContains(t, err, "NewClient")
	require.ErrorContains(t, zero.CheckoutSessions.Delete(ctx, "scs-1"), "NewClient")
	for _, err := range zero.CheckoutSessions.All(ctx, nil) {
		require.ErrorContains(t, err, "NewClient")
	}
	var payments *PaymentsService
	_, err = payments.Get(ctx, "pay-1")
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Payments.Update(ctx, "pay-1", &PaymentUpdateParams{Name: "x"})
	require.ErrorContains(t, err, "NewClient")
	var accounts *FinancialAccountsService
	_, err = accounts.Create(ctx, &FinancialAccountCreateParams{Name: "x", Currency: "SLE"})
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.FinancialAccounts.Get(ctx, "fac-1", nil)
	require.ErrorContains(t, err, "NewClient")
	for _, err := range zero.FinancialAccounts.All(ctx, nil) {
		require.ErrorContains(t, err, "NewClient")
	}
	var payouts *PayoutsService
	_, err = payouts.Create(ctx, &PayoutCreateParams{Amount: Money{Currency: "SLE", Value: 1},
		Destination: PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"}})
	require.ErrorContains(t, err, "NewClient")
	require.ErrorContains(t, zero.Payouts.Delete(ctx, "pyt-1"), "NewClient")
	_, err = zero.InternalTransfers.Update(ctx, "trn-1", &InternalTransferUpdateParams{Description: "x"})
	require.ErrorContains(t, err, "NewClient")
	for _, err := range zero.FinancialTransactions.All(ctx, nil) {
		require.ErrorContains(t, err, "NewClient")
	}
	_, err = zero.Banks.Get(ctx, "slb001")
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Momos.List(ctx, &ProviderListParams{Country: "SL"})
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.ProviderKYC.Get(ctx, "m17", "+23276123456")
	require.ErrorContains(t, err, "NewClient")
	var codes *PaymentCodesService
	_, err = codes.Create(ctx, &PaymentCodeCreateParams{Name: "Term 1 fees"})
	require.ErrorContains(t, err, "NewClient")
	for _, err := range zero.PaymentCodes.All(ctx, nil) {
		require.ErrorContains(t, err, "NewClient")
	}
	require.ErrorContains(t, zero.PaymentCodes.Delete(ctx, "pmc-1"), "NewClient")
	_, err = zero.USSDOTPs.Create(ctx, &USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222"})
	require.ErrorContains(t, err, "NewClient")
	require.ErrorContains(t, zero.USSDOTPs.Delete(ctx, "uop-1"), "NewClient")
	var receipts *ReceiptsService
	_, err = receipts.Get(ctx, "104211")
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Receipts.Redeem(ctx, "104211", &ReceiptRedeemParams{RedeemAll: true})
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Webhooks.Update(ctx, "whk-1", &WebhookUpdateParams{Name: "x"})
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Webhooks.List(ctx, nil)
	require.ErrorContains(t, err, "NewClient")
	_, err = zero.Countries.Get(ctx, "SL")
	require.ErrorContains(t, err, "NewClient")
	for _, err := range zero.Countries.All(ctx, nil) {
		require.ErrorContains(t, err, "NewClient")
	}
}

func TestDeleteAcceptsAnAnswerWithoutABody(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Monime-Request-Id", "req-1")
		w.WriteHeader(http.StatusNoContent)
	}))
	tr.HostileResponses = true // a 204 is not in the spec; Monime answers 200
	var info ResponseInfo
	require.NoError(t, c.CheckoutSessions.Delete(context.Background(), "scs-1", WithResponseInfo(&info)))
	assert.Equal(t, http.StatusNoContent, info.StatusCode)
}
