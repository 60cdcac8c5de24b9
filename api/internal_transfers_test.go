package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func transferBody(from, to string, value int64) string {
	return fmt.Sprintf(`{"amount":{"currency":"SLE","value":%d},"sourceFinancialAccount":{"id":%q},"destinationFinancialAccount":{"id":%q},"description":"float","metadata":{"run":"1"}}`, value, from, to)
}

// transfer moves value SLE minor units from one account to another.
func (f *fixture) transfer(from, to string, value int64) gen.InternalTransfer {
	f.t.Helper()
	return okResult[gen.InternalTransfer](f, req{method: http.MethodPost, path: "/v1/internal-transfers", body: transferBody(from, to, value)})
}

func (f *fixture) getTransfer(id string) gen.InternalTransfer {
	f.t.Helper()
	return okResult[gen.InternalTransfer](f, req{method: http.MethodGet, path: "/v1/internal-transfers/" + id})
}

func (r response) transfer(t *testing.T) gen.InternalTransfer {
	return result[gen.InternalTransfer](t, r)
}

func (f *fixture) listTransfers(query url.Values) []gen.InternalTransfer {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/internal-transfers?" + query.Encode()})
	require.Equal(f.t, http.StatusOK, res.status, "list transfers: %s", res.body)
	var env gen.InternalTransferListEnvelope
	require.NoError(f.t, json.Unmarshal(res.body, &env), "%s", res.body)
	return env.Result
}

func TestATransferCompletesAtOnceWhenCovered(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, webhookEvents...))
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 10000)

	tr := f.transfer(main, payroll.Id, 2500)
	assert.Regexp(t, `^trn-[0-9A-Za-z]{14}$`, tr.Id)
	assert.Equal(t, gen.InternalTransferStatusCompleted, tr.Status)
	assert.Equal(t, main, tr.SourceFinancialAccount.Id)
	assert.Equal(t, payroll.Id, tr.DestinationFinancialAccount.Id)
	assert.Equal(t, "float", *tr.Description)
	assert.Nil(t, tr.FailureDetail)
	require.NotNil(t, tr.FinancialTransactionReference)
	assert.Equal(t, tr, f.getTransfer(tr.Id))
	assert.Equal(t, int64(7500), f.balance(main).Value)
	assert.Equal(t, int64(2500), f.balance(payroll.Id).Value)

	txns := f.transactions(url.Values{"reference": {*tr.FinancialTransactionReference}}).Result
	require.Len(t, txns, 2)
	credit, debit := txns[0], txns[1]
	assert.Equal(t, gen.FinancialTransactionTypeDebit, debit.Type)
	assert.Equal(t, main, *debit.FinancialAccount.Id)
	assert.Equal(t, gen.FinancialTransactionTypeCredit, credit.Type)
	assert.Equal(t, payroll.Id, *credit.FinancialAccount.Id)
	assert.Equal(t, int64(2500), credit.FinancialAccount.Balance.After.Value)
	assert.Equal(t, &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &tr.Id, Type: ptr("internal_transfer")}}, credit.OwnershipGraph)

	byRef := f.listTransfers(url.Values{"financialTransactionReference": {*tr.FinancialTransactionReference}})
	require.Len(t, byRef, 1)
	assert.Equal(t, tr.Id, byRef[0].Id)

	res := f.send(req{method: http.MethodDelete, path: "/v1/internal-transfers/" + tr.Id})
	require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
	assert.Equal(t, ReasonTransferNotDeletable, res.apiErr(t).Reason)
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodDelete, path: "/v1/internal-transfers/trn-nope"}).status)

	f.waitDeliveries()
	_, events := rc.got()
	assert.Empty(t, events, "Monime names no transfer events")
	f.checkBooks()
}

func TestATransferTheSourceCannotCoverFails(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 100)
	tr := f.transfer(main, payroll.Id, 101)
	assert.Equal(t, gen.InternalTransferStatusFailed, tr.Status)
	require.NotNil(t, tr.FailureDetail)
	assert.Equal(t, gen.InternalTransferFailureDetailCodeFundInsufficient, tr.FailureDetail.Code)
	assert.Nil(t, tr.FinancialTransactionReference)
	assert.Equal(t, int64(100), f.balance(main).Value)
	assert.Equal(t, int64(0), f.balance(payroll.Id).Value)
	assert.Len(t, f.transactions(nil).Result, 1, "the funding alone")
	assert.Equal(t, ReasonTransferNotDeletable, f.send(req{method: http.MethodDelete, path: "/v1/internal-transfers/" + tr.Id}).apiErr(t).Reason)
	f.checkBooks()
}

