package main

import (
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// everyCode has a payment code in each state the fake's can be in
// (pending, processing, completed, expired, cancelled; one_time and
// recurrent; with and without an amount, restrictions and a target;
// disabled; pending but past its expireTime), built by codeRowOf from
// what the API stores.
func everyCode(now time.Time) []codeRow {
	str := func(s string) *string { return &s }
	count, total := 3, gen.Money{Currency: "SLE", Value: 300000}
	fixed := gen.Money{Currency: "SLE", Value: 75000}
	providers := []string{"m18", "m99"} // m99: a provider the catalog lacks
	mk := func(id string, mode gen.PaymentCodeMode, status gen.PaymentCodeStatus) api.PaymentCode {
		return api.PaymentCode{PaymentCode: gen.PaymentCode{
			Id: id, Mode: mode, Status: status, Name: str("Term 1 fees " + id), Enable: true, UssdCode: "*715*1*" + id[4:] + "#",
			CreateTime: now.Add(-time.Hour), ExpireTime: now.Add(time.Hour), FinancialAccountId: str("fac-main"),
		}}
	}
	restricted := mk("pmc-restricted", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusPending)
	restricted.Amount, restricted.AuthorizedPhoneNumber, restricted.AuthorizedProviders = &fixed, str("+23276555000"), &providers
	restricted.Reference, restricted.Customer = str("inv-88"), &struct {
		Name *string `json:"name,omitempty"`
	}{Name: str("Aminata Kamara")}
	recurrent := mk("pmc-recurrent", gen.PaymentCodeModeRecurrent, gen.PaymentCodeStatusProcessing)
	recurrent.RecurrentPaymentTarget = &struct {
		ExpectedPaymentCount *int       `json:"expectedPaymentCount,omitempty"`
		ExpectedPaymentTotal *gen.Money `json:"expectedPaymentTotal,omitempty"`
	}{ExpectedPaymentCount: &count, ExpectedPaymentTotal: &total}
	recurrent.PaymentIDs, recurrent.Collected = []string{"pay-r1", "pay-r2"}, 150000
	open := mk("pmc-open", gen.PaymentCodeModeRecurrent, gen.PaymentCodeStatusPending)
	open.Name = nil
	completed := mk("pmc-completed", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusCompleted)
	completed.Amount, completed.PaymentIDs, completed.Collected = &fixed, []string{"pay-c1"}, 75000
	expired := mk("pmc-expired", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusExpired)
	expired.ExpireTime = now.Add(-time.Minute)
	lapsing := mk("pmc-lapsing", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusPending) // its time passed; the sweep has not seen it yet
	lapsing.ExpireTime = now.Add(-time.Second)
	disabled := mk("pmc-disabled", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusPending)
	disabled.Enable = false
	cancelled := mk("pmc-cancelled", gen.PaymentCodeModeOneTime, gen.PaymentCodeStatusCancelled)
	var rows []codeRow
	for _, c := range []api.PaymentCode{restricted, recurrent, open, completed, expired, lapsing, disabled, cancelled, {}} {
		rows = append(rows, codeRowOf(c, "SLE", now))
	}
	return rows
}

// ussdCases render the payment codes, USSD OTPs and receipts pages in
// every state their rows can be in, empty too, and the webhooks page with
// a webhook created through the API beside a configured one.
func ussdCases(t *testing.T) []struct {
	name     string
	template string
	page     page
	want     []string
} {
	t.Helper()
	type render = struct {
		name     string
		template string
		page     page
		want     []string
	}
	now := time.Now()
	codes := fullPage("payment-codes")
	codes.Statuses, codes.Filter, codes.PaymentCodes = paymentCodeStatuses, "", everyCode(now)

	msg := "Welcome to Kambia clinic"
	verified := now.Add(-time.Minute)
	otps := fullPage("ussd-otps")
	otps.Statuses = otpStatuses
	for _, o := range []api.USSDOTP{
		{USSDOTP: gen.USSDOTP{Id: "uop-pending", Status: gen.USSDOTPStatusPending, DialCode: "*715*2*111111#", AuthorizedPhoneNumber: "+23276111222", VerificationMessage: &msg, CreateTime: now, ExpireTime: now.Add(5 * time.Minute)}},
		{USSDOTP: gen.USSDOTP{Id: "uop-verified", Status: gen.USSDOTPStatusVerified, DialCode: "*715*2*222222#", AuthorizedPhoneNumber: "+23276111333", CreateTime: now, ExpireTime: now}, VerifyTime: &verified},
		{USSDOTP: gen.USSDOTP{Id: "uop-expired", Status: gen.USSDOTPStatusExpired, DialCode: "*715*2*333333#", AuthorizedPhoneNumber: "+23276111444", CreateTime: now, ExpireTime: now}},
	} {
		otps.OTPs = append(otps.OTPs, otpRowOf(o))
	}

	name := "Ticket"
	receipts := fullPage("receipts")
	receipts.Statuses = receiptStatuses
	for _, r := range []api.Receipt{
		{SessionID: "scs-1", Receipt: gen.Receipt{OrderNumber: "ord-none", OrderName: &name, Status: gen.ReceiptStatusNotRedeemed, OrderAmount: gen.Money{Currency: "SLE", Value: 123456789}, CreateTime: now, UpdateTime: now,
			Entitlements: &[]gen.Entitlement{{Key: "ticket", Name: &name, Limit: 2, Remaining: 2}}}},
		{SessionID: "scs-2", Receipt: gen.Receipt{OrderNumber: "ord-partly", Status: gen.ReceiptStatusPartiallyRedeemed, OrderAmount: gen.Money{Currency: "SLE", Value: 100}, CreateTime: now, UpdateTime: now.Add(time.Minute),
			Entitlements: &[]gen.Entitlement{{Key: "meal", Limit: 3, Current: 1, Remaining: 2}, {Key: "drink", Limit: 1, Current: 1, Exhausted: true}}}},
		{Receipt: gen.Receipt{OrderNumber: "ord-fully", Status: gen.ReceiptStatusFullyRedeemed, OrderAmount: gen.Money{Currency: "USD", Value: 500}, CreateTime: now, UpdateTime: now,
			Entitlements: &[]gen.Entitlement{{Key: "seat", Limit: 1, Current: 1, Exhausted: true}}}},
		{Receipt: gen.Receipt{OrderNumber: "ord-empty", Status: gen.ReceiptStatusNotRedeemed}},
	} {
		receipts.Receipts = append(receipts.Receipts, receiptRowOf(r))
	}

	hooks := fullPage("webhooks")
	hooks.Webhooks = append(hooks.Webhooks,
		api.Webhook{URL: "http://127.0.0.1:1/api-on", Events: []string{"payment_code.processed"}, Secret: "api-secret-on", ID: "whk-on", SpaceID: "spc-test", Name: "orders", Headers: map[string]string{"X-Shop": "7"}},
		api.Webhook{URL: "http://127.0.0.1:1/api-off", Events: []string{"payment.completed"}, Secret: "api-secret-off", ID: "whk-off", SpaceID: "spc-test", Name: "paused", Disabled: true},
	)
	pays := fullPage("payments")
	pays.Statuses, pays.Payments = paymentStatuses, []paymentRow{{ID: "pay-code", Status: "completed", Amount: "SLE 750.00", Channel: "momo · m17", Fees: "—", PaymentCode: "pmc-restricted"}}

	return []render{
		{"payment codes", "payment_codes.html", codes, []string{
			`action="/payment-codes/pmc-restricted/pay"`, `value="750.00"`, `value="&#43;23276555000"`, "*715*1*restricted#", "SLE 750.00", "Aminata Kamara", "ref inv-88",
			`<option value="m18" selected>`, "Afrimoney (m18), m99",
			`data-status="processing"`, "recurrent until 3 payments and SLE 3,000.00 in total", "SLE 1,500.00", "2 payments", "pay-r2", `action="/payment-codes/pmc-recurrent/pay"`,
			`action="/payment-codes/pmc-open/pay"`, "unnamed", "any SLE amount", "any phone", "any provider", `placeholder="&#43;23276123456"`,
			`data-status="completed"`, "takes no more payments", `data-status="expired"`, `data-status="cancelled"`,
			"past its expiry", "disabled: takes no payment", `href="/accounts/fac-main"`, `id="next-page"`,
		}},
		{"no payment codes", "payment_codes.html", page{Statuses: paymentCodeStatuses, Filter: "expired"}, []string{"No expired payment codes yet"}},
		{"ussd otps", "ussd_otps.html", otps, []string{
			`action="/ussd-otps/uop-pending/dial"`, `value="&#43;23276111222"`, "Welcome to Kambia clinic", "*715*2*111111#",
			`data-status="verified"`, "at " + when(verified), `data-status="expired"`, `id="next-page"`,
		}},
		{"no ussd otps", "ussd_otps.html", page{Statuses: otpStatuses}, []string{"No  USSD OTPs yet"}},
		{"receipts", "receipts.html", receipts, []string{
			`data-status="not_redeemed"`, "SLE 1,234,567.89", "2 of 2 left", `href="/sessions/scs-1"`,
			`data-status="partially_redeemed"`, "2 of 3 left", "1 redeemed", `data-key="drink" data-exhausted="true"`,
			`data-status="fully_redeemed"`, "USD 5.00", "0 of 1 left", "exhausted", "none", `id="next-page"`,
		}},
		{"no receipts", "receipts.html", page{Statuses: receiptStatuses, Filter: "fully_redeemed"}, []string{"No fully_redeemed receipts yet"}},
		{"webhooks from the api", "webhooks.html", hooks, []string{
			`action="/webhooks/remove"`, `data-id="whk-on"`, "created through the API", "whk-on · spc-test", "orders", "X-Shop: 7", ">enabled<",
			`data-id="whk-off"`, ">disabled<", "DELETE /v1/webhooks/whk-off",
		}},
		{"payments into a code", "payments.html", pays, []string{"payment code", `href="/payment-codes#pmc-restricted"`}},
	}
}
