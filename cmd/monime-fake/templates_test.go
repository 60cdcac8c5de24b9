package main

import (
	"bytes"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// closedPort returns a loopback address nothing listens on: a connection
// to it is refused.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestPagesShowFailedDeliveries is the regression of issue 21: the
// Webhooks page and a session's page answered 500 as soon as a delivery
// failed, because the deliveries template read a field the row lacks.
func TestPagesShowFailedDeliveries(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not today", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	refused := "http://" + closedPort(t) + "/hooks"
	r := start(t, nil, "-webhook-url", failing.URL, "-webhook-url", refused)
	id := createSession(t, r.URL, "fails")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/cancel", nil, nil))

	var deliveries struct{ Result []deliveryView }
	eventually(t, "a failed attempt to each receiver", func() bool {
		call(t, http.MethodGet, r.URL+"/_fake/deliveries", nil, &deliveries)
		seen := map[string]bool{}
		for _, d := range deliveries.Result {
			seen[d.URL] = seen[d.URL] || !d.OK
		}
		return seen[failing.URL] && seen[refused]
	})
	for _, path := range []string{"/webhooks", "/sessions/" + id} {
		code, body := getPage(t, r.URL+path)
		require.Equal(t, http.StatusOK, code, "%s with failed deliveries:\n%s", path, body)
		assert.Contains(t, body, `data-ok="false"`, path)
		assert.Contains(t, body, "receiver answered 500", path)
		assert.Contains(t, body, "no answer", path)
		assert.Contains(t, body, "refused", path)
	}
}

// everyDelivery has a row of each state a delivery can be in.
var everyDelivery = deliveryRows([]api.Delivery{
	{EventID: "evt-ok", EventName: "checkout_session.completed", ObjectID: "scs-1", SessionID: "scs-1", URL: "http://127.0.0.1:1/ok", Attempt: 1, StatusCode: 204, Signature: "t=1,v1=x", Body: []byte(`{"a":1}`)},
	{EventID: "evt-failed", EventName: "payment.created", ObjectID: "pay-1", SessionID: "scs-1", URL: "http://127.0.0.1:1/failed", Attempt: 2, StatusCode: 500, Err: "the receiver answered 500", Signature: "t=1,v1=y", Body: []byte(`{"a":2}`)},
	{EventID: "evt-refused", EventName: "checkout_session.cancelled", ObjectID: "scs-2", URL: "http://127.0.0.1:1/refused", Attempt: 1, Err: "connect: connection refused", Signature: "t=1,v1=z", Body: []byte(`not json`)},
	{EventID: "evt-timeout", EventName: "checkout_session.expired", ObjectID: "scs-3", SessionID: "scs-3", URL: "http://127.0.0.1:1/slow", Attempt: 6, Err: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)", Signature: "t=1,v1=w", Body: []byte(`{}`)},
})

// fullPage has every field of a page set, so that every branch of a
// template that reads one runs.
func fullPage(nav string) page {
	return page{
		Title: "Title", Nav: nav, Base: "http://127.0.0.1:8089", Space: "spc-test", Token: "tok", Notice: "notice", Problem: "problem",
		Back: "/back", Filter: "pending", Statuses: sessionStatuses, Next: "/?after=c1", NextAccounts: "/accounts?accounts=c2",
		Secret: "whsec-shown", Webhooks: []api.Webhook{{URL: "http://127.0.0.1:1/hook", Events: []string{"payment.created"}, Secret: "own-secret"}},
		Deliveries: everyDelivery,
	}
}

// TestEveryTemplateRendersEveryState renders each page of the dashboard
// with rows in every state they can be in (each session, payment and
// delivery state, full and empty), so a field a template names that the
// row lacks fails here, not in a developer's browser.
func TestEveryTemplateRendersEveryState(t *testing.T) {
	var sessions []sessionRow
	for _, st := range sessionStatuses {
		sessions = append(sessions, sessionRow{ID: "scs-" + st, Name: st, Status: st, Reference: "ref", Totals: []string{"SLE 1,234,567.89", "USD 1.00"}, Created: "c", Expires: "e"})
	}
	var payments []paymentRow
	for _, st := range paymentStatuses {
		payments = append(payments, paymentRow{ID: "pay-" + st, Status: st, Amount: "SLE 1,000.00", Channel: "momo · m17", Fees: "processing_fee SLE 1.50", Session: "scs-completed", Created: "c"})
	}
	payments = append(payments, paymentRow{ID: "pay-orphan", Status: "completed", Amount: "SLE 1.00", Channel: "—", Fees: "—"})

	type render = struct {
		name     string
		template string
		page     page
		want     []string
	}
	var cases []render
	full := fullPage("sessions")
	full.Sessions = sessions
	cases = append(cases,
		render{"sessions", "sessions.html", full, []string{`data-status="expired"`, "SLE 1,234,567.89", `id="next-page"`, "notice", "problem"}},
		render{"no sessions", "sessions.html", page{Filter: "cancelled", Statuses: sessionStatuses}, []string{"No cancelled sessions yet"}},
	)
	for _, st := range sessionStatuses {
		p := fullPage("sessions")
		p.Channels = payChannels
		p.Session = &sessionDetail{
			sessionRow: sessions[slices.Index(sessionStatuses, st)], Pending: st == "pending", OrderNumber: "o-1", RedirectURL: "http://127.0.0.1/checkout/x",
			SuccessURL: "http://s", CancelURL: "http://c", IdempotencyKey: "k",
			Items:    []itemRow{{Name: "Shirt", Description: "blue", Price: "SLE 1.00", Total: "SLE 2.00", Quantity: 2}},
			Metadata: []keyValue{{"cart", "c_77"}},
		}
		want := []string{`id="status">` + st, "c_77", "blue", "evt-timeout", `id="next-page"`}
		if st == "pending" {
			want = append(want, `id="pay-form"`, "momo:m17")
		} else {
			p.Session.Payments = payments
			want = append(want, `data-id="pay-processing"`, "processing_fee SLE 1.50")
		}
		cases = append(cases, render{"session " + st, "session.html", p, want})
	}
	bare := page{Session: &sessionDetail{sessionRow: sessionRow{ID: "scs-bare", Status: "expired"}}}
	cases = append(cases, render{"session without metadata or deliveries", "session.html", bare, []string{"None.", "No deliveries yet."}})

	pays := fullPage("payments")
	pays.Statuses, pays.Filter, pays.Payments = paymentStatuses, "completed", payments
	cases = append(cases,
		render{"payments", "payments.html", pays, []string{`data-status="pending"`, `data-status="processing"`, `href="/sessions/scs-completed"`, `id="next-page"`}},
		render{"no payments", "payments.html", page{Statuses: paymentStatuses}, []string{"No  payments yet"}},
	)

	accounts := fullPage("accounts")
	accounts.Accounts = []accountRow{{ID: "fac-main", Name: "Main", Description: "d", Currency: "SLE", UVAN: "u", Reference: "r", Balance: "SLE 1,000.00", Main: true}, {ID: "fac-2", Name: "Other", Currency: "USD", Balance: "USD 0.00"}}
	accounts.Entries = []entryRow{{ID: "le-1", Type: "credit", Amount: "SLE 1.00"}, {ID: "le-2", Type: "debit", Amount: "SLE 0.10"}}
	cases = append(cases,
		render{"accounts", "accounts.html", accounts, []string{`id="main-fac-main"`, `data-type="debit"`, `id="next-accounts"`, `id="next-page"`}},
		render{"no ledger", "accounts.html", page{}, []string{"No money has moved yet"}},
		render{"webhooks", "webhooks.html", fullPage("webhooks"), []string{"whsec-shown", "own-secret", `action="/webhooks/remove"`, "connection refused", "Client.Timeout", "no answer", "500", "204", `id="next-page"`}},
		render{"no webhooks", "webhooks.html", page{}, []string{"None yet", "No deliveries yet."}},
		render{"message", "message.html", fullPage(""), []string{"problem", `href="/back"`}},
	)

	cases = append(cases, moneyOutCases(t)...)
	cases = append(cases, ussdCases(t)...)

	covered := map[string]bool{"layout.html": true, "deliveries.html": true} // partials every page uses
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, pages.ExecuteTemplate(&buf, tc.template, tc.page))
			for _, want := range tc.want {
				assert.Contains(t, buf.String(), want)
			}
		})
		covered[tc.template] = true
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	require.NoError(t, err)
	for _, f := range files {
		assert.True(t, covered[path.Base(f)], "no case renders %s", f)
	}
}

