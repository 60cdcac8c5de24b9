package monime

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wirePayment is a valid Payment as Monime sends it, paid by mobile money.
func wirePayment(id string) map[string]any {
	return map[string]any{
		"id":     id,
		"status": "completed",
		"amount": map[string]any{"currency": "SLE", "value": 30000},
		"channel": map[string]any{"type": "momo", "provider": "m17", "reference": "MP1", "phoneNumber": "+23276***456",
			"fingerprint": "fp-1"},
		"name":                          nil,
		"reference":                     nil,
		"orderNumber":                   "ord-1",
		"financialAccountId":            "fac-main01",
		"financialTransactionReference": "ftr-1",
		"fees":                          []any{map[string]any{"code": "processing_fee", "amount": map[string]any{"currency": "SLE", "value": 300}}},
		"createTime":                    "2025-09-01T12:05:00Z",
		"updateTime":                    "2025-09-01T12:05:02Z",
		"ownershipGraph":                map[string]any{"owner": map[string]any{"id": "scs-1", "type": "checkout_session"}},
		"metadata":                      map[string]any{"ledger": "2025-09"},
	}
}

func TestPaymentsGetReadsEveryField(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeResult(w, wirePayment("pay-1"))
	}))
	p, err := c.Payments.Get(context.Background(), "pay-1")
	require.NoError(t, err)
	assert.Equal(t, "/v1/payments/pay-1", rec.last().URL.Path)
	assert.Equal(t, "pay-1", p.ID)
	assert.Equal(t, PaymentStatusCompleted, p.Status)
	assert.True(t, p.Status.IsFinal())
	assert.False(t, PaymentStatusProcessing.IsFinal())
	assert.Equal(t, Money{Currency: CurrencySLE, Value: 30000}, p.Amount)
	assert.Equal(t, PaymentChannel{Type: PaymentChannelMomo, Momo: &MomoChannel{Provider: "m17", Reference: "MP1", PhoneNumber: "+23276***456", Fingerprint: "fp-1"}}, p.Channel)
	assert.Equal(t, Fees{{Code: "processing_fee", Amount: Money{Currency: CurrencySLE, Value: 300}}}, p.Fees)
	total, err := p.Fees.Total()
	require.NoError(t, err)
	assert.Equal(t, "SLE 3.00", total.String())
	net, err := p.Net()
	require.NoError(t, err)
	assert.Equal(t, Money{Currency: CurrencySLE, Value: 29700}, net)
	assert.Equal(t, "ord-1", p.OrderNumber)
	assert.Equal(t, "fac-main01", p.FinancialAccountID)
	assert.Equal(t, "ftr-1", p.FinancialTransactionReference)
	assert.Equal(t, time.Date(2025, 9, 1, 12, 5, 0, 0, time.UTC), p.CreateTime)
	assert.Equal(t, time.Date(2025, 9, 1, 12, 5, 2, 0, time.UTC), p.UpdateTime)
	assert.Equal(t, "scs-1", p.OwnershipGraph.Owner.ID)
	assert.Equal(t, Metadata{"ledger": "2025-09"}, p.Metadata)

	// The same payment survives a JSON round trip in Monime's wire form.
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"channel":{"fingerprint":"fp-1","phoneNumber":"+23276***456","provider":"m17","reference":"MP1","type":"momo"}`)
	var again Payment
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, *p, again)
}

func TestEveryChannelKindIsTyped(t *testing.T) {
	cases := map[string]PaymentChannel{
		`{"type":"bank","provider":"slb001","reference":"B1","accountNumber":"****1234","fingerprint":"f"}`: {Type: PaymentChannelBank,
			Bank: &BankChannel{Provider: "slb001", Reference: "B1", AccountNumber: "****1234", Fingerprint: "f"}},
		`{"type":"card","scheme":"visa","last4":"4242","fingerprint":"f"}`: {Type: PaymentChannelCard,
			Card: &CardChannel{Scheme: "visa", Last4: "4242", Fingerprint: "f"}},
		`{"type":"momo","provider":"m18","reference":"M1","phoneNumber":"+232***","fingerprint":"f"}`: {Type: PaymentChannelMomo,
			Momo: &MomoChannel{Provider: "m18", Reference: "M1", PhoneNumber: "+232***", Fingerprint: "f"}},
		`{"type":"wallet","provider":"dw001","reference":"W1","walletId":"w***9","fingerprint":"f","metadata":{"a":"b"}}`: {Type: PaymentChannelWallet,
			Wallet: &WalletChannel{Provider: "dw001", Reference: "W1", WalletID: "w***9", Fingerprint: "f", Metadata: Metadata{"a": "b"}}},
		`{"type":"crypto","network":"x"}`: {Type: "crypto"}, // a kind Monime adds later: known by name only
		`{"type":"momo","provider":7}`:    {Type: PaymentChannelMomo, Momo: &MomoChannel{}},
	}
	for channel, want := range cases {
		var p Payment
		require.NoError(t, json.Unmarshal([]byte(`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":1},"channel":`+channel+`}`), &p), channel)
		assert.Equal(t, want, p.Channel, channel)
	}
}

