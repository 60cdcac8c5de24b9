package monime

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/internal/contract"
)

// wirePayout is a payout as Monime sends it.
func wirePayout(id, status string) map[string]any {
	return map[string]any{
		"id": id, "status": status, "amount": map[string]any{"currency": "SLE", "value": 30000},
		"source":        map[string]any{"financialAccountId": "fac-main01", "transactionReference": "ftr-Pq81"},
		"destination":   map[string]any{"type": "momo", "providerId": "m17", "phoneNumber": "+23276123456", "transactionReference": nil},
		"fees":          []any{map[string]any{"code": "payout_fee", "amount": map[string]any{"currency": "SLE", "value": 300}}},
		"failureDetail": nil, "createTime": "2025-11-01T09:00:00Z", "updateTime": "2025-11-01T09:00:04Z",
		"metadata": map[string]any{"batch": "nov"},
	}
}

// seenRequest is what a test handler saw of one request.
type seenRequest struct {
	method, path, query, key, space, version string
	body                                     map[string]any
}

// recordingHandler records the last request into *last, checks no header
// is sent twice, and answers with answer(r).
func recordingHandler(t *testing.T, last *seenRequest, answer func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"Authorization", "Monime-Space-Id", "Monime-Version", "Idempotency-Key"} {
			assert.LessOrEqual(t, len(r.Header.Values(h)), 1, "%s %s sends %s more than once", r.Method, r.URL.Path, h)
		}
		b, _ := io.ReadAll(r.Body)
		*last = seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Idempotency-Key"),
			r.Header.Get("Monime-Space-Id"), r.Header.Get("Monime-Version"), nil}
		if len(b) > 0 {
			require.NoError(t, json.Unmarshal(b, &last.body))
		}
		answer(w, r)
	})
}

// writePage answers a list with one page of items, the last.
func writePage(w http.ResponseWriter, items ...any) {
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}, "result": items,
		"pagination": map[string]any{"count": len(items), "next": nil}})
}

func TestPayoutsOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/payouts":
			writePage(w, wirePayout("pyt-1", "completed"))
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}})
		default:
			writeResult(w, wirePayout("pyt-1", "pending"))
		}
	}))
	ctx := context.Background()

	p, err := c.Payouts.Create(ctx, &PayoutCreateParams{
		Amount:      Money{Currency: "SLE", Value: 30000},
		Source:      &PayoutSource{FinancialAccountID: "fac-main01", TransactionReference: "ftr-old"},
		Destination: PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456", TransactionReference: "MP-old"},
		Metadata:    Metadata{"batch": "nov"},
	}, WithIdempotencyKey("salary-nov-17"))
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"POST", "/v1/payouts", "", "salary-nov-17", testSpace, APIVersion, map[string]any{
		"amount":      map[string]any{"currency": "SLE", "value": float64(30000)},
		"source":      map[string]any{"financialAccountId": "fac-main01"},
		"destination": map[string]any{"type": "momo", "providerId": "m17", "phoneNumber": "+23276123456"},
		"metadata":    map[string]any{"batch": "nov"}}}, last, "read-only references are not sent")
	assert.Equal(t, &Payout{ID: "pyt-1", Status: PayoutPending, Amount: Money{Currency: "SLE", Value: 30000},
		Source:      &PayoutSource{FinancialAccountID: "fac-main01", TransactionReference: "ftr-Pq81"},
		Destination: PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"},
		Fees:        Fees{{Code: "payout_fee", Amount: Money{Currency: "SLE", Value: 300}}},
		CreateTime:  time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC), UpdateTime: time.Date(2025, 11, 1, 9, 0, 4, 0, time.UTC),
		Metadata: Metadata{"batch": "nov"}}, p)

	for _, tc := range []struct {
		dest PayoutDestination
		want map[string]any
	}{
		{PayoutDestination{Type: "bank", ProviderID: "slb004", AccountNumber: "0012345"},
			map[string]any{"type": "bank", "providerId": "slb004", "accountNumber": "0012345"}},
		{PayoutDestination{Type: "wallet", ProviderID: "dw001", WalletID: "w-9"},
			map[string]any{"type": "wallet", "providerId": "dw001", "walletId": "w-9"}},
		{PayoutDestination{Type: "wallet", ProviderID: "dw001"},
			map[string]any{"type": "wallet", "providerId": "dw001"}},
	} {
		_, err = c.Payouts.Create(ctx, &PayoutCreateParams{Amount: Money{Currency: "USD", Value: 1}, Destination: tc.dest})
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"amount": map[string]any{"currency": "USD", "value": float64(1)}, "destination": tc.want}, last.body,
			"a nil Source and Metadata are left out")
		assert.Regexp(t, uuidV4, last.key, "a create without a key of yours gets one")
	}

	_, err = c.Payouts.Get(ctx, "pyt-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/payouts/pyt-1", "", "", testSpace, APIVersion, nil}, last)

	page, err := c.Payouts.List(ctx, &PayoutListParams{Status: "completed", SourceFinancialAccountID: "fac-main01",
		SourceTransactionReference: "ftr-Pq81", DestinationTransactionReference: "MP251101.0900.B7", Limit: 50, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "status=completed&sourceFinancialAccountId=fac-main01&sourceTransactionReference=ftr-Pq81&destinationTransactionReference=MP251101.0900.B7&limit=50&after=c1", last.query)
	require.Len(t, page.Items, 1)
	assert.Equal(t, PayoutCompleted, page.Items[0].Status)
	_, err = c.Payouts.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, last.query, "nil params filter nothing")

	_, err = c.Payouts.Update(ctx, "pyt-1", &PayoutUpdateParams{Metadata: Metadata{"ledger": "2025-11"}})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"PATCH", "/v1/payouts/pyt-1", "", "", testSpace, APIVersion,
		map[string]any{"metadata": map[string]any{"ledger": "2025-11"}}}, last)

	require.NoError(t, c.Payouts.Delete(ctx, "pyt-1"))
	assert.Equal(t, seenRequest{"DELETE", "/v1/payouts/pyt-1", "", "", testSpace, APIVersion, nil}, last)

	all := collect(t, c.Payouts.All(ctx, &PayoutListParams{Status: PayoutCompleted}))
	require.Len(t, all, 1)
	assert.Equal(t, "pyt-1", all[0].ID)
	assert.Equal(t, "status=completed", last.query)
}

