package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// listPayments sends GET /v1/payments with query and decodes the page.
func (f *fixture) listPayments(query url.Values) gen.PaymentListEnvelope {
	f.t.Helper()
	path := "/v1/payments"
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	res := f.send(req{method: http.MethodGet, path: path})
	require.Equal(f.t, http.StatusOK, res.status, "list payments: %s", res.body)
	var env gen.PaymentListEnvelope
	require.NoError(f.t, json.Unmarshal(res.body, &env), "%s", res.body)
	require.True(f.t, env.Success)
	return env
}

// payment sends GET /v1/payments/{id} and decodes the payment.
func (f *fixture) payment(id string) gen.Payment {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/payments/" + id})
	require.Equal(f.t, http.StatusOK, res.status, "get payment: %s", res.body)
	var env gen.PaymentEnvelope
	require.NoError(f.t, json.Unmarshal(res.body, &env), "%s", res.body)
	return env.Result
}

// paid completes a new session of body with CompleteWith(method, provider)
// and returns the session as read afterwards and its one payment.
func (f *fixture) paid(body string, method gen.PaymentChannelType, provider string) (gen.CheckoutSession, gen.Payment) {
	f.t.Helper()
	s := f.create(body)
	require.NoError(f.t, f.srv.CompleteWith(s.Id, method, provider))
	rec, ok := Find[Session](f.srv, s.Id)
	require.True(f.t, ok)
	require.Len(f.t, rec.PaymentIDs, 1)
	return f.get(s.Id), f.payment(rec.PaymentIDs[0])
}

const twoShirts = `{"name":"Order #1042","financialAccountId":"fac-monimetest","lineItems":[
	{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2},
	{"name":"Sticker","price":{"currency":"SLE","value":250},"quantity":4}]}`

func TestCompletingASessionRecordsItsPayment(t *testing.T) {
	f := newFixture(t)
	f.clock.Advance(5 * time.Minute)
	s := f.create(twoShirts)
	require.NoError(t, f.srv.Complete(s.Id))
	done := f.get(s.Id)
	require.NotNil(t, done.OrderNumber)

	page := f.listPayments(url.Values{"orderNumber": {*done.OrderNumber}})
	require.Len(t, page.Result, 1)
	p := page.Result[0]
	assert.Regexp(t, `^pay-[0-9A-Za-z]{14}$`, p.Id)
	assert.Equal(t, gen.PaymentStatusCompleted, p.Status)
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 2*15000 + 4*250}, p.Amount, "the session's total")
	assert.Equal(t, done.OrderNumber, p.OrderNumber)
	assert.Equal(t, ptr("fac-monimetest"), p.FinancialAccountId)
	require.NotNil(t, p.FinancialTransactionReference)
	assert.Regexp(t, `^ftr-`, *p.FinancialTransactionReference)
	assert.Equal(t, &[]gen.PaymentFee{}, p.Fees, "no fees without WithFee")
	assert.Equal(t, f.clock.Now(), p.CreateTime)
	assert.Equal(t, ptr(f.clock.Now()), p.UpdateTime)
	assert.Nil(t, p.Name)
	assert.Nil(t, p.Metadata)
	require.NotNil(t, p.OwnershipGraph)
	assert.Equal(t, &gen.OwnershipObject{Id: ptr(s.Id), Type: ptr("checkout_session")}, p.OwnershipGraph.Owner)

	momo, err := p.Channel.AsMomoChannel()
	require.NoError(t, err)
	assert.Equal(t, gen.MomoChannelTypeMomo, momo.Type, "Complete pays the preselected way: mobile money")
	assert.Equal(t, ptr("m17"), momo.Provider)
	assert.Equal(t, ptr("+23276***456"), momo.PhoneNumber)
	assert.Regexp(t, `^MP250901\.1205\.[0-9A-Z]{6}$`, *momo.Reference, "an operator-style reference, stamped with the time of payment")
	assert.Regexp(t, `^fp-[0-9a-f]{16}$`, *momo.Fingerprint)

	// The wire form: fees is an empty array, never absent or null.
	res := f.send(req{method: http.MethodGet, path: "/v1/payments/" + p.Id})
	assert.Contains(t, string(res.body), `"fees":[]`)
	assert.Contains(t, string(res.body), `"channel":{"fingerprint":`)

	rec, ok := Find[Session](f.srv, s.Id)
	require.True(t, ok)
	assert.Equal(t, []string{p.Id}, rec.PaymentIDs)
	snap, ok := Find[Payment](f.srv, p.Id)
	require.True(t, ok)
	assert.Equal(t, DefaultSpaceID, snap.SpaceID)
	assert.Equal(t, s.Id, snap.SessionID)
	assert.Equal(t, p, snap.Payment)
	assert.Equal(t, []Payment{snap}, FindAll[Payment](f.srv, DefaultSpaceID))
}

