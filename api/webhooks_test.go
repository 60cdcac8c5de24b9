package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

const testSecret = "whsec_test_3b9f"

// delivered is one request a receiver got, as it came over the wire.
type delivered struct {
	body   []byte
	header http.Header
}

// receiver is a merchant's webhook endpoint on loopback: webhook.Handler
// with secret, behind a recorder of the raw requests. Its function fails
// the first failFirst events it is given, so that the Handler answers 500.
type receiver struct {
	*httptest.Server
	mu        sync.Mutex
	requests  []delivered
	events    []*webhook.Event
	failFirst int
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	t.Helper()
	rc := &receiver{failFirst: failFirst}
	h := webhook.Handler(testSecret, func(_ context.Context, ev *webhook.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.events = append(rc.events, ev)
		if len(rc.events) <= rc.failFirst {
			return errors.New("the shop's database is down")
		}
		return nil
	})
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.requests = append(rc.requests, delivered{body: body, header: r.Header.Clone()})
		rc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() ([]delivered, []*webhook.Event) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.requests...), append([]*webhook.Event(nil), rc.events...)
}

// waitDeliveries waits (briefly) for every queued webhook to finish.
func (f *fixture) waitDeliveries() {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(f.t, f.srv.WaitForDeliveries(ctx))
}

// resultJSON is the raw "result" of a GetCheckoutSession answer.
func (f *fixture) resultJSON(id string) json.RawMessage {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + id})
	require.Equal(f.t, http.StatusOK, res.status, "%s", res.body)
	var env struct{ Result json.RawMessage }
	require.NoError(f.t, json.Unmarshal(res.body, &env))
	return env.Result
}

func TestWebhookAHandlerAcceptsTheDeliveryAndRejectsItWithOneByteChanged(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()

	reqs, events := rc.got()
	require.Len(t, reqs, 1)
	require.Len(t, events, 1, "webhook.Handler verified the delivery and called the function")
	ev := events[0]
	assert.Equal(t, webhook.EventCheckoutSessionCompleted, ev.Name)
	assert.Regexp(t, `^evt-[0-9A-Za-z]{20}$`, ev.ID)
	assert.Equal(t, "caph.2025-08-23", ev.APIVersion)
	assert.Equal(t, webhook.Object{ID: s.Id, Type: webhook.ObjectTypeCheckoutSession}, ev.Object)
	assert.Equal(t, f.clock.Now(), ev.Timestamp, "the moment the session changed, by the Server's clock")
	cs, err := ev.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, s.Id, cs.ID)
	assert.Equal(t, monime.CheckoutSessionStatusCompleted, cs.Status)
	assert.Regexp(t, `^ord-`, cs.OrderNumber)
	assert.Equal(t, *f.get(s.Id).OrderNumber, cs.OrderNumber)

	// The wire shape, byte for byte: data is what a read returns.
	want := fmt.Sprintf(`{"apiVersion":"caph.2025-08-23","event":{"id":%q,"name":"checkout_session.completed","timestamp":"2025-09-01T12:00:00Z"},"object":{"id":%q,"type":"checkout_session"},"data":%s}`,
		ev.ID, s.Id, f.resultJSON(s.Id))
	assert.Equal(t, want, string(reqs[0].body))
	assert.Equal(t, "application/json", reqs[0].header.Get("Content-Type"))
	sig := reqs[0].header.Get(webhook.SignatureHeaderName)
	assert.Regexp(t, `^t=[0-9]+,v1=[A-Za-z0-9+/]+=*$`, sig)

	// Replay the captured request to a handler: as sent it passes, with one
	// byte of the body changed it is refused.
	verifier := webhook.Handler(testSecret, func(context.Context, *webhook.Event) error { return nil })
	replay := func(body []byte) int {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/monime", bytes.NewReader(body))
		r.Header.Set(webhook.SignatureHeaderName, sig)
		w := httptest.NewRecorder()
		verifier.ServeHTTP(w, r)
		return w.Code
	}
	assert.Equal(t, http.StatusOK, replay(reqs[0].body))
	tampered := bytes.Clone(reqs[0].body)
	i := bytes.Index(tampered, []byte(`"completed"`)) + 1
	tampered[i] ^= 0x01 // "completed" -> "bompleted"
	assert.Equal(t, http.StatusBadRequest, replay(tampered))

	ds := f.srv.Deliveries()
	require.Len(t, ds, 1)
	assert.True(t, ds[0].OK())
	assert.Equal(t, Delivery{
		EventID: ev.ID, EventName: webhook.EventCheckoutSessionCompleted, ObjectID: s.Id, SessionID: s.Id,
		URL: rc.URL, Attempt: 1, StatusCode: http.StatusOK, Time: ds[0].Time,
		Duration: ds[0].Duration, Signature: reqs[0].header.Get("Monime-Signature"), Body: reqs[0].body,
	}, ds[0])
	assert.WithinDuration(t, time.Now(), ds[0].Time, time.Minute, "attempts are stamped by the wall clock")
}