// everyPayout has a payout in each state the fake's can be in (pending,
// completed, failed with and without a hold), to each kind of
// destination, with and without fees, built by payoutRowOf from what the
// API stores.
func everyPayout(t *testing.T) []payoutRow {
	t.Helper()
	ref, wallet, msg := "ABC123", "0000000005", "The destination account is blocked at the provider."
	var momo, bank, dw, odd gen.PayoutDestination
	require.NoError(t, momo.FromMomoDestination(gen.MomoDestination{Type: "momo", ProviderId: "m17", PhoneNumber: "+23276123456"}))
	require.NoError(t, bank.FromBankDestination(gen.BankDestination{Type: "bank", ProviderId: "slb001", AccountNumber: "0123456789", TransactionReference: &ref}))
	require.NoError(t, dw.FromWalletDestination(gen.WalletDestination{Type: "wallet", ProviderId: "dw001", WalletId: &wallet}))
	require.NoError(t, odd.FromMomoDestination(gen.MomoDestination{Type: "momo", ProviderId: "m99", PhoneNumber: "+23299000000"})) // a provider the catalog lacks
	fees := []gen.PaymentFee{{Code: "payout_fee", Amount: gen.Money{Currency: "SLE", Value: 150}}}
	src := "ftr-1"
	mk := func(id string, status gen.PayoutStatus, d gen.PayoutDestination, withFees bool) api.Payout {
		p := api.Payout{Payout: gen.Payout{Id: id, Status: status, Amount: gen.Money{Currency: "SLE", Value: 123456789}, Destination: d, Fees: &[]gen.PaymentFee{}}}
		p.Source = &struct {
			FinancialAccountId   string  `json:"financialAccountId"`
			TransactionReference *string `json:"transactionReference,omitempty"`
		}{FinancialAccountId: "fac-main", TransactionReference: &src}
		if withFees {
			p.Fees = &fees
		}
		return p
	}
	failed := mk("pyt-failed", gen.PayoutStatusFailed, dw, true)
	failed.FailureDetail = &struct {
		Code    gen.PayoutFailureCode `json:"code"`
		Message *string               `json:"message,omitempty"`
	}{Code: gen.PayoutFailureCodeProviderAccountBlocked, Message: &msg}
	uncovered := mk("pyt-uncovered", gen.PayoutStatusFailed, odd, false)
	uncovered.Source = nil
	uncovered.FailureDetail = &struct {
		Code    gen.PayoutFailureCode `json:"code"`
		Message *string               `json:"message,omitempty"`
	}{Code: gen.PayoutFailureCodeFundInsufficient}
	var rows []payoutRow
	for _, p := range []api.Payout{mk("pyt-pending", gen.PayoutStatusPending, momo, true), mk("pyt-completed", gen.PayoutStatusCompleted, bank, false), failed, uncovered, {}} {
		rows = append(rows, payoutRowOf(p))
	}
	return rows
}

