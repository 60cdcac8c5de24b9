package api

import (
	"bytes"
	"encoding/json"
	"math"
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

// account creates a financial account of body in the default space.
func (f *fixture) account(body string) gen.FinancialAccount {
	f.t.Helper()
	return okResult[gen.FinancialAccount](f, req{method: http.MethodPost, path: "/v1/financial-accounts", body: body})
}

// getAccount reads account id, with its balance when withBalance.
func (f *fixture) getAccount(id string, withBalance bool) gen.FinancialAccount {
	f.t.Helper()
	path := "/v1/financial-accounts/" + id
	if withBalance {
		path += "?withBalance=true"
	}
	res := f.send(req{method: http.MethodGet, path: path})
	require.Equal(f.t, http.StatusOK, res.status, "get account: %s", res.body)
	return res.account(f.t)
}

// balance is the available balance of account id.
func (f *fixture) balance(id string) gen.Money {
	f.t.Helper()
	a := f.getAccount(id, true)
	require.NotNil(f.t, a.Balance)
	return a.Balance.Available
}

func (f *fixture) listAccounts(query url.Values) gen.FinancialAccountListEnvelope {
	f.t.Helper()
	return okBody[gen.FinancialAccountListEnvelope](f, req{method: http.MethodGet, path: "/v1/financial-accounts?" + query.Encode()})
}

func (f *fixture) patchAccount(id, body string) response {
	f.t.Helper()
	return f.send(req{method: http.MethodPatch, path: "/v1/financial-accounts/" + id, body: body})
}

func (r response) account(t *testing.T) gen.FinancialAccount {
	return result[gen.FinancialAccount](t, r)
}

// checkBooks fails the test when the books break their invariant.
func (f *fixture) checkBooks() {
	f.t.Helper()
	require.NoError(f.t, f.srv.CheckBooks())
}

const payrollBody = `{"name":"Payroll","currency":"SLE","reference":"payroll","description":"salaries","metadata":{"team":"ops"}}`

func TestASpaceStartsWithItsMainAccount(t *testing.T) {
	f := newFixture(t)
	main := f.getAccount(MainAccountID(DefaultSpaceID), false)
	assert.Equal(t, "fac-monimetest", main.Id)
	assert.Equal(t, "SLE", main.Currency)
	assert.Equal(t, "Main account", main.Name)
	assert.Nil(t, main.Balance, "no balance unless asked for")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 0}, f.balance(main.Id))

	list := f.listAccounts(nil)
	require.Len(t, list.Result, 1)
	assert.Equal(t, main.Id, list.Result[0].Id)
	f.checkBooks()
}

// uvanShape is what the fake's UVANs look like: fourteen digits.
var uvanShape = regexp.MustCompile(`^[0-9]{14}$`)

func TestCreateAccountAndReadItBack(t *testing.T) {
	f := newFixture(t)
	a := f.account(payrollBody)
	assert.True(t, strings.HasPrefix(a.Id, "fac-"), a.Id)
	assert.Regexp(t, uvanShape, a.Uvan)
	assert.LessOrEqual(t, len(a.Uvan), 16, "Monime's UVANs are at most 16 characters")
	assert.Equal(t, "Payroll", a.Name)
	assert.Equal(t, "SLE", a.Currency)
	assert.Equal(t, "payroll", *a.Reference)
	assert.Equal(t, "salaries", *a.Description)
	assert.Equal(t, map[string]any{"team": "ops"}, *a.Metadata)
	assert.Equal(t, f.clock.Now(), a.CreateTime)
	assert.Nil(t, a.Balance)

	got := f.getAccount(a.Id, false)
	assert.Equal(t, a, got)
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 0}, f.balance(a.Id))

	usd := f.account(`{"name":"Dollars","currency":"USD"}`)
	assert.NotEqual(t, a.Uvan, usd.Uvan, "UVANs are unique")
	assert.Nil(t, usd.Reference)
	assert.Equal(t, gen.Money{Currency: "USD", Value: 0}, f.balance(usd.Id))
}

func TestUVANsCarryCheckDigits(t *testing.T) {
	st := newStore(time.Now, 0, 0, nil, newFixture(t).srv.store.changes)
	for range 50 {
		uvan := st.newUVAN()
		require.Regexp(t, uvanShape, uvan)
		rem := 0
		for _, c := range uvan {
			rem = (rem*10 + int(c-'0')) % 97
		}
		assert.Equal(t, 1, rem, "ISO 7064 MOD 97-10 holds for %s", uvan)
	}
}

func TestCreateAccountReplaysWithItsIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	key := "payroll-1"
	first := f.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: payrollBody, key: &key})
	require.Equal(t, http.StatusOK, first.status)
	again := f.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: payrollBody, key: &key})
	assert.Equal(t, first.body, again.body)
	assert.Equal(t, "irc", again.header.Get("Monime-Cache"))
	assert.Len(t, f.listAccounts(nil).Result, 2, "the main account and one more")
}

