package webhook

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/monimekit/monime-go/monime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConstructEventDecodesCheckoutSession(t *testing.T) {
	ev, err := ConstructEvent([]byte(testBody), testHeader, testSecret, at(testTime))
	require.NoError(t, err)

	assert.Equal(t, "evt-KfT3x9", ev.ID)
	assert.Equal(t, EventCheckoutSessionCompleted, ev.Name)
	assert.Equal(t, time.Date(2025, 8, 24, 1, 46, 40, 0, time.UTC), ev.Timestamp.UTC())
	assert.Equal(t, "caph.2025-08-23", ev.APIVersion)
	assert.Equal(t, Object{ID: "scs-Zq81mB", Type: ObjectTypeCheckoutSession}, ev.Object)
	assert.True(t, ev.IsCheckoutSession())

	s, err := ev.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, "scs-Zq81mB", s.ID)
	assert.Equal(t, monime.CheckoutSessionStatusCompleted, s.Status)
	assert.Equal(t, "ord-5521", s.OrderNumber)
	assert.Equal(t, "1042", s.Reference)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, monime.Money{Currency: monime.CurrencySLE, Value: 15000}, s.LineItems[0].Price)
	assert.Equal(t, 2, s.LineItems[0].Quantity)
	totals, err := s.Totals()
	require.NoError(t, err)
	assert.Equal(t, map[monime.Currency]int64{monime.CurrencySLE: 30000}, totals)
	assert.Equal(t, monime.Metadata{"cart": "c_77"}, s.Metadata)
	assert.Equal(t, time.Date(2025, 8, 24, 2, 46, 40, 0, time.UTC), s.ExpireTime.UTC())
}

func TestEventDecodingIsTolerant(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event
	}{
		{
			name: "unknown fields ignored, unknown event name kept",
			body: `{"apiVersion":"caph.2025-08-23","future":1,"event":{"id":"evt-1","name":"payment.created","timestamp":"2025-08-24T01:46:40.123Z","x":[]},"object":{"id":"pay-1","type":"payment","y":{}},"data":{"id":"pay-1"}}`,
			want: Event{ID: "evt-1", Name: "payment.created", Timestamp: time.Date(2025, 8, 24, 1, 46, 40, 123e6, time.UTC),
				APIVersion: "caph.2025-08-23", Object: Object{ID: "pay-1", Type: "payment"}, Data: json.RawMessage(`{"id":"pay-1"}`)},
		},
		{
			name: "timestamp as unix seconds",
			body: `{"event":{"id":"evt-2","name":"checkout_session.expired","timestamp":1756000000}}`,
			want: Event{ID: "evt-2", Name: EventCheckoutSessionExpired, Timestamp: time.Unix(1756000000, 0).UTC(), Data: json.RawMessage("null")},
		},
		{
			name: "timestamp as fractional unix seconds",
			body: `{"event":{"id":"evt-3","timestamp":1756000000.5}}`,
			want: Event{ID: "evt-3", Timestamp: time.Unix(1756000000, 5e8).UTC(), Data: json.RawMessage("null")},
		},
		{
			name: "timestamp with offset",
			body: `{"event":{"id":"evt-4","timestamp":"2025-08-24T02:46:40+01:00"}}`,
			want: Event{ID: "evt-4", Timestamp: time.Date(2025, 8, 24, 1, 46, 40, 0, time.UTC), Data: json.RawMessage("null")},
		},
		{
			name: "unreadable timestamps leave it zero",
			body: `{"event":{"id":"evt-5","timestamp":"yesterday"}}`,
			want: Event{ID: "evt-5", Data: json.RawMessage("null")},
		},
		{
			name: "timestamp of another type",
			body: `{"event":{"id":"evt-6","timestamp":{"seconds":1}}}`,
			want: Event{ID: "evt-6", Data: json.RawMessage("null")},
		},
		{
			name: "null timestamp and explicit null data",
			body: `{"event":{"id":"evt-7","timestamp":null},"data":null}`,
			want: Event{ID: "evt-7", Data: json.RawMessage("null")},
		},
		{
			name: "everything missing",
			body: `{}`,
			want: Event{Data: json.RawMessage("null")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ConstructEvent([]byte(tt.body), SignatureHeader([]byte(tt.body), testSecret, testTime), testSecret, at(testTime))
			require.NoError(t, err)
			assert.True(t, tt.want.Timestamp.Equal(ev.Timestamp), "timestamp %v, want %v", ev.Timestamp, tt.want.Timestamp)
			ev.Timestamp, tt.want.Timestamp = time.Time{}, time.Time{}
			assert.Equal(t, tt.want, *ev)
		})
	}
}

