package api

import (
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// testdata/state-v1.json was written by SaveState of the release before
// financial accounts (state version 1): a completed SLE+USD session with
// its two payments (with a processing fee), a cancelled one, a deleted one
// (left out of the file, so sequence number 5 is missing), a pending one
// the customer started, four idempotency records, one webhook receiver and
// six delivery attempts. Every later release must load it.
const stateV1 = "testdata/state-v1.json"

func TestStateOfVersion1Loads(t *testing.T) {
	file, err := os.Open(stateV1)
	require.NoError(t, err)
	defer file.Close()
	f := newFixture(t, WithState(file))

	paid := f.get("scs-t8xZZmMOMdVhoN")
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, paid.Status)
	assert.Equal(t, "ord-pCgukFxD6Lp2", *paid.OrderNumber)
	assert.Equal(t, gen.CheckoutSessionStatusCancelled, f.get("scs-dpZK3c9FFQBS7G").Status)
	pending := f.get("scs-5rfcboPd7nfFF5")
	assert.Equal(t, gen.CheckoutSessionStatusPending, pending.Status)

	list := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).list(t)
	var ids []string
	for _, s := range list.Result {
		ids = append(ids, s.Id)
	}
	assert.Equal(t, []string{"scs-5rfcboPd7nfFF5", "scs-dpZK3c9FFQBS7G", "scs-t8xZZmMOMdVhoN"}, ids, "newest first; the deleted one stays gone")

	payments := f.listPayments(url.Values{"orderNumber": {"ord-pCgukFxD6Lp2"}})
	require.Len(t, payments.Result, 2)
	assert.Equal(t, gen.Money{Currency: "USD", Value: 500}, payments.Result[0].Amount, "newest first")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000}, payments.Result[1].Amount)
	assert.Equal(t, []gen.PaymentFee{{Code: "processing_fee", Amount: gen.Money{Currency: "SLE", Value: 550}}}, *payments.Result[1].Fees)

	// The idempotency records replay.
	key := "order-pending"
	replay := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key})
	require.Equal(t, http.StatusOK, replay.status)
	assert.Equal(t, "irc", replay.header.Get("Monime-Cache"))
	assert.Equal(t, pending.Id, replay.session(t).Id)

	// The customer had started the pending session: it cannot be deleted.
	assert.Equal(t, http.StatusConflict, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + pending.Id}).status)

	hooks := f.srv.Webhooks()
	require.Len(t, hooks, 1)
	assert.Equal(t, "http://127.0.0.1:43919", hooks[0].URL)
	var names []string
	for _, d := range f.srv.Deliveries() {
		names = append(names, d.EventName)
	}
	assert.Equal(t, []string{"payment.created", "payment.completed", "payment.created", "payment.completed", "checkout_session.completed", "checkout_session.cancelled"}, names)

	// New objects do not reuse the file's sequence numbers: a new session
	// is the newest.
	f.clock.Advance(time.Minute)
	fresh := f.create(minimalBody)
	assert.Equal(t, fresh.Id, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions?limit=1"}).list(t).Result[0].Id)
}

// readFile returns the content of the file at path.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
