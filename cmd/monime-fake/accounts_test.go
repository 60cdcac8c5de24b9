package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monimekit/monime-go/api"
)

// createAccount creates a financial account through the Monime API and
// returns its id.
func createAccount(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	var out struct {
		Result struct{ ID string }
	}
	headers := append(append([]string{}, apiHeaders...), "Idempotency-Key", "acc-"+body["name"].(string))
	if code := call(t, http.MethodPost, base+"/v1/financial-accounts", body, &out, headers...); code != http.StatusOK || out.Result.ID == "" {
		t.Fatalf("create account answered %d with id %q", code, out.Result.ID)
	}
	return out.Result.ID
}

// The accounts page shows every kind of row: the main accounts (SLE from
// the start, USD opened by a payment), accounts made through the API with
// and without a reference and description, zero and non-zero balances;
// and a ledger that is empty, then holds a payment's credit, a fee's debit
// and a funding.
func TestAccountsPageShowsAccountsBalancesAndTheLedger(t *testing.T) {
	r := start(t, nil, "-fee", "processing_fee:100:0")
	main := api.MainAccountID(api.DefaultSpaceID)
	code, body := getPage(t, r.URL+"/accounts")
	if code != http.StatusOK || !strings.Contains(body, main) || !strings.Contains(body, "SLE 0.00") || !strings.Contains(body, "No money has moved yet") {
		t.Fatalf("a new fake's accounts page (%d) lacks the main account, its zero balance or the empty ledger:\n%s", code, body)
	}

	payroll := createAccount(t, r.URL, map[string]any{"name": "Payroll", "currency": "SLE", "reference": "payroll", "description": "salaries"})
	bare := createAccount(t, r.URL, map[string]any{"name": "Bare", "currency": "USD"})
	var out struct{ Result struct{ ID string } }
	session := map[string]any{"name": "Mixed", "lineItems": []any{
		map[string]any{"name": "Tee", "price": map[string]any{"currency": "SLE", "value": 10000}},
		map[string]any{"name": "Cap", "price": map[string]any{"currency": "USD", "value": 500}},
	}}
	if code := call(t, http.MethodPost, r.URL+"/v1/checkout-sessions", session, &out, append(append([]string{}, apiHeaders...), "Idempotency-Key", "mixed")...); code != http.StatusOK {
		t.Fatalf("create session answered %d", code)
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/sessions/"+out.Result.ID+"/complete", nil, nil); code != http.StatusOK {
		t.Fatalf("complete answered %d", code)
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/accounts/"+payroll+"/fund", map[string]any{"currency": "SLE", "value": 2500}, nil); code != http.StatusOK {
		t.Fatalf("fund answered %d", code)
	}

	code, body = getPage(t, r.URL+"/accounts")
	if code != http.StatusOK {
		t.Fatalf("the accounts page answered %d", code)
	}
	for _, want := range []string{
		`id="main-` + main + `"`, `id="main-` + main + `-usd"`, // both main accounts, marked
		"Main USD account", "USD 4.95", // the USD payment less 1%
		"SLE 99.00",                                 // the SLE payment less 1%
		payroll, "payroll", "salaries", "SLE 25.00", // an account of the API, funded
		bare, "USD 0.00", // one without reference or description, empty
		`data-type="credit"`, `data-type="debit"`, "fee processing_fee of payment pay-", "funding",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the accounts page lacks %q", want)
		}
	}
	if strings.Contains(body, "No money has moved yet") {
		t.Error("the accounts page says the ledger is empty")
	}

	var accounts struct{ Result []accountView }
	call(t, http.MethodGet, r.URL+"/_fake/accounts", nil, &accounts)
	if len(accounts.Result) != 4 || accounts.Result[0].Id != main+"-usd" {
		t.Fatalf("the admin API lists %d accounts: %+v", len(accounts.Result), accounts.Result)
	}
	for _, acc := range accounts.Result {
		if acc.Balance == nil {
			t.Errorf("account %s is listed without its balance", acc.Id)
		}
	}
	var ledger struct{ Result []api.LedgerEntry }
	call(t, http.MethodGet, r.URL+"/_fake/ledger", nil, &ledger)
	if len(ledger.Result) != 5 { // two credits, two fees, one funding
		t.Errorf("the ledger holds %d entries, want 5: %+v", len(ledger.Result), ledger.Result)
	}
	var refused struct {
		Error struct{ Code, Message string }
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/accounts/"+payroll+"/fund", map[string]any{"currency": "USD", "value": 1}, &refused); code != http.StatusBadRequest || !strings.Contains(refused.Error.Message, "fund it in SLE") {
		t.Errorf("funding in the wrong currency answered %d: %+v", code, refused)
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/accounts/fac-nope/fund", map[string]any{"currency": "SLE", "value": 1}, nil); code != http.StatusNotFound {
		t.Errorf("funding an unknown account answered %d, want 404", code)
	}
}

func TestAccountsAndTheLedgerSurviveARestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	first := start(t, nil, "-data", data)
	payroll := createAccount(t, first.URL, map[string]any{"name": "Payroll", "currency": "SLE", "reference": "payroll"})
	call(t, http.MethodPost, first.URL+"/_fake/accounts/"+payroll+"/fund", map[string]any{"currency": "SLE", "value": 1234}, nil)
	if code := first.Stop(t); code != exitOK {
		t.Fatalf("stop: status %d", code)
	}

	second := start(t, nil, "-data", data)
	var accounts struct{ Result []accountView }
	call(t, http.MethodGet, second.URL+"/_fake/accounts", nil, &accounts)
	if len(accounts.Result) != 2 || accounts.Result[0].Id != payroll || accounts.Result[0].Balance.Available.Value != 1234 {
		t.Fatalf("accounts after the restart: %+v", accounts.Result)
	}
	var ledger struct{ Result []api.LedgerEntry }
	call(t, http.MethodGet, second.URL+"/_fake/ledger", nil, &ledger)
	if len(ledger.Result) != 1 || ledger.Result[0].BalanceAfter != 1234 {
		t.Errorf("the ledger after the restart: %+v", ledger.Result)
	}
}