func TestConstructEventRejectsGenuineNonEvents(t *testing.T) {
	for _, body := range []string{``, `null`, `[]`, `"event"`, `42`, `{"event":`, `{"event":"evt-1"}`, `{"object":[]}`, "\xff"} {
		ev, err := ConstructEvent([]byte(body), SignatureHeader([]byte(body), testSecret, testTime), testSecret, at(testTime))
		assert.Nil(t, ev, body)
		assert.ErrorIs(t, err, ErrInvalidPayload, body)
	}
}

func TestEventCheckoutSessionErrors(t *testing.T) {
	t.Run("not a checkout session", func(t *testing.T) {
		ev := &Event{ID: "evt-1", Name: "payment.completed", Object: Object{ID: "pay-1", Type: "payment"}, Data: json.RawMessage(`{"id":"pay-1"}`)}
		assert.False(t, ev.IsCheckoutSession())
		s, err := ev.CheckoutSession()
		assert.Nil(t, s)
		assert.ErrorIs(t, err, ErrNotCheckoutSession)
		assert.Contains(t, err.Error(), "payment.completed")
	})
	t.Run("recognised by name alone or by object type alone", func(t *testing.T) {
		byName := &Event{Name: EventCheckoutSessionCancelled, Data: json.RawMessage(`{"id":"scs-1","status":"cancelled"}`)}
		s, err := byName.CheckoutSession()
		require.NoError(t, err)
		assert.Equal(t, monime.CheckoutSessionStatusCancelled, s.Status)

		byType := &Event{Name: "checkout_session.something_new", Object: Object{Type: ObjectTypeCheckoutSession}, Data: json.RawMessage(`{"id":"scs-2","status":"pending"}`)}
		s, err = byType.CheckoutSession()
		require.NoError(t, err)
		assert.Equal(t, "scs-2", s.ID)
	})
	for name, data := range map[string]string{
		"no data":     ``,
		"null data":   `null`,
		"array data":  `[{"id":"scs-1"}]`,
		"string data": `"scs-1"`,
		"truncated":   `{"id":"scs-1"`,
		"no id":       `{"status":"completed"}`,
		"no status":   `{"id":"scs-1"}`,
		"null status": `{"id":"scs-1","status":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			ev := &Event{ID: "evt-9", Name: EventCheckoutSessionCompleted, Data: json.RawMessage(data)}
			s, err := ev.CheckoutSession()
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalidPayload)
			assert.Contains(t, err.Error(), "evt-9")
		})
	}
}

// A genuine payment notification with one odd field still decodes: the
// odd field is left zero (failing would make Monime redeliver forever).
func TestEventCheckoutSessionIsTolerant(t *testing.T) {
	ev := &Event{ID: "evt-9", Name: EventCheckoutSessionCompleted,
		Data: json.RawMessage(`{"id":"scs-1","status":"completed","orderNumber":"ord-1","expireTime":"tomorrow","name":7,"lineItems":{"data":[{"name":"T","price":{"currency":"SLE","value":15000},"quantity":2,"images":"one"}]},"metadata":[1]}`)}
	s, err := ev.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, "scs-1", s.ID)
	assert.Equal(t, "ord-1", s.OrderNumber)
	assert.Empty(t, s.Name, "left zero, not guessed")
	_, known := s.ExpiresAt()
	assert.False(t, known)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, 2, s.LineItems[0].Quantity)
	assert.Equal(t, int64(15000), s.LineItems[0].Price.Value)
	assert.Nil(t, s.LineItems[0].Images)
	assert.Nil(t, s.Metadata)

	// An amount or a quantity is never guessed: one that is text, a
	// fraction, null or missing fails the event; only an absent quantity
	// has a value, Monime's default of 1.
	for _, item := range []string{
		`{"name":"T","price":{"currency":"SLE","value":"15000"},"quantity":1}`,
		`{"name":"T","price":{"currency":"SLE","value":150.5},"quantity":1}`,
		`{"name":"T","price":{"currency":"SLE","value":null},"quantity":1}`,
		`{"name":"T","price":{"currency":"SLE"},"quantity":1}`,
		`{"name":"T","price":{"currency":"SLE","value":15000},"quantity":2.0}`,
		`{"name":"T","price":{"currency":"SLE","value":15000},"quantity":null}`,
	} {
		ev.Data = json.RawMessage(`{"id":"scs-1","status":"completed","lineItems":{"data":[` + item + `]}}`)
		_, err = ev.CheckoutSession()
		require.ErrorIs(t, err, ErrInvalidPayload, item)
	}
	ev.Data = json.RawMessage(`{"id":"scs-1","status":"completed","lineItems":{"data":[{"name":"T","price":{"currency":"SLE","value":15000}}]}}`)
	s, err = ev.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, 1, s.LineItems[0].Quantity)
}

func TestEventJSONRoundTrip(t *testing.T) {
	ev, err := ConstructEvent([]byte(testBody), testHeader, testSecret, at(testTime))
	require.NoError(t, err)

	b, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.JSONEq(t, testBody, string(b))

	var back Event
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *ev, back)

	// A zero event still marshals to the documented shape.
	b, err = json.Marshal(Event{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"event":{"id":"","name":""},"object":{"id":"","type":""},"data":null}`, string(b))
}

