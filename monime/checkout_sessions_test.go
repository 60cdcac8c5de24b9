package monime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/internal/contract"
)

func TestCreateSendsEveryFieldAndReturnsTheSession(t *testing.T) {
	rec := &recorder{}
	c, tr := newTestClient(t, rec.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeResult(w, wireSession("scs-abc"))
	}))
	p := validParams()
	p.Description = "Two T-shirts"
	p.CallbackState = "cb-1"
	p.FinancialAccountID = "fac-main01"
	p.LineItems[0].Reference = "sku-1"
	p.LineItems[0].Description = "Blue"
	p.LineItems[0].Images = []string{"https://shop.example/tee.png"}
	p.LineItems = append(p.LineItems, LineItem{Name: "Hat", Price: Money{Currency: CurrencyUSD, Value: 500}})
	p.PaymentOptions = &PaymentOptions{
		Card: &CardOptions{Disable: true},
		Momo: &MethodOptions{EnabledProviders: []string{MomoProviderM17}},
		Bank: &MethodOptions{DisabledProviders: []string{BankProviderSLB004}},
	}
	p.BrandingOptions = &BrandingOptions{PrimaryColor: "#0A7CFF"}
	before := fmt.Sprintf("%+v", *p)

	s, err := c.CheckoutSessions.Create(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, before, fmt.Sprintf("%+v", *p), "Create must not modify params")
	assert.Equal(t, 1, tr.Requests())

	var sent map[string]any
	require.NoError(t, json.Unmarshal(rec.body[0], &sent))
	assert.Equal(t, map[string]any{
		"name": "Order #1042", "description": "Two T-shirts", "successUrl": "https://shop.example/ok",
		"cancelUrl": "https://shop.example/cancel", "callbackState": "cb-1", "reference": "1042",
		"financialAccountId": "fac-main01",
		"lineItems": []any{
			map[string]any{"name": "T-shirt", "price": map[string]any{"currency": "SLE", "value": 15000.0}, "quantity": 2.0,
				"reference": "sku-1", "description": "Blue", "images": []any{"https://shop.example/tee.png"}},
			map[string]any{"name": "Hat", "price": map[string]any{"currency": "USD", "value": 500.0}},
		},
		"paymentOptions": map[string]any{
			"card": map[string]any{"disable": true},
			"momo": map[string]any{"disable": false, "enabledProviders": []any{"m17"}},
			"bank": map[string]any{"disable": false, "disabledProviders": []any{"slb004"}},
		},
		"brandingOptions": map[string]any{"primaryColor": "#0A7CFF"},
		"metadata":        map[string]any{"cart": "c_77"},
	}, sent)

	assert.Equal(t, "scs-abc", s.ID)
	assert.Equal(t, CheckoutSessionStatusPending, s.Status)
	assert.False(t, s.Status.IsFinal())
	assert.Equal(t, "https://checkout.monime.io/scs-abc", s.RedirectURL)
	assert.Equal(t, time.Date(2025, 9, 1, 12, 30, 0, 0, time.UTC), s.ExpireTime)
	assert.Equal(t, time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC), s.CreateTime)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, LineItem{ID: "sli-1", Type: "custom", Name: "T-shirt", Price: Money{"SLE", 15000}, Quantity: 2}, s.LineItems[0])
	assert.Equal(t, Metadata{"cart": "c_77"}, s.Metadata)
	totals, err := s.Totals()
	require.NoError(t, err)
	assert.Equal(t, map[Currency]int64{"SLE": 30000}, totals)
	big := CheckoutSession{ID: "scs-x", LineItems: LineItems{{Price: Money{"SLE", 1 << 62}, Quantity: 4}}}
	_, err = big.Totals()
	require.ErrorContains(t, err, "overflow")
}

