package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// payoutBody is a create body paying value SLE minor units to momo phone,
// from the main account (no source).
func payoutBody(value int64, phone string) string {
	return fmt.Sprintf(`{"amount":{"currency":"SLE","value":%d},"destination":{"type":"momo","providerId":"m17","phoneNumber":%q},"metadata":{"batch":"nov"}}`, value, phone)
}

func (f *fixture) createPayout(body string) gen.Payout {
	f.t.Helper()
	return okResult[gen.Payout](f, req{method: http.MethodPost, path: "/v1/payouts", body: body})
}

func (f *fixture) getPayout(id string) gen.Payout {
	f.t.Helper()
	return okResult[gen.Payout](f, req{method: http.MethodGet, path: "/v1/payouts/" + id})
}

func (r response) payout(t *testing.T) gen.Payout { return result[gen.Payout](t, r) }

func (f *fixture) listPayouts(query url.Values) gen.PayoutListEnvelope {
	f.t.Helper()
	return okBody[gen.PayoutListEnvelope](f, req{method: http.MethodGet, path: "/v1/payouts?" + query.Encode()})
}

func (f *fixture) transactions(query url.Values) gen.FinancialTransactionListEnvelope {
	f.t.Helper()
	return okBody[gen.FinancialTransactionListEnvelope](f, req{method: http.MethodGet, path: "/v1/financial-transactions?" + query.Encode()})
}

// fund gives account id value SLE minor units.
func (f *fixture) fund(id string, value int64) {
	f.t.Helper()
	require.NoError(f.t, f.srv.Fund(id, gen.Money{Currency: "SLE", Value: value}))
}

// destinationOf decodes a payout's destination.
func destinationOf(t *testing.T, p gen.Payout) map[string]any {
	t.Helper()
	var m map[string]any
	b, err := json.Marshal(p.Destination)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestAPayoutTheSourceCoversHoldsItsAmountAndFees(t *testing.T) {
	f := newFixture(t, WithPayoutFee("payout_fee", 100, 50))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 100000)

	p := f.createPayout(payoutBody(30000, "+23276123456"))
	assert.Regexp(t, `^pyt-[0-9A-Za-z]{14}$`, p.Id)
	assert.Equal(t, gen.PayoutStatusPending, p.Status)
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000}, p.Amount)
	require.NotNil(t, p.Source)
	assert.Equal(t, main, p.Source.FinancialAccountId, "no source: the main account for the currency")
	require.NotNil(t, p.Source.TransactionReference)
	assert.True(t, strings.HasPrefix(*p.Source.TransactionReference, "ftr-"))
	assert.Equal(t, &[]gen.PaymentFee{{Code: "payout_fee", Amount: gen.Money{Currency: "SLE", Value: 350}}}, p.Fees)
	assert.Nil(t, p.FailureDetail)
	assert.Equal(t, &map[string]any{"batch": "nov"}, p.Metadata)
	assert.NotContains(t, destinationOf(t, p), "transactionReference", "null until the payout completes")
	assert.Equal(t, "+23276123456", destinationOf(t, p)["phoneNumber"])
	assert.Equal(t, p, f.getPayout(p.Id))

	assert.Equal(t, int64(100000-30000-350), f.balance(main).Value, "held at once")
	txns := f.transactions(url.Values{"reference": {*p.Source.TransactionReference}}).Result
	require.Len(t, txns, 2)
	fee, amount := txns[0], txns[1] // newest first
	assert.Equal(t, gen.FinancialTransactionTypeDebit, amount.Type)
	assert.Equal(t, int64(30000), amount.Amount.Value)
	assert.Nil(t, amount.OriginatingFee)
	assert.Equal(t, int64(70000), amount.FinancialAccount.Balance.After.Value)
	assert.Equal(t, &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &p.Id, Type: ptr("payout")}}, amount.OwnershipGraph)
	assert.Equal(t, gen.FinancialTransactionTypeDebit, fee.Type)
	require.NotNil(t, fee.OriginatingFee)
	assert.Equal(t, "payout_fee", *fee.OriginatingFee.Code)
	assert.Equal(t, int64(350), fee.Amount.Value)
	f.checkBooks()
}

