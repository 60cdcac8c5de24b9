package monime

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/internal/contract"
)

func TestCreateValidatesEveryLimitBeforeSending(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // multi-byte: limits count characters
	item := func(mut func(*LineItem)) []LineItem {
		li := LineItem{Name: "T-shirt", Price: Money{Currency: "SLE", Value: 100}, Quantity: 1}
		mut(&li)
		return []LineItem{li}
	}
	many := func(n int) []LineItem {
		out := make([]LineItem, n)
		for i := range out {
			out[i] = LineItem{Name: "x", Price: Money{Currency: "SLE", Value: 1}}
		}
		return out
	}
	bigMeta := Metadata{}
	for i := range 65 {
		bigMeta["k"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+strings.Repeat("y", i/26)] = "v"
	}
	require.Len(t, bigMeta, 65)

	cases := []struct {
		name   string
		mut    func(*CheckoutSessionCreateParams)
		fields []string
	}{
		{"name missing", func(p *CheckoutSessionCreateParams) { p.Name = "" }, []string{"name"}},
		{"name too long", func(p *CheckoutSessionCreateParams) { p.Name = long(151) }, []string{"name"}},
		{"name invalid UTF-8", func(p *CheckoutSessionCreateParams) { p.Name = "a\xffb" }, []string{"name"}},
		{"description too long", func(p *CheckoutSessionCreateParams) { p.Description = long(1001) }, []string{"description"}},
		{"success URL relative", func(p *CheckoutSessionCreateParams) { p.SuccessURL = "/ok" }, []string{"successUrl"}},
		{"cancel URL without a scheme", func(p *CheckoutSessionCreateParams) { p.CancelURL = "shop.example/cancel" }, []string{"cancelUrl"}},
		{"success URL too long", func(p *CheckoutSessionCreateParams) { p.SuccessURL = "https://x.example/" + strings.Repeat("a", 240) }, []string{"successUrl"}},
		{"callback state too long", func(p *CheckoutSessionCreateParams) { p.CallbackState = long(256) }, []string{"callbackState"}},
		{"reference too long", func(p *CheckoutSessionCreateParams) { p.Reference = long(256) }, []string{"reference"}},
		{"financial account too long", func(p *CheckoutSessionCreateParams) { p.FinancialAccountID = long(101) }, []string{"financialAccountId"}},
		{"no line items", func(p *CheckoutSessionCreateParams) { p.LineItems = nil }, []string{"lineItems"}},
		{"17 line items", func(p *CheckoutSessionCreateParams) { p.LineItems = many(17) }, []string{"lineItems"}},
		{"item id set", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.ID = "sli-1" }) }, []string{"lineItems[0].id"}},
		{"item type unknown", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Type = "product" }) }, []string{"lineItems[0].type"}},
		{"item name missing", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Name = "" }) }, []string{"lineItems[0].name"}},
		{"item name too long", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Name = long(101) }) }, []string{"lineItems[0].name"}},
		{"currency missing", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Price.Currency = "" }) }, []string{"lineItems[0].price.currency"}},
		{"currency EUR", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Price.Currency = "EUR" })
		}, []string{"lineItems[0].price.currency"}},
		{"currency lower case", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Price.Currency = "sle" })
		}, []string{"lineItems[0].price.currency"}},
		{"quantity negative", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Quantity = -1 }) }, []string{"lineItems[0].quantity"}},
		{"quantity too big", func(p *CheckoutSessionCreateParams) { p.LineItems = item(func(l *LineItem) { l.Quantity = 100001 }) }, []string{"lineItems[0].quantity"}},
		{"item reference too long", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Reference = long(101) })
		}, []string{"lineItems[0].reference"}},
		{"item references repeat", func(p *CheckoutSessionCreateParams) {
			p.LineItems = []LineItem{{Name: "a", Price: Money{"SLE", 1}, Reference: "r"}, {Name: "b", Price: Money{"SLE", 1}, Reference: "r"}}
		}, []string{"lineItems[1].reference"}},
		{"item description too long", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Description = long(101) })
		}, []string{"lineItems[0].description"}},
		{"four images", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) {
				l.Images = []string{"https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4"}
			})
		}, []string{"lineItems[0].images"}},
		{"repeated image", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Images = []string{"https://a.example/1", "https://a.example/1"} })
		}, []string{"lineItems[0].images[1]"}},
		{"image not a URL", func(p *CheckoutSessionCreateParams) {
			p.LineItems = item(func(l *LineItem) { l.Images = []string{"tee.png"} })
		}, []string{"lineItems[0].images[0]"}},
		{"unknown momo provider", func(p *CheckoutSessionCreateParams) {
			p.PaymentOptions = &PaymentOptions{Momo: &MethodOptions{EnabledProviders: []string{"m99"}}}
		}, []string{"paymentOptions.momo.enabledProviders[0]"}},
		{"bank provider under wallet", func(p *CheckoutSessionCreateParams) {
			p.PaymentOptions = &PaymentOptions{Wallet: &MethodOptions{DisabledProviders: []string{"slb001"}}}
		}, []string{"paymentOptions.wallet.disabledProviders[0]"}},
		{"repeated bank provider", func(p *CheckoutSessionCreateParams) {
			p.PaymentOptions = &PaymentOptions{Bank: &MethodOptions{EnabledProviders: []string{"slb001", "slb001"}}}
		}, []string{"paymentOptions.bank.enabledProviders[1]"}},
		{"colour too long", func(p *CheckoutSessionCreateParams) { p.BrandingOptions = &BrandingOptions{PrimaryColor: long(256)} }, []string{"brandingOptions.primaryColor"}},
		{"65 metadata keys", func(p *CheckoutSessionCreateParams) { p.Metadata = bigMeta }, []string{"metadata"}},
		{"metadata value too long", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"k": long(101)} }, []string{"metadata.k"}},
		{"metadata value not UTF-8", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"k": "a\xff"} }, []string{"metadata.k"}},
		{"metadata key empty", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"": "v"} }, []string{"metadata."}},
		{"metadata key too long", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{long(65): "v"} }, []string{`metadata."` + long(32) + `..."`}},
		{"metadata key with a newline", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"a\nb": "v"} }, []string{`metadata."a\nb"`}},
		{"metadata key with a dot", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"a.b": "v"} }, []string{"metadata.a.b"}},
		{"metadata key with a space", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"a b": "v"} }, []string{"metadata.a b"}},
		{"metadata key starting with _", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"_x": "v"} }, []string{"metadata._x"}},
		{"metadata key starting with -", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"-x": "v"} }, []string{"metadata.-x"}},
		{"metadata key reserved", func(p *CheckoutSessionCreateParams) { p.Metadata = Metadata{"MonimeRef": "v"} }, []string{"metadata.MonimeRef"}},
		{"several at once", func(p *CheckoutSessionCreateParams) {
			p.Name = ""
			p.SuccessURL = "nope"
			p.LineItems = item(func(l *LineItem) { l.Price.Currency = "EUR"; l.Quantity = 0; l.Price.Value = -5 })
		}, []string{"name", "successUrl", "lineItems[0].price.currency"}},
	}
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := validParams()
			tc.mut(p)
			_, err := c.CheckoutSessions.Create(context.Background(), p)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			var got []string
			for _, pr := range ve.Problems {
				got = append(got, pr.Field)
				assert.NotEmpty(t, pr.Problem)
			}
			assert.Equal(t, tc.fields, got, "problems: %v", err)
			assert.Contains(t, err.Error(), "nothing was sent")
		})
	}
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")

	_, err := c.CheckoutSessions.Create(context.Background(), nil)
	require.ErrorAs(t, err, new(*ValidationError))
}

