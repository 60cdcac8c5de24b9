package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createCode creates a payment code through the Monime API with the
// Idempotency-Key key; body's name defaults to key.
func createCode(t *testing.T, base, key string, body map[string]any) paymentCodeView {
	t.Helper()
	if body["name"] == nil {
		body["name"] = key
	}
	var out struct{ Result paymentCodeView }
	headers := append(append([]string{}, apiHeaders...), "Idempotency-Key", key)
	if code := call(t, http.MethodPost, base+"/v1/payment-codes", body, &out, headers...); code != http.StatusOK || out.Result.Id == "" {
		t.Fatalf("create payment code answered %d with id %q", code, out.Result.Id)
	}
	return out.Result
}

// createOTP creates a USSD OTP for phone through the Monime API.
func createOTP(t *testing.T, base, key, phone string, extra map[string]any) otpView {
	t.Helper()
	body := map[string]any{"authorizedPhoneNumber": phone}
	for k, v := range extra {
		body[k] = v
	}
	var out struct{ Result otpView }
	headers := append(append([]string{}, apiHeaders...), "Idempotency-Key", key)
	if code := call(t, http.MethodPost, base+"/v1/ussd-otps", body, &out, headers...); code != http.StatusOK || out.Result.Id == "" {
		t.Fatalf("create USSD OTP answered %d with id %q", code, out.Result.Id)
	}
	return out.Result
}

// sle is an amount in SLE minor units as a JSON body takes it.
func sle(value int64) map[string]any { return map[string]any{"currency": "SLE", "value": value} }

// codeOf reads a payment code through the admin API.
func codeOf(t *testing.T, base, id string) paymentCodeView {
	t.Helper()
	var got struct{ Result paymentCodeView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, base+"/_fake/payment-codes/"+id, nil, &got))
	return got.Result
}

func TestAdminPaysPaymentCodes(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL, "-webhook-events", "payment.completed,payment_code.processed")
	fees := createCode(t, r.URL, "fees", map[string]any{"amount": sle(75000), "authorizedPhoneNumber": "+23276555000", "authorizedProviders": []string{"m17"}, "reference": "inv-88"})
	assert.Equal(t, "pending", string(fees.Status))
	before := balance(t, r.URL, mainAccount)

	var paid struct{ Result paymentCodeView }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+fees.Id+"/pay", nil, &paid), "no body: the fixed amount from the authorized phone")
	assert.Equal(t, "completed", string(paid.Result.Status), "a one_time code is paid once")
	require.Len(t, paid.Result.PaymentIDs, 1)
	assert.Equal(t, int64(75000), paid.Result.Collected)
	assert.Equal(t, before+75000, balance(t, r.URL, mainAccount), "the payment settled into the code's account")
	var payments struct{ Result []paymentView }
	call(t, http.MethodGet, r.URL+"/_fake/payments", nil, &payments)
	require.Len(t, payments.Result, 1)
	assert.Equal(t, paid.Result.PaymentIDs[0], payments.Result[0].Id)
	assert.Equal(t, fees.Id, payments.Result[0].PaymentCodeID)
	assert.Empty(t, payments.Result[0].SessionID)
	eventually(t, "payment.completed and payment_code.processed", func() bool { return len(hook.names()) == 2 })
	assert.ElementsMatch(t, []string{"payment.completed", "payment_code.processed"}, hook.names())

	tuition := createCode(t, r.URL, "tuition", map[string]any{"mode": "recurrent", "recurrentPaymentTarget": map[string]any{"expectedPaymentCount": 2}})
	var e adminError
	assert.Equal(t, http.StatusBadRequest, call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+tuition.Id+"/pay", nil, &e))
	assert.Equal(t, "validation_error", e.Error.Code)
	assert.Contains(t, e.Error.Message, "takes any amount, so say how much")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+tuition.Id+"/pay", map[string]any{"amount": sle(1000), "phoneNumber": "+23277000111", "provider": "m18"}, &paid))
	assert.Equal(t, "processing", string(paid.Result.Status), "a recurrent code short of its target")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+tuition.Id+"/pay", map[string]any{"amount": sle(2000)}, &paid))
	assert.Equal(t, "completed", string(paid.Result.Status), "its second payment meets its target")
	assert.Equal(t, int64(3000), paid.Result.Collected)

	var list struct {
		Result     []paymentCodeView
		Pagination struct{ Count int }
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/payment-codes", nil, &list))
	require.Len(t, list.Result, 2)
	assert.Equal(t, tuition.Id, list.Result[0].Id, "newest first")
	assert.Equal(t, "fees", list.Result[1].IdempotencyKey)
	call(t, http.MethodGet, r.URL+"/_fake/payment-codes?status=pending", nil, &list)
	assert.Empty(t, list.Result)
	call(t, http.MethodGet, r.URL+"/_fake/payment-codes?status=completed&limit=1", nil, &list)
	assert.Len(t, list.Result, 1)
	assert.Equal(t, http.StatusBadRequest, call(t, http.MethodGet, r.URL+"/_fake/payment-codes?status=paid", nil, &e))
	assert.Contains(t, e.Error.Message, "not a status of payment codes")
}