func TestEventPayment(t *testing.T) {
	data := `{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":30000},` +
		`"channel":{"type":"momo","provider":"m17","reference":"MP1"},"orderNumber":"ord-1","fees":[]}`
	for _, ev := range []*Event{
		{ID: "evt-1", Name: EventPaymentCompleted, Object: Object{ID: "pay-1", Type: ObjectTypePayment}, Data: json.RawMessage(data)},
		{ID: "evt-2", Name: EventPaymentCreated, Data: json.RawMessage(data)},
		{ID: "evt-3", Name: "payment.something_new", Object: Object{Type: ObjectTypePayment}, Data: json.RawMessage(data)},
	} {
		require.True(t, ev.IsPayment())
		assert.False(t, ev.IsCheckoutSession())
		p, err := ev.Payment()
		require.NoError(t, err, ev.Name)
		assert.Equal(t, "pay-1", p.ID)
		assert.Equal(t, monime.Money{Currency: "SLE", Value: 30000}, p.Amount)
		assert.Equal(t, monime.PaymentChannelMomo, p.Channel.Type)
		assert.Equal(t, "m17", p.Channel.Momo.Provider)
		assert.Equal(t, "ord-1", p.OrderNumber)
		_, err = ev.CheckoutSession()
		assert.ErrorIs(t, err, ErrNotCheckoutSession)
	}

	session := &Event{ID: "evt-4", Name: EventCheckoutSessionCompleted, Data: json.RawMessage(`{"id":"scs-1","status":"completed"}`)}
	_, err := session.Payment()
	assert.ErrorIs(t, err, ErrNotPayment)

	for _, bad := range []string{``, `null`, `[]`, `{"id":"pay-1","status":"completed"}`,
		`{"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":"30000"}}`} {
		ev := &Event{ID: "evt-5", Name: EventPaymentCompleted, Data: json.RawMessage(bad)}
		_, err := ev.Payment()
		assert.ErrorIs(t, err, ErrInvalidPayload, bad)
		if err != nil {
			assert.Contains(t, err.Error(), "evt-5")
		}
	}
}