// Nothing stricter than Monime's document and docs: app schemes, any
// colour text, a zero or negative price and any id but a dot segment are
// Monime's to judge; metadata keys follow the rules Monime's docs state.
func TestValidParamsPass(t *testing.T) {
	p := validParams()
	p.LineItems = append(p.LineItems, LineItem{Name: strings.Repeat("é", 100), Price: Money{"USD", 0}, Quantity: 100000,
		Images: []string{"https://a.example/1", "http://a.example/2", "https://a.example/3"}, Type: "custom"},
		LineItem{Name: "discount", Price: Money{"SLE", -500}})
	p.Name = strings.Repeat("é", 150)
	p.SuccessURL = "myshop://orders/1042/paid"
	p.Metadata = Metadata{"order_id": "1", "Cart-2": strings.Repeat("v", 100), "my_monime": "ok", strings.Repeat("k", 64): "ok"}
	p.BrandingOptions = &BrandingOptions{PrimaryColor: "blue"}
	require.NoError(t, p.Validate())
}

// caph.2025-06-20 takes SLE only ("Currently supported: 'SLE'"), so USD is
// refused before sending when a call, or the client, speaks that release.
func TestUSDNeedsTheReleaseThatAddedIt(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		writeResult(w, wireSession("scs-1"))
	}))
	p := validParams()
	p.LineItems[0].Price.Currency = CurrencyUSD
	_, err := c.CheckoutSessions.Create(context.Background(), p, WithAPIVersion(APIVersion20250620))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "lineItems[0].price.currency", ve.Problems[0].Field)
	assert.Contains(t, ve.Problems[0].Problem, APIVersion)
	assert.Zero(t, sent.Load())

	old, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }), WithAPIVersion(APIVersion20250620))
	_, err = old.CheckoutSessions.Create(context.Background(), p)
	require.ErrorAs(t, err, &ve)
	assert.Zero(t, sent.Load())

	_, err = c.CheckoutSessions.Create(context.Background(), p)
	require.NoError(t, err, "the default release takes USD")
	assert.Equal(t, int32(1), sent.Load())
}

