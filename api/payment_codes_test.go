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

func (f *fixture) createCode(body string) gen.PaymentCode {
	f.t.Helper()
	return okResult[gen.PaymentCode](f, req{method: http.MethodPost, path: "/v1/payment-codes", body: body})
}

func (f *fixture) getCode(id string) gen.PaymentCode {
	f.t.Helper()
	return okResult[gen.PaymentCode](f, req{method: http.MethodGet, path: "/v1/payment-codes/" + id})
}

func (r response) paymentCode(t *testing.T) gen.PaymentCode { return result[gen.PaymentCode](t, r) }

func (f *fixture) listCodes(query url.Values) gen.PaymentCodeListEnvelope {
	f.t.Helper()
	return okBody[gen.PaymentCodeListEnvelope](f, req{method: http.MethodGet, path: "/v1/payment-codes?" + query.Encode()})
}

func sle(v int64) gen.Money { return gen.Money{Currency: gen.CurrencySLE, Value: v} }

const schoolFees = `{"name":"Term 1 fees","amount":{"currency":"SLE","value":75000},"reference":"inv-88","metadata":{"pupil":"A-17"}}`

func TestCreatePaymentCodeDefaults(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(`{"name":"Stall"}`)
	assert.Regexp(t, `^pmc-[0-9A-Za-z]{14}$`, c.Id)
	assert.Regexp(t, `^\*715\*1\*[0-9]{6}#$`, c.UssdCode)
	assert.Equal(t, gen.PaymentCodeStatusPending, c.Status)
	assert.Equal(t, gen.PaymentCodeModeOneTime, c.Mode)
	assert.True(t, c.Enable)
	assert.Nil(t, c.Amount)
	assert.Equal(t, f.clock.Now().Add(10*time.Minute), c.ExpireTime)
	assert.Equal(t, MainAccountID(DefaultSpaceID), *c.FinancialAccountId)
	assert.Equal(t, c, f.getCode(c.Id))
	raw := f.send(req{method: http.MethodGet, path: "/v1/payment-codes/" + c.Id}).body
	assert.Contains(t, string(raw), `"processedPaymentData":null`, "never in reads")

	usd := f.createCode(`{"name":"Dollar stall","mode":"recurrent","amount":{"currency":"USD","value":500},"duration":"1h30m","enable":false}`)
	assert.Equal(t, MainAccountID(DefaultSpaceID)+"-usd", *usd.FinancialAccountId, "the main account of the amount's currency")
	assert.Equal(t, f.clock.Now().Add(90*time.Minute), usd.ExpireTime)
	assert.False(t, usd.Enable)
	assert.NotEqual(t, c.UssdCode, usd.UssdCode)
}

func TestCreatePaymentCodeRefusesWhatMonimeWould(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ name, body, field string }{
		{"bad duration", `{"name":"Stall","duration":"ten minutes"}`, "duration"},
		{"negative duration", `{"name":"Stall","duration":"-5m"}`, "duration"},
		{"unknown account", `{"name":"Stall","financialAccountId":"fac-nope"}`, "financialAccountId"},
		{"currency of another account", `{"name":"Stall","amount":{"currency":"USD","value":5}}`, ""},
		{"zero amount", `{"name":"Stall","amount":{"currency":"SLE","value":0}}`, "amount.value"},
		{"target of a one_time code", `{"name":"Stall","recurrentPaymentTarget":{"expectedPaymentCount":2}}`, "recurrentPaymentTarget"},
		{"blank phone", `{"name":"Stall","authorizedPhoneNumber":" "}`, "authorizedPhoneNumber"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.field == "" { // an amount in USD into the SLE main account
				body = `{"name":"Stall","amount":{"currency":"USD","value":5},"financialAccountId":"` + MainAccountID(DefaultSpaceID) + `"}`
				tc.field = "amount.currency"
			}
			res := f.send(req{method: http.MethodPost, path: "/v1/payment-codes", body: body})
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			assert.Contains(t, fields(res.apiErr(t)), tc.field)
		})
	}
}

