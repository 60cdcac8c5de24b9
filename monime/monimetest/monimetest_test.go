package monimetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/monime/webhook"
)

func params() *monime.CheckoutSessionCreateParams {
	return &monime.CheckoutSessionCreateParams{
		Name:          "Order #1042",
		LineItems:     []monime.LineItem{{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
		SuccessURL:    "https://shop.example/ok",
		CancelURL:     "https://shop.example/cancel",
		CallbackState: "cb-7",
		Metadata:      monime.Metadata{"cart": "c_77"},
		PaymentOptions: &monime.PaymentOptions{
			Card: &monime.CardOptions{Disable: true},
		},
	}
}

// The story from the issue: start the fake, create with the real client,
// complete, read back as completed.
func TestCreateCompleteReadBack(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()

	s, err := c.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))

	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.CheckoutSessionStatusCompleted, s.Status)
	assert.NotEmpty(t, s.OrderNumber)

	sessions := allSessions(t, c)
	require.Len(t, sessions, 1)
	assert.Equal(t, s.ID, sessions[0].ID)

	rec, ok := monimetest.Find[api.Session](fake, s.ID)
	require.True(t, ok)
	assert.Equal(t, "cb-7", *rec.CallbackState, "the fake keeps what reads hide")
	require.NotNil(t, rec.PaymentOptions)
	assert.True(t, *rec.PaymentOptions.Card.Disable)
	assert.Equal(t, fake.SpaceID, rec.SpaceID)
}

// allSessions lists every session c's space holds, newest first, through
// the client.
func allSessions(t *testing.T, c *monime.Client) []monime.CheckoutSession {
	t.Helper()
	var out []monime.CheckoutSession
	for s, err := range c.CheckoutSessions.All(context.Background(), nil) {
		require.NoError(t, err)
		out = append(out, *s)
	}
	return out
}

// status reads the status of session id through the client.
func status(t *testing.T, c *monime.Client, id string) monime.CheckoutSessionStatus {
	t.Helper()
	s, err := c.CheckoutSessions.Get(context.Background(), id)
	require.NoError(t, err)
	return s.Status
}

