package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/monimekit/monime-go/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidCreateBodiesNameTheOffendingField(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		fields []string // every detail's field, in any order
	}{
		{"lineItems missing", `{"name":"x"}`, []string{"lineItems"}},
		{"name missing", `{"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"name"}},
		{"no line items", `{"name":"x","lineItems":[]}`, []string{"lineItems"}},
		{"currency not allowed", `{"name":"x","lineItems":[{"name":"a","price":{"currency":"EUR","value":1}}]}`, []string{"lineItems[0].price.currency"}},
		{"fractional price", `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1.5}}]}`, []string{"lineItems[0].price.value"}},
		{"unknown top-level field", `{"name":"x","bogus":1,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"bogus"}},
		{"unknown line-item field", `{"name":"x","lineItems":[{"id":"sli-1","name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"lineItems[0].id"}},
		{"quantity zero", `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1},"quantity":0}]}`, []string{"lineItems[0].quantity"}},
		{"successUrl not a URL", `{"name":"x","successUrl":"shop/ok","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"successUrl"}},
		{"name too long", `{"name":"` + strings.Repeat("n", 151) + `","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"name"}},
		{"unknown provider", `{"name":"x","paymentOptions":{"momo":{"enabledProviders":["m99"]}},"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"paymentOptions.momo.enabledProviders[0]"}},
		{"metadata value not a string", `{"name":"x","metadata":{"n":5},"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`, []string{"metadata.n"}},
		{"several at once", `{"bogus":true,"lineItems":[{"name":"a","price":{"currency":"XOF","value":1}},{"price":{"currency":"SLE","value":1}}]}`,
			[]string{"bogus", "name", "lineItems[0].price.currency", "lineItems[1].name"}},
		// Rules spec/ cannot express, checked by the fake itself.
		{"duplicate line-item reference", `{"name":"x","lineItems":[{"name":"a","reference":"r","price":{"currency":"SLE","value":1}},{"name":"b","reference":"r","price":{"currency":"SLE","value":1}}]}`, []string{"lineItems[1].reference"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: tc.body})
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonValidation, e.Reason)
			assert.ElementsMatch(t, tc.fields, fields(e), "%s", res.body)
			for _, d := range *e.Details {
				assert.NotEmpty(t, *d.Message)
			}
			assert.Contains(t, e.Message, tc.fields[0])
			assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID), "nothing is stored")
		})
	}
}

func TestValidationMessagesAreReadable(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","bogus":1,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`})
	e := res.apiErr(t)
	require.Len(t, *e.Details, 1)
	assert.Equal(t, "is not a field of this request; remove it", *(*e.Details)[0].Message)
	assert.Equal(t, "the request is invalid: bogus: is not a field of this request; remove it", e.Message)

	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: `{"name":"x"}`})
	e = res.apiErr(t)
	assert.Equal(t, "is required", *(*e.Details)[0].Message)
	assert.NotContains(t, e.Message, "Schema:", "messages never dump the schema or the value")
}

func TestInvalidHeadersAndBodiesAre400(t *testing.T) {
	cases := []struct {
		name   string
		r      req
		fields []string
	}{
		{"Idempotency-Key missing", req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: ptr("")}, []string{"Idempotency-Key"}},
		{"Idempotency-Key too long", req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: ptr(strings.Repeat("k", 65))}, []string{"Idempotency-Key"}},
		{"space header missing", req{method: http.MethodGet, path: "/v1/checkout-sessions", space: ptr("")}, []string{"Monime-Space-Id"}},
		{"space header malformed", req{method: http.MethodGet, path: "/v1/checkout-sessions", space: ptr("space-1")}, []string{"Monime-Space-Id"}},
		{"unknown Monime-Version", req{method: http.MethodGet, path: "/v1/checkout-sessions", headers: map[string]string{"Monime-Version": "caph.2020-01-01"}}, []string{"Monime-Version"}},
		{"body missing", req{method: http.MethodPost, path: "/v1/checkout-sessions"}, []string{""}},
		{"body not JSON", req{method: http.MethodPost, path: "/v1/checkout-sessions", body: `{"name":`}, []string{""}},
		{"wrong content type", req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, headers: map[string]string{"Content-Type": "text/plain"}}, []string{"Content-Type"}},
		{"limit zero", req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=0"}, []string{"limit"}},
		{"limit over 50", req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=51"}, []string{"limit"}},
		{"limit not a number", req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=ten"}, []string{"limit"}},
		{"after too long", req{method: http.MethodGet, path: "/v1/checkout-sessions?after=" + strings.Repeat("a", 2001)}, []string{"after"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.send(tc.r)
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonValidation, e.Reason)
			assert.Equal(t, tc.fields, fields(e), "%s", res.body)
		})
	}
}

func TestWithoutRequestValidation(t *testing.T) {
	f := newFixture(t, WithRequestValidation(false))

	// What only the spec forbids now passes ...
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}],"bogus":1}`})
	assert.Equal(t, http.StatusOK, res.status, "%s", res.body)

	// ... but credentials, decoding and the fake's own rules still hold.
	res = f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions", token: ptr("")})
	assert.Equal(t, http.StatusUnauthorized, res.status)
	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: `{"name":`})
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, ReasonValidation, res.apiErr(t).Reason)
	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: ptr("")})
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, []string{"Idempotency-Key"}, fields(res.apiErr(t)))
	res = f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=99"})
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, []string{"limit"}, fields(res.apiErr(t)))
	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","lineItems":[{"name":"a","reference":"r","price":{"currency":"SLE","value":1}},{"name":"b","reference":"r","price":{"currency":"SLE","value":1}}]}`})
	assert.Equal(t, []string{"lineItems[1].reference"}, fields(res.apiErr(t)))
}