func TestAdminRefusesPaymentCodePaymentsWithClearErrors(t *testing.T) {
	r := start(t, nil)
	bound := createCode(t, r.URL, "bound", map[string]any{"amount": sle(75000), "authorizedPhoneNumber": "+23276555000", "authorizedProviders": []string{"m17"}})
	disabled := createCode(t, r.URL, "disabled", map[string]any{"enable": false})
	expired := createCode(t, r.URL, "expired", map[string]any{"duration": "1ms"})
	time.Sleep(5 * time.Millisecond) // past its expireTime (the fake's clock counts milliseconds)
	done := createCode(t, r.URL, "done", map[string]any{})
	anyAmount := createCode(t, r.URL, "any-amount", map[string]any{"mode": "recurrent"})
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+done.Id+"/pay", map[string]any{"amount": sle(100)}, nil))

	for _, tc := range []struct {
		name, id string
		body     any
		status   int
		reason   string
		says     string
	}{
		{"unknown", "pmc-nope", nil, http.StatusNotFound, "not_found", "GET /_fake/payment-codes lists"},
		{"paid already", done.Id, map[string]any{"amount": sle(100)}, http.StatusConflict, "payment_code_not_payable", "it is completed"},
		{"disabled", disabled.Id, map[string]any{"amount": sle(100)}, http.StatusConflict, "payment_code_not_payable", "disabled"},
		{"expired", expired.Id, map[string]any{"amount": sle(100)}, http.StatusConflict, "payment_code_not_payable", "expired"},
		{"wrong phone", bound.Id, map[string]any{"phoneNumber": "+23276000999"}, http.StatusBadRequest, "payer_refused", "only +23276555000 may pay it"},
		{"wrong provider", bound.Id, map[string]any{"provider": "m18"}, http.StatusBadRequest, "payer_refused", "only m17 may carry"},
		{"not momo", bound.Id, map[string]any{"provider": "slb001"}, http.StatusBadRequest, "payer_refused", "not a mobile money provider"},
		{"wrong amount", bound.Id, map[string]any{"amount": sle(100)}, http.StatusBadRequest, "validation_error", "exactly SLE 750.00"},
		{"wrong currency", anyAmount.Id, map[string]any{"amount": map[string]any{"currency": "USD", "value": 100}}, http.StatusBadRequest, "validation_error", "it takes SLE"},
		{"unknown field", bound.Id, map[string]any{"phone": "+23276555000"}, http.StatusBadRequest, "validation_error", "unknown field"},
	} {
		var e adminError
		if code := call(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+tc.id+"/pay", tc.body, &e); code != tc.status || e.Error.Code != tc.reason || !strings.Contains(e.Error.Message, tc.says) {
			t.Errorf("%s: answered %d %s %q, want %d %s saying %q", tc.name, code, e.Error.Code, e.Error.Message, tc.status, tc.reason, tc.says)
		}
	}
	var e adminError
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, r.URL+"/_fake/payment-codes/pmc-nope", nil, &e))
	assert.Equal(t, "pending", string(codeOf(t, r.URL, bound.Id).Status), "the refused payments changed nothing")
	assert.Empty(t, codeOf(t, r.URL, bound.Id).PaymentIDs)
}

