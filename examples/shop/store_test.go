package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/monime/webhook"
)

// testClock is a clock that tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// completedEvent is Monime's checkout_session.completed event eventID for
// the session id, which the fake has completed.
func completedEvent(t *testing.T, fake *monimetest.Server, id, eventID string) []byte {
	t.Helper()
	cs, err := fake.Client().CheckoutSessions.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(webhook.Event{
		ID: eventID, Name: webhook.EventCheckoutSessionCompleted, Timestamp: time.Now(),
		Object: webhook.Object{ID: id, Type: webhook.ObjectTypeCheckoutSession}, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// deliver posts a webhook body signed with the test shop's secret, as
// Monime does, and returns the status.
func deliver(t *testing.T, shopURL string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, shopURL+webhookPath, strings.NewReader(string(body)))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader(body, "whsec_test", time.Now()))
	resp, err := customer.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// countRows counts the rows of a table that match where.
func countRows(t *testing.T, s *store, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// getOrder reads an order straight from the store.
func getOrder(t *testing.T, s *store, id string) order {
	t.Helper()
	o, err := s.get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestARedeliveredOrConcurrentWebhookChangesNothing(t *testing.T) {
	fake := monimetest.NewServer(t) // delivers no webhooks: the test does
	sh, shopURL := serveShop(t, fake, shopConfig{})
	clock := newTestClock()
	sh.orders.now = clock.Now

	id := newOrderForm(t, shopURL)
	sessionID := path.Base(checkout(t, shopURL, id, 1))
	if err := fake.Complete(sessionID); err != nil {
		t.Fatal(err)
	}
	event := completedEvent(t, fake, sessionID, "evt-1")

	// The same event eight times at once: one of them marks the order
	// paid, the others find its event id recorded.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if code := deliver(t, shopURL, event); code != http.StatusOK {
				t.Errorf("a concurrent delivery got %d, want 200", code)
			}
		})
	}
	wg.Wait()
	paid := getOrder(t, sh.orders, id)
	if paid.Status != statusPaid || !paid.ConfirmedAt.Equal(clock.Now()) {
		t.Fatalf("after the deliveries the order is %q confirmed at %v, want paid at %v", paid.Status, paid.ConfirmedAt, clock.Now())
	}
	if n := countRows(t, sh.orders, "webhook_events", "id = ?", "evt-1"); n != 1 {
		t.Fatalf("the event is recorded %d times, want once", n)
	}

	// An hour later Monime redelivers it, and sends the outcome again
	// under another event id: neither changes the order.
	clock.Advance(time.Hour)
	for _, body := range [][]byte{event, completedEvent(t, fake, sessionID, "evt-2")} {
		if code := deliver(t, shopURL, body); code != http.StatusOK {
			t.Fatalf("a later delivery got %d, want 200", code)
		}
	}
	if again := getOrder(t, sh.orders, id); again != paid {
		t.Fatalf("a later delivery changed the order:\nbefore %+v\nafter  %+v", paid, again)
	}
}

