package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// payoutStatus reads a payout's status through the admin API ("" when it
// is gone).
func payoutStatus(t *testing.T, base, id string) string {
	t.Helper()
	var got struct{ Result payoutView }
	if call(t, http.MethodGet, base+"/_fake/payouts/"+id, nil, &got) != http.StatusOK {
		return ""
	}
	return string(got.Result.Status)
}

// The dashboard's forms fund an account and complete, fail and delete
// pending payouts, each a 303 back with a notice; what they refuse changes
// nothing and says why.
func TestDashboardFundsAndDecidesPayouts(t *testing.T) {
	r := start(t, nil, "-payout-delay", "0", "-payout-fee", "payout_fee:0:100")
	resp := postForm(t, r.URL+"/accounts/"+mainAccount+"/fund", url.Values{"amount": {"1,500.5"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts?notice="), resp.Header.Get("Location"))
	assert.Equal(t, int64(150050), balance(t, r.URL, mainAccount), "1,500.5 major units")
	resp = postForm(t, r.URL+"/accounts/"+mainAccount+"/fund?from=account", url.Values{"amount": {"0.50"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/"+mainAccount+"?notice="), resp.Header.Get("Location"))
	assert.Equal(t, int64(150100), balance(t, r.URL, mainAccount))
	for _, bad := range []string{"", "0", "-5", "1.234", "ten", "99999999999999999999", "1,50", "1,2,3", "1,,,0", ",500", "1500,00"} {
		if resp := postForm(t, r.URL+"/accounts/"+mainAccount+"/fund", url.Values{"amount": {bad}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("funding %q answered %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp := postForm(t, r.URL+"/accounts/fac-nope/fund", url.Values{"amount": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("funding an unknown account answered %d, want 404", resp.StatusCode)
	}
	assert.Equal(t, int64(150100), balance(t, r.URL, mainAccount), "refused funding moved nothing")

	done := createPayout(t, r.URL, "done", 10000, "+23276123456")
	failed := createPayout(t, r.URL, "failed", 20000, "+23276123456")
	deleted := createPayout(t, r.URL, "deleted", 30000, "+23276123456")
	code, body := getPage(t, r.URL+"/payouts")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{`action="/payouts/` + done.Id + `/complete"`, `action="/payouts/` + failed.Id + `/fail"`, `action="/payouts/` + deleted.Id + `/delete"`, "Orange Money (m17)", "payout_fee SLE 1.00", "SLE 300.00"} {
		assert.Contains(t, body, want)
	}
	assert.Less(t, strings.Index(body, deleted.Id), strings.Index(body, done.Id), "newest first")

	resp = postForm(t, r.URL+"/payouts/"+done.Id+"/complete", url.Values{"back": {"/payouts?status=pending&after=x"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/payouts?status=pending&notice="), "back to the filtered page: %s", resp.Header.Get("Location"))
	resp = postForm(t, r.URL+"/payouts/"+failed.Id+"/fail", url.Values{"code": {"provider_account_missing"}, "back": {"https://evil.example/payouts"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/payouts?notice="), "never back to another site: %s", resp.Header.Get("Location"))
	resp = postForm(t, r.URL+"/payouts/"+deleted.Id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "completed", payoutStatus(t, r.URL, done.Id))
	assert.Equal(t, "failed", payoutStatus(t, r.URL, failed.Id))
	assert.Equal(t, "", payoutStatus(t, r.URL, deleted.Id), "deleted")
	assert.Equal(t, int64(150100-10000-100), balance(t, r.URL, mainAccount), "only the completed payout took its money")

	_, body = getPage(t, r.URL+"/payouts?status=failed")
	assert.Contains(t, body, "provider_account_missing")
	assert.Contains(t, body, "no such destination account")
	assert.NotContains(t, body, done.Id)

	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
	}{
		{"/payouts/" + done.Id + "/fail", url.Values{"code": {"unknown"}}, http.StatusConflict},
		{"/payouts/" + done.Id + "/delete", nil, http.StatusConflict},
		{"/payouts/pyt-nope/complete", nil, http.StatusNotFound},
		{"/payouts/" + done.Id + "/refund", nil, http.StatusNotFound},
	} {
		if resp := postForm(t, r.URL+tc.path, tc.form); resp.StatusCode != tc.status {
			t.Errorf("POST %s answered %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	blocked := createPayout(t, r.URL, "blocked", 1000, "+23276000005")
	resp = postForm(t, r.URL+"/payouts/"+blocked.Id+"/complete", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "provider_account_blocked", "the notice says a test destination failed it")
	assert.Equal(t, "failed", payoutStatus(t, r.URL, blocked.Id))
	pending := createPayout(t, r.URL, "pending", 1000, "+23276123456")
	if resp := postForm(t, r.URL+"/payouts/"+pending.Id+"/fail", url.Values{"code": {"declined"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("failing with a code Monime lacks answered %d, want 400", resp.StatusCode)
	}
	resp = postForm(t, r.URL+"/payouts/"+pending.Id+"/complete", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a cross-site form post")
	assert.Equal(t, "pending", payoutStatus(t, r.URL, pending.Id), "the refused posts changed nothing")
}

// An account's own page shows its ledger with the running balance, and
// the accounts page links to it; transfers have their page.
func TestDashboardShowsAnAccountsLedgerAndTransfers(t *testing.T) {
	r := start(t, nil, "-payout-delay", "0")
	payroll := createAccount(t, r.URL, map[string]any{"name": "Payroll", "currency": "SLE"})
	fund(t, r.URL, mainAccount, 100000)
	moved := createTransfer(t, r.URL, "moved", mainAccount, payroll, 25000)
	short := createTransfer(t, r.URL, "short", payroll, mainAccount, 999999)
	fund(t, r.URL, payroll, 500)

	code, body := getPage(t, r.URL+"/accounts")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `href="/accounts/`+payroll+`"`)
	assert.Contains(t, body, `action="/accounts/`+payroll+`/fund"`)

	code, body = getPage(t, r.URL+"/accounts/"+payroll)
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{"Payroll", "SLE 255.00", "SLE 250.00", "internal_transfer " + moved.Id, "funding", `id="fund-form"`} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "SLE 1,000.00", "only this account's entries")
	assert.Less(t, strings.Index(body, "SLE 255.00"), strings.Index(body, "SLE 250.00"), "newest first, each with the balance after it")
	if code, _ := getPage(t, r.URL+"/accounts/fac-nope"); code != http.StatusNotFound {
		t.Errorf("an unknown account's page answered %d", code)
	}

	code, body = getPage(t, r.URL+"/transfers")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{moved.Id, short.Id, "fund_insufficient", "SLE 250.00", "float for moved", `href="/accounts/` + payroll + `"`} {
		assert.Contains(t, body, want)
	}
	_, body = getPage(t, r.URL+"/transfers?status=failed")
	assert.Contains(t, body, short.Id)
	assert.NotContains(t, body, moved.Id)
	_, body = getPage(t, r.URL+"/transfers?status=lost")
	assert.Contains(t, body, "lost&#34; is not a transfer status")
}