func TestAPaidOneTimeCodeMakesASettledPayment(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithFee("processing_fee", 100, 50), WithWebhook(rc.URL, testSecret, "payment.created", "payment.completed", "payment_code.processed"))
	main := MainAccountID(DefaultSpaceID)
	c := f.createCode(strings.Replace(schoolFees, `"reference"`, `"authorizedPhoneNumber":"+23276555000","authorizedProviders":["m18"],"reference"`, 1))
	f.clock.Advance(time.Minute)
	require.NoError(t, f.srv.PayCode(c.Id, "", "", sle(75000)))

	got := f.getCode(c.Id)
	assert.Equal(t, gen.PaymentCodeStatusCompleted, got.Status)
	assert.Nil(t, got.ProcessedPaymentData)
	payments := f.listPayments(nil).Result
	require.Len(t, payments, 1)
	p := payments[0]
	assert.Equal(t, gen.PaymentStatusCompleted, p.Status)
	assert.Equal(t, sle(75000), p.Amount)
	assert.Equal(t, main, *p.FinancialAccountId)
	assert.Equal(t, c.Id, *p.OwnershipGraph.Owner.Id)
	assert.Equal(t, "payment_code", *p.OwnershipGraph.Owner.Type)
	momo, err := p.Channel.AsMomoChannel()
	require.NoError(t, err)
	assert.Equal(t, "m18", *momo.Provider)
	assert.Equal(t, "+23276***000", *momo.PhoneNumber)
	fee := int64(75000*100/10000 + 50)
	assert.Equal(t, []gen.PaymentFee{{Code: "processing_fee", Amount: sle(fee)}}, *p.Fees)
	assert.Equal(t, int64(75000-fee), f.balance(main).Value, "settled less fees")
	assert.Len(t, f.transactions(url.Values{"reference": {*p.FinancialTransactionReference}}).Result, 2, "a credit and a fee")
	f.checkBooks()

	err = f.srv.PayCode(c.Id, "", "", sle(75000))
	assert.ErrorIs(t, err, ErrCodeNotPayable)
	assert.ErrorContains(t, err, "completed")

	f.waitDeliveries()
	reqs, events := rc.got()
	require.Equal(t, []string{"payment.created", "payment.completed", "payment_code.processed"}, names(events))
	var data gen.PaymentCode
	require.NoError(t, json.Unmarshal(events[2].Data, &data))
	assert.Equal(t, c.Id, events[2].Object.ID)
	assert.Equal(t, "payment_code", events[2].Object.Type)
	assert.Equal(t, gen.PaymentCodeStatusCompleted, data.Status)
	pd := data.ProcessedPaymentData
	require.NotNil(t, pd, "%s", reqs[2].body)
	assert.Equal(t, sle(75000), *pd.Amount)
	assert.Equal(t, p.Id, *pd.PaymentId)
	assert.Equal(t, *p.FinancialTransactionReference, *pd.FinancialTransactionReference)
	assert.Equal(t, "m18", *pd.ChannelData.ProviderId)
	assert.Equal(t, "+23276***000", *pd.ChannelData.AccountId)
	assert.Equal(t, *momo.Reference, *pd.ChannelData.Reference)
	assert.Equal(t, map[string]any{"pupil": "A-17"}, *pd.Metadata)
}