func TestAnOrderIsMarkedPaidAndItsEventRecordedTogetherOrNotAtAll(t *testing.T) {
	fake := monimetest.NewServer(t)
	sh, shopURL := serveShop(t, fake, shopConfig{})
	id := newOrderForm(t, shopURL)
	sessionID := path.Base(checkout(t, shopURL, id, 1))
	if err := fake.Complete(sessionID); err != nil {
		t.Fatal(err)
	}
	event := completedEvent(t, fake, sessionID, "evt-1")

	// The order cannot be updated: the event must not be recorded either,
	// or its redelivery would be acknowledged without marking it paid.
	const block = `CREATE TRIGGER block_updates BEFORE UPDATE ON orders BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`
	if _, err := sh.orders.db.ExecContext(t.Context(), block); err != nil {
		t.Fatal(err)
	}
	if code := deliver(t, shopURL, event); code != http.StatusInternalServerError {
		t.Fatalf("a delivery the shop could not store got %d, want 500 so that Monime redelivers it", code)
	}
	if st := getOrder(t, sh.orders, id).Status; st != statusAwaiting {
		t.Fatalf("the order is %q, want awaiting-payment", st)
	}
	if n := countRows(t, sh.orders, "webhook_events", "id = ?", "evt-1"); n != 0 {
		t.Fatal("the event was recorded though the order was not updated")
	}

	if _, err := sh.orders.db.ExecContext(t.Context(), `DROP TRIGGER block_updates`); err != nil {
		t.Fatal(err)
	}
	if code := deliver(t, shopURL, event); code != http.StatusOK {
		t.Fatalf("the redelivery got %d, want 200", code)
	}
	if st := getOrder(t, sh.orders, id).Status; st != statusPaid {
		t.Fatalf("after the redelivery the order is %q, want paid", st)
	}
	if n := countRows(t, sh.orders, "webhook_events", "id = ?", "evt-1"); n != 1 {
		t.Fatalf("the event is recorded %d times, want once", n)
	}
}

