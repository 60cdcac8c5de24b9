package api

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func TestCompleteSetsStatusAndOrderNumber(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))

	got := f.get(s.Id)
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, got.Status)
	require.NotNil(t, got.OrderNumber)
	assert.Regexp(t, `^ord-[0-9A-Za-z]{12}$`, *got.OrderNumber)
	assert.Equal(t, s.ExpireTime, got.ExpireTime)
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(s.Id))
	got := f.get(s.Id)
	assert.Equal(t, gen.CheckoutSessionStatusCancelled, got.Status)
	assert.Nil(t, got.OrderNumber)
}

func TestExpireEndsTheSessionNow(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	f.clock.Advance(time.Minute)
	require.NoError(t, f.srv.Expire(s.Id))
	got := f.get(s.Id)
	assert.Equal(t, gen.CheckoutSessionStatusExpired, got.Status)
	assert.Equal(t, f.clock.Now(), got.ExpireTime, "expireTime becomes the moment it expired")
}

func TestControlsRefuseUnknownAndFinalSessions(t *testing.T) {
	f := newFixture(t)
	controls := map[string]func(string) error{
		"Complete": f.srv.Complete, "Cancel": f.srv.Cancel, "Expire": f.srv.Expire, "Start": f.srv.Start,
	}
	for name, control := range controls {
		err := control("scs-nope")
		assert.ErrorIs(t, err, ErrSessionNotFound, name)
		assert.ErrorContains(t, err, name+`("scs-nope")`)
	}
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	for name, control := range controls {
		err := control(s.Id)
		assert.ErrorIs(t, err, ErrSessionFinal, name)
		assert.ErrorContains(t, err, "completed", name)
	}
}

func TestSessionsExpireWhenTheClockPassesExpireTime(t *testing.T) {
	f := newFixture(t, WithSessionTTL(10*time.Minute))
	a := f.create(minimalBody)
	f.clock.Advance(5 * time.Minute)
	b := f.create(minimalBody)

	f.clock.Advance(5*time.Minute - time.Millisecond)
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(a.Id).Status, "one millisecond before expireTime")

	f.clock.Advance(time.Millisecond)
	assert.Equal(t, gen.CheckoutSessionStatusExpired, f.get(a.Id).Status, "at expireTime")
	assert.Equal(t, a.ExpireTime, f.get(a.Id).ExpireTime)
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(b.Id).Status)

	err := f.srv.Complete(a.Id)
	assert.ErrorIs(t, err, ErrSessionFinal, "an expired session cannot be paid")

	f.clock.Advance(5 * time.Minute)
	assert.Equal(t, 1, f.srv.Sweep(), "the sweep expires b")
	assert.Equal(t, 0, f.srv.Sweep(), "and nothing twice")
	snap, _ := Find[Session](f.srv, b.Id)
	assert.Equal(t, gen.CheckoutSessionStatusExpired, snap.Status)
}

func TestExpiryFollowsAClockThatGoesBack(t *testing.T) {
	f := newFixture(t, WithSessionTTL(time.Minute))
	a := f.create(minimalBody)
	f.clock.Advance(-time.Hour)
	b := f.create(minimalBody) // expires long before a
	f.clock.Advance(time.Hour - 30*time.Second)
	assert.Equal(t, 1, f.srv.Sweep())
	sa, _ := Find[Session](f.srv, a.Id)
	sb, _ := Find[Session](f.srv, b.Id)
	assert.Equal(t, gen.CheckoutSessionStatusPending, sa.Status)
	assert.Equal(t, gen.CheckoutSessionStatusExpired, sb.Status)
}

func TestEveryLifecycleChangePassesTheHook(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var seen []string
	f.srv.store.observe(func(batch []event) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range batch {
			if s, ok := ev.record.(Session); ok {
				seen = append(seen, strings.TrimPrefix(ev.name, "checkout_session.")+" "+string(s.Status))
			}
		}
	})

	paid := f.create(minimalBody)
	require.NoError(t, f.srv.Start(paid.Id))
	require.NoError(t, f.srv.Start(paid.Id)) // no second event
	require.NoError(t, f.srv.Complete(paid.Id))
	cancelled := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(cancelled.Id))
	forced := f.create(minimalBody)
	require.NoError(t, f.srv.Expire(forced.Id))
	deleted := f.create(minimalBody)
	res := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + deleted.Id})
	require.Equal(t, http.StatusOK, res.status)
	f.create(minimalBody)
	f.clock.Advance(DefaultSessionTTL)
	f.srv.Sweep()

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{
		"created pending", "started pending", "completed completed",
		"created pending", "cancelled cancelled",
		"created pending", "expired expired",
		"created pending", "deleted pending",
		"created pending", "expired expired",
	}, seen)
}

func TestHookSeesHiddenFields(t *testing.T) {
	f := newFixture(t)
	var got Session
	f.srv.store.observe(func(batch []event) {
		for _, ev := range batch {
			if s, ok := ev.record.(Session); ok {
				got = s
			}
		}
	})
	s := f.create(fullBody)
	require.NoError(t, f.srv.Complete(s.Id))
	assert.Equal(t, "cart-c_77", *got.CallbackState)
	assert.NotNil(t, got.PaymentOptions)
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, got.Status)
	assert.NotNil(t, got.OrderNumber)
}

// Any resource emits events through one path: an account's reach the
// fake's hooks, but no webhook, as Monime documents no account events.
func TestAccountEventsReachHooksButNoWebhook(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, webhookEvents...))
	var mu sync.Mutex
	var seen []string
	f.srv.store.observe(func(batch []event) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range batch {
			seen = append(seen, ev.name+" "+ev.objectType)
		}
	})
	a := f.account(payrollBody)
	require.Equal(t, http.StatusOK, f.patchAccount(a.Id, `{"name":"Payroll 2026"}`).status)
	f.waitDeliveries()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"financial_account.created financial_account", "financial_account.updated financial_account"}, seen)
	assert.Empty(t, f.srv.Deliveries())
}
