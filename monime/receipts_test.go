package monime

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireReceipt is a receipt as Monime sends it.
func wireReceipt(status string) map[string]any {
	return map[string]any{"status": status, "orderName": "Order #1042", "orderNumber": "104211",
		"orderAmount": map[string]any{"currency": "SLE", "value": 30000}, "createTime": "2025-09-01T12:05:02Z",
		"updateTime": "2025-09-02T09:00:00Z", "metadata": nil, "entitlements": []any{map[string]any{
			"key": "sli-7hQ2", "name": "T-shirt", "limit": 2, "current": 1, "remaining": 1, "exhausted": false}}}
}

var receipt104211 = Receipt{Status: ReceiptPartiallyRedeemed, OrderName: "Order #1042", OrderNumber: "104211",
	OrderAmount: Money{Currency: "SLE", Value: 30000}, CreateTime: time.Date(2025, 9, 1, 12, 5, 2, 0, time.UTC),
	UpdateTime:   time.Date(2025, 9, 2, 9, 0, 0, 0, time.UTC),
	Entitlements: []ReceiptEntitlement{{Key: "sli-7hQ2", Name: "T-shirt", Limit: 2, Current: 1, Remaining: 1}}}

func TestReceiptsOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeResult(w, map[string]any{"redeem": true, "receipt": wireReceipt("partially_redeemed")})
			return
		}
		writeResult(w, wireReceipt("partially_redeemed"))
	}))
	ctx := context.Background()

	r, err := c.Receipts.Get(ctx, "104211")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/receipts/104211", "", "", testSpace, APIVersion, nil}, last)
	assert.Equal(t, &receipt104211, r)

	res, err := c.Receipts.Redeem(ctx, "104211", &ReceiptRedeemParams{Entitlements: []Entitlement{{Key: "sli-7hQ2", Units: 1}, {Key: "cap"}},
		Metadata: Metadata{"gate": "north"}}, WithIdempotencyKey("gate-north-7"))
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"POST", "/v1/receipts/104211/redeem", "", "gate-north-7", testSpace, APIVersion, map[string]any{
		"entitlements": []any{map[string]any{"key": "sli-7hQ2", "units": float64(1)}, map[string]any{"key": "cap"}},
		"metadata":     map[string]any{"gate": "north"}}}, last, "zero units are left out, for Monime's default")
	assert.Equal(t, &receipt104211, res)

	_, err = c.Receipts.Redeem(ctx, "104211", &ReceiptRedeemParams{RedeemAll: true})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"redeemAll": true}, last.body)
	assert.Regexp(t, uuidV4, last.key, "a redemption without a key of yours gets one")
}

// A redemption is never made twice: whatever happens to the first attempt,
// the retry carries the same key and body.
func TestARetriedRedemptionCarriesTheSameKey(t *testing.T) {
	for name, first := range map[string]func(http.ResponseWriter, *http.Request){"500": status(500, "internal"), "reset": hangUp} {
		t.Run(name, func(t *testing.T) {
			s := &script{steps: []func(http.ResponseWriter, *http.Request){first, func(w http.ResponseWriter, r *http.Request) {
				writeResult(w, map[string]any{"redeem": true, "receipt": wireReceipt("fully_redeemed")})
			}}}
			c, _ := newTestClient(t, s)
			var info ResponseInfo
			res, err := c.Receipts.Redeem(context.Background(), "104211", &ReceiptRedeemParams{RedeemAll: true}, WithResponseInfo(&info))
			require.NoError(t, err)
			assert.True(t, res.Status.IsFinal())
			require.Len(t, s.keys, 2)
			assert.NotEmpty(t, s.keys[0])
			assert.Equal(t, s.keys[0], s.keys[1], "one key for every attempt")
			assert.Equal(t, s.bodies[0], s.bodies[1])
			assert.Equal(t, 2, info.Attempts)
		})
	}
}

func TestReceiptsRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	redeem := func(n string, p *ReceiptRedeemParams, opts ...CallOption) func() error {
		return func() error { _, err := c.Receipts.Redeem(ctx, n, p, opts...); return err }
	}
	all := &ReceiptRedeemParams{RedeemAll: true}
	old := WithAPIVersion(APIVersion20250620)
	refusedBeforeSending(t, map[string]badCall{
		"get without an order":         {func() error { _, err := c.Receipts.Get(ctx, ""); return err }, "orderNumber"},
		"get a dot segment":            {func() error { _, err := c.Receipts.Get(ctx, ".."); return err }, "orderNumber"},
		"get an order number too long": {func() error { _, err := c.Receipts.Get(ctx, strings.Repeat("1", 21)); return err }, "orderNumber"},
		"get before receipts":          {func() error { _, err := c.Receipts.Get(ctx, "104211", old); return err }, "Monime-Version"},
		"redeem before receipts":       {redeem("104211", all, old), "Monime-Version"},
		"redeem without an order":      {redeem("", all), "orderNumber"},
		"redeem without params":        {redeem("104211", nil), "params"},
		"redeem nothing":               {redeem("104211", &ReceiptRedeemParams{}), "entitlements"},
		"an entitlement without key":   {redeem("104211", &ReceiptRedeemParams{Entitlements: []Entitlement{{Units: 1}}}), "entitlements[0].key"},
		"a key too long": {redeem("104211", &ReceiptRedeemParams{Entitlements: []Entitlement{{Key: "a"}, {Key: strings.Repeat("k", 101)}}}),
			"entitlements[1].key"},
		"negative units": {redeem("104211", &ReceiptRedeemParams{Entitlements: []Entitlement{{Key: "a", Units: -1}}}), "entitlements[0].units"},
		"a reserved key": {redeem("104211", &ReceiptRedeemParams{RedeemAll: true, Metadata: Metadata{"_x": "1"}}), "metadata._x"},
	})
	_, err := c.Receipts.Get(ctx, "104211", old)
	assert.ErrorContains(t, err, "receipts arrived in API release caph.2025-08-23")
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&ReceiptRedeemParams{Entitlements: []Entitlement{{Key: strings.Repeat("k", 100), Units: 3}}}).Validate())
}

// A client made for caph.2025-06-20 refuses receipts too, and a call may
// ask for caph.2025-08-23 itself.
func TestReceiptsFollowTheClientsRelease(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		writeResult(w, wireReceipt("not_redeemed"))
	}), WithAPIVersion(APIVersion20250620))
	_, err := c.Receipts.Get(context.Background(), "104211")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Monime-Version", ve.Problems[0].Field)
	assert.Empty(t, last.method, "nothing was sent")
	_, err = c.Receipts.Get(context.Background(), "104211", WithAPIVersion(APIVersion))
	require.NoError(t, err)
	assert.Equal(t, APIVersion, last.version)
}

func TestReceiptsReadStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	answer := func(result string) { body.Store(`{"success":true,"messages":[],"result":` + result + `}`) }
	ok := `{"status":"not_redeemed","orderNumber":"1","orderAmount":{"currency":"SLE","value":5}}`
	for _, bad := range []string{
		`{"orderNumber":"1","orderAmount":{"currency":"SLE","value":5}}`,
		`{"status":"not_redeemed","orderAmount":{"currency":"SLE","value":5}}`,
		`{"status":"not_redeemed","orderNumber":"1"}`,
		`{"status":"not_redeemed","orderNumber":"1","orderAmount":{"currency":"SLE","value":null}}`,
	} {
		answer(bad)
		_, err := c.Receipts.Get(context.Background(), "1")
		assert.Error(t, err, bad)
		answer(`{"redeem":true,"receipt":` + bad + `}`)
		_, err = c.Receipts.Redeem(context.Background(), "1", &ReceiptRedeemParams{RedeemAll: true})
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{`{"receipt":` + ok + `}`, `{"redeem":"yes","receipt":` + ok + `}`, `{"redeem":true}`} {
		answer(bad)
		_, err := c.Receipts.Redeem(context.Background(), "1", &ReceiptRedeemParams{RedeemAll: true})
		assert.Error(t, err, bad)
	}
	answer(`{"redeem":false,"receipt":{"status":"voided","orderNumber":"1","orderAmount":{"currency":"SLE","value":5},
		"orderName":7,"entitlements":{"key":"x"},"createTime":"then","metadata":{"n":null}}}`)
	res, err := c.Receipts.Redeem(context.Background(), "1", &ReceiptRedeemParams{RedeemAll: true})
	assert.Nil(t, res)
	require.ErrorIs(t, err, ErrNotRedeemed, "redeem false: nothing was redeemed")
	var nr *NotRedeemedError
	require.ErrorAs(t, err, &nr)
	assert.Equal(t, &Receipt{Status: "voided", OrderNumber: "1", OrderAmount: Money{Currency: "SLE", Value: 5},
		Metadata: Metadata{"n": ""}}, nr.Receipt)
	assert.False(t, nr.Receipt.Status.IsFinal())
	assert.Contains(t, err.Error(), "nothing of order 1 was redeemed")
}

// Monime's refusal of a redemption names the action's path.
func TestARefusedRedemptionNamesItsPath(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusConflict, "entitlement_exhausted", "sli-7hQ2 is exhausted")
	}))
	_, err := c.Receipts.Redeem(context.Background(), "104211", &ReceiptRedeemParams{RedeemAll: true})
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrConflict)
	assert.Equal(t, "POST", apiErr.Method)
	assert.Equal(t, "/v1/receipts/104211/redeem", apiErr.Path)
	assert.NotEmpty(t, apiErr.IdempotencyKey)
}