func TestAdminDialsUSSDOTPs(t *testing.T) {
	r := start(t, nil)
	otp := createOTP(t, r.URL, "otp", "+23276111222", map[string]any{"verificationMessage": "Welcome"})
	lapsed := createOTP(t, r.URL, "lapsed", "+23276111333", map[string]any{"duration": "1ms"})
	time.Sleep(5 * time.Millisecond) // past its expireTime
	assert.Equal(t, "pending", string(otp.Status))

	var e adminError
	assert.Equal(t, http.StatusBadRequest, call(t, http.MethodPost, r.URL+"/_fake/ussd-otps/"+otp.Id+"/dial", map[string]any{"phoneNumber": "+23276000999"}, &e))
	assert.Equal(t, "payer_refused", e.Error.Code)
	assert.Contains(t, e.Error.Message, "dial from its authorized phone")
	var got struct{ Result otpView }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/ussd-otps/"+otp.Id+"/dial", nil, &got), "no body: its authorized phone")
	assert.Equal(t, "verified", string(got.Result.Status))
	assert.NotNil(t, got.Result.VerifyTime)
	assert.Equal(t, http.StatusConflict, call(t, http.MethodPost, r.URL+"/_fake/ussd-otps/"+otp.Id+"/dial", nil, &e))
	assert.Equal(t, "ussd_otp_not_pending", e.Error.Code)
	assert.Contains(t, e.Error.Message, "verified already")
	assert.Equal(t, http.StatusConflict, call(t, http.MethodPost, r.URL+"/_fake/ussd-otps/"+lapsed.Id+"/dial", map[string]any{"phoneNumber": "+23276111333"}, &e))
	assert.Contains(t, e.Error.Message, "expired")
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodPost, r.URL+"/_fake/ussd-otps/uop-nope/dial", nil, &e))
	assert.Contains(t, e.Error.Message, "GET /_fake/ussd-otps lists")
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, r.URL+"/_fake/ussd-otps/uop-nope", nil, &e))

	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/ussd-otps/"+otp.Id, nil, &got))
	assert.Equal(t, "verified", string(got.Result.Status))
	var list struct{ Result []otpView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/ussd-otps", nil, &list))
	require.Len(t, list.Result, 2)
	assert.Equal(t, lapsed.Id, list.Result[0].Id, "newest first")
	call(t, http.MethodGet, r.URL+"/_fake/ussd-otps?status=verified", nil, &list)
	require.Len(t, list.Result, 1)
	assert.Equal(t, otp.Id, list.Result[0].Id)
	assert.Equal(t, http.StatusBadRequest, call(t, http.MethodGet, r.URL+"/_fake/ussd-otps?status=dialled", nil, &e))
}

func TestAdminListsReceipts(t *testing.T) {
	r := start(t, nil)
	id := createSession(t, r.URL, "tickets")
	var s struct{ Result sessionView }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", nil, &s))
	order := *s.Result.OrderNumber

	var list struct{ Result []receiptView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/receipts", nil, &list))
	require.Len(t, list.Result, 1)
	rc := list.Result[0]
	assert.Equal(t, order, rc.OrderNumber)
	assert.Equal(t, id, rc.SessionID)
	assert.Equal(t, "not_redeemed", string(rc.Status))
	require.NotNil(t, rc.Entitlements)
	require.Len(t, *rc.Entitlements, 1)
	assert.Equal(t, 2, (*rc.Entitlements)[0].Remaining, "one entitlement per line item, of its quantity")
	var one struct{ Result receiptView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/receipts/"+url.PathEscape(order), nil, &one))
	assert.Equal(t, order, one.Result.OrderNumber)
	call(t, http.MethodGet, r.URL+"/_fake/receipts?status=fully_redeemed", nil, &list)
	assert.Empty(t, list.Result)
	var e adminError
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, r.URL+"/_fake/receipts/ord-nope", nil, &e))
	assert.Contains(t, e.Error.Message, "a receipt is issued when a checkout session completes")
	assert.Equal(t, http.StatusBadRequest, call(t, http.MethodGet, r.URL+"/_fake/receipts?status=used", nil, &e))
}