// Amounts, ids and statuses are never guessed; other fields are read
// tolerantly.
func TestPaymentReadsNeverGuessAnAmountOrStatus(t *testing.T) {
	valid := `"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":100}`
	for _, data := range []string{
		`{"status":"completed","amount":{"currency":"SLE","value":100}}`,
		`{"id":"pay-1","amount":{"currency":"SLE","value":100}}`,
		`{"id":"pay-1","status":7,"amount":{"currency":"SLE","value":100}}`,
		`{"id":"pay-1","status":"completed"}`,
		`{"id":"pay-1","status":"completed","amount":null}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE"}}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":"100"}}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":" 100 "}}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":"0x1.9p6"}}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":100.5}}`,
		`{"id":"pay-1","status":"completed","amount":{"value":100}}`,
		`{` + valid + `,"fees":[{"code":"f","amount":{"currency":"SLE","value":"3"}}]}`,
		`{` + valid + `,"fees":[{"code":"f"}]}`,
		`{` + valid + `,"fees":{"code":"f"}}`,
		`{` + valid + `,"orderNumber":104211}`,
	} {
		assert.Error(t, json.Unmarshal([]byte(data), new(Payment)), data)
	}
	var p Payment
	require.NoError(t, json.Unmarshal([]byte(`{`+valid+`,"name":5,"createTime":"soon","fees":null,"metadata":[1],"processingMode":"new"}`), &p))
	assert.Empty(t, p.Name)
	assert.True(t, p.CreateTime.IsZero())
	assert.Empty(t, p.Fees)
	assert.Equal(t, PaymentStatus("completed"), p.Status)
	require.NoError(t, json.Unmarshal([]byte(`{`+valid+`,"channel":{"type":5}}`), &p))
	assert.Equal(t, PaymentChannel{}, p.Channel, "an unreadable channel is left zero: how, not how much")
	total, err := p.Fees.Total()
	require.NoError(t, err)
	assert.Equal(t, Money{}, total)

	require.NoError(t, json.Unmarshal([]byte(`{"id":"pay-1","status":"refunded","amount":{"currency":"XOF","value":5}}`), &p))
	assert.Equal(t, PaymentStatus("refunded"), p.Status, "a new status is kept")
	assert.False(t, p.Status.IsFinal())
}

func TestFeesTotalRefusesWhatItCannotAdd(t *testing.T) {
	_, err := Fees{{Amount: Money{"SLE", 1}}, {Amount: Money{"USD", 1}}}.Total()
	assert.Error(t, err, "two currencies")
	_, err = Fees{{Amount: Money{"SLE", 1 << 62}}, {Amount: Money{"SLE", 1 << 62}}}.Total()
	assert.Error(t, err, "overflow")
	p := Payment{ID: "pay-1", Amount: Money{"SLE", 100}, Fees: Fees{{Amount: Money{"USD", 1}}}}
	_, err = p.Net()
	assert.Error(t, err, "fees in another currency")
}

func TestPaymentsListSendsItsFiltersAndAllFollowsCursors(t *testing.T) {
	var queries []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		next, id := any("c2"), "pay-1"
		if r.URL.Query().Get("after") == "c2" {
			next, id = nil, "pay-2"
		}
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wirePayment(id)},
			"pagination": map[string]any{"count": 1, "next": next}})
	}))
	params := &PaymentListParams{OrderNumber: "ord-1", FinancialAccountID: "fac-main01", FinancialTransactionReference: "ftr-1", Limit: 5}
	page, err := c.Payments.List(context.Background(), params)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, 1, page.Count)
	assert.Equal(t, "c2", page.Next)
	q, err := url.ParseQuery(queries[0])
	require.NoError(t, err)
	assert.Equal(t, url.Values{"orderNumber": {"ord-1"}, "financialAccountId": {"fac-main01"}, "financialTransactionReference": {"ftr-1"}, "limit": {"5"}}, q)

	var ids []string
	for p, err := range c.Payments.All(context.Background(), &PaymentListParams{OrderNumber: "ord-1"}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"pay-1", "pay-2"}, ids)
	q, err = url.ParseQuery(queries[2])
	require.NoError(t, err)
	assert.Equal(t, url.Values{"orderNumber": {"ord-1"}, "after": {"c2"}}, q)

	_, err = c.Payments.List(context.Background(), &PaymentListParams{Limit: 51})
	require.ErrorAs(t, err, new(*ValidationError))
	assert.Len(t, queries, 3, "nothing sent")
}