// A signed payout.completed delivery reads into the same monime.Payout the
// client returns.
func TestEventPayout(t *testing.T) {
	body := []byte(`{"apiVersion":"caph.2025-08-23","event":{"id":"evt-P1","name":"payout.completed","timestamp":"2025-11-01T09:00:04Z"},` +
		`"object":{"id":"pyt-7Wq2Lm0Xc","type":"payout"},"data":{"id":"pyt-7Wq2Lm0Xc","status":"completed",` +
		`"amount":{"currency":"SLE","value":30000},"source":{"financialAccountId":"fac-main01","transactionReference":"ftr-Pq81"},` +
		`"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456","transactionReference":"MP251101.0900.B7"},` +
		`"fees":[{"code":"payout_fee","amount":{"currency":"SLE","value":300}}],"failureDetail":null,` +
		`"createTime":"2025-11-01T09:00:00Z","updateTime":"2025-11-01T09:00:04Z","metadata":{"batch":"nov"}}}`)
	ev, err := ConstructEvent(body, SignatureHeader(body, testSecret, testTime), testSecret, at(testTime))
	require.NoError(t, err)
	assert.Equal(t, EventPayoutCompleted, ev.Name)
	assert.True(t, ev.IsPayout())
	assert.False(t, ev.IsPayment())
	p, err := ev.Payout()
	require.NoError(t, err)
	assert.Equal(t, &monime.Payout{ID: "pyt-7Wq2Lm0Xc", Status: monime.PayoutCompleted, Amount: monime.Money{Currency: "SLE", Value: 30000},
		Source: &monime.PayoutSource{FinancialAccountID: "fac-main01", TransactionReference: "ftr-Pq81"},
		Destination: monime.PayoutDestination{Type: monime.PayoutDestinationMomo, ProviderID: monime.MomoProviderM17,
			PhoneNumber: "+23276123456", TransactionReference: "MP251101.0900.B7"},
		Fees:       monime.Fees{{Code: "payout_fee", Amount: monime.Money{Currency: "SLE", Value: 300}}},
		CreateTime: time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC), UpdateTime: time.Date(2025, 11, 1, 9, 0, 4, 0, time.UTC),
		Metadata: monime.Metadata{"batch": "nov"}}, p)
	assert.True(t, p.Status.IsFinal())
	_, err = ev.Payment()
	assert.ErrorIs(t, err, ErrNotPayment)

	failed := &Event{ID: "evt-P2", Name: EventPayoutFailed, Data: json.RawMessage(`{"id":"pyt-1","status":"failed",` +
		`"amount":{"currency":"SLE","value":30000},"failureDetail":{"code":"provider_account_missing","message":"no such number"}}`)}
	p, err = failed.Payout()
	require.NoError(t, err)
	assert.Equal(t, &monime.FailureDetail{Code: monime.PayoutFailureProviderAccountMissing, Message: "no such number"}, p.FailureDetail)

	byType := &Event{ID: "evt-P3", Name: "payout.something_new", Object: Object{Type: ObjectTypePayout}, Data: failed.Data}
	_, err = byType.Payout()
	require.NoError(t, err, "a new payout event still reads")

	_, err = (&Event{ID: "evt-P4", Name: EventPaymentCompleted, Data: failed.Data}).Payout()
	assert.ErrorIs(t, err, ErrNotPayout)
	for _, bad := range []string{`null`, `"pyt-1"`, `{"id":"pyt-1","status":"completed"}`,
		`{"id":"pyt-1","status":"completed","amount":{"currency":"SLE","value":"30000"}}`} {
		_, err := (&Event{ID: "evt-P5", Name: EventPayoutCompleted, Data: json.RawMessage(bad)}).Payout()
		assert.ErrorIs(t, err, ErrInvalidPayload, bad)
	}
}

