package api

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nullablePaths lists the members of a schema marked nullable, as
// nullableMembers names them.
func nullablePaths(s *openapi3.Schema, prefix string, out *[]string) {
	if s == nil {
		return
	}
	for _, alt := range slices.Concat(s.OneOf, s.AnyOf, s.AllOf) {
		nullablePaths(alt.Value, prefix, out)
	}
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		path := prefix + name
		if p.Value.Nullable {
			*out = append(*out, path)
		}
		if p.Value.Items != nil && p.Value.Items.Value != nil {
			nullablePaths(p.Value.Items.Value, path+"[].", out)
		}
		nullablePaths(p.Value, path+".", out)
	}
}

// The members the fake reads null as absent in are exactly those Monime's
// document marks nullable in the two request bodies.
func TestNullableMembersMatchMonimesDocument(t *testing.T) {
	path := os.Getenv("MONIME_UPSTREAM_SPEC")
	if path == "" {
		path = "../shared/upstream/monime-openapi-caph.2025-08-23.yaml"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join("..", path) // relative to the repository root
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		msg := "Monime's published document is not at " + path + "; set MONIME_UPSTREAM_SPEC"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (mandatory only when CI=true)")
	}
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	require.NoError(t, err)
	for operation, route := range map[string]struct{ path, method string }{
		"CreateCheckoutSession":  {"/v1/checkout-sessions", http.MethodPost},
		"UpdatePayment":          {"/v1/payments/{id}", http.MethodPatch},
		"CreatePayout":           {"/v1/payouts", http.MethodPost},
		"UpdatePayout":           {"/v1/payouts/{id}", http.MethodPatch},
		"CreateInternalTransfer": {"/v1/internal-transfers", http.MethodPost},
		"PatchInternalTransfer":  {"/v1/internal-transfers/{id}", http.MethodPatch},
	} {
		op := doc.Paths.Find(route.path).GetOperation(route.method)
		require.NotNil(t, op, operation)
		var got []string
		nullablePaths(op.RequestBody.Value.Content.Get("application/json").Schema.Value, "", &got)
		got = slices.Compact(slices.Sorted(slices.Values(got)))
		want := slices.Sorted(slices.Values(nullableMembers[operation]))
		assert.Equal(t, want, got, "%s: the members Monime's document marks nullable", operation)
	}
}

// Dropping null members changes nothing else: a body that is not an object
// is passed on as it came, and a request with a null member is the same
// request, for idempotency, as the one without it.
func TestNullMembersAndIdempotency(t *testing.T) {
	f := newFixture(t)
	for _, body := range []string{`null`, `[null]`, `"null"`, `{"name":"x"} {"metadata":null}`} {
		res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: body, headers: map[string]string{"Idempotency-Key": "k-" + body}})
		assert.Equal(t, http.StatusBadRequest, res.status, "%s: %s", body, res.body)
	}

	with := `{"name":"x","metadata":null,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`
	without := `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`
	first := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: with, headers: map[string]string{"Idempotency-Key": "same"}})
	require.Equal(t, http.StatusOK, first.status, "%s", first.body)
	again := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: without, headers: map[string]string{"Idempotency-Key": "same"}})
	require.Equal(t, http.StatusOK, again.status, "%s", again.body)
	assert.Equal(t, "irc", again.header.Get("Monime-Cache"), "the same request, replayed")
	assert.Equal(t, first.session(t).Id, again.session(t).Id)
}

// Anything after the body's JSON value makes it invalid, with or without
// a null member to drop.
func TestTrailingDataIsRefused(t *testing.T) {
	f := newFixture(t)
	for i, body := range []string{
		`{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}}`,
		`{"name":"x","description":null,"lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}]`,
		`{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]} x`,
	} {
		res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: body, headers: map[string]string{"Idempotency-Key": "k" + string(rune('a'+i))}})
		assert.Equal(t, http.StatusBadRequest, res.status, "%s: %s", body, res.body)
	}
}
