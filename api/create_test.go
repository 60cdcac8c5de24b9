package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

const fullBody = `{
  "name": "Order #1042",
  "description": "Two T-shirts",
  "successUrl": "https://shop.example/ok",
  "cancelUrl": "https://shop.example/cancel",
  "reference": "1042",
  "callbackState": "cart-c_77",
  "financialAccountId": "fac-monimetest",
  "lineItems": [
    {"type": "custom", "name": "T-shirt", "price": {"currency": "SLE", "value": 15000}, "quantity": 2,
     "reference": "sku-tee", "description": "blue", "images": ["https://shop.example/tee.png"]},
    {"name": "Cap", "price": {"currency": "USD", "value": 500}}
  ],
  "paymentOptions": {"card": {"disable": true}, "momo": {"enabledProviders": ["m17", "m18"]}},
  "brandingOptions": {"primaryColor": "#0A7CFF"},
  "metadata": {"cart": "c_77"}
}`

func TestCreateReturnsTheSessionAndGetReadsItBack(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: fullBody})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Empty(t, res.header.Get("Monime-Cache"), "a first create is not a replay")
	s := res.session(t)

	assert.Regexp(t, `^scs-[0-9A-Za-z]{14}$`, s.Id)
	assert.Equal(t, "Order #1042", s.Name)
	assert.Equal(t, gen.CheckoutSessionStatusPending, s.Status)
	assert.Nil(t, s.OrderNumber, "no order number before payment")
	assert.Equal(t, f.ts.URL+"/checkout/"+s.Id, s.RedirectUrl)
	assert.Equal(t, f.clock.Now(), s.CreateTime)
	assert.Equal(t, f.clock.Now().Add(DefaultSessionTTL), s.ExpireTime)
	assert.Equal(t, "https://shop.example/ok", *s.SuccessUrl)
	assert.Equal(t, "https://shop.example/cancel", *s.CancelUrl)
	assert.Equal(t, "1042", *s.Reference)
	assert.Equal(t, "Two T-shirts", *s.Description)
	assert.Equal(t, "fac-monimetest", *s.FinancialAccountId)
	assert.Equal(t, "#0A7CFF", *s.BrandingOptions.PrimaryColor)
	assert.Equal(t, map[string]any{"cart": "c_77"}, *s.Metadata)
	require.NotNil(t, s.OwnershipGraph)
	assert.Equal(t, DefaultSpaceID, *s.OwnershipGraph.Owner.Id)

	require.Len(t, s.LineItems.Data, 2)
	tee, cap := s.LineItems.Data[0], s.LineItems.Data[1]
	assert.Regexp(t, `^sli-`, *tee.Id)
	assert.NotEqual(t, *tee.Id, *cap.Id)
	assert.Equal(t, 2, tee.Quantity)
	assert.Equal(t, gen.Money{Currency: gen.CurrencySLE, Value: 15000}, tee.Price)
	assert.Equal(t, []string{"https://shop.example/tee.png"}, *tee.Images)
	assert.Equal(t, gen.LineItemTypeCustom, cap.Type, "type defaults to custom")
	assert.Equal(t, 1, cap.Quantity, "quantity defaults to 1")

	// The read API hides callbackState and paymentOptions ...
	assert.NotContains(t, string(res.body), "callbackState")
	assert.NotContains(t, string(res.body), "paymentOptions")
	assert.NotContains(t, string(res.body), "cart-c_77")

	got := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id})
	require.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, s, got.session(t))
	assert.NotContains(t, string(got.body), "cart-c_77")

	// ... but the fake keeps them for the hosted page and webhooks.
	stored, ok := Find[Session](f.srv, s.Id)
	require.True(t, ok)
	assert.Equal(t, "cart-c_77", *stored.CallbackState)
	require.NotNil(t, stored.PaymentOptions)
	assert.True(t, *stored.PaymentOptions.Card.Disable)
	assert.Equal(t, []gen.MomoProvider{gen.MomoProviderM17, gen.MomoProviderM18}, *stored.PaymentOptions.Momo.EnabledProviders)
	assert.Equal(t, DefaultSpaceID, stored.SpaceID)
	assert.Equal(t, s, stored.CheckoutSession)
}

func TestSnapshotsAreCopies(t *testing.T) {
	f := newFixture(t)
	s := f.create(fullBody)
	snap, ok := Find[Session](f.srv, s.Id)
	require.True(t, ok)
	snap.LineItems.Data[0].Name = "changed"
	(*snap.Metadata)["cart"] = "changed"
	*snap.PaymentOptions.Card.Disable = false
	*snap.CallbackState = "changed"

	again, _ := Find[Session](f.srv, s.Id)
	assert.Equal(t, "T-shirt", again.LineItems.Data[0].Name)
	assert.Equal(t, "c_77", (*again.Metadata)["cart"])
	assert.True(t, *again.PaymentOptions.Card.Disable)
	assert.Equal(t, "cart-c_77", *again.CallbackState)
	assert.Equal(t, s, f.get(s.Id))
}

