package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime/webhook"
)

// allEvents subscribes a receiver to every event the fake sends.
var allEvents = []string{"payment.created", "payment.completed", "checkout_session.completed", "checkout_session.cancelled", "checkout_session.expired"}

// names lists the names of events, in order.
func names(events []*webhook.Event) []string {
	out := []string{}
	for _, ev := range events {
		out = append(out, ev.Name)
	}
	return out
}

// paymentData decodes the data of a payment event.
func paymentData(t *testing.T, ev *webhook.Event) gen.Payment {
	t.Helper()
	var p gen.Payment
	require.NoError(t, json.Unmarshal(ev.Data, &p), "%s", ev.Data)
	return p
}

func TestWebhookPaymentEventsComeBeforeTheCheckoutOne(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, allEvents...))
	s := f.create(twoShirts)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()

	reqs, events := rc.got()
	require.Len(t, events, 3, "webhook.Handler verified every delivery's signature")
	assert.Equal(t, []string{"payment.created", "payment.completed", "checkout_session.completed"}, names(events))
	rec, _ := Find[Session](f.srv, s.Id)
	require.Len(t, rec.PaymentIDs, 1)
	payID := rec.PaymentIDs[0]
	read := f.payment(payID)

	created, completed, checkout := events[0], events[1], events[2]
	for _, ev := range events[:2] {
		assert.Equal(t, webhook.Object{ID: payID, Type: "payment"}, ev.Object)
		assert.Equal(t, "caph.2025-08-23", ev.APIVersion)
		assert.Equal(t, f.clock.Now(), ev.Timestamp, "the moment of payment, by the Server's clock")
		assert.Regexp(t, `^evt-[0-9A-Za-z]{20}$`, ev.ID)
	}
	assert.NotEqual(t, created.ID, completed.ID)

	// payment.created: the payment as it was created.
	p := paymentData(t, created)
	assert.Equal(t, gen.PaymentStatusPending, p.Status)
	assert.Nil(t, p.FinancialTransactionReference, "only a completed payment has produced transactions")
	assert.Equal(t, read.Amount, p.Amount)
	assert.Equal(t, read.Channel, p.Channel)
	assert.Equal(t, read.OrderNumber, p.OrderNumber)

	// payment.completed: exactly what a read answers, byte for byte.
	res := f.send(req{method: http.MethodGet, path: "/v1/payments/" + payID})
	var env struct{ Result json.RawMessage }
	require.NoError(t, json.Unmarshal(res.body, &env))
	want := fmt.Sprintf(`{"apiVersion":"caph.2025-08-23","event":{"id":%q,"name":"payment.completed","timestamp":"2025-09-01T12:00:00Z"},"object":{"id":%q,"type":"payment"},"data":%s}`,
		completed.ID, payID, env.Result)
	assert.Equal(t, want, string(reqs[1].body))
	assert.Equal(t, gen.PaymentStatusCompleted, paymentData(t, completed).Status)

	cs, err := checkout.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, *read.OrderNumber, cs.OrderNumber, "the session's order number finds the payment")

	// Every request is signed with the secret, like the checkout event.
	for i, r := range reqs {
		sig := r.header.Get(webhook.SignatureHeaderName)
		assert.NoError(t, webhook.VerifyPayload(r.body, sig, testSecret), "request %d", i)
		assert.Error(t, webhook.VerifyPayload(r.body, sig, "whsec_other"), "request %d", i)
	}

	ds := f.srv.Deliveries()
	require.Len(t, ds, 3)
	for i, d := range ds {
		assert.Equal(t, events[i].ID, d.EventID)
		assert.Equal(t, events[i].Name, d.EventName)
		assert.Equal(t, events[i].Object.ID, d.ObjectID)
		assert.Equal(t, s.Id, d.SessionID, "a payment event names the session the payment paid for")
		assert.True(t, d.OK())
	}
}

func TestWebhookEventsOfAPaymentPerCurrency(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, allEvents...))
	s := f.create(shopBody) // SLE and USD
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()
	_, events := rc.got()
	assert.Equal(t, []string{"payment.created", "payment.completed", "payment.created", "payment.completed", "checkout_session.completed"}, names(events))
	rec, _ := Find[Session](f.srv, s.Id)
	require.Len(t, rec.PaymentIDs, 2)
	assert.Equal(t, rec.PaymentIDs[0], events[0].Object.ID)
	assert.Equal(t, rec.PaymentIDs[0], events[1].Object.ID)
	assert.Equal(t, rec.PaymentIDs[1], events[2].Object.ID)
	assert.Equal(t, gen.Currency("SLE"), paymentData(t, events[1]).Amount.Currency)
	assert.Equal(t, gen.Currency("USD"), paymentData(t, events[3]).Amount.Currency)
}

