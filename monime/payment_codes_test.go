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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wirePaymentCode is a payment code as Monime sends it.
func wirePaymentCode(id, status string) map[string]any {
	return map[string]any{
		"id": id, "mode": "one_time", "status": status, "name": "Term 1 fees",
		"amount": map[string]any{"currency": "SLE", "value": 75000}, "enable": true,
		"expireTime": "2025-11-03T10:30:00Z", "customer": map[string]any{"name": "Musa Kamara"},
		"ussdCode": "*715*1*482916#", "reference": "inv-88", "authorizedProviders": []any{"m17"},
		"authorizedPhoneNumber": "+23276555000", "recurrentPaymentTarget": nil, "financialAccountId": "fac-main01",
		"processedPaymentData": nil, "createTime": "2025-11-03T10:00:00Z", "updateTime": nil,
		"metadata": map[string]any{"term": "1"},
	}
}

func TestPaymentCodesOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/payment-codes":
			writePage(w, wirePaymentCode("pmc-1", "completed"))
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}})
		default:
			writeResult(w, wirePaymentCode("pmc-1", "pending"))
		}
	}))
	ctx := context.Background()
	on := true

	pc, err := c.PaymentCodes.Create(ctx, &PaymentCodeCreateParams{Name: "Term 1 fees", Mode: "one_time",
		Amount: Money{Currency: "SLE", Value: 75000}, Duration: 30 * time.Minute, Enable: &on, CustomerName: "Musa Kamara",
		AuthorizedPhoneNumber: "+23276555000", AuthorizedProviders: []string{"m17"}, FinancialAccountID: "fac-main01",
		Reference: "inv-88", Metadata: Metadata{"term": "1"}}, WithIdempotencyKey("fees-88"))
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"POST", "/v1/payment-codes", "", "fees-88", testSpace, APIVersion, map[string]any{
		"name": "Term 1 fees", "mode": "one_time", "amount": map[string]any{"currency": "SLE", "value": float64(75000)},
		"duration": "30m", "enable": true, "customer": map[string]any{"name": "Musa Kamara"},
		"authorizedPhoneNumber": "+23276555000", "authorizedProviders": []any{"m17"}, "financialAccountId": "fac-main01",
		"reference": "inv-88", "metadata": map[string]any{"term": "1"}}}, last)
	assert.Equal(t, &PaymentCode{ID: "pmc-1", Mode: PaymentCodeOneTime, Status: PaymentCodePending, Name: "Term 1 fees",
		Amount: &Money{Currency: "SLE", Value: 75000}, Enable: true, ExpireTime: time.Date(2025, 11, 3, 10, 30, 0, 0, time.UTC),
		CustomerName: "Musa Kamara", USSDCode: "*715*1*482916#", Reference: "inv-88", AuthorizedProviders: []string{"m17"},
		AuthorizedPhoneNumber: "+23276555000", FinancialAccountID: "fac-main01",
		CreateTime: time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC), Metadata: Metadata{"term": "1"}}, pc)

	_, err = c.PaymentCodes.Create(ctx, &PaymentCodeCreateParams{Name: "Market stall", Mode: PaymentCodeRecurrent,
		Duration: 90*time.Minute + 30*time.Second, RecurrentPaymentTarget: &RecurrentPaymentTarget{ExpectedPaymentCount: 3,
			ExpectedPaymentTotal: &Money{Currency: "SLE", Value: 90000}}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "Market stall", "mode": "recurrent", "duration": "1h30m30s",
		"recurrentPaymentTarget": map[string]any{"expectedPaymentCount": float64(3),
			"expectedPaymentTotal": map[string]any{"currency": "SLE", "value": float64(90000)}}}, last.body,
		"a zero amount, a nil Enable and empty fields are left out")
	assert.Regexp(t, uuidV4, last.key, "a create without a key of yours gets one")

	_, err = c.PaymentCodes.Get(ctx, "pmc-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/payment-codes/pmc-1", "", "", testSpace, APIVersion, nil}, last)

	page, err := c.PaymentCodes.List(ctx, &PaymentCodeListParams{USSDCode: "*715*1*482916#", Mode: PaymentCodeOneTime,
		Status: PaymentCodeCompleted, Limit: 5, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "ussd_code=%2A715%2A1%2A482916%23&mode=one_time&status=completed&limit=5&after=c1", last.query)
	require.Len(t, page.Items, 1)
	assert.Equal(t, PaymentCodeCompleted, page.Items[0].Status)
	_, err = c.PaymentCodes.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, last.query, "nil params filter nothing")

	off := false
	_, err = c.PaymentCodes.Update(ctx, "pmc-1", &PaymentCodeUpdateParams{Enable: &off})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"PATCH", "/v1/payment-codes/pmc-1", "", "", testSpace, APIVersion,
		map[string]any{"enable": false}}, last, "a false Enable is sent")
	_, err = c.PaymentCodes.Update(ctx, "pmc-1", &PaymentCodeUpdateParams{Name: "Term 2 fees", Amount: &Money{Currency: "SLE", Value: 80000},
		Duration: 2 * time.Hour, CustomerName: "Fatmata", Reference: "inv-89", AuthorizedProviders: []string{"m17", "m18"},
		AuthorizedPhoneNumber: "+23276555001", RecurrentPaymentTarget: &RecurrentPaymentTarget{ExpectedPaymentCount: 2},
		FinancialAccountID: "fac-2", Metadata: Metadata{}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "Term 2 fees", "amount": map[string]any{"currency": "SLE", "value": float64(80000)},
		"duration": "2h", "customer": map[string]any{"name": "Fatmata"}, "reference": "inv-89",
		"authorizedProviders": []any{"m17", "m18"}, "authorizedPhoneNumber": "+23276555001",
		"recurrentPaymentTarget": map[string]any{"expectedPaymentCount": float64(2)}, "financialAccountId": "fac-2",
		"metadata": map[string]any{}}, last.body)
	assert.Empty(t, last.key, "an update carries no key")

	require.NoError(t, c.PaymentCodes.Delete(ctx, "pmc-1"))
	assert.Equal(t, seenRequest{"DELETE", "/v1/payment-codes/pmc-1", "", "", testSpace, APIVersion, nil}, last)

	all := collect(t, c.PaymentCodes.All(ctx, &PaymentCodeListParams{Mode: PaymentCodeRecurrent}))
	require.Len(t, all, 1)
	assert.Equal(t, "pmc-1", all[0].ID)
	assert.Equal(t, "mode=recurrent", last.query)
}