func TestWebhookEachEventKind(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithSessionTTL(10*time.Minute))
	completed, cancelled, expired := f.create(minimalBody), f.create(minimalBody), f.create(minimalBody)
	require.NoError(t, f.srv.Complete(completed.Id))
	require.NoError(t, f.srv.Cancel(cancelled.Id))
	require.NoError(t, f.srv.Expire(expired.Id))
	f.waitDeliveries()

	_, events := rc.got()
	require.Len(t, events, 3)
	byName := map[string]*webhook.Event{}
	for _, ev := range events {
		byName[ev.Name] = ev
	}
	for name, want := range map[string]struct {
		id     string
		status monime.CheckoutSessionStatus
	}{
		webhook.EventCheckoutSessionCompleted: {completed.Id, monime.CheckoutSessionStatusCompleted},
		webhook.EventCheckoutSessionCancelled: {cancelled.Id, monime.CheckoutSessionStatusCancelled},
		webhook.EventCheckoutSessionExpired:   {expired.Id, monime.CheckoutSessionStatusExpired},
	} {
		ev := byName[name]
		require.NotNil(t, ev, name)
		cs, err := ev.CheckoutSession()
		require.NoError(t, err, name)
		assert.Equal(t, want.id, cs.ID, name)
		assert.Equal(t, want.status, cs.Status, name)
	}
}

func TestWebhookForSessionsExpiredByTheClock(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithSessionTTL(10*time.Minute))
	lazy, swept := f.create(minimalBody), f.create(minimalBody)

	f.clock.Advance(10 * time.Minute)
	assert.Equal(t, "expired", string(f.get(lazy.Id).Status), "a read notices the expiry")
	f.waitDeliveries()
	_, events := rc.got()
	require.Len(t, events, 2, "the read expired both sessions")
	ids := []string{events[0].Object.ID, events[1].Object.ID}
	assert.ElementsMatch(t, []string{lazy.Id, swept.Id}, ids)
	for _, ev := range events {
		assert.Equal(t, webhook.EventCheckoutSessionExpired, ev.Name)
		assert.Equal(t, f.clock.Now(), ev.Timestamp)
	}

	// Without a request, Sweep is what notices.
	late := f.create(minimalBody)
	f.clock.Advance(10 * time.Minute)
	assert.Equal(t, 1, f.srv.Sweep())
	f.waitDeliveries()
	_, events = rc.got()
	require.Len(t, events, 3)
	assert.Equal(t, late.Id, events[2].Object.ID)
	assert.Equal(t, webhook.EventCheckoutSessionExpired, events[2].Name)
}

func TestWebhookRetriesUntilTheReceiverAccepts(t *testing.T) {
	rc := newReceiver(t, 2) // 500, 500, then 200
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithWebhookRetry(5, time.Millisecond))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(s.Id))
	f.waitDeliveries()

	reqs, events := rc.got()
	require.Len(t, reqs, 3)
	require.Len(t, events, 3)
	for i, ev := range events {
		assert.Equal(t, events[0].ID, ev.ID, "attempt %d keeps the event id", i+1)
		assert.Equal(t, reqs[0].body, reqs[i].body, "attempt %d sends the same body", i+1)
	}
	ds := f.srv.Deliveries()
	require.Len(t, ds, 3)
	for i, d := range ds {
		assert.Equal(t, i+1, d.Attempt)
		assert.Equal(t, events[0].ID, d.EventID)
		assert.Equal(t, webhook.EventCheckoutSessionCancelled, d.EventName)
	}
	assert.Equal(t, http.StatusInternalServerError, ds[0].StatusCode)
	assert.Contains(t, ds[0].Err, "500")
	assert.False(t, ds[1].OK())
	assert.True(t, ds[2].OK())
	assert.Equal(t, http.StatusOK, ds[2].StatusCode)
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	rc := newReceiver(t, 1000)
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithWebhookRetry(3, 0), WithLogger(logger))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()

	reqs, _ := rc.got()
	assert.Len(t, reqs, 3)
	ds := f.srv.Deliveries()
	require.Len(t, ds, 3)
	for _, d := range ds {
		assert.False(t, d.OK())
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "giving up")
	assert.NotContains(t, logs.String(), testSecret, "the secret never reaches the log")
}

// lockedWriter serialises writes to a buffer shared with the test.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWebhookRetriesTransportErrorsAndRedirects(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there any more
	moved := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/elsewhere", http.StatusTemporaryRedirect))
	defer moved.Close()
	f := newFixture(t, WithWebhook(gone.URL, testSecret), WithWebhook(moved.URL, testSecret), WithWebhookRetry(2, 0))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()

	ds := f.srv.Deliveries()
	require.Len(t, ds, 4)
	for _, d := range ds {
		assert.False(t, d.OK())
		switch d.URL {
		case gone.URL:
			assert.Zero(t, d.StatusCode)
			assert.Contains(t, d.Err, "sending failed")
		case moved.URL:
			assert.Equal(t, http.StatusTemporaryRedirect, d.StatusCode, "a redirect is not followed")
		default:
			t.Errorf("delivery to unexpected URL %q", d.URL)
		}
	}
}