func TestWebhookSubscriptions(t *testing.T) {
	plain := newReceiver(t, 0)         // no events named: the checkout-session ones
	payments := newReceiver(t, 0)      // the payment events only
	completedOnly := newReceiver(t, 0) // one event
	late := newReceiver(t, 0)          // added at runtime, every event
	f := newFixture(t,
		WithWebhook(plain.URL, testSecret),
		WithWebhook(payments.URL, testSecret, "payment.created", "payment.completed"),
		WithWebhook(completedOnly.URL, testSecret, "payment.completed"),
	)
	require.NoError(t, f.srv.AddWebhook(late.URL, testSecret, allEvents...))
	paid, cancelled := f.create(minimalBody), f.create(minimalBody)
	require.NoError(t, f.srv.Complete(paid.Id))
	require.NoError(t, f.srv.Cancel(cancelled.Id))
	f.waitDeliveries()

	_, got := plain.got()
	assert.ElementsMatch(t, []string{"checkout_session.completed", "checkout_session.cancelled"}, names(got))
	_, got = payments.got()
	assert.Equal(t, []string{"payment.created", "payment.completed"}, names(got))
	_, got = completedOnly.got()
	assert.Equal(t, []string{"payment.completed"}, names(got))
	_, got = late.got()
	assert.ElementsMatch(t, []string{"payment.created", "payment.completed", "checkout_session.completed", "checkout_session.cancelled"}, names(got))
}

func TestWebhookRefusesEventsTheFakeDoesNotSend(t *testing.T) {
	_, err := New(WithWebhook("http://127.0.0.1/hooks", testSecret, "payment.created", "payment.failed"))
	require.ErrorContains(t, err, `api: WithWebhook: "payment.failed" is not an event the fake sends; subscribe to some of payment.created, payment.completed, checkout_session.completed, checkout_session.cancelled, checkout_session.expired, payout.completed, payout.failed, payment_code.processed, or name none for the checkout-session events`)
	srv := mustNew(t)
	defer srv.Close()
	err = srv.AddWebhook("http://127.0.0.1/hooks", testSecret, "checkout_session.*")
	require.ErrorContains(t, err, `api: AddWebhook: "checkout_session.*" is not an event the fake sends`)
	s := createDirect(t, srv, minimalBody)
	require.NoError(t, srv.Complete(s))
	require.NoError(t, srv.WaitForDeliveries(context.Background()))
	assert.Empty(t, srv.Deliveries(), "nothing was added")
}

func TestWebhookARetriedEventDoesNotHoldUpTheNext(t *testing.T) {
	var mu sync.Mutex
	var arrived []string
	refused := 0
	h := webhook.Handler(testSecret, func(_ context.Context, ev *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		arrived = append(arrived, ev.Name)
		if ev.Name == "payment.created" && refused == 0 {
			refused++
			return errors.New("the ledger is busy")
		}
		return nil
	})
	rc := httptest.NewServer(h)
	defer rc.Close()
	f := newFixture(t, WithWebhook(rc.URL, testSecret, allEvents...), WithWebhookRetry(3, 300*time.Millisecond))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"payment.created", "payment.completed", "checkout_session.completed", "payment.created"}, arrived,
		"the first attempts go in order; the retry follows after its backoff")
	ds := f.srv.Deliveries()
	require.Len(t, ds, 4)
	assert.False(t, ds[0].OK())
	assert.Equal(t, 2, ds[3].Attempt)
	assert.Equal(t, ds[0].EventID, ds[3].EventID, "a retry is the same event")
	assert.True(t, ds[3].OK())
}

func TestWebhookPaymentEventsAfterCloseAreNotSent(t *testing.T) {
	rc := newReceiver(t, 1000)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, allEvents...), WithWebhookRetry(5, time.Hour))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for len(f.srv.Deliveries()) < 3 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond) // every first attempt made; the retries wait an hour
	}
	require.Len(t, f.srv.Deliveries(), 3)
	err := f.srv.WaitForDeliveries(ctxTimeout(t, 20*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "3 webhook deliveries still unfinished")
	f.srv.Close()
	f.waitDeliveries()
	assert.Len(t, f.srv.Deliveries(), 3, "Close stopped the retries")
}

// ctxTimeout is a context that ends after d or with the test.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