func TestAccountReferenceIsUniqueInItsSpace(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	a := f.account(payrollBody)

	dup := f.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: `{"name":"Again","currency":"SLE","reference":"payroll"}`})
	require.Equal(t, http.StatusConflict, dup.status)
	e := dup.apiErr(t)
	assert.Equal(t, ReasonReferenceInUse, e.Reason)
	assert.Contains(t, e.Message, `"payroll"`)

	other := f.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: payrollBody, space: ptr("spc-other")})
	assert.Equal(t, http.StatusOK, other.status, "another space may use it: %s", other.body)

	b := f.account(`{"name":"Bonus","currency":"SLE","reference":"bonus"}`)
	res := f.patchAccount(b.Id, `{"reference":"payroll"}`)
	require.Equal(t, http.StatusConflict, res.status)
	assert.Equal(t, ReasonReferenceInUse, res.apiErr(t).Reason)
	assert.Equal(t, "bonus", *f.getAccount(b.Id, false).Reference, "nothing changed")

	res = f.patchAccount(a.Id, `{"reference":"payroll"}`)
	assert.Equal(t, http.StatusOK, res.status, "an account keeps its own reference: %s", res.body)
}

func TestCreateAccountChecksMetadataKeys(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: `{"name":"x","currency":"SLE","metadata":{"monime_x":"v"}}`})
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, []string{"metadata.monime_x"}, fields(res.apiErr(t)))
	res = f.patchAccount(MainAccountID(DefaultSpaceID), `{"metadata":{"_x":"v"}}`)
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, []string{"metadata._x"}, fields(res.apiErr(t)))
	assert.Len(t, f.listAccounts(nil).Result, 1, "nothing created")
}

func TestUpdateAccount(t *testing.T) {
	f := newFixture(t)
	a := f.account(payrollBody)
	f.clock.Advance(time.Minute)

	res := f.patchAccount(a.Id, `{"name":"Payroll 2026","description":null,"metadata":{"year":"2026"}}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	got := res.account(t)
	assert.Equal(t, "Payroll 2026", got.Name)
	assert.Equal(t, "salaries", *got.Description, "null leaves a member as it was")
	assert.Equal(t, "payroll", *got.Reference, "left out, it stays")
	assert.Equal(t, map[string]any{"year": "2026"}, *got.Metadata, "metadata is replaced whole")
	assert.Equal(t, f.clock.Now(), *got.UpdateTime)
	assert.Equal(t, a.CreateTime, got.CreateTime)
	assert.Equal(t, a.Uvan, got.Uvan)
	assert.Equal(t, got, f.getAccount(a.Id, false))

	res = f.patchAccount(a.Id, `{}`)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "Payroll 2026", res.account(t).Name)

	res = f.patchAccount("fac-nope", `{"name":"x"}`)
	require.Equal(t, http.StatusNotFound, res.status)
	e := res.apiErr(t)
	assert.Equal(t, ReasonNotFound, e.Reason)
	assert.Contains(t, e.Message, `no financial account "fac-nope" in space spc-monimetest`)
}

func TestAccountsOfAnotherSpaceAreNotFound(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	a := f.account(payrollBody)
	res := f.send(req{method: http.MethodGet, path: "/v1/financial-accounts/" + a.Id, space: ptr("spc-other")})
	assert.Equal(t, http.StatusNotFound, res.status)
	res = f.send(req{method: http.MethodGet, path: "/v1/financial-accounts", space: ptr("spc-other")})
	require.Equal(t, http.StatusOK, res.status)
	var env gen.FinancialAccountListEnvelope
	require.NoError(t, json.Unmarshal(res.body, &env))
	require.Len(t, env.Result, 1)
	assert.Equal(t, MainAccountID("spc-other"), env.Result[0].Id, "each space has its own main account")
}

func TestListAccountsFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	a := f.account(`{"name":"A","currency":"SLE","reference":"a"}`)
	b := f.account(`{"name":"B","currency":"USD","reference":"b"}`)
	c := f.account(`{"name":"C","currency":"SLE"}`)

	ids := func(env gen.FinancialAccountListEnvelope) []string {
		var out []string
		for _, acc := range env.Result {
			out = append(out, acc.Id)
		}
		return out
	}
	assert.Equal(t, []string{c.Id, b.Id, a.Id, main}, ids(f.listAccounts(nil)), "newest first")
	assert.Equal(t, []string{b.Id}, ids(f.listAccounts(url.Values{"reference": {"b"}})))
	assert.Equal(t, []string{a.Id}, ids(f.listAccounts(url.Values{"uvan": {a.Uvan}})))
	assert.Empty(t, ids(f.listAccounts(url.Values{"uvan": {a.Uvan}, "reference": {"b"}})), "all given must match")
	assert.Empty(t, ids(f.listAccounts(url.Values{"reference": {"nope"}})))

	for _, acc := range f.listAccounts(nil).Result {
		assert.Nil(t, acc.Balance)
	}
	for _, acc := range f.listAccounts(url.Values{"withBalance": {"true"}}).Result {
		require.NotNil(t, acc.Balance, acc.Id)
		assert.Equal(t, acc.Currency, string(acc.Balance.Available.Currency))
	}

	var got []string
	query := url.Values{"limit": {"3"}}
	for range 5 {
		page := f.listAccounts(query)
		assert.LessOrEqual(t, len(page.Result), 3)
		got = append(got, ids(page)...)
		if page.Pagination.Next == nil {
			break
		}
		query.Set("after", *page.Pagination.Next)
	}
	assert.Equal(t, []string{c.Id, b.Id, a.Id, main}, got)

	res := f.send(req{method: http.MethodGet, path: "/v1/financial-accounts?limit=51"})
	assert.Equal(t, http.StatusBadRequest, res.status)
}

func TestSessionMustNameAnAccountOfItsSpace(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	body := `{"name":"Order","financialAccountId":"fac-nope","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]}`
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: body})
	require.Equal(t, http.StatusBadRequest, res.status)
	e := res.apiErr(t)
	assert.Equal(t, []string{"financialAccountId"}, fields(e))
	assert.Contains(t, e.Message, `space spc-monimetest has no financial account "fac-nope"`)

	other := MainAccountID("spc-other")
	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: strings.Replace(body, "fac-nope", other, 1)})
	assert.Equal(t, http.StatusBadRequest, res.status, "an account of another space is not the space's")
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID))
}

