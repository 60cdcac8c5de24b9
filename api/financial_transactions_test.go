package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func TestFinancialTransactionsListFiltersAndPages(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 100, 0))
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 1000)
	s := f.create(`{"name":"Order","lineItems":[{"name":"Tee","price":{"currency":"SLE","value":10000}}]}`)
	require.NoError(t, f.srv.Complete(s.Id))
	f.transfer(main, payroll.Id, 300)

	all := f.transactions(url.Values{"limit": {"50"}}).Result
	require.Len(t, all, 5, "funding, payment credit and fee, transfer debit and credit")
	assert.Equal(t, payroll.Id, *all[0].FinancialAccount.Id, "newest first")
	for _, tx := range all {
		assert.Regexp(t, `^txn-[0-9A-Za-z]{14}$`, tx.Id)
		assert.Nil(t, tx.Metadata)
		assert.Equal(t, f.clock.Now(), tx.Timestamp)
	}
	funding := all[4]
	assert.Nil(t, funding.OwnershipGraph, "test funding has no owner")
	fee := all[2]
	require.NotNil(t, fee.OriginatingFee)
	assert.Equal(t, "processing_fee", *fee.OriginatingFee.Code)
	rec, _ := Find[Session](f.srv, s.Id)
	assert.Equal(t, &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &rec.PaymentIDs[0], Type: ptr("payment")}}, fee.OwnershipGraph)
	assert.Equal(t, int64(1000+10000-100), fee.FinancialAccount.Balance.After.Value)

	got := f.transactions(url.Values{"financialAccountId": {payroll.Id}}).Result
	require.Len(t, got, 1)
	assert.Equal(t, all[0], got[0])
	got = f.transactions(url.Values{"type": {"debit"}, "financialAccountId": {main}}).Result
	require.Len(t, got, 2)
	assert.Equal(t, []string{all[1].Id, all[2].Id}, []string{got[0].Id, got[1].Id})

	var paged []string
	after := ""
	for {
		q := url.Values{"limit": {"2"}}
		if after != "" {
			q.Set("after", after)
		}
		page := f.transactions(q)
		for _, tx := range page.Result {
			paged = append(paged, tx.Id)
		}
		if page.Pagination.Next == nil {
			break
		}
		after = *page.Pagination.Next
	}
	require.Len(t, paged, 5)
	for i, tx := range all {
		assert.Equal(t, tx.Id, paged[i])
	}

	res := f.send(req{method: http.MethodGet, path: "/v1/financial-transactions/" + all[3].Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Contains(t, string(res.body), `"id":"`+all[3].Id+`"`)
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodGet, path: "/v1/financial-transactions/txn-nope"}).status)
	other := "spc-other"
	g := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, other))
	g.fund(MainAccountID(DefaultSpaceID), 5)
	assert.Empty(t, g.send(req{method: http.MethodGet, path: "/v1/financial-transactions", space: &other}).list(t).Result, "another space's books are its own")
}