// A payout is never made twice: whatever happens to the first attempt (a
// 500, a reset connection), the retry carries the same key, and the call
// returns the one payout Monime made.
func TestARetriedPayoutCarriesTheSameKey(t *testing.T) {
	for name, first := range map[string]func(http.ResponseWriter, *http.Request){
		"500": status(500, "internal"), "reset": hangUp,
	} {
		for _, key := range []string{"", "salary-nov-17"} {
			t.Run(name+" key "+key, func(t *testing.T) {
				s := &script{steps: []func(http.ResponseWriter, *http.Request){first,
					func(w http.ResponseWriter, r *http.Request) { writeResult(w, wirePayout("pyt-1", "pending")) }}}
				c, _ := newTestClient(t, s)
				var opts []CallOption
				if key != "" {
					opts = append(opts, WithIdempotencyKey(key))
				}
				var info ResponseInfo
				p, err := c.Payouts.Create(context.Background(), &PayoutCreateParams{Amount: Money{Currency: "SLE", Value: 30000},
					Destination: PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"}},
					append(opts, WithResponseInfo(&info))...)
				require.NoError(t, err)
				assert.Equal(t, "pyt-1", p.ID)
				require.Len(t, s.keys, 2)
				assert.NotEmpty(t, s.keys[0])
				assert.Equal(t, s.keys[0], s.keys[1], "one key for every attempt")
				if key != "" {
					assert.Equal(t, key, s.keys[0])
				}
				assert.Equal(t, s.bodies[0], s.bodies[1])
				assert.Equal(t, s.keys[0], info.IdempotencyKey)
				assert.Equal(t, 2, info.Attempts)
			})
		}
	}
}

func TestPayoutsRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	momo := PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"}
	sle := Money{Currency: "SLE", Value: 100}
	create := func(p PayoutCreateParams, opts ...CallOption) func() error {
		return func() error { _, err := c.Payouts.Create(ctx, &p, opts...); return err }
	}
	refusedBeforeSending(t, map[string]badCall{
		"create without params":  {func() error { _, err := c.Payouts.Create(ctx, nil); return err }, "params"},
		"a zero amount":          {create(PayoutCreateParams{Amount: Money{Currency: "SLE"}, Destination: momo}), "amount.value"},
		"a negative amount":      {create(PayoutCreateParams{Amount: Money{Currency: "SLE", Value: -5}, Destination: momo}), "amount.value"},
		"no currency":            {create(PayoutCreateParams{Amount: Money{Value: 5}, Destination: momo}), "amount.currency"},
		"EUR":                    {create(PayoutCreateParams{Amount: Money{Currency: "EUR", Value: 5}, Destination: momo}), "amount.currency"},
		"USD before its release": {create(PayoutCreateParams{Amount: Money{Currency: "USD", Value: 5}, Destination: momo}, WithAPIVersion(APIVersion20250620)), "amount.currency"},
		"a source without an account": {create(PayoutCreateParams{Amount: sle, Destination: momo, Source: &PayoutSource{}}),
			"source.financialAccountId"},
		"a source that is not an account": {create(PayoutCreateParams{Amount: sle, Destination: momo, Source: &PayoutSource{FinancialAccountID: "pyt-1"}}),
			"source.financialAccountId"},
		"no destination":        {create(PayoutCreateParams{Amount: sle}), "destination.type"},
		"a card destination":    {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "card", ProviderID: "visa"}}), "destination.type"},
		"a bank as momo":        {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "momo", ProviderID: "slb001", PhoneNumber: "1"}}), "destination.providerId"},
		"no provider":           {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "wallet"}}), "destination.providerId"},
		"a bank without number": {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "bank", ProviderID: "slb001"}}), "destination.accountNumber"},
		"momo without a phone":  {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "momo", ProviderID: "m18"}}), "destination.phoneNumber"},
		"momo with a bank account": {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "momo", ProviderID: "m18",
			PhoneNumber: "1", AccountNumber: "2"}}), "destination.accountNumber"},
		"a bank with a wallet": {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "bank", ProviderID: "slb007",
			AccountNumber: "1", WalletID: "w"}}), "destination.walletId"},
		"a wallet with a phone": {create(PayoutCreateParams{Amount: sle, Destination: PayoutDestination{Type: "wallet", ProviderID: "dw001",
			PhoneNumber: "1"}}), "destination.phoneNumber"},
		"a reserved metadata key": {create(PayoutCreateParams{Amount: sle, Destination: momo, Metadata: Metadata{"monime_x": "1"}}), "metadata.monime_x"},
		"get without an id":       {func() error { _, err := c.Payouts.Get(ctx, ""); return err }, "id"},
		"get another's id":        {func() error { _, err := c.Payouts.Get(ctx, "trn-1"); return err }, "id"},
		"list a made-up status": {func() error {
			_, err := c.Payouts.List(ctx, &PayoutListParams{Status: "paid"})
			return err
		}, "status"},
		"list by a non-account": {func() error {
			_, err := c.Payouts.List(ctx, &PayoutListParams{SourceFinancialAccountID: "main"})
			return err
		}, "sourceFinancialAccountId"},
		"list a page too big": {func() error { _, err := c.Payouts.List(ctx, &PayoutListParams{Limit: 51}); return err }, "limit"},
		"update nothing":      {func() error { _, err := c.Payouts.Update(ctx, "pyt-1", nil); return err }, "metadata"},
		"update bad metadata": {func() error {
			_, err := c.Payouts.Update(ctx, "pyt-1", &PayoutUpdateParams{Metadata: Metadata{"k": strings.Repeat("v", 101)}})
			return err
		}, "metadata.k"},
		"update another's id": {func() error {
			_, err := c.Payouts.Update(ctx, "fac-1", &PayoutUpdateParams{Metadata: Metadata{}})
			return err
		}, "id"},
		"delete a dot segment": {func() error { return c.Payouts.Delete(ctx, "..") }, "id"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&PayoutCreateParams{Amount: Money{Currency: "USD", Value: 1},
		Destination: PayoutDestination{Type: "wallet", ProviderID: "dw001"}}).Validate(), "a wallet's id is optional")
	assert.NoError(t, (&PayoutListParams{}).Validate())
}