// A signed payment_code.processed delivery reads into the same
// monime.PaymentCode the client returns, with the payment just made.
func TestEventPaymentCode(t *testing.T) {
	body := []byte(`{"apiVersion":"caph.2025-08-23","event":{"id":"evt-C1","name":"payment_code.processed","timestamp":"2025-11-03T10:07:00Z"},` +
		`"object":{"id":"pmc-4Ff8Kd2Lq","type":"payment_code"},"data":{"id":"pmc-4Ff8Kd2Lq","mode":"one_time","status":"completed",` +
		`"name":"Term 1 fees","amount":{"currency":"SLE","value":75000},"enable":true,"expireTime":"2025-11-03T10:30:00Z",` +
		`"customer":{"name":"Musa Kamara"},"ussdCode":"*715*1*482916#","reference":"inv-88","authorizedProviders":["m17"],` +
		`"authorizedPhoneNumber":"+23276555000","recurrentPaymentTarget":null,"financialAccountId":"fac-main01",` +
		`"processedPaymentData":{"amount":{"currency":"SLE","value":75000},"orderId":"ord-9","paymentId":"pay-7Hn2",` +
		`"orderNumber":"104299","channelData":{"providerId":"m17","accountId":"+23276555000","reference":"MP251103.1007.A1"},` +
		`"financialTransactionReference":"ftr-Qa1","metadata":null},` +
		`"createTime":"2025-11-03T10:00:00Z","updateTime":"2025-11-03T10:07:00Z","metadata":{"term":"1"}}}`)
	ev, err := ConstructEvent(body, SignatureHeader(body, testSecret, testTime), testSecret, at(testTime))
	require.NoError(t, err)
	assert.Equal(t, EventPaymentCodeProcessed, ev.Name)
	assert.True(t, ev.IsPaymentCode())
	assert.False(t, ev.IsPayment(), "payment_code. is not payment.")
	pc, err := ev.PaymentCode()
	require.NoError(t, err)
	assert.Equal(t, &monime.PaymentCode{ID: "pmc-4Ff8Kd2Lq", Mode: monime.PaymentCodeOneTime, Status: monime.PaymentCodeCompleted,
		Name: "Term 1 fees", Amount: &monime.Money{Currency: "SLE", Value: 75000}, Enable: true,
		ExpireTime: time.Date(2025, 11, 3, 10, 30, 0, 0, time.UTC), CustomerName: "Musa Kamara", USSDCode: "*715*1*482916#",
		Reference: "inv-88", AuthorizedProviders: []string{"m17"}, AuthorizedPhoneNumber: "+23276555000",
		ProcessedPaymentData: &monime.ProcessedPaymentData{Amount: monime.Money{Currency: "SLE", Value: 75000}, OrderID: "ord-9",
			OrderNumber: "104299", PaymentID: "pay-7Hn2", ProviderID: "m17", AccountID: "+23276555000",
			ChannelReference: "MP251103.1007.A1", FinancialTransactionReference: "ftr-Qa1"},
		FinancialAccountID: "fac-main01", CreateTime: time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC),
		UpdateTime: time.Date(2025, 11, 3, 10, 7, 0, 0, time.UTC), Metadata: monime.Metadata{"term": "1"}}, pc)
	assert.True(t, pc.Status.IsFinal())
	_, err = ev.Payment()
	assert.ErrorIs(t, err, ErrNotPayment)
	_, err = ev.Payout()
	assert.ErrorIs(t, err, ErrNotPayout)

	byType := &Event{ID: "evt-C2", Name: "payment_code.something_new", Object: Object{Type: ObjectTypePaymentCode}, Data: ev.Data}
	_, err = byType.PaymentCode()
	require.NoError(t, err, "a new payment-code event still reads")
	_, err = (&Event{ID: "evt-C3", Name: EventPaymentCompleted, Data: ev.Data}).PaymentCode()
	assert.ErrorIs(t, err, ErrNotPaymentCode)
	for _, bad := range []string{`null`, `"pmc-1"`, `{"id":"pmc-1"}`,
		`{"id":"pmc-1","status":"completed","processedPaymentData":{"amount":{"currency":"SLE","value":"75000"}}}`,
		`{"id":"pmc-1","status":"completed","processedPaymentData":{"paymentId":"pay-1"}}`} {
		_, err := (&Event{ID: "evt-C4", Name: EventPaymentCodeProcessed, Data: json.RawMessage(bad)}).PaymentCode()
		assert.ErrorIs(t, err, ErrInvalidPayload, bad)
	}
}