// The dashboard's Pay and Dial forms pay a code and verify an OTP, each a
// 303 back with a notice; what they refuse changes nothing and says why.
func TestDashboardPaysCodesAndDialsOTPs(t *testing.T) {
	r := start(t, nil)
	fees := createCode(t, r.URL, "fees", map[string]any{"amount": sle(75000), "authorizedPhoneNumber": "+23276555000"})
	open := createCode(t, r.URL, "open", map[string]any{"mode": "recurrent"})
	disabled := createCode(t, r.URL, "disabled", map[string]any{"enable": false})
	expired := createCode(t, r.URL, "expired", map[string]any{"duration": "1ms"})
	time.Sleep(5 * time.Millisecond) // past its expireTime

	code, body := getPage(t, r.URL+"/payment-codes")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{`action="/payment-codes/` + fees.Id + `/pay"`, fees.UssdCode, "SLE 750.00", `value="&#43;23276555000"`, `action="/payment-codes/` + open.Id + `/pay"`, "disabled: takes no payment"} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, `action="/payment-codes/`+disabled.Id+`/pay"`, "a disabled code has no Pay form")
	assert.Less(t, strings.Index(body, expired.Id), strings.Index(body, fees.Id), "newest first")

	for _, tc := range []struct {
		name, id string
		form     url.Values
		status   int
		says     string
	}{
		{"wrong phone", fees.Id, url.Values{"phone": {"+23276000999"}, "provider": {"m17"}}, http.StatusBadRequest, "only +23276555000 may pay it"},
		{"wrong amount", fees.Id, url.Values{"amount": {"10"}}, http.StatusBadRequest, "exactly"},
		{"no amount for any amount", open.Id, url.Values{"amount": {""}}, http.StatusBadRequest, "the amount is empty"},
		{"not an amount", open.Id, url.Values{"amount": {"ten"}}, http.StatusBadRequest, "not an amount in major units"},
		{"disabled", disabled.Id, url.Values{"amount": {"1"}}, http.StatusConflict, "disabled"},
		{"expired", expired.Id, url.Values{"amount": {"1"}}, http.StatusConflict, "expired"},
		{"unknown", "pmc-nope", url.Values{"amount": {"1"}}, http.StatusNotFound, "no payment code"},
	} {
		req, _ := http.NewRequest(http.MethodPost, r.URL+"/payment-codes/"+tc.id+"/pay", strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		page := html.UnescapeString(readAll(t, resp))
		if resp.StatusCode != tc.status || !strings.Contains(page, tc.says) {
			t.Errorf("%s: answered %d, want %d saying %q:\n%s", tc.name, resp.StatusCode, tc.status, tc.says, page)
		}
	}
	assert.Empty(t, codeOf(t, r.URL, fees.Id).PaymentIDs, "the refused payments changed nothing")

	before := balance(t, r.URL, mainAccount)
	resp := postForm(t, r.URL+"/payment-codes/"+fees.Id+"/pay", url.Values{"amount": {""}, "phone": {""}, "provider": {"m17"}, "back": {"/payment-codes?status=pending&after=x"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/payment-codes?status=pending&notice="), "back to the filtered page: %s", resp.Header.Get("Location"))
	paid := codeOf(t, r.URL, fees.Id)
	assert.Equal(t, "completed", string(paid.Status))
	resp = postForm(t, r.URL+"/payment-codes/"+open.Id+"/pay", url.Values{"amount": {"1,500.50"}, "phone": {"+23277000111"}, "provider": {"m18"}, "back": {"https://evil.example/payment-codes"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/payment-codes?notice="), "never back to another site: %s", resp.Header.Get("Location"))
	assert.Equal(t, int64(150050), codeOf(t, r.URL, open.Id).Collected)
	assert.Equal(t, "processing", string(codeOf(t, r.URL, open.Id).Status))
	assert.Equal(t, before+75000+150050, balance(t, r.URL, mainAccount))
	resp = postForm(t, r.URL+"/payment-codes/"+open.Id+"/pay", url.Values{"amount": {"1"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a cross-site form post")

	_, body = getPage(t, r.URL+"/payments")
	assert.Contains(t, body, `href="/payment-codes#`+fees.Id+`"`, "the Payments page names the code a payment paid into")
	assert.Contains(t, body, `href="/payment-codes#`+open.Id+`"`)
	_, body = getPage(t, r.URL+"/payment-codes?status=completed")
	assert.Contains(t, body, paid.PaymentIDs[0])
	assert.NotContains(t, body, open.Id)

	otp := createOTP(t, r.URL, "otp", "+23276111222", nil)
	_, body = getPage(t, r.URL+"/ussd-otps")
	assert.Contains(t, body, `action="/ussd-otps/`+otp.Id+`/dial"`)
	assert.Contains(t, body, otp.DialCode)
	if resp := postForm(t, r.URL+"/ussd-otps/"+otp.Id+"/dial", url.Values{"phone": {"+23276000999"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("dialling from the wrong phone answered %d, want 400", resp.StatusCode)
	}
	if resp := postForm(t, r.URL+"/ussd-otps/uop-nope/dial", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("dialling an unknown OTP answered %d, want 404", resp.StatusCode)
	}
	resp = postForm(t, r.URL+"/ussd-otps/"+otp.Id+"/dial", url.Values{"phone": {"+23276111222"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/ussd-otps?notice="), resp.Header.Get("Location"))
	if resp := postForm(t, r.URL+"/ussd-otps/"+otp.Id+"/dial", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("dialling a verified OTP answered %d, want 409", resp.StatusCode)
	}
	_, body = getPage(t, r.URL+"/ussd-otps?status=verified")
	assert.Contains(t, body, otp.Id)
	assert.NotContains(t, body, `action="/ussd-otps/`+otp.Id+`/dial"`, "a verified OTP has no Dial form")

	id := createSession(t, r.URL, "tickets")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", nil, nil))
	code, body = getPage(t, r.URL+"/receipts")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{`href="/sessions/` + id + `"`, "2 of 2 left", "not_redeemed", "SLE 300.00"} {
		assert.Contains(t, body, want)
	}
}

// A webhook created through the API shows on the Webhooks page as such,
// without the Remove button that cannot remove it, and the admin API's
// remove says how to delete it.
func TestAPIWebhooksAreShownAsSuch(t *testing.T) {
	r := start(t, nil, "-webhook-url", "http://127.0.0.1:9/from-flag")
	body := map[string]any{"name": "orders", "url": "http://127.0.0.1:9/from-api", "apiRelease": "caph", "events": []string{"payment.completed"},
		"verificationMethod": map[string]string{"type": "HS256", "secret": "api-secret-0123456789abcdefghijklmn"}}
	var created struct{ Result struct{ ID string } }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/v1/webhooks", body, &created, append(append([]string{}, apiHeaders...), "Idempotency-Key", "whk-page")...))
	code, page := getPage(t, r.URL+"/webhooks")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `data-id="`+created.Result.ID+`"`)
	assert.Contains(t, page, "created through the API")
	assert.Equal(t, 1, strings.Count(page, `action="/webhooks/remove"`), "a Remove button for the configured receiver alone")
	var e adminError
	assert.Equal(t, http.StatusConflict, call(t, http.MethodDelete, r.URL+"/_fake/webhooks/"+url.PathEscape("http://127.0.0.1:9/from-api"), nil, &e))
	assert.Contains(t, e.Error.Message, "DELETE /v1/webhooks/"+created.Result.ID)
	resp := postForm(t, r.URL+"/webhooks/remove", url.Values{"url": {"http://127.0.0.1:9/from-api"}})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "the dashboard's remove says the same")
}

func TestPaymentCodesAndOTPsSurviveARestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	first := start(t, nil, "-data", data)
	paid := createCode(t, first.URL, "paid", map[string]any{"amount": sle(5000)})
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, first.URL+"/_fake/payment-codes/"+paid.Id+"/pay", nil, nil))
	waiting := createCode(t, first.URL, "waiting", map[string]any{"mode": "recurrent"})
	verified := createOTP(t, first.URL, "verified", "+23276111222", nil)
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, first.URL+"/_fake/ussd-otps/"+verified.Id+"/dial", nil, nil))
	pending := createOTP(t, first.URL, "pending", "+23276111333", nil)
	id := createSession(t, first.URL, "tickets")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, first.URL+"/_fake/sessions/"+id+"/complete", nil, nil))
	before := balance(t, first.URL, mainAccount)
	if code := first.Stop(t); code != exitOK {
		t.Fatalf("stop: status %d", code)
	}

	second := start(t, nil, "-data", data)
	got := codeOf(t, second.URL, paid.Id)
	assert.Equal(t, "completed", string(got.Status))
	assert.Len(t, got.PaymentIDs, 1)
	assert.Equal(t, int64(5000), got.Collected)
	assert.Equal(t, "pending", string(codeOf(t, second.URL, waiting.Id).Status))
	assert.Equal(t, before, balance(t, second.URL, mainAccount))
	var otp struct{ Result otpView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, second.URL+"/_fake/ussd-otps/"+verified.Id, nil, &otp))
	assert.Equal(t, "verified", string(otp.Result.Status))
	assert.NotNil(t, otp.Result.VerifyTime)
	var receipts struct{ Result []receiptView }
	call(t, http.MethodGet, second.URL+"/_fake/receipts", nil, &receipts)
	require.Len(t, receipts.Result, 1)
	assert.Equal(t, id, receipts.Result[0].SessionID)
	// What was pending still works after the restart.
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, second.URL+"/_fake/payment-codes/"+waiting.Id+"/pay", map[string]any{"amount": sle(100)}, nil))
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, second.URL+"/_fake/ussd-otps/"+pending.Id+"/dial", nil, nil))
	assert.Equal(t, "processing", string(codeOf(t, second.URL, waiting.Id).Status))
}