func TestPaymentCodeRestrictionsRefuseAndChangeNothing(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(strings.Replace(schoolFees, `"reference"`, `"authorizedPhoneNumber":"+23276555000","authorizedProviders":["m17"],"reference"`, 1))
	for _, tc := range []struct {
		name, phone, provider string
		amount                gen.Money
		want                  error
		says                  string
	}{
		{"another phone", "+23276999999", "m17", sle(75000), ErrCodePayerRefused, "only +23276555000 may pay it"},
		{"another provider", "+23276555000", "m18", sle(75000), ErrCodePayerRefused, "only m17 may carry"},
		{"not a provider", "+23276555000", "slb001", sle(75000), ErrCodePayerRefused, "not a mobile money provider"},
		{"not a phone", "not a phone", "m17", sle(75000), ErrCodePayerRefused, "is not a phone number"},
		{"another amount", "+23276555000", "m17", sle(70000), ErrCodeAmount, "exactly SLE 750.00"},
		{"another currency", "+23276555000", "m17", gen.Money{Currency: "USD", Value: 75000}, ErrCodeAmount, "takes SLE"},
		{"nothing", "+23276555000", "m17", sle(0), ErrCodeAmount, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.srv.PayCode(c.Id, tc.phone, tc.provider, tc.amount)
			require.ErrorIs(t, err, tc.want)
			assert.ErrorContains(t, err, tc.says)
		})
	}
	assert.Equal(t, c, f.getCode(c.Id), "unchanged")
	assert.Empty(t, f.listPayments(nil).Result)
	assert.ErrorIs(t, f.srv.PayCode("pmc-nope", "", "", sle(1)), ErrCodeNotFound)

	res := f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + c.Id, body: `{"enable":false}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	err := f.srv.PayCode(c.Id, "", "", sle(75000))
	require.ErrorIs(t, err, ErrCodeNotPayable)
	assert.ErrorContains(t, err, "disabled")
	f.checkBooks()
}

func TestARecurrentCodeTakesPaymentsUntilItsTargets(t *testing.T) {
	f := newFixture(t)
	byCount := f.createCode(`{"name":"Market dues","mode":"recurrent","recurrentPaymentTarget":{"expectedPaymentCount":2}}`)
	require.NoError(t, f.srv.PayCode(byCount.Id, "", "", sle(100)))
	assert.Equal(t, gen.PaymentCodeStatusProcessing, f.getCode(byCount.Id).Status)
	require.NoError(t, f.srv.PayCode(byCount.Id, "+23276000123", "m18", sle(250)), "any phone, any amount")
	assert.Equal(t, gen.PaymentCodeStatusCompleted, f.getCode(byCount.Id).Status)
	assert.ErrorIs(t, f.srv.PayCode(byCount.Id, "", "", sle(100)), ErrCodeNotPayable)

	byTotal := f.createCode(`{"name":"Savings","mode":"recurrent","recurrentPaymentTarget":{"expectedPaymentTotal":{"currency":"SLE","value":1000}}}`)
	require.NoError(t, f.srv.PayCode(byTotal.Id, "", "", sle(600)))
	assert.Equal(t, gen.PaymentCodeStatusProcessing, f.getCode(byTotal.Id).Status)
	require.NoError(t, f.srv.PayCode(byTotal.Id, "", "", sle(600)))
	assert.Equal(t, gen.PaymentCodeStatusCompleted, f.getCode(byTotal.Id).Status)

	open := f.createCode(`{"name":"Tips","mode":"recurrent"}`)
	for range 3 {
		require.NoError(t, f.srv.PayCode(open.Id, "", "", sle(10)))
	}
	assert.Equal(t, gen.PaymentCodeStatusProcessing, f.getCode(open.Id).Status, "no target: until it expires")
	f.clock.Advance(10 * time.Minute)
	assert.Equal(t, gen.PaymentCodeStatusExpired, f.getCode(open.Id).Status)
	assert.Len(t, f.listPayments(nil).Result, 7)
	assert.Equal(t, int64(100+250+600+600+30), f.balance(MainAccountID(DefaultSpaceID)).Value)
	f.checkBooks()
}

func TestPaymentCodesExpireInTheSweep(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(`{"name":"Stall","duration":"2m"}`)
	longer := f.createCode(`{"name":"Stall","duration":"2m"}`)
	res := f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + longer.Id, body: `{"duration":"5m"}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, longer.CreateTime.Add(5*time.Minute), res.paymentCode(t).ExpireTime, "from the code's creation")
	f.clock.Advance(2 * time.Minute)
	require.Equal(t, 0, f.srv.Sweep(), "Sweep counts sessions")
	got, ok := Find[PaymentCode](f.srv, c.Id)
	require.True(t, ok)
	assert.Equal(t, gen.PaymentCodeStatusExpired, got.Status)
	err := f.srv.PayCode(c.Id, "", "", sle(10))
	require.ErrorIs(t, err, ErrCodeNotPayable)
	assert.ErrorContains(t, err, "expired")
	assert.Equal(t, gen.PaymentCodeStatusPending, f.getCode(longer.Id).Status, "its new duration")
	require.NoError(t, f.srv.PayCode(longer.Id, "", "", sle(10)))

	res = f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + c.Id, body: `{"name":"Again"}`})
	require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
	assert.Equal(t, ReasonPaymentCodeNotUpdatable, res.apiErr(t).Reason)
	expiring := f.createCode(`{"name":"Stall"}`)
	f.clock.Advance(time.Minute)
	res = f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + expiring.Id, body: `{"duration":"30s"}`})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"duration"}, fields(res.apiErr(t)))
}