func TestDurationsAreSentCompact(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s",
		5 * time.Second: "5s", time.Hour: "1h", 10*time.Hour + 5*time.Second: "10h0m5s", 48 * time.Hour: "48h",
		1500 * time.Millisecond: "1.5s", 500 * time.Millisecond: "500ms"} {
		got := wireDuration(d)
		require.NotNil(t, got)
		assert.Equal(t, want, *got)
		back, err := time.ParseDuration(*got)
		require.NoError(t, err)
		assert.Equal(t, d, back, "Go reads it back the same")
	}
	assert.Nil(t, wireDuration(0), "zero leaves Monime's default")
}

func TestPaymentCodesRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	create := func(p PaymentCodeCreateParams, opts ...CallOption) func() error {
		if p.Name == "" {
			p.Name = "Term 1 fees"
		}
		return func() error { _, err := c.PaymentCodes.Create(ctx, &p, opts...); return err }
	}
	update := func(p *PaymentCodeUpdateParams) func() error {
		return func() error { _, err := c.PaymentCodes.Update(ctx, "pmc-1", p); return err }
	}
	sle := Money{Currency: "SLE", Value: 100}
	refusedBeforeSending(t, map[string]badCall{
		"create without params":      {func() error { _, err := c.PaymentCodes.Create(ctx, nil); return err }, "params"},
		"no name":                    {func() error { _, err := c.PaymentCodes.Create(ctx, &PaymentCodeCreateParams{}); return err }, "name"},
		"a name too short":           {create(PaymentCodeCreateParams{Name: "ab"}), "name"},
		"a name too long":            {create(PaymentCodeCreateParams{Name: strings.Repeat("n", 65)}), "name"},
		"a made-up mode":             {create(PaymentCodeCreateParams{Mode: "twice"}), "mode"},
		"an amount without currency": {create(PaymentCodeCreateParams{Amount: Money{Value: 5}}), "amount.currency"},
		"a negative amount":          {create(PaymentCodeCreateParams{Amount: Money{Currency: "SLE", Value: -5}}), "amount.value"},
		"USD before its release": {create(PaymentCodeCreateParams{Amount: Money{Currency: "USD", Value: 5}},
			WithAPIVersion(APIVersion20250620)), "amount.currency"},
		"a negative duration":       {create(PaymentCodeCreateParams{Duration: -time.Minute}), "duration"},
		"a customer name too long":  {create(PaymentCodeCreateParams{CustomerName: strings.Repeat("c", 101)}), "customer.name"},
		"a reference too long":      {create(PaymentCodeCreateParams{Reference: strings.Repeat("r", 65)}), "reference"},
		"no providers, not nil":     {create(PaymentCodeCreateParams{AuthorizedProviders: []string{}}), "authorizedProviders"},
		"a bank as provider":        {create(PaymentCodeCreateParams{AuthorizedProviders: []string{"slb001"}}), "authorizedProviders[0]"},
		"a provider twice":          {create(PaymentCodeCreateParams{AuthorizedProviders: []string{"m17", "m17"}}), "authorizedProviders[1]"},
		"eleven providers":          {create(PaymentCodeCreateParams{AuthorizedProviders: make([]string, 11)}), "authorizedProviders"},
		"a negative target count":   {create(PaymentCodeCreateParams{RecurrentPaymentTarget: &RecurrentPaymentTarget{ExpectedPaymentCount: -1}}), "recurrentPaymentTarget.expectedPaymentCount"},
		"a target total of nothing": {create(PaymentCodeCreateParams{RecurrentPaymentTarget: &RecurrentPaymentTarget{ExpectedPaymentTotal: &Money{Value: 5}}}), "recurrentPaymentTarget.expectedPaymentTotal.currency"},
		"a payout as the account":   {create(PaymentCodeCreateParams{FinancialAccountID: "pyt-1"}), "financialAccountId"},
		"an account id too long":    {create(PaymentCodeCreateParams{FinancialAccountID: "fac-" + strings.Repeat("1", 61)}), "financialAccountId"},
		"a reserved metadata key":   {create(PaymentCodeCreateParams{Metadata: Metadata{"monime_x": "1"}}), "metadata.monime_x"},
		"get without an id":         {func() error { _, err := c.PaymentCodes.Get(ctx, ""); return err }, "id"},
		"get another's id":          {func() error { _, err := c.PaymentCodes.Get(ctx, "pyt-1"); return err }, "id"},
		"list a made-up status": {func() error {
			_, err := c.PaymentCodes.List(ctx, &PaymentCodeListParams{Status: "paid"})
			return err
		}, "status"},
		"list a made-up mode": {func() error {
			_, err := c.PaymentCodes.List(ctx, &PaymentCodeListParams{Mode: "often"})
			return err
		}, "mode"},
		"list a page too big":     {func() error { _, err := c.PaymentCodes.List(ctx, &PaymentCodeListParams{Limit: 51}); return err }, "limit"},
		"update nothing":          {update(nil), "params"},
		"update with nothing set": {update(&PaymentCodeUpdateParams{}), "params"},
		"update a short name":     {update(&PaymentCodeUpdateParams{Name: "x"}), "name"},
		"update a zero amount":    {update(&PaymentCodeUpdateParams{Amount: &Money{Currency: "SLE"}}), "amount.value"},
		"update a bad duration":   {update(&PaymentCodeUpdateParams{Duration: -time.Second}), "duration"},
		"update a bad provider":   {update(&PaymentCodeUpdateParams{AuthorizedProviders: []string{"dw001"}}), "authorizedProviders[0]"},
		"update another's id": {func() error {
			_, err := c.PaymentCodes.Update(ctx, "whk-1", &PaymentCodeUpdateParams{Amount: &sle})
			return err
		}, "id"},
		"delete a dot segment": {func() error { return c.PaymentCodes.Delete(ctx, "..") }, "id"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&PaymentCodeCreateParams{Name: "abc"}).Validate(), "only the name is required")
	assert.NoError(t, (&PaymentCodeListParams{}).Validate())
	assert.NoError(t, (&PaymentCodeUpdateParams{Metadata: Metadata{}}).Validate(), "an empty metadata clears it")
}