func TestAPayoutTheSourceCannotCoverFailsAtOnce(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, "payout.completed", "payout.failed"))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 1000)
	p := f.createPayout(payoutBody(1001, "+23276123456"))
	assert.Equal(t, gen.PayoutStatusFailed, p.Status)
	require.NotNil(t, p.FailureDetail)
	assert.Equal(t, gen.PayoutFailureCodeFundInsufficient, p.FailureDetail.Code)
	assert.Contains(t, *p.FailureDetail.Message, "holds SLE 1000")
	assert.Nil(t, p.Source.TransactionReference, "nothing was debited")
	assert.Equal(t, int64(1000), f.balance(main).Value, "nothing moved")
	assert.Len(t, f.transactions(nil).Result, 1, "the funding alone")
	rec, ok := Find[Payout](f.srv, p.Id)
	require.True(t, ok)
	assert.Empty(t, rec.Holds)

	assert.ErrorIs(t, f.srv.CompletePayout(p.Id), ErrPayoutNotPending)
	f.waitDeliveries()
	_, events := rc.got()
	assert.Equal(t, []string{"payout.failed"}, names(events))
	f.checkBooks()
}

func TestAPayoutNamesItsSource(t *testing.T) {
	f := newFixture(t)
	payroll := f.account(payrollBody)
	usd := f.account(`{"name":"Dollars","currency":"USD"}`)
	f.fund(payroll.Id, 5000)
	p := f.createPayout(`{"amount":{"currency":"SLE","value":2000},"source":{"financialAccountId":"` + payroll.Id + `"},"destination":{"type":"bank","providerId":"slb001","accountNumber":"12345678"}}`)
	assert.Equal(t, payroll.Id, p.Source.FinancialAccountId)
	assert.Equal(t, int64(3000), f.balance(payroll.Id).Value)
	assert.Equal(t, int64(0), f.balance(MainAccountID(DefaultSpaceID)).Value)

	res := f.send(req{method: http.MethodPost, path: "/v1/payouts", body: `{"amount":{"currency":"SLE","value":2000},"source":{"financialAccountId":"fac-nope"},"destination":{"type":"bank","providerId":"slb001","accountNumber":"1"}}`})
	assert.Equal(t, http.StatusNotFound, res.status, "%s", res.body)
	assert.Contains(t, res.apiErr(t).Message, "fac-nope")

	res = f.send(req{method: http.MethodPost, path: "/v1/payouts", body: `{"amount":{"currency":"SLE","value":2000},"source":{"financialAccountId":"` + usd.Id + `"},"destination":{"type":"bank","providerId":"slb001","accountNumber":"1"}}`})
	assert.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"amount.currency"}, fields(res.apiErr(t)))

	res = f.send(req{method: http.MethodPost, path: "/v1/payouts", body: payoutBody(0, "+23276123456")})
	assert.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"amount.value"}, fields(res.apiErr(t)))

	res = f.send(req{method: http.MethodPost, path: "/v1/payouts", body: `{"amount":{"currency":"SLE","value":1},"destination":{"type":"momo","providerId":"slb001","phoneNumber":"1"}}`})
	assert.Equal(t, http.StatusBadRequest, res.status, "a provider of another type: %s", res.body)
	f.checkBooks()
}