func TestGetPayment(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	_, p := f.paid(minimalBody, "", "")
	assert.Equal(t, p, f.payment(p.Id))

	for name, r := range map[string]req{
		"unknown id":     {method: http.MethodGet, path: "/v1/payments/pay-nope"},
		"other space":    {method: http.MethodGet, path: "/v1/payments/" + p.Id, space: ptr("spc-other")},
		"a session's id": {method: http.MethodGet, path: "/v1/payments/" + *p.OwnershipGraph.Owner.Id},
	} {
		res := f.send(r)
		require.Equal(t, http.StatusNotFound, res.status, name)
		e := res.apiErr(t)
		assert.Equal(t, ReasonNotFound, e.Reason, name)
		assert.Contains(t, e.Message, "no payment", name)
		assert.Contains(t, e.Message, "check the id and the Monime-Space-Id header", name)
	}
	assert.Empty(t, FindAll[Payment](f.srv, "spc-other"))
	_, ok := Find[Payment](f.srv, "pay-nope")
	assert.False(t, ok)

	res := f.send(req{method: http.MethodGet, path: "/v1/payments/" + p.Id, token: ptr("")})
	assert.Equal(t, http.StatusUnauthorized, res.status, "credentials as for sessions")
}

func TestListPaymentsFilters(t *testing.T) {
	f := newFixture(t)
	body := func(account string) string {
		return `{"name":"Order","financialAccountId":"` + account + `","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]}`
	}
	accounts := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		accounts["fac-"+name] = f.account(`{"name":"` + name + `","currency":"SLE"}`).Id
	}
	var all []gen.Payment // oldest first
	for _, account := range []string{"fac-a", "fac-b", "fac-a", "fac-c", "fac-a"} {
		_, p := f.paid(body(accounts[account]), "", "")
		all = append(all, p)
		f.clock.Advance(time.Second)
	}
	ids := func(ps []gen.Payment) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.Id)
		}
		return out
	}
	newestFirst := func(i ...int) []string {
		out := []string{}
		for _, n := range i {
			out = append(out, all[n].Id)
		}
		return out
	}

	assert.Equal(t, newestFirst(4, 3, 2, 1, 0), ids(f.listPayments(nil).Result), "every payment, newest first")
	for name, tc := range map[string]struct {
		query url.Values
		want  []string
	}{
		"orderNumber":                   {url.Values{"orderNumber": {*all[2].OrderNumber}}, newestFirst(2)},
		"financialAccountId":            {url.Values{"financialAccountId": {accounts["fac-a"]}}, newestFirst(4, 2, 0)},
		"financialTransactionReference": {url.Values{"financialTransactionReference": {*all[1].FinancialTransactionReference}}, newestFirst(1)},
		"all given must match":          {url.Values{"financialAccountId": {accounts["fac-a"]}, "orderNumber": {*all[1].OrderNumber}}, newestFirst()},
		"all given match":               {url.Values{"financialAccountId": {accounts["fac-c"]}, "orderNumber": {*all[3].OrderNumber}}, newestFirst(3)},
		"no match":                      {url.Values{"orderNumber": {"ord-none"}}, newestFirst()},
		"an exact match only":           {url.Values{"financialAccountId": {"fac"}}, newestFirst()},
	} {
		page := f.listPayments(tc.query)
		assert.Equal(t, tc.want, ids(page.Result), name)
		assert.Equal(t, len(tc.want), page.Pagination.Count, name)
		assert.Nil(t, page.Pagination.Next, name)
	}

	// Pages of 2 through the payments of fac-a and through all of them.
	var got []string
	query := url.Values{"limit": {"2"}}
	for range 10 {
		page := f.listPayments(query)
		assert.LessOrEqual(t, len(page.Result), 2)
		got = append(got, ids(page.Result)...)
		if page.Pagination.Next == nil {
			break
		}
		query.Set("after", *page.Pagination.Next)
	}
	assert.Equal(t, newestFirst(4, 3, 2, 1, 0), got)
	got = nil
	query = url.Values{"limit": {"1"}, "financialAccountId": {accounts["fac-a"]}}
	for range 10 {
		page := f.listPayments(query)
		got = append(got, ids(page.Result)...)
		if page.Pagination.Next == nil {
			break
		}
		query.Set("after", *page.Pagination.Next)
	}
	assert.Equal(t, newestFirst(4, 2, 0), got)
	page := f.listPayments(url.Values{"limit": {"3"}, "financialAccountId": {accounts["fac-a"]}})
	assert.Len(t, page.Result, 3)
	assert.Nil(t, page.Pagination.Next, "an exactly full last page says no more")
}