func TestATransferNeedsTwoAccountsOfItsCurrency(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	usd := f.account(`{"name":"Dollars","currency":"USD"}`)
	f.fund(main, 100)
	for _, tc := range []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"same account", transferBody(main, main, 10), 400, []string{"destinationFinancialAccount.id"}},
		{"another currency", transferBody(main, usd.Id, 10), 400, []string{"destinationFinancialAccount.id"}},
		{"amount in another currency", `{"amount":{"currency":"USD","value":10},"sourceFinancialAccount":{"id":"` + main + `"},"destinationFinancialAccount":{"id":"` + usd.Id + `"}}`, 400, []string{"sourceFinancialAccount.id"}},
		{"zero", transferBody(main, usd.Id, 0), 400, []string{"amount.value"}},
		{"unknown source", transferBody("fac-nope", main, 10), 404, nil},
		{"unknown destination", transferBody(main, "fac-nope", 10), 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.send(req{method: http.MethodPost, path: "/v1/internal-transfers", body: tc.body})
			require.Equal(t, tc.status, res.status, "%s", res.body)
			e := res.apiErr(t)
			if tc.fields != nil {
				assert.Equal(t, tc.fields, fields(e))
			} else {
				assert.Contains(t, e.Message, "fac-nope")
			}
		})
	}
	assert.Empty(t, f.listTransfers(nil))
	f.checkBooks()
}

func TestPatchATransfer(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	tr := f.transfer(main, payroll.Id, 1) // failed: the main account is empty
	f.clock.Advance(1e9)
	res := f.send(req{method: http.MethodPatch, path: "/v1/internal-transfers/" + tr.Id, body: `{"description":"moved","metadata":{"run":"2"}}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	got := res.transfer(t)
	assert.Equal(t, "moved", *got.Description)
	assert.Equal(t, &map[string]any{"run": "2"}, got.Metadata)
	assert.Equal(t, f.clock.Now(), *got.UpdateTime)
	res = f.send(req{method: http.MethodPatch, path: "/v1/internal-transfers/" + tr.Id, body: `{"description":null}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, "moved", *res.transfer(t).Description, "null leaves it as it was")
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodPatch, path: "/v1/internal-transfers/trn-nope", body: `{}`}).status)
}

func TestListTransfersFilters(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 1000)
	a := f.transfer(main, payroll.Id, 100)
	b := f.transfer(payroll.Id, main, 50)
	c := f.transfer(payroll.Id, main, 5000) // failed
	ids := func(ts []gen.InternalTransfer) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.Id)
		}
		return out
	}
	assert.Equal(t, []string{c.Id, b.Id, a.Id}, ids(f.listTransfers(nil)))
	assert.Equal(t, []string{c.Id}, ids(f.listTransfers(url.Values{"status": {"failed"}})))
	assert.Equal(t, []string{a.Id}, ids(f.listTransfers(url.Values{"sourceFinancialAccountId": {main}})))
	assert.Equal(t, []string{c.Id, b.Id}, ids(f.listTransfers(url.Values{"destinationFinancialAccountId": {main}})))
	assert.Equal(t, []string{b.Id}, ids(f.listTransfers(url.Values{"limit": {"1"}, "status": {"completed"}})))
	f.checkBooks()
}

// A transfer no balance could hold fails without moving anything, and says
// why; it is not a shortage of funds.
func TestATransferPastTheLargestBalanceFails(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, math.MaxInt64)
	f.fund(payroll.Id, 10)
	tr := f.transfer(payroll.Id, main, 10)
	assert.Equal(t, gen.InternalTransferStatusFailed, tr.Status)
	require.NotNil(t, tr.FailureDetail)
	assert.Equal(t, gen.InternalTransferFailureDetailCodeUnknown, tr.FailureDetail.Code)
	require.NotNil(t, tr.FailureDetail.Message)
	assert.Contains(t, *tr.FailureDetail.Message, "cannot take 10 more")
	require.NoError(t, f.srv.CheckBooks())
}