// The id, status and every amount are read whole or not at all; a new
// status or mode, or any other odd field, is not an error.
func TestPaymentCodesReadAmountsStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*PaymentCode, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.PaymentCodes.Get(context.Background(), "pmc-1")
	}
	for _, bad := range []string{
		`{"status":"pending"}`,
		`{"id":"pmc-1"}`,
		`{"id":"pmc-1","status":3}`,
		`{"id":"pmc-1","status":"pending","amount":{"currency":"SLE"}}`,
		`{"id":"pmc-1","status":"pending","amount":{"currency":"SLE","value":"5"}}`,
		`{"id":"pmc-1","status":"pending","recurrentPaymentTarget":{"expectedPaymentTotal":{"value":5}}}`,
		`{"id":"pmc-1","status":"completed","processedPaymentData":{"paymentId":"pay-1"}}`,
		`{"id":"pmc-1","status":"completed","processedPaymentData":{"amount":{"currency":"SLE","value":1.5}}}`,
	} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	for _, odd := range []string{`{}`, `null`, `"x"`, `[1]`} {
		p, err := get(`{"id":"pmc-1","status":"pending","processedPaymentData":` + odd + `,"recurrentPaymentTarget":"x"}`)
		require.NoError(t, err, "processedPaymentData %s carries nothing to act on; an odd target reads as none", odd)
		assert.Nil(t, p.ProcessedPaymentData, odd)
		assert.Nil(t, p.RecurrentPaymentTarget, odd)
	}
	p, err := get(`{"id":"pmc-1","status":"paused","mode":"weekly","amount":null,"enable":"yes","customer":"Musa",
		"authorizedProviders":["m17","m99"],"recurrentPaymentTarget":{"expectedPaymentCount":"3"},
		"expireTime":"soon","metadata":{"n":1},"futureField":[1]}`)
	require.NoError(t, err)
	assert.Equal(t, &PaymentCode{ID: "pmc-1", Status: "paused", Mode: "weekly", AuthorizedProviders: []string{"m17", "m99"},
		RecurrentPaymentTarget: &RecurrentPaymentTarget{}, Metadata: Metadata{"n": "1"}}, p)
	assert.False(t, p.Status.IsFinal(), "an unknown status is not final")
}

