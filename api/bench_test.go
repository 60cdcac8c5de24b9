package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func benchRequest(method, target, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+DefaultToken)
	r.Header.Set("Monime-Space-Id", DefaultSpaceID)
	return r
}

// BenchmarkCreate measures one create, end to end in the handler, with the
// request validated against spec/ (the default) and without: BENCHMARKS.md
// compares the two.
func BenchmarkCreate(b *testing.B) {
	b.Run("validation=on", func(b *testing.B) { benchCreate(b, mustNew(b)) })
	b.Run("validation=off", func(b *testing.B) { benchCreate(b, mustNew(b, WithRequestValidation(false))) })
}

// BenchmarkNew shows that a server costs no spec parse: the contract is
// loaded once per process and shared.
func BenchmarkNew(b *testing.B) {
	mustNew(b) // the one parse, outside the loop
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCreate(b *testing.B, srv *Server) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r := benchRequest(http.MethodPost, "/v1/checkout-sessions", fullBody)
		r.Header.Set("Idempotency-Key", "bench-"+strconv.Itoa(i))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkGet measures one validated read among 1000 sessions.
func BenchmarkGet(b *testing.B) {
	srv := mustNew(b)
	var id string
	for i := range 1000 {
		r := benchRequest(http.MethodPost, "/v1/checkout-sessions", minimalBody)
		r.Header.Set("Idempotency-Key", "seed-"+strconv.Itoa(i))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		id = w.Body.String()[strings.Index(w.Body.String(), "scs-"):][:18]
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, benchRequest(http.MethodGet, "/v1/checkout-sessions/"+id, ""))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
