package api

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

const concertOrder = `{"name":"Concert","metadata":{"venue":"Freetown"},"lineItems":[
	{"name":"Ticket","price":{"currency":"SLE","value":10000},"quantity":2,"reference":"ticket"},
	{"name":"Drink","price":{"currency":"SLE","value":2500},"quantity":1,"reference":"drink"}]}`

// paidOrder completes a checkout session of body and returns its order
// number.
func (f *fixture) paidOrder(body string) string {
	f.t.Helper()
	s := f.create(body)
	require.NoError(f.t, f.srv.Complete(s.Id))
	return *f.get(s.Id).OrderNumber
}

func (f *fixture) receipt(order string) gen.Receipt {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/receipts/" + order})
	require.Equal(f.t, http.StatusOK, res.status, "get receipt: %s", res.body)
	var env gen.ReceiptEnvelope
	require.NoError(f.t, json.Unmarshal(res.body, &env), "%s", res.body)
	return env.Result
}

// redeem sends a redemption and decodes its answer, which must be a 200.
func (f *fixture) redeem(order, body string) (gen.Receipt, bool) {
	f.t.Helper()
	res := f.send(req{method: http.MethodPost, path: "/v1/receipts/" + order + "/redeem", body: body})
	require.Equal(f.t, http.StatusOK, res.status, "redeem: %s", res.body)
	var env gen.RedemptionEnvelope
	require.NoError(f.t, json.Unmarshal(res.body, &env), "%s", res.body)
	return env.Result.Receipt, env.Result.Redeem
}

// units is what each entitlement has left, by key.
func units(r gen.Receipt) map[string]int {
	out := map[string]int{}
	for _, e := range *r.Entitlements {
		out[e.Key] = e.Remaining
	}
	return out
}

func TestACompletedCheckoutHasAReceipt(t *testing.T) {
	f := newFixture(t)
	order := f.paidOrder(concertOrder)
	r := f.receipt(order)
	assert.Equal(t, order, r.OrderNumber)
	assert.Equal(t, "Concert", *r.OrderName)
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 22500}, r.OrderAmount)
	assert.Equal(t, gen.ReceiptStatusNotRedeemed, r.Status)
	assert.Equal(t, map[string]any{"venue": "Freetown"}, *r.Metadata)
	assert.Equal(t, f.clock.Now(), r.CreateTime)
	assert.Equal(t, []gen.Entitlement{
		{Key: "ticket", Name: ptr("Ticket"), Limit: 2, Current: 0, Remaining: 2},
		{Key: "drink", Name: ptr("Drink"), Limit: 1, Current: 0, Remaining: 1},
	}, *r.Entitlements)

	res := f.send(req{method: http.MethodGet, path: "/v1/receipts/ord-nope"})
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, ReasonNotFound, res.apiErr(t).Reason)
	pending := f.create(minimalBody)
	assert.Nil(t, pending.OrderNumber, "no order, no receipt")
	assert.Len(t, FindAll[Receipt](f.srv, DefaultSpaceID), 1)

	usd := f.paidOrder(`{"name":"Mixed","lineItems":[{"name":"A","price":{"currency":"USD","value":300},"reference":"a"},{"name":"B","price":{"currency":"SLE","value":100},"reference":"b"}]}`)
	assert.Equal(t, gen.Money{Currency: "USD", Value: 300}, f.receipt(usd).OrderAmount, "the first currency's total")
}

func TestRedeemingIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	order := f.paidOrder(concertOrder)
	f.clock.Advance(time.Minute)

	r, ok := f.redeem(order, `{"entitlements":[{"key":"ticket"}]}`)
	require.True(t, ok)
	assert.Equal(t, map[string]int{"ticket": 1, "drink": 1}, units(r))
	assert.Equal(t, gen.ReceiptStatusPartiallyRedeemed, r.Status)
	assert.Equal(t, f.clock.Now(), r.UpdateTime)

	r, ok = f.redeem(order, `{"entitlements":[{"key":"drink","units":1}],"metadata":{"gate":"B"}}`)
	require.True(t, ok)
	assert.Equal(t, map[string]int{"ticket": 1, "drink": 0}, units(r))
	assert.Equal(t, map[string]any{"gate": "B"}, *r.Metadata)
	before := f.receipt(order)

	// The drink is exhausted: the ticket is not redeemed either.
	r, ok = f.redeem(order, `{"entitlements":[{"key":"ticket"},{"key":"drink"}]}`)
	assert.False(t, ok)
	assert.Equal(t, before, r)
	assert.Equal(t, before, f.receipt(order))

	for _, tc := range []struct{ name, body, says string }{
		{"past the limit", `{"entitlements":[{"key":"ticket","units":2}]}`, `"ticket" has 1 unit(s) left of 2`},
		{"unknown key", `{"entitlements":[{"key":"vip"}]}`, `no entitlement "vip"`},
		{"twice", `{"entitlements":[{"key":"ticket"},{"key":"ticket"}]}`, "named twice"},
		{"nothing named", `{}`, "redeemAll"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.send(req{method: http.MethodPost, path: "/v1/receipts/" + order + "/redeem", body: tc.body})
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			assert.Contains(t, res.apiErr(t).Message, tc.says)
		})
	}
	assert.Equal(t, before, f.receipt(order), "a refused redemption changes nothing")

	r, ok = f.redeem(order, `{"redeemAll":true}`)
	require.True(t, ok, "redeemAll takes what remains")
	assert.Equal(t, map[string]int{"ticket": 0, "drink": 0}, units(r))
	assert.Equal(t, gen.ReceiptStatusFullyRedeemed, r.Status)
	for _, e := range *r.Entitlements {
		assert.True(t, e.Exhausted)
		assert.Equal(t, e.Limit, e.Current)
	}
	_, ok = f.redeem(order, `{"redeemAll":true}`)
	assert.False(t, ok, "nothing left")
	res := f.send(req{method: http.MethodPost, path: "/v1/receipts/ord-nope/redeem", body: `{"redeemAll":true}`})
	assert.Equal(t, http.StatusNotFound, res.status)
}

func TestRedeemReplaysWithItsIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	order := f.paidOrder(concertOrder)
	key := "redeem-ticket-1"
	body := `{"entitlements":[{"key":"ticket"}]}`
	first := f.send(req{method: http.MethodPost, path: "/v1/receipts/" + order + "/redeem", body: body, key: &key})
	again := f.send(req{method: http.MethodPost, path: "/v1/receipts/" + order + "/redeem", body: body, key: &key})
	require.Equal(t, http.StatusOK, again.status)
	assert.Equal(t, first.body, again.body)
	assert.Equal(t, map[string]int{"ticket": 1, "drink": 1}, units(f.receipt(order)), "redeemed once")
}

func TestReceiptsAreNotInTheEarlierRelease(t *testing.T) {
	f := newFixture(t)
	order := f.paidOrder(concertOrder)
	old := map[string]string{"Monime-Version": string(gen.MonimeVersionCaph20250620)}
	for _, r := range []req{
		{method: http.MethodGet, path: "/v1/receipts/" + order, headers: old},
		{method: http.MethodPost, path: "/v1/receipts/" + order + "/redeem", body: `{"redeemAll":true}`, headers: old},
	} {
		res := f.send(r)
		require.Equal(t, http.StatusNotFound, res.status, "%s", res.body)
		assert.Contains(t, res.apiErr(t).Message, "caph.2025-06-20 has no receipts")
	}
	assert.Equal(t, gen.ReceiptStatusNotRedeemed, f.receipt(order).Status)
}

func TestReceiptsSurviveARestart(t *testing.T) {
	f := newFixture(t)
	order := f.paidOrder(concertOrder)
	f.redeem(order, `{"entitlements":[{"key":"ticket"}]}`)
	g := restart(t, f)
	assert.Equal(t, f.receipt(order), g.receipt(order))
	_, ok := g.redeem(order, `{"redeemAll":true}`)
	assert.True(t, ok)

	var buf strings.Builder
	require.NoError(t, f.srv.SaveState(&buf))
	state := buf.String()
	for _, tc := range []struct{ name, from, to, want string }{
		{"bad status", `"status": "partially_redeemed"`, `"status": "half"`, "receipts: " + order + ` has status "half"`},
		{"status against its entitlements", `"status": "partially_redeemed"`, `"status": "fully_redeemed"`, "receipts: " + order + " is fully_redeemed, but its entitlements make it partially_redeemed"},
		{"units that do not add up", `"remaining": 1`, `"remaining": 5`, "receipts: " + order + ` has entitlement 1 ("ticket")`},
		{"an order of no session", `"orderNumber": "` + order + `"`, `"orderNumber": "ord-gone"`, `receipt ord-gone records the order of checkout session`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := strings.Index(state, `"receipts"`) // SaveState writes its tables in the order of their names
			broken := state[:at] + strings.Replace(state[at:], tc.from, tc.to, 1)
			require.NotEqual(t, state, broken)
			_, err := New(WithState(strings.NewReader(broken)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestAnEarlierStatesCompletedSessionsGetTheirReceipts(t *testing.T) {
	file, err := os.Open(stateV1)
	require.NoError(t, err)
	defer file.Close()
	f := newFixture(t, WithState(file))
	r := f.receipt("ord-pCgukFxD6Lp2")
	assert.Equal(t, gen.ReceiptStatusNotRedeemed, r.Status)
	assert.Equal(t, "SLE", string(r.OrderAmount.Currency))
	assert.Len(t, FindAll[Receipt](f.srv, DefaultSpaceID), 1, "the completed session's only")
	_, ok := f.redeem("ord-pCgukFxD6Lp2", `{"redeemAll":true}`)
	assert.True(t, ok)
}