func TestACompletedCheckoutSettlesIntoItsAccount(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 150, 100))
	shop := f.account(`{"name":"Shop","currency":"SLE"}`)
	s := f.create(`{"name":"Order","financialAccountId":"` + shop.Id + `","lineItems":[{"name":"Tee","price":{"currency":"SLE","value":15000},"quantity":2}]}`)
	require.NoError(t, f.srv.Complete(s.Id))

	p := f.listPayments(url.Values{"orderNumber": {*f.get(s.Id).OrderNumber}}).Result[0]
	assert.Equal(t, shop.Id, *p.FinancialAccountId)
	// SLE 300.00 less 1.5% + SLE 1.00 = SLE 5.50.
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000 - 550}, f.balance(shop.Id))
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 0}, f.balance(MainAccountID(DefaultSpaceID)))

	entries := FindAll[LedgerEntry](f.srv, DefaultSpaceID)
	require.Len(t, entries, 2)
	assert.Equal(t, []string{EntryCredit, EntryDebit}, []string{entries[0].Type, entries[1].Type})
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000}, entries[0].Amount)
	assert.Equal(t, "processing_fee", entries[1].FeeCode)
	for _, e := range entries {
		assert.Equal(t, shop.Id, e.AccountID)
		assert.Equal(t, *p.FinancialTransactionReference, e.Reference)
		assert.Equal(t, p.Id, e.OwnerID)
	}
	assert.Equal(t, int64(30000-550), entries[1].BalanceAfter)
	f.checkBooks()
}

// A mixed cart pays one payment per currency; each settles into an
// account of its currency: the session's when it matches, else the
// space's main account for that currency, opened at its first payment.
func TestAUSDPaymentSettlesIntoAUSDAccount(t *testing.T) {
	f := newFixture(t)
	mixed := `{"name":"Order","lineItems":[{"name":"Tee","price":{"currency":"SLE","value":15000}},{"name":"Cap","price":{"currency":"USD","value":500}}]}`
	s := f.create(mixed)
	require.NoError(t, f.srv.Complete(s.Id))
	payments := f.listPayments(url.Values{"orderNumber": {*f.get(s.Id).OrderNumber}}).Result
	require.Len(t, payments, 2)
	usdMain := MainAccountID(DefaultSpaceID) + "-usd"
	assert.Equal(t, usdMain, *payments[0].FinancialAccountId, "the USD payment")
	assert.Equal(t, MainAccountID(DefaultSpaceID), *payments[1].FinancialAccountId, "the SLE payment")
	assert.Equal(t, gen.Money{Currency: "USD", Value: 500}, f.balance(usdMain))
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 15000}, f.balance(MainAccountID(DefaultSpaceID)))
	assert.Equal(t, "Main USD account", f.getAccount(usdMain, false).Name)

	dollars := f.account(`{"name":"Dollars","currency":"USD"}`)
	s = f.create(strings.Replace(mixed, `"name":"Order"`, `"name":"Order","financialAccountId":"`+dollars.Id+`"`, 1))
	require.NoError(t, f.srv.Complete(s.Id))
	assert.Equal(t, gen.Money{Currency: "USD", Value: 500}, f.balance(dollars.Id), "the USD part into the session's USD account")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000}, f.balance(MainAccountID(DefaultSpaceID)), "the SLE part into the SLE main account")
	f.checkBooks()
}