func TestUpdateAndDeleteAPendingPayout(t *testing.T) {
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 100))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	p := f.createPayout(payoutBody(4000, "+23276123456"))
	f.clock.Advance(time.Second)
	res := f.send(req{method: http.MethodPatch, path: "/v1/payouts/" + p.Id, body: `{"metadata":{"batch":"dec"}}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	up := res.payout(t)
	assert.Equal(t, &map[string]any{"batch": "dec"}, up.Metadata)
	assert.Equal(t, f.clock.Now(), up.UpdateTime)
	assert.Equal(t, p.CreateTime, up.CreateTime)

	res = f.send(req{method: http.MethodDelete, path: "/v1/payouts/" + p.Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, int64(10000), f.balance(main).Value, "what it held came back")
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodGet, path: "/v1/payouts/" + p.Id}).status)
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodDelete, path: "/v1/payouts/" + p.Id}).status)
	txns := f.transactions(url.Values{"reference": {*p.Source.TransactionReference}}).Result
	require.Len(t, txns, 4, "two holds, two reversals")
	for _, credit := range txns[:2] {
		assert.Equal(t, gen.FinancialTransactionTypeCredit, credit.Type)
		require.NotNil(t, credit.OriginatingReversal)
		assert.Equal(t, p.Source.TransactionReference, credit.OriginatingReversal.OriginTxnRef)
	}
	// Newest first: the fee's reversal, the amount's, the fee's debit, the amount's.
	assert.Equal(t, txns[2].Id, *txns[0].OriginatingReversal.OriginTxnId)
	assert.Equal(t, txns[3].Id, *txns[1].OriginatingReversal.OriginTxnId)
	f.checkBooks()
}

func TestAFinalPayoutCannotBeUpdatedOrDeleted(t *testing.T) {
	f := newFixture(t)
	f.fund(MainAccountID(DefaultSpaceID), 10000)
	done := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.CompletePayout(done.Id))
	failed := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.FailPayout(failed.Id, "authorization_failed"))
	for _, id := range []string{done.Id, failed.Id} {
		res := f.send(req{method: http.MethodPatch, path: "/v1/payouts/" + id, body: `{"metadata":{"a":"b"}}`})
		require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
		assert.Equal(t, ReasonPayoutNotUpdatable, res.apiErr(t).Reason)
		res = f.send(req{method: http.MethodDelete, path: "/v1/payouts/" + id})
		require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
		assert.Equal(t, ReasonPayoutNotDeletable, res.apiErr(t).Reason)
	}
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodPatch, path: "/v1/payouts/pyt-nope", body: `{}`}).status)
	f.checkBooks()
}

func TestCompleteAPayout(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 100), WithWebhook(rc.URL, testSecret, "payout.completed", "payout.failed"))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	p := f.createPayout(payoutBody(4000, "+23276123456"))
	f.clock.Advance(time.Minute)
	require.NoError(t, f.srv.CompletePayout(p.Id))
	got := f.getPayout(p.Id)
	assert.Equal(t, gen.PayoutStatusCompleted, got.Status)
	assert.Equal(t, f.clock.Now(), got.UpdateTime)
	assert.Equal(t, p.Source, got.Source, "source.transactionReference: the debit's reference")
	assert.Regexp(t, `^[0-9A-Z]{12}$`, destinationOf(t, got)["transactionReference"])
	assert.Equal(t, int64(10000-4000-100), f.balance(main).Value, "gone for good")
	assert.Len(t, f.transactions(url.Values{"reference": {*p.Source.TransactionReference}}).Result, 2, "completing books nothing more")

	byDest := f.listPayouts(url.Values{"destinationTransactionReference": {destinationOf(t, got)["transactionReference"].(string)}}).Result
	require.Len(t, byDest, 1)
	assert.Equal(t, p.Id, byDest[0].Id)

	assert.ErrorIs(t, f.srv.CompletePayout(p.Id), ErrPayoutNotPending)
	assert.ErrorIs(t, f.srv.FailPayout(p.Id, "unknown"), ErrPayoutNotPending)
	assert.ErrorIs(t, f.srv.CompletePayout("pyt-nope"), ErrPayoutNotFound)

	f.waitDeliveries()
	reqs, events := rc.got()
	require.Equal(t, []string{"payout.completed"}, names(events))
	assert.Equal(t, p.Id, events[0].Object.ID)
	assert.Equal(t, "payout", events[0].Object.Type)
	want := fmt.Sprintf(`{"apiVersion":"caph.2025-08-23","event":{"id":%q,"name":"payout.completed","timestamp":%q},"object":{"id":%q,"type":"payout"},"data":%s}`,
		events[0].ID, f.clock.Now().Format(time.RFC3339), p.Id, f.payoutJSON(p.Id))
	assert.Equal(t, want, string(reqs[0].body), "the payout as a read shows it")
	f.checkBooks()
}

// payoutJSON is the raw result of a GetPayout answer.
func (f *fixture) payoutJSON(id string) json.RawMessage {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/payouts/" + id})
	var env struct{ Result json.RawMessage }
	require.NoError(f.t, json.Unmarshal(res.body, &env))
	return env.Result
}

func TestFailAPayoutGivesBackWhatItHeld(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 100), WithWebhook(rc.URL, testSecret, "payout.failed"))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	p := f.createPayout(payoutBody(4000, "+23276123456"))

	err := f.srv.FailPayout(p.Id, "bogus")
	require.ErrorIs(t, err, ErrPayoutFailureCode)
	assert.Contains(t, err.Error(), "provider_account_quota_exhausted")
	assert.ErrorIs(t, f.srv.FailPayout("pyt-nope", "unknown"), ErrPayoutNotFound)

	require.NoError(t, f.srv.FailPayout(p.Id, "provider_account_blocked"))
	got := f.getPayout(p.Id)
	assert.Equal(t, gen.PayoutStatusFailed, got.Status)
	require.NotNil(t, got.FailureDetail)
	assert.Equal(t, gen.PayoutFailureCodeProviderAccountBlocked, got.FailureDetail.Code)
	assert.NotEmpty(t, *got.FailureDetail.Message)
	assert.Equal(t, int64(10000), f.balance(main).Value)
	credits := f.transactions(url.Values{"reference": {*p.Source.TransactionReference}, "type": {"credit"}}).Result
	require.Len(t, credits, 2)
	for _, c := range credits {
		require.NotNil(t, c.OriginatingReversal)
	}

	f.waitDeliveries()
	_, events := rc.got()
	require.Equal(t, []string{"payout.failed"}, names(events))
	var data gen.Payout
	require.NoError(t, json.Unmarshal(events[0].Data, &data))
	assert.Equal(t, got, data)
	f.checkBooks()
}

func TestTestDestinationsFailWithEachCode(t *testing.T) {
	f := newFixture(t)
	f.fund(MainAccountID(DefaultSpaceID), 1000000)
	codes := []gen.PayoutFailureCode{"unknown", "fund_insufficient", "authorization_failed", "provider_unknown",
		"provider_account_blocked", "provider_account_missing", "provider_account_quota_exhausted"}
	for i, code := range codes {
		n := i + 1
		for _, dest := range []string{
			fmt.Sprintf(`{"type":"momo","providerId":"m18","phoneNumber":"+2327600000%d"}`, n),
			fmt.Sprintf(`{"type":"bank","providerId":"slb004","accountNumber":"000000000%d"}`, n),
			fmt.Sprintf(`{"type":"wallet","providerId":"dw001","walletId":"000000000%d"}`, n),
		} {
			p := f.createPayout(`{"amount":{"currency":"SLE","value":100},"destination":` + dest + `}`)
			assert.Equal(t, gen.PayoutStatusPending, p.Status, "a test destination fails when processed, not when created")
			require.NoError(t, f.srv.CompletePayout(p.Id))
			got := f.getPayout(p.Id)
			assert.Equal(t, gen.PayoutStatusFailed, got.Status, dest)
			require.NotNil(t, got.FailureDetail, dest)
			assert.Equal(t, code, got.FailureDetail.Code, dest)
		}
	}
	for _, dest := range []string{
		`{"type":"momo","providerId":"m17","phoneNumber":"+23276000008"}`,
		`{"type":"momo","providerId":"m17","phoneNumber":"+232760000011"}`,
		`{"type":"bank","providerId":"slb001","accountNumber":"+23276000001"}`,
		`{"type":"wallet","providerId":"dw001"}`,
	} {
		p := f.createPayout(`{"amount":{"currency":"SLE","value":100},"destination":` + dest + `}`)
		require.NoError(t, f.srv.CompletePayout(p.Id))
		assert.Equal(t, gen.PayoutStatusCompleted, f.getPayout(p.Id).Status, dest)
	}
	assert.Equal(t, int64(1000000-400), f.balance(MainAccountID(DefaultSpaceID)).Value)
	f.checkBooks()
}

func TestPayoutsCompleteAfterTheDelay(t *testing.T) {
	_, err := New(WithPayoutDelay(-time.Second))
	require.ErrorContains(t, err, "api: WithPayoutDelay: the delay must not be negative")

	rc := newReceiver(t, 0)
	f := newFixture(t, WithPayoutDelay(5*time.Second), WithWebhook(rc.URL, testSecret, "payout.completed", "payout.failed"))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	first := f.createPayout(payoutBody(1000, "+23276123456"))
	f.clock.Advance(2 * time.Second)
	second := f.createPayout(payoutBody(1000, "+23276000006"))
	deleted := f.createPayout(payoutBody(1000, "+23276123456"))
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/payouts/" + deleted.Id}).status)
	f.clock.Advance(3 * time.Second)
	assert.Equal(t, gen.PayoutStatusCompleted, f.getPayout(first.Id).Status, "5 s after its creation")
	assert.Equal(t, gen.PayoutStatusPending, f.getPayout(second.Id).Status, "3 s after its creation")
	f.clock.Advance(2 * time.Second)
	assert.Equal(t, 0, f.srv.Sweep(), "Sweep counts sessions")
	p, _ := Find[Payout](f.srv, second.Id)
	assert.Equal(t, gen.PayoutStatusFailed, p.Status, "Sweep processed it, and its test destination failed it")
	assert.Equal(t, gen.PayoutFailureCodeProviderAccountMissing, p.FailureDetail.Code)
	assert.Equal(t, int64(9000), f.balance(main).Value)
	f.waitDeliveries()
	_, events := rc.got()
	assert.ElementsMatch(t, []string{"payout.completed", "payout.failed"}, names(events), "two payouts: their events come in no set order")

	// A restart keeps the pending ones on their way.
	third := f.createPayout(payoutBody(1000, "+23276123456"))
	g := restart(t, f, WithPayoutDelay(5*time.Second))
	assert.Equal(t, gen.PayoutStatusPending, g.getPayout(third.Id).Status)
	f.clock.Advance(5 * time.Second)
	assert.Equal(t, gen.PayoutStatusCompleted, g.getPayout(third.Id).Status)
	g.checkBooks()
}

func TestCreatePayoutReplaysWithItsIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	key := ptr("salary-nov-17")
	first := f.send(req{method: http.MethodPost, path: "/v1/payouts", body: payoutBody(3000, "+23276123456"), key: key})
	require.Equal(t, http.StatusOK, first.status, "%s", first.body)
	again := f.send(req{method: http.MethodPost, path: "/v1/payouts", body: payoutBody(3000, "+23276123456"), key: key})
	require.Equal(t, http.StatusOK, again.status)
	assert.Equal(t, first.body, again.body)
	assert.Equal(t, "irc", again.header.Get("Monime-Cache"))
	assert.Len(t, FindAll[Payout](f.srv, DefaultSpaceID), 1, "paid once")
	assert.Equal(t, int64(7000), f.balance(main).Value)
	other := f.send(req{method: http.MethodPost, path: "/v1/payouts", body: payoutBody(3001, "+23276123456"), key: key})
	assert.Equal(t, http.StatusConflict, other.status)
	f.checkBooks()
}

func TestListPayoutsFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 100000)
	f.fund(payroll.Id, 100000)
	var ids []string
	for i := range 5 {
		p := f.createPayout(payoutBody(int64(100+i), "+23276123456"))
		ids = append(ids, p.Id)
	}
	fromPayroll := f.createPayout(`{"amount":{"currency":"SLE","value":7},"source":{"financialAccountId":"` + payroll.Id + `"},"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456"}}`)
	require.NoError(t, f.srv.CompletePayout(ids[0]))

	page := f.listPayouts(url.Values{"limit": {"2"}})
	require.Len(t, page.Result, 2)
	assert.Equal(t, fromPayroll.Id, page.Result[0].Id, "newest first")
	require.NotNil(t, page.Pagination.Next)
	page = f.listPayouts(url.Values{"limit": {"2"}, "after": {*page.Pagination.Next}})
	assert.Equal(t, []string{ids[3], ids[2]}, []string{page.Result[0].Id, page.Result[1].Id})

	got := f.listPayouts(url.Values{"status": {"completed"}}).Result
	require.Len(t, got, 1)
	assert.Equal(t, ids[0], got[0].Id)
	got = f.listPayouts(url.Values{"sourceFinancialAccountId": {payroll.Id}}).Result
	require.Len(t, got, 1)
	assert.Equal(t, fromPayroll.Id, got[0].Id)
	got = f.listPayouts(url.Values{"sourceTransactionReference": {*fromPayroll.Source.TransactionReference}}).Result
	require.Len(t, got, 1)
	assert.Equal(t, fromPayroll.Id, got[0].Id)
	assert.Empty(t, f.listPayouts(url.Values{"sourceTransactionReference": {"ftr-nope"}}).Result)
}

func TestPayoutsAndTransfersSurviveARestart(t *testing.T) {
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 10))
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 10000)
	pending := f.createPayout(payoutBody(1000, "+23276123456"))
	done := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.CompletePayout(done.Id))
	failed := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.FailPayout(failed.Id, "unknown"))
	tr := f.transfer(main, payroll.Id, 500)

	g := restart(t, f)
	for _, id := range []string{pending.Id, done.Id, failed.Id} {
		assert.JSONEq(t, string(f.payoutJSON(id)), string(g.payoutJSON(id)))
	}
	assert.Equal(t, tr, g.getTransfer(tr.Id))
	assert.Equal(t, f.transactions(url.Values{"limit": {"50"}}), g.transactions(url.Values{"limit": {"50"}}))
	g.checkBooks()
	require.NoError(t, g.srv.CompletePayout(pending.Id), "a pending payout is still pending")
	assert.Equal(t, int64(10000-1010-1010-500), g.balance(main).Value, "two payouts and their fees, and the transfer")
	g.checkBooks()
}

func TestABadPayoutOrTransferRowDoesNotLoad(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 10000)
	p := f.createPayout(payoutBody(1000, "+23276123456"))
	tr := f.transfer(main, payroll.Id, 500)
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	state := buf.String()
	// SaveState writes its tables in the order of their names: ...,
	// internalTransfers, ledger, payments, payouts, ...
	for _, tc := range []struct{ name, from, to, want string }{
		{"bad payout status", `"status": "pending"`, `"status": "sent"`, "payouts: " + p.Id + ` has status "sent"`},
		{"negative payout", `"value": 1000`, `"value": -1000`, "payouts: " + p.Id + " has an amount of SLE -1000"},
		{"bad transfer status", `"status": "completed"`, `"status": "moved"`, "internalTransfers: " + tr.Id + ` has status "moved"`},
		{"a payout from an unknown account", `"financialAccountId": "` + main + `"`, `"financialAccountId": "fac-gone"`, "payout " + p.Id + ` is paid from financial account "fac-gone"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := strings.LastIndex(state, tc.from) // the payouts and transfers: after the ledger, or alone
			broken := state[:i] + tc.to + state[i+len(tc.from):]
			require.NotEqual(t, state, broken)
			_, err := New(WithState(strings.NewReader(broken)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A pending payout's holds are what failing or deleting it gives back:
	// one named twice would give it back twice, none would give nothing.
	hold := regexp.MustCompile(`"holds": \[\s*("txn-[^"]+")\s*\]`)
	m := hold.FindStringSubmatch(state)
	require.NotNil(t, m, "the payout's holds are in the state")
	for _, tc := range []struct{ name, holds, want string }{
		{"a hold named twice", `"holds": [` + m[1] + `, ` + m[1] + `]`, "payout " + p.Id + " holds ledger entry " + strings.Trim(m[1], `"`) + " twice"},
		{"no holds", `"holds": []`, "payout " + p.Id + " is pending, so its holds should come to 1000 (its amount and fees), but they come to 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(WithState(strings.NewReader(hold.ReplaceAllLiteralString(state, tc.holds))))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A failed payout that still holds its money: the books say so.
	broken := strings.Replace(state, `"status": "pending"`, `"status": "failed", "failureDetail": {"code": "unknown"}`, 1)
	_, err := New(WithState(strings.NewReader(broken)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "payout "+p.Id+" is failed, so its entries should net to nothing")
}

func TestAnOldStatesLedgerIDsLoadAsTransactionIDs(t *testing.T) {
	f := newFixture(t)
	f.fund(MainAccountID(DefaultSpaceID), 1000)
	entries := FindAll[LedgerEntry](f.srv, DefaultSpaceID)
	require.Len(t, entries, 1)
	id := entries[0].ID
	require.True(t, strings.HasPrefix(id, "txn-"), id)
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	old := strings.ReplaceAll(buf.String(), `"`+id+`"`, `"ftx-`+strings.TrimPrefix(id, "txn-")+`"`)
	require.NotEqual(t, buf.String(), old)
	g := newFixture(t, WithState(strings.NewReader(old)))
	res := g.send(req{method: http.MethodGet, path: "/v1/financial-transactions/" + id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	g.checkBooks()
}

// A batch of payouts, one Idempotency-Key each, sent through injected 503s,
// resets and lost answers and retried with the same key until answered, is
// paid exactly once each, and the source's balance is exact.
func TestAPayoutBatchUnderFaultsPaysEachOnce(t *testing.T) {
	f := newFixture(t, WithFaultFunc(RandomFaults(22, 0.5, Fault{Status: http.StatusServiceUnavailable}, Fault{Reset: true}, Fault{Drop: true})))
	main := MainAccountID(DefaultSpaceID)
	require.NoError(t, f.srv.Fund(main, gen.Money{Currency: "SLE", Value: 1000000}))
	const batch = 20
	var want int64
	faults := 0
	for i := range batch {
		value := int64(1000 + i)
		want += value
		body := payoutBody(value, "+23276123456")
		key := fmt.Sprintf("salary-nov-%d", i)
		for attempt := 1; ; attempt++ {
			require.Less(t, attempt, 50, "payout %d never got an answer", i)
			r := f.build(req{method: http.MethodPost, path: "/v1/payouts", body: body, key: &key})
			resp, err := f.client.Do(r)
			if err != nil {
				faults++
				continue // reset or lost: retry with the same key
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			faults++
		}
	}
	require.Positive(t, faults, "the faults happened")
	payouts := FindAll[Payout](f.srv, DefaultSpaceID)
	require.Len(t, payouts, batch, "one payout per key")
	for _, p := range payouts {
		assert.Equal(t, gen.PayoutStatusPending, p.Status)
	}
	a, _ := Find[FinancialAccount](f.srv, main)
	assert.Equal(t, 1000000-want, a.Available)
	f.checkBooks()
}

// Rows taken after payouts and transfers change rebuild the state, the
// books included.
func TestTakenChangesKeepPayoutsAndTransfers(t *testing.T) {
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 10))
	f.srv.TrackChanges()
	var m mirror
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	m.apply(t, all)

	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 10000)
	done := f.createPayout(payoutBody(1000, "+23276123456"))
	m.take(t, f.srv)
	require.NoError(t, f.srv.CompletePayout(done.Id))
	gone := f.createPayout(payoutBody(1000, "+23276123456"))
	m.take(t, f.srv)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/payouts/" + gone.Id}).status)
	tr := f.transfer(main, payroll.Id, 700)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodPatch, path: "/v1/internal-transfers/" + tr.Id, body: `{"description":"x"}`}).status)
	m.take(t, f.srv)

	assert.NotContains(t, m.rows, [2]string{"payouts", gone.Id}, "a deleted payout's row goes")
	assert.Contains(t, m.rows, [2]string{"payouts", done.Id})
	rebuilt := mustNew(t, WithChanges(m.changes()), WithClock(f.clock.Now))
	t.Cleanup(rebuilt.Close)
	assert.Equal(t, saved(t, f.srv), saved(t, rebuilt))
	require.NoError(t, rebuilt.CheckBooks())
}

func TestNullMembersOfPayoutsAndTransfersAreAbsent(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	payroll := f.account(payrollBody)
	f.fund(main, 1000)
	p := f.createPayout(`{"amount":{"currency":"SLE","value":10},"source":null,"metadata":null,"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456","transactionReference":null}}`)
	assert.Equal(t, main, p.Source.FinancialAccountId)
	assert.Nil(t, p.Metadata)
	res := f.send(req{method: http.MethodPatch, path: "/v1/payouts/" + p.Id, body: `{"metadata":null}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = f.send(req{method: http.MethodPost, path: "/v1/internal-transfers", body: `{"amount":{"currency":"SLE","value":10},"sourceFinancialAccount":{"id":"` + main + `"},"destinationFinancialAccount":{"id":"` + payroll.Id + `"},"description":null,"metadata":null}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Nil(t, res.transfer(t).Description)
}