func TestGetListAllDelete(t *testing.T) {
	// 7 sessions served in pages of the requested size, newest first.
	ids := []string{"scs-7", "scs-6", "scs-5", "scs-4", "scs-3", "scs-2", "scs-1"}
	var deleted atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/checkout-sessions":
			limit := 10
			if v := r.URL.Query().Get("limit"); v != "" {
				limit, _ = strconv.Atoi(v)
			}
			start := 0
			if after := r.URL.Query().Get("after"); after != "" {
				start, _ = strconv.Atoi(strings.TrimPrefix(after, "cur-"))
			}
			end := min(start+limit, len(ids))
			items := []any{}
			for _, id := range ids[start:end] {
				items = append(items, wireSession(id))
			}
			pg := map[string]any{"count": len(items)}
			if end < len(ids) {
				pg["next"] = "cur-" + strconv.Itoa(end)
			} else {
				pg["next"] = nil
			}
			writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": items, "pagination": pg})
		case r.Method == http.MethodGet:
			id := strings.TrimPrefix(r.URL.Path, "/v1/checkout-sessions/")
			if id == "scs-missing" {
				writeError(w, 404, "not_found", "Checkout session not found.")
				return
			}
			writeResult(w, wireSession(id))
		case r.Method == http.MethodDelete:
			deleted.Store(strings.TrimPrefix(r.URL.Path, "/v1/checkout-sessions/"))
			writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}})
		}
	})
	c, _ := newTestClient(t, h)
	ctx := context.Background()

	s, err := c.CheckoutSessions.Get(ctx, "scs-5")
	require.NoError(t, err)
	assert.Equal(t, "scs-5", s.ID)

	_, err = c.CheckoutSessions.Get(ctx, "scs-missing")
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.MethodGet, apiErr.Method)
	assert.Equal(t, "/v1/checkout-sessions/scs-missing", apiErr.Path, "the error names the path with the id")
	assert.Contains(t, err.Error(), "GET /v1/checkout-sessions/scs-missing")

	page, err := c.CheckoutSessions.List(ctx, &CheckoutSessionListParams{Limit: 3})
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	assert.Equal(t, "cur-3", page.Next)
	assert.True(t, page.HasMore())
	page, err = c.CheckoutSessions.List(ctx, &CheckoutSessionListParams{Limit: 3, After: "cur-6"})
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)
	assert.Empty(t, page.Next)

	params := &CheckoutSessionListParams{Limit: 2}
	var got []string
	for s, err := range c.CheckoutSessions.All(ctx, params) {
		require.NoError(t, err)
		got = append(got, s.ID)
	}
	assert.Equal(t, ids, got)
	assert.Equal(t, &CheckoutSessionListParams{Limit: 2}, params, "All must not modify params")

	got = got[:0]
	for s, err := range c.CheckoutSessions.All(ctx, nil) {
		require.NoError(t, err)
		got = append(got, s.ID)
		if len(got) == 2 {
			break
		}
	}
	assert.Equal(t, ids[:2], got)

	require.NoError(t, c.CheckoutSessions.Delete(ctx, "scs-3"))
	assert.Equal(t, "scs-3", deleted.Load())
}

func TestAllFetchesLazilyAndStopsOnTheFirstError(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n == 3 {
			writeError(w, 403, "forbidden", "no access")
			return
		}
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wireSession("scs-" + strconv.Itoa(int(n)))},
			"pagination": map[string]any{"count": 1, "next": "page-" + strconv.Itoa(int(n))}})
	})
	c, _ := newTestClient(t, h)
	seq := c.CheckoutSessions.All(context.Background(), &CheckoutSessionListParams{Limit: 1})
	assert.Equal(t, int32(0), calls.Load(), "nothing is fetched before the loop runs")
	var items, errs int
	for s, err := range seq {
		if err != nil {
			errs++
			assert.Nil(t, s)
			require.ErrorIs(t, err, ErrForbidden)
			continue
		}
		items++
	}
	assert.Equal(t, 2, items)
	assert.Equal(t, 1, errs, "the error is yielded once and the loop ends")
	assert.Equal(t, int32(3), calls.Load())
}

