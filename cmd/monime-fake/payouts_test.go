package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
)

// mainAccount is the default space's main SLE account.
var mainAccount = api.MainAccountID(api.DefaultSpaceID)

// fund credits value SLE minor units to account through the admin API.
func fund(t *testing.T, base, account string, value int64) {
	t.Helper()
	if code := call(t, http.MethodPost, base+"/_fake/accounts/"+account+"/fund", map[string]any{"currency": "SLE", "value": value}, nil); code != http.StatusOK {
		t.Fatalf("fund %s answered %d", account, code)
	}
}

// createPayout pays value SLE minor units from the main account to the
// momo number phone through the Monime API, with the Idempotency-Key key.
func createPayout(t *testing.T, base, key string, value int64, phone string) payoutView {
	t.Helper()
	body := map[string]any{
		"amount":      map[string]any{"currency": "SLE", "value": value},
		"destination": map[string]any{"type": "momo", "providerId": "m17", "phoneNumber": phone},
	}
	var out struct{ Result payoutView }
	headers := append(append([]string{}, apiHeaders...), "Idempotency-Key", key)
	if code := call(t, http.MethodPost, base+"/v1/payouts", body, &out, headers...); code != http.StatusOK || out.Result.Id == "" {
		t.Fatalf("create payout answered %d with id %q", code, out.Result.Id)
	}
	return out.Result
}

// createTransfer moves value SLE minor units from one account to another
// through the Monime API.
func createTransfer(t *testing.T, base, key, from, to string, value int64) transferView {
	t.Helper()
	body := map[string]any{
		"amount":                      map[string]any{"currency": "SLE", "value": value},
		"sourceFinancialAccount":      map[string]any{"id": from},
		"destinationFinancialAccount": map[string]any{"id": to},
		"description":                 "float for " + key,
	}
	var out struct{ Result transferView }
	headers := append(append([]string{}, apiHeaders...), "Idempotency-Key", key)
	if code := call(t, http.MethodPost, base+"/v1/internal-transfers", body, &out, headers...); code != http.StatusOK || out.Result.Id == "" {
		t.Fatalf("create transfer answered %d with id %q", code, out.Result.Id)
	}
	return out.Result
}

// balance is the available balance of account, read through the admin API.
func balance(t *testing.T, base, account string) int64 {
	t.Helper()
	var accounts struct{ Result []accountView }
	call(t, http.MethodGet, base+"/_fake/accounts?limit=50", nil, &accounts)
	for _, acc := range accounts.Result {
		if acc.Id == account {
			return acc.Balance.Available.Value
		}
	}
	t.Fatalf("account %s is not listed", account)
	return 0
}

func payoutIDs(ps []payoutView) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.Id)
	}
	return ids
}