// moneyOutCases render the payouts, transfers and account pages in every
// state their rows can be in, and empty.
func moneyOutCases(t *testing.T) []struct {
	name     string
	template string
	page     page
	want     []string
} {
	type render = struct {
		name     string
		template string
		page     page
		want     []string
	}
	payouts := fullPage("payouts")
	payouts.Statuses, payouts.Filter, payouts.FailureCodes, payouts.Payouts = payoutStatuses, "", payoutFailureCodes, everyPayout(t)
	failMsg := "The failure detail."
	transfers := fullPage("transfers")
	transfers.Statuses = transferStatuses
	for _, tr := range []api.InternalTransfer{
		{InternalTransfer: gen.InternalTransfer{Id: "trn-completed", Status: gen.InternalTransferStatusCompleted, Amount: gen.Money{Currency: "SLE", Value: 100000}, Description: &failMsg, FinancialTransactionReference: &failMsg}},
		{InternalTransfer: gen.InternalTransfer{Id: "trn-failed", Status: gen.InternalTransferStatusFailed, Amount: gen.Money{Currency: "SLE", Value: 1}, FailureDetail: &struct {
			Code    gen.InternalTransferFailureDetailCode `json:"code"`
			Message *string                               `json:"message,omitempty"`
		}{Code: "fund_insufficient", Message: &failMsg}}},
	} {
		transfers.Transfers = append(transfers.Transfers, transferRowOf(tr))
	}
	account := fullPage("accounts")
	account.Account = &accountRow{ID: "fac-main", Name: "Main", Description: "d", Currency: "SLE", UVAN: "u", Reference: "r", Balance: "SLE 1,000.00", Main: true}
	account.Entries = []entryRow{{ID: "txn-1", Type: "credit", Amount: "SLE 1.00", BalanceAfter: "SLE 1.00"}, {ID: "txn-2", Type: "debit", Amount: "SLE 0.10", BalanceAfter: "SLE 0.90"}}
	return []render{
		{"payouts", "payouts.html", payouts, []string{
			`data-status="pending"`, `action="/payouts/pyt-pending/complete"`, `action="/payouts/pyt-pending/fail"`, `action="/payouts/pyt-pending/delete"`,
			`<option value="provider_account_quota_exhausted">`, "Mobile money · Orange Money (m17)", "23276123456", "payout_fee SLE 1.50", "SLE 1,234,567.89",
			`data-status="completed"`, "Bank · ", "(slb001)", "ref ABC123", "Wallet · ", "(dw001)", "0000000005",
			"provider_account_blocked", "blocked at the provider", "fund_insufficient", "m99", `href="/accounts/fac-main"`, `id="next-page"`,
		}},
		{"no payouts", "payouts.html", page{Statuses: payoutStatuses, Filter: "failed"}, []string{"No failed payouts yet"}},
		{"transfers", "transfers.html", transfers, []string{`data-status="completed"`, `data-status="failed"`, "SLE 1,000.00", "fund_insufficient", "The failure detail.", `id="next-page"`}},
		{"no transfers", "transfers.html", page{Statuses: transferStatuses}, []string{"No  transfers yet"}},
		{"account", "account.html", account, []string{`id="fund-form"`, `action="/accounts/fac-main/fund?from=account"`, "SLE 0.90", `data-type="debit"`, `id="next-page"`}},
		{"account without entries", "account.html", page{Account: &accountRow{ID: "fac-x", Name: "X", Currency: "USD", Balance: "USD 0.00"}}, []string{"No money has moved in this account yet", "USD"}},
	}
}