func TestAllRefusesToFetchAPageTwice(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wireSession("scs-1")},
			"pagination": map[string]any{"count": 1, "next": "same"}})
	}))
	var lastErr error
	for _, err := range c.CheckoutSessions.All(context.Background(), nil) {
		lastErr = err
	}
	require.ErrorContains(t, lastErr, "again")
	assert.Equal(t, int32(2), calls.Load())
}

func TestAllHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wireSession("scs-" + r.URL.Query().Get("after"))},
			"pagination": map[string]any{"count": 1, "next": "n" + r.URL.Query().Get("after")}})
	}))
	n := 0
	var lastErr error
	for _, err := range c.CheckoutSessions.All(ctx, nil) {
		if err != nil {
			lastErr = err
			break
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	require.ErrorIs(t, lastErr, context.Canceled)
	assert.Equal(t, 2, n)
}

func TestErrorsCarryMonimesAnswer(t *testing.T) {
	cases := []struct {
		status   int
		reason   string
		sentinel error
	}{
		{400, "validation_error", ErrInvalidRequest},
		{401, "unauthorized", ErrUnauthorized},
		{403, "forbidden", ErrForbidden},
		{404, "not_found", ErrNotFound},
		{409, ReasonIdempotencyKeyInUse, ErrConflict},
		{429, "too_many_requests", ErrRateLimited},
		{500, "internal_error", ErrServer},
	}
	all := []error{ErrInvalidRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited, ErrServer}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 429 {
					w.Header().Set("Retry-After", "1")
					w.Header().Set("Monime-Rate-Limit", "token-limit")
				}
				writeError(w, tc.status, tc.reason, "what went wrong")
			}), WithMaxRetries(0))
			_, err := c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey("order-9"))
			require.Error(t, err)
			var apiErr *Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.reason, apiErr.Reason)
			assert.Equal(t, "what went wrong", apiErr.Message)
			assert.Equal(t, "req-test-1", apiErr.RequestID)
			assert.Equal(t, "order-9", apiErr.IdempotencyKey)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, fmt.Sprintf("monime: POST /v1/checkout-sessions: %d %s: what went wrong (request req-test-1)", tc.status, tc.reason), err.Error())
			for _, s := range all {
				assert.Equal(t, s == tc.sentinel, errors.Is(err, s), "errors.Is(%v)", s)
			}
			if tc.status == 429 {
				assert.Equal(t, time.Second, apiErr.RetryAfter)
				assert.Equal(t, "token-limit", apiErr.RateLimit)
			}
		})
	}
}

func TestSuccessFalseIsAnErrorWhateverTheStatus(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"success": false, "messages": []any{"m1", nil},
			"error": map[string]any{"code": 409, "reason": "checkout_session_not_deletable", "message": "started", "details": []any{map[string]any{"field": "status"}}}})
	}))
	tr.HostileResponses = true
	err := c.CheckoutSessions.Delete(context.Background(), "scs-1")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.StatusCode)
	assert.ErrorIs(t, err, ErrConflict)
	assert.Equal(t, []any{"m1", nil}, apiErr.Messages)
	assert.Equal(t, []any{map[string]any{"field": "status"}}, apiErr.Details)
}