func TestListPaymentsRefusesBadParameters(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	f.paid(minimalBody, "", "")
	f.paid(minimalBody, "", "")
	first := f.listPayments(url.Values{"limit": {"1"}})
	require.NotNil(t, first.Pagination.Next)

	for name, tc := range map[string]struct {
		r     req
		field string
	}{
		"limit 0":                 {req{method: http.MethodGet, path: "/v1/payments?limit=0"}, "limit"},
		"limit 51":                {req{method: http.MethodGet, path: "/v1/payments?limit=51"}, "limit"},
		"limit not a number":      {req{method: http.MethodGet, path: "/v1/payments?limit=ten"}, "limit"},
		"a cursor we never made":  {req{method: http.MethodGet, path: "/v1/payments?after=bm9wZQ"}, "after"},
		"another space's cursor":  {req{method: http.MethodGet, path: "/v1/payments?after=" + *first.Pagination.Next, space: ptr("spc-other")}, "after"},
		"no Monime-Space-Id":      {req{method: http.MethodGet, path: "/v1/payments", space: ptr("")}, "Monime-Space-Id"},
		"an unknown API version":  {req{method: http.MethodGet, path: "/v1/payments", headers: map[string]string{"Monime-Version": "caph.2020-01-01"}}, "Monime-Version"},
		"a cursor over 2000 long": {req{method: http.MethodGet, path: "/v1/payments?after=" + strings.Repeat("a", 2001)}, "after"},
	} {
		res := f.send(tc.r)
		require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
		e := res.apiErr(t)
		assert.Equal(t, ReasonValidation, e.Reason, name)
		assert.Contains(t, fields(e), tc.field, name)
	}

	f.srv.cfg.validateRequests = false // the handler's own checks
	res := f.send(req{method: http.MethodGet, path: "/v1/payments?limit=0"})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"limit"}, fields(res.apiErr(t)))
}

func TestPaymentsAnswer405ForOtherMethods(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodPost, "/v1/payments", "GET"},
		{http.MethodPatch, "/v1/payments", "GET"},
		{http.MethodDelete, "/v1/payments/pay-1", "GET, PATCH"},
		{http.MethodPatch, "/v1/checkout-sessions/scs-1", "GET, DELETE"},
		{http.MethodDelete, "/v1/checkout-sessions", "GET, POST"}, // not the {id} path with an empty id
	} {
		res := f.send(req{method: tc.method, path: tc.path, body: "{}"})
		require.Equal(t, http.StatusMethodNotAllowed, res.status, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.allow, res.header.Get("Allow"), "%s %s", tc.method, tc.path)
		assert.Equal(t, ReasonMethodNotAllowed, res.apiErr(t).Reason)
	}
	res := f.send(req{method: http.MethodGet, path: "/v1/payment"})
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Contains(t, res.apiErr(t).Message, "/v1/payments/{id}", "the message names what the fake serves")
}

