package api

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// highWater keeps the highest value a counter reached.
type highWater struct {
	now, most atomic.Int32
}

func (h *highWater) add(n int32) {
	v := h.now.Add(n)
	for {
		m := h.most.Load()
		if v <= m || h.most.CompareAndSwap(m, v) {
			return
		}
	}
}

func TestWebhookDeliveriesAreBounded(t *testing.T) {
	var requests, conns highWater
	rc := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.add(1)
		defer requests.add(-1)
		time.Sleep(20 * time.Millisecond) // a receiver that takes a moment
	}))
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	rc.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case s == http.StateNew:
			open[c] = true
			conns.add(1)
		case (s == http.StateClosed || s == http.StateHijacked) && open[c]:
			delete(open, c)
			conns.add(-1)
		}
	}
	rc.Start()
	defer rc.Close()

	srv := mustNew(t, WithWebhook(rc.URL, testSecret), WithWebhookRetry(1, 0))
	defer srv.Close()
	const completions = 200
	for range completions {
		require.NoError(t, srv.Complete(createDirect(t, srv, minimalBody)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitForDeliveries(ctx))

	got := srv.Deliveries()
	require.Len(t, got, completions)
	for _, d := range got {
		require.True(t, d.OK(), d.Err)
	}
	assert.LessOrEqual(t, requests.most.Load(), int32(WebhookConcurrency), "deliveries in flight at once")
	assert.LessOrEqual(t, conns.most.Load(), int32(WebhookConcurrency), "connections open to the receiver at once")
	assert.Greater(t, requests.most.Load(), int32(1), "deliveries still run side by side")
}

func TestDeliveryLogKeepsABoundedHistoryPerURL(t *testing.T) {
	a, b := newReceiver(t, 0), newReceiver(t, 0)
	srv := mustNew(t, WithWebhook(a.URL, testSecret), WithWebhook(b.URL, testSecret))
	defer srv.Close()
	assert.Equal(t, DeliveryHistory, srv.webhooks.history, "the documented default")
	srv.webhooks.history = 3

	var sessions []string
	for range 5 {
		id := createDirect(t, srv, minimalBody)
		require.NoError(t, srv.Complete(id))
		require.NoError(t, srv.WaitForDeliveries(context.Background()))
		sessions = append(sessions, id)
	}
	got := srv.Deliveries()
	require.Len(t, got, 6, "3 for each of the two URLs")
	var forA, forB []string
	for _, d := range got {
		switch d.URL {
		case a.URL:
			forA = append(forA, d.SessionID)
		case b.URL:
			forB = append(forB, d.SessionID)
		}
	}
	assert.Equal(t, sessions[2:], forA, "the newest three, oldest first: the two oldest were dropped")
	assert.Equal(t, sessions[2:], forB, "one URL's history does not push out another's")
}

func TestARestoredDeliveryLogIsBoundedToo(t *testing.T) {
	srv := mustNew(t, WithWebhook("http://127.0.0.1:1/hooks", testSecret))
	defer srv.Close()
	srv.webhooks.history = DeliveryHistory + 5 // a state written before the bound
	for i := range DeliveryHistory + 5 {
		srv.webhooks.record(Delivery{EventID: fmt.Sprintf("evt-%d", i), URL: "http://127.0.0.1:1/hooks", Attempt: 1, StatusCode: 200, Time: time.Now()})
	}
	var saved bytes.Buffer
	require.NoError(t, srv.SaveState(&saved))

	restored := mustNew(t, WithState(&saved))
	defer restored.Close()
	got := restored.Deliveries()
	require.Len(t, got, DeliveryHistory)
	assert.Equal(t, "evt-5", got[0].EventID, "the oldest five were dropped")
}

func TestDeliveriesPagePagesNewestFirstWhileOldRecordsAreDropped(t *testing.T) {
	srv := mustNew(t)
	defer srv.Close()
	srv.webhooks.history = 5
	rec := func(i int) {
		srv.webhooks.record(Delivery{EventID: fmt.Sprintf("evt-%d", i), URL: "http://127.0.0.1:1/hooks", Attempt: 1, StatusCode: 200, Time: time.Now(), Body: []byte("{}")})
	}
	ids := func(p Page[Delivery]) (out []string) {
		for _, d := range p.Items {
			out = append(out, d.EventID)
		}
		return out
	}
	for i := range 5 {
		rec(i)
	}
	first, err := srv.DeliveriesPage(2, "", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"evt-4", "evt-3"}, ids(first))
	require.NotEmpty(t, first.Next)
	all := srv.Deliveries()
	assert.Equal(t, all[4], first.Items[0], "a page holds what Deliveries holds")

	rec(5)
	rec(6) // drops evt-0 and evt-1
	second, err := srv.DeliveriesPage(2, first.Next, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"evt-2"}, ids(second), "the cursor still pages on, past what was dropped, without what was recorded since")
	assert.Empty(t, second.Next, "the last page")

	whole, err := srv.DeliveriesPage(2, "", func(d *Delivery) bool { return d.EventID != "evt-5" })
	require.NoError(t, err)
	assert.Equal(t, []string{"evt-6", "evt-4"}, ids(whole), "keep skips what it refuses")
	require.NotEmpty(t, whole.Next)

	_, err = srv.DeliveriesPage(0, "", nil)
	assert.ErrorContains(t, err, "limit must be at least 1")
	for _, bad := range []string{"bogus", encodeCursor(DefaultSpaceID, 3)} {
		_, err = srv.DeliveriesPage(10, bad, nil)
		assert.ErrorContains(t, err, "not one the delivery log issued", bad)
	}
}