// Only an empty id and the dot segments "." and ".." are refused: any other
// id is escaped into one path segment, so it cannot reach another path.
func TestIDsCannotEscapeThePath(t *testing.T) {
	var paths []string
	// A plain server: the contract's router matches decoded paths, which
	// these ids are built to confuse.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		writeError(w, 404, "not_found", "no such session")
	}))
	defer srv.Close()
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
	require.NoError(t, err)
	for _, id := range []string{"", ".", ".."} {
		_, err := c.CheckoutSessions.Get(context.Background(), id)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "id %q", id)
		assert.Equal(t, "id", ve.Problems[0].Field)
		err = c.CheckoutSessions.Delete(context.Background(), id)
		require.ErrorAs(t, err, &ve, "id %q", id)
	}
	assert.Empty(t, paths)
	for _, id := range []string{"../scs-1", "scs/1", "scs?x=1", "scs#f", "scs%2F1", "é"} {
		_, err := c.CheckoutSessions.Get(context.Background(), id, WithMaxRetries(0))
		require.ErrorIs(t, err, ErrNotFound, "id %q", id)
	}
	require.Len(t, paths, 6)
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, "/v1/checkout-sessions/")
		require.True(t, ok, p)
		assert.NotContains(t, rest, "/", "one escaped segment: %s", p)
	}
	_, err = c.CheckoutSessions.List(context.Background(), &CheckoutSessionListParams{Limit: 51})
	require.ErrorAs(t, err, new(*ValidationError))
	_, err = c.CheckoutSessions.List(context.Background(), &CheckoutSessionListParams{Limit: -1})
	require.ErrorAs(t, err, new(*ValidationError))
	_, err = c.CheckoutSessions.List(context.Background(), &CheckoutSessionListParams{After: strings.Repeat("é", 2001)})
	require.ErrorAs(t, err, new(*ValidationError))
	require.Len(t, paths, 6)
}