func TestWebhookAttemptTimesOut(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	f := newFixture(t, WithWebhook(slow.URL, testSecret), WithWebhookRetry(1, 0))
	f.srv.webhooks.timeout = 20 * time.Millisecond
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()
	ds := f.srv.Deliveries()
	require.Len(t, ds, 1)
	assert.Zero(t, ds[0].StatusCode)
	assert.Contains(t, ds[0].Err, "deadline exceeded")
}

func TestAddWebhookAtRuntime(t *testing.T) {
	f := newFixture(t)
	before := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(before.Id), "no receiver yet: nothing is sent")

	rc := newReceiver(t, 0)
	require.NoError(t, f.srv.AddWebhook(rc.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()
	_, events := rc.got()
	require.Len(t, events, 1)
	assert.Equal(t, s.Id, events[0].Object.ID)
	assert.Len(t, f.srv.Deliveries(), 1)
}

func TestWebhookEveryReceiverGetsEveryEvent(t *testing.T) {
	a, b := newReceiver(t, 0), newReceiver(t, 0)
	f := newFixture(t, WithWebhook(a.URL, testSecret), WithWebhook(b.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	f.waitDeliveries()
	_, ea := a.got()
	_, eb := b.got()
	require.Len(t, ea, 1)
	require.Len(t, eb, 1)
	assert.Equal(t, ea[0].ID, eb[0].ID, "one event, delivered to each URL")
}

func TestWebhookNoEventForCreateStartOrDelete(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Start(s.Id))
	other := f.create(minimalBody)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + other.Id}).status)
	f.waitDeliveries()
	assert.Empty(t, f.srv.Deliveries())
}

func TestWaitForDeliveriesHonoursTheContext(t *testing.T) {
	rc := newReceiver(t, 1000)
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithWebhookRetry(10, time.Hour))
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := f.srv.WaitForDeliveries(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 webhook deliveries still unfinished")

	done := make(chan struct{})
	go func() { f.srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a retry waiting an hour")
	}
	f.waitDeliveries()
	f.srv.Close() // a second Close is harmless

	// After Close nothing more is sent, and the API still answers.
	after := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(after.Id))
	f.waitDeliveries()
	for _, d := range f.srv.Deliveries() {
		assert.Equal(t, s.Id, d.SessionID)
	}
}

func TestWebhookDeliveryDoesNotHoldUpTheAPI(t *testing.T) {
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	f := newFixture(t, WithWebhook(stuck.URL, testSecret))
	s := f.create(minimalBody)
	start := time.Now()
	require.NoError(t, f.srv.Complete(s.Id))
	assert.Equal(t, "completed", string(f.get(s.Id).Status))
	assert.Less(t, time.Since(start), 2*time.Second, "Complete and reads return while the receiver hangs")
	close(release)
	f.waitDeliveries()
	require.Len(t, f.srv.Deliveries(), 1)
	assert.True(t, f.srv.Deliveries()[0].OK())
}

func TestAddWebhookRefusesBadConfiguration(t *testing.T) {
	srv := mustNew(t)
	defer srv.Close()
	err := srv.AddWebhook("http://127.0.0.1/hooks", "")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "api: AddWebhook: the signing secret is empty"), err.Error())
	err = srv.AddWebhook("127.0.0.1/hooks?token=tok_s3cr3t", testSecret)
	require.ErrorContains(t, err, "api: AddWebhook: the webhook URL does not start with http:// or https://")
	assert.NotContains(t, err.Error(), "s3cr3t", "a URL may carry a token: it is never quoted")

	// Nothing was added: completing a session sends nothing.
	s := createDirect(t, srv, minimalBody)
	require.NoError(t, srv.Complete(s))
	require.NoError(t, srv.WaitForDeliveries(context.Background()))
	assert.Empty(t, srv.Deliveries())
}

func TestNextBackoffDoublesUpToTheCap(t *testing.T) {
	w := DefaultWebhookBackoff
	var got []time.Duration
	for range 12 {
		got = append(got, w)
		w = nextBackoff(w, DefaultWebhookBackoff)
	}
	assert.Equal(t, 200*time.Millisecond, got[0])
	assert.Equal(t, 400*time.Millisecond, got[1])
	assert.Equal(t, 25600*time.Millisecond, got[7])
	assert.Equal(t, MaxWebhookBackoff, got[8])
	assert.Equal(t, MaxWebhookBackoff, got[11])
	assert.Equal(t, time.Hour, nextBackoff(time.Hour, time.Hour), "an initial wait above the cap is kept")
	assert.Zero(t, nextBackoff(0, 0))
}
