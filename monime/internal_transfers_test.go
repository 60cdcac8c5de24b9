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

// wireTransfer is an internal transfer as Monime sends it.
func wireTransfer(id, status string) map[string]any {
	return map[string]any{
		"id": id, "status": status, "amount": map[string]any{"currency": "SLE", "value": 50000},
		"sourceFinancialAccount":        map[string]any{"id": "fac-main01"},
		"destinationFinancialAccount":   map[string]any{"id": "fac-payroll"},
		"financialTransactionReference": "ftr-Tr55", "description": "Payroll float", "failureDetail": nil,
		"createTime": "2025-11-01T08:00:00Z", "updateTime": nil, "metadata": nil,
	}
}

func TestInternalTransfersOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/internal-transfers":
			writePage(w, wireTransfer("trn-1", "completed"))
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}})
		default:
			writeResult(w, wireTransfer("trn-1", "completed"))
		}
	}))
	ctx := context.Background()

	tr, err := c.InternalTransfers.Create(ctx, &InternalTransferCreateParams{Amount: Money{Currency: "SLE", Value: 50000},
		SourceFinancialAccountID: "fac-main01", DestinationFinancialAccountID: "fac-payroll", Description: "Payroll float",
		Metadata: Metadata{"run": "nov"}}, WithIdempotencyKey("float-nov"))
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"POST", "/v1/internal-transfers", "", "float-nov", testSpace, APIVersion, map[string]any{
		"amount":                      map[string]any{"currency": "SLE", "value": float64(50000)},
		"sourceFinancialAccount":      map[string]any{"id": "fac-main01"},
		"destinationFinancialAccount": map[string]any{"id": "fac-payroll"},
		"description":                 "Payroll float", "metadata": map[string]any{"run": "nov"}}}, last)
	assert.Equal(t, &InternalTransfer{ID: "trn-1", Status: InternalTransferCompleted, Amount: Money{Currency: "SLE", Value: 50000},
		SourceFinancialAccountID: "fac-main01", DestinationFinancialAccountID: "fac-payroll",
		FinancialTransactionReference: "ftr-Tr55", Description: "Payroll float",
		CreateTime: time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)}, tr)

	_, err = c.InternalTransfers.Create(ctx, &InternalTransferCreateParams{Amount: Money{Currency: "SLE", Value: 1},
		SourceFinancialAccountID: "fac-a", DestinationFinancialAccountID: "fac-b"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"amount": map[string]any{"currency": "SLE", "value": float64(1)},
		"sourceFinancialAccount": map[string]any{"id": "fac-a"}, "destinationFinancialAccount": map[string]any{"id": "fac-b"}},
		last.body, "unset options are left out")
	assert.Regexp(t, uuidV4, last.key)

	_, err = c.InternalTransfers.Get(ctx, "trn-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/internal-transfers/trn-1", "", "", testSpace, APIVersion, nil}, last)

	page, err := c.InternalTransfers.List(ctx, &InternalTransferListParams{Status: "failed", SourceFinancialAccountID: "fac-main01",
		DestinationFinancialAccountID: "fac-payroll", FinancialTransactionReference: "ftr-Tr55", Limit: 5, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "status=failed&sourceFinancialAccountId=fac-main01&destinationFinancialAccountId=fac-payroll&financialTransactionReference=ftr-Tr55&limit=5&after=c1", last.query)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "fac-payroll", page.Items[0].DestinationFinancialAccountID)

	_, err = c.InternalTransfers.Update(ctx, "trn-1", &InternalTransferUpdateParams{Description: strings.Repeat("d", 255)})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"PATCH", "/v1/internal-transfers/trn-1", "", "", testSpace, APIVersion,
		map[string]any{"description": strings.Repeat("d", 255)}}, last, "an update may say more than a create")

	require.NoError(t, c.InternalTransfers.Delete(ctx, "trn-1"))
	assert.Equal(t, seenRequest{"DELETE", "/v1/internal-transfers/trn-1", "", "", testSpace, APIVersion, nil}, last)

	all := collect(t, c.InternalTransfers.All(ctx, nil))
	require.Len(t, all, 1)
	assert.Equal(t, "trn-1", all[0].ID)
}

func TestInternalTransfersRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	good := InternalTransferCreateParams{Amount: Money{Currency: "SLE", Value: 1}, SourceFinancialAccountID: "fac-a", DestinationFinancialAccountID: "fac-b"}
	create := func(change func(p *InternalTransferCreateParams), opts ...CallOption) func() error {
		return func() error {
			p := good
			change(&p)
			_, err := c.InternalTransfers.Create(ctx, &p, opts...)
			return err
		}
	}
	refusedBeforeSending(t, map[string]badCall{
		"create without params": {func() error { _, err := c.InternalTransfers.Create(ctx, nil); return err }, "params"},
		"a zero amount":         {create(func(p *InternalTransferCreateParams) { p.Amount.Value = 0 }), "amount.value"},
		"a made-up currency":    {create(func(p *InternalTransferCreateParams) { p.Amount.Currency = "XOF" }), "amount.currency"},
		"USD before its release": {create(func(p *InternalTransferCreateParams) { p.Amount.Currency = "USD" }, WithAPIVersion(APIVersion20250620)),
			"amount.currency"},
		"no source":               {create(func(p *InternalTransferCreateParams) { p.SourceFinancialAccountID = "" }), "sourceFinancialAccountId"},
		"a source not an account": {create(func(p *InternalTransferCreateParams) { p.SourceFinancialAccountID = "main" }), "sourceFinancialAccountId"},
		"a source too long": {create(func(p *InternalTransferCreateParams) { p.SourceFinancialAccountID = "fac-" + strings.Repeat("x", 61) }),
			"sourceFinancialAccountId"},
		"no destination":          {create(func(p *InternalTransferCreateParams) { p.DestinationFinancialAccountID = "" }), "destinationFinancialAccountId"},
		"a description too long":  {create(func(p *InternalTransferCreateParams) { p.Description = strings.Repeat("d", 151) }), "description"},
		"a reserved metadata key": {create(func(p *InternalTransferCreateParams) { p.Metadata = Metadata{"_x": "1"} }), "metadata._x"},
		"get another's id":        {func() error { _, err := c.InternalTransfers.Get(ctx, "pyt-1"); return err }, "id"},
		"list a made-up status": {func() error {
			_, err := c.InternalTransfers.List(ctx, &InternalTransferListParams{Status: "done"})
			return err
		}, "status"},
		"list into a non-account": {func() error {
			_, err := c.InternalTransfers.List(ctx, &InternalTransferListParams{DestinationFinancialAccountID: "pyt-1"})
			return err
		}, "destinationFinancialAccountId"},
		"list a negative page": {func() error {
			_, err := c.InternalTransfers.List(ctx, &InternalTransferListParams{Limit: -1})
			return err
		}, "limit"},
		"update nothing": {func() error { _, err := c.InternalTransfers.Update(ctx, "trn-1", nil); return err }, "params"},
		"update a description too long": {func() error {
			_, err := c.InternalTransfers.Update(ctx, "trn-1", &InternalTransferUpdateParams{Description: strings.Repeat("d", 256)})
			return err
		}, "description"},
		"delete without an id": {func() error { return c.InternalTransfers.Delete(ctx, "") }, "id"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, good.Validate())
}

func TestInternalTransfersReadAmountsStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*InternalTransfer, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.InternalTransfers.Get(context.Background(), "trn-1")
	}
	for _, bad := range []string{
		`{"id":"trn-1","status":"pending","amount":{"value":5}}`,
		`{"id":"trn-1","status":"pending","amount":"SLE 5"}`,
		`{"id":"trn-1","status":"pending"}`,
		`{"id":"trn-1","status":["pending"],"amount":{"currency":"SLE","value":5}}`,
		`{"id":5,"status":"pending","amount":{"currency":"SLE","value":5}}`,
		`{"status":"pending","amount":{"currency":"SLE","value":5}}`,
	} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	got, err := get(`{"id":"trn-1","status":"scheduled","amount":{"currency":"SLE","value":5},"sourceFinancialAccount":"fac-a",
		"destinationFinancialAccount":{"id":9},"description":{"x":1},"failureDetail":{"code":"limit_reached","message":null},"updateTime":7}`)
	require.NoError(t, err)
	assert.Equal(t, InternalTransferStatus("scheduled"), got.Status)
	assert.False(t, got.Status.IsFinal())
	assert.Empty(t, got.SourceFinancialAccountID)
	assert.Empty(t, got.DestinationFinancialAccountID)
	assert.Empty(t, got.Description)
	assert.Equal(t, &FailureDetail{Code: "limit_reached"}, got.FailureDetail, "a new failure code is kept")
	assert.True(t, got.UpdateTime.IsZero())
}

func TestInternalTransferStatusIsFinal(t *testing.T) {
	for s, final := range map[InternalTransferStatus]bool{InternalTransferPending: false, InternalTransferProcessing: false,
		InternalTransferCompleted: true, InternalTransferFailed: true} {
		assert.Equal(t, final, s.IsFinal(), s)
	}
}