func TestUnexpectedBodiesAreClearErrors(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		want              []string
		sentinel          error
	}{
		{"html gateway error", "text/html", "<html><body>502 Bad Gateway</body></html>", 502, []string{"502", "text/html", "<html><body>502 Bad Gateway"}, ErrServer},
		{"empty 200", "application/json", "", 200, []string{"200", "empty response body"}, nil},
		{"truncated json", "application/json", `{"success": true, "result": {"id": "scs`, 200, []string{"not a Monime JSON envelope"}, nil},
		{"no result", "application/json", `{"success": true, "messages": []}`, 200, []string{"no checkout session"}, nil},
		{"plain text 404", "text/plain", "nope", 404, []string{"404", "nope"}, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}), WithMaxRetries(0))
			tr.HostileResponses = true
			_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
			var apiErr *Error
			require.ErrorAs(t, err, &apiErr)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
		})
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	big := strings.Repeat("x", maxResponseBytes+10)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)+2))
				}
				_, _ = w.Write([]byte(`"` + big + `"`))
			}))
			tr.HostileResponses = true
			_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
			require.ErrorContains(t, err, "larger than 8388608 bytes")
		})
	}
}

func TestReadsAreTolerant(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := wireSession("scs-1")
		s["status"] = "on_hold"                     // a status this client does not know
		s["brandNewField"] = map[string]any{"x": 1} // a field it does not know
		s["metadata"] = map[string]any{"n": 42, "b": true, "nil": nil, "obj": map[string]any{"k": "v"}, "s": "text"}
		s["orderNumber"] = nil
		s["ownershipGraph"] = map[string]any{"owner": map[string]any{"id": "spc-1", "type": "space", "metadata": map[string]any{"tier": 2},
			"owner": map[string]any{"id": "acc-1", "type": "account"}}}
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{nil, 3, "x", map[string]any{}}, "result": s, "extra": []any{}})
	}))
	tr.HostileResponses = true
	s, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	assert.Equal(t, CheckoutSessionStatus("on_hold"), s.Status)
	assert.False(t, s.Status.IsFinal())
	assert.Equal(t, Metadata{"n": "42", "b": "true", "nil": "", "obj": `{"k":"v"}`, "s": "text"}, s.Metadata)
	assert.Empty(t, s.OrderNumber)
	require.NotNil(t, s.OwnershipGraph)
	assert.Equal(t, "acc-1", s.OwnershipGraph.Owner.Owner.ID)
	assert.Equal(t, Metadata{"tier": "2"}, s.OwnershipGraph.Owner.Metadata)
}

func TestResponseInfo(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Monime-Cache", "irc")
		writeResult(w, wireSession("scs-1"))
	}))
	var info ResponseInfo
	_, err := c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey("order-1"), WithResponseInfo(&info))
	require.NoError(t, err)
	assert.True(t, info.Replayed)
	assert.Equal(t, "req-test-1", info.RequestID)
	assert.Equal(t, "order-1", info.IdempotencyKey)
	assert.Equal(t, 200, info.StatusCode)
	assert.Equal(t, 1, info.Attempts)
}

