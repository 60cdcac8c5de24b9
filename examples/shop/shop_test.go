package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/monime/webhook"
)

// startTestSite runs the shop against the embedded fake on loopback, as
// `go run ./examples/shop` does, and stops it when the test ends.
func startTestSite(t *testing.T) *site {
	t.Helper()
	s, err := startSite(siteConfig{Addr: "127.0.0.1:0", DBPath: testDB(t), Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("startSite: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// testDB is a fresh order database file for the test.
func testDB(t *testing.T) string {
	return filepath.Join(t.TempDir(), "orders.db")
}

// testLogger sends the site's logs to the test's log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// customer is a browser without JavaScript: it stops at every redirect so
// the test can check where each one goes.
var customer = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// page fetches rawURL and returns the status and body.
func page(t *testing.T, rawURL string) (int, string) {
	t.Helper()
	resp, err := customer.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	return resp.StatusCode, string(body)
}

// post submits a form and returns the status, the Location header and the body.
func post(t *testing.T, rawURL string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := customer.PostForm(rawURL, form)
	if err != nil {
		t.Fatalf("POST %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

var orderIDField = regexp.MustCompile(`name="order_id" value="([0-9a-f]{16})"`)

// newOrderForm opens the product page and returns the order id its form carries.
func newOrderForm(t *testing.T, shopURL string) string {
	t.Helper()
	code, body := page(t, shopURL+"/")
	if code != http.StatusOK {
		t.Fatalf("product page: %d\n%s", code, body)
	}
	m := orderIDField.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `id="pay-with-monime"`) {
		t.Fatalf("the product page has no order form with a Pay with Monime button:\n%s", body)
	}
	return m[1]
}

// checkout presses Pay with Monime and returns the hosted page it redirects to.
func checkout(t *testing.T, shopURL, orderID string, quantity int) string {
	t.Helper()
	code, location, body := post(t, shopURL+"/orders", url.Values{"order_id": {orderID}, "quantity": {strconv.Itoa(quantity)}})
	if code != http.StatusSeeOther {
		t.Fatalf("Pay with Monime: got %d, want 303 to the hosted page\n%s", code, body)
	}
	return location
}

var statusField = regexp.MustCompile(`id="status" data-status="([a-z-]+)"`)

// statusOnPage reads the status the order page shows.
func statusOnPage(t *testing.T, shopURL, orderID string) (string, string) {
	t.Helper()
	code, body := page(t, shopURL+"/orders/"+orderID)
	m := statusField.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("order page: %d without a status\n%s", code, body)
	}
	return m[1], body
}

// deliverer is a fake that delivers webhooks: an *api.Server or a
// *monimetest.Server.
type deliverer interface {
	WaitForDeliveries(context.Context) error
	Deliveries() []api.Delivery
}

// waitForWebhooks waits until the fake has delivered every queued event.
func waitForWebhooks(t *testing.T, fake deliverer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range fake.Deliveries() {
		if !d.OK() {
			t.Errorf("webhook %s to %s (attempt %d) failed: %s", d.EventName, d.URL, d.Attempt, d.Err)
		}
	}
}

func TestPayingOnTheHostedPageMarksTheOrderPaidByWebhook(t *testing.T) {
	s := startTestSite(t)
	id := newOrderForm(t, s.ShopURL)
	hosted := checkout(t, s.ShopURL, id, 2)
	if !strings.HasPrefix(hosted, s.FakeURL+api.HostedPagePath+"scs-") {
		t.Fatalf("Pay with Monime redirected to %q, want the fake's hosted page under %s", hosted, s.FakeURL)
	}
	if st, _ := statusOnPage(t, s.ShopURL, id); st != "awaiting-payment" {
		t.Fatalf("before paying the order is %q, want awaiting-payment", st)
	}

	code, body := page(t, hosted)
	if code != http.StatusOK || !strings.Contains(body, `id="simulator-banner"`) {
		t.Fatalf("hosted page: %d without the simulator banner\n%s", code, body)
	}
	code, back, _ := post(t, hosted+"/pay", url.Values{})
	if code != http.StatusSeeOther || back != s.ShopURL+"/orders/"+id {
		t.Fatalf("Pay: got %d to %q, want 303 back to the order page", code, back)
	}

	waitForWebhooks(t, s.Fake)
	st, body := statusOnPage(t, s.ShopURL, id)
	if st != "paid" {
		t.Fatalf("after the webhook the order is %q, want paid\n%s", st, body)
	}
	number := getOrder(t, s.Shop.orders, id).Number
	for _, want := range []string{
		"webhook checkout_session.completed", `id="monime-order-number"`, "SLE 500.00",
		`id="order-number">` + number + "<", "give the order number " + number, // to quote on the phone
		`<a href="/" id="back-to-shop">`,
		// What was paid and how, from Monime's payment (ListPayments by the
		// session's order number): the fake's page pays by mobile money.
		`<dd id="paid-amount">SLE 500.00</dd>`, `<dd id="paid-with">Mobile money (m17)`, `<dd id="paid-fees">none</dd>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the paid order page lacks %q", want)
		}
	}
	// The hosted page names the order by the same number.
	if sess := api.FindAll[api.Session](s.Fake, api.DefaultSpaceID); len(sess) != 1 || sess[0].Name != "Order "+number {
		t.Errorf("the checkout session is not named %q", "Order "+number)
	}
}

func TestAmountsReadAsMonimeWritesThem(t *testing.T) {
	_, shopURL := shopWithoutWebhooks(t)
	// monime.Money.String, the same text as on the hosted page.
	if _, body := page(t, shopURL+"/"); !strings.Contains(body, `id="price">SLE 250.00<`) {
		t.Errorf("the product page does not show the price as SLE 250.00:\n%s", body)
	}
	id := newOrderForm(t, shopURL)
	checkout(t, shopURL, id, 3)
	if _, body := statusOnPage(t, shopURL, id); !strings.Contains(body, `id="total">SLE 750.00<`) {
		t.Errorf("the order page does not show the total as SLE 750.00:\n%s", body)
	}
}

func TestCancellingOnTheHostedPageMarksTheOrderCancelled(t *testing.T) {
	s := startTestSite(t)
	id := newOrderForm(t, s.ShopURL)
	hosted := checkout(t, s.ShopURL, id, 1)
	code, back, _ := post(t, hosted+"/cancel", url.Values{})
	if code != http.StatusSeeOther || back != s.ShopURL+"/orders/"+id {
		t.Fatalf("Cancel: got %d to %q, want 303 back to the order page", code, back)
	}
	waitForWebhooks(t, s.Fake)
	if st, body := statusOnPage(t, s.ShopURL, id); st != "cancelled" || !strings.Contains(body, "webhook checkout_session.cancelled") {
		t.Fatalf("after cancelling the order is %q, want cancelled by webhook\n%s", st, body)
	}
}

func TestAnExpiredSessionMarksTheOrderExpired(t *testing.T) {
	s := startTestSite(t)
	id := newOrderForm(t, s.ShopURL)
	hosted := checkout(t, s.ShopURL, id, 1)
	if err := s.Fake.Expire(path.Base(hosted)); err != nil {
		t.Fatal(err)
	}
	waitForWebhooks(t, s.Fake)
	if st, body := statusOnPage(t, s.ShopURL, id); st != "expired" || !strings.Contains(body, "Start a new order") {
		t.Fatalf("after expiry the order is %q, want expired with a way to start again\n%s", st, body)
	}
}

func TestWithCredentialsTheSiteUsesThatMonime(t *testing.T) {
	// A fake stands in for api.monime.io, reached the way Monime would be:
	// by token, space, base URL and a webhook registered with a secret.
	remote := monimetest.NewServer(t)
	s, err := startSite(siteConfig{
		Addr: "127.0.0.1:0", Token: remote.Token, SpaceID: remote.SpaceID,
		BaseURL: remote.URL, WebhookSecret: "whsec_from_dashboard", DBPath: testDB(t), Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if s.Fake != nil || s.FakeURL != "" {
		t.Fatal("with credentials the site started the embedded fake")
	}
	if err := remote.AddWebhook(s.ShopURL+webhookPath, "whsec_from_dashboard"); err != nil {
		t.Fatal(err)
	}

	if _, body := page(t, s.ShopURL+"/"); strings.Contains(body, "Test mode") {
		t.Error("the product page claims test mode against real credentials")
	}
	id := newOrderForm(t, s.ShopURL)
	hosted := checkout(t, s.ShopURL, id, 1)
	if err := remote.Complete(path.Base(hosted)); err != nil {
		t.Fatal(err)
	}
	waitForWebhooks(t, remote)
	if st, _ := statusOnPage(t, s.ShopURL, id); st != "paid" {
		t.Fatalf("order is %q, want paid", st)
	}
}

// shopWithoutWebhooks runs the shop against a fake that sends no webhooks,
// so only the shop's own reads can confirm a payment.
func shopWithoutWebhooks(t *testing.T) (*monimetest.Server, string) {
	fake := monimetest.NewServer(t)
	_, shopURL := serveShop(t, fake, shopConfig{})
	return fake, shopURL
}

// serveShop serves a shop that uses fake and a fresh database on a
// loopback port, with cfg (PublicURL defaults to that port's origin), until
// the test ends. It returns the shop and its URL.
func serveShop(t *testing.T, fake *monimetest.Server, cfg shopConfig) (*shop, string) {
	t.Helper()
	orders, err := openStore(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { orders.Close() })
	srv := httptest.NewUnstartedServer(nil)
	shopURL := "http://" + srv.Listener.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = shopURL
	}
	cfg.Logger = testLogger(t)
	h, err := newShop(fake.Client(), "whsec_test", orders, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return h, shopURL
}

func TestTheSuccessURLAloneDoesNotMarkTheOrderPaid(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	checkout(t, shopURL, id, 1)
	sessionID := sessionsAtMonime(t, fake)[0].ID
	if err := fake.Complete(sessionID); err != nil {
		t.Fatal(err)
	}

	// The customer lands on the order page, but no webhook came: anyone
	// can open that URL, so it proves nothing.
	if st, _ := statusOnPage(t, shopURL, id); st != "awaiting-payment" {
		t.Fatalf("without a webhook the order is %q, want awaiting-payment", st)
	}
	// "Check with Monime now" reads the session and settles it.
	code, location, body := post(t, shopURL+"/orders/"+id+"/refresh", nil)
	if code != http.StatusSeeOther || location != "/orders/"+id {
		t.Fatalf("refresh: got %d to %q\n%s", code, location, body)
	}
	if st, body := statusOnPage(t, shopURL, id); st != "paid" || !strings.Contains(body, "GetCheckoutSession") {
		t.Fatalf("after the read the order is %q, want paid by GetCheckoutSession\n%s", st, body)
	}
}

func TestResubmittingTheOrderFormMakesOneSession(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	first := checkout(t, shopURL, id, 1)
	// A double click, the back button, a changed quantity: still one order.
	second := checkout(t, shopURL, id, 3)
	if first != second {
		t.Errorf("the same order went to two hosted pages: %s and %s", first, second)
	}
	stored := sessionsAtMonime(t, fake)
	if len(stored) != 1 {
		t.Fatalf("want one session created for order %s, got %d sessions", id, len(stored))
	}
	if rec, _ := monimetest.Find[api.Session](fake, stored[0].ID); rec.IdempotencyKey != "order-"+id {
		t.Fatalf("the session was created with Idempotency-Key %q, want order-%s", rec.IdempotencyKey, id)
	}
	if other := newOrderForm(t, shopURL); other == id {
		t.Error("two product pages carried the same order id")
	}
}

func TestConcurrentSubmissionsOfOneOrderMakeOneSession(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	const n = 8
	locations := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := customer.PostForm(shopURL+"/orders", url.Values{"order_id": {id}, "quantity": {"2"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			locations <- resp.Header.Get("Location")
		})
	}
	wg.Wait()
	close(locations)
	first := ""
	for loc := range locations {
		if first == "" {
			first = loc
		}
		if loc != first || !strings.Contains(loc, "/checkout/scs-") {
			t.Errorf("submission went to %q, want the one hosted page %q", loc, first)
		}
	}
	if got := len(sessionsAtMonime(t, fake)); got != 1 {
		t.Fatalf("%d concurrent submissions of one order made %d sessions, want 1", n, got)
	}
}

func TestForgedWebhookIsRefused(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	checkout(t, shopURL, id, 1)
	sessionID := sessionsAtMonime(t, fake)[0].ID
	if err := fake.Complete(sessionID); err != nil {
		t.Fatal(err)
	}
	cs, err := fake.Client().CheckoutSessions.Get(t.Context(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(cs)
	body, _ := json.Marshal(webhook.Event{
		ID: "evt-forged", Name: webhook.EventCheckoutSessionCompleted, Timestamp: time.Now(),
		Object: webhook.Object{ID: sessionID, Type: webhook.ObjectTypeCheckoutSession}, Data: data,
	})
	req, _ := http.NewRequest(http.MethodPost, shopURL+webhookPath, strings.NewReader(string(body)))
	req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader(body, "whsec_not_the_shops", time.Now()))
	resp, err := customer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged webhook: got %d, want 400", resp.StatusCode)
	}
	if st, _ := statusOnPage(t, shopURL, id); st != "awaiting-payment" {
		t.Fatalf("a forged webhook made the order %q", st)
	}

	// The same event signed with the shop's secret is accepted.
	req, _ = http.NewRequest(http.MethodPost, shopURL+webhookPath, strings.NewReader(string(body)))
	req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader(body, "whsec_test", time.Now()))
	resp, err = customer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st, _ := statusOnPage(t, shopURL, id); resp.StatusCode != http.StatusOK || st != "paid" {
		t.Fatalf("genuine webhook: got %d and order %q, want 200 and paid", resp.StatusCode, st)
	}
}

func TestBadRequestsGetAPageThatSaysWhatToDo(t *testing.T) {
	_, shopURL := shopWithoutWebhooks(t)
	for _, tc := range []struct {
		name string
		do   func() (int, string)
		code int
		want string
	}{
		{"no order id", func() (int, string) {
			c, _, b := post(t, shopURL+"/orders", url.Values{"quantity": {"1"}})
			return c, b
		}, http.StatusBadRequest, "press Pay with Monime again"},
		{"quantity out of range", func() (int, string) {
			c, _, b := post(t, shopURL+"/orders", url.Values{"order_id": {newOrderID()}, "quantity": {"99"}})
			return c, b
		}, http.StatusBadRequest, "Choose a quantity from 1 to 5"},
		{"unknown order", func() (int, string) { return page(t, shopURL+"/orders/0123456789abcdef") }, http.StatusNotFound, "no such order"},
		{"unknown page", func() (int, string) { return page(t, shopURL+"/admin") }, http.StatusNotFound, "no such page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.do()
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("got %d, want %d with %q\n%s", code, tc.code, tc.want, body)
			}
		})
	}
}

func TestRunRefusesHalfTheCredentials(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"token only":     {"MONIME_ACCESS_TOKEN": "mon_test_x"},
		"space only":     {"MONIME_SPACE_ID": "spc-x"},
		"no hook secret": {"MONIME_ACCESS_TOKEN": "mon_test_x", "MONIME_SPACE_ID": "spc-x"},
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), []string{"-addr", "127.0.0.1:0"}, &out, func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), "MONIME_") {
				t.Fatalf("want an error naming the variable to set, got %v", err)
			}
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	out := &syncBuffer{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, out, func(string) string { return "" }) }()
	var first string
	select {
	case first = <-out.lines:
	case err := <-done:
		t.Fatalf("run returned before serving: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("run printed nothing within 10s")
	}
	shopURL, ok := strings.CutPrefix(strings.TrimSpace(first), "Shop: ")
	if !ok {
		t.Fatalf("first line %q, want Shop: <url>", first)
	}
	if code, body := page(t, shopURL+"/"); code != http.StatusOK || !strings.Contains(body, "Test mode") {
		t.Errorf("product page: %d, want 200 with the test-mode banner", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of its context ending")
	}
}

// syncBuffer hands each write to the test as a line.
type syncBuffer struct{ lines chan string }

func (b *syncBuffer) Write(p []byte) (int, error) {
	select {
	case b.lines <- string(p):
	default:
	}
	return len(p), nil
}
