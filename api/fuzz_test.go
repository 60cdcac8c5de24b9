package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzCreate posts arbitrary bodies: the fake must answer 200 or a 4xx in
// the Monime envelope, keep to the spec, and never panic or answer 5xx.
func FuzzCreate(f *testing.F) {
	for _, seed := range []string{minimalBody, fullBody, `{}`, `{"name":`, `[]`, `null`, `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1e309}}]}`,
		`{"name":"x","metadata":{"":"v","monimeX":"v"},"lineItems":[{"name":"a","reference":"r","price":{"currency":"SLE","value":1}},{"name":"a","reference":"r","price":{"currency":"USD","value":0}}]}`} {
		f.Add(seed, "k")
	}
	srv := mustNew(f, WithResponseValidation(true))
	f.Fuzz(func(t *testing.T, body, key string) {
		r := httptest.NewRequest(http.MethodPost, "/v1/checkout-sessions", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+DefaultToken)
		r.Header.Set("Monime-Space-Id", DefaultSpaceID)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", key)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code > 499) {
			t.Fatalf("status %d for body %q: %s", w.Code, body, w.Body)
		}
		if v := srv.ResponseViolations(); len(v) > 0 {
			t.Fatalf("answer broke the spec for body %q: %v", body, v[0])
		}
	})
}

// FuzzList sends arbitrary limit and after parameters.
func FuzzList(f *testing.F) {
	f.Add("10", "")
	f.Add("0", "MTpzcGMtbW9uaW1ldGVzdA")
	f.Add("x", "%%")
	f.Add("50", encodeCursor(DefaultSpaceID, 1))
	srv := mustNew(f, WithResponseValidation(true))
	f.Fuzz(func(t *testing.T, limit, after string) {
		q := url.Values{"limit": {limit}, "after": {after}}
		r := httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions?"+q.Encode(), nil)
		r.Header.Set("Authorization", "Bearer "+DefaultToken)
		r.Header.Set("Monime-Space-Id", DefaultSpaceID)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("status %d for limit %q after %q: %s", w.Code, limit, after, w.Body)
		}
		if v := srv.ResponseViolations(); len(v) > 0 {
			t.Fatalf("answer broke the spec for limit %q after %q: %v", limit, after, v[0])
		}
	})
}

// FuzzCursor: decoding never panics, and a cursor that decodes is one the
// fake could have issued.
func FuzzCursor(f *testing.F) {
	f.Add(DefaultSpaceID, encodeCursor(DefaultSpaceID, 7))
	f.Add("spc-a", "Ojo")
	f.Fuzz(func(t *testing.T, space, cursor string) {
		seq, err := decodeCursor(space, cursor)
		if err != nil {
			return
		}
		if seq == 0 {
			t.Fatalf("cursor %q decoded to position 0", cursor)
		}
		if again, err := decodeCursor(space, encodeCursor(space, seq)); err != nil || again != seq {
			t.Fatalf("cursor %q: position %d does not round-trip", cursor, seq)
		}
	})
}