func TestOrdersOutliveARestart(t *testing.T) {
	// Monime, reached by credentials; it outlives the shop, as Monime does.
	remote := monimetest.NewServer(t)
	const secret = "whsec_from_dashboard"
	cfg := siteConfig{
		Addr: "127.0.0.1:0", Token: remote.Token, SpaceID: remote.SpaceID, BaseURL: remote.URL,
		WebhookSecret: secret, DBPath: testDB(t), Logger: testLogger(t),
	}
	first, err := startSite(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop()
	if err := remote.AddWebhook(first.ShopURL+webhookPath, secret); err != nil {
		t.Fatal(err)
	}

	paidBefore := newOrderForm(t, first.ShopURL)
	if err := remote.Complete(path.Base(checkout(t, first.ShopURL, paidBefore, 2))); err != nil {
		t.Fatal(err)
	}
	waitForWebhooks(t, remote)
	if st, _ := statusOnPage(t, first.ShopURL, paidBefore); st != "paid" {
		t.Fatalf("before the restart the paid order is %q", st)
	}
	paidAfter := newOrderForm(t, first.ShopURL)
	openSession := path.Base(checkout(t, first.ShopURL, paidAfter, 1))

	first.Stop()
	// The same address, where Monime delivers webhooks, and the same file.
	cfg.Addr = strings.TrimPrefix(first.ShopURL, "http://")
	second, err := startSite(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Stop()

	if st, body := statusOnPage(t, second.ShopURL, paidBefore); st != "paid" || !strings.Contains(body, "webhook checkout_session.completed") {
		t.Fatalf("after the restart the order paid before it is %q, want paid by webhook\n%s", st, body)
	}
	if st, _ := statusOnPage(t, second.ShopURL, paidAfter); st != "awaiting-payment" {
		t.Fatalf("after the restart the open order is %q, want awaiting-payment", st)
	}
	// The customer pays the order made before the restart; its webhook
	// reaches the new process, which knows the order.
	if err := remote.Complete(openSession); err != nil {
		t.Fatal(err)
	}
	waitForWebhooks(t, remote)
	if st, body := statusOnPage(t, second.ShopURL, paidAfter); st != "paid" {
		t.Fatalf("the webhook after the restart left the order %q, want paid\n%s", st, body)
	}
}

func TestAgainstTheFakeTheOrdersGoWithIt(t *testing.T) {
	// No -db: the fake's sessions end with the process, so do its orders.
	s, err := startSite(siteConfig{Addr: "127.0.0.1:0", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	id := newOrderForm(t, s.ShopURL)
	checkout(t, s.ShopURL, id, 1)
	if _, err := os.Stat(s.DBPath); err != nil {
		t.Fatalf("the order database: %v", err)
	}
	s.Stop()
	if _, err := os.Stat(filepath.Dir(s.DBPath)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after Stop the temporary order database is still at %s (%v)", s.DBPath, err)
	}
}

func TestUnpaidOrdersExpireWithTheirSessionAndAreRemovedADayLater(t *testing.T) {
	st, err := openStore(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := newTestClock()
	st.now = clock.Now
	ctx := t.Context()
	start := clock.Now()

	// newOrder creates an order, with a session that expires in 30
	// minutes unless sessionless, and sets it to status.
	newOrder := func(status monime.CheckoutSessionStatus, sessionless bool) string {
		t.Helper()
		id := newOrderID()
		if _, err := st.getOrCreate(ctx, id, 1); err != nil {
			t.Fatal(err)
		}
		if sessionless {
			return id
		}
		cs := &monime.CheckoutSession{ID: "scs-" + id, Reference: id, Status: status, RedirectURL: "https://checkout.example/" + id, ExpireTime: start.Add(30 * time.Minute)}
		if err := st.attach(ctx, id, cs); err != nil {
			t.Fatal(err)
		}
		if _, err := st.applyEvent(ctx, "evt-"+id, cs, "webhook"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	abandoned := newOrder(monime.CheckoutSessionStatusPending, false)
	paid := newOrder(monime.CheckoutSessionStatusCompleted, false)
	cancelled := newOrder(monime.CheckoutSessionStatusCancelled, false)
	paidLate := newOrder(monime.CheckoutSessionStatusPending, false)
	sessionless := newOrder("", true) // Monime never made its session

	sweep := func(wantExpired, wantRemoved int64) {
		t.Helper()
		expired, removed, err := st.sweep(ctx)
		if err != nil || expired != wantExpired || removed != wantRemoved {
			t.Fatalf("at +%v sweep expired %d and removed %d (%v), want %d and %d",
				clock.Now().Sub(start), expired, removed, err, wantExpired, wantRemoved)
		}
	}
	sweep(0, 0)
	clock.Advance(29 * time.Minute)
	sweep(0, 0)
	clock.Advance(2 * time.Minute) // the sessions have expired
	sweep(2, 0)
	if o := getOrder(t, st, abandoned); o.Status != statusExpired || o.ConfirmedBy != "the session's expiry time" {
		t.Fatalf("the abandoned order is %q (%s), want expired by the session's expiry time", o.Status, o.ConfirmedBy)
	}
	// A payment that went through as its session expired still counts.
	late := &monime.CheckoutSession{ID: "scs-" + paidLate, Reference: paidLate, Status: monime.CheckoutSessionStatusCompleted}
	if res, err := st.applyEvent(ctx, "evt-late", late, "webhook"); err != nil || res != resultChanged || getOrder(t, st, paidLate).Status != statusPaid {
		t.Fatalf("a payment after the order was marked expired: %v, %v; want it paid", res, err)
	}
	clock.Advance(30 * time.Minute) // an hour: the sessionless order expires too
	sweep(1, 0)

	clock.Advance(keepUnpaid) // a day after: the unpaid ones go
	sweep(0, 3)
	for _, id := range []string{abandoned, cancelled, sessionless} {
		if _, err := st.get(ctx, id); !errors.Is(err, errUnknownOrder) {
			t.Errorf("order %s, never paid, is still there a day after it expired (%v)", id, err)
		}
	}
	for _, id := range []string{paid, paidLate} {
		if o := getOrder(t, st, id); o.Status != statusPaid {
			t.Errorf("paid order %s is %q", id, o.Status)
		}
	}
	if n := countRows(t, st, "orders", "1"); n != 2 {
		t.Fatalf("the store holds %d orders, want the 2 paid ones", n)
	}

	// Event ids are kept a week, then forgotten.
	clock.Advance(keepEvents)
	sweep(0, 0)
	if n := countRows(t, st, "webhook_events", "1"); n != 0 {
		t.Fatalf("the store still holds %d event ids a week on", n)
	}
}