func TestCompleteWithEachChannel(t *testing.T) {
	for _, tc := range []struct {
		method   gen.PaymentChannelType
		provider string
		check    func(t *testing.T, ch gen.PaymentChannel) (fingerprint string)
	}{
		{"momo", "m17", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsMomoChannel()
			require.NoError(t, err)
			assert.Equal(t, ptr("m17"), c.Provider)
			assert.Equal(t, ptr("+23276***456"), c.PhoneNumber)
			assert.Regexp(t, `^MP\d{6}\.\d{4}\.[0-9A-Z]{6}$`, *c.Reference)
			return *c.Fingerprint
		}},
		{"momo", "m18", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsMomoChannel()
			require.NoError(t, err)
			assert.Equal(t, ptr("m18"), c.Provider)
			assert.Equal(t, ptr("+23277***321"), c.PhoneNumber)
			return *c.Fingerprint
		}},
		{"card", "visa", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsCardChannel()
			require.NoError(t, err)
			assert.Equal(t, gen.CardChannelTypeCard, c.Type)
			assert.Equal(t, ptr(gen.CardChannelSchemeVisa), c.Scheme)
			assert.Equal(t, ptr("4242"), c.Last4)
			return *c.Fingerprint
		}},
		{"card", "mastercard", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsCardChannel()
			require.NoError(t, err)
			assert.Equal(t, ptr(gen.CardChannelSchemeMastercard), c.Scheme)
			assert.Equal(t, ptr("4444"), c.Last4)
			return *c.Fingerprint
		}},
		{"bank", "slb001", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsBankChannel()
			require.NoError(t, err)
			assert.Equal(t, gen.BankChannelTypeBank, c.Type)
			assert.Equal(t, ptr("slb001"), c.Provider)
			assert.Regexp(t, `^\*{4}\d{4}$`, *c.AccountNumber)
			assert.Regexp(t, `^FT\d{5}[0-9A-Z]{6}$`, *c.Reference)
			return *c.Fingerprint
		}},
		{"bank", "slb004", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsBankChannel()
			require.NoError(t, err)
			assert.Equal(t, ptr("slb004"), c.Provider)
			return *c.Fingerprint
		}},
		{"bank", "slb007", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsBankChannel()
			require.NoError(t, err)
			assert.Equal(t, ptr("slb007"), c.Provider)
			return *c.Fingerprint
		}},
		{"wallet", "dw001", func(t *testing.T, ch gen.PaymentChannel) string {
			c, err := ch.AsWalletChannel()
			require.NoError(t, err)
			assert.Equal(t, gen.WalletChannelTypeWallet, c.Type)
			assert.Equal(t, ptr("dw001"), c.Provider)
			assert.Regexp(t, `^\*{4}[0-9A-Z]{4}$`, *c.WalletId)
			assert.Regexp(t, `^WT\d{12}[0-9A-Z]{4}$`, *c.Reference)
			return *c.Fingerprint
		}},
	} {
		t.Run(string(tc.method)+"/"+tc.provider, func(t *testing.T) {
			f := newFixture(t)
			_, first := f.paid(minimalBody, tc.method, tc.provider)
			_, second := f.paid(minimalBody, tc.method, tc.provider)
			kind, err := first.Channel.Discriminator()
			require.NoError(t, err)
			assert.Equal(t, string(tc.method), kind)
			fp := tc.check(t, *first.Channel)
			assert.Regexp(t, `^fp-[0-9a-f]{16}$`, fp)
			assert.Equal(t, fp, tc.check(t, *second.Channel), "the same payer: the same fingerprint")
			assert.NotEqual(t, first.Id, second.Id)
			raw1, _ := json.Marshal(first.Channel)
			raw2, _ := json.Marshal(second.Channel)
			if tc.method != "card" { // a card's channel has no reference
				assert.NotEqual(t, string(raw1), string(raw2), "each payment has its own reference")
			}
		})
	}
}

