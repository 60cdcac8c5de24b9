// Package api is an in-memory fake of Monime's checkout-sessions API, built on
// the server code generated from spec/monime.yaml so that it cannot drift from
// the contract.
//
// A *Server is an http.Handler: run it under httptest.NewServer (or any
// http.Server) and point a client at it. It validates every request against
// the spec with kin-openapi (400 validation_error with one detail per
// violation), checks credentials (401, 403), keeps checkout sessions per space
// with Monime's idempotency rules, pages lists with an opaque cursor, and
// answers every response with a Monime-Request-Id. With
// WithResponseValidation(true) it also validates every response it sends, so
// the fake and the spec can never disagree unnoticed.
//
// Tests drive the rest directly: Complete, Cancel, Expire and Start play the
// customer and the clock; InjectFault and WithFaultFunc make requests fail,
// reset, drop or slow down; Sessions and Session show what is stored,
// including the fields the read API hides.
//
//	srv := api.New(api.WithResponseValidation(true))
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	// POST ts.URL+"/v1/checkout-sessions" with
//	// "Authorization: Bearer "+api.DefaultToken and "Monime-Space-Id: "+api.DefaultSpaceID
package api