// Every operation of spec/ has a facade method, whose doc names the
// operation.
func TestEveryOperationHasAFacadeMethod(t *testing.T) {
	doc, err := contract.Spec()
	require.NoError(t, err)
	sessions, payments, accounts := reflect.TypeOf(&CheckoutSessionsService{}), reflect.TypeOf(&PaymentsService{}), reflect.TypeOf(&FinancialAccountsService{})
	payouts, transfers, ledger := reflect.TypeOf(&PayoutsService{}), reflect.TypeOf(&InternalTransfersService{}), reflect.TypeOf(&FinancialTransactionsService{})
	banks, momos, kyc := reflect.TypeOf(&BanksService{}), reflect.TypeOf(&MomosService{}), reflect.TypeOf(&ProviderKYCService{})
	codes, otps, receipts := reflect.TypeOf(&PaymentCodesService{}), reflect.TypeOf(&USSDOTPsService{}), reflect.TypeOf(&ReceiptsService{})
	hooks, countries := reflect.TypeOf(&WebhooksService{}), reflect.TypeOf(&CountriesService{})
	facade := map[string]struct {
		svc    reflect.Type
		method string
	}{
		"CreateCheckoutSession":     {sessions, "Create"},
		"GetCheckoutSession":        {sessions, "Get"},
		"ListCheckoutSessions":      {sessions, "List"},
		"DeleteCheckoutSession":     {sessions, "Delete"},
		"ListPayments":              {payments, "List"},
		"GetPayment":                {payments, "Get"},
		"UpdatePayment":             {payments, "Update"},
		"CreateFinancialAccount":    {accounts, "Create"},
		"GetFinancialAccount":       {accounts, "Get"},
		"ListFinancialAccounts":     {accounts, "List"},
		"UpdateFinancialAccount":    {accounts, "Update"},
		"ListPayouts":               {payouts, "List"},
		"CreatePayout":              {payouts, "Create"},
		"GetPayout":                 {payouts, "Get"},
		"UpdatePayout":              {payouts, "Update"},
		"DeletePayout":              {payouts, "Delete"},
		"ListInternalTransfers":     {transfers, "List"},
		"CreateInternalTransfer":    {transfers, "Create"},
		"GetInternalTransfer":       {transfers, "Get"},
		"PatchInternalTransfer":     {transfers, "Update"},
		"DeleteInternalTransfer":    {transfers, "Delete"},
		"ListFinancialTransactions": {ledger, "List"},
		"GetTransaction":            {ledger, "Get"},
		"ListBanks":                 {banks, "List"},
		"GetBank":                   {banks, "Get"},
		"ListMomos":                 {momos, "List"},
		"GetMomo":                   {momos, "Get"},
		"GetProviderKYC":            {kyc, "Get"},
		"ListPaymentCodes":          {codes, "List"},
		"CreatePaymentCode":         {codes, "Create"},
		"GetPaymentCode":            {codes, "Get"},
		"UpdatePaymentCode":         {codes, "Update"},
		"DeletePaymentCode":         {codes, "Delete"},
		"ListUSSDOTPs":              {otps, "List"},
		"CreateUSSDOTP":             {otps, "Create"},
		"GetUSSDOTP":                {otps, "Get"},
		"DeleteUSSDOTP":             {otps, "Delete"},
		"RetrieveReceipt":           {receipts, "Get"},
		"RedeemReceipt":             {receipts, "Redeem"},
		"ListWebhooks":              {hooks, "List"},
		"CreateWebhook":             {hooks, "Create"},
		"GetWebhook":                {hooks, "Get"},
		"UpdateWebhook":             {hooks, "Update"},
		"DeleteWebhook":             {hooks, "Delete"},
		"ListCountries":             {countries, "List"},
		"GetCountry":                {countries, "Get"},
	}
	n := 0
	for path, item := range doc.T.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			f, ok := facade[op.OperationID]
			if !assert.True(t, ok, "%s %s (%s) has no facade method: add one and list it here", method, path, op.OperationID) {
				continue
			}
			_, ok = f.svc.MethodByName(f.method)
			assert.True(t, ok, "%s.%s is missing for %s", f.svc, f.method, op.OperationID)
		}
	}
	assert.Equal(t, len(facade), n, "the spec has operations this test does not know")
}

func TestOddlyTypedFieldsDoNotCostTheWholeAnswer(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := wireSession("scs-1")
		s["metadata"] = []any{"not", "an", "object"}
		s["expireTime"] = ""
		s["name"] = 42
		item := s["lineItems"].(map[string]any)["data"].([]any)[0].(map[string]any)
		item["description"] = map[string]any{"odd": true}
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": s})
	}))
	tr.HostileResponses = true
	s, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	assert.Equal(t, "scs-1", s.ID)
	assert.Empty(t, s.Name, "a descriptive field of another type is left zero")
	assert.Nil(t, s.Metadata)
	_, known := s.ExpiresAt()
	assert.False(t, known, "an unreadable expireTime is unknown")
	assert.Equal(t, time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC), s.CreateTime)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, 2, s.LineItems[0].Quantity)
	assert.Equal(t, int64(15000), s.LineItems[0].Price.Value)
	assert.Empty(t, s.LineItems[0].Description)
}

