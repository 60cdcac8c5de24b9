package monime

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireAccount is a financial account as Monime sends it.
func wireAccount(id string, balance any) map[string]any {
	return map[string]any{
		"id": id, "uvan": "0760123456", "name": "Payroll", "currency": "SLE",
		"reference": "payroll", "description": nil, "balance": balance,
		"createTime": "2025-09-01T12:00:00Z", "updateTime": nil, "metadata": map[string]any{"team": "ops"},
	}
}

// Each operation sends what Monime's document asks for: the method, path,
// query and body, the space and version headers, and a key on the create
// only; every request is checked against spec/ and upstream on the way.
func TestFinancialAccountsOnTheWire(t *testing.T) {
	type seen struct {
		method, path, query, key, space, version string
		body                                     map[string]any
	}
	var last seen
	var repeated []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"Authorization", "Monime-Space-Id", "Monime-Version", "Idempotency-Key"} {
			if len(r.Header.Values(h)) > 1 {
				repeated = append(repeated, r.Method+" "+h)
			}
		}
		b, _ := io.ReadAll(r.Body)
		last = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Idempotency-Key"),
			r.Header.Get("Monime-Space-Id"), r.Header.Get("Monime-Version"), nil}
		if len(b) > 0 {
			require.NoError(t, json.Unmarshal(b, &last.body))
		}
		if r.Method == http.MethodGet && r.URL.Path == "/v1/financial-accounts" {
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{},
				"result":     []any{wireAccount("fac-1", map[string]any{"available": map[string]any{"currency": "SLE", "value": 150000}})},
				"pagination": map[string]any{"count": 1, "next": nil}})
			return
		}
		writeResult(w, wireAccount("fac-1", nil))
	}))
	ctx := context.Background()

	a, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE",
		Reference: "payroll", Description: "salaries", Metadata: Metadata{"team": "ops"}}, WithIdempotencyKey("acct-1"))
	require.NoError(t, err)
	assert.Equal(t, seen{"POST", "/v1/financial-accounts", "", "acct-1", testSpace, APIVersion, map[string]any{
		"name": "Payroll", "currency": "SLE", "reference": "payroll", "description": "salaries", "metadata": map[string]any{"team": "ops"}}}, last)
	assert.Equal(t, &FinancialAccount{ID: "fac-1", UVAN: "0760123456", Name: "Payroll", Currency: CurrencySLE, Reference: "payroll",
		CreateTime: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC), Metadata: Metadata{"team": "ops"}}, a)

	_, err = c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "Float", Currency: "USD"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "Float", "currency": "USD"}, last.body, "unset options are left out")
	assert.NotEmpty(t, last.key, "a create without a key of yours gets one")

	_, err = c.FinancialAccounts.Get(ctx, "fac-1", &FinancialAccountGetParams{WithBalance: true})
	require.NoError(t, err)
	assert.Equal(t, seen{"GET", "/v1/financial-accounts/fac-1", "withBalance=true", "", testSpace, APIVersion, nil}, last)
	_, err = c.FinancialAccounts.Get(ctx, "fac-1", nil)
	require.NoError(t, err)
	assert.Empty(t, last.query, "nil params ask for nothing more")

	page, err := c.FinancialAccounts.List(ctx, &FinancialAccountListParams{UVAN: "0760123456", Reference: "payroll", WithBalance: true, Limit: 10, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "uvan=0760123456&reference=payroll&withBalance=true&limit=10&after=c1", last.query)
	require.Len(t, page.Items, 1)
	assert.Equal(t, &Money{Currency: CurrencySLE, Value: 150000}, page.Items[0].Balance)
	assert.Equal(t, 1, page.Count)

	_, err = c.FinancialAccounts.Update(ctx, "fac-1", &FinancialAccountUpdateParams{Name: "Payroll 2026", Metadata: Metadata{}})
	require.NoError(t, err)
	assert.Equal(t, seen{"PATCH", "/v1/financial-accounts/fac-1", "", "", testSpace, APIVersion,
		map[string]any{"name": "Payroll 2026", "metadata": map[string]any{}}}, last, "an empty, non-nil Metadata clears it")

	all := collect(t, c.FinancialAccounts.All(ctx, nil))
	require.Len(t, all, 1)
	assert.Equal(t, "fac-1", all[0].ID)
	assert.Empty(t, repeated, "each header is sent once")
}

