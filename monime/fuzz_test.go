package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/monimekit/monime-go/gen"
)

// FuzzDecodeResponse feeds arbitrary status codes and bodies to the response
// decoder: it must never panic, must answer every failure with an error a
// caller can read (a non-2xx is always a *Error with that status), and must
// never report success for a body that says success:false.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"messages":[],"result":{"id":"scs-1","status":"pending","lineItems":{"data":[]},"metadata":{"a":1}}}`))
	f.Add(200, []byte(`{"success":false,"error":{"code":409,"reason":"x","message":"m","details":"oops"}}`))
	f.Add(429, []byte(`{"success":false,"messages":[null],"error":{"code":429,"reason":"too_many_requests","message":"slow","details":[{"a":1}]}}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(200, []byte(``))
	f.Add(200, []byte(`{"success":true,"result":{"id":"scs-1","lineItems":[{"name":"x"}],"metadata":null,"expireTime":null}}`))
	f.Add(404, []byte(`{"success":false,"messages":"not a list","error":null}`))
	f.Add(200, []byte("{\"success\":true,\"result\":{\"id\":\"\xff\"}}"))
	c, err := NewClient(testToken, testSpace)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status&0x7fffffff)%400
		}
		length := int64(len(body)) // as net/http reports a Content-Length...
		if status%2 == 1 {
			length = -1 // ...or a chunked body of unknown length
		}
		ans := &answer{status: status, header: http.Header{"Monime-Request-Id": {"req-1"}}}
		var rerr error
		ans.body, rerr = readBody(bytes.NewReader(body), length, maxResponseBytes)
		if rerr != nil {
			t.Fatalf("reading %d bytes: %v", len(body), rerr)
		}
		cl := &call{c: c, cfg: c.cfg, method: "GET", path: "/v1/checkout-sessions/scs-1", attempts: 1}
		s, err := readOne[sessionJSON, CheckoutSession](cl, ans, nil, "checkout session")
		if err != nil {
			if s != nil {
				t.Fatalf("both a result and an error")
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			if status < 200 || status > 299 {
				var apiErr *Error
				if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
					t.Fatalf("status %d: want *Error with that status, got %v", status, err)
				}
			}
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("status %d decoded as success", status)
		}
		var probe struct {
			Success *bool `json:"success"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Success != nil && !*probe.Success {
			t.Fatalf("success:false decoded as success: %s", body)
		}
		if s.ID == "" || s.Status == "" {
			t.Fatal("a session without id or status was returned")
		}
	})
}