func TestOddErrorBodiesKeepTheirReason(t *testing.T) {
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(409)
		_, _ = w.Write([]byte(`{"success":false,"result":"","messages":null,"error":{"code":"409","reason":"idempotency_key_in_use","message":"used","details":{"k":1}}}`))
	}))
	tr.HostileResponses = true
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.StatusCode)
	assert.Equal(t, ReasonIdempotencyKeyInUse, apiErr.Reason)
	assert.Equal(t, "used", apiErr.Message)
	assert.Equal(t, []any{map[string]any{"k": 1.0}}, apiErr.Details)
}

func TestACheckoutSessionReadsItselfTolerantly(t *testing.T) {
	var s CheckoutSession
	require.NoError(t, json.Unmarshal([]byte(`{"id":"scs-9","status":"completed","orderNumber":"7","name":7,"expireTime":"soon",`+
		`"lineItems":{"data":[{"name":"x","quantity":1,"price":{"currency":"USD","value":250},"description":{}}]},"metadata":"odd","brandingOptions":[1]}`), &s))
	assert.Equal(t, "scs-9", s.ID)
	assert.Equal(t, "7", s.OrderNumber)
	assert.Equal(t, CheckoutSessionStatusCompleted, s.Status)
	assert.Empty(t, s.Name, "a descriptive field of another type is left zero")
	assert.Nil(t, s.BrandingOptions)
	_, known := s.ExpiresAt()
	assert.False(t, known, "an unreadable expireTime is unknown, not long past")
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, Money{Currency: "USD", Value: 250}, s.LineItems[0].Price)
	for _, bad := range []string{`{"id":`, `[1,2]`, `null`, `"scs-1"`} {
		assert.Error(t, json.Unmarshal([]byte(bad), new(CheckoutSession)), bad)
	}
}

func TestAllNeverFetchesItsStartingPageAgain(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": []any{wireSession("scs-1")},
			"pagination": map[string]any{"count": 1, "next": "start"}}) // echoes the cursor it was given
	}))
	var lastErr error
	for _, err := range c.CheckoutSessions.All(context.Background(), &CheckoutSessionListParams{After: "start"}) {
		lastErr = err
	}
	require.ErrorContains(t, lastErr, "cursor")
	assert.Equal(t, int32(1), calls.Load())
}