// Find shows the read view the client reads, and what reads hide.
func TestFindShowsWhatTheClientReadsAndMore(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	var ids []string
	for range 3 {
		s, err := c.CheckoutSessions.Create(ctx, params())
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	require.NoError(t, fake.Complete(ids[1]))

	for _, id := range ids {
		read, err := c.CheckoutSessions.Get(ctx, id)
		require.NoError(t, err)
		held, ok := monimetest.Find[api.Session](fake, id)
		require.True(t, ok)
		assert.Equal(t, read.ID, held.Id)
		assert.Equal(t, read.Status, monime.CheckoutSessionStatus(held.Status), "Find(%s) holds what a GET answers", id)
		assert.Equal(t, read.CreateTime, held.CreateTime)
	}
	rec, _ := monimetest.Find[api.Session](fake, ids[1])
	require.Len(t, rec.PaymentIDs, 1)
	p, ok := monimetest.Find[api.Payment](fake, rec.PaymentIDs[0])
	require.True(t, ok)
	assert.Equal(t, ids[1], p.SessionID)

	_, ok = monimetest.Find[api.Session](fake, "scs-none")
	assert.False(t, ok)
	_, ok = monimetest.Find[api.Payment](fake, ids[0])
	assert.False(t, ok, "a session's id names no payment")
}

func TestInvalidBodyGetsA400NamingTheField(t *testing.T) {
	fake := monimetest.NewServer(t)
	body := `{"name":"x","lineItems":[{"name":"T","price":{"currency":"EUR","value":1}}]}`
	req, err := http.NewRequest(http.MethodPost, fake.URL+"/v1/checkout-sessions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Monime-Space-Id", fake.SpaceID)
	req.Header.Set("Idempotency-Key", "k1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var env struct {
		Success bool
		Error   struct {
			Reason  string
			Details []struct{ Field, Message string }
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	assert.False(t, env.Success)
	assert.Equal(t, "validation_error", env.Error.Reason)
	var fields []string
	for _, d := range env.Error.Details {
		fields = append(fields, d.Field)
	}
	assert.Contains(t, strings.Join(fields, " "), "lineItems[0].price.currency")
}

func TestLifecycleMethodsReturnTheFakesErrors(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	create := func() string {
		s, err := c.CheckoutSessions.Create(ctx, params())
		require.NoError(t, err)
		return s.ID
	}

	started, cancelled, expired := create(), create(), create()
	require.NoError(t, fake.Start(started))
	require.NoError(t, fake.Start(started), "starting twice does nothing")
	assert.ErrorIs(t, c.CheckoutSessions.Delete(ctx, started), monime.ErrConflict, "a started session cannot be deleted")
	require.NoError(t, fake.Cancel(cancelled))
	require.NoError(t, fake.Expire(expired))
	assert.Equal(t, monime.CheckoutSessionStatusPending, status(t, c, started))
	assert.Equal(t, monime.CheckoutSessionStatusCancelled, status(t, c, cancelled))
	assert.Equal(t, monime.CheckoutSessionStatusExpired, status(t, c, expired))

	assert.ErrorIs(t, fake.Complete(cancelled), api.ErrSessionFinal)
	assert.ErrorIs(t, fake.Complete("scs-none"), api.ErrSessionNotFound)
}

func TestSweepExpiresByTheFakesClock(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	fake := monimetest.NewServer(t, api.WithClock(clock), api.WithSessionTTL(time.Minute))
	s, err := fake.Client().CheckoutSessions.Create(context.Background(), params())
	require.NoError(t, err)
	assert.Zero(t, fake.Sweep())
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	assert.Equal(t, 1, fake.Sweep())
	got, _ := monimetest.Find[api.Session](fake, s.ID)
	assert.Equal(t, "expired", string(got.Status), "Sweep expired it, not the read that would have")
}

func TestFailNextIsRetriedByTheClient(t *testing.T) {
	fake := monimetest.NewServer(t)
	require.NoError(t, fake.FailNext(http.MethodPost, "/v1/checkout-sessions", 2, http.StatusServiceUnavailable))
	var info monime.ResponseInfo
	s, err := fake.Client().CheckoutSessions.Create(context.Background(), params(), monime.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 3, info.Attempts)
	assert.Equal(t, int64(3), fake.RequestCount())
	assert.Len(t, allSessions(t, fake.Client()), 1)

	require.NoError(t, fake.FailNext(http.MethodGet, "/v1/checkout-sessions/*", 3, http.StatusInternalServerError))
	_, err = fake.Client(monime.WithMaxRetries(2)).CheckoutSessions.Get(context.Background(), s.ID)
	assert.True(t, errors.Is(err, monime.ErrServer), "%v", err)
}

func TestInjectFaultLosesAnAnswerTheClientRecovers(t *testing.T) {
	fake := monimetest.NewServer(t)
	require.NoError(t, fake.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, api.Fault{Drop: true}))
	var info monime.ResponseInfo
	_, err := fake.Client().CheckoutSessions.Create(context.Background(), params(), monime.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.True(t, info.Replayed, "the retry got the lost answer from the idempotency cache")
	assert.Len(t, allSessions(t, fake.Client()), 1, "and no second session")
}

func TestFaultMethodsReturnErrorsForBadArguments(t *testing.T) {
	fake := monimetest.NewServer(t)
	err := fake.FailNext(http.MethodPost, "/v1/checkout-sessions", 0, http.StatusServiceUnavailable)
	assert.ErrorContains(t, err, "monimetest: FailNext: api: InjectFault: n must be at least 1, got 0")
	err = fake.FailNext(http.MethodPost, "/v1/checkout-sessions", 1, http.StatusOK)
	assert.ErrorContains(t, err, "Fault.Status must be 400 to 599")
	err = fake.InjectFault("get", "/v1/checkout-sessions", 1, api.Fault{Status: 500})
	assert.ErrorContains(t, err, `api: InjectFault: method "get" would match no request`)

	require.NoError(t, fake.FailNext("", "/v1/checkout-sessions", 5, http.StatusServiceUnavailable))
	fake.ClearFaults()
	_, err = fake.Client(monime.WithMaxRetries(0)).CheckoutSessions.List(context.Background(), nil)
	assert.NoError(t, err, "nothing injected is left")
}

func TestClientForOtherCredentials(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithCredentials("mon_test_other", "spc-a", "spc-b"))
	_, err := fake.Client().CheckoutSessions.List(context.Background(), nil)
	require.ErrorIs(t, err, monime.ErrUnauthorized, "the default token is not configured")
	c := fake.ClientFor("mon_test_other", "spc-a")
	s, err := c.CheckoutSessions.Create(context.Background(), params())
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Create(context.Background(), params(), monime.WithSpaceID("spc-c"))
	require.ErrorIs(t, err, monime.ErrForbidden)
	inA := allSessions(t, c)
	require.Len(t, inA, 1)
	assert.Equal(t, s.ID, inA[0].ID)
	assert.Empty(t, allSessions(t, fake.ClientFor("mon_test_other", "spc-b")), "none in the other space")
}

// hookReceiver is a merchant's webhook endpoint: webhook.Handler with secret,
// answering 500 while failing is set.
type hookReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	events  []*webhook.Event
	failing bool
}

func newHookReceiver(t *testing.T, secret string, failing bool) *hookReceiver {
	rc := &hookReceiver{failing: failing}
	rc.Server = httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.failing {
			return errors.New("the shop's database is down")
		}
		rc.events = append(rc.events, ev)
		return nil
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) got() []*webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.events)
}