// Metadata keys follow the rules Monime's docs state: 1 to 64 characters
// of A-Z, a-z, 0-9, _ and -, not starting with _, - or "monime".
func TestMetadataKeysFollowMonimesRules(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("k", 64)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","metadata":{"a b":"v","MonimeX":"v","_y":"v","-z":"v","":"v","` + long + `x":"v"},"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"metadata.", "metadata.-z", "metadata.MonimeX", "metadata._y", "metadata.a b", `metadata."` + long + `..."`}, fields(res.apiErr(t)))

	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", headers: map[string]string{"Idempotency-Key": "k2"},
		body: `{"name":"x","metadata":{"cart_id":"v","Order-1":"v","my_monime":"v","` + long + `":"v"},"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
}

// caph.2025-06-20 takes SLE only; the current release adds USD.
func TestUSDNeedsTheReleaseThatAddedIt(t *testing.T) {
	f := newFixture(t)
	usd := `{"name":"x","lineItems":[{"name":"a","price":{"currency":"USD","value":1}}]}`
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: usd,
		headers: map[string]string{"Monime-Version": "caph.2025-06-20"}})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Contains(t, string(res.body), "lineItems[0].price.currency")
	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: usd,
		headers: map[string]string{"Monime-Version": "caph.2025-08-23", "Idempotency-Key": "k2"}})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)

	// Money out too: a USD payout or transfer needs the current release,
	// and is refused before it opens an account or moves anything.
	for path, body := range map[string]string{
		"/v1/payouts":            `{"amount":{"currency":"USD","value":100},"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456"}}`,
		"/v1/internal-transfers": `{"amount":{"currency":"USD","value":100},"sourceFinancialAccount":{"id":"fac-a"},"destinationFinancialAccount":{"id":"fac-b"}}`,
		"/v1/payment-codes":      `{"name":"Fees","amount":{"currency":"USD","value":100}}`,
	} {
		res := f.send(req{method: http.MethodPost, path: path, body: body,
			headers: map[string]string{"Monime-Version": "caph.2025-06-20", "Idempotency-Key": "old-" + path}})
		require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", path, res.body)
		assert.Contains(t, string(res.body), "amount.currency", path)
		assert.Contains(t, string(res.body), "supports SLE only", path)
	}
	_, opened := Find[FinancialAccount](f.srv, mainAccountID(DefaultSpaceID, gen.CurrencyUSD))
	assert.False(t, opened, "no USD account was opened")
}

// Null where Monime's document marks a request member nullable reads as
// absent; null elsewhere is still refused.
func TestNullableRequestMembersTakeNull(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","description":null,"callbackState":null,"reference":null,"financialAccountId":null,"paymentOptions":null,"brandingOptions":null,"metadata":null,
			"lineItems":[{"name":"a","reference":null,"description":null,"images":null,"price":{"currency":"SLE","value":9007199254740993}}]}`})
	s := res.session(t)
	assert.Nil(t, s.Metadata)
	assert.Equal(t, int64(9007199254740993), s.LineItems.Data[0].Price.Value, "numbers keep their digits when nulls are dropped")

	res = f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", headers: map[string]string{"Idempotency-Key": "k2"},
		body: `{"name":"x","paymentOptions":{"momo":{"enabledProviders":null,"disabledProviders":["m17"]}},"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)

	for name, body := range map[string]string{
		"cancelUrl is not nullable": `{"name":"x","cancelUrl":null,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`,
		"name is required":          `{"name":null,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`,
		"lineItems are required":    `{"name":"x","lineItems":null}`,
	} {
		res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", headers: map[string]string{"Idempotency-Key": "k-" + name}, body: body})
		assert.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
	}

	// Monime's document does not say what null does in an update; the fake
	// assumes it means "leave as it is", as in a create, rather than clear.
	_, p := f.paid(minimalBody, "", "")
	got := f.patch(p.Id, `{"name":"n","metadata":null}`).payment(t)
	assert.Equal(t, ptr("n"), got.Name)
	assert.Equal(t, p.Metadata, got.Metadata, "metadata: null leaves the metadata as it was")
}

// A price is money in minor units: never negative (Monime's price value is
// an amount); zero is a free item.
func TestANegativePriceIsRefused(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"Refund?","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}},{"name":"Credit","price":{"currency":"SLE","value":-5}}]}`})
	require.Equal(t, http.StatusBadRequest, res.status)
	e := res.apiErr(t)
	assert.Equal(t, []string{"lineItems[1].price.value"}, fields(e))
	assert.Contains(t, e.Message, "must not be negative, got -5")
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID), "nothing is stored")

	free := f.create(`{"name":"Free","lineItems":[{"name":"Gift","price":{"currency":"SLE","value":0}}]}`)
	assert.Equal(t, int64(0), free.LineItems.Data[0].Price.Value)
}

// A value that matches no branch of a discriminated union is reported by
// what is wrong with it against the branch its type names, not as
// "doesn't match any schema".
func TestAUnionValueIsReportedByItsBranch(t *testing.T) {
	f := newFixture(t)
	for body, want := range map[string]string{
		`{"amount":{"currency":"SLE","value":100},"destination":{"type":"momo","providerId":"slb001","phoneNumber":"+23276123456"}}`: "destination.providerId",
		`{"amount":{"currency":"SLE","value":100},"destination":{"type":"bank","providerId":"slb001"}}`:                              "destination.accountNumber",
	} {
		res := f.send(req{method: http.MethodPost, path: "/v1/payouts", body: body, headers: map[string]string{"Idempotency-Key": want}})
		require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
		assert.Equal(t, []string{want}, fields(res.apiErr(t)), "%s", res.body)
		assert.NotContains(t, string(res.body), "any schema")
	}
}