func TestAdminDrivesPayoutsAndListsTransfers(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-payout-delay", "0", "-payout-fee", "payout_fee:0:100", "-webhook-secret", secret, "-webhook-url", hook.URL, "-webhook-events", "payout.completed,payout.failed")
	fund(t, r.URL, mainAccount, 100000)
	done := createPayout(t, r.URL, "done", 10000, "+23276123456")
	blocked := createPayout(t, r.URL, "blocked", 20000, "+23276123456")
	unknown := createPayout(t, r.URL, "unknown", 5000, "+23276123456")
	deleted := createPayout(t, r.URL, "deleted", 7000, "+23276123456")
	require.Equal(t, "pending", string(done.Status), "-payout-delay 0 leaves payouts pending")
	require.Equal(t, int64(100000-10000-20000-5000-7000-4*100), balance(t, r.URL, mainAccount), "each holds its amount and fee")

	var got struct{ Result payoutView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/payouts/"+done.Id, nil, &got))
	assert.Equal(t, "done", got.Result.IdempotencyKey)
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payouts/"+done.Id+"/complete", nil, &got))
	assert.Equal(t, "completed", string(got.Result.Status))
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payouts/"+blocked.Id+"/fail", map[string]string{"code": "provider_account_blocked"}, &got))
	assert.Equal(t, "failed", string(got.Result.Status))
	require.NotNil(t, got.Result.FailureDetail)
	assert.Equal(t, "provider_account_blocked", string(got.Result.FailureDetail.Code))
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payouts/"+unknown.Id+"/fail", nil, &got))
	assert.Equal(t, "unknown", string(got.Result.FailureDetail.Code), "fail without a body fails with unknown")

	var gone struct {
		Result struct {
			ID      string      `json:"id"`
			Deleted bool        `json:"deleted"`
			Source  accountView `json:"source"`
		}
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodDelete, r.URL+"/_fake/payouts/"+deleted.Id, nil, &gone))
	assert.True(t, gone.Result.Deleted)
	want := int64(100000 - 10000 - 100) // only the completed payout took its money
	assert.Equal(t, want, gone.Result.Source.Balance.Available.Value, "the delete answers the source with what it gave back")
	assert.Equal(t, want, balance(t, r.URL, mainAccount))
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, r.URL+"/_fake/payouts/"+deleted.Id, nil, nil), "a deleted payout is gone")

	var list struct {
		Result     []payoutView
		Pagination struct {
			Count int
			Next  string
		}
	}
	call(t, http.MethodGet, r.URL+"/_fake/payouts", nil, &list)
	assert.Equal(t, []string{unknown.Id, blocked.Id, done.Id}, payoutIDs(list.Result), "newest first, the deleted one gone")
	call(t, http.MethodGet, r.URL+"/_fake/payouts?status=failed", nil, &list)
	assert.Equal(t, []string{unknown.Id, blocked.Id}, payoutIDs(list.Result))
	call(t, http.MethodGet, r.URL+"/_fake/payouts?limit=2", nil, &list)
	require.Len(t, list.Result, 2)
	require.NotEmpty(t, list.Pagination.Next)
	next := list.Pagination.Next
	list.Pagination.Next = ""
	call(t, http.MethodGet, r.URL+"/_fake/payouts?limit=2&after="+next, nil, &list)
	assert.Equal(t, []string{done.Id}, payoutIDs(list.Result))
	assert.Empty(t, list.Pagination.Next, "the last page")

	eventually(t, "the three webhooks", func() bool { return len(hook.names()) == 3 })
	names := hook.names()
	slices.Sort(names)
	assert.Equal(t, []string{"payout.completed", "payout.failed", "payout.failed"}, names, "a delete sends nothing")

	// Transfers: one completes, one its source cannot cover fails.
	payroll := createAccount(t, r.URL, map[string]any{"name": "Payroll", "currency": "SLE"})
	moved := createTransfer(t, r.URL, "moved", mainAccount, payroll, 30000)
	short := createTransfer(t, r.URL, "short", payroll, mainAccount, 999999)
	var transfers struct{ Result []transferView }
	call(t, http.MethodGet, r.URL+"/_fake/transfers", nil, &transfers)
	require.Len(t, transfers.Result, 2)
	assert.Equal(t, short.Id, transfers.Result[0].Id, "newest first")
	assert.Equal(t, "short", transfers.Result[0].IdempotencyKey)
	call(t, http.MethodGet, r.URL+"/_fake/transfers?status=completed", nil, &transfers)
	require.Len(t, transfers.Result, 1)
	assert.Equal(t, moved.Id, transfers.Result[0].Id)

	var ledger struct{ Result []api.LedgerEntry }
	call(t, http.MethodGet, r.URL+"/_fake/ledger?account="+payroll, nil, &ledger)
	require.Len(t, ledger.Result, 1, "the ledger of one account")
	assert.Equal(t, int64(30000), ledger.Result[0].BalanceAfter)
	assert.Equal(t, int64(30000), balance(t, r.URL, payroll))
}