func TestForCheckoutSessionFindsItsPayments(t *testing.T) {
	var orderNumbers []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orderNumbers = append(orderNumbers, r.URL.Query().Get("orderNumber"))
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wirePayment("pay-1")},
			"pagination": map[string]any{"count": 1, "next": nil}})
	}))
	paid := &CheckoutSession{ID: "scs-1", Status: CheckoutSessionStatusCompleted, OrderNumber: "ord-1"}
	payments, err := c.Payments.ForCheckoutSession(context.Background(), paid)
	require.NoError(t, err)
	require.Len(t, payments, 1)
	assert.Equal(t, "pay-1", payments[0].ID)
	assert.Equal(t, []string{"ord-1"}, orderNumbers)

	_, err = c.Payments.ForCheckoutSession(context.Background(), &CheckoutSession{ID: "scs-2", Status: CheckoutSessionStatusPending})
	require.ErrorContains(t, err, "no order number")
	_, err = c.Payments.ForCheckoutSession(context.Background(), nil)
	require.Error(t, err)
	assert.Len(t, orderNumbers, 1)
}

func TestPaymentsUpdateSendsOnlyWhatChanges(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) {
		p := wirePayment("pay-1")
		p["name"] = "Order #1042"
		writeResult(w, p)
	}))
	p, err := c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "Order #1042"})
	require.NoError(t, err)
	assert.Equal(t, "Order #1042", p.Name)
	req := rec.last()
	assert.Equal(t, http.MethodPatch, req.Method)
	assert.Equal(t, "/v1/payments/pay-1", req.URL.Path)
	assert.Empty(t, req.Header.Get("Idempotency-Key"), "Monime takes no key on an update")
	assert.JSONEq(t, `{"name":"Order #1042"}`, string(rec.body[0]))

	_, err = c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Metadata: Metadata{"ledger": "2025-09"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"metadata":{"ledger":"2025-09"}}`, string(rec.body[1]))

	for name, params := range map[string]*PaymentUpdateParams{
		"nothing":       {},
		"nil":           nil,
		"long name":     {Name: strings.Repeat("é", 101)},
		"long metadata": {Metadata: Metadata{"k": strings.Repeat("v", 101)}},
	} {
		_, err := c.Payments.Update(context.Background(), "pay-1", params)
		require.ErrorAs(t, err, new(*ValidationError), name)
	}
	_, err = c.Payments.Update(context.Background(), "..", &PaymentUpdateParams{Name: "x"})
	require.ErrorAs(t, err, new(*ValidationError))
	assert.Len(t, rec.body, 2, "nothing invalid was sent")
}

// An update carries no Idempotency-Key, so it is retried only when the
// failure shows it did nothing: a 429 or 503 answer, or a connection never
// made. After a 500 or a lost answer it is sent once.
func TestAnUpdateIsRetriedOnlyWhenItSurelyDidNothing(t *testing.T) {
	for _, tc := range []struct {
		first    func(http.ResponseWriter, *http.Request)
		attempts int
	}{
		{status(503, "unavailable"), 2},
		{status(429, "too_many_requests"), 2},
		{status(500, "internal"), 1},
		{status(502, "bad_gateway"), 1},
		{hangUp, 1},
	} {
		s := &script{steps: []func(http.ResponseWriter, *http.Request){tc.first, func(w http.ResponseWriter, r *http.Request) {
			writeResult(w, wirePayment("pay-1"))
		}}}
		c, tr := newTestClient(t, s)
		tr.HostileResponses = true
		var info ResponseInfo
		_, _ = c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "x"}, WithResponseInfo(&info))
		assert.Equal(t, tc.attempts, s.count(), "attempts after %v", info.StatusCode)
	}

	// A connection refused never reached Monime: retried.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	var dials atomic.Int32
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return dialer.DialContext(ctx, network, a)
	}}}
	c, err := NewClient(testToken, testSpace, WithBaseURL("http://"+addr), WithHTTPClient(hc),
		WithMaxRetries(2), WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "x"})
	require.ErrorAs(t, err, new(*RequestError))
	assert.Equal(t, int32(3), dials.Load())
}

// Only a create sends an Idempotency-Key, so no other call takes one; and a
// failed update says it may have been applied.
func TestAKeyOnlyWhereOneIsSent(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) { writeResult(w, wirePayment("pay-1")) }))
	var info ResponseInfo
	info.Attempts = 7 // left from an earlier call
	_, err := c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "x"}, WithIdempotencyKey("order-1"), WithResponseInfo(&info))
	require.ErrorContains(t, err, "only a create sends an Idempotency-Key")
	assert.Equal(t, ResponseInfo{}, info, "a call refused before sending leaves nothing of an earlier one")
	_, err = c.Payments.Get(context.Background(), "pay-1", WithIdempotencyKey("order-1"))
	require.Error(t, err)
	_, err = c.CheckoutSessions.List(context.Background(), nil, WithIdempotencyKey("order-1"))
	require.Error(t, err)
	assert.Empty(t, rec.reqs, "nothing was sent")

	cut := &script{steps: []func(http.ResponseWriter, *http.Request){hangUp}}
	c, tr := newTestClient(t, cut)
	tr.HostileResponses = true
	_, err = c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "x"})
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Empty(t, reqErr.IdempotencyKey)
	assert.Contains(t, err.Error(), "may have been applied: read it again before sending the update again")
}