// Bad params never leave the client, and each error names the field.
func TestFinancialAccountsRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	refusedBeforeSending(t, map[string]badCall{
		"create without params": {func() error { _, err := c.FinancialAccounts.Create(ctx, nil); return err }, "params"},
		"create without a name": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Currency: "SLE"})
			return err
		}, "name"},
		"create in EUR": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "x", Currency: "EUR"})
			return err
		}, "currency"},
		"create without a currency": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "x"})
			return err
		}, "currency"},
		"USD on the release before it": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "x", Currency: "USD"}, WithAPIVersion(APIVersion20250620))
			return err
		}, "currency"},
		"a reference too long": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "x", Currency: "SLE", Reference: string(make([]byte, 65))})
			return err
		}, "reference"},
		"a reserved metadata key": {func() error {
			_, err := c.FinancialAccounts.Create(ctx, &FinancialAccountCreateParams{Name: "x", Currency: "SLE", Metadata: Metadata{"monime_x": "1"}})
			return err
		}, "metadata.monime_x"},
		"get without an id": {func() error { _, err := c.FinancialAccounts.Get(ctx, "", nil); return err }, "id"},
		"get another's id":  {func() error { _, err := c.FinancialAccounts.Get(ctx, "scs-1", nil); return err }, "id"},
		"get a dot segment": {func() error { _, err := c.FinancialAccounts.Get(ctx, "..", nil); return err }, "id"},
		"list a long uvan": {func() error {
			_, err := c.FinancialAccounts.List(ctx, &FinancialAccountListParams{UVAN: "01234567890123456"})
			return err
		}, "uvan"},
		"list a page too big": {func() error {
			_, err := c.FinancialAccounts.List(ctx, &FinancialAccountListParams{Limit: 51})
			return err
		}, "limit"},
		"update nothing": {func() error { _, err := c.FinancialAccounts.Update(ctx, "fac-1", nil); return err }, "params"},
		"update to a long name": {func() error {
			_, err := c.FinancialAccounts.Update(ctx, "fac-1", &FinancialAccountUpdateParams{Name: string(make([]byte, 101))})
			return err
		}, "name"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&FinancialAccountCreateParams{Name: "Payroll", Currency: "USD"}).Validate())
}

// A balance is money: read whole or not at all. Any other odd field is
// left zero; the account is still read.
func TestFinancialAccountsReadBalancesStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*FinancialAccount, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.FinancialAccounts.Get(context.Background(), "fac-1", &FinancialAccountGetParams{WithBalance: true})
	}
	for _, bad := range []string{
		`{"id":"fac-1","balance":{"available":{"currency":"SLE"}}}`,
		`{"id":"fac-1","balance":{"available":{"currency":"SLE","value":"100"}}}`,
		`{"id":"fac-1","balance":{"available":null}}`,
		`{"id":"fac-1","balance":{}}`,
		`{"id":"fac-1","balance":7}`,
		`{"name":"x"}`,
	} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	a, err := get(`{"id":"fac-1","name":{"odd":1},"currency":"SLE","balance":null,"createTime":"yesterday","metadata":{"n":1}}`)
	require.NoError(t, err)
	assert.Nil(t, a.Balance, "null: not asked for")
	assert.Empty(t, a.Name)
	assert.True(t, a.CreateTime.IsZero())
	assert.Equal(t, Metadata{"n": "1"}, a.Metadata)
	a, err = get(`{"id":"fac-1","balance":{"available":{"currency":"SLE","value":0}},"futureField":[1]}`)
	require.NoError(t, err)
	assert.Equal(t, &Money{Currency: CurrencySLE, Value: 0}, a.Balance)
}

// An account stored as JSON reads back as it was, its balance in
// Monime's shape; a balance in another shape is an error, never zero.
func TestFinancialAccountJSONRoundTrip(t *testing.T) {
	a := FinancialAccount{ID: "fac-1", UVAN: "0760123456", Name: "Payroll", Currency: CurrencySLE,
		Balance: &Money{Currency: CurrencySLE, Value: 150000}, CreateTime: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"balance":{"available":{"currency":"SLE","value":150000}}`)
	var back FinancialAccount
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)

	a.Balance = nil
	b, err = json.Marshal(a)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "balance")
	assert.Error(t, json.Unmarshal([]byte(`{"id":"fac-1","balance":{"currency":"SLE","value":5}}`), &back))
	assert.Error(t, json.Unmarshal([]byte(`{"name":"no id"}`), &back))
}