// readAll reads and closes a response's body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// The new pages page and take a limit as the others do, and the guard
// keeps them from other sites as it keeps the others.
func TestUSSDPagesPageAndAreGuarded(t *testing.T) {
	r := start(t, nil)
	var codes, otps []string // newest first
	for i := range 3 {
		codes = append([]string{createCode(t, r.URL, fmt.Sprintf("code-%d", i), map[string]any{}).Id}, codes...)
		otps = append([]string{createOTP(t, r.URL, fmt.Sprintf("otp-%d", i), "+23276111222", nil).Id}, otps...)
	}
	for _, tc := range []struct {
		path string
		ids  []string
	}{{"/payment-codes", codes}, {"/ussd-otps", otps}} {
		code, body := getPage(t, r.URL+tc.path+"?limit=2")
		require.Equal(t, http.StatusOK, code, tc.path)
		assert.Contains(t, body, `data-id="`+tc.ids[1]+`"`, tc.path)
		assert.NotContains(t, body, `data-id="`+tc.ids[2]+`"`, tc.path)
		next := nextLink(body)
		require.NotEmpty(t, next, tc.path)
		_, body = getPage(t, r.URL+next)
		assert.Contains(t, body, `data-id="`+tc.ids[2]+`"`, tc.path)
		code, body = getPage(t, r.URL+tc.path+"?limit=0")
		assert.Equal(t, http.StatusBadRequest, code, tc.path)
		assert.Contains(t, body, "is not a whole number from 1 to 50", tc.path)
		_, body = getPage(t, r.URL+tc.path+"?status=lost")
		assert.Contains(t, body, "lost&#34; is not a", tc.path)
	}
	var list struct {
		Result     []paymentCodeView
		Pagination struct{ Next string }
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/payment-codes?limit=2", nil, &list))
	require.Len(t, list.Result, 2)
	require.NotEmpty(t, list.Pagination.Next)
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/payment-codes?limit=2&after="+url.QueryEscape(list.Pagination.Next), nil, &list))
	require.Len(t, list.Result, 1)
	assert.Equal(t, codes[2], list.Result[0].Id)

	for _, path := range []string{"/payment-codes", "/ussd-otps", "/receipts", "/_fake/payment-codes", "/_fake/ussd-otps", "/_fake/receipts"} {
		code, _, _ := send(t, http.MethodGet, r.URL+path, "evil.example")
		assert.Equal(t, http.StatusForbidden, code, path)
	}
	code, _, _ := send(t, http.MethodPost, r.URL+"/_fake/payment-codes/"+codes[0]+"/pay", "evil.example")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "pending", string(codeOf(t, r.URL, codes[0]).Status), "a refused pay changed nothing")
}