func TestFingerprintsDifferBetweenPayers(t *testing.T) {
	f := newFixture(t)
	seen := map[string]string{}
	for _, m := range methodOrder {
		for _, p := range providersOf(m) {
			_, pay := f.paid(minimalBody, m, p)
			raw, err := json.Marshal(pay.Channel)
			require.NoError(t, err)
			var ch struct{ Fingerprint string }
			require.NoError(t, json.Unmarshal(raw, &ch))
			assert.NotContains(t, seen, ch.Fingerprint, "%s %s has the fingerprint of %s", m, p, seen[ch.Fingerprint])
			seen[ch.Fingerprint] = string(m) + " " + p
		}
	}
	assert.Len(t, seen, 8)
}

func TestCompleteWithRefusesWhatTheSessionDoesNotOffer(t *testing.T) {
	const restricted = `{"name":"Order","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}],
		"paymentOptions":{"card":{"disable":true},"momo":{"enabledProviders":["m18"]},"bank":{"disabledProviders":["slb001"]}}}`
	for _, tc := range []struct {
		method   gen.PaymentChannelType
		provider string
		says     string
	}{
		{"card", "", `the method "card" is not one this checkout session offers; choose one of momo, bank, wallet`},
		{"cash", "", `the method "cash" is not a payment method; choose one of momo, bank, wallet`},
		{"momo", "m17", `"m17" is not a provider of momo this checkout session offers; choose one of m18, or none for m18`},
		{"bank", "slb001", `"slb001" is not a provider of bank this checkout session offers; choose one of slb004, slb007, or none for slb004`},
		{"wallet", "m17", `"m17" is not a provider of wallet`},
		{"MOMO", "", `the method "MOMO" is not a payment method`},
	} {
		f := newFixture(t)
		s := f.create(restricted)
		err := f.srv.CompleteWith(s.Id, tc.method, tc.provider)
		require.ErrorIs(t, err, ErrChannelNotOffered, "%s %s", tc.method, tc.provider)
		assert.ErrorContains(t, err, `api: CompleteWith("`+s.Id+`"): `)
		assert.ErrorContains(t, err, tc.says)
		assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status, "nothing changed")
		assert.Empty(t, FindAll[Payment](f.srv, DefaultSpaceID))
	}

	f := newFixture(t)
	s := f.create(minimalBody)
	err := f.srv.CompleteWith(s.Id, "card", "amex")
	require.ErrorIs(t, err, ErrChannelNotOffered)
	assert.ErrorContains(t, err, `"amex" is not a scheme of card this checkout session offers; choose one of visa, mastercard, or none for visa`)

	assert.ErrorIs(t, f.srv.CompleteWith("scs-nope", "momo", ""), ErrSessionNotFound)
	require.NoError(t, f.srv.CompleteWith(s.Id, "card", ""))
	assert.ErrorIs(t, f.srv.CompleteWith(s.Id, "momo", ""), ErrSessionFinal)
}

func TestCompletePaysThePreselectedWay(t *testing.T) {
	for name, tc := range map[string]struct {
		options  string
		method   string
		provider string
	}{
		"no options: mobile money, m17":   {``, "momo", "m17"},
		"m17 ruled out: m18":              {`,"paymentOptions":{"momo":{"disabledProviders":["m17"]}}`, "momo", "m18"},
		"mobile money disabled: a card":   {`,"paymentOptions":{"momo":{"disable":true}}`, "card", "visa"},
		"only bank left: its first":       {`,"paymentOptions":{"momo":{"disable":true},"card":{"disable":true},"bank":{"enabledProviders":["slb007"]}}`, "bank", "slb007"},
		"everything disabled: still m17":  {`,"paymentOptions":{"momo":{"disable":true},"card":{"disable":true},"bank":{"disable":true},"wallet":{"disable":true}}`, "momo", "m17"},
		"everything disabled: any method": {`,"paymentOptions":{"momo":{"disable":true},"card":{"disable":true},"bank":{"disable":true},"wallet":{"disable":true}}`, "wallet", "dw001"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			body := `{"name":"Order","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]` + tc.options + `}`
			var p gen.Payment
			if strings.HasSuffix(name, "any method") {
				_, p = f.paid(body, gen.PaymentChannelType(tc.method), "")
			} else {
				s := f.create(body)
				require.NoError(t, f.srv.Complete(s.Id))
				rec, _ := Find[Session](f.srv, s.Id)
				require.Len(t, rec.PaymentIDs, 1)
				p = f.payment(rec.PaymentIDs[0])
			}
			raw, err := json.Marshal(p.Channel)
			require.NoError(t, err)
			var ch struct{ Type, Provider, Scheme string }
			require.NoError(t, json.Unmarshal(raw, &ch))
			assert.Equal(t, tc.method, ch.Type)
			assert.Equal(t, tc.provider, ch.Provider+ch.Scheme)
		})
	}
}