func TestPaymentCodeStatusIsFinal(t *testing.T) {
	for s, final := range map[PaymentCodeStatus]bool{PaymentCodePending: false, PaymentCodeProcessing: false,
		PaymentCodeCompleted: true, PaymentCodeExpired: true, PaymentCodeCancelled: true} {
		assert.Equal(t, final, s.IsFinal(), s)
	}
}

// What a payment code marshals to reads back the same: a code stored as
// JSON, or a webhook's data.
func TestPaymentCodeJSONRoundTrip(t *testing.T) {
	p := PaymentCode{ID: "pmc-1", Mode: PaymentCodeRecurrent, Status: PaymentCodeProcessing, Name: "Stall",
		Amount: &Money{Currency: "SLE", Value: 500}, Enable: true, CustomerName: "Musa", USSDCode: "*715*1*1#",
		AuthorizedProviders: []string{"m18"}, RecurrentPaymentTarget: &RecurrentPaymentTarget{ExpectedPaymentCount: 4,
			ExpectedPaymentTotal: &Money{Currency: "SLE", Value: 2000}},
		ProcessedPaymentData: &ProcessedPaymentData{Amount: Money{Currency: "SLE", Value: 500}, OrderID: "ord-1",
			OrderNumber: "104211", PaymentID: "pay-1", ProviderID: "m18", AccountID: "+23277000000", ChannelReference: "AM1",
			FinancialTransactionReference: "ftr-1", Metadata: Metadata{"k": "v"}},
		FinancialAccountID: "fac-1", CreateTime: time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC), Metadata: Metadata{"term": "1"}}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"customer":{"name":"Musa"}`)
	assert.Contains(t, string(b), `"channelData":{"providerId":"m18","accountId":"+23277000000","reference":"AM1"}`)
	var back PaymentCode
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, p, back)
	assert.Error(t, json.Unmarshal([]byte(`{"id":"pmc-1"}`), &back), "no status")
}
