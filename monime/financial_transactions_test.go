package monime

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireTransaction is a financial transaction as Monime sends it.
func wireTransaction(id string) map[string]any {
	return map[string]any{
		"id": id, "type": "debit", "amount": map[string]any{"currency": "SLE", "value": 300},
		"timestamp": "2025-11-01T09:00:00Z", "reference": "ftr-Pq81",
		"financialAccount":    map[string]any{"id": "fac-main01", "balance": map[string]any{"after": map[string]any{"currency": "SLE", "value": 119700}}},
		"originatingReversal": nil, "originatingFee": map[string]any{"code": "payout_fee"},
		"ownershipGraph": map[string]any{"owner": map[string]any{"id": "pyt-1", "type": "payout"}}, "metadata": nil,
	}
}

func TestFinancialTransactionsOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/financial-transactions" {
			writePage(w, wireTransaction("txn-1"), wireTransaction("txn-2"))
			return
		}
		writeResult(w, wireTransaction("txn-1"))
	}))
	ctx := context.Background()

	txn, err := c.FinancialTransactions.Get(ctx, "txn-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/financial-transactions/txn-1", "", "", testSpace, APIVersion, nil}, last)
	assert.Equal(t, &FinancialTransaction{ID: "txn-1", Type: FinancialTransactionDebit, Amount: Money{Currency: "SLE", Value: 300},
		Timestamp: time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC), Reference: "ftr-Pq81", FinancialAccountID: "fac-main01",
		BalanceAfter: &Money{Currency: "SLE", Value: 119700}, FeeCode: "payout_fee",
		OwnershipGraph: &OwnershipGraph{Owner: &Owner{ID: "pyt-1", Type: "payout"}}}, txn)

	page, err := c.FinancialTransactions.List(ctx, &FinancialTransactionListParams{FinancialAccountID: "fac-main01",
		Reference: "ftr-Pq81", Type: "debit", Limit: 2, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/financial-transactions", "financialAccountId=fac-main01&reference=ftr-Pq81&type=debit&limit=2&after=c1",
		"", testSpace, APIVersion, nil}, last)
	assert.Len(t, page.Items, 2)

	var ids []string
	for txn, err := range c.FinancialTransactions.All(ctx, &FinancialTransactionListParams{Type: FinancialTransactionCredit}) {
		require.NoError(t, err)
		ids = append(ids, txn.ID)
	}
	assert.Equal(t, []string{"txn-1", "txn-2"}, ids)
	assert.Equal(t, "type=credit", last.query)
}

func TestFinancialTransactionsRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	list := func(p FinancialTransactionListParams) func() error {
		return func() error { _, err := c.FinancialTransactions.List(ctx, &p); return err }
	}
	refusedBeforeSending(t, map[string]badCall{
		"get without an id":        {func() error { _, err := c.FinancialTransactions.Get(ctx, ""); return err }, "id"},
		"get another's id":         {func() error { _, err := c.FinancialTransactions.Get(ctx, "trn-1"); return err }, "id"},
		"list by a non-account":    {list(FinancialTransactionListParams{FinancialAccountID: "txn-1"}), "financialAccountId"},
		"list a made-up type":      {list(FinancialTransactionListParams{Type: "fee"}), "type"},
		"list a page too big":      {list(FinancialTransactionListParams{Limit: 100}), "limit"},
		"list a reference not UTF": {list(FinancialTransactionListParams{Reference: "\xff"}), "reference"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
}

// The amount, the balance after it, the id and the type (the amount's
// sign) are read whole or not at all; the rest is read when it can be.
func TestFinancialTransactionsReadAmountsStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*FinancialTransaction, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.FinancialTransactions.Get(context.Background(), "txn-1")
	}
	for _, bad := range []string{
		`{"id":"txn-1","type":"debit","amount":{"currency":"SLE"}}`,
		`{"id":"txn-1","type":"debit"}`,
		`{"id":"txn-1","amount":{"currency":"SLE","value":1}}`,
		`{"id":"txn-1","type":-1,"amount":{"currency":"SLE","value":1}}`,
		`{"id":"txn-1","type":"debit","amount":{"currency":"SLE","value":1},"financialAccount":{"id":"fac-1","balance":{"after":{"currency":"SLE"}}}}`,
		`{"id":"txn-1","type":"debit","amount":{"currency":"SLE","value":1},"financialAccount":{"id":"fac-1","balance":{}}}`,
		`{"id":"txn-1","type":"debit","amount":{"currency":"SLE","value":1},"financialAccount":"fac-1"}`,
	} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	txn, err := get(`{"id":"txn-1","type":"credit","amount":{"currency":"SLE","value":1},"timestamp":"now",
		"financialAccount":{"id":"fac-1","balance":null},"originatingReversal":{"originTxnId":"txn-0","originTxnRef":"ftr-0"},
		"originatingFee":"payout_fee","reference":null,"metadata":[1]}`)
	require.NoError(t, err)
	assert.Equal(t, "fac-1", txn.FinancialAccountID)
	assert.Nil(t, txn.BalanceAfter, "null: Monime did not say")
	assert.Equal(t, &OriginatingReversal{OriginTxnID: "txn-0", OriginTxnRef: "ftr-0"}, txn.OriginatingReversal)
	assert.Empty(t, txn.FeeCode)
	assert.True(t, txn.Timestamp.IsZero())
	assert.Nil(t, txn.Metadata)
}
