package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DeletePayout does what DELETE /v1/payouts/{id} does: a pending payout
// goes and gives back its amount and fees by reversal credits, with no
// event; a final or unknown one is refused and nothing changes.
func TestDeletePayoutGivesBackWhatItHeld(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithPayoutFee("payout_fee", 0, 100), WithWebhook(rc.URL, testSecret, "payout.completed", "payout.failed"))
	main := MainAccountID(DefaultSpaceID)
	f.fund(main, 10000)
	p := f.createPayout(payoutBody(4000, "+23276123456"))
	require.Equal(t, int64(10000-4000-100), f.balance(main).Value, "held at once")

	require.NoError(t, f.srv.DeletePayout(p.Id))
	assert.Equal(t, int64(10000), f.balance(main).Value, "given back")
	_, ok := Find[Payout](f.srv, p.Id)
	assert.False(t, ok, "the payout is gone")
	res := f.send(req{method: http.MethodGet, path: "/v1/payouts/" + p.Id})
	assert.Equal(t, http.StatusNotFound, res.status)
	reversals := f.transactions(url.Values{"reference": {*p.Source.TransactionReference}, "type": {"credit"}}).Result
	require.Len(t, reversals, 2, "a reversal of the amount and of the fee")
	for _, r := range reversals {
		assert.NotNil(t, r.OriginatingReversal)
	}

	assert.ErrorIs(t, f.srv.DeletePayout(p.Id), ErrPayoutNotFound)
	assert.ErrorIs(t, f.srv.DeletePayout("pyt-nope"), ErrPayoutNotFound)
	done := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.CompletePayout(done.Id))
	before := f.balance(main).Value
	err := f.srv.DeletePayout(done.Id)
	assert.ErrorIs(t, err, ErrPayoutNotPending)
	assert.Contains(t, err.Error(), "DeletePayout")
	assert.Equal(t, before, f.balance(main).Value, "a refused delete moves nothing")
	assert.Equal(t, "completed", string(f.getPayout(done.Id).Status))

	f.waitDeliveries()
	_, events := rc.got()
	assert.Equal(t, []string{"payout.completed"}, names(events), "a delete sends nothing")
	f.checkBooks()
}