func TestUpdateAndDeletePaymentCodes(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(schoolFees)
	f.clock.Advance(time.Second)
	res := f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + c.Id, body: `{"name":"Term 2 fees","amount":{"currency":"SLE","value":80000},"authorizedPhoneNumber":"+23276555000","customer":{"name":"Aminata"},"reference":null,"metadata":{"term":"2"}}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	got := res.paymentCode(t)
	assert.Equal(t, "Term 2 fees", *got.Name)
	assert.Equal(t, sle(80000), *got.Amount)
	assert.Equal(t, "+23276555000", *got.AuthorizedPhoneNumber)
	assert.Equal(t, "Aminata", *got.Customer.Name)
	assert.Equal(t, "inv-88", *got.Reference, "null: unchanged")
	assert.Equal(t, map[string]any{"term": "2"}, *got.Metadata)
	assert.Equal(t, f.clock.Now(), *got.UpdateTime)
	assert.Equal(t, got, f.getCode(c.Id))

	res = f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + c.Id, body: `{"amount":{"currency":"USD","value":5}}`})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"amount.currency"}, fields(res.apiErr(t)))
	res = f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/pmc-nope", body: `{}`})
	require.Equal(t, http.StatusNotFound, res.status)

	unused := f.createCode(`{"name":"Unused"}`)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/payment-codes/" + unused.Id}).status)
	require.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodGet, path: "/v1/payment-codes/" + unused.Id}).status)

	require.NoError(t, f.srv.PayCode(c.Id, "", "", sle(80000)))
	res = f.send(req{method: http.MethodDelete, path: "/v1/payment-codes/" + c.Id})
	require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
	e := res.apiErr(t)
	assert.Equal(t, ReasonPaymentCodeNotDeletable, e.Reason)
	assert.Contains(t, e.Message, "has been used")
	res = f.send(req{method: http.MethodPatch, path: "/v1/payment-codes/" + c.Id, body: `{"name":"Late"}`})
	require.Equal(t, http.StatusConflict, res.status, "completed: final")
}

func TestListPaymentCodesFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i := range 5 {
		mode := "one_time"
		if i%2 == 1 {
			mode = "recurrent"
		}
		ids = append(ids, f.createCode(fmt.Sprintf(`{"name":"Code %d","mode":%q}`, i, mode)).Id)
	}
	require.NoError(t, f.srv.PayCode(ids[0], "", "", sle(5)))
	all := f.listCodes(nil).Result
	require.Len(t, all, 5)
	assert.Equal(t, ids[4], all[0].Id, "newest first")
	recurrent := f.listCodes(url.Values{"mode": {"recurrent"}}).Result
	assert.Len(t, recurrent, 2)
	done := f.listCodes(url.Values{"status": {"completed"}}).Result
	require.Len(t, done, 1)
	assert.Equal(t, ids[0], done[0].Id)
	byCode := f.listCodes(url.Values{"ussd_code": {all[2].UssdCode}}).Result
	require.Len(t, byCode, 1)
	assert.Equal(t, all[2].Id, byCode[0].Id)

	first := f.listCodes(url.Values{"limit": {"2"}})
	require.Len(t, first.Result, 2)
	require.NotNil(t, first.Pagination.Next)
	second := f.listCodes(url.Values{"limit": {"2"}, "after": {*first.Pagination.Next}})
	assert.Equal(t, ids[2], second.Result[0].Id)
}

func TestPaymentCodesSurviveARestart(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 0, 10))
	paid := f.createCode(schoolFees)
	require.NoError(t, f.srv.PayCode(paid.Id, "", "", sle(75000)))
	pending := f.createCode(`{"name":"Later","duration":"3m"}`)
	g := restart(t, f)
	assert.Equal(t, f.getCode(paid.Id), g.getCode(paid.Id))
	assert.Equal(t, f.listPayments(nil), g.listPayments(nil))
	g.checkBooks()
	f.clock.Advance(3 * time.Minute)
	assert.Equal(t, gen.PaymentCodeStatusExpired, g.getCode(pending.Id).Status, "queued again for the sweep")
	assert.Equal(t, http.StatusConflict, g.send(req{method: http.MethodDelete, path: "/v1/payment-codes/" + paid.Id}).status)
}

func TestABadPaymentCodeRowDoesNotLoad(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(schoolFees)
	require.NoError(t, f.srv.PayCode(c.Id, "", "", sle(75000)))
	var buf strings.Builder
	require.NoError(t, f.srv.SaveState(&buf))
	state := buf.String()
	for _, tc := range []struct{ name, from, to, want string }{
		{"bad status", `"status": "completed",` + "\n" + `    "updateTime"`, `"status": "paid",` + "\n" + `    "updateTime"`, "paymentCodes: " + c.Id + ` has status "paid"`},
		{"bad mode", `"mode": "one_time"`, `"mode": "twice"`, "paymentCodes: " + c.Id + ` has mode "twice"`},
		{"collected differs", `"collected": 75000`, `"collected": 5`, "payment code " + c.Id + " says it collected 5"},
		{"processed data kept", `"processedPaymentData": null`, `"processedPaymentData": {}`, "paymentCodes: " + c.Id + " holds processedPaymentData"},
		{"a payment of a code gone", `"paymentCode": "` + c.Id + `"`, `"paymentCode": "pmc-gone"`, "payment code " + c.Id + " took payment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(state, tc.from, tc.to, 1)
			require.NotEqual(t, state, broken, "%s", state)
			_, err := New(WithState(strings.NewReader(broken)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTakenChangesKeepCodesOTPsAndReceipts(t *testing.T) {
	f := newFixture(t)
	f.srv.TrackChanges()
	var m mirror
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	m.apply(t, all)

	c := f.createCode(schoolFees)
	m.take(t, f.srv)
	require.NoError(t, f.srv.PayCode(c.Id, "", "", sle(75000)))
	gone := f.createCode(`{"name":"Gone"}`)
	o := f.createOTP(welcomeOTP)
	m.take(t, f.srv)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/payment-codes/" + gone.Id}).status)
	require.NoError(t, f.srv.DialOTP(o.Id, "+23276111222"))
	order := f.paidOrder(concertOrder)
	f.redeem(order, `{"entitlements":[{"key":"drink"}]}`)
	m.take(t, f.srv)

	assert.NotContains(t, m.rows, [2]string{"paymentCodes", gone.Id}, "a deleted code's row goes")
	assert.Contains(t, m.rows, [2]string{"paymentCodes", c.Id})
	assert.Contains(t, m.rows, [2]string{"ussdOtps", o.Id})
	assert.Contains(t, m.rows, [2]string{"receipts", order})
	rebuilt := mustNew(t, WithChanges(m.changes()), WithClock(f.clock.Now))
	t.Cleanup(rebuilt.Close)
	assert.Equal(t, saved(t, f.srv), saved(t, rebuilt))
	require.NoError(t, rebuilt.CheckBooks())
}

func TestNullMembersOfCodesOTPsAndRedemptionsAreAbsent(t *testing.T) {
	f := newFixture(t)
	c := f.createCode(`{"name":"Stall","customer":null,"reference":null,"authorizedProviders":null,"recurrentPaymentTarget":null,"financialAccountId":null,"metadata":null}`)
	assert.Nil(t, c.Reference)
	assert.Equal(t, MainAccountID(DefaultSpaceID), *c.FinancialAccountId)
	o := f.createOTP(`{"authorizedPhoneNumber":"+23276111222","verificationMessage":null,"metadata":null}`)
	assert.Nil(t, o.VerificationMessage)
	order := f.paidOrder(concertOrder)
	_, ok := f.redeem(order, `{"redeemAll":true,"entitlements":null,"metadata":null}`)
	assert.True(t, ok)
}