func TestAPaymentPerCurrency(t *testing.T) {
	f := newFixture(t)
	s := f.create(`{"name":"Order","lineItems":[
		{"name":"Hat","price":{"currency":"USD","value":1250},"quantity":3},
		{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2},
		{"name":"Gift","price":{"currency":"SLE","value":0}},
		{"name":"Sticker","price":{"currency":"USD","value":5}}]}`)
	require.NoError(t, f.srv.CompleteWith(s.Id, "bank", "slb004"))
	order := *f.get(s.Id).OrderNumber

	rec, _ := Find[Session](f.srv, s.Id)
	require.Len(t, rec.PaymentIDs, 2, "one payment per currency")
	usd, sle := f.payment(rec.PaymentIDs[0]), f.payment(rec.PaymentIDs[1])
	assert.Equal(t, gen.Money{Currency: "USD", Value: 3*1250 + 5}, usd.Amount, "in the order the currencies first appear")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 2 * 15000}, sle.Amount)
	for _, p := range []gen.Payment{usd, sle} {
		assert.Equal(t, order, *p.OrderNumber)
		assert.Equal(t, gen.PaymentStatusCompleted, p.Status)
		kind, _ := p.Channel.Discriminator()
		assert.Equal(t, "bank", kind, "one customer, one channel")
	}
	assert.NotEqual(t, *usd.FinancialTransactionReference, *sle.FinancialTransactionReference)
	page := f.listPayments(url.Values{"orderNumber": {order}})
	require.Len(t, page.Result, 2)
	assert.Equal(t, sle.Id, page.Result[0].Id, "newest first")

	free := f.create(`{"name":"Free","lineItems":[{"name":"Gift","price":{"currency":"SLE","value":0}}]}`)
	require.NoError(t, f.srv.Complete(free.Id), "a session that costs nothing completes")
	rec, _ = Find[Session](f.srv, free.Id)
	assert.Empty(t, rec.PaymentIDs, "and records no payment")
	assert.Empty(t, f.listPayments(url.Values{"orderNumber": {*f.get(free.Id).OrderNumber}}).Result)
}

func TestASessionThatCannotBePaid(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	for name, tc := range map[string]struct {
		body string
		says string
	}{
		"a total over 64 bits": {
			fmt.Sprintf(`{"name":"Yacht","lineItems":[{"name":"Y","price":{"currency":"USD","value":%d},"quantity":2}]}`, int64(1)<<62),
			"its USD items total 9223372036854775808 minor units, more than a payment's amount can hold (64 bits)",
		},
	} {
		s := f.create(tc.body)
		err := f.srv.Complete(s.Id)
		require.ErrorIs(t, err, ErrSessionNotPayable, name)
		assert.ErrorContains(t, err, tc.says, name)
		assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status, "%s: nothing changed", name)

		page := f.hostedPage(s.Id)
		assert.Contains(t, text(element(t, page, "not-payable")), "This checkout cannot be paid: "+tc.says, name)
		assert.NotContains(t, page, `id="pay"`, name)
		assert.Contains(t, page, `id="cancel"`, "%s: the customer can still cancel", name)
		res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", url.Values{})
		assert.Equal(t, http.StatusConflict, res.status, name)
		assert.Contains(t, text(string(res.body)), "Nothing was paid: "+tc.says, name)
		assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status, name)
	}
	assert.Empty(t, FindAll[Payment](f.srv, DefaultSpaceID))
	f.waitDeliveries()
	assert.Empty(t, f.srv.Deliveries(), "no event for a payment that did not happen")
}
