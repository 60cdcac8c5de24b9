package api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// restart saves f's state and starts a second fixture, on the same clock,
// from it.
func restart(t *testing.T, f *fixture, opts ...Option) *fixture {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	g := newFixture(t, append([]Option{WithState(&buf), WithClock(f.clock.Now)}, opts...)...)
	return g
}

// inUTC drops what JSON does not keep of the attempts' times: the monotonic
// reading and the location.
func inUTC(ds []Delivery) []Delivery {
	for i := range ds {
		ds[i].Time = ds[i].Time.UTC().Round(0)
	}
	return ds
}

func TestStateSurvivesARestart(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhookRetry(1, 0), WithWebhook(rc.URL, testSecret))
	paid := f.create(minimalBody)
	require.NoError(t, f.srv.CompleteWith(paid.Id, gen.PaymentChannelTypeCard, "visa"))
	f.waitDeliveries()
	key := "order-7"
	first := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key})
	require.Equal(t, http.StatusOK, first.status)
	pending := first.session(t)
	cancelled := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(cancelled.Id))
	f.waitDeliveries()
	deleted := f.create(minimalBody)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + deleted.Id}).status)

	g := restart(t, f)

	for _, id := range []string{paid.Id, pending.Id, cancelled.Id} {
		assert.JSONEq(t, string(f.resultJSON(id)), string(g.resultJSON(id)), "session %s after the restart", id)
	}
	assert.Equal(t, http.StatusNotFound, g.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + deleted.Id}).status)
	assert.Equal(t, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).body, g.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).body, "the list, newest first")
	assert.Equal(t, FindAll[Payment](f.srv, DefaultSpaceID), FindAll[Payment](g.srv, DefaultSpaceID))
	assert.Equal(t, inUTC(f.srv.Deliveries()), inUTC(g.srv.Deliveries()))
	assert.Equal(t, f.srv.Webhooks(), g.srv.Webhooks())

	replay := g.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key})
	assert.Equal(t, first.body, replay.body, "the idempotency record replays after the restart")
	assert.Equal(t, "irc", replay.header.Get("Monime-Cache"))
	other := g.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: strings.Replace(minimalBody, "Order #1", "Order #2", 1), key: &key})
	assert.Equal(t, http.StatusConflict, other.status)

	// The restored fake goes on: the pending session expires by the clock,
	// is delivered to the restored receiver, and new ids do not collide.
	f.clock.Advance(DefaultSessionTTL + 1)
	assert.Equal(t, gen.CheckoutSessionStatusExpired, g.get(pending.Id).Status)
	g.waitDeliveries()
	last := g.srv.Deliveries()[len(g.srv.Deliveries())-1]
	assert.Equal(t, "checkout_session.expired", last.EventName)
	assert.True(t, last.OK(), last.Err)
	assert.Len(t, g.srv.Webhooks(), 1, "the receiver given again at New is not added twice")
}

func TestWithStateRefusesWhatSaveStateDidNotWrite(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	var good bytes.Buffer
	require.NoError(t, f.srv.SaveState(&good))
	for _, tc := range []struct{ name, state, want string }{
		{"empty", "", "not a saved state"},
		{"truncated", good.String()[:good.Len()/2], "not a saved state"},
		{"not JSON", "hello", "not a saved state"},
		{"another format", `{"format":"other","version":1}`, `format is "other"`},
		{"a later version", `{"format":"monime-fake-state","version":9}`, "version is 9"},
		{"two documents", good.String() + good.String(), "data after"},
		{"a payment without its session", strings.Replace(good.String(), `"session": "`+s.Id, `"session": "scs-gone`, 1), "does not hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(WithState(strings.NewReader(tc.state)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "api: WithState: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := New(WithState(nil))
	assert.ErrorContains(t, err, "reader is nil")
}

func TestStateVersionGrowsOnChangesOnly(t *testing.T) {
	f := newFixture(t)
	v0 := f.srv.StateVersion()
	s := f.create(minimalBody)
	v1 := f.srv.StateVersion()
	assert.Greater(t, v1, v0, "a create changes the state")
	f.get(s.Id)
	f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"})
	assert.Equal(t, v1, f.srv.StateVersion(), "reads change nothing")
	require.NoError(t, f.srv.Cancel(s.Id))
	assert.Greater(t, f.srv.StateVersion(), v1)
}

func TestResetForgetsEverythingButTheReceivers(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	key := "k1"
	s := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key}).session(t)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()
	require.NoError(t, f.srv.InjectFault("", "/v1/*", 5, Fault{Status: 503}))

	f.srv.Reset()

	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID))
	assert.Empty(t, FindAll[Payment](f.srv, DefaultSpaceID))
	assert.Empty(t, f.srv.Deliveries())
	assert.Len(t, f.srv.Webhooks(), 1)
	again := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key})
	require.Equal(t, http.StatusOK, again.status, "no fault left, and the key is free: %s", again.body)
	assert.NotEqual(t, s.Id, again.session(t).Id)
}

func TestRedeliverSendsTheSameEventSignedAfresh(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(s.Id))
	f.waitDeliveries()
	first := f.srv.Deliveries()[0]
	assert.NotEmpty(t, first.Signature)
	assert.Contains(t, string(first.Body), s.Id)
	assert.Positive(t, first.Duration)

	require.NoError(t, f.srv.Redeliver(first.EventID, ""))
	f.waitDeliveries()
	ds := f.srv.Deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, first.EventID, ds[1].EventID)
	assert.Equal(t, 2, ds[1].Attempt)
	assert.Equal(t, first.Body, ds[1].Body)
	assert.True(t, ds[1].OK(), ds[1].Err)
	requests, events := rc.got()
	require.Len(t, requests, 2)
	assert.Equal(t, requests[0].body, requests[1].body)
	assert.Equal(t, events[0].ID, events[1].ID, "the same event id, so a receiver deduplicates it")

	assert.ErrorIs(t, f.srv.Redeliver("evt-nope", ""), ErrDeliveryNotFound)
	assert.ErrorIs(t, f.srv.Redeliver(first.EventID, "http://127.0.0.1:1/other"), ErrDeliveryNotFound)
}

func TestRedeliverNeedsTheReceiverStillConfigured(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(s.Id))
	f.waitDeliveries()
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	// Drop the receiver from the saved state: the log remains, the secret does not.
	state := strings.Replace(buf.String(), `"webhooks": [`, `"webhooks": [], "x": [`, 1)
	_, err := New(WithState(strings.NewReader(state)))
	require.Error(t, err, "unknown fields are refused")

	srv := mustNew(t)
	srv.webhooks.records = f.srv.Deliveries()
	err = srv.Redeliver(srv.Deliveries()[0].EventID, "")
	assert.ErrorContains(t, err, "no webhook receiver is configured")
	assert.False(t, errors.Is(err, ErrDeliveryNotFound))
}