func TestFeesNeverTakeABalanceBelowZero(t *testing.T) {
	f := newFixture(t, WithFee("flat_fee", 0, 500))
	s := f.create(`{"name":"Sticker","lineItems":[{"name":"S","price":{"currency":"SLE","value":100}}]}`)
	err := f.srv.Complete(s.Id)
	require.ErrorIs(t, err, ErrSessionNotPayable)
	assert.Contains(t, err.Error(), "fees (500 minor units) exceed the payment (100)")
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status, "nothing changed")
	assert.Empty(t, FindAll[LedgerEntry](f.srv, DefaultSpaceID))

	require.NoError(t, f.srv.Fund(MainAccountID(DefaultSpaceID), gen.Money{Currency: "SLE", Value: 400}))
	require.NoError(t, f.srv.Complete(s.Id), "the account holds enough to pay the rest of the fee")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 0}, f.balance(MainAccountID(DefaultSpaceID)))
	f.checkBooks()
}

func TestFund(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	require.NoError(t, f.srv.Fund(main, gen.Money{Currency: "SLE", Value: 1000}))
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 1000}, f.balance(main))
	entries := FindAll[LedgerEntry](f.srv, DefaultSpaceID)
	require.Len(t, entries, 1)
	assert.Equal(t, "funding", entries[0].OwnerType)

	assert.ErrorIs(t, f.srv.Fund("fac-nope", gen.Money{Currency: "SLE", Value: 1}), ErrAccountNotFound)
	assert.ErrorContains(t, f.srv.Fund(main, gen.Money{Currency: "USD", Value: 1}), "the account holds SLE; fund it in SLE, not USD")
	assert.ErrorContains(t, f.srv.Fund(main, gen.Money{Currency: "SLE", Value: math.MaxInt64}), "the account holds SLE 10.00, and can take at most SLE 92,233,720,368,547,748.07 more; fund it with less")
	assert.ErrorContains(t, f.srv.Fund(main, gen.Money{Currency: "SLE", Value: 0}), "the amount must be positive")
	assert.Len(t, FindAll[LedgerEntry](f.srv, DefaultSpaceID), 1, "no entry for a refused funding")
	f.checkBooks()
}

func TestCheckBooksFindsABreach(t *testing.T) {
	f := newFixture(t)
	main := MainAccountID(DefaultSpaceID)
	require.NoError(t, f.srv.Fund(main, gen.Money{Currency: "SLE", Value: 1000}))
	f.srv.store.mu.Lock()
	a, _ := f.srv.store.accounts.get("", main)
	a.Available = 999
	f.srv.store.mu.Unlock()
	err := f.srv.CheckBooks()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "financial account fac-monimetest has a balance of 999, but its ledger entries sum to 1000")
}

func TestAccountsAndBooksSurviveARestart(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 100, 0))
	shop := f.account(payrollBody)
	s := f.create(`{"name":"Order","financialAccountId":"` + shop.Id + `","lineItems":[{"name":"Tee","price":{"currency":"SLE","value":10000}}]}`)
	require.NoError(t, f.srv.Complete(s.Id))

	g := restart(t, f)
	assert.Equal(t, f.getAccount(shop.Id, true), g.getAccount(shop.Id, true))
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 9900}, g.balance(shop.Id))
	assert.Equal(t, FindAll[LedgerEntry](f.srv, DefaultSpaceID), FindAll[LedgerEntry](g.srv, DefaultSpaceID))
	assert.Len(t, g.listAccounts(nil).Result, 2, "the main account is not opened twice")
	g.checkBooks()

	dup := g.send(req{method: http.MethodPost, path: "/v1/financial-accounts", body: `{"name":"x","currency":"SLE","reference":"payroll"}`})
	assert.Equal(t, http.StatusConflict, dup.status, "the reference is still taken")
}

func TestAStateWithBrokenBooksDoesNotLoad(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.srv.Fund(MainAccountID(DefaultSpaceID), gen.Money{Currency: "SLE", Value: 1000}))
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	broken := strings.Replace(buf.String(), `"available": 1000`, `"available": 5`, 1)
	require.NotEqual(t, buf.String(), broken)
	_, err := New(WithState(strings.NewReader(broken)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has a balance of 5, but its ledger entries sum to 1000")
}

func TestAVersion1StateOpensTheMainAccount(t *testing.T) {
	f := newFixture(t, WithState(strings.NewReader(readFile(t, stateV1))))
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 0}, f.balance(MainAccountID(DefaultSpaceID)), "a version 1 state has no books: balances start at zero")
	f.checkBooks()
}