// The client's limits are the spec's: change one without the other and this fails.
func TestLimitsMatchTheSpec(t *testing.T) {
	doc, err := contract.Spec()
	require.NoError(t, err)
	schemas := doc.T.Components.Schemas
	prop := func(schema string, path ...string) *openapi3.Schema {
		s := schemas[schema].Value
		for _, p := range path {
			if p == "[]" {
				s = s.Items.Value
				continue
			}
			ref, ok := s.Properties[p]
			require.True(t, ok, "%s has no property %s", schema, p)
			s = ref.Value
		}
		return s
	}
	u64 := func(n int) uint64 { return uint64(n) }
	req := "CreateCheckoutSessionRequest"
	assert.Equal(t, u64(maxNameLen), *prop(req, "name").MaxLength)
	assert.Equal(t, u64(maxDescriptionLen), *prop(req, "description").MaxLength)
	assert.Equal(t, u64(maxURLLen), *prop(req, "successUrl").MaxLength)
	assert.Equal(t, u64(maxURLLen), *prop(req, "cancelUrl").MaxLength)
	assert.Equal(t, u64(maxCallbackStateLen), *prop(req, "callbackState").MaxLength)
	assert.Equal(t, u64(maxReferenceLen), *prop(req, "reference").MaxLength)
	assert.Equal(t, u64(maxFinancialAcctLen), *prop(req, "financialAccountId").MaxLength)
	assert.Equal(t, u64(minLineItems), prop(req, "lineItems").MinItems)
	assert.Equal(t, u64(maxLineItems), *prop(req, "lineItems").MaxItems)
	item := "LineItemInput"
	assert.Equal(t, u64(maxItemNameLen), *prop(item, "name").MaxLength)
	assert.Equal(t, u64(maxItemReferenceLen), *prop(item, "reference").MaxLength)
	assert.Equal(t, u64(maxItemDescLen), *prop(item, "description").MaxLength)
	assert.Equal(t, float64(minQuantity), *prop(item, "quantity").Min)
	assert.Equal(t, float64(maxQuantity), *prop(item, "quantity").Max)
	assert.Equal(t, u64(maxImages), *prop(item, "images").MaxItems)
	assert.True(t, prop(item, "images").UniqueItems)
	assert.Nil(t, prop("Money", "value").Min, "Monime's document sets no minimum")
	assert.ElementsMatch(t, []any{"SLE", "USD"}, prop("Money", "currency").Enum)
	assert.ElementsMatch(t, []any{LineItemTypeCustom}, prop(item, "type").Enum)
	assert.Equal(t, u64(maxPrimaryColorLen), *prop("BrandingOptions", "primaryColor").MaxLength)
	assert.Equal(t, u64(maxMetadataKeys), *schemas["Metadata"].Value.MaxProps)
	assert.Equal(t, u64(maxMetadataValueLen), *schemas["Metadata"].Value.AdditionalProperties.Schema.Value.MaxLength)
	for method, ids := range validProviders {
		var want []any
		for _, id := range ids {
			want = append(want, id)
		}
		schema := map[string]string{"bank": "BankProvider", "momo": "MomoProvider", "wallet": "WalletProvider"}[method]
		assert.ElementsMatch(t, want, schemas[schema].Value.Enum, method)
	}
	params := doc.T.Components.Parameters
	assert.Equal(t, u64(maxIdempotencyKey), *params["IdempotencyKey"].Value.Schema.Value.MaxLength)
	assert.Equal(t, u64(maxSpaceIDLength), *params["MonimeSpaceId"].Value.Schema.Value.MaxLength)
	assert.Nil(t, params["SessionId"].Value.Schema.Value.MaxLength, "Monime's document sets no maximum")
	assert.Equal(t, float64(maxLimit), *params["Limit"].Value.Schema.Value.Max)
	assert.Equal(t, u64(maxCursorLen), *params["After"].Value.Schema.Value.MaxLength)
	assert.ElementsMatch(t, []any{APIVersion, APIVersion20250620}, schemas["MonimeVersion"].Value.Enum)

	for _, acct := range []string{"CreateFinancialAccountRequest", "UpdateFinancialAccountRequest"} {
		assert.Equal(t, u64(maxAccountNameLen), *prop(acct, "name").MaxLength, acct)
		assert.Equal(t, u64(maxAccountReferenceLen), *prop(acct, "reference").MaxLength, acct)
		assert.Equal(t, u64(maxAccountDescLen), *prop(acct, "description").MaxLength, acct)
	}
	list := doc.T.Paths.Find("/v1/financial-accounts").Get.Parameters
	assert.Equal(t, u64(maxUVANLen), *list.GetByInAndName("query", "uvan").Schema.Value.MaxLength)
	assert.Equal(t, u64(maxAccountReferenceLen), *list.GetByInAndName("query", "reference").Schema.Value.MaxLength)
	assert.Equal(t, "^"+accounts.idPrefix+".*$", params["FinancialAccountId"].Value.Schema.Value.Pattern)

	assert.Equal(t, u64(maxTransferDescLen), *prop("CreateInternalTransferRequest", "description").MaxLength)
	assert.Equal(t, u64(maxTransferUpdateDescLen), *prop("UpdateInternalTransferRequest", "description").MaxLength)
	assert.Equal(t, u64(maxAccountRefLen), *prop("AccountRef", "id").MaxLength)
	assert.Nil(t, prop("PayoutSource", "financialAccountId").MaxLength, "Monime's document sets no maximum")
	assert.Equal(t, "^"+payouts.idPrefix+".*$", params["PayoutId"].Value.Schema.Value.Pattern)
	assert.Equal(t, "^"+transfers.idPrefix+".*$", params["InternalTransferId"].Value.Schema.Value.Pattern)
	assert.Equal(t, "^"+transactions.idPrefix+".*$", params["TransactionId"].Value.Schema.Value.Pattern)
	assert.Equal(t, "^[A-Z]{2}$", params["CountryFilter"].Value.Schema.Value.Pattern, "ProviderListParams.check tests this pattern")
	assert.ElementsMatch(t, []any{"credit", "debit"}, schemas["FinancialTransactionType"].Value.Enum)
	assert.ElementsMatch(t, []any{string(InternalTransferPending), string(InternalTransferProcessing), string(InternalTransferCompleted),
		string(InternalTransferFailed)}, schemas["InternalTransferStatus"].Value.Enum)
	kyc := doc.T.Paths.Find("/v1/provider-kyc/{providerId}").Get.Parameters.GetByInAndName("query", "accountId").Schema.Value
	assert.Nil(t, kyc.MaxLength, "Monime's document sets no maximum")

	enumOf := func(vs ...string) []any {
		out := make([]any, len(vs))
		for i, v := range vs {
			out[i] = v
		}
		return out
	}
	for _, code := range []string{"CreatePaymentCodeRequest", "UpdatePaymentCodeRequest"} {
		assert.Equal(t, u64(minCodeNameLen), prop(code, "name").MinLength, code)
		assert.Equal(t, u64(maxCodeNameLen), *prop(code, "name").MaxLength, code)
		assert.Equal(t, u64(maxCodeReferenceLen), *prop(code, "reference").MaxLength, code)
		assert.Equal(t, u64(maxCustomerNameLen), *prop(code, "customer", "name").MaxLength, code)
		assert.Equal(t, u64(1), prop(code, "authorizedProviders").MinItems, code)
		assert.Equal(t, u64(maxAuthorizedProviders), *prop(code, "authorizedProviders").MaxItems, code)
		assert.True(t, prop(code, "authorizedProviders").UniqueItems, code)
		assert.ElementsMatch(t, enumOf(codeProviders...), prop(code, "authorizedProviders", "[]").Enum, code)
		assert.Equal(t, u64(maxCodeAccountLen), *prop(code, "financialAccountId").MaxLength, code)
		assert.Equal(t, "^"+accounts.idPrefix+".*$", prop(code, "financialAccountId").Pattern, code)
		assert.Equal(t, float64(1), *prop(code, "recurrentPaymentTarget", "expectedPaymentCount").Min, code)
	}
	assert.ElementsMatch(t, enumOf(string(PaymentCodeOneTime), string(PaymentCodeRecurrent)), prop("CreatePaymentCodeRequest", "mode").Enum)
	assert.ElementsMatch(t, enumOf(string(PaymentCodeOneTime), string(PaymentCodeRecurrent)), schemas["PaymentCodeMode"].Value.Enum)
	assert.ElementsMatch(t, enumOf(string(PaymentCodePending), string(PaymentCodeProcessing), string(PaymentCodeCompleted),
		string(PaymentCodeExpired), string(PaymentCodeCancelled)), schemas["PaymentCodeStatus"].Value.Enum)
	assert.Equal(t, "^"+paymentCodes.idPrefix+".*$", params["PaymentCodeId"].Value.Schema.Value.Pattern)

	assert.Equal(t, u64(1), prop("CreateUSSDOTPRequest", "authorizedPhoneNumber").MinLength)
	assert.Equal(t, u64(maxVerificationMessageLen), *prop("CreateUSSDOTPRequest", "verificationMessage").MaxLength)
	assert.ElementsMatch(t, enumOf(string(USSDOTPPending), string(USSDOTPVerified), string(USSDOTPExpired)), schemas["USSDOTPStatus"].Value.Enum)
	assert.Empty(t, params["USSDOTPId"].Value.Schema.Value.Pattern, "Monime's document gives OTP ids no pattern")
	assert.Empty(t, ussdOTPs.idPrefix)

	assert.Equal(t, u64(1), params["OrderNumber"].Value.Schema.Value.MinLength)
	assert.Equal(t, u64(maxOrderNumberLen), *params["OrderNumber"].Value.Schema.Value.MaxLength)
	assert.Equal(t, u64(1), prop("RedeemReceiptRequest", "entitlements", "[]", "key").MinLength)
	assert.Equal(t, u64(maxEntitlementKeyLen), *prop("RedeemReceiptRequest", "entitlements", "[]", "key").MaxLength)
	assert.Equal(t, float64(1), *prop("RedeemReceiptRequest", "entitlements", "[]", "units").Min)
	assert.ElementsMatch(t, enumOf(string(ReceiptNotRedeemed), string(ReceiptPartiallyRedeemed), string(ReceiptFullyRedeemed)),
		schemas["ReceiptStatus"].Value.Enum)

	for _, hook := range []string{"CreateWebhookRequest", "UpdateWebhookRequest"} {
		assert.Equal(t, u64(1), prop(hook, "name").MinLength, hook)
		assert.Equal(t, u64(maxWebhookNameLen), *prop(hook, "name").MaxLength, hook)
		assert.Equal(t, u64(maxWebhookURLLen), *prop(hook, "url").MaxLength, hook)
		assert.Equal(t, "uri", prop(hook, "url").Format, hook)
		assert.Equal(t, u64(1), prop(hook, "events").MinItems, hook)
		assert.Equal(t, u64(maxWebhookEvents), *prop(hook, "events").MaxItems, hook)
		assert.True(t, prop(hook, "events").UniqueItems, hook)
		assert.Equal(t, u64(1), prop(hook, "events", "[]").MinLength, hook)
		assert.Equal(t, u64(maxWebhookHeaders), *prop(hook, "headers").MaxProps, hook)
		assert.Equal(t, u64(maxAlertEmails), *prop(hook, "alertEmails").MaxItems, hook)
		assert.True(t, prop(hook, "alertEmails").UniqueItems, hook)
	}
	assert.Contains(t, prop("CreateWebhookRequest", "apiRelease").Enum, string(gen.CreateWebhookRequestApiReleaseCaph))
	assert.Equal(t, u64(minSecretLen), prop("HS256Verification", "secret").MinLength)
	assert.Equal(t, u64(maxSecretLen), *prop("HS256Verification", "secret").MaxLength)
	assert.ElementsMatch(t, []any{WebhookHS256}, prop("HS256Verification", "type").Enum)
	assert.ElementsMatch(t, []any{WebhookES256}, prop("ES256Verification", "type").Enum)
	assert.Equal(t, "^"+webhooks.idPrefix+".*$", params["WebhookId"].Value.Schema.Value.Pattern)

	country := doc.T.Paths.Find("/v1/countries/{countryCode}").Get.Parameters.GetByInAndName("path", "countryCode").Schema.Value
	assert.Equal(t, "^[A-Z]{2}$", country.Pattern, "checkCountryCode tests this pattern")
}

func TestValidationErrorHelpers(t *testing.T) {
	err := (&CheckoutSessionCreateParams{}).Validate()
	var ve *ValidationError
	require.True(t, errors.As(err, &ve))
	f, ok := ve.Field("lineItems")
	assert.True(t, ok)
	assert.Contains(t, f.Problem, "1 to 16")
	_, ok = ve.Field("nope")
	assert.False(t, ok)
	assert.Contains(t, err.Error(), "2 invalid parameters")
}

func TestHugeInputIsRefusedQuickly(t *testing.T) {
	items := make([]LineItem, 40000)
	for i := range items {
		items[i] = LineItem{Name: "x", Price: Money{"SLE", 1}, Reference: "same", Images: make([]string, 20000/len(items)+2)}
	}
	err := (&CheckoutSessionCreateParams{Name: "n", LineItems: items}).Validate()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "lineItems", ve.Problems[0].Field)
	assert.Less(t, len(ve.Problems), 200, "past the 16th item nothing more is checked in detail")
}