func TestHostedPageBaseOption(t *testing.T) {
	f := newFixture(t, WithHostedPageBase("https://pay.example.test/"))
	s := f.create(minimalBody)
	assert.Equal(t, "https://pay.example.test/checkout/"+s.Id, s.RedirectUrl)
}

func TestSessionTTLOption(t *testing.T) {
	f := newFixture(t, WithSessionTTL(5*time.Minute))
	s := f.create(minimalBody)
	assert.Equal(t, 5*time.Minute, s.ExpireTime.Sub(s.CreateTime))
}

func TestSessionsAreScopedToTheirSpace(t *testing.T) {
	f := newFixture(t, WithCredentials("tok", "spc-a", "spc-b"))
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, token: ptr("tok"), space: ptr("spc-a")})
	require.Equal(t, http.StatusOK, res.status)
	s := res.session(t)

	other := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id, token: ptr("tok"), space: ptr("spc-b")})
	assert.Equal(t, http.StatusNotFound, other.status, "a session is invisible from another space")
	assert.Equal(t, ReasonNotFound, other.apiErr(t).Reason)

	list := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions", token: ptr("tok"), space: ptr("spc-b")}).list(t)
	assert.Empty(t, list.Result)
	assert.Len(t, FindAll[Session](f.srv, "spc-a"), 1)
	assert.Empty(t, FindAll[Session](f.srv, "spc-b"))
}

func TestCreateTimesUseTheInjectedClockInUTC(t *testing.T) {
	lagos := time.FixedZone("WAT", 3600)
	at := time.Date(2030, 1, 2, 3, 4, 5, 678_900_000, lagos)
	srv := mustNew(t, WithClock(func() time.Time { return at }), WithResponseValidation(true))
	s := newSession(DefaultSpaceID, "k", &gen.CreateCheckoutSessionRequest{Name: "x"}, "http://h", srv.store.clock(), DefaultSessionTTL)
	assert.Equal(t, time.UTC, s.CreateTime.Location())
	assert.True(t, s.CreateTime.Equal(at.Truncate(time.Millisecond)))
	b, err := json.Marshal(s.CreateTime)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(b), `Z"`), "times are sent in UTC: %s", b)
}

// What Monime fills in when a create leaves it out: the main account
// ("Defaults to the main account if omitted"), a unique reference for each
// line item ("If not provided, a unique identifier will be generated"), and
// null, not absence, for every nullable field that stays unset.
func TestCreateFillsInWhatMonimeDefaults(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions",
		body: `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}},{"name":"b","reference":"mine","price":{"currency":"SLE","value":2}}]}`})
	s := res.session(t)
	assert.Equal(t, MainAccountID(DefaultSpaceID), *s.FinancialAccountId)
	assert.Equal(t, "fac-monimetest", MainAccountID(DefaultSpaceID))
	require.Len(t, s.LineItems.Data, 2)
	require.NotNil(t, s.LineItems.Data[0].Reference)
	assert.NotEmpty(t, *s.LineItems.Data[0].Reference)
	assert.Equal(t, "mine", *s.LineItems.Data[1].Reference)
	again := f.create(`{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`)
	assert.NotEqual(t, *s.LineItems.Data[0].Reference, *again.LineItems.Data[0].Reference, "generated references are unique")

	var raw struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	require.NoError(t, json.Unmarshal(res.body, &raw))
	for _, k := range []string{"orderNumber", "reference", "description", "metadata"} {
		assert.Equal(t, "null", string(raw.Result[k]), "%s is sent as null", k)
	}
	last := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=50"})
	var page struct {
		Pagination map[string]json.RawMessage `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal(last.body, &page))
	assert.Equal(t, "null", string(page.Pagination["next"]), "the last page says next: null (\"If null, you have reached the end\")")

	// The payment settles into the same account, and the list filter finds it.
	_, p := f.paid(minimalBody, "", "")
	assert.Equal(t, MainAccountID(DefaultSpaceID), *p.FinancialAccountId)
	found := f.listPayments(url.Values{"financialAccountId": {MainAccountID(DefaultSpaceID)}})
	require.Len(t, found.Result, 1)
	assert.Equal(t, p.Id, found.Result[0].Id)
}