func TestAdminRefusesBadPayoutActionsWithClearErrors(t *testing.T) {
	r := start(t, nil, "-payout-delay", "0")
	fund(t, r.URL, mainAccount, 10000)
	done := createPayout(t, r.URL, "done", 1000, "+23276123456")
	pending := createPayout(t, r.URL, "pending", 1000, "+23276123456")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/payouts/"+done.Id+"/complete", nil, nil))
	for _, tc := range []struct {
		method, path, body string
		status             int
		code, says         string
	}{
		{"GET", "/_fake/payouts?status=paid", "", 400, "validation_error", `status "paid" is not a status of payouts; pass one of pending, processing, completed, failed`},
		{"GET", "/_fake/payouts?limit=0", "", 400, "validation_error", "limit"},
		{"GET", "/_fake/transfers?status=moved", "", 400, "validation_error", `status "moved" is not a status of internal transfers`},
		{"GET", "/_fake/ledger?account=fac-nope", "", 404, "not_found", `no financial account "fac-nope"`},
		{"GET", "/_fake/payouts/pyt-nope", "", 404, "not_found", `no payout "pyt-nope" in space spc-monimetest`},
		{"POST", "/_fake/payouts/pyt-nope/complete", "", 404, "not_found", "GET /_fake/payouts lists"},
		{"POST", "/_fake/payouts/pyt-nope/fail", "", 404, "not_found", "no payout"},
		{"DELETE", "/_fake/payouts/pyt-nope", "", 404, "not_found", "no payout"},
		{"POST", "/_fake/payouts/" + done.Id + "/complete", "", 409, "payout_not_pending", "is completed, and only a pending payout"},
		{"POST", "/_fake/payouts/" + done.Id + "/fail", `{"code":"unknown"}`, 409, "payout_not_pending", "make a new payout instead"},
		{"DELETE", "/_fake/payouts/" + done.Id, "", 409, "payout_not_pending", "is completed"},
		{"POST", "/_fake/payouts/" + pending.Id + "/fail", `{"code":"declined"}`, 400, "validation_error", `code "declined" is not one of Monime's payout failure codes; pass one of unknown, fund_insufficient`},
		{"POST", "/_fake/payouts/" + pending.Id + "/fail", `{"reason":"x"}`, 400, "validation_error", "unknown field"},
		{"POST", "/_fake/payouts/" + pending.Id + "/refund", "", 404, "not_found", "completed or failed (POST .../complete or .../fail), or deleted (DELETE"},
		{"POST", "/_fake/payouts/" + pending.Id + "/delete", "", 404, "not_found", "DELETE /_fake/payouts/{id}"},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		req, _ := http.NewRequest(tc.method, r.URL+tc.path, body)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var e adminError
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.says) || strings.Contains(e.Error.Message, "api.") {
			t.Errorf("%s %s %s: %d %+v (%v), want %d %s saying %q", tc.method, tc.path, tc.body, resp.StatusCode, e.Error, err, tc.status, tc.code, tc.says)
		}
	}
	var got struct{ Result payoutView }
	call(t, http.MethodGet, r.URL+"/_fake/payouts/"+pending.Id, nil, &got)
	assert.Equal(t, "pending", string(got.Result.Status), "the refused actions changed nothing")
	assert.Equal(t, int64(10000-2000), balance(t, r.URL, mainAccount))
}

// With -payout-delay a payout completes on its own, and its webhook is
// sent, with no request to notice; a test destination fails instead.
func TestPayoutsCompleteOnTheirOwnAfterTheDelay(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-payout-delay", "300ms", "-webhook-secret", secret, "-webhook-url", hook.URL, "-webhook-events", "payout.completed,payout.failed")
	fund(t, r.URL, mainAccount, 10000)
	p := createPayout(t, r.URL, "soon", 4000, "+23276123456")
	q := createPayout(t, r.URL, "blocked", 1000, "+23276000005")
	require.Equal(t, "pending", string(p.Status))
	eventually(t, "payout.completed and payout.failed without a request", func() bool { return len(hook.names()) == 2 })
	names := hook.names()
	slices.Sort(names)
	assert.Equal(t, []string{"payout.completed", "payout.failed"}, names)
	var got struct{ Result payoutView }
	call(t, http.MethodGet, r.URL+"/_fake/payouts/"+q.Id, nil, &got)
	assert.Equal(t, "provider_account_blocked", string(got.Result.FailureDetail.Code), "the test destination ending in 5")
	assert.Equal(t, int64(6000), balance(t, r.URL, mainAccount))
}

// A payout that -payout-delay completed survives SIGKILL: the restarted
// fake shows it completed, and the money gone.
func TestAPayoutCompletedByTheDelaySurvivesAKill(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "monime-fake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "state.db")
	hook := newHookReceiver(t, "test-secret-0123456789abcdefghijklmnop") // startBinary's secret
	first, url := startBinary(t, bin, "-data", data, "-payout-delay", "500ms", "-webhook-url", hook.URL, "-webhook-events", "payout.completed")
	fund(t, url, mainAccount, 10000)
	p := createPayout(t, url, "salary", 4000, "+23276123456")
	eventually(t, "payout.completed", func() bool { return len(hook.names()) == 1 })
	// Every answer comes after what changed before it is on disk, the
	// sweep's changes included (the sweep also writes them itself, at
	// once): once the admin API shows the payout completed, a kill cannot
	// lose it. Waiting on the answer, not on a clock, keeps the test
	// deterministic however slow the disk's fsync.
	var shown struct{ Result payoutView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url+"/_fake/payouts/"+p.Id, nil, &shown))
	require.Equal(t, "completed", string(shown.Result.Status))
	require.NoError(t, first.Process.Kill())
	_ = first.Wait()

	// -payout-delay 0: what the restart shows is what was written, not a
	// pending payout the restarted fake completes again.
	_, url = startBinary(t, bin, "-data", data, "-payout-delay", "0")
	var got struct{ Result payoutView }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url+"/_fake/payouts/"+p.Id, nil, &got))
	assert.Equal(t, "completed", string(got.Result.Status), fmt.Sprintf("payout %s after SIGKILL and a restart", p.Id))
	assert.Equal(t, int64(6000), balance(t, url, mainAccount))
}