// What the relaxed pass must never do: mix fields between sessions, guess
// an amount, or turn a malformed list into an empty one.
func TestRelaxedReadsNeverGuessWhatMatters(t *testing.T) {
	serve := func(body string) *Client {
		c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}), WithMaxRetries(0))
		tr.HostileResponses = true
		return c
	}
	s1, _ := json.Marshal(func() map[string]any {
		s := wireSession("scs-1")
		s["status"] = "completed"
		s["orderNumber"] = "ON-111"
		return s
	}())
	s2, _ := json.Marshal(wireSession("scs-2"))

	// A list with one element that is not a session is refused whole.
	c := serve(`{"success":true,"messages":[],"result":["scs-0",` + string(s1) + `,` + string(s2) + `],"pagination":{"count":3}}`)
	_, err := c.CheckoutSessions.List(context.Background(), nil)
	require.ErrorContains(t, err, "item 0")

	// A result of the wrong shape is an error, not an empty page.
	c = serve(`{"success":true,"messages":[],"result":{"data":[` + string(s1) + `]},"pagination":{"count":1}}`)
	_, err = c.CheckoutSessions.List(context.Background(), nil)
	require.Error(t, err)

	// An odd descriptive field in one session stays in that session.
	odd := strings.Replace(string(s2), `"name":"Order #1042"`, `"name":["x"]`, 1)
	c = serve(`{"success":true,"messages":[],"result":[` + string(s1) + `,` + odd + `],"pagination":{"count":2}}`)
	page, err := c.CheckoutSessions.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	// A page without pagination.next is the last, as one with next: null.
	assert.False(t, page.HasMore(), "no next: the last page")
	n := 0
	for s, err := range c.CheckoutSessions.All(context.Background(), nil) {
		require.NoError(t, err)
		require.NotNil(t, s)
		n++
	}
	assert.Equal(t, 2, n, "All stops after a page without next")
	assert.Equal(t, "ON-111", page.Items[0].OrderNumber)
	assert.Empty(t, page.Items[1].OrderNumber, "no field of scs-1 leaks into scs-2")
	assert.Equal(t, CheckoutSessionStatusPending, page.Items[1].Status)
	assert.Empty(t, page.Items[1].Name)

	// Ids, statuses, amounts and quantities are never guessed: of another
	// type, null or missing, they make the session unreadable.
	item := func(price, quantity string) string {
		return `{"id":"scs-1","status":"completed","lineItems":{"data":[{"name":"x","price":` + price + `,"quantity":` + quantity + `}]}}`
	}
	for _, data := range []string{
		item(`{"currency":"SLE","value":15000.5}`, `1`),
		item(`{"currency":"SLE","value":"0x1.9p6"}`, `1`),
		item(`{"currency":"SLE","value":" 100 "}`, `1`),
		item(`{"currency":"SLE","value":"100"}`, `1`),
		item(`{"currency":"SLE","value":null}`, `1`),
		item(`{"currency":"SLE"}`, `1`),
		item(`{"currency":"SLE","value":1e2}`, `1`),
		item(`{"currency":7,"value":1}`, `1`),
		item(`{"value":1}`, `1`),
		item(`null`, `1`),
		item(`{"currency":"SLE","value":100}`, `2.5`),
		item(`{"currency":"SLE","value":100}`, `"2"`),
		item(`{"currency":"SLE","value":100}`, `null`),
		item(`{"currency":"SLE","value":100}`, `0`),
		item(`{"currency":"SLE","value":100}`, `-1`),
		item(`{"currency":"SLE","value":100}`, `1e2`),
		`{"id":{"x":1},"status":"completed"}`,
		`{"id":null,"status":"completed"}`,
		`{"status":"completed"}`,
		`{"id":"scs-1","status":null}`,
		`{"id":"scs-1","status":3}`,
		`{"id":"scs-1"}`,
		`{"id":"scs-1","status":"completed","orderNumber":12}`,
		`null`, ``, `"scs-1"`,
	} {
		assert.Error(t, json.Unmarshal([]byte(data), new(CheckoutSession)), data)
	}
	var ok CheckoutSession
	require.NoError(t, json.Unmarshal([]byte(item(`{"currency":"SLE","value":100}`, `1`)), &ok))
	assert.Equal(t, Money{Currency: "SLE", Value: 100}, ok.LineItems[0].Price)

	// A line item without quantity has Monime's default, 1 (upstream:
	// "default: 1"), in a read, a page and a webhook's data alike.
	noQuantity := `{"id":"scs-1","status":"completed","lineItems":{"data":[{"name":"x","price":{"currency":"SLE","value":100}},{"name":"y","price":{"currency":"SLE","value":5},"quantity":3}]}}`
	var dflt CheckoutSession
	require.NoError(t, json.Unmarshal([]byte(noQuantity), &dflt))
	assert.Equal(t, []int{1, 3}, []int{dflt.LineItems[0].Quantity, dflt.LineItems[1].Quantity})
	c = serve(`{"success":true,"result":[` + noQuantity + `],"pagination":{"count":1,"next":null}}`)
	page, err = c.CheckoutSessions.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.Items[0].LineItems[0].Quantity)

	// "error" as plain text on a 200 is still a failure.
	c = serve(`{"error":"something broke"}`)
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "something broke", apiErr.Message)
	c = serve(`{"success":0,"error":{"code":409,"reason":"x","message":"m"}}`)
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.StatusCode)
}
