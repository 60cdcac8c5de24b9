package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// patch sends PATCH /v1/payments/{id} with body.
func (f *fixture) patch(id, body string) response {
	f.t.Helper()
	return f.send(req{method: http.MethodPatch, path: "/v1/payments/" + id, body: body})
}

func (r response) payment(t *testing.T) gen.Payment {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	return result[gen.Payment](t, r)
}

func TestUpdatePaymentNameAndMetadata(t *testing.T) {
	f := newFixture(t)
	_, before := f.paid(minimalBody, "", "")
	f.clock.Advance(time.Minute)

	got := f.patch(before.Id, `{"name":"Order #1042","metadata":{"ledger":"2025-09","batch":"7"}}`).payment(t)
	assert.Equal(t, ptr("Order #1042"), got.Name)
	assert.Equal(t, &map[string]any{"ledger": "2025-09", "batch": "7"}, got.Metadata)
	assert.Equal(t, ptr(f.clock.Now()), got.UpdateTime, "updateTime moves")
	assert.Equal(t, before.CreateTime, got.CreateTime)
	assert.Equal(t, got, f.payment(before.Id), "a read shows the update")

	// What the body leaves out, or sends as null, stays; metadata is
	// replaced whole.
	f.clock.Advance(time.Minute)
	got = f.patch(before.Id, `{"metadata":{"ledger":"2025-10"}}`).payment(t)
	assert.Equal(t, ptr("Order #1042"), got.Name)
	assert.Equal(t, &map[string]any{"ledger": "2025-10"}, got.Metadata)
	got = f.patch(before.Id, `{"name":null}`).payment(t)
	assert.Equal(t, ptr("Order #1042"), got.Name)
	got = f.patch(before.Id, `{"name":"","metadata":{}}`).payment(t)
	assert.Equal(t, ptr(""), got.Name)
	assert.Equal(t, &map[string]any{}, got.Metadata)
	assert.Equal(t, ptr(f.clock.Now()), got.UpdateTime)

	// Nothing else of the payment changed.
	want := before
	want.Name, want.Metadata, want.UpdateTime = got.Name, got.Metadata, got.UpdateTime
	assert.Equal(t, want, got)
	// Snapshots are copies: changing one changes nothing stored.
	snap, _ := Find[Payment](f.srv, before.Id)
	(*snap.Metadata)["x"] = "y"
	again, _ := Find[Payment](f.srv, before.Id)
	assert.Equal(t, &map[string]any{}, again.Metadata)
}

func TestUpdatePaymentRefusesWhatItCannotTake(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	_, p := f.paid(minimalBody, "", "")
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	for name, tc := range map[string]struct {
		body  string
		field string
	}{
		"an unknown field":          {`{"name":"x","status":"pending"}`, "status"},
		"the amount is not its own": {`{"amount":{"currency":"SLE","value":1}}`, "amount"},
		"a name over 100":           {`{"name":"` + strings.Repeat("n", 101) + `"}`, "name"},
		"a name not a string":       {`{"name":5}`, "name"},
		"a metadata value over 100": {`{"metadata":{"k":"` + strings.Repeat("v", 101) + `"}}`, "metadata.k"},
		"a metadata value a number": {`{"metadata":{"k":5}}`, "metadata.k"},
		"65 metadata keys":          {`{"metadata":{` + strings.Join(many, ",") + `}}`, "metadata"},
		"a reserved metadata key":   {`{"metadata":{"monime_x":"v"}}`, "metadata.monime_x"},
		"a metadata key with space": {`{"metadata":{"a b":"v"}}`, "metadata.a b"},
		"not an object":             {`["name"]`, ""},
		"not JSON":                  {`{"name":`, ""},
	} {
		res := f.patch(p.Id, tc.body)
		require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
		e := res.apiErr(t)
		assert.Equal(t, ReasonValidation, e.Reason, name)
		assert.Contains(t, fields(e), tc.field, "%s: %s", name, res.body)
	}
	res := f.patch(p.Id, `{"name":"x","status":"pending"}`)
	assert.Equal(t, "the request is invalid: status: is not a field of this request; remove it", res.apiErr(t).Message)
	res = f.send(req{method: http.MethodPatch, path: "/v1/payments/" + p.Id})
	require.Equal(t, http.StatusBadRequest, res.status, "a body is required: %s", res.body)
	assert.Contains(t, res.apiErr(t).Message, "a JSON request body is required")
	assert.Equal(t, p, f.payment(p.Id), "nothing changed")

	for name, r := range map[string]req{
		"unknown id":  {method: http.MethodPatch, path: "/v1/payments/pay-nope", body: `{"name":"x"}`},
		"other space": {method: http.MethodPatch, path: "/v1/payments/" + p.Id, body: `{"name":"x"}`, space: ptr("spc-other")},
	} {
		res := f.send(r)
		require.Equal(t, http.StatusNotFound, res.status, name)
		assert.Equal(t, ReasonNotFound, res.apiErr(t).Reason, name)
	}
	assert.Equal(t, p, f.payment(p.Id), "nothing changed")
}

func TestUpdatePaymentNeedsNoIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	_, p := f.paid(minimalBody, "", "")
	first := f.patch(p.Id, `{"name":"A"}`).payment(t)
	again := f.patch(p.Id, `{"name":"A"}`).payment(t)
	assert.Equal(t, first, again, "a repeated update sets the same values again")
}