// FuzzValidateCreateParams: validation never panics, and whatever it
// accepts stays inside the spec's limits.
func FuzzValidateCreateParams(f *testing.F) {
	f.Add("Order", "T-shirt", "SLE", int64(100), 1, "https://a.example/ok", "cart", "c_77", "ref")
	f.Add("", "", "", int64(-1), -5, "javascript:x", "_x", "", "")
	f.Add(strings.Repeat("é", 151), "x\x00", "USD", int64(1)<<62, 100000, "http://[::1", "monimeKey", strings.Repeat("v", 101), "r")
	f.Add("a\xffb", "n", "sle", int64(0), 0, "/relative", "a.b", "v", strings.Repeat("r", 101))
	f.Fuzz(func(t *testing.T, name, item, currency string, value int64, qty int, successURL, key, val, ref string) {
		p := &CheckoutSessionCreateParams{
			Name:       name,
			SuccessURL: successURL,
			LineItems: []LineItem{
				{Name: item, Price: Money{Currency: Currency(currency), Value: value}, Quantity: qty, Reference: ref},
				{Name: "second", Price: Money{Currency: CurrencySLE, Value: value}, Quantity: qty, Reference: ref},
			},
			Metadata: Metadata{key: val},
		}
		err := p.Validate()
		if err == nil {
			switch {
			case name == "" || utf8.RuneCountInString(name) > maxNameLen || !utf8.ValidString(name):
				t.Fatalf("accepted name %q", name)
			case currency != "SLE" && currency != "USD":
				t.Fatalf("accepted currency %q", currency)
			case qty < 0 || qty > maxQuantity:
				t.Fatalf("accepted quantity %d", qty)
			case ref != "":
				t.Fatalf("accepted a repeated reference %q", ref)
			case utf8.RuneCountInString(val) > maxMetadataValueLen || !utf8.ValidString(val):
				t.Fatalf("accepted metadata value %q", val)
			}
			if _, err := json.Marshal(p.toWire()); err != nil {
				t.Fatalf("valid params do not encode: %v", err)
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("want a *ValidationError with problems, got %v", err)
		}
	})
}

// FuzzCheckID: an accepted id, escaped into the path as the generated
// builder does, can never change the request's path.
func FuzzCheckID(f *testing.F) {
	for _, s := range []string{"scs-1", "../x", "a/b", "a?b", "%2F", "..", ".", "_", "-.", "a b", "\x00", "é", ".a", "fac-1", "fac-1/../x", "fac-?x", "fac-#", "pmc-1", "whk-../x", "SL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if sessions.checkID("fuzz", id) == nil {
			req, err := gen.NewGetCheckoutSessionRequest("https://api.monime.io/", id, nil)
			if err == nil && (req.URL.Path != "/v1/checkout-sessions/"+id || req.URL.RawQuery != "" || req.URL.Fragment != "" || req.URL.Host != "api.monime.io") {
				t.Fatalf("id %q reaches %v", id, req.URL)
			}
		}
		if accounts.checkID("fuzz", id) == nil {
			if !strings.HasPrefix(id, "fac-") {
				t.Fatalf("accepted the account id %q", id)
			}
			req, err := gen.NewGetFinancialAccountRequest("https://api.monime.io/", id, nil)
			if err == nil && (req.URL.Path != "/v1/financial-accounts/"+id || req.URL.RawQuery != "" || req.URL.Fragment != "" || req.URL.Host != "api.monime.io") {
				t.Fatalf("account id %q reaches %v", id, req.URL)
			}
		}
		for _, r := range []struct {
			check  func(op, id string) error
			prefix string
			build  func(server, id string) (*http.Request, error)
		}{
			{payouts.checkID, "pyt-", func(s, id string) (*http.Request, error) { return gen.NewGetPayoutRequest(s, id, nil) }},
			{transfers.checkID, "trn-", func(s, id string) (*http.Request, error) { return gen.NewGetInternalTransferRequest(s, id, nil) }},
			{transactions.checkID, "txn-", func(s, id string) (*http.Request, error) { return gen.NewGetTransactionRequest(s, id, nil) }},
			{banks.checkID, "", func(s, id string) (*http.Request, error) { return gen.NewGetBankRequest(s, id, nil) }},
			{paymentCodes.checkID, "pmc-", func(s, id string) (*http.Request, error) { return gen.NewGetPaymentCodeRequest(s, id, nil) }},
			{ussdOTPs.checkID, "", func(s, id string) (*http.Request, error) { return gen.NewGetUSSDOTPRequest(s, id, nil) }},
			{receipts.checkID, "", func(s, id string) (*http.Request, error) { return gen.NewRetrieveReceiptRequest(s, id, nil) }},
			{webhooks.checkID, "whk-", func(s, id string) (*http.Request, error) { return gen.NewGetWebhookRequest(s, id, nil) }},
			{countries.checkID, "", func(s, id string) (*http.Request, error) { return gen.NewGetCountryRequest(s, id, nil) }},
			{kycs.checkID, "", func(s, id string) (*http.Request, error) {
				return gen.NewGetProviderKYCRequest(s, id, &gen.GetProviderKYCParams{AccountId: "+232&x=1#y"})
			}},
		} {
			if r.check("fuzz", id) != nil {
				continue
			}
			if !strings.HasPrefix(id, r.prefix) {
				t.Fatalf("accepted the id %q without %s", id, r.prefix)
			}
			req, err := r.build("https://api.monime.io/", id)
			if err == nil && (!strings.HasSuffix(req.URL.Path, "/"+id) || strings.Count(req.URL.Path, "/") != 3+strings.Count(id, "/") ||
				req.URL.Fragment != "" || req.URL.Host != "api.monime.io" || len(req.URL.Query()) > 1) {
				t.Fatalf("id %q reaches %v", id, req.URL)
			}
		}
	})
}
