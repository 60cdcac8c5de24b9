package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
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
		resp := &http.Response{StatusCode: status, Header: http.Header{"Monime-Request-Id": {"req-1"}}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: length}
		st := &callState{verb: "GET", route: "/v1/checkout-sessions/", id: "scs-1", attempts: 1}
		s, err := sessionResult(c, st, resp, nil)
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
		if s.ID == "" {
			t.Fatal("a session without id was returned")
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
			case value < 0 || qty < 0 || qty > maxQuantity:
				t.Fatalf("accepted value %d quantity %d", value, qty)
			case ref != "":
				t.Fatalf("accepted a repeated reference %q", ref)
			case !isMetadataKey(key) || key == "" || len(key) > maxMetadataKeyLen:
				t.Fatalf("accepted metadata key %q", key)
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

// FuzzCheckID: an accepted id can never change the request's path.
func FuzzCheckID(f *testing.F) {
	for _, s := range []string{"scs-1", "../x", "a/b", "a?b", "%2F", "..", ".", "_", "-.", "a b", "\x00", "é", ".a"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://api.monime.io/")
	f.Fuzz(func(t *testing.T, id string) {
		if checkID("fuzz", id) != nil {
			return
		}
		if strings.ContainsAny(id, "/?#% \\") || strings.Contains(id, "..") || id == "" || len(id) > maxIDLen {
			t.Fatalf("accepted id %q", id)
		}
		// Resolved as the generated client does, the id stays the last
		// segment of the session's path.
		u, err := base.Parse("./v1/checkout-sessions/" + id)
		if err != nil || u.Path != "/v1/checkout-sessions/"+id || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("id %q reaches %v (err %v)", id, u, err)
		}
	})
}

// FuzzPlainWebURL: every URL the fast path accepts, url.Parse accepts too,
// as an absolute http(s) URL with a host.
func FuzzPlainWebURL(f *testing.F) {
	for _, s := range []string{"https://shop.example/ok", "http://a/b?c=d#e", "https://a:1/", "https://[::1]/", "https://a%20b/", "https://u@h/", "https://h/p@x:y", "http://", "https:///x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainWebURL(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("fast path accepted %q, url.Parse says %v (%v)", s, u, err)
		}
	})
}
