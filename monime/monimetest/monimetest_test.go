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

	sessions := fake.Sessions()
	require.Len(t, sessions, 1)
	assert.Equal(t, s.ID, sessions[0].ID)
	assert.Equal(t, monime.CheckoutSessionStatusCompleted, sessions[0].Status)

	records := fake.Records()
	require.Len(t, records, 1)
	assert.Equal(t, "cb-7", *records[0].CallbackState, "the fake keeps what reads hide")
	require.NotNil(t, records[0].PaymentOptions)
	assert.True(t, *records[0].PaymentOptions.Card.Disable)
}

// Session and Sessions show exactly what the client reads.
func TestInspectionShowsWhatTheClientReads(t *testing.T) {
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
		held, ok := fake.Session(id)
		require.True(t, ok)
		assert.Equal(t, *read, held, "Session(%s) is what a GET answers", id)
	}
	page, err := c.CheckoutSessions.List(ctx, nil)
	require.NoError(t, err)
	listed := slices.Clone(page.Items)
	slices.Reverse(listed) // List is newest first, Sessions oldest first
	assert.Equal(t, listed, fake.Sessions())

	_, ok := fake.Session("scs-none")
	assert.False(t, ok)
	assert.Empty(t, fake.SessionsIn("spc-other"))
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
	status := func(id string) monime.CheckoutSessionStatus {
		s, ok := fake.Session(id)
		require.True(t, ok)
		return s.Status
	}

	started, cancelled, expired := create(), create(), create()
	require.NoError(t, fake.Start(started))
	require.NoError(t, fake.Start(started), "starting twice does nothing")
	assert.ErrorIs(t, c.CheckoutSessions.Delete(ctx, started), monime.ErrConflict, "a started session cannot be deleted")
	require.NoError(t, fake.Cancel(cancelled))
	require.NoError(t, fake.Expire(expired))
	assert.Equal(t, monime.CheckoutSessionStatusPending, status(started))
	assert.Equal(t, monime.CheckoutSessionStatusCancelled, status(cancelled))
	assert.Equal(t, monime.CheckoutSessionStatusExpired, status(expired))

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
	got, _ := fake.Session(s.ID)
	assert.Equal(t, monime.CheckoutSessionStatusExpired, got.Status)
}

func TestFailNextIsRetriedByTheClient(t *testing.T) {
	fake := monimetest.NewServer(t)
	require.NoError(t, fake.FailNext(http.MethodPost, "/v1/checkout-sessions", 2, http.StatusServiceUnavailable))
	var info monime.ResponseInfo
	s, err := fake.Client().CheckoutSessions.Create(context.Background(), params(), monime.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 3, info.Attempts)
	assert.Equal(t, int64(3), fake.RequestCount())
	assert.Len(t, fake.Sessions(), 1)

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
	assert.Len(t, fake.Sessions(), 1, "and no second session")
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
	require.Len(t, fake.SessionsIn("spc-a"), 1)
	assert.Equal(t, s.ID, fake.SessionsIn("spc-a")[0].ID)
	assert.Empty(t, fake.Sessions(), "none in the default space")
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