// An amount, a fee, the id and the status are read whole or not at all; a
// new status or failure code, or any other odd field, is not an error.
func TestPayoutsReadAmountsStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*Payout, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.Payouts.Get(context.Background(), "pyt-1")
	}
	for _, bad := range []string{
		`{"id":"pyt-1","status":"pending","amount":{"currency":"SLE"}}`,
		`{"id":"pyt-1","status":"pending","amount":{"currency":"SLE","value":"300"}}`,
		`{"id":"pyt-1","status":"pending","amount":null}`,
		`{"id":"pyt-1","status":"pending","amount":{"currency":"SLE","value":3},"fees":[{"code":"f","amount":{"value":1}}]}`,
		`{"id":"pyt-1","status":"pending","amount":{"currency":"SLE","value":3},"fees":{"code":"f"}}`,
		`{"id":"pyt-1","status":7,"amount":{"currency":"SLE","value":3}}`,
		`{"status":"pending","amount":{"currency":"SLE","value":3}}`,
		`{"id":"pyt-1","amount":{"currency":"SLE","value":3}}`,
	} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	p, err := get(`{"id":"pyt-1","status":"reversed","amount":{"currency":"SLE","value":3},"fees":null,
		"failureDetail":{"code":"provider_on_fire","message":"new"},"source":"main","destination":{"type":"card","providerId":7},
		"createTime":"yesterday","metadata":{"n":1},"futureField":[1]}`)
	require.NoError(t, err)
	assert.Equal(t, PayoutStatus("reversed"), p.Status)
	assert.False(t, p.Status.IsFinal(), "an unknown status is not final")
	assert.Equal(t, &FailureDetail{Code: "provider_on_fire", Message: "new"}, p.FailureDetail)
	assert.Nil(t, p.Source, "an odd source is left out")
	assert.Equal(t, PayoutDestination{Type: "card"}, p.Destination)
	assert.Empty(t, p.Fees)
	assert.True(t, p.CreateTime.IsZero())
	assert.Equal(t, Metadata{"n": "1"}, p.Metadata)
}