func TestAddWebhookAndWaitForDeliveries(t *testing.T) {
	const secret = "whsec_monimetest"
	fake := monimetest.NewServer(t)
	rc := newHookReceiver(t, secret, false)
	require.ErrorContains(t, fake.AddWebhook(rc.URL, ""), "api: AddWebhook: the signing secret is empty")
	require.NoError(t, fake.AddWebhook(rc.URL, secret))

	s, err := fake.Client().CheckoutSessions.Create(context.Background(), params())
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, fake.WaitForDeliveries(ctx))

	events := rc.got()
	require.Len(t, events, 1)
	assert.Equal(t, webhook.EventCheckoutSessionCompleted, events[0].Name)
	assert.Equal(t, s.ID, events[0].Object.ID)
	deliveries := fake.Deliveries()
	require.Len(t, deliveries, 1)
	assert.True(t, deliveries[0].OK())
}

func TestCloseWaitsForOutstandingRequests(t *testing.T) {
	fake := monimetest.NewServer(t)
	const latency = 300 * time.Millisecond
	require.NoError(t, fake.InjectFault(http.MethodGet, "/v1/checkout-sessions", 1, api.Fault{Latency: latency}))
	c := fake.Client(monime.WithMaxRetries(0))
	done := make(chan error, 1)
	sent := time.Now()
	go func() {
		_, err := c.CheckoutSessions.List(context.Background(), nil)
		done <- err
	}()
	require.Eventually(t, func() bool { return fake.RequestCount() == 1 }, 5*time.Second, time.Millisecond, "the request arrives")

	fake.Close()
	assert.GreaterOrEqual(t, time.Since(sent), latency, "Close waited for the request in flight")
	require.NoError(t, <-done, "which was answered, not cut off")

	_, err := c.CheckoutSessions.List(context.Background(), nil)
	assert.Error(t, err, "a closed fake takes no new requests")
	assert.NotPanics(t, fake.Close, "a second Close does nothing")
	assert.Equal(t, int64(1), fake.RequestCount())
}

func TestCloseStopsWebhookRetries(t *testing.T) {
	const secret = "whsec_monimetest"
	rc := newHookReceiver(t, secret, true)
	fake := monimetest.NewServer(t, api.WithWebhook(rc.URL, secret), api.WithWebhookRetry(10, time.Hour))
	s, err := fake.Client().CheckoutSessions.Create(context.Background(), params())
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	require.Eventually(t, func() bool { return len(fake.Deliveries()) == 1 }, 5*time.Second, time.Millisecond, "the first attempt fails")

	closed := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for range 2 { // concurrent calls are safe too
			wg.Go(fake.Close)
		}
		wg.Wait()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a retry waiting an hour")
	}
	require.NoError(t, fake.WaitForDeliveries(t.Context()), "nothing is left running")
	assert.Len(t, fake.Deliveries(), 1, "and nothing more was sent")
}

// recordingTB is a testing.TB whose failures and cleanups are recorded
// instead of acted on. Fatalf ends the calling goroutine, as testing's does.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	fatal    string
	cleanups []func()
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// runCleanups runs the cleanups as testing does: last registered first.
func (r *recordingTB) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestCleanupReportsContractViolationsAfterClose(t *testing.T) {
	tb := &recordingTB{TB: t}
	badFault := api.WithFaultFunc(func(*http.Request) api.Fault { return api.Fault{Status: http.StatusOK} })
	fake := monimetest.NewServer(tb, badFault)
	_, err := fake.Client(monime.WithMaxRetries(0)).CheckoutSessions.List(context.Background(), nil)
	require.ErrorIs(t, err, monime.ErrServer)

	fake.Close() // closing early changes nothing
	tb.runCleanups()
	require.Len(t, tb.errors, 1)
	assert.Contains(t, tb.errors[0], "monimetest: the fake broke the API contract: api: the WithFaultFunc function returned a Fault the fake cannot apply")
}

func TestBadOptionsFailTheTestInsteadOfPanicking(t *testing.T) {
	tb := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		monimetest.NewServer(tb, api.WithSessionTTL(-time.Second))
	}()
	<-done
	assert.Contains(t, tb.fatal, "monimetest: NewServer: api: WithSessionTTL: the TTL must be positive, got -1s")
	assert.Empty(t, tb.cleanups, "nothing was started")
}