func TestPayoutStatusIsFinal(t *testing.T) {
	for s, final := range map[PayoutStatus]bool{PayoutPending: false, PayoutProcessing: false, PayoutCompleted: true, PayoutFailed: true} {
		assert.Equal(t, final, s.IsFinal(), s)
	}
}

// What a payout marshals to reads back the same: a payout stored as JSON,
// or a webhook's data.
func TestPayoutJSONRoundTrip(t *testing.T) {
	p := Payout{ID: "pyt-1", Status: PayoutFailed, Amount: Money{Currency: "SLE", Value: 30000},
		Source:        &PayoutSource{FinancialAccountID: "fac-1", TransactionReference: "ftr-1"},
		Destination:   PayoutDestination{Type: "bank", ProviderID: "slb001", AccountNumber: "001", TransactionReference: "B1"},
		Fees:          Fees{{Code: "payout_fee", Amount: Money{Currency: "SLE", Value: 300}}},
		FailureDetail: &FailureDetail{Code: PayoutFailureProviderAccountMissing, Message: "no such account"},
		CreateTime:    time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC), Metadata: Metadata{"batch": "nov"}}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var back Payout
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, p, back)
	assert.Error(t, json.Unmarshal([]byte(`{"id":"pyt-1","status":"pending"}`), &back), "no amount")
}

// The statuses, failure codes and destinations the client knows are the
// spec's.
func TestPayoutVocabularyMatchesTheSpec(t *testing.T) {
	doc, err := contract.Spec()
	require.NoError(t, err)
	schemas := doc.T.Components.Schemas
	enum := func(s *openapi3.Schema) []any { return s.Enum }
	assert.ElementsMatch(t, []any{"pending", "processing", "completed", "failed"}, enum(schemas["PayoutStatus"].Value))
	for _, s := range []PayoutStatus{PayoutPending, PayoutProcessing, PayoutCompleted, PayoutFailed} {
		assert.Contains(t, enum(schemas["PayoutStatus"].Value), string(s))
	}
	assert.ElementsMatch(t, []any{PayoutFailureUnknown, PayoutFailureFundInsufficient, PayoutFailureAuthorizationFailed,
		PayoutFailureProviderUnknown, PayoutFailureProviderAccountBlocked, PayoutFailureProviderAccountMissing,
		PayoutFailureProviderAccountQuotaExhausted}, enum(schemas["PayoutFailureCode"].Value))
	for _, f := range destinationFields {
		schema := map[string]string{"bank": "BankDestination", "momo": "MomoDestination", "wallet": "WalletDestination"}[f.of]
		props := schemas[schema].Value.Properties
		assert.ElementsMatch(t, []any{f.of}, props["type"].Value.Enum)
		var want []any
		for _, id := range validProviders[f.of] {
			want = append(want, id)
		}
		assert.ElementsMatch(t, want, props["providerId"].Value.Enum, f.of)
		assert.Contains(t, props, f.name, schema)
		assert.Equal(t, f.of != PayoutDestinationWallet, contains(schemas[schema].Value.Required, f.name), "%s.%s required", schema, f.name)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
